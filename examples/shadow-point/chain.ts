// Shadow Test — point light shadows over six cube faces (port of the original's
// testing-fixtures/shadow-point).
// A warm point light circles above a red cube, a green sphere and a blue cylinder and bobs up and
// down; the small yellow sphere marks where it is. Shadows point away from the marker, onto the
// ground and onto the other objects.
// Shadow flags: the ground receives but does not cast; the green sphere casts but does not receive
// (always fully lit); the marker neither casts nor receives (it is the light).
//
// Keys: F toggles fullscreen.
import { Box, CameraOperator, Cylinder, Plane, PointLight, Render3D, SceneComposer, Sphere, mat4, type Context } from "vivid";

/** Index of the light marker among the scene's entries (moved with the light in update). */
const LIGHT_MARKER = 3;

export function setup(ctx: Context) {
  const chain = ctx.chain;

  chain.add(Plane, "ground").size(12, 12);
  chain.add(Box, "cube").size(1, 1.5, 1);
  const sphere = chain.add(Sphere, "sphere");
  sphere.radius = 0.6;
  sphere.segments = 32;
  const cylinder = chain.add(Cylinder, "cylinder");
  cylinder.radius = 0.4;
  cylinder.height = 1.2;
  cylinder.segments = 24;
  const marker = chain.add(Sphere, "lightMarker");
  marker.radius = 0.15;
  marker.segments = 12;

  const scene = chain.add(SceneComposer, "scene");
  // Ground at y = 0: receives shadows, casts none
  scene.add("ground").setColor(0.85, 0.85, 0.85).setCastShadow(false).setReceiveShadow(true);
  // Cube (front left): casts and receives
  scene.add("cube", mat4.translation(-1.5, 0.75, 2), [0.8, 0.3, 0.3, 1]);
  // Sphere (front right): casts, never receives (always lit)
  scene.add("sphere", mat4.translation(2, 0.6, 1.5), [0.3, 0.8, 0.3, 1]).setReceiveShadow(false);
  // Light marker (entry LIGHT_MARKER): neither casts nor receives; unlit, so it shows bright yellow
  // although the light sits inside it
  scene.add("lightMarker", mat4.translation(0, 3, 0), [1, 1, 0.2, 1]).setCastShadow(false).setReceiveShadow(false).setUnlit(true);
  // Cylinder (back): casts and receives
  scene.add("cylinder", mat4.translation(0, 0.6, -2), [0.3, 0.3, 0.8, 1]);

  const light = chain.add(PointLight, "pointlight");
  light.position = [0, 3, 0];
  light.color = [1, 0.95, 0.9];
  light.intensity = 2.5;
  light.range = 15;
  light.castShadow = true;
  light.shadowBias = 0.01;

  const camera = chain.add(CameraOperator, "camera");
  camera.center = [0, 0, 0];
  camera.distance = 10;
  camera.elevation = 0.6;
  camera.azimuth = 0.5;
  camera.fov = 50;

  const render = chain.add(Render3D, "render");
  render.input("scene").camera("camera").light("pointlight");
  render.shadingMode = "flat";
  render.ambient = 0.1;
  render.shadows = true;
  render.shadowMapResolution = 1024;
  render.clearColor = [0.15, 0.15, 0.2, 1];

  chain.output("render");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  const time = ctx.time;

  // The light circles at radius 2 and bobs between 2.5 and 3.5
  const height = 3 + Math.sin(time) * 0.5;
  const x = Math.cos(time * 0.5) * 2;
  const z = Math.sin(time * 0.5) * 2;
  ctx.chain.get("pointlight", PointLight).position = [x, height, z];
  ctx.chain.get("scene", SceneComposer).entry(LIGHT_MARKER).setPosition(x, height, z);
}
