import { expect } from "vitest";
import type { OperatorClass } from "../../runtime/chain/operator.ts";
import { wgslFieldName } from "../../runtime/chain/operator.ts";
import { uniformLayout, type ParamDecls } from "../../runtime/chain/params.ts";
import { loadShader, wgslStructFields } from "../../runtime/gpu/shaders.ts";

/** [name, type, default, min?, max?]: a row of the original's param table (from its operator headers). */
export type ParamRow = [string, string, unknown, number?, number?];

/** The declared params are exactly `rows`, in order, with the original's defaults and ranges. */
export function expectParamTable(Type: OperatorClass, rows: ParamRow[]): void {
  const declared = Object.entries(Type.params).map(([name, decl]) => {
    const row: unknown[] = [name, decl.type, decl.default];
    if (decl.min !== undefined || decl.max !== undefined) row.push(decl.min, decl.max);
    return row;
  });
  expect(declared).toEqual(rows);
}

/** struct Params in the operator's .wgsl has the declared fields and `// @N` comments at their packed offsets. */
export function expectOffsetComments(Type: OperatorClass & { shader: string; internals: ParamDecls }): void {
  const shader = loadShader(Type.shader);
  const fields = wgslStructFields(shader.code, "Params")!;
  const decls = [...Object.entries(Type.params), ...Object.entries(Type.internals)];
  expect(fields.map((f) => f.name)).toEqual(decls.map(([name]) => wgslFieldName(name)));
  const layout = uniformLayout(decls);
  const commented = [...shader.code.matchAll(/^\s*(\w+):\s*[\w<>]+,\s*\/\/\s*@(\d+)/gm)].map((m) => [m[1], Number(m[2])]);
  expect(commented).toEqual(layout.fields.map((f) => [wgslFieldName(f.name), f.offset]));
}
