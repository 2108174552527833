/**
 * Keeps the chain's code from ending or crashing a live run. While `bun vivid` runs:
 * - `process.exit`, `process.abort` and `process.kill` of this process, called from the chain's code
 *   (inside a chain version's scope, see runtime/chain/scope.ts, or with a frame of its files on the
 *   stack), throw a located error instead: the call fails like any
 *   throw in setup or update, the last good chain keeps running, and q, Esc or Ctrl-C still end the
 *   run. Called from anywhere else (the runtime, the CLI after the run) they do what they always do.
 * - an unhandled rejection or an uncaught throw (a socket's event handler, an unawaited promise) is
 *   an error event, located in the project where its stack allows, instead of a raw stack on stderr
 *   or the end of the process. The stats hub counts repeats, so one repeated 60 times a second is one
 *   line a second.
 * `guardProcess` returns the function that puts everything back; teardown calls it.
 */
import { activeScope } from "./chain/scope.ts";
import { callerLocation, LocatedError } from "./reload/errors.ts";

export interface ProcessGuardOptions {
  projectDir: string;
  /** Whether a call stack passes through the chain's code (Engine.isChainCode). */
  isChainCode(stack: string): boolean;
  /** Where an escaped error goes (Engine.reportError: located, then the engine's onError). */
  report(error: unknown, phase: "async"): void;
}

const HOW_TO_END = "a live run ends with q, Esc or Ctrl-C; the last good chain keeps running";

function callerStack(): string {
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = previousLimit;
  return stack;
}

export function guardProcess(options: ProcessGuardOptions): () => void {
  const original = { exit: process.exit, abort: process.abort, kill: process.kill };
  const refuse = (call: string): never => {
    throw new LocatedError(`${call} is refused while vivid runs: ${HOW_TO_END}`, callerLocation(options.projectDir));
  };
  // The chain's async context, or (for code run outside it, a module's top level) a frame of its files.
  const fromChain = () => activeScope() !== undefined || options.isChainCode(callerStack());

  process.exit = function guardedExit(code?: number | string | null) {
    if (fromChain()) refuse(`process.exit(${code ?? ""})`);
    return original.exit.call(process, code as number);
  } as typeof process.exit;
  process.abort = function guardedAbort() {
    if (fromChain()) refuse("process.abort()");
    return original.abort.call(process);
  } as typeof process.abort;
  process.kill = function guardedKill(pid: number, signal?: string | number) {
    // Signal 0 only asks whether the process exists; any other signal to this process (or its group) ends it.
    const self = pid === process.pid || pid === 0 || pid === -process.pid;
    if (self && signal !== 0 && fromChain()) refuse(`process.kill(process.pid${signal === undefined ? "" : `, ${JSON.stringify(signal)}`})`);
    return original.kill.call(process, pid, signal);
  } as typeof process.kill;

  const onRejection = (reason: unknown) => options.report(reason, "async");
  const onUncaught = (error: unknown) => options.report(error, "async");
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onUncaught);

  return () => {
    process.exit = original.exit;
    process.abort = original.abort;
    process.kill = original.kill;
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onUncaught);
  };
}
