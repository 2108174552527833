import { afterAll, expect, test } from "vitest";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";

// Many reload transactions on the real device — param edits, structural edits that add and remove
// an operator, syntax errors — then back to the first chain: every GPU object a reload made is
// released again. (bench/reload-loop.ts runs the same loop 4000 times and prints the RSS slope.)
const { Engine } = native.engine;
const { Gpu } = native.gpu;
const dir = mkdtempSync(join(tmpdir(), "vivid-reload-census-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chainFile = join(dir, "chain.ts");
const chain = (i: number) => `import { Noise, Blur } from "vivid";
export function setup(ctx) {
  const noise = ctx.chain.add(Noise, "noise").resolution(32, 32);
  noise.scale = ${i % 2 ? 4 : 7};
${i % 10 === 3 ? '  ctx.chain.add(Blur, "blur").input("noise");\n  ctx.chain.output("blur");' : '  ctx.chain.output("noise");'}
}
`;
function save(text: string) {
  writeFileSync(`${chainFile}.tmp`, text);
  renameSync(`${chainFile}.tmp`, chainFile);
}

test("300 reloads of every kind, then the first chain again: census live counts as at the start", async () => {
  const gpu = await Gpu.open();
  save(chain(0));
  const engine = new Engine(gpu, { projectDir: dir, chainFile, width: 32, height: 32, fixedFps: 60 });
  const first = await engine.load();
  if (!first.ok) throw new Error(first.error.message);
  for (let f = 0; f < 3; f++) engine.frame();
  await gpu.idle();
  const live = () => Object.fromEntries(Object.entries(gpu.census.snapshot().kinds).map(([kind, c]) => [kind, c.live]));
  const before = live();

  let ok = 0;
  let structural = 0;
  for (let i = 1; i <= 300; i++) {
    const broken = i % 25 === 0;
    save(broken ? chain(i).replace("noise.scale =", "noise.scale = =") : chain(i));
    const { entry, done } = await engine.reload(chainFile);
    expect(entry.ok, `reload ${i}`).toBe(!broken);
    for (let f = 0; f < 3; f++) engine.frame();
    const final = await done;
    if (final.ok) ok++;
    if (final.ok && final.created.pipelines > 0) structural++;
  }
  save(chain(0));
  const back = await engine.reload(chainFile);
  for (let f = 0; f < 3; f++) engine.frame();
  await back.done;
  await gpu.idle();

  expect(ok).toBe(288);
  // Adding Blur compiles its pipeline (its cache entry was released when Blur left the chain).
  expect(structural).toBeGreaterThanOrEqual(29);
  expect(live()).toEqual(before);
  engine.dispose();
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
}, 60_000);
