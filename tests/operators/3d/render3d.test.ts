/**
 * Render3D on the real device: one golden per shading mode, a shadow that follows its occluder,
 * shadow flags, and the input API. Renders are 96×64 with 256² shadow maps (lavapipe is a CPU).
 */
import { afterAll, describe, expect, test } from "vitest";
import type { Context } from "../../../runtime/chain/context.ts";
import { Box, CameraOperator, DirectionalLight, Plane, PointLight, Render3D, SceneComposer, SHADING_MODES, Sphere, SpotLight, Torus, mat4 } from "../../../operators/index.ts";
import { compareGolden, engineFor, regionMean, render, sharedGpu, spread } from "../../helpers/render.ts";

// As for the 2D goldens: lavapipe and hardware GPUs differ in the last bits; these still catch any
// visible change (moving a light or switching a mode moves the mean by tens).
const MEAN_TOLERANCE = 1.5;
const MAX_TOLERANCE = 32;
const WIDTH = 96;
const HEIGHT = 64;

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

/** A small scene with every kind of light: key (directional, shadowed), red point, cyan spot. */
function showcase(mode: (typeof SHADING_MODES)[number], wireframe = false) {
  return (ctx: Context) => {
    const chain = ctx.chain;
    chain.add(Plane, "ground").size(6, 6);
    const ball = chain.add(Sphere, "ball");
    ball.radius = 0.6;
    chain.add(Torus, "ring");
    chain.add(Box, "box").size(0.7);
    const scene = chain.add(SceneComposer, "scene");
    scene.add("ground", mat4.translation(0, -0.7, 0), [0.8, 0.8, 0.8, 1]);
    scene.add("ball", mat4.translation(-0.9, 0, 0), [0.9, 0.4, 0.3, 1]).setRoughness(0.3);
    scene.add("ring", mat4.compose([0.9, 0, 0], [0.8, 0, 0]), [0.3, 0.6, 0.9, 1]).setMetallic(1).setRoughness(0.35);
    scene.add("box", mat4.compose([0, -0.35, 1], [0, 0.6, 0]), [0.9, 0.85, 0.3, 1]);
    const key = chain.add(DirectionalLight, "key");
    key.direction = [-0.5, -1, -0.7]; // travelling down, from +x +z
    key.intensity = 0.8;
    key.castShadow = true;
    key.shadowBias = 0.003;
    const red = chain.add(PointLight, "red");
    red.position = [-1.5, 1.2, 1.5];
    red.color = [1, 0.3, 0.2];
    red.intensity = 2;
    const spot = chain.add(SpotLight, "spot");
    spot.position = [1, 3, 1];
    spot.direction = [-0.3, -1, -0.3];
    spot.color = [0.3, 1, 1];
    spot.intensity = 4;
    spot.spotAngle = 25; // half-angle
    const camera = chain.add(CameraOperator, "camera");
    camera.distance = 4.5;
    camera.elevation = 0.5;
    camera.azimuth = 0.3;
    const render = chain.add(Render3D, "render").resolution(WIDTH, HEIGHT);
    render.input("scene").camera("camera").light("key").light("red").light("spot");
    render.shadingMode = mode;
    render.shadows = true;
    render.shadowMapResolution = 256;
    render.wireframe = wireframe;
    chain.output("render");
  };
}

describe("shading modes", () => {
  for (const mode of SHADING_MODES) {
    test(`${mode} matches its golden image`, async () => {
      const engine = await engineFor(showcase(mode));
      const image = await render(engine, 2);
      engine.dispose();
      expect(spread(image.rgba)).toBeGreaterThan(10);
      const diff = compareGolden(`render3d-${mode}`, image);
      expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
      expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
    });
  }

  test("wireframe matches its golden image", async () => {
    const engine = await engineFor(showcase("flat", true));
    const image = await render(engine, 2);
    engine.dispose();
    const diff = compareGolden("render3d-wireframe", image);
    expect(diff.meanAbs).toBeLessThan(MEAN_TOLERANCE);
    expect(diff.maxAbs).toBeLessThan(MAX_TOLERANCE);
  });

  test("the modes differ from each other", async () => {
    const images: Uint8Array[] = [];
    for (const mode of ["unlit", "flat", "toon", "pbr"] as const) {
      const engine = await engineFor(showcase(mode));
      images.push((await render(engine, 1)).rgba);
      engine.dispose();
    }
    for (let i = 1; i < images.length; i++) expect(images[i]).not.toEqual(images[0]);
  });
});

