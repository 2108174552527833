import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { native } from "../../helpers/native.ts";
import { diffImages } from "../../helpers/render.ts";
import { rgbaFloatToBytes } from "../../../runtime/snapshot.ts";
import type { TextureHandle } from "../../../runtime/gpu/gpu.ts";

// State hand-over on reload, with real chain files and Engine.reload on the real device: operators
// that keep their name and type keep their textures and state (Feedback's accumulated pixels);
// changing one operator's resolution or type rebuilds that operator only.
const { Engine } = native.engine;
const { Gpu } = native.gpu;

let gpu: import("../../../runtime/gpu/gpu.ts").Gpu;
let dir: string;
let engine: InstanceType<typeof Engine>;

function save(text: string): string {
  const file = join(dir, "chain.ts");
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
  return file;
}

/** a (moving Noise, or a SolidColor) over b (Gradient) in c (Composite, b's size), fed back in fb. */
const chain = ({ a = "Noise", size = "32, 32", decay = 0.9 } = {}) => `import { Noise, SolidColor, Gradient, Composite, Feedback } from "vivid";
export function setup(ctx) {
  const a = ctx.chain.add(${a}, "a").resolution(${size});
  ${a === "Noise" ? "a.speed = 2;" : "a.color = [0.2, 0.6, 0.9, 1];"}
  ctx.chain.add(Gradient, "b").resolution(32, 32);
  ctx.chain.add(Composite, "c").input("b", 0).input("a", 1);
  ctx.chain.add(Feedback, "fb").input("c").decay = ${decay};
  ctx.chain.output("fb");
}
`;

type Textures = Record<"a" | "b" | "c" | "fb0" | "fb1", TextureHandle>;
function textures(): Textures {
  const get = (name: string) => engine.chain!.get(name) as unknown as { outputTexture: TextureHandle; buffers?: TextureHandle[] };
  const fb = get("fb").buffers!;
  return { a: get("a").outputTexture, b: get("b").outputTexture, c: get("c").outputTexture, fb0: fb[0]!, fb1: fb[1]! };
}

/** GPU bytes held per operator, from the census. */
function bytesByOwner(): Record<string, number> {
  const owners = gpu.census.snapshot().owners;
  return Object.fromEntries(["a", "b", "c", "fb"].map((name) => [name, owners[name]?.bytes ?? 0]));
}

async function output(): Promise<Uint8Array> {
  return rgbaFloatToBytes((await engine.readOutput()).pixels);
}

beforeAll(async () => {
  gpu = await Gpu.open();
  dir = mkdtempSync(join(tmpdir(), "vivid-handover-"));
  save(chain());
  engine = new Engine(gpu, { projectDir: dir, chainFile: join(dir, "chain.ts"), width: 32, height: 32, fixedFps: 60 });
  const built = await engine.load();
  if (!built.ok) throw new Error(built.error.message);
});

afterAll(() => {
  engine.dispose();
  expect(gpu.census.live()).toBe(0);
  gpu.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Reloads, runs the frames the old chain needs to be released, returns the final ledger entry. */
async function reload(text: string) {
  const { entry, done } = await engine.reload(save(text));
  expect(entry.ok, entry.error?.message).toBe(true);
  for (let i = 0; i < 3; i++) engine.frame();
  return done;
}

describe("state hand-over", () => {
  test("a param-only reload: Feedback's accumulated pixels are the same after as before, then the trail carries on", async () => {
    for (let i = 0; i < 12; i++) engine.frame();
    const before = await output();
    const held = textures();
    const { entry, done } = await engine.reload(save(chain({ decay: 0.7 })));
    expect(entry.ok).toBe(true);
    for (const [name, texture] of Object.entries(textures())) expect(texture, name).toBe(held[name as keyof Textures]);
    expect(diffImages(before, await output()).maxAbs).toBe(0);
    for (let i = 0; i < 3; i++) engine.frame();
    const final = await done;
    expect(final.created.textures).toBe(0);
    expect(final.released.textures).toBe(0);
    // The trail carries on with the new decay exactly as it would have had 0.7 been set in place
    // at that frame, with no save: a reference engine on the same chain, 12 frames, decay = 0.7, 3 frames.
    const after = await output();
    const reference = new Engine(gpu, { projectDir: dir, chainFile: join(dir, "reference.ts"), width: 32, height: 32, fixedFps: 60 });
    try {
      writeFileSync(join(dir, "reference.ts"), chain());
      const loaded = await reference.load();
      if (!loaded.ok) throw new Error(loaded.error.message);
      for (let i = 0; i < 12; i++) reference.frame();
      (reference.chain!.get("fb") as unknown as { decay: number }).decay = 0.7;
      for (let i = 0; i < 3; i++) reference.frame();
      const expected = rgbaFloatToBytes((await reference.readOutput()).pixels);
      expect(diffImages(expected, after).maxAbs).toBeLessThanOrEqual(1);
      // …and that is a moving trail, not a frozen or blank one: it moved on from before the save.
      expect(diffImages(before, expected).meanAbs).toBeGreaterThan(0.5);
    } finally {
      reference.dispose();
    }
  });

  test("a new resolution for one operator makes that operator's texture only; the others keep theirs", async () => {
    const held = textures();
    const bytes = bytesByOwner();
    const final = await reload(chain({ decay: 0.7, size: "16, 16" }));
    const now = textures();
    expect(now.a).not.toBe(held.a);
    expect([now.a.width, now.a.height]).toEqual([16, 16]);
    for (const name of ["b", "c", "fb0", "fb1"] as const) expect(now[name], name).toBe(held[name]);
    expect(final.created.textures).toBe(1);
    expect(final.released.textures).toBe(1);
    expect(final.created.pipelines).toBe(0);
    const after = bytesByOwner();
    expect({ b: after.b, c: after.c, fb: after.fb }).toEqual({ b: bytes.b, c: bytes.c, fb: bytes.fb });
    expect(bytes.a! - after.a!).toBe((32 * 32 - 16 * 16) * 8); // rgba16float: 8 bytes a texel
  });

  test("a new type under the same name rebuilds that operator only; the others keep their textures and state", async () => {
    const held = textures();
    const bytes = bytesByOwner();
    const oldA = engine.chain!.get("a");
    const before = await output();
    const { entry, done } = await engine.reload(save(chain({ decay: 0.7, size: "16, 16", a: "SolidColor" })));
    expect(entry.ok, entry.error?.message).toBe(true);
    // Feedback adopted its buffers and which one is current: the first cook did not restart the trail.
    expect(diffImages(before, await output()).maxAbs).toBe(0);
    for (let i = 0; i < 3; i++) engine.frame();
    const final = await done;
    expect(engine.chain!.get("a").typeName).toBe("SolidColor");
    expect(engine.chain!.get("a")).not.toBe(oldA);
    const now = textures();
    expect(now.a).not.toBe(held.a);
    for (const name of ["b", "c", "fb0", "fb1"] as const) expect(now[name], name).toBe(held[name]);
    expect(final.created.textures).toBe(1);
    expect(final.released.textures).toBe(1);
    const after = bytesByOwner();
    expect({ b: after.b, c: after.c, fb: after.fb }).toEqual({ b: bytes.b, c: bytes.c, fb: bytes.fb });
  });
});
