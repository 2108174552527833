import { afterAll, describe, expect, test } from "vitest";
import { LFO, LFO_WAVEFORMS, Logic, LOGIC_OPERATIONS, MathOp, MATH_OPERATIONS, Noise } from "../../operators/index.ts";
import { Chain } from "../../runtime/chain/chain.ts";
import type { CookContext } from "../../runtime/chain/operator.ts";
import { engineFor, sharedGpu } from "../helpers/render.ts";
import { expectParamTable } from "./param-table.ts";

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

/** Cooks a value operator on its own, the way the chain does (no GPU involved). */
function cookAt<T extends LFO | MathOp | Logic>(op: T, time: number): T {
  op.updateBindings();
  op.cook({ time, dt: 1 / 60, frameIndex: 0 } as CookContext);
  return op;
}

describe("LFO", () => {
  test("params match the original's table", () => {
    expectParamTable(LFO, [
      ["frequency", "float", 1, 0.01, 20],
      ["amplitude", "float", 1, 0, 2],
      ["offset", "float", 0, -1, 1],
      ["phase", "float", 0, 0, 1],
      ["pulseWidth", "float", 0.5, 0, 1],
      ["waveform", "enum", "sine"],
    ]);
    expect(LFO.params.waveform.options).toEqual(["sine", "triangle", "saw", "square", "noise"]);
    expect(LFO.outputKind).toBe("value");
  });

  // Written out by hand from the waveform definitions: t = time·frequency + phase.
  const expected: Record<string, (t: number, pw: number) => number> = {
    sine: (t) => 0.5 + 0.5 * Math.sin(2 * Math.PI * t),
    triangle: (t) => Math.abs((t % 1) * 2 - 1),
    saw: (t) => t % 1,
    square: (t, pw) => ((t % 1) < pw ? 1 : 0),
  };
  for (const waveform of ["sine", "triangle", "saw", "square"] as const) {
    test(`${waveform} at several times, with frequency, phase, amplitude and offset`, () => {
      const lfo = new LFO("lfo");
      lfo.waveform = waveform;
      lfo.frequency = 0.7;
      lfo.phase = 0.15;
      lfo.amplitude = 0.8;
      lfo.offset = -0.3;
      lfo.pulseWidth = 0.3;
      for (const time of [0, 0.1, 0.37, 1.2, 2.5, 3.33]) {
        cookAt(lfo, time);
        const t = time * 0.7 + 0.15;
        expect(lfo.value).toBeCloseTo(expected[waveform]!(t, 0.3) * 0.8 - 0.3, 9);
      }
    });
  }

  test("noise holds one value in 0..1 per cycle and changes between cycles", () => {
    const lfo = new LFO("lfo");
    lfo.waveform = "noise";
    lfo.frequency = 2;
    const values = [0.05, 0.2, 0.6].map((time) => cookAt(lfo, time).value);
    expect(values[0]).toBe(values[1]);
    expect(values[2]).not.toBe(values[1]);
    const many = Array.from({ length: 200 }, (_, i) => cookAt(lfo, 0.5 + i * 0.5).value);
    for (const v of many) expect(v >= 0 && v < 1).toBe(true);
    expect(Math.min(...many)).toBeLessThan(0.1);
    expect(Math.max(...many)).toBeGreaterThan(0.9);
  });

  test("a frequency change continues the wave instead of jumping; a reload keeps the phase", () => {
    const lfo = new LFO("lfo");
    lfo.waveform = "saw";
    cookAt(lfo, 10);
    cookAt(lfo, 10.25);
    expect(lfo.value).toBeCloseTo(0.25, 9);
    lfo.frequency = 2;
    cookAt(lfo, 10.3);
    expect(lfo.value).toBeCloseTo(0.35, 9); // 0.25 + 0.05 s × 2 Hz, not fract(10.3 × 2) = 0.6
    const reloaded = new LFO("lfo");
    reloaded.frequency = 2;
    reloaded.waveform = "saw";
    reloaded.adopt(lfo);
    cookAt(reloaded, 10.4);
    expect(reloaded.value).toBeCloseTo(0.55, 9);
  });

  test("cooks every frame in a chain; holds no GPU objects", async () => {
    const gpu = await sharedGpu();
    const before = gpu.census.live();
    const engine = await engineFor((ctx) => {
      ctx.chain.add(LFO, "lfo").frequency = 0.5;
      ctx.chain.add(Noise, "noise").resolution(8, 8).speed = 0;
      ctx.chain.output("noise");
    });
    const lfo = engine.chain!.get("lfo", LFO);
    expect(lfo.scope.size).toBe(0);
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) {
      engine.frame();
      seen.add(lfo.value);
      expect(lfo.value).toBeCloseTo(0.5 + 0.5 * Math.sin(2 * Math.PI * 0.5 * (i / 60)), 9);
    }
    expect(seen.size).toBe(5);
    engine.dispose();
    expect(gpu.census.live()).toBe(before);
  });
});

