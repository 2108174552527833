// Lighting Test — point, spot and directional lights (port of the original's
// examples/3d-rendering/lighting-test).
// A red point light (left) and a blue one (right) light three white spheres, a white cube and a grey
// ground; a green spot light circles above them pointing at the centre (a 45° half-angle cone, its
// outer 30 % fading); a dim directional light shines down and a little toward +z, filling in the
// tops of everything. The camera orbits slowly. Flat shading (faceted), 4 lights: Render3D's limit.
//
// The original called render.setColor(0.1, 0.1, 0.15) meaning the background (its comment says so);
// that sets the default object colour there. Here the background is render.clearColor.
//
// Keys: F toggles fullscreen.
import { Box, CameraOperator, DirectionalLight, Plane, PointLight, Render3D, SceneComposer, Sphere, SpotLight, mat4, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;

  // Ground plane and test objects
  chain.add(Plane, "ground").size(10, 10);
  for (const name of ["sphere1", "sphere2", "sphere3"]) {
    const sphere = chain.add(Sphere, name);
    sphere.radius = 0.5;
    sphere.segments = 32;
  }
  chain.add(Box, "cube").size(0.8, 0.8, 0.8);

  // Scene: light grey ground to show the coloured lights, spheres in a triangle, white cube in the middle
  const scene = chain.add(SceneComposer, "scene");
  scene.add("ground", mat4.translation(0, -0.5, 0), [0.7, 0.7, 0.7, 1]);
  scene.add("sphere1", mat4.translation(-2, 0, 0), [0.9, 0.9, 0.9, 1]);
  scene.add("sphere2", mat4.translation(2, 0, 0), [0.9, 0.9, 0.9, 1]);
  scene.add("sphere3", mat4.translation(0, 0, -2), [0.9, 0.9, 0.9, 1]);
  scene.add("cube", mat4.identity(), [0.95, 0.95, 0.95, 1]);

  // Red point light (left)
  const red = chain.add(PointLight, "redPoint");
  red.position = [-2, 2, 2];
  red.color = [1, 0.2, 0.1];
  red.intensity = 8;
  red.range = 12;

  // Blue point light (right)
  const blue = chain.add(PointLight, "bluePoint");
  blue.position = [2, 2, 2];
  blue.color = [0.1, 0.3, 1];
  blue.intensity = 8;
  blue.range = 12;

  // Green spot light (above, pointing down; moved in update)
  const spot = chain.add(SpotLight, "greenSpot");
  spot.position = [0, 5, 0];
  spot.direction = [0, -1, 0];
  spot.color = [0.2, 1, 0.3];
  spot.intensity = 10;
  spot.range = 15;
  spot.spotAngle = 45; // from the cone's axis to its edge
  spot.spotBlend = 0.3; // the outer 30 % of that angle fades

  // Fill (directional; direction is the way the light travels: down, a little toward +z)
  const fill = chain.add(DirectionalLight, "ambient");
  fill.direction = [0, -1, 0.5];
  fill.color = [1, 1, 1];
  fill.intensity = 0.5;

  const camera = chain.add(CameraOperator, "camera");
  camera.center = [0, 0, 0];
  camera.distance = 8;
  camera.elevation = 0.6;
  camera.azimuth = 0.5;
  camera.fov = 50;

  const render = chain.add(Render3D, "render");
  render.input("scene").camera("camera").light("redPoint").light("bluePoint").light("greenSpot").light("ambient");
  render.shadingMode = "flat";
  render.ambient = 0.1;
  render.clearColor = [0.1, 0.1, 0.15, 1];

  chain.output("render");
}

export function update(ctx: Context) {
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
  const time = ctx.time;

  // Camera orbit
  ctx.chain.get("camera", CameraOperator).azimuth = time * 0.2;

  // Spot light circles above the centre, pointing toward it
  const spot = ctx.chain.get("greenSpot", SpotLight);
  const x = Math.sin(time * 0.5) * 2;
  const z = Math.cos(time * 0.5) * 2;
  spot.position = [x, 4, z];
  spot.direction = [-x * 0.3, -1, -z * 0.3];
}
