/**
 * Light operators: DirectionalLight, PointLight, SpotLight (one file, as the original's
 * light_operators.h: they share one base and one packing). Render3D takes up to MAX_LIGHTS of them:
 * `render.light("key")`.
 *
 * Conventions (the original's, from its flat/PBR shaders and gpu_structs.h):
 * - `direction` is the way the light travels, from the light into the scene, for directional and spot
 *   lights alike; the shader lights a surface along L = −normalize(direction). DirectionalLight's
 *   default (1, 2, 1) is the original's: light travelling up and toward +x +z, so it lights surfaces
 *   that face down; a sun overhead is (0, −1, 0). SpotLight's default (0, −1, 0) points down.
 * - `spotAngle` (degrees) is the cone's HALF-angle, from its axis to its edge (cos(radians(spotAngle))
 *   is the outer edge); `spotBlend` shrinks the fully lit inner cone to spotAngle × (1 − spotBlend),
 *   and between inner and outer the light falls off linearly in the cosine of the angle.
 * - Point and spot lights fall off as intensity / d², windowed by (1 − (d / range)⁴)² so they reach
 *   exactly zero at `range` (glTF KHR_lights_punctual's recommendation, as the original).
 * - A lit surface shows albedo × (ambient + Σ colour × intensity × max(N·L, 0) × falloff) in the
 *   flat and gouraud modes (render3d.wgsl says what the others do).
 * `shadowBias` is in units of the shadow map's depth (distance / range for point and spot lights,
 * the fitted orthographic depth for directional ones).
 */
import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { bool, color, float, vec3 } from "../../runtime/chain/params.ts";
import { normalize3 } from "./math.ts";

/** Render3D's light limit, as the original's MAX_LIGHTS. */
export const MAX_LIGHTS = 4;

export const LIGHT_TYPES = { directional: 0, point: 1, spot: 2 } as const;
export type LightType = keyof typeof LIGHT_TYPES;

/** What Render3D reads from a light. */
export interface LightData {
  type: LightType;
  position: readonly number[];
  /** Unit vector: the way the light travels (directional) or the cone's axis (spot). */
  direction: [number, number, number];
  color: readonly number[];
  intensity: number;
  range: number;
  spotAngle: number;
  spotBlend: number;
  castShadow: boolean;
  shadowBias: number;
}

export abstract class LightOperator extends Operator {
  static override readonly outputKind: OutputKind = "light";
  abstract readonly lightType: LightType;

  /** The light as Render3D reads it. */
  abstract light(): LightData;

  init(_ctx: InitContext): void {}

  /** Nothing to compute; cooking tells Render3D the light changed. */
  cook(_ctx: CookContext): void {}
}

export class DirectionalLight extends LightOperator {
  static override readonly description = "Directional (sun) light; direction is the way the light travels (from the light into the scene)";
  static override readonly params = {
    direction: vec3([1, 2, 1], -1, 1),
    color: color([1, 1, 1, 1]),
    intensity: float(1, 0, 10),
    castShadow: bool(false),
    shadowBias: float(0.001, 0, 0.1),
  };
  declare direction: readonly number[];
  declare color: readonly number[];
  declare intensity: number;
  declare castShadow: boolean;
  declare shadowBias: number;
  readonly lightType = "directional";

  light(): LightData {
    return {
      type: "directional",
      position: [0, 0, 0],
      direction: normalize3(this.direction),
      color: this.color,
      intensity: this.intensity,
      range: 0,
      spotAngle: 0,
      spotBlend: 0,
      castShadow: this.castShadow,
      shadowBias: this.shadowBias,
    };
  }
}
defineOperator(DirectionalLight);

export class PointLight extends LightOperator {
  static override readonly description = "Point light: omnidirectional, inverse-square falloff to zero at range; shadows over 6 faces";
  static override readonly params = {
    position: vec3([0, 5, 0], -100, 100),
    color: color([1, 1, 1, 1]),
    intensity: float(1, 0, 10),
    range: float(10, 0.1, 100),
    castShadow: bool(false),
    shadowBias: float(0.001, 0, 0.1),
  };
  declare position: readonly number[];
  declare color: readonly number[];
  declare intensity: number;
  declare range: number;
  declare castShadow: boolean;
  declare shadowBias: number;
  readonly lightType = "point";

  light(): LightData {
    return {
      type: "point",
      position: this.position,
      direction: [0, -1, 0],
      color: this.color,
      intensity: this.intensity,
      range: this.range,
      spotAngle: 0,
      spotBlend: 0,
      castShadow: this.castShadow,
      shadowBias: this.shadowBias,
    };
  }
}
defineOperator(PointLight);

export class SpotLight extends LightOperator {
  static override readonly description = "Spot light: a cone along direction, spotAngle degrees from its axis to its edge, the outer spotBlend fraction of that fades";
  static override readonly params = {
    position: vec3([0, 5, 0], -100, 100),
    direction: vec3([0, -1, 0], -1, 1),
    color: color([1, 1, 1, 1]),
    intensity: float(1, 0, 10),
    range: float(10, 0.1, 100),
    spotAngle: float(45, 1, 180),
    spotBlend: float(0.1, 0, 1),
    castShadow: bool(false),
    shadowBias: float(0.001, 0, 0.1),
  };
  declare position: readonly number[];
  declare direction: readonly number[];
  declare color: readonly number[];
  declare intensity: number;
  declare range: number;
  declare spotAngle: number;
  declare spotBlend: number;
  declare castShadow: boolean;
  declare shadowBias: number;
  readonly lightType = "spot";

  light(): LightData {
    return {
      type: "spot",
      position: this.position,
      direction: normalize3(this.direction),
      color: this.color,
      intensity: this.intensity,
      range: this.range,
      spotAngle: this.spotAngle,
      spotBlend: this.spotBlend,
      castShadow: this.castShadow,
      shadowBias: this.shadowBias,
    };
  }
}
defineOperator(SpotLight);
