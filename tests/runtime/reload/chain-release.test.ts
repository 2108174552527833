import { afterAll, expect, test } from "vitest";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";

// A replaced chain must become garbage: nothing the engine keeps may reach it. In a 47-minute soak
// the JS heap grew ~0.1 MB per reload because each new chain kept a closure over the engine's
// build() scope, and with it the chain it replaced (10 MB of heap per 1000 reloads in
// bench/reload-loop.ts). Here: weak references to the first chains, 20 reloads, a full collection.
const { Engine } = native.engine;
const { Gpu } = native.gpu;
const dir = mkdtempSync(join(tmpdir(), "vivid-chain-release-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chainFile = join(dir, "chain.ts");
const chain = (i: number) => `import { Noise } from "vivid";
export function setup(ctx) {
  ctx.chain.add(Noise, "noise").resolution(16, 16).scale = ${i % 2 ? 4 : 7};
  ctx.chain.output("noise");
}
export function update(ctx) { ctx.debug("frame", ctx.frame); }
`;
function save(text: string) {
  writeFileSync(`${chainFile}.tmp`, text);
  renameSync(`${chainFile}.tmp`, chainFile);
}

test("chains replaced by reloads are collected: the engine keeps only the running one", async () => {
  const gpu = await Gpu.open();
  save(chain(0));
  const engine = new Engine(gpu, { projectDir: dir, chainFile, width: 16, height: 16, fixedFps: 60 });
  const first = await engine.load();
  if (!first.ok) throw new Error(first.error.message);
  const replaced: WeakRef<object>[] = [new WeakRef(first.chain)];
  for (let i = 1; i <= 20; i++) {
    save(chain(i));
    const { entry, done } = await engine.reload(chainFile);
    expect(entry.ok, `reload ${i}`).toBe(true);
    for (let f = 0; f < 4; f++) engine.frame();
    await done;
    if (i < 10) replaced.push(new WeakRef(engine.chain!));
  }
  await gpu.idle();
  for (let i = 0; i < 3; i++) {
    Bun.gc(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const alive = replaced.filter((ref) => ref.deref() !== undefined).length;
  expect(alive, "replaced chains still reachable").toBe(0);
  await engine.dispose();
  gpu.destroy();
});
