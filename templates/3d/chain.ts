// 3D: a torus and a box lit by two lights, seen by an orbiting camera. Geometry operators make
// meshes, SceneComposer places them (a matrix and a colour each), Render3D draws the scene with a
// camera and up to 4 lights into a texture, which can go on through any 2D filter.
//
// Run it:            bun vivid
// Look at a frame:   bun vivid --headless --frames 30 --snapshot frame.png
// What exists:       bun vivid operators Render3D  (shading modes: unlit, flat, gouraud, vertexLit, toon, pbr)
//
// Keys: F toggles fullscreen.
import { Box, Bloom, CameraOperator, DirectionalLight, PointLight, Render3D, SceneComposer, Torus, mat4, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;
  chain.add(Torus, "ring");
  chain.add(Box, "cube").size(0.7, 0.7, 0.7);

  // Each entry: a mesh by name, where it goes (a 4x4 matrix), its colour. Turned every frame in update().
  const scene = chain.add(SceneComposer, "scene");
  scene.add("ring", mat4.translation(-0.9, 0, 0), [0.95, 0.45, 0.2, 1]);
  scene.add("cube", mat4.translation(1, 0, 0), [0.3, 0.7, 1, 1]);

  const key = chain.add(DirectionalLight, "key");
  key.direction = [-0.5, -1, -0.4]; // the way the light travels
  key.intensity = 1.2;
  const glow = chain.add(PointLight, "glow");
  glow.position = [2, 1.5, 2];
  glow.color = [1, 0.6, 0.9];
  glow.intensity = 6;
  glow.range = 10;

  const camera = chain.add(CameraOperator, "camera");
  camera.distance = 4.5;
  camera.elevation = 0.45;

  const render = chain.add(Render3D, "render");
  render.input("scene").camera("camera").light("key").light("glow");
  render.shadingMode = "pbr";
  render.roughness = 0.4;
  render.clearColor = [0.04, 0.04, 0.08, 1];

  // A 2D filter after the 3D render: highlights bleed a little.
  chain.add(Bloom, "bloom").input("render");
  chain.output("bloom");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  const t = ctx.time;
  const scene = ctx.chain.get("scene", SceneComposer);
  // compose(position, rotation in radians, scale); setTransform tells Render3D to redraw.
  scene.entry(0).setTransform(mat4.compose([-0.9, 0, 0], [0.8 + t * 0.4, t * 0.6, 0]));
  scene.entry(1).setTransform(mat4.compose([1, 0, 0], [t * 0.7, -t, 0]));
  ctx.chain.get("camera", CameraOperator).azimuth = t * 0.15;
}