describe("shadows", () => {
  type LightKind = "directional" | "spot" | "point";
  /**
   * Where each light is (for the directional light: the direction toward it; its `direction` is the
   * opposite, the way its light travels), and two box positions whose shadows both fall inside the view.
   */
  const setups: Record<LightKind, { light: [number, number, number]; boxA: [number, number, number]; boxB: [number, number, number] }> = {
    directional: { light: [1, 1, 0], boxA: [1, 1.5, 0], boxB: [-1.5, 1.5, 0] },
    spot: { light: [4, 3, 0], boxA: [1, 1.5, 0], boxB: [2.5, 1.5, 0] },
    point: { light: [4, 3, 0], boxA: [1, 1.5, 0], boxB: [2.5, 1.5, 0] },
  };

  /** Where the shadow of point p falls on the ground y = 0 (a ray from the light through p). */
  const shadowOf = (kind: LightKind, p: [number, number, number]): [number, number, number] => {
    const l = setups[kind].light;
    if (kind === "directional") return [p[0] - (l[0] * p[1]) / l[1], 0, p[2] - (l[2] * p[1]) / l[1]];
    const t = l[1] / (l[1] - p[1]);
    return [l[0] + (p[0] - l[0]) * t, 0, l[2] + (p[2] - l[2]) * t];
  };

  /** Ground and a floating unit box, seen from straight above, lit by one shadow-casting light. */
  const occluderScene = (kind: LightKind, receive = true) => (ctx: Context) => {
    const chain = ctx.chain;
    chain.add(Plane, "ground").size(12, 12);
    chain.add(Box, "box");
    const scene = chain.add(SceneComposer, "scene");
    scene.add("ground", undefined, [0.9, 0.9, 0.9, 1]).setCastShadow(false).setReceiveShadow(receive);
    scene.add("box", mat4.translation(...setups[kind].boxA), [0.5, 0.5, 0.9, 1]);
    const where = setups[kind].light;
    if (kind === "directional") {
      const sun = chain.add(DirectionalLight, "light");
      sun.direction = [-where[0], -where[1], -where[2]];
      sun.castShadow = true;
      sun.shadowBias = 0.002;
    } else if (kind === "spot") {
      const spot = chain.add(SpotLight, "light");
      spot.position = where;
      spot.direction = [-4.5, -3, 0];
      spot.spotAngle = 50; // half-angle: a 100° cone
      spot.intensity = 10;
      spot.range = 20;
      spot.castShadow = true;
      spot.shadowBias = 0.002;
    } else {
      const bulb = chain.add(PointLight, "light");
      bulb.position = where;
      bulb.intensity = 10;
      bulb.range = 20;
      bulb.castShadow = true;
      bulb.shadowBias = 0.002;
    }
    const camera = chain.add(CameraOperator, "camera");
    camera.position = [0, 10, 0.01];
    camera.target = [0, 0, 0];
    camera.fov = 60;
    const render = chain.add(Render3D, "render").resolution(64, 64);
    render.input("scene").camera("camera").light("light");
    render.ambient = 0.02;
    render.shadows = true;
    render.shadowMapResolution = 256;
    chain.output("render");
  };

  /** Brightness around the pixel where world point p appears. */
  const brightnessAt = (image: { width: number; height: number; rgba: Uint8Array }, camera: CameraOperator, p: [number, number, number]): number => {
    const ndc = mat4.projectPoint(mat4.multiply(camera.projectionMatrix(1), camera.viewMatrix()), p);
    const x = Math.round((ndc[0] * 0.5 + 0.5) * image.width), y = Math.round((0.5 - ndc[1] * 0.5) * image.height);
    const [r, g, b] = regionMean(image, x - 1, y - 1, 3, 3);
    return (r! + g! + b!) / 3;
  };

  for (const kind of ["directional", "spot", "point"] as const) {
    test(`${kind}: moving the occluder moves its shadow — the old spot gets lighter, the new one darker`, async () => {
      const engine = await engineFor(occluderScene(kind));
      const camera = engine.chain!.get("camera", CameraOperator);
      const before = await render(engine, 1);
      engine.chain!.get("scene", SceneComposer).entry(1).setPosition(...setups[kind].boxB);
      const after = await render(engine, 1);
      engine.dispose();
      const oldShadow = shadowOf(kind, setups[kind].boxA);
      const newShadow = shadowOf(kind, setups[kind].boxB);
      expect(brightnessAt(before, camera, oldShadow)).toBeLessThan(0.5 * brightnessAt(after, camera, oldShadow));
      expect(brightnessAt(after, camera, newShadow)).toBeLessThan(0.5 * brightnessAt(before, camera, newShadow));
    });
  }

  test("receiveShadow = false and shadows = false both remove the shadow", async () => {
    const point = shadowOf("directional", setups.directional.boxA);
    const shaded = await engineFor(occluderScene("directional", true));
    const camera = shaded.chain!.get("camera", CameraOperator);
    const withShadow = brightnessAt(await render(shaded, 1), camera, point);
    shaded.chain!.get("render", Render3D).shadows = false;
    const shadowsOff = brightnessAt(await render(shaded, 1), camera, point);
    shaded.dispose();
    const unreceived = await engineFor(occluderScene("directional", false));
    const noReceive = brightnessAt(await render(unreceived, 1), camera, point);
    unreceived.dispose();
    expect(withShadow).toBeLessThan(0.5 * shadowsOff);
    expect(noReceive).toBeCloseTo(shadowsOff, 0);
  });
});

