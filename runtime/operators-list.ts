/**
 * `bun vivid operators [name] [--json | --markdown]`: every operator class exported by
 * operators/index.ts, with its params as declared (name, type, default, min, max, options). Nothing
 * here is written by hand: it is read from the declarations. `--markdown` is docs/operators.md
 * (tests/docs/reference.test.ts fails when the two differ).
 */
import * as operators from "../operators/index.ts";
import { Operator, type OperatorClass } from "./chain/operator.ts";
import type { ParamInfo } from "./chain/params.ts";
import { suggest } from "./reload/errors.ts";

export interface OperatorListing {
  name: string;
  output: string;
  description: string;
  inputs: number;
  params: ParamInfo[];
}

export function operatorListings(): OperatorListing[] {
  return (Object.values(operators) as unknown[])
    .filter((value): value is OperatorClass => typeof value === "function" && value.prototype instanceof Operator)
    .map((Type) => ({
      name: Type.name,
      output: Type.outputKind,
      description: Type.description ?? "",
      inputs: (Type as { inputCount?: number }).inputCount ?? 0,
      params: Object.entries(Type.params).map(([name, decl]) => ({ name, ...decl })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function formatValue(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(", ")}]` : typeof value === "string" ? `"${value}"` : String(value);
}

function formatParam(param: ParamInfo): string {
  const range = param.options ? ` (${param.options.join(" | ")})` : param.min !== undefined || param.max !== undefined ? ` [${param.min ?? ""}–${param.max ?? ""}]` : "";
  return `${param.name}: ${param.type} = ${formatValue(param.default)}${range}`;
}

/** The reference page: one section per operator, its params in a table. */
export function operatorsMarkdown(listings: OperatorListing[]): string {
  const lines = [
    "# Operator reference",
    "",
    "Generated from the operators' declarations by `bun vivid operators --markdown` (do not edit by hand;",
    "`tests/docs/reference.test.ts` fails when this page and the declarations differ). Every param is a",
    "property of the operator (`op.scale = 4`), checked against this type and range, and a uniform: setting one",
    "never compiles anything. Methods beyond params (`resolution`, `input`, `bind`, `SceneComposer.add`,",
    "Canvas drawing, …) are in each class's doc comments, which editors show.",
    "",
    `${listings.length} operator${listings.length === 1 ? "" : "s"}: ${listings.map((op) => `[${op.name}](#${op.name.toLowerCase()})`).join(", ")}.`,
  ];
  for (const op of listings) {
    lines.push("", `## ${op.name}`, "");
    const inputs = op.inputs ? `, ${op.inputs} input${op.inputs > 1 ? "s" : ""}` : ", no inputs";
    lines.push(`${op.description ? `${op.description}. ` : ""}Output: ${op.output}${inputs}.`);
    if (op.params.length === 0) {
      lines.push("", "No params.");
      continue;
    }
    lines.push("", "| param | type | default | range |", "|---|---|---|---|");
    for (const param of op.params) {
      const range = param.options ? param.options.map((option) => `\`${option}\``).join(" \\| ") : param.min !== undefined || param.max !== undefined ? `${param.min ?? ""} – ${param.max ?? ""}` : "";
      lines.push(`| \`${param.name}\` | ${param.type} | \`${formatValue(param.default)}\` | ${range} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function listOperators(name: string | undefined, format: "text" | "json" | "markdown"): number {
  let listings = operatorListings();
  if (name) {
    const all = listings;
    listings = listings.filter((l) => l.name.toLowerCase() === name.toLowerCase());
    if (listings.length === 0) {
      // A name that is not there is a mistake on the command line, as an unknown flag is: exit 2.
      console.error(`vivid: no operator named "${name}"${suggest(name, all.map((l) => l.name))} (see bun vivid operators)`);
      return 2;
    }
  }
  if (format === "json") {
    console.log(JSON.stringify(listings, null, 2));
    return 0;
  }
  if (format === "markdown") {
    process.stdout.write(operatorsMarkdown(listings));
    return 0;
  }
  for (const op of listings) {
    console.log(`${op.name}  (${op.output}${op.inputs ? `, ${op.inputs} input${op.inputs > 1 ? "s" : ""}` : ""})${op.description ? ` — ${op.description}` : ""}`);
    for (const param of op.params) console.log(`    ${formatParam(param)}`);
  }
  console.log(`${listings.length} operator${listings.length === 1 ? "" : "s"}`);
  return 0;
}
