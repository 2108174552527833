/**
 * CameraOperator: where Render3D looks from. Two ways to place it, as in the original:
 *   orbit   — `center`, `distance`, `azimuth` (radians around +Y, 0 = on +Z), `elevation` (radians up)
 *   lookAt  — `position` and `target`
 * Setting any orbit param switches `mode` to "orbit", setting position or target switches it to
 * "lookAt" (the original switched the same way through its setters). Projection: perspective with a
 * vertical `fov` in degrees, or orthographic showing `orthoSize` units from the centre to the top edge.
 */
import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { choice, float, vec3 } from "../../runtime/chain/params.ts";
import { lookAt, orbitPosition, orthographic, perspective, type Mat4 } from "./math.ts";

const ORBIT_PARAMS = new Set(["center", "distance", "azimuth", "elevation"]);
const LOOK_AT_PARAMS = new Set(["position", "target"]);

export class CameraOperator extends Operator {
  static override readonly outputKind: OutputKind = "camera";
  static override readonly description = "Camera: orbit (center, distance, azimuth, elevation) or position/target; perspective or orthographic";
  static override readonly params = {
    mode: choice("orbit", ["orbit", "lookAt"] as const),
    center: vec3([0, 0, 0], -100, 100),
    distance: float(5, 0.1, 100),
    azimuth: float(0, -6.28, 6.28),
    elevation: float(0.3, -1.57, 1.57),
    position: vec3([0, 0, 5], -100, 100),
    target: vec3([0, 0, 0], -100, 100),
    projectionMode: choice("perspective", ["perspective", "orthographic"] as const),
    fov: float(45, 1, 179),
    orthoSize: float(10, 0.1, 1000),
    near: float(0.1, 0.001, 10),
    far: float(100, 1, 10000),
  };
  declare mode: "orbit" | "lookAt";
  declare center: readonly number[];
  declare distance: number;
  declare azimuth: number;
  declare elevation: number;
  declare position: readonly number[];
  declare target: readonly number[];
  declare projectionMode: "perspective" | "orthographic";
  declare fov: number;
  declare orthoSize: number;
  declare near: number;
  declare far: number;

  override setParam(name: string, value: unknown): void {
    super.setParam(name, value);
    if (ORBIT_PARAMS.has(name)) super.setParam("mode", "orbit");
    else if (LOOK_AT_PARAMS.has(name)) super.setParam("mode", "lookAt");
  }

  /** The original's `orbitCenter(x, y, z)`. */
  orbitCenter(x: number, y: number, z: number): this {
    this.center = [x, y, z];
    return this;
  }

  perspective(): this {
    this.projectionMode = "perspective";
    return this;
  }

  orthographic(): this {
    this.projectionMode = "orthographic";
    return this;
  }

  /** The camera's position in the world. */
  eye(): [number, number, number] {
    if (this.mode === "lookAt") return [this.position[0]!, this.position[1]!, this.position[2]!];
    return orbitPosition(this.center, this.distance, this.azimuth, this.elevation);
  }

  /** The point the camera looks at. */
  lookTarget(): readonly number[] {
    return this.mode === "lookAt" ? this.target : this.center;
  }

  viewMatrix(out?: Mat4): Mat4 {
    return lookAt(this.eye(), this.lookTarget(), [0, 1, 0], out);
  }

  /** Projection for a target of aspect `aspect` (width / height). */
  projectionMatrix(aspect: number, out?: Mat4): Mat4 {
    const near = this.near, far = Math.max(this.far, near + 1e-3);
    if (this.projectionMode === "orthographic") {
      const h = this.orthoSize;
      return orthographic(-h * aspect, h * aspect, -h, h, near, far, out);
    }
    return perspective((this.fov * Math.PI) / 180, aspect, near, far, out);
  }

  init(_ctx: InitContext): void {}

  /** Nothing to compute on the GPU; cooking tells Render3D the camera moved. */
  cook(_ctx: CookContext): void {}
}
defineOperator(CameraOperator);
