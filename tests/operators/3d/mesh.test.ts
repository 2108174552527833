/** CPU meshes of the geometry operators, without a GPU. */
import { describe, expect, test } from "vitest";
import { VERTEX_FLOATS, buildBox, buildCone, buildCylinder, buildPlane, buildSphere, buildTorus, type CpuMesh } from "../../../operators/3d/mesh.ts";
import { Box, Sphere } from "../../../operators/3d/primitives.ts";

const meshes: Record<string, CpuMesh> = {
  box: buildBox(1, 1.5, 2),
  sphere: buildSphere(0.6, 24),
  cylinder: buildCylinder(0.4, 1.2, 16),
  cone: buildCone(0.5, 1, 16),
  torus: buildTorus(0.5, 0.2, 24, 12),
  plane: buildPlane(4, 2, 3, 2),
};

const attr = (m: CpuMesh, i: number, offset: number, n: number): number[] => Array.from(m.vertices.subarray(i * VERTEX_FLOATS + offset, i * VERTEX_FLOATS + offset + n));

describe("primitive meshes", () => {
  for (const [name, mesh] of Object.entries(meshes)) {
    test(`${name}: unit normals, unit tangents ⟂ normals, w = ±1, indices in range`, () => {
      const count = mesh.vertices.length / VERTEX_FLOATS;
      for (let i = 0; i < count; i++) {
        const n = attr(mesh, i, 3, 3), t = attr(mesh, i, 6, 4);
        expect(Math.hypot(...n)).toBeCloseTo(1, 4);
        expect(Math.hypot(t[0]!, t[1]!, t[2]!)).toBeCloseTo(1, 4);
        expect(n[0]! * t[0]! + n[1]! * t[1]! + n[2]! * t[2]!).toBeCloseTo(0, 4);
        expect(Math.abs(t[3]!)).toBe(1);
      }
      expect(Math.max(...mesh.indices)).toBeLessThan(count);
      expect(mesh.indices.length % 3).toBe(0);
    });

    test(`${name}: triangles wind counter-clockwise seen from where their normals point`, () => {
      let agree = 0;
      const triangles = mesh.indices.length / 3;
      for (let t = 0; t < mesh.indices.length; t += 3) {
        const [a, b, c] = [mesh.indices[t]!, mesh.indices[t + 1]!, mesh.indices[t + 2]!].map((i) => attr(mesh, i, 0, 3));
        const e1 = [0, 1, 2].map((k) => b![k]! - a![k]!), e2 = [0, 1, 2].map((k) => c![k]! - a![k]!);
        const face = [e1[1]! * e2[2]! - e1[2]! * e2[1]!, e1[2]! * e2[0]! - e1[0]! * e2[2]!, e1[0]! * e2[1]! - e1[1]! * e2[0]!];
        const n = [0, 1, 2].map((k) => [mesh.indices[t]!, mesh.indices[t + 1]!, mesh.indices[t + 2]!].reduce((s, i) => s + attr(mesh, i, 3, 3)[k]!, 0));
        if (face[0]! * n[0]! + face[1]! * n[1]! + face[2]! * n[2]! > 0) agree++;
      }
      expect(agree).toBe(triangles);
    });
  }

  test("box corners and bounding radius", () => {
    const xs = [], ys = [], zs = [];
    const box = meshes.box!;
    for (let i = 0; i < box.vertices.length; i += VERTEX_FLOATS) {
      xs.push(box.vertices[i]!);
      ys.push(box.vertices[i + 1]!);
      zs.push(box.vertices[i + 2]!);
    }
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys), Math.min(...zs), Math.max(...zs)]).toEqual([-0.5, 0.5, -0.75, 0.75, -1, 1]);
    expect(box.radius).toBeCloseTo(Math.hypot(0.5, 0.75, 1), 5);
    expect(box.vertices.length / VERTEX_FLOATS).toBe(24);
  });

  test("sphere vertices lie on the radius; wireframe edges are unique pairs", () => {
    const sphere = meshes.sphere!;
    for (let i = 0; i < sphere.vertices.length; i += VERTEX_FLOATS) {
      expect(Math.hypot(sphere.vertices[i]!, sphere.vertices[i + 1]!, sphere.vertices[i + 2]!)).toBeCloseTo(0.6, 5);
    }
    const keys = new Set<string>();
    for (let e = 0; e < sphere.edges.length; e += 2) keys.add(`${sphere.edges[e]}-${sphere.edges[e + 1]}`);
    expect(keys.size).toBe(sphere.edges.length / 2);
  });

  test("plane grid: (sx+1)(sy+1) vertices facing +Y, 2·sx·sy triangles", () => {
    const plane = meshes.plane!;
    expect(plane.vertices.length / VERTEX_FLOATS).toBe(4 * 3);
    expect(plane.indices.length / 3).toBe(2 * 3 * 2);
  });

  test("a geometry operator rebuilds only when one of its params changes", () => {
    const sphere = new Sphere("s");
    expect(sphere.params().map((p) => `${p.name}=${p.default} [${p.min}–${p.max}]`)).toEqual(["radius=0.5 [0.01–100]", "segments=24 [4–128]"]);
    const box = new Box("b").size(2);
    expect([box.width, box.height, box.depth]).toEqual([2, 2, 2]);
    box.dirty = false;
    box.width = 2;
    expect(box.dirty).toBe(false);
    box.width = 3;
    expect(box.dirty).toBe(true);
  });
});
