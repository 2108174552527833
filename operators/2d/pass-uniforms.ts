/**
 * Helpers for operators made of several full-screen passes (Blur, Bloom). Not an operator itself.
 *
 * Each pass has its own uniform struct in the operator's .wgsl file, declared here like params
 * (name → type) and laid out by the same WGSL rules (`uniformLayout`). Each pass writes its own
 * uniform buffer (a FullscreenPass per pass), because every pass of a frame is recorded into one
 * encoder: passes that shared a buffer would all see its last write (the original's Blur bug).
 */
import { TextureOperator } from "../../runtime/chain/operator.ts";
import { uniformLayout, writeField, WGSL_TYPES, type ParamDecls, type ParamValue, type UniformField, type ParamDecl } from "../../runtime/chain/params.ts";
import { OUTPUT_FORMAT, type GpuScope, type TextureHandle } from "../../runtime/gpu/gpu.ts";
import { wgslStructFields, type ShaderSource } from "../../runtime/gpu/shaders.ts";

/** Same usage as every operator output: sampled, rendered to, copied out (readback, snapshots). */
export const PASS_TEXTURE_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x10 /* RENDER_ATTACHMENT */ | 0x01 /* COPY_SRC */;

/**
 * One pass's uniform values, staged in a DataView laid out like `struct <structName>` in `shader`.
 * The constructor throws when the struct does not match the declaration field for field.
 */
export class PassUniforms {
  readonly size: number;
  readonly data: DataView;
  private fields = new Map<string, { field: UniformField; decl: ParamDecl }>();

  constructor(shader: ShaderSource, structName: string, decls: ParamDecls) {
    const entries = Object.entries(decls);
    const struct = wgslStructFields(shader.code, structName);
    if (!struct) throw new Error(`${shader.name}: no "struct ${structName} { … }" found`);
    const matches =
      struct.length === entries.length && entries.every(([name, decl], i) => struct[i]!.name === name && WGSL_TYPES[decl.type].includes(struct[i]!.type));
    if (!matches) {
      const expected = entries.map(([name, decl]) => `${name}: ${WGSL_TYPES[decl.type][0]}`).join(", ");
      const actual = struct.map((f) => `${f.name}: ${f.type}`).join(", ");
      throw new Error(`${shader.name}: struct ${structName} {${actual}} does not match its declaration {${expected}}`);
    }
    const layout = uniformLayout(entries);
    layout.fields.forEach((field, i) => this.fields.set(field.name, { field, decl: entries[i]![1] }));
    this.size = layout.size;
    this.data = new DataView(new ArrayBuffer(layout.size));
  }

  set(name: string, value: ParamValue): this {
    const entry = this.fields.get(name);
    if (!entry) throw new Error(`no uniform "${name}" (has: ${[...this.fields.keys()].join(", ")})`);
    writeField(this.data, entry.field, value, entry.decl);
    return this;
  }
}

/**
 * Keeps an intermediate texture (slot "tmp", "bright", …) at `owner`'s output size: reacquires it from
 * the scope's pool when the size changed, giving the old one back. Steady state acquires nothing.
 */
export function ensureTexture(scope: GpuScope, owner: TextureOperator, current: TextureHandle | undefined, slot: string): TextureHandle {
  const [width, height] = owner.outputSize;
  if (current && current.width === width && current.height === height) return current;
  if (current) scope.drop(current);
  // Storage too where per-pixel passes run as compute passes (Blur writes its "tmp" from one).
  const usage = scope.gpu.dispatch === "compute" ? PASS_TEXTURE_USAGE | 0x08 /* STORAGE_BINDING */ : PASS_TEXTURE_USAGE;
  return scope.texture({ width, height, format: OUTPUT_FORMAT, usage, slot });
}
