/**
 * 3D math without a GPU. Expectations are computed independently of the code under test: by hand
 * from trigonometry, or from the cube-map face table of the OpenGL spec (§8.13, "Cube Map Texture
 * Selection"), never by calling the same function twice.
 */
import { describe, expect, test } from "vitest";
import {
  CUBE_FACES,
  compose,
  cubeFace,
  cubeFaceMatrix,
  directionalLightMatrix,
  identity,
  invert,
  lookAt,
  multiply,
  normalMatrix,
  orbitPosition,
  orthographic,
  perspective,
  projectPoint,
  rotationY,
  scaling,
  spotLightMatrix,
  transform4,
  translation,
} from "../../../operators/3d/math.ts";
import { CameraOperator } from "../../../operators/3d/camera.ts";

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits);
};

describe("matrices", () => {
  test("multiply applies the right matrix first; translation then rotation", () => {
    // rotate (1,0,0) by 90° about Y → (0,0,-1), then translate by (5,0,0) → (5,0,-1)
    const m = multiply(translation(5, 0, 0), rotationY(Math.PI / 2));
    close(transform4(m, 1, 0, 0), [5, 0, -1, 1]);
  });

  test("invert: m · m⁻¹ = I for a general transform", () => {
    const m = compose([1, -2, 3], [0.3, -0.7, 1.1], [2, 0.5, 1.5]);
    close(multiply(m, invert(m)), identity());
  });

  test("compose = T · Rz · Ry · Rx · S", () => {
    const m = compose([0, 0, 0], [0, Math.PI / 2, 0], [2, 2, 2]);
    // scale then rotate +Z toward +X: (0,0,1) → (0,0,2) → (2,0,0)
    close(transform4(m, 0, 0, 1, 0), [2, 0, 0, 0]);
  });

  test("normal matrix keeps normals perpendicular under non-uniform scale", () => {
    // A 45° surface y = x with normal (1,-1,0)/√2 squashed in y by 0.5 becomes y = x/2, normal ∝ (1,-2,0).
    const n = transform4(normalMatrix(scaling(1, 0.5, 1)), 1, -1, 0, 0);
    const len = Math.hypot(n[0], n[1], n[2]);
    close([n[0] / len, n[1] / len, n[2] / len], [1 / Math.sqrt(5), -2 / Math.sqrt(5), 0]);
  });
});

describe("camera", () => {
  test("perspective: depth 0 at near, 1 at far; x/y scaled by cot(fov/2) over distance", () => {
    const p = perspective(Math.PI / 2, 2, 1, 10);
    expect(projectPoint(p, [0, 0, -1])[2]).toBeCloseTo(0, 6);
    expect(projectPoint(p, [0, 0, -10])[2]).toBeCloseTo(1, 6);
    // fov 90°: cot(45°) = 1; at z = -4 a point at y = 2 is at ndc y = 2/4; x divides by the aspect too
    close(projectPoint(p, [4, 2, -4]).slice(0, 2), [4 / 4 / 2, 2 / 4]);
    // a point halfway in z: z_ndc = far (d - near) / (d (far - near))
    expect(projectPoint(p, [0, 0, -5.5])[2]).toBeCloseTo((10 * 4.5) / (5.5 * 9), 6);
  });

  test("orthographic: the box maps onto x,y ∈ [-1,1], depth [0,1], linearly", () => {
    const o = orthographic(-4, 4, -2, 2, 1, 11);
    close(projectPoint(o, [4, 2, -1]), [1, 1, 0]);
    close(projectPoint(o, [-4, -2, -11]), [-1, -1, 1]);
    close(projectPoint(o, [1, 0.5, -6]), [0.25, 0.25, 0.5]);
  });

  test("lookAt: the eye goes to the origin, the target to -Z, up stays up", () => {
    const v = lookAt([3, 4, 5], [3, 4, 0], [0, 1, 0]);
    close(transform4(v, 3, 4, 5), [0, 0, 0, 1]);
    close(transform4(v, 3, 4, 0), [0, 0, -5, 1]);
    close(transform4(v, 3, 5, 5), [0, 1, 0, 1]);
    close(transform4(v, 4, 4, 5), [1, 0, 0, 1]);
  });

  test("lookAt straight down still gives an orthonormal view", () => {
    const v = lookAt([0, 5, 0], [0, 0, 0], [0, 1, 0]);
    close(transform4(v, 0, 0, 0), [0, 0, -5, 1]);
    const x = transform4(v, 1, 0, 0, 0), z = transform4(v, 0, 0, 1, 0);
    expect(Math.hypot(x[0], x[1], x[2])).toBeCloseTo(1, 6);
    expect(x[0] * z[0] + x[1] * z[1] + x[2] * z[2]).toBeCloseTo(0, 6);
  });

  test("orbit: azimuth 0 on +Z, π/2 on +X, elevation lifts toward +Y", () => {
    close(orbitPosition([0, 0, 0], 5, 0, 0), [0, 0, 5]);
    close(orbitPosition([1, 2, 3], 5, Math.PI / 2, 0), [6, 2, 3]);
    close(orbitPosition([0, 0, 0], 2, 0, Math.PI / 2), [0, 2, 0]);
    const e = 0.6, a = 0.5, d = 8;
    close(orbitPosition([0, 0, 0], d, a, e), [d * Math.cos(e) * Math.sin(a), d * Math.sin(e), d * Math.cos(e) * Math.cos(a)]);
  });

  test("CameraOperator: orbit params switch to orbit mode, position/target to lookAt; the centre projects to the middle", () => {
    const camera = new CameraOperator("camera");
    camera.position = [0, 0, 7];
    expect(camera.mode).toBe("lookAt");
    camera.distance = 8;
    camera.elevation = 0.6;
    camera.azimuth = 0.5;
    expect(camera.mode).toBe("orbit");
    const viewProjection = multiply(camera.projectionMatrix(16 / 9), camera.viewMatrix());
    close(projectPoint(viewProjection, [0, 0, 0]).slice(0, 2), [0, 0]);
    // The eye is 8 from the centre: the centre's view-space depth is -8.
    close(transform4(camera.viewMatrix(), 0, 0, 0), [0, 0, -8, 1]);
    camera.orthographic();
    camera.orthoSize = 2;
    // orthoSize is the half-height: a point 2 above the centre (perpendicular to the view) is at the top edge.
    const up = [-Math.sin(0.6) * Math.sin(0.5), Math.cos(0.6), -Math.sin(0.6) * Math.cos(0.5)];
    const top = projectPoint(multiply(camera.projectionMatrix(1), camera.viewMatrix()), [2 * up[0]!, 2 * up[1]!, 2 * up[2]!]);
    expect(top[1]).toBeCloseTo(1, 5);
  });
});

