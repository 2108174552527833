/**
 * Each light kind against numbers worked out by hand from the original's light model (its flat.wgsl /
 * renderer.cpp and gpu_structs.h), not from our shader:
 *
 *   pixel = albedo × (ambient + colour × intensity × max(N·L, 0) × falloff × cone)
 *
 *   directional: L = −normalize(direction)  (direction: the way the light travels), falloff = cone = 1
 *   point, spot: L = (position − p) / d, falloff = (1 / d²) × clamp(1 − (d / range)⁴, 0, 1)²
 *   spot:        cone = clamp((cos θ − cos(spotAngle)) / (cos(spotAngle × (1 − spotBlend)) − cos(spotAngle)), 0, 1),
 *                θ the angle between the cone's axis and the ray from the light to p (spotAngle is
 *                the HALF-angle; with spotBlend 0 the edge is a step at θ = spotAngle)
 *
 * That is what the flat mode writes into Render3D's RGBA16F output: no tone mapping, no gamma (the
 * operators write display-ready values), so the readback (floats) is compared with it directly.
 * The scene: a plane y = 0 of albedo (0.8, 0.6, 0.4) filling an orthographic view from straight above
 * (N = +Y everywhere); each pixel is checked at the world point its centre sees.
 */
import { afterAll, describe, expect, test } from "vitest";
import type { Context } from "../../../runtime/chain/context.ts";
import type { Chain } from "../../../runtime/chain/chain.ts";
import { CameraOperator, DirectionalLight, Plane, PointLight, Render3D, SceneComposer, SpotLight, mat4 } from "../../../operators/index.ts";
import { engineFor, sharedGpu } from "../../helpers/render.ts";

const SIZE = 96;
/** Half the width of the orthographic view, in world units: the view spans x, z ∈ [−4, 4]. */
const HALF_VIEW = 4;
const ALBEDO = [0.8, 0.6, 0.4] as const;
/** RGBA16F keeps ~11 bits; the shader's float arithmetic adds less than that. */
const RELATIVE_TOLERANCE = 0.004;
const ABSOLUTE_TOLERANCE = 0.002;

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

interface Lit {
  width: number;
  height: number;
  pixels: Float32Array;
  /** The world point (x, 0, z) that pixel (px, py)'s centre sees. */
  worldAt(px: number, py: number): [number, number, number];
}

/** The plane, seen from above, lit by the light that `addLight` adds under the name "light". */
async function renderPlane(addLight: (chain: Chain) => void, ambient = 0): Promise<Lit> {
  const engine = await engineFor((ctx: Context) => {
    const chain = ctx.chain;
    chain.add(Plane, "ground").size(20, 20);
    chain.add(SceneComposer, "scene").add("ground", undefined, [ALBEDO[0], ALBEDO[1], ALBEDO[2], 1]);
    addLight(chain);
    const camera = chain.add(CameraOperator, "camera");
    camera.position = [0, 10, 0];
    camera.target = [0, 0, 0];
    camera.orthographic();
    camera.orthoSize = HALF_VIEW;
    const render = chain.add(Render3D, "render").resolution(SIZE, SIZE);
    render.input("scene").camera("camera").light("light");
    render.shadingMode = "flat";
    render.ambient = ambient;
    chain.output("render");
  });
  const camera = engine.chain!.get("camera", CameraOperator);
  engine.frame();
  const { width, height, pixels } = await engine.readOutput();
  engine.dispose();

  // NDC is affine in (x, z) on the plane: invert it from the images of the origin and the two axes.
  const viewProjection = mat4.multiply(camera.projectionMatrix(1), camera.viewMatrix());
  const o = mat4.projectPoint(viewProjection, [0, 0, 0]);
  const ex = mat4.projectPoint(viewProjection, [1, 0, 0]);
  const ez = mat4.projectPoint(viewProjection, [0, 0, 1]);
  const a = ex[0] - o[0], b = ez[0] - o[0], c = ex[1] - o[1], d = ez[1] - o[1];
  const det = a * d - b * c;
  const worldAt = (px: number, py: number): [number, number, number] => {
    const nx = ((px + 0.5) / width) * 2 - 1 - o[0];
    const ny = 1 - ((py + 0.5) / height) * 2 - o[1];
    return [(d * nx - b * ny) / det, 0, (a * ny - c * nx) / det];
  };
  return { width, height, pixels, worldAt };
}

function pixel(image: Lit, px: number, py: number): [number, number, number] {
  const i = (py * image.width + px) * 4;
  return [image.pixels[i]!, image.pixels[i + 1]!, image.pixels[i + 2]!];
}

