/**
 * The chain: named operators, inputs by name, one texture output.
 *
 * Build order (what a load or reload does): `setup(ctx)` adds operators → `resolve()` connects inputs,
 * rejects unknown names and cycles, sorts topologically, checks the output → `init(gpu)` creates GPU
 * resources → `process()` each frame cooks, in topological order, only the operators that need it.
 */
import type { Frame, Gpu, TextureHandle } from "../gpu/gpu.ts";
import { suggest } from "../reload/errors.ts";
import type { OutputWindowOptions } from "./context.ts";
import { Operator, sealOperator, TextureOperator, type CookContext, type OperatorClass } from "./operator.ts";

/** An error in the chain's structure, carrying the stack of the user's call that caused it. */
export class GraphError extends Error {
  override name = "GraphError";
  constructor(message: string, site?: Error) {
    super(message);
    if (site?.stack) this.stack = `${this.name}: ${message}\n${site.stack.split("\n").slice(1).join("\n")}`;
  }
}

export class Chain {
  private operators = new Map<string, Operator>();
  private outputName?: string;
  private outputSite?: Error;
  private audioOutputName?: string;
  private audioOutputSite?: Error;
  private order: Operator[] = [];
  private resolved = false;
  /**
   * The operator whose init or cook threw last. Its error (a missing input, an image that will not
   * load) is thrown from runtime code, so the engine locates it at this operator's `chain.add`.
   */
  failedOperator?: Operator;
  /** The output windows this version's setup asked for (ctx.outputWindow), by name; the host opens them. */
  readonly outputWindows = new Map<string, OutputWindowOptions>();
  /** Where operators' param warnings go (a value clamped, a bad value ignored); the engine sets it. */
  onWarning: (warning: Error) => void = () => {};

  /** Adds an operator of class `Type` under `name` (names are unique within a chain). */
  add<T extends Operator>(Type: OperatorClass<T>, name: string): T {
    const site = new Error("add");
    if (typeof Type !== "function" || !(Type.prototype instanceof Operator)) {
      throw new GraphError(`chain.add(${String((Type as { name?: string })?.name ?? Type)}, "${name}"): not an operator class (import it from "vivid")`, site);
    }
    if (typeof name !== "string" || name.length === 0) throw new GraphError(`chain.add(${Type.name}, …): the name must be a non-empty string`, site);
    if (this.operators.has(name)) throw new GraphError(`chain.add(${Type.name}, "${name}"): an operator named "${name}" already exists`, site);
    const op = new Type(name);
    op.addSite = site;
    op.onWarning = (warning) => this.onWarning(warning);
    sealOperator(op);
    this.operators.set(name, op);
    this.resolved = false;
    return op;
  }

  /** The operator called `name`; with `Type`, also checks its class. Throws when missing. */
  get<T extends Operator = Operator>(name: string, Type?: OperatorClass<T>): T {
    const op = this.operators.get(name);
    if (!op) throw new GraphError(`chain.get("${name}"): no operator named "${name}" (have: ${this.names().join(", ") || "none"})`, new Error());
    if (Type && !(op instanceof Type)) throw new GraphError(`chain.get("${name}", ${Type.name}): it is a ${op.typeName}`, new Error());
    return op as T;
  }

  has(name: string): boolean {
    return this.operators.has(name);
  }

  names(): string[] {
    return [...this.operators.keys()];
  }

  /** All operators in insertion order. */
  all(): Operator[] {
    return [...this.operators.values()];
  }

  /** Names the operator whose texture goes to the screen. */
  output(name: string): void {
    this.outputName = name;
    this.outputSite = new Error("output");
  }

  /** Operators in the order they cook (inputs first). Valid after resolve(). */
  get processingOrder(): readonly Operator[] {
    return this.order;
  }

  get outputOperator(): TextureOperator {
    if (!this.resolved) throw new Error("chain not resolved");
    return this.operators.get(this.outputName!) as TextureOperator;
  }

  get outputTexture(): TextureHandle | undefined {
    return this.outputOperator.outputTexture;
  }

