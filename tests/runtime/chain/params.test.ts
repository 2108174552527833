import { describe, expect, test } from "vitest";
import { uniformLayout, float, vec2, vec3, color, int, bool } from "../../../runtime/chain/params.ts";
import { wgslFieldName } from "../../../runtime/chain/operator.ts";
import { loadShader, wgslStructFields } from "../../../runtime/gpu/shaders.ts";
import { Gradient, Noise, SolidColor } from "../../../operators/index.ts";

describe("uniform layout (WGSL alignment rules)", () => {
  test("scalars pack at 4, vec2 aligns to 8, vec3/vec4 to 16, size rounds to 16", () => {
    const layout = uniformLayout([
      ["a", float(0)],
      ["b", vec2([0, 0])],
      ["c", int(0)],
      ["d", vec3([0, 0, 0])],
      ["e", bool(false)],
      ["f", color([0, 0, 0, 1])],
    ]);
    expect(layout.fields.map((f) => [f.name, f.offset])).toEqual([
      ["a", 0],
      ["b", 8],
      ["c", 16],
      ["d", 32],
      ["e", 44],
      ["f", 48],
    ]);
    expect(layout.size).toBe(64);
  });

  // The offsets written as comments in each .wgsl are the contract; check them against the packing.
  for (const Type of [Noise, SolidColor, Gradient]) {
    test(`${Type.name}: struct Params in ${Type.shader} matches the declaration and its offset comments`, () => {
      const shader = loadShader(Type.shader);
      const fields = wgslStructFields(shader.code, "Params")!;
      const decls = [...Object.entries(Type.params), ...Object.entries(Type.internals)];
      expect(fields.map((f) => f.name)).toEqual(decls.map(([name]) => wgslFieldName(name)));
      const layout = uniformLayout(decls);
      const commented = [...shader.code.matchAll(/^\s*(\w+):\s*[\w<>]+,\s*\/\/\s*@(\d+)/gm)].map((m) => [m[1], Number(m[2])]);
      expect(commented).toEqual(layout.fields.map((f) => [wgslFieldName(f.name), f.offset]));
    });
  }
});

describe("params on an operator", () => {
  test("property assignment, getParam/setParam and params() agree with the declaration", () => {
    const noise = new Noise("noise");
    expect(noise.scale).toBe(4);
    noise.scale = 13.3;
    expect(noise.getParam("scale")).toBe(13.3);
    noise.setParam("octaves", 6.4);
    expect(noise.octaves).toBe(6);
    noise.offset = [1, 2, 3];
    expect(noise.offset).toEqual([1, 2, 3]);
    const info = noise.params().find((p) => p.name === "scale")!;
    expect(info).toEqual({ name: "scale", type: "float", default: 4, min: 0.1, max: 20 });
    expect(noise.params().map((p) => p.name)).toEqual(["scale", "speed", "octaves", "lacunarity", "persistence", "offset", "type"]);
  });

  test("bad values name the param and what it expects", () => {
    const noise = new Noise("noise");
    expect(() => (noise.scale = "big" as never)).toThrow('noise.scale expects a finite number, got "big"');
    expect(() => (noise.offset = [1, 2] as never)).toThrow("noise.offset expects [finite number, finite number, finite number], got [1, 2]");
    expect(() => (noise.type = "plasma" as never)).toThrow('noise.type expects one of "perlin", "simplex", "worley", "value", got "plasma"');
    expect(() => noise.setParam("sclae", 1)).toThrow('Noise "noise" has no param "sclae"');
  });

  test("a colour given as rgb gets alpha 1", () => {
    const solid = new SolidColor("s");
    solid.color = [1, 0, 0];
    expect(solid.color).toEqual([1, 0, 0, 1]);
  });
});