/** The light's share before the albedo: colour × intensity × N·L × falloff × cone, per channel. */
type Expected = (p: [number, number, number]) => readonly [number, number, number] | undefined;

/**
 * Every pixel against albedo × (ambient + expected(p)); pixels for which `expected` returns undefined
 * (too near a hard edge to say which side its centre falls on) are skipped. Returns how many were checked.
 */
function expectEveryPixel(image: Lit, ambient: number, expected: Expected): number {
  let checked = 0;
  let worst = { error: 0, allowed: 1, where: "" };
  for (let py = 0; py < image.height; py++) {
    for (let px = 0; px < image.width; px++) {
      const p = image.worldAt(px, py);
      const light = expected(p);
      if (!light) continue;
      checked++;
      const got = pixel(image, px, py);
      for (let k = 0; k < 3; k++) {
        const want = ALBEDO[k]! * (ambient + light[k]!);
        const error = Math.abs(got[k]! - want);
        const allowed = ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * want;
        if (error / allowed > worst.error / worst.allowed) {
          worst = { error, allowed, where: `pixel (${px}, ${py}) at x=${p[0].toFixed(3)} z=${p[2].toFixed(3)}, channel ${k}: got ${got[k]!.toFixed(4)}, want ${want.toFixed(4)}` };
        }
      }
    }
  }
  expect(worst.error, worst.where).toBeLessThanOrEqual(worst.allowed);
  return checked;
}

const white = (v: number) => [v, v, v] as const;

/** clamp(1 − (d / range)⁴, 0, 1)² / d²: the original's getAttenuation. */
function falloff(d: number, range: number): number {
  const window = Math.min(1, Math.max(0, 1 - (d / range) ** 4));
  return (window * window) / (d * d);
}

describe("directional light", () => {
  test("head-on, intensity 1: the plane shows its albedo, plus ambient × albedo", async () => {
    // direction (0, −1, 0) travels straight down onto the plane: N·L = 1, so albedo × (0.1 + 1).
    const image = await renderPlane((chain) => {
      chain.add(DirectionalLight, "light").direction = [0, -1, 0];
    }, 0.1);
    expect(pixel(image, SIZE / 2, SIZE / 2).map((v) => +v.toFixed(2))).toEqual([0.88, 0.66, 0.44]);
    expectEveryPixel(image, 0.1, () => white(1));
  });

  test("colour and intensity multiply, unclamped: colour (1, 0.5, 0.25) × 2 gives albedo × (2, 1, 0.5)", async () => {
    const image = await renderPlane((chain) => {
      const light = chain.add(DirectionalLight, "light");
      light.direction = [0, -1, 0];
      light.color = [1, 0.5, 0.25];
      light.intensity = 2;
    });
    expectEveryPixel(image, 0, () => [2, 1, 0.5]);
  });

  test("a light travelling up, from under the plane, adds nothing: only the ambient shows", async () => {
    const image = await renderPlane((chain) => {
      chain.add(DirectionalLight, "light").direction = [0, 1, 0];
    }, 0.1);
    expectEveryPixel(image, 0.1, () => white(0));
  });

  test("at 60° from the normal the brightness halves (cos 60° = 0.5), from either side in x", async () => {
    for (const side of [1, -1]) {
      const image = await renderPlane((chain) => {
        const angle = (60 * Math.PI) / 180;
        chain.add(DirectionalLight, "light").direction = [side * Math.sin(angle), -Math.cos(angle), 0];
      });
      expect(pixel(image, SIZE / 2, SIZE / 2)[0]).toBeCloseTo(ALBEDO[0] * 0.5, 2);
      expectEveryPixel(image, 0, () => white(0.5));
    }
  });
});

describe("point light", () => {
  test("2 above the plane, intensity 4, range 10: intensity × cos θ / d², windowed by the range", async () => {
    // Right below: d = 2, N·L = 1, 4 × (1 − 0.2⁴)² / 4 = 0.9968; at x = 2: d = √8, N·L = 1/√2,
    // 4 × 0.7071 × (1 − 0.0064)² / 8 = 0.3490.
    const image = await renderPlane((chain) => {
      const light = chain.add(PointLight, "light");
      light.position = [0, 2, 0];
      light.intensity = 4;
      light.range = 10;
    });
    const expected: Expected = ([x, , z]) => {
      const d = Math.hypot(x, 2, z);
      return white(4 * (2 / d) * falloff(d, 10));
    };
    expect(expected([0, 0, 0])![0]).toBeCloseTo(0.9968, 4);
    expect(expected([2, 0, 0])![0]).toBeCloseTo(0.349, 4);
    expect(pixel(image, SIZE / 2, SIZE / 2)[0]).toBeGreaterThan(ALBEDO[0] * 0.98);
    expect(expectEveryPixel(image, 0, expected)).toBe(SIZE * SIZE);
  });

  test("nothing reaches past its range: with range 3 at height 2, dark beyond √5 ≈ 2.24 from the foot", async () => {
    const image = await renderPlane((chain) => {
      const light = chain.add(PointLight, "light");
      light.position = [0, 2, 0];
      light.intensity = 4;
      light.range = 3;
    });
    let dark = 0;
    expectEveryPixel(image, 0, ([x, , z]) => {
      const d = Math.hypot(x, 2, z);
      if (d >= 3) dark++;
      return white(4 * (2 / d) * falloff(d, 3));
    });
    expect(dark).toBeGreaterThan(SIZE * SIZE * 0.5);
  });
});