describe("light-space matrices", () => {
  // GL spec cube-map table: major axis and (sc, tc) for a direction r; the face's NDC is (sc, tc) / |ma|.
  const GL_TABLE: Array<(r: number[]) => { ma: number; sc: number; tc: number }> = [
    (r) => ({ ma: r[0]!, sc: -r[2]!, tc: -r[1]! }), // +X
    (r) => ({ ma: -r[0]!, sc: r[2]!, tc: -r[1]! }), // -X
    (r) => ({ ma: r[1]!, sc: r[0]!, tc: r[2]! }), // +Y
    (r) => ({ ma: -r[1]!, sc: r[0]!, tc: -r[2]! }), // -Y
    (r) => ({ ma: r[2]!, sc: r[0]!, tc: -r[1]! }), // +Z
    (r) => ({ ma: -r[2]!, sc: -r[0]!, tc: -r[1]! }), // -Z
  ];
  const light = [1, 3, -2];
  const near = 0.05, far = 15;

  // Directions with a clear major axis on every face, plus mixed ones.
  const directions: number[][] = [];
  for (const face of CUBE_FACES) {
    directions.push(face.dir.map((v) => v * 4));
    directions.push(face.dir.map((v, k) => v * 3 + [0.7, -1.1, 0.4][k]! * (v === 0 ? 1 : 0)));
  }

  test("each face maps a direction to the GL table's (sc, tc) / |ma| and depth to the perspective depth of |ma|", () => {
    for (const r of directions) {
      const face = cubeFace(r);
      const { ma, sc, tc } = GL_TABLE[face]!(r);
      expect(ma).toBeGreaterThan(0);
      const ndc = projectPoint(cubeFaceMatrix(light, face, near, far), [light[0]! + r[0]!, light[1]! + r[1]!, light[2]! + r[2]!]);
      close(ndc, [sc / ma, tc / ma, (far * (ma - near)) / (ma * (far - near))], 4);
    }
  });

  test("the face chosen by the major axis always contains the point (|x|,|y| ≤ 1)", () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < 500; i++) {
      const r = [random() * 5, random() * 5, random() * 5];
      const ndc = projectPoint(cubeFaceMatrix(light, cubeFace(r), near, far), [light[0]! + r[0]!, light[1]! + r[1]!, light[2]! + r[2]!]);
      expect(Math.abs(ndc[0])).toBeLessThanOrEqual(1 + 1e-5);
      expect(Math.abs(ndc[1])).toBeLessThanOrEqual(1 + 1e-5);
    }
  });

  test("the major-axis rule matches the GL table for each axis", () => {
    expect([[2, 1, 1], [-2, 1, 1], [1, 2, 1], [1, -2, 1], [1, 1, 2], [1, 1, -2]].map(cubeFace)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("spot light: the cone axis projects to the centre; a point at the cone's half-angle to the frustum edge", () => {
    const position = [0, 5, 0], direction = [0, -1, 0];
    const angle = Math.PI / 3;
    const m = spotLightMatrix(position, direction, angle, 0.05, 10);
    close(projectPoint(m, [0, 0, 0]).slice(0, 2), [0, 0]);
    // 4 below the light, tan(30°)·4 to the side: on the edge of a 60° frustum
    const edge = projectPoint(m, [Math.tan(angle / 2) * 4, 1, 0]);
    expect(Math.max(Math.abs(edge[0]), Math.abs(edge[1]))).toBeCloseTo(1, 5);
  });

  test("directional light: the bounding sphere fits inside the ortho box, nearer to the light = smaller depth", () => {
    const center = [1, 0, -1], radius = 3;
    const m = directionalLightMatrix([1, 2, 1], center, radius);
    close(projectPoint(m, center).slice(0, 2), [0, 0]);
    const toLight = [1, 2, 1].map((v) => v / Math.sqrt(6));
    const nearer = projectPoint(m, center.map((c, k) => c + toLight[k]! * radius));
    const farther = projectPoint(m, center.map((c, k) => c - toLight[k]! * radius));
    expect(nearer[2]).toBeGreaterThan(0);
    expect(farther[2]).toBeLessThan(1);
    expect(nearer[2]).toBeLessThan(farther[2]);
  });
});
