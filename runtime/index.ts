/// <reference types="@webgpu/types" />
/**
 * The "vivid" module a chain file imports. The host registers this one object for every load and
 * reload (runtime/reload/loader.ts), so classes are the same across reloads and `instanceof` holds.
 * It is also the package's `types` entry: the reference above brings WebGPU's global types (GPUDevice,
 * GPUBufferUsage, …) that the runtime's sources use into a project that installs Vivid, where its
 * tsconfig does not list them.
 */
export { Chain, GraphError } from "./chain/chain.ts";
export { Context, type ButtonState, type Vec2 } from "./chain/context.ts";
/** What a chain file exports: `setup`, and optionally `update` and `dispose`. */
export type { ChainModule } from "./reload/loader.ts";
export { Operator, TextureOperator, ShaderOperator, ValueOperator, defineOperator, type CookContext, type InitContext } from "./chain/operator.ts";
export { float, int, bool, vec2, vec3, vec4, color, choice, path, type ParamDecl, type ParamInfo, type ParamValue } from "./chain/params.ts";
export * from "../operators/index.ts";
export { AudioSource, type ChannelMode } from "../operators/audio/source.ts";
export { encodeWav, clickTrack, clickTimes, type ClickTrackOptions } from "./audio/wav.ts";
