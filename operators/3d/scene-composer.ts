/**
 * SceneComposer: a list of entries, each a geometry operator (by name) with a transform, a colour,
 * material factors and shadow flags. Render3D draws a scene (`render.input("scene")`).
 *
 *   const scene = ctx.chain.add(SceneComposer, "scene");
 *   scene.add("ground", mat4.translation(0, -0.5, 0), [0.7, 0.7, 0.7, 1]);
 *   const marker = scene.add("marker").setColor(1, 1, 0.2).setCastShadow(false).setReceiveShadow(false);
 *   // in update(): ctx.chain.get("scene", SceneComposer).entry(3).setPosition(x, y, z);
 *
 * The geometry names become the composer's inputs, so they cook first and a missing name is the
 * usual "no operator named …" error. Entries are changed through their setters, which mark the
 * composer dirty: Render3D then redraws. (Writing into `entry.transform` in place is not seen.)
 */
import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { GeometryOperator } from "./primitives.ts";
import { copy, identity, type Mat4 } from "./math.ts";

type Color = readonly [number, number, number, number] | readonly [number, number, number] | number[];

export class SceneEntry {
  /** Model matrix (column-major). Change it with setTransform / setPosition. */
  readonly transform: Mat4 = identity();
  readonly color: [number, number, number, number] = [0.8, 0.8, 0.8, 1];
  castShadow = true;
  receiveShadow = true;
  /** Material factors for PBR; negative = use Render3D's `metallic` / `roughness`. */
  metallic = -1;
  roughness = -1;
  visible = true;
  /** Drawn in its flat colour whatever the shading mode (markers, light bulbs). */
  unlit = false;

  constructor(
    private readonly owner: Operator,
    /** The geometry operator's name. */
    readonly geometry: string,
  ) {}

  setTransform(matrix: ArrayLike<number>): this {
    if (matrix.length !== 16) throw new TypeError(`scene entry "${this.geometry}": setTransform expects 16 numbers (a column-major 4×4 matrix)`);
    copy(matrix, this.transform);
    return this.changed();
  }

  /** Sets the transform to a plain translation (as the original's glm::translate(identity, …)). */
  setPosition(x: number, y: number, z: number): this {
    identity(this.transform);
    this.transform[12] = x;
    this.transform[13] = y;
    this.transform[14] = z;
    return this.changed();
  }

  setColor(r: number, g: number, b: number, a = 1): this {
    this.color[0] = r;
    this.color[1] = g;
    this.color[2] = b;
    this.color[3] = a;
    return this.changed();
  }

  setCastShadow(on: boolean): this {
    this.castShadow = on;
    return this.changed();
  }

  setReceiveShadow(on: boolean): this {
    this.receiveShadow = on;
    return this.changed();
  }

  setMetallic(value: number): this {
    this.metallic = value;
    return this.changed();
  }

  setRoughness(value: number): this {
    this.roughness = value;
    return this.changed();
  }

  setUnlit(on: boolean): this {
    this.unlit = on;
    return this.changed();
  }

  setVisible(on: boolean): this {
    this.visible = on;
    return this.changed();
  }

  private changed(): this {
    this.owner.dirty = true;
    return this;
  }
}

export class SceneComposer extends Operator {
  static override readonly outputKind: OutputKind = "scene";
  static override readonly description = "A scene: geometry entries with transform, colour, material and shadow flags";
  static override readonly params = {};

  readonly entries: SceneEntry[] = [];
  /** The geometry operators by name, resolved at init. */
  private geometryByName = new Map<string, GeometryOperator>();
  private initialised = false;

  /**
   * Adds an entry drawing the geometry operator `geometry` (by name), optionally with a transform
   * (16 numbers, column-major) and colour; returns it for the fluent setters.
   */
  add(geometry: string, transform?: ArrayLike<number>, color?: Color): SceneEntry {
    if (typeof geometry !== "string") throw new TypeError(`${this.name}.add() expects a geometry operator's name (string)`);
    if (!this.inputNames.includes(geometry)) {
      if (this.initialised) throw new Error(`${this.name}.add("${geometry}"): new geometries are added in setup(); update() can add entries of geometries the scene already uses`);
      super.input(geometry, this.inputNames.length);
    }
    const entry = new SceneEntry(this, geometry);
    if (transform) entry.setTransform(transform);
    if (color) entry.setColor(color[0]!, color[1]!, color[2]!, color[3] ?? 1);
    this.entries.push(entry);
    this.dirty = true;
    return entry;
  }

  /** Entry `index` (in the order added). */
  entry(index: number): SceneEntry {
    const entry = this.entries[index];
    if (!entry) throw new RangeError(`${this.name}.entry(${index}): there are ${this.entries.length} entries`);
    return entry;
  }

  /** Inputs are the geometries named in `add`; there is nothing to connect by hand. */
  override input(name: string): this {
    throw new Error(`${this.name}.input("${name}"): a SceneComposer takes geometries through ${this.name}.add("${name}", transform, color)`);
  }

  init(_ctx: InitContext): void {
    for (const op of this.inputs) {
      if (!(op instanceof GeometryOperator)) {
        throw new Error(`${this.name}.add("${op.name}"): "${op.name}" is a ${op.typeName}, not a geometry (Box, Sphere, Cylinder, Cone, Torus, Plane)`);
      }
      this.geometryByName.set(op.name, op);
    }
    this.initialised = true;
  }

  /** The geometry operator an entry draws. */
  geometryOf(entry: SceneEntry): GeometryOperator {
    return this.geometryByName.get(entry.geometry)!;
  }

  /** Nothing to compute: cooking marks the scene changed, so Render3D redraws. */
  cook(_ctx: CookContext): void {}
}
defineOperator(SceneComposer);