describe("MathOp", () => {
  test("params match the original's table", () => {
    expectParamTable(MathOp, [
      ["inputA", "float", 0, -1000, 1000],
      ["inputB", "float", 0, -1000, 1000],
      ["minVal", "float", 0, -1000, 1000],
      ["maxVal", "float", 1, -1000, 1000],
      ["inMin", "float", 0, -1000, 1000],
      ["inMax", "float", 1, -1000, 1000],
      ["outMin", "float", 0, -1000, 1000],
      ["outMax", "float", 1, -1000, 1000],
      ["operation", "enum", "add"],
    ]);
    expect(MATH_OPERATIONS).toHaveLength(16);
  });

  // [operation, a, b, expected] — computed by hand.
  const cases: Array<[(typeof MATH_OPERATIONS)[number], number, number, number]> = [
    ["add", 2.5, -4, -1.5],
    ["subtract", 2.5, -4, 6.5],
    ["multiply", 2.5, -4, -10],
    ["divide", 7, 2, 3.5],
    ["divide", 7, 0, 0],
    ["clamp", 3, 0, 1],
    ["clamp", -3, 0, 0],
    ["clamp", 0.25, 0, 0.25],
    ["remap", 0, 0, 15], // -1..1 → 10..20: 0 is the middle
    ["remap", 1, 0, 20],
    ["abs", -3.5, 0, 3.5],
    ["sin", Math.PI / 6, 0, 0.5],
    ["cos", Math.PI / 3, 0, 0.5],
    ["pow", 2, 10, 1024],
    ["pow", -8, 0.5, 0], // NaN → 0
    ["sqrt", 2.25, 0, 1.5],
    ["sqrt", -4, 0, 0],
    ["floor", -1.5, 0, -2],
    ["ceil", -1.5, 0, -1],
    ["fract", -1.25, 0, 0.75],
    ["min", 3, -2, -2],
    ["max", 3, -2, 3],
  ];
  for (const [operation, a, b, result] of cases) {
    test(`${operation}(${a}, ${b}) = ${result}`, () => {
      const math = new MathOp("math");
      math.operation = operation;
      math.inputA = a;
      math.inputB = b;
      math.inMin = -1;
      math.inMax = 1;
      math.outMin = 10;
      math.outMax = 20;
      expect(cookAt(math, 0).value).toBeCloseTo(result, 12);
    });
  }

  test("remap with an empty input range gives outMin instead of NaN", () => {
    const math = new MathOp("math");
    math.operation = "remap";
    math.inMin = 1;
    math.inMax = 1;
    math.outMin = 5;
    math.inputA = 3;
    expect(cookAt(math, 0).value).toBe(5);
  });
});

describe("Logic", () => {
  test("params match the original's table", () => {
    expectParamTable(Logic, [
      ["inputA", "float", 0, -1000, 1000],
      ["inputB", "float", 0, -1000, 1000],
      ["rangeMin", "float", 0, -1000, 1000],
      ["rangeMax", "float", 1, -1000, 1000],
      ["epsilon", "float", 0.0001, 0, 1],
      ["operation", "enum", "greaterThan"],
    ]);
    expect(LOGIC_OPERATIONS).toHaveLength(11);
  });

  const cases: Array<[(typeof LOGIC_OPERATIONS)[number], number, number, boolean]> = [
    ["greaterThan", 2, 1, true],
    ["greaterThan", 1, 1, false],
    ["lessThan", 1, 2, true],
    ["equal", 1, 1.00005, true],
    ["equal", 1, 1.001, false],
    ["notEqual", 1, 1.001, true],
    ["notEqual", 1, 1.00005, false],
    ["greaterOrEqual", 1, 1, true],
    ["lessOrEqual", 1.5, 1, false],
    ["inRange", 0.5, 0, true],
    ["inRange", 1.5, 0, false],
    ["and", 0.6, 0.9, true],
    ["and", 0.6, 0.4, false],
    ["or", 0.2, 0.9, true],
    ["or", 0.2, 0.5, false],
    ["not", 0.2, 0, true],
    ["not", 0.8, 0, false],
  ];
  for (const [operation, a, b, result] of cases) {
    test(`${operation}(${a}, ${b}) is ${result}`, () => {
      const logic = new Logic("logic");
      logic.operation = operation;
      logic.inputA = a;
      logic.inputB = b;
      cookAt(logic, 0);
      expect(logic.result).toBe(result);
      expect(logic.value).toBe(result ? 1 : 0);
    });
  }

  test("toggle flips on rising edges only, re-cooks in the same frame, and survives a reload", () => {
    const logic = new Logic("logic");
    logic.operation = "toggle";
    cookAt(logic, 0);
    logic.dirty = false;
    expect(logic.value).toBe(0);
    logic.trigger(true);
    expect(logic.dirty).toBe(true);
    expect(cookAt(logic, 0).value).toBe(1);
    logic.trigger(true); // still held: no edge
    expect(cookAt(logic, 0).value).toBe(1);
    logic.trigger(false);
    logic.trigger(true);
    expect(cookAt(logic, 0).value).toBe(0);
    logic.trigger(false);
    logic.trigger(true);
    const reloaded = new Logic("logic");
    reloaded.operation = "toggle";
    reloaded.adopt(logic);
    expect(cookAt(reloaded, 0).value).toBe(1);
  });
});