  /** Connects inputs by name, detects cycles, orders operators, checks the output. */
  resolve(): void {
    for (const op of this.operators.values()) {
      op.inputs = op.inputNames.map((inputName, index) => {
        const input = this.operators.get(inputName);
        if (!input) {
          const known = this.names().filter((n) => n !== op.name);
          throw new GraphError(
            `${op.name}.input("${inputName}"): no operator named "${inputName}"${suggest(inputName, known)} (have: ${known.join(", ") || "none"})`,
            op.inputSites[index],
          );
        }
        return input;
      });
    }
    this.order = topologicalOrder([...this.operators.values()]);
    if (this.outputName === undefined) {
      throw new GraphError(`setup() must call chain.output("<name>") to say which operator goes to the screen`, this.operators.values().next().value?.addSite);
    }
    const output = this.operators.get(this.outputName);
    if (!output) {
      throw new GraphError(`chain.output("${this.outputName}"): no operator named "${this.outputName}"${suggest(this.outputName, this.names())}`, this.outputSite);
    }
    if (!(output instanceof TextureOperator)) {
      throw new GraphError(`chain.output("${this.outputName}"): ${output.typeName} outputs a ${output.outputKind}, not a texture`, this.outputSite);
    }
    this.resolveAudioOutput();
    this.resolved = true;
  }

  /** Checks `audioOutput(name)` and marks the operator heard (an AudioOutput reads `audible`). */
  private resolveAudioOutput(): void {
    const outputs = this.all().filter((op) => op.outputKind === "audio" && "audible" in op);
    if (this.audioOutputName === undefined) {
      if (outputs.length === 1) (outputs[0] as Operator & { audible: boolean }).audible = true;
      return;
    }
    const named = this.operators.get(this.audioOutputName);
    if (!named) throw new GraphError(`chain.audioOutput("${this.audioOutputName}"): no operator named "${this.audioOutputName}"${suggest(this.audioOutputName, this.names())}`, this.audioOutputSite);
    if (!outputs.includes(named)) throw new GraphError(`chain.audioOutput("${this.audioOutputName}"): ${named.typeName} is not an AudioOutput (add one: chain.add(AudioOutput, "out").input("${this.audioOutputName}"))`, this.audioOutputSite);
    (named as Operator & { audible: boolean }).audible = true;
  }

  /** Creates every operator's GPU resources (through its own scope), inputs first. */
  init(gpu: Gpu): void {
    if (!this.resolved) this.resolve();
    for (const op of this.order) {
      op.scope = gpu.scope(op.name, `${op.name}:${op.typeName}`);
      try {
        op.init({ gpu });
      } catch (err) {
        this.failedOperator = op;
        throw err;
      }
    }
  }

  /** Awaits every operator's `preload` (an audio file being decoded); a rejection names its operator like a throw in init. */
  async preload(): Promise<void> {
    for (const op of this.order) {
      try {
        await op.preload();
      } catch (err) {
        this.failedOperator = op;
        throw err;
      }
    }
  }

  /**
   * Names the operator whose sound is heard (an AudioOutput), as the original's `chain.audioOutput`.
   * Without the call, a chain's only AudioOutput is the one heard.
   */
  audioOutput(name: string): void {
    this.audioOutputName = name;
    this.audioOutputSite = new Error("audioOutput");
  }

  /**
   * Hands state over from the chain this one replaces: operators with the same name and type adopt
   * the old instance's JS state. (Textures and buffers are shared already through the pools.)
   */
  adoptFrom(previous: Chain): void {
    for (const op of this.operators.values()) {
      const old = previous.operators.get(op.name);
      if (old && old.constructor === op.constructor) op.adopt(old);
    }
  }

