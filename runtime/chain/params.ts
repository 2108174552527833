/**
 * Typed params, declared once per operator class. Everything else is derived from the declaration:
 * property accessors (`noise.scale = 4`), `params()` introspection, `getParam` / `setParam`, the
 * uniform buffer layout and its check against the WGSL struct, and `bun vivid operators`.
 */

export type ParamType = "float" | "int" | "bool" | "vec2" | "vec3" | "vec4" | "color" | "enum" | "path";
export type ParamValue = number | boolean | string | readonly number[];

export interface ParamDecl {
  type: ParamType;
  default: ParamValue;
  min?: number;
  max?: number;
  /** For "enum": the allowed names; the uniform holds the index (u32). */
  options?: readonly string[];
  /** For "path": the file patterns it accepts (the original's FilePathParam filter), e.g. "*.png;*.jpg". */
  filter?: string;
}

export type ParamDecls = Record<string, ParamDecl>;

export interface ParamInfo extends ParamDecl {
  name: string;
}

export const float = (value: number, min?: number, max?: number): ParamDecl => ({ type: "float", default: value, min, max });
export const int = (value: number, min?: number, max?: number): ParamDecl => ({ type: "int", default: value, min, max });
export const bool = (value: boolean): ParamDecl => ({ type: "bool", default: value });
export const vec2 = (value: [number, number], min?: number, max?: number): ParamDecl => ({ type: "vec2", default: value, min, max });
export const vec3 = (value: [number, number, number], min = -1, max = 1): ParamDecl => ({ type: "vec3", default: value, min, max });
export const vec4 = (value: [number, number, number, number], min?: number, max?: number): ParamDecl => ({ type: "vec4", default: value, min, max });
export const color = (value: [number, number, number, number]): ParamDecl => ({ type: "color", default: value, min: 0, max: 1 });
export const choice = <T extends string>(value: T, options: readonly T[]): ParamDecl => ({ type: "enum", default: value, options });
/** A file path (Image's `file`). Not a uniform: an operator with one reads it on the CPU. */
export const path = (value: string, filter?: string): ParamDecl => ({ type: "path", default: value, filter });

const COMPONENTS: Record<ParamType, number> = { float: 1, int: 1, bool: 1, enum: 1, vec2: 2, vec3: 3, vec4: 4, color: 4, path: 0 };

/** WGSL alignment (bytes) of each type inside a uniform struct. */
const ALIGN: Record<ParamType, number> = { float: 4, int: 4, bool: 4, enum: 4, vec2: 8, vec3: 16, vec4: 16, color: 16, path: 4 };

/** Accepted WGSL spellings for each param type. */
export const WGSL_TYPES: Record<ParamType, readonly string[]> = {
  float: ["f32"],
  int: ["i32"],
  bool: ["u32"],
  enum: ["u32"],
  vec2: ["vec2f", "vec2<f32>"],
  vec3: ["vec3f", "vec3<f32>"],
  vec4: ["vec4f", "vec4<f32>"],
  color: ["vec4f", "vec4<f32>"],
  path: [],
};

export interface UniformField {
  name: string;
  type: ParamType;
  /** Byte offset in the struct. */
  offset: number;
}

export interface UniformLayout {
  fields: UniformField[];
  /** Struct size rounded up to 16 bytes (uniform buffers bind in 16-byte units). */
  size: number;
}

/**
 * Lays fields out by WGSL's rules for a uniform struct: each field at the next multiple of its
 * alignment (4 for scalars, 8 for vec2, 16 for vec3/vec4), the struct padded to 16. Example for
 * Noise: scale@0 speed@4 octaves@8 lacunarity@12 persistence@16 (pad) offset:vec3@32 type@44 ...
 */
export function uniformLayout(decls: [string, ParamDecl][]): UniformLayout {
  let offset = 0;
  const fields: UniformField[] = [];
  for (const [name, decl] of decls) {
    if (decl.type === "path") throw new Error(`param "${name}" is a path: paths are read on the CPU, never a uniform`);
    const align = ALIGN[decl.type];
    offset = Math.ceil(offset / align) * align;
    fields.push({ name, type: decl.type, offset });
    offset += COMPONENTS[decl.type] * 4;
  }
  return { fields, size: Math.max(16, Math.ceil(offset / 16) * 16) };
}

export function components(type: ParamType): number {
  return COMPONENTS[type];
}

/**
 * Checks and normalises a value for a param; throws a message naming the param. A number must be
 * finite (Infinity or NaN in a uniform gives a black or garbage frame, not an error). A float or int
 * outside its declared min..max is clamped, and `warn` is told once per call with the message to show.
 * Vectors are checked for finiteness only: their ranges are slider ranges, not limits (DirectionalLight's
 * default direction [1, 2, 1] lies outside its -1..1, the shader normalises it), and a colour above 1 is
 * HDR on purpose in an rgba16float chain.
 */
export function normalize(owner: string, name: string, decl: ParamDecl, value: unknown, warn?: (message: string) => void): ParamValue {
  const where = `${owner}.${name}`;
  switch (decl.type) {
    case "float":
    case "int": {
      if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${where} expects a finite number, got ${describe(value)}`);
      const number = decl.type === "int" ? Math.round(value) : value;
      const clamped = Math.min(decl.max ?? Infinity, Math.max(decl.min ?? -Infinity, number));
      if (clamped !== number) warn?.(`${where} = ${value} is outside its range ${decl.min ?? "…"}..${decl.max ?? "…"}: clamped to ${clamped}`);
      return clamped;
    }
    case "bool":
      if (typeof value !== "boolean") throw new TypeError(`${where} expects true or false, got ${describe(value)}`);
      return value;
    case "path":
      if (typeof value !== "string") throw new TypeError(`${where} expects a file path (string), got ${describe(value)}`);
      return value;
    case "enum":
      if (typeof value !== "string" || !decl.options!.includes(value)) {
        throw new TypeError(`${where} expects one of ${decl.options!.map((o) => `"${o}"`).join(", ")}, got ${describe(value)}`);
      }
      return value;
    default: {
      const n = COMPONENTS[decl.type];
      const ok =
        Array.isArray(value) &&
        (value.length === n || (decl.type === "color" && value.length === 3)) &&
        value.every((v) => typeof v === "number" && Number.isFinite(v));
      if (!ok) throw new TypeError(`${where} expects [${Array(n).fill("finite number").join(", ")}], got ${describe(value)}`);
      const array = value as number[];
      return Object.freeze(decl.type === "color" && array.length === 3 ? [...array, 1] : [...array]);
    }
  }
}

/** Writes a param's value into a uniform staging array at the field's offset. */
export function writeField(data: DataView, field: UniformField, value: ParamValue, decl: ParamDecl): void {
  switch (decl.type) {
    case "float":
      data.setFloat32(field.offset, value as number, true);
      return;
    case "int":
      data.setInt32(field.offset, value as number, true);
      return;
    case "bool":
      data.setUint32(field.offset, value ? 1 : 0, true);
      return;
    case "enum":
      data.setUint32(field.offset, decl.options!.indexOf(value as string), true);
      return;
    default: {
      const array = value as readonly number[];
      for (let i = 0; i < array.length; i++) data.setFloat32(field.offset + i * 4, array[i]!, true);
    }
  }
}

/** A value as the user would write it, for messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (Array.isArray(value)) return `[${value.join(", ")}]`;
  return String(value);
}
