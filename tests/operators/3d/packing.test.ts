/**
 * Render3D's uniform and storage structs: offsets computed from the WGSL source by WGSL's layout
 * rules (alignment and size per type) must equal the `// @offset` comments the packing code follows,
 * and the struct sizes must equal the sizes Render3D allocates and writes.
 */
import { describe, expect, test } from "vitest";
import { loadShader } from "../../../runtime/gpu/shaders.ts";
import { STRUCT_BYTES } from "../../../operators/3d/render3d.ts";
import { VERTEX_STRIDE, ATTRIBUTE_OFFSETS } from "../../../operators/3d/mesh.ts";

interface Layout {
  size: number;
  align: number;
}

const BASIC: Record<string, Layout> = {
  f32: { size: 4, align: 4 },
  u32: { size: 4, align: 4 },
  i32: { size: 4, align: 4 },
  vec2f: { size: 8, align: 8 },
  vec3f: { size: 12, align: 16 },
  vec4f: { size: 16, align: 16 },
  vec4u: { size: 16, align: 16 },
  mat4x4f: { size: 64, align: 16 },
};

const roundUp = (align: number, n: number): number => Math.ceil(n / align) * align;

/** Fields of `struct name { … }` with the `// @N` offset written beside each (if any). */
function structFields(code: string, name: string): Array<{ name: string; type: string; documented?: number }> {
  const body = new RegExp(`struct ${name} \\{([\\s\\S]*?)\\n\\}`).exec(code)![1]!;
  return body
    .split("\n")
    .map((line) => /^\s*(?:@\S+\s+)*(\w+):\s*(array<[^>]+>|\w+),\s*(?:\/\/\s*@(\d+))?/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, type: m[2]!.trim(), documented: m[3] === undefined ? undefined : Number(m[3]) }));
}

function layoutOf(code: string, type: string): Layout {
  if (BASIC[type]) return BASIC[type]!;
  const array = /^array<(\w+),\s*(\w+)>$/.exec(type);
  if (array) {
    const element = layoutOf(code, array[1]!);
    const count = /^\d+$/.test(array[2]!) ? Number(array[2]) : Number(new RegExp(`const ${array[2]}: u32 = (\\d+)u;`).exec(code)![1]);
    return { size: count * roundUp(element.align, element.size), align: element.align };
  }
  const { size, align } = structLayout(code, type);
  return { size, align };
}

function structLayout(code: string, name: string): { size: number; align: number; offsets: Array<{ name: string; offset: number; documented?: number }> } {
  let offset = 0;
  let align = 0;
  const offsets = structFields(code, name).map((field) => {
    const layout = layoutOf(code, field.type);
    offset = roundUp(layout.align, offset);
    const at = offset;
    offset += layout.size;
    align = Math.max(align, layout.align);
    return { name: field.name, offset: at, documented: field.documented };
  });
  return { size: roundUp(align, offset), align, offsets };
}

describe("Render3D struct packing", () => {
  const main = loadShader("3d/render3d.wgsl").code;
  const shadow = loadShader("3d/render3d-shadow.wgsl").code;
  const cases: Array<[string, string, number]> = [
    ["Frame", main, STRUCT_BYTES.Frame],
    ["Light", main, STRUCT_BYTES.Light],
    ["Entry", main, STRUCT_BYTES.Entry],
    ["ShadowPass", shadow, STRUCT_BYTES.ShadowPass],
  ];
  for (const [name, code, bytes] of cases) {
    test(`${name}: WGSL offsets equal the documented ones; size ${bytes} bytes`, () => {
      const layout = structLayout(code, name);
      for (const field of layout.offsets) if (field.documented !== undefined) expect(field).toEqual({ ...field, offset: field.documented });
      expect(layout.offsets.some((f) => f.documented !== undefined)).toBe(true);
      expect(layout.size).toBe(bytes);
    });
  }

  test("the vertex struct matches the mesh's interleaved layout", () => {
    const fields = structFields(main, "Vertex");
    expect(fields.map((f) => [f.name, f.documented])).toEqual(Object.entries(ATTRIBUTE_OFFSETS));
    expect(VERTEX_STRIDE).toBe(48);
  });
});
