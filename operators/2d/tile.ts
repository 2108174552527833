import { ShaderOperator, defineOperator } from "../../runtime/chain/operator.ts";
import { bool, vec2 } from "../../runtime/chain/params.ts";

/** Repeats the image `repeat` times across and down, shifted by `offset` tiles, optionally mirrored. Params as the original's Tile. */
export class Tile extends ShaderOperator {
  static override readonly description = "Repeat the image in a grid";
  static override readonly shader = "2d/tile.wgsl";
  static override readonly inputCount = 1;
  static override readonly params = {
    repeat: vec2([2, 2], 0.1, 20),
    offset: vec2([0, 0], -1, 1),
    mirror: bool(false),
  };

  declare repeat: readonly number[];
  declare offset: readonly number[];
  declare mirror: boolean;
}
defineOperator(Tile);
