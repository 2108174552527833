import { afterAll, describe, expect, test } from "vitest";
import { BLEND_MODES, Composite, SolidColor, Switch } from "../../operators/index.ts";
import type { Chain } from "../../runtime/chain/chain.ts";
import { engineFor, regionMean, render, sharedGpu } from "../helpers/render.ts";
import { checkDeclaration, checkStruct, colorSource, effectTests, noiseSource, SIZE, type EffectCase } from "./effect-cases.ts";

afterAll(async () => {
  const gpu = await sharedGpu();
  expect(gpu.census.live()).toBe(0);
});

const COMPOSITE_TABLE = "`opacity` float=1 [0–1]";
const COMPOSITE_MODES = { param: "mode", values: ["Over", "Add", "Multiply", "Screen", "Overlay", "Difference"], default: "Over" };

const CASES: EffectCase[] = [
  ...BLEND_MODES.map(
    (mode): EffectCase => ({
      golden: `composite-${mode}`,
      Type: Composite,
      original: COMPOSITE_TABLE,
      modes: COMPOSITE_MODES,
      inputs: (chain) => [colorSource(chain), noiseSource(chain)],
      configure: (op: Composite) => ((op.mode = mode), (op.opacity = 0.7)),
      change: (op: Composite) => (op.opacity = 0.2),
    }),
  ),
  {
    golden: "switch",
    Type: Switch,
    original: "`index` int=0 [0–7]; `blend` float=0 [0–1]",
    inputs: (chain) => [colorSource(chain), noiseSource(chain)],
    configure: (op: Switch) => (op.blend = 0.3),
    change: (op: Switch) => (op.index = 1),
  },
];

for (const c of CASES) {
  describe(c.golden, () => {
    effectTests(c);
    if (c.golden.startsWith("composite-") && c.golden !== "composite-over") return;
    test(`${c.Type.name}: params() match the original's table`, () => checkDeclaration(c));
    test(`${c.Type.name}: struct Params matches the declaration and its offset comments`, () => checkStruct(c.Type as never));
  });
}

/** Solid colours "c0".."c<n-1>" (rgba each) for exact blend arithmetic. */
function solids(chain: Chain, colors: number[][]): string[] {
  return colors.map((color, i) => {
    const solid = chain.add(SolidColor, `c${i}`).resolution(SIZE, SIZE);
    solid.color = color;
    return `c${i}`;
  });
}

async function centre(setup: (chain: Chain) => void): Promise<number[]> {
  const engine = await engineFor((ctx) => setup(ctx.chain));
  const image = await render(engine, 1);
  engine.dispose();
  return regionMean(image, SIZE / 2, SIZE / 2, 1, 1);
}

describe("Composite", () => {
  test("blends 8 inputs in one pass, in order, each layer weighted by its alpha × opacity", async () => {
    // Add mode: base 0, then seven layers of 0.1 red at alpha 0.5 → 7 × 0.05 = 0.35 red.
    const rgba = await centre((chain) => {
      const names = solids(chain, [[0, 0, 0, 1], ...Array.from({ length: 7 }, () => [0.1, 0, 0, 0.5])]);
      const comp = chain.add(Composite, "comp");
      names.forEach((name, i) => comp.input(name, i));
      comp.mode = "add";
      chain.output("comp");
    });
    expect(rgba[0]).toBeCloseTo(0.35 * 255, -0.5);
    expect(rgba.slice(1)).toEqual([0, 0, 255]);
  });

  test("the modes compute what their names say (base 0.6 grey, layer 0.5 grey, opacity 1)", async () => {
    const expected: Record<string, number> = { over: 0.5, add: 1.1, multiply: 0.3, screen: 0.8, overlay: 1 - 2 * 0.4 * 0.5, difference: 0.1 };
    for (const mode of BLEND_MODES) {
      const rgba = await centre((chain) => {
        const [base, layer] = solids(chain, [
          [0.6, 0.6, 0.6, 1],
          [0.5, 0.5, 0.5, 1],
        ]);
        const comp = chain.add(Composite, "comp").inputA(base!).inputB(layer!);
        comp.mode = mode;
        chain.output("comp");
      });
      // Output bytes clamp at 255 (add goes over 1 in the 16-bit float texture); ±1 for 16-bit float rounding.
      const want = Math.min(255, expected[mode]! * 255);
      expect({ mode, off: Math.abs(rgba[0]! - want) <= 1 }).toEqual({ mode, off: true });
    }
  });

  test("no inputs, or more than 8, is an error naming the fix", async () => {
    await expect(
      engineFor((ctx) => {
        ctx.chain.add(Composite, "comp");
        ctx.chain.output("comp");
      }),
    ).rejects.toThrow(/takes 1 to 8 inputs, has 0/);
    await expect(
      engineFor((ctx) => {
        const names = solids(ctx.chain, Array.from({ length: 9 }, () => [0, 0, 0, 1]));
        const comp = ctx.chain.add(Composite, "comp");
        names.forEach((name, i) => comp.input(name, i));
        ctx.chain.output("comp");
      }),
    ).rejects.toThrow(/takes 1 to 8 inputs, has 9/);
  });
});

describe("Switch", () => {
  const COLORS = [
    [1, 0, 0, 1],
    [0, 1, 0, 1],
    [0, 0, 1, 1],
  ];
  async function switched(index: number, blend: number): Promise<number[]> {
    return centre((chain) => {
      const sw = chain.add(Switch, "sw");
      solids(chain, COLORS).forEach((name, i) => sw.input(name, i));
      sw.index = index;
      sw.blend = blend;
      chain.output("sw");
    });
  }

  test("index selects; blend crossfades to the next input, wrapping after the last; index clamps", async () => {
    expect((await switched(1, 0)).slice(0, 3)).toEqual([0, 255, 0]);
    const half = await switched(1, 0.5);
    expect(half[1]).toBeCloseTo(127.5, -0.5);
    expect(half[2]).toBeCloseTo(127.5, -0.5);
    const wrapped = await switched(2, 0.25);
    expect(wrapped[0]).toBeCloseTo(0.25 * 255, -0.5);
    expect(wrapped[2]).toBeCloseTo(0.75 * 255, -0.5);
    expect((await switched(7, 0)).slice(0, 3)).toEqual([0, 0, 255]);
  });
});
