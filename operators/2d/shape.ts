import { ShaderOperator, defineOperator, type CookContext } from "../../runtime/chain/operator.ts";
import { choice, color, float, int, vec2, type ParamValue } from "../../runtime/chain/params.ts";

export const SHAPE_TYPES = ["circle", "rectangle", "roundedRect", "triangle", "star", "ring", "polygon"] as const;
export type ShapeType = (typeof SHAPE_TYPES)[number];

/**
 * One anti-aliased shape from a signed distance field, in `color` on transparent black. Params and
 * ranges as the original's Shape; its `.type(ShapeType::…)` method is the `type` param here.
 *
 * Units: `position` is in uv (0..1, y down, centre 0.5,0.5); `size` is the shape's width and height
 * in units of the output's height, so a circle stays round at any aspect. Rectangle and roundedRect
 * fill `size`; the round shapes (circle, ring, triangle, star, polygon) fit a circle of diameter
 * min(size) and are stretched to `size`. `sides` is the polygon's sides and the star's points (inner
 * radius half the outer); `cornerRadius` rounds roundedRect; `thickness` is the ring's width;
 * `softness` widens the edge beyond its one-pixel anti-aliasing.
 *
 * Output is premultiplied (rgb = color.rgb × color.a × coverage, a = color.a × coverage), so it
 * shows correctly on the black screen and composites with "over" without a dark fringe.
 */
export class Shape extends ShaderOperator {
  static override readonly description = "SDF shape: circle, rectangle, rounded rect, triangle, star, ring, polygon";
  static override readonly shader = "2d/shape.wgsl";
  static override readonly params = {
    size: vec2([0.5, 0.5], 0, 2),
    position: vec2([0.5, 0.5], 0, 1),
    rotation: float(0, -6.28, 6.28),
    sides: int(5, 3, 32),
    cornerRadius: float(0, 0, 0.5),
    thickness: float(0.1, 0, 0.5),
    softness: float(0.01, 0, 0.2),
    color: color([1, 1, 1, 1]),
    type: choice<ShapeType>("circle", SHAPE_TYPES),
  };
  static override readonly internals = { aspect: float(1), pixel: float(0) };

  declare size: readonly number[];
  declare position: readonly number[];
  declare rotation: number;
  declare sides: number;
  declare cornerRadius: number;
  declare thickness: number;
  declare softness: number;
  declare color: readonly number[];
  declare type: ShapeType;

  protected override writeInternals(_ctx: CookContext, set: (name: string, value: ParamValue) => void): void {
    const [width, height] = this.outputSize;
    set("aspect", width / height);
    set("pixel", 1 / height);
  }
}
defineOperator(Shape);
