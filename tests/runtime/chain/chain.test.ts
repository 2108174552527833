import { describe, expect, test } from "vitest";
import { Chain, GraphError, topologicalOrder } from "../../../runtime/chain/chain.ts";
import { Operator, ShaderOperator, TextureOperator, defineOperator } from "../../../runtime/chain/operator.ts";
import { float } from "../../../runtime/chain/params.ts";
import { Noise, SolidColor } from "../../../operators/index.ts";

/** A texture filter with one input, for graph tests (never initialised on a GPU here). */
class Pass extends TextureOperator {
  init() {}
  cook() {}
}
/** An operator with a value output, like the original's LFO. */
class Value extends Operator {
  static override readonly outputKind = "value" as const;
  static override readonly params = { rate: float(1, 0, 10) };
  init() {}
  cook() {}
}
defineOperator(Value);

function chainOf(edges: Record<string, string[]>): Chain {
  const chain = new Chain();
  for (const name of Object.keys(edges)) chain.add(Pass, name);
  for (const [name, inputs] of Object.entries(edges)) inputs.forEach((input, i) => chain.get(name).input(input, i));
  return chain;
}

describe("topological order", () => {
  test("every operator comes after its inputs", () => {
    const chain = chainOf({ out: ["blend"], blend: ["blurA", "blurB"], blurA: ["src"], blurB: ["src"], src: [] });
    chain.output("out");
    chain.resolve();
    const order = chain.processingOrder.map((op) => op.name);
    expect(order).toHaveLength(5);
    for (const op of chain.processingOrder) {
      for (const input of op.inputs) expect(order.indexOf(input.name)).toBeLessThan(order.indexOf(op.name));
    }
    expect(order[0]).toBe("src");
    expect(order[4]).toBe("out");
  });

  test("a cycle is named as a path", () => {
    const chain = chainOf({ a: ["c"], b: ["a"], c: ["b"], d: [] });
    chain.output("d");
    expect(() => chain.resolve()).toThrow(GraphError);
    try {
      chain.resolve();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/^cycle: (a → c → b → a|b → a → c → b|c → b → a → c)/);
      expect(message).toContain("Feedback");
    }
  });

  test("a self-loop is a cycle", () => {
    const chain = chainOf({ a: ["a"] });
    expect(() => topologicalOrder(chain.all().map((op) => ((op.inputs = [op]), op)))).toThrow(/cycle: a → a/);
  });
});

describe("resolve errors", () => {
  test("unknown input names the operator, the name, and a near match", () => {
    const chain = new Chain();
    chain.add(Noise, "noise");
    chain.add(Pass, "blur").input("nosie");
    chain.output("blur");
    expect(() => chain.resolve()).toThrow('blur.input("nosie"): no operator named "nosie" — did you mean "noise"? (have: noise)');
  });

  test("the error carries the stack of the input() call, so it points at the user's line", () => {
    const chain = new Chain();
    chain.add(Pass, "blur").input("missing"); const line = Number(new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]);
    chain.output("blur");
    try {
      chain.resolve();
      expect.unreachable();
    } catch (err) {
      expect((err as Error).stack).toContain(`chain.test.ts:${line}:`);
    }
  });

  test("output must be a texture operator", () => {
    const chain = new Chain();
    chain.add(Value, "lfo");
    chain.output("lfo");
    expect(() => chain.resolve()).toThrow('chain.output("lfo"): Value outputs a value, not a texture');
  });

  test("output must be set and must exist", () => {
    const chain = new Chain();
    chain.add(Noise, "noise");
    expect(() => chain.resolve()).toThrow(/must call chain.output/);
    chain.output("nois");
    expect(() => chain.resolve()).toThrow('chain.output("nois"): no operator named "nois" — did you mean "noise"?');
  });

  test("duplicate names and non-operator classes are rejected when added", () => {
    const chain = new Chain();
    chain.add(Noise, "noise");
    expect(() => chain.add(SolidColor, "noise")).toThrow('an operator named "noise" already exists');
    expect(() => chain.add(Date as never, "d")).toThrow(/not an operator class/);
  });

  test("get checks name and type", () => {
    const chain = new Chain();
    chain.add(Noise, "noise");
    expect(chain.get("noise", Noise)).toBeInstanceOf(Noise);
    expect(() => chain.get("noise", SolidColor)).toThrow('chain.get("noise", SolidColor): it is a Noise');
    expect(() => chain.get("other")).toThrow(/no operator named "other"/);
  });
});

describe("cook on demand", () => {
  class Counting extends TextureOperator {
    cooks = 0;
    timeDependent = false;
    init() {}
    cook() {
      this.cooks++;
    }
    override isTimeDependent() {
      return this.timeDependent;
    }
  }
  const frameCtx = (frameIndex: number) => ({ gpu: {} as never, frame: {} as never, time: 0, dt: 0, frameIndex });

  test("an operator cooks when dirty, when an input cooked, or when time-dependent", () => {
    const chain = new Chain();
    const src = chain.add(Counting, "src");
    const filter = chain.add(Counting, "filter").input("src");
    const other = chain.add(Counting, "other");
    chain.output("filter");
    chain.resolve();
    chain.process(frameCtx(0));
    expect([src.cooks, filter.cooks, other.cooks]).toEqual([1, 1, 1]);
    chain.process(frameCtx(1));
    expect([src.cooks, filter.cooks, other.cooks]).toEqual([1, 1, 1]);
    src.dirty = true;
    chain.process(frameCtx(2));
    expect([src.cooks, filter.cooks, other.cooks]).toEqual([2, 2, 1]);
    other.timeDependent = true;
    chain.process(frameCtx(3));
    chain.process(frameCtx(4));
    expect([src.cooks, filter.cooks, other.cooks]).toEqual([2, 2, 3]);
  });

  test("setting a param to a new value marks dirty; the same value does not", () => {
    const noise = new Noise("n");
    noise.dirty = false;
    noise.scale = 4;
    expect(noise.dirty).toBe(false);
    noise.scale = 5;
    expect(noise.dirty).toBe(true);
  });
});

test("ShaderOperator filters need their input connected", () => {
  class Filter extends ShaderOperator {
    static override readonly shader = "2d/solid-color.wgsl";
    static override readonly inputCount = 1;
  }
  const op = new Filter("f");
  expect(() => op.init({ gpu: {} as never })).toThrow('Filter "f" needs a texture on input 0: call f.input("<name>")');
});