  /**
   * Cooks what needs it, in order: an operator cooks when a param changed (bindings are evaluated
   * first), an input cooked this frame, it depends on time, or another instance overwrote what it
   * uploaded (see Operator.contentsOverwritten). Returns the number of operators cooked.
   * When a cook throws, the caller discards the frame and calls `discardFrame`.
   */
  process(ctx: Omit<CookContext, "frame"> & { frame: Frame }): number {
    let cooked = 0;
    for (const op of this.order) {
      op.updateBindings();
      // A bypass toggle changes what downstream operators read: it counts as this operator cooking.
      const toggled = op.bypassToggled;
      op.bypassToggled = false;
      if (op.bypass) {
        if (toggled || op.inputs[0]?.cookedAt === ctx.frameIndex) op.cookedAt = ctx.frameIndex;
        continue;
      }
      const needed = toggled || op.dirty || op.cookedAt < 0 || op.isTimeDependent() || op.contentsOverwritten() || inputCooked(op, ctx.frameIndex);
      if (!needed) continue;
      try {
        op.cook(ctx);
      } catch (err) {
        this.failedOperator = op;
        throw err;
      }
      op.dirty = false;
      op.cookedAt = ctx.frameIndex;
      cooked++;
    }
    return cooked;
  }

  /**
   * The frame `frameIndex` was discarded, so the work of the operators that cooked in it never
   * reached their textures: they cook again in the next one. The caller says so rather than a catch
   * in `process`, because a cook the loop guard stops ends in an uncatchable termination that skips
   * every catch and finally in between (the retried first cook of a starved build then skipped the
   * operators cooked before the stop, and showed their textures empty).
   */
  discardFrame(frameIndex: number): void {
    for (const op of this.order) {
      if (op.cookedAt !== frameIndex) continue;
      if (op.bypass) op.bypassToggled = true;
      else op.dirty = true;
    }
  }

  /** Gives every operator's GPU objects back to the caches. */
  dispose(): void {
    for (const op of this.operators.values()) op.dispose();
  }
}

function inputCooked(op: Operator, frameIndex: number): boolean {
  for (const input of op.inputs) if (input.cookedAt === frameIndex) return true;
  return false;
}

/**
 * Kahn's algorithm over input edges; a leftover set means a cycle, reported as a path. Among the
 * operators ready to cook, numbers and sound (value and audio operators) go first, so a binding on a
 * texture operator reads this frame's value even when the value comes from an analyser that has an
 * input itself (an AudioFile → Levels → a Shape's binding). Texture operators keep breadth-first order.
 */
export function topologicalOrder(operators: Operator[]): Operator[] {
  const pending = new Map(operators.map((op) => [op, new Set(op.inputs)] as const));
  const order: Operator[] = [];
  const numbersOrSound = (op: Operator) => op.outputKind === "value" || op.outputKind === "audio";
  const ready = operators.filter((op) => op.inputs.length === 0).sort((a, b) => Number(numbersOrSound(b)) - Number(numbersOrSound(a)));
  while (ready.length > 0) {
    const index = Math.max(0, ready.findIndex(numbersOrSound));
    const op = ready.splice(index, 1)[0]!;
    order.push(op);
    pending.delete(op);
    for (const [other, inputs] of pending) {
      if (inputs.delete(op) && inputs.size === 0 && !order.includes(other) && !ready.includes(other)) ready.push(other);
    }
  }
  if (pending.size > 0) {
    const cycle = findCycle([...pending.keys()]);
    const first = cycle[0]!;
    const index = first.inputs.indexOf(cycle[1] ?? first);
    throw new GraphError(`cycle: ${[...cycle, first].map((op) => op.name).join(" → ")} (each takes the next as input; an operator cannot depend on its own output — use Feedback for that)`, first.inputSites[index]);
  }
  return order;
}

/** A concrete cycle among operators that Kahn's algorithm could not order, e.g. [a, b, c] for a→b→c→a (as inputs). */
function findCycle(stuck: Operator[]): Operator[] {
  const stuckSet = new Set(stuck);
  let current = stuck[0]!;
  const path: Operator[] = [];
  while (!path.includes(current)) {
    path.push(current);
    current = current.inputs.find((input) => stuckSet.has(input))!;
  }
  return path.slice(path.indexOf(current));
}
