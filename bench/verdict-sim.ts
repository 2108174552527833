/**
 * How the soak verdict (runtime/stats/growth.ts) behaves on synthetic series with known answers:
 * the half-width of the slope's interval and how often it says PASS or FAIL, for flat series with
 * normal noise, with a +7 MB 30-s bump, and with steady +6 MB/h growth; per block kind (RSS is
 * judged by 1-minute floors, the heap and GPU bytes by medians). docs/memory.md's table comes
 * from this.
 *
 *   bun bench/verdict-sim.ts [runs]     (default 400 runs per cell)
 */
import { judgeGrowth } from "../runtime/stats/growth.ts";
import { seededRandom } from "../tests/runtime/stats/synthetic.ts";

const runs = Number(process.argv[2] ?? 400);

function normal(seed: number, sd: number): () => number {
  const random = seededRandom(seed);
  return () => sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function judge(block: "median" | "floor", minutes: number, sd: number, seed: number, slopeMBh = 0, bumpAtS?: number) {
  const noise = normal(seed, sd);
  const t: number[] = [];
  const mb: number[] = [];
  for (let s = 0; s <= minutes * 60; s += 10) {
    const bump = bumpAtS !== undefined && s >= bumpAtS && s < bumpAtS + 30 ? 7 : 0;
    t.push(s);
    mb.push(200 + (slopeMBh * s) / 3600 + noise() + bump);
  }
  return judgeGrowth(t, mb, { limitMBh: 1, block });
}

const percent = (count: number) => `${Math.round((100 * count) / runs)} %`;
for (const block of ["floor", "median"] as const) {
  console.log(`${block}s (limit 1 MB/h, ${runs} runs per cell)`);
  for (const minutes of [10, 17, 27, 40]) {
    const cells: string[] = [];
    for (const sd of [0.35, 0.45]) {
      let halfWidth = 0;
      let pass = 0;
      let fail = 0;
      for (let seed = 1; seed <= runs; seed++) {
        const j = judge(block, minutes, sd, seed);
        halfWidth += (j.upperMBh! - j.lowerMBh!) / 2;
        if (j.state === "pass") pass++;
        if (j.state === "fail") fail++;
      }
      cells.push(`noise ${sd} MB: ±${(halfWidth / runs).toFixed(2)} MB/h, PASS ${percent(pass)}, FAIL ${fail}`);
    }
    console.log(`  ${String(minutes).padStart(2)} min  ${cells.join("   ")}`);
  }
  let bumpPass = 0;
  let bumpFail = 0;
  let fail29 = 0;
  let fail17 = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const bumped = judge(block, 27, 0.35, seed, 0, 60 + ((seed * 37) % 1500));
    if (bumped.state === "pass") bumpPass++;
    if (bumped.state === "fail") bumpFail++;
    if (judge(block, 29, 0.35, seed, 6).state === "fail") fail29++;
    if (judge(block, 17, 0.35, seed, 6).state === "fail") fail17++;
  }
  console.log(`  flat 27 min with a +7 MB 30-s bump: PASS ${percent(bumpPass)}, FAIL ${bumpFail}`);
  console.log(`  +6 MB/h: FAIL ${percent(fail29)} over 29 min, ${percent(fail17)} over 17 min`);
}