describe("bind / bindDirect", () => {
  test("bind maps 0..1 onto min..max (default: the declared range); bindDirect uses the value as is", () => {
    const noise = new Noise("noise");
    let source = 0.5;
    noise.bind("scale", () => source, 2, 12);
    noise.updateBindings();
    expect(noise.scale).toBe(7);
    source = 1;
    noise.updateBindings();
    expect(noise.scale).toBe(12);
    noise.bind("persistence", () => 0.25); // declared 0..1
    noise.bind("octaves", () => 0.5); // int 1..8 → 4.5 → rounds to 5
    noise.bindDirect("offset", () => [source, 2, 3]);
    noise.updateBindings();
    expect(noise.persistence).toBe(0.25);
    expect(noise.octaves).toBe(5);
    expect(noise.offset).toEqual([1, 2, 3]);
    expect(noise.boundParams).toEqual(["scale", "persistence", "octaves", "offset"]);
  });

  test("assignment clears the binding; bad names, types and values say which param", () => {
    const noise = new Noise("noise");
    noise.bind("scale", () => 0.5, 2, 12);
    noise.scale = 3;
    noise.updateBindings();
    expect(noise.scale).toBe(3);
    expect(noise.boundParams).toEqual([]);
    expect(() => noise.bind("sclae", () => 1)).toThrow(/has no param "sclae"/);
    expect(() => noise.bind("offset", () => 1)).toThrow(/number params only; use bindDirect for a vec3/);
    noise.bindDirect("scale", () => Number.NaN);
    expect(() => noise.updateBindings()).toThrow(/noise.scale expects a finite number, got NaN \(from its binding\)/);
  });

  test("a bound param marks the operator dirty only when its value changes", () => {
    const noise = new Noise("noise");
    let source = 0.5;
    noise.bind("scale", () => source);
    noise.updateBindings();
    noise.dirty = false;
    noise.updateBindings();
    expect(noise.dirty).toBe(false);
    source = 0.6;
    noise.updateBindings();
    expect(noise.dirty).toBe(true);
  });

  test("in a chain: bindings run before the cook decision, reading this frame's LFO even when it was added later", async () => {
    const engine = await engineFor((ctx) => {
      const noise = ctx.chain.add(Noise, "noise").resolution(8, 8);
      noise.speed = 0;
      const lfo = ctx.chain.add(LFO, "lfo");
      lfo.waveform = "square";
      lfo.frequency = 6; // flips every 5 frames at 60 fps
      noise.bind("scale", () => lfo.value, 2, 12);
      const math = ctx.chain.add(MathOp, "math");
      math.operation = "multiply";
      math.inputB = 10;
      math.bindDirect("inputA", () => lfo.value);
      ctx.chain.output("noise");
    });
    const noise = engine.chain!.get("noise", Noise);
    const lfo = engine.chain!.get("lfo", LFO);
    const math = engine.chain!.get("math", MathOp);
    const cooked: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      const before = noise.cookedAt;
      engine.frame();
      cooked.push(noise.cookedAt !== before);
      expect(noise.scale).toBe(lfo.value === 1 ? 12 : 2);
      expect(math.value).toBe(lfo.value * 10);
    }
    // The square wave changes at frames 5 and 10 (0-based): noise cooks only then.
    expect(cooked.map((c, i) => (c ? i : -1)).filter((i) => i >= 0)).toEqual([5, 10]);
    engine.dispose();
  });

  test("value operators order before texture operators that have no inputs", () => {
    const chain = new Chain();
    chain.add(Noise, "noise");
    chain.add(LFO, "lfo");
    chain.output("noise");
    chain.resolve();
    expect(chain.processingOrder.map((op) => op.name)).toEqual(["lfo", "noise"]);
  });
});

void LFO_WAVEFORMS;