describe("inputs and geometry", () => {
  test("a single geometry input renders in `color` with the default camera and light", async () => {
    const engine = await engineFor((ctx) => {
      ctx.chain.add(Sphere, "ball");
      const render = ctx.chain.add(Render3D, "render").resolution(64, 64);
      render.input("ball");
      render.color = [1, 0, 0, 1];
      render.shadingMode = "unlit";
      ctx.chain.output("render");
    });
    const image = await render(engine, 1);
    engine.dispose();
    expect(regionMean(image, 30, 30, 4, 4).slice(0, 3)).toEqual([255, 0, 0]);
    const clear = regionMean(image, 0, 0, 2, 2);
    expect(clear[2]).toBeGreaterThan(clear[0]!); // the default clear colour (0.1, 0.1, 0.15)
  });

  test("a mesh is rebuilt only when a geometry param changes, not per frame", async () => {
    const engine = await engineFor(showcase("flat"));
    const ball = engine.chain!.get("ball", Sphere);
    const builds = ball.builds;
    await render(engine, 3);
    engine.chain!.get("camera", CameraOperator).azimuth = 1;
    await render(engine, 1);
    expect(ball.builds).toBe(builds);
    ball.segments = 12;
    await render(engine, 1);
    engine.dispose();
    expect(ball.builds).toBe(builds + 1);
  });

  test("entries added in update() beyond the buffer's capacity are drawn (the entry buffer grows)", async () => {
    const engine = await engineFor((ctx) => {
      const ball = ctx.chain.add(Sphere, "ball");
      ball.radius = 0.2;
      ball.segments = 8;
      ctx.chain.add(SceneComposer, "scene").add("ball", mat4.translation(-1.5, 0, 0), [1, 1, 1, 1]);
      const render = ctx.chain.add(Render3D, "render").resolution(64, 64);
      render.input("scene");
      render.shadingMode = "unlit";
      ctx.chain.output("render");
    });
    const scene = engine.chain!.get("scene", SceneComposer);
    const one = await render(engine, 1);
    for (let i = 0; i < 11; i++) scene.add("ball", mat4.translation(-1.5 + i * 0.3, 0.6, 0), [1, 1, 1, 1]);
    const twelve = await render(engine, 1);
    engine.dispose();
    const lit = (image: { rgba: Uint8Array }): number => image.rgba.filter((v, i) => i % 4 === 0 && v > 200).length;
    expect(lit(twelve)).toBeGreaterThan(4 * lit(one));
  });

  test("missing scene, a fifth light and a wrong kind of input are errors that say what to do", async () => {
    const render = new Render3D("render");
    for (const name of ["a", "b", "c", "d"]) render.light(name);
    expect(() => render.light("e")).toThrow(/at most 4 lights/);
    await expect(
      engineFor((ctx) => {
        ctx.chain.add(Render3D, "render");
        ctx.chain.output("render");
      }),
    ).rejects.toThrow(/needs a scene: call render.input/);
    await expect(
      engineFor((ctx) => {
        ctx.chain.add(Sphere, "ball");
        ctx.chain.add(Render3D, "render").input("ball").camera("ball");
        ctx.chain.output("render");
      }),
    ).rejects.toThrow(/is not a CameraOperator/);
  });
});