describe("spot light", () => {
  const HEIGHT = 4;
  /** Angle (degrees) between the straight-down axis and the ray from the light at (0, 4, 0) to p. */
  const angleOf = ([x, , z]: [number, number, number]) => (Math.atan2(Math.hypot(x, z), HEIGHT) * 180) / Math.PI;
  const spotScene = (spotAngle: number, spotBlend: number) => (chain: Chain) => {
    const light = chain.add(SpotLight, "light");
    light.position = [0, HEIGHT, 0];
    light.direction = [0, -1, 0];
    // 10 is the top of intensity's declared range (0..10, the original's); a larger value is clamped.
    light.intensity = 10;
    light.range = 100;
    light.spotAngle = spotAngle;
    light.spotBlend = spotBlend;
  };
  /** The point light's part: intensity × cos θ × falloff. */
  const unshaded = (p: [number, number, number]) => {
    const d = Math.hypot(p[0], HEIGHT, p[2]);
    return 10 * (HEIGHT / d) * falloff(d, 100);
  };

  test("spotAngle is the half-angle: with spotBlend 0, lit out to 30° from the axis (x = 4 tan 30° ≈ 2.31), dark past it", async () => {
    const image = await renderPlane(spotScene(30, 0));
    // Per pixel: lit as a point light inside 30°, 0 outside; pixels within 0.3° of the edge are not judged.
    let inside = 0, outside = 0;
    expectEveryPixel(image, 0, (p) => {
      const angle = angleOf(p);
      if (Math.abs(angle - 30) < 0.3) return undefined;
      if (angle < 30) inside++;
      else outside++;
      return white(angle < 30 ? unshaded(p) : 0);
    });
    expect(inside).toBeGreaterThan(1000);
    expect(outside).toBeGreaterThan(1000);
    // Along +x: the last pixel inside the edge is lit (a 15° cone — spotAngle as the full angle — would
    // leave it dark), the first outside is black.
    const row = SIZE / 2;
    let lastInside = -1, firstOutside = -1;
    for (let px = SIZE / 2; px < SIZE; px++) {
      const angle = angleOf(image.worldAt(px, row));
      if (angle < 29.7) lastInside = px;
      else if (angle > 30.3 && firstOutside < 0) firstOutside = px;
    }
    expect(angleOf(image.worldAt(lastInside, row))).toBeGreaterThan(28.5);
    expect(pixel(image, lastInside, row)[0]).toBeGreaterThan(0.5 * ALBEDO[0] * unshaded(image.worldAt(lastInside, row)));
    expect(pixel(image, firstOutside, row)[0]).toBe(0);
  });

  test("spotBlend 0.5 fades from the inner 15° to the outer 30°, linearly in cos θ", async () => {
    const image = await renderPlane(spotScene(30, 0.5));
    const cosOuter = Math.cos((30 * Math.PI) / 180);
    const cosInner = Math.cos((15 * Math.PI) / 180);
    let ramp = 0;
    expectEveryPixel(image, 0, (p) => {
      const cosAngle = Math.cos((angleOf(p) * Math.PI) / 180);
      const cone = Math.min(1, Math.max(0, (cosAngle - cosOuter) / (cosInner - cosOuter)));
      if (cone > 0.05 && cone < 0.95) ramp++;
      return white(unshaded(p) * cone);
    });
    expect(ramp).toBeGreaterThan(500);
    // Half-way in angle (22.5°) the cone factor is (cos 22.5° − cos 30°) / (cos 15° − cos 30°) = 0.579
    // (a smoothstep would give 0.618).
    const cone = (Math.cos((22.5 * Math.PI) / 180) - cosOuter) / (cosInner - cosOuter);
    expect(cone).toBeCloseTo(0.579, 3);
  });
});
