import type { CensusSnapshot } from "../gpu/census.ts";

/** What the dashboard shows besides stats. `census` is read at each redraw (≤ 4 Hz), never per frame. */
export interface DashboardInfo {
  project: string;
  adapter: string;
  /** How per-pixel operators run: "fragment" or "compute" passes. */
  dispatch?: string;
  width: number;
  height: number;
  paused?: boolean;
  census?: () => CensusSnapshot;
  /** The web inspector's link, when it runs (runtime/inspector). */
  inspector?: string;
}

/** The keys, by meaning: q, r, s, p (and Ctrl+C as quit, since raw mode swallows SIGINT). */
export type DashboardAction = "quit" | "reload" | "snapshot" | "pause";
