/** Every operator class, by name: what `chain.add` takes and what `bun vivid operators` lists. */
export { Noise, NOISE_TYPES, type NoiseType } from "./2d/noise.ts";
export { SolidColor } from "./2d/solid-color.ts";
export { Gradient, GRADIENT_MODES, type GradientMode } from "./2d/gradient.ts";
