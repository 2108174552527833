/**
 * The documentation lives in the repository and must stay true to it: a clone has nothing else.
 *
 * - Every relative markdown link in README.md and docs/**.md resolves to a file inside the repository,
 *   and a `#fragment` to a heading of that file (GitHub's heading ids).
 * - Every path to a markdown document named anywhere in those files or in a source file (a comment
 *   citing `docs/memory.md`, `docs/notes/…`), resolves inside the repository: a citation of a design
 *   document that was never committed (`../shared/…`, `DESIGN.md`, `notes/…` outside `docs/`) fails.
 * - Every repository path written in backticks in the docs exists.
 * - docs/architecture.md's file tree names only paths that exist, and names every folder of the
 *   repository and every file of runtime/, bench/ and scripts/.
 *
 * The repository's files are what git tracks plus new files git does not ignore, minus deleted ones.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const THIS_FILE = relative(ROOT, fileURLToPath(import.meta.url)).split(sep).join("/");
const ARCHITECTURE = "docs/architecture.md";

function repositoryFiles(): string[] {
  const listed = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT });
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed: ${listed.stderr.toString()}`);
  const files = listed.stdout.toString().split("\0").filter((file) => file !== "" && !file.startsWith("node_modules"));
  return [...new Set(files)].filter((file) => existsSync(join(ROOT, file))).sort();
}

const files = repositoryFiles();
const fileSet = new Set(files);
const folderSet = new Set(files.flatMap((file) => file.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
const topLevel = new Set(files.map((file) => file.split("/")[0]!));

/** Whether `path` (relative to the repository root, "/"-separated) is a file or folder of the repository. */
function existsInRepository(path: string): boolean {
  const clean = path.replace(/\/+$/, "");
  return fileSet.has(clean) || folderSet.has(clean);
}

/** `target` as a repository path when it resolves inside the repository from `fromDir`, else undefined. */
function inRepository(fromDir: string, target: string): string | undefined {
  const joined = posix.normalize(posix.join(fromDir, target));
  if (joined === ".." || joined.startsWith("../") || posix.isAbsolute(joined)) return undefined;
  return joined === "." ? "" : joined.replace(/\/$/, "");
}

/** Markdown text without fenced code blocks (links and headings inside them are not links or headings). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2… */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = match[1]!.replace(/`/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** Reads a repository file's text (for fragments), or undefined. */
type ReadText = (path: string) => string | undefined;

const readRepositoryText: ReadText = (path) => (fileSet.has(path) ? readFileSync(join(ROOT, path), "utf8") : undefined);

function checkFragment(target: string, fragment: string, readText: ReadText): string | undefined {
  if (!target.endsWith(".md")) return undefined;
  const text = readText(target);
  if (text === undefined) return undefined;
  return headingIds(text).has(fragment) ? undefined : `#${fragment} is not a heading of ${target}`;
}

// A path to a markdown document: optional ../ steps, then segments, ending in .md, optionally #fragment.
const MD_PATH = /(?<![\w@/.-])((?:\.{1,2}\/)*[\w@-][\w@.-]*(?:\/[\w@.-]+)*\.md)(?:#([\w-]+))?(?![\w/-])/g;
// A citation of a documentation folder, with or without a file: docs/…, notes/…, shared/…, ../…
const DOC_FOLDER_PATH = /(?<![\w@/.-])((?:\.{1,2}\/)*(?:docs|notes|shared)\/[\w@./-]*)/g;

function withoutUrls(text: string): string {
  return text.replace(/\b[a-z][\w+.-]*:\/\/[^\s)>\]"'`]+/gi, "");
}

/**
 * Problems with the document paths named in `text`, the content of repository file `file`. A name
 * resolves from the file's own folder, from the repository root, or from templates/ (the files
 * `vivid new` writes); one must land inside the repository on a file or folder that exists there.
 */
function citedPathProblems(file: string, text: string, exists: (path: string) => boolean, readText: ReadText = readRepositoryText): string[] {
  const problems: string[] = [];
  const fromDir = posix.dirname(file);
  // In markdown, a link's target is checked by markdownLinkProblems and its text is only a label.
  const prose = file.endsWith(".md") ? text.replace(/\[([^\]]*)\]\([^)]*\)/g, "") : text;
  const lines = withoutUrls(prose).split("\n");
  lines.forEach((line, index) => {
    const cited = new Map<string, string | undefined>();
    for (const match of line.matchAll(MD_PATH)) cited.set(match[1]!, match[2]);
    for (const match of line.matchAll(DOC_FOLDER_PATH)) {
      const path = match[1]!.replace(/[.,;:]+$/, "");
      if (![...cited.keys()].some((md) => md.includes(path))) cited.set(path, undefined);
    }
    for (const [path, fragment] of cited) {
      // templates/ holds the files `vivid new` writes into a project (AGENTS.md): naming one is naming it.
      const target = [inRepository(fromDir, path), inRepository(".", path), inRepository("templates", path)].find((candidate) => candidate !== undefined && exists(candidate));
      if (target === undefined) {
        problems.push(`${file}:${index + 1}: "${path}" does not resolve to a file inside the repository`);
        continue;
      }
      const bad = fragment && checkFragment(target, fragment, readText);
      if (bad) problems.push(`${file}:${index + 1}: ${bad}`);
    }
  });
  return problems;
}

/** Problems with the relative markdown links `[text](target)` of markdown file `file`. */
function markdownLinkProblems(file: string, markdown: string, exists: (path: string) => boolean, readText: ReadText = readRepositoryText): string[] {
  const problems: string[] = [];
  const fromDir = posix.dirname(file);
  withoutFences(markdown)
    .split("\n")
    .forEach((line, index) => {
      const outsideCode = line.replace(/`[^`]*`/g, "");
      for (const match of outsideCode.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const link = match[1]!;
        if (/^[a-z][\w+.-]*:/i.test(link)) continue; // https:, mailto:: not a file of this repository
        const [pathPart, fragment] = link.split("#", 2) as [string, string | undefined];
        const where = `${file}:${index + 1}: (${link})`;
        const target = pathPart === "" ? file : inRepository(fromDir, decodeURIComponent(pathPart));
        if (target === undefined) {
          problems.push(`${where} points outside the repository`);
          continue;
        }
        if (!exists(target)) {
          problems.push(`${where} does not exist`);
          continue;
        }
        const bad = fragment && checkFragment(target, fragment, readText);
        if (bad) problems.push(`${where}: ${bad}`);
      }
    });
  return problems;
}

/** Repository paths written in backticks (`runtime/gpu/gpu.ts`, `bun bench/run.ts`) that do not exist. */
function backtickPathProblems(file: string, markdown: string, exists: (path: string) => boolean, roots: Set<string>): string[] {
  const problems: string[] = [];
  withoutFences(markdown)
    .split("\n")
    .forEach((line, index) => {
      for (const span of line.matchAll(/`([^`]+)`/g)) {
        for (const word of span[1]!.split(/[\s,()]+/)) {
          const path = word.replace(/[.:;]+$/, "").replace(/:\d+(:\d+)?$/, "");
          const first = path.split("/")[0]!;
          if (!path.includes("/") && !fileSet.has(path)) continue;
          if (!roots.has(first) || /[<>*…{}|"']/.test(path)) continue;
          if (!exists(path)) problems.push(`${file}:${index + 1}: \`${path}\` is not a file or folder of the repository`);
        }
      }
    });
  return problems;
}

/** The paths in the first column of the file-tree table of docs/architecture.md. */
function fileTreePaths(markdown: string): string[] {
  const section = markdown.split(/^## The file tree[ \t]*$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error(`${ARCHITECTURE} has no "## The file tree" section`);
  const paths: string[] = [];
  for (const row of section.matchAll(/^\|([^|\n]+)\|/gm)) {
    for (const name of row[1]!.matchAll(/`([^`]+)`/g)) paths.push(name[1]!);
  }
  return paths;
}

const markdownFiles = files.filter((file) => file === "README.md" || (file.startsWith("docs/") && file.endsWith(".md")));
const SOURCE = /\.(ts|tsx|js|mjs|cjs|wgsl|sh)$/;
const sourceFiles = files.filter((file) => (SOURCE.test(file) || file === ".ci/run") && file !== THIS_FILE);
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

describe("the checks themselves", () => {
  const exists = (path: string) => ["docs/architecture.md", "docs/notes/window-surface.md", "docs", "docs/notes"].includes(path);
  const texts: Record<string, string> = { "docs/architecture.md": "# Architecture\n## One frame\n## One frame\n" };
  const readText: ReadText = (path) => texts[path];

  test("a design document outside the repository is reported, in a link and in a code span", () => {
    const readme = "Read `../shared/DESIGN.md`, or [the design](../shared/DESIGN.md), [ok](docs/architecture.md#one-frame).";
    expect(markdownLinkProblems("README.md", readme, exists, readText)).toEqual(["README.md:1: (../shared/DESIGN.md) points outside the repository"]);
    expect(citedPathProblems("README.md", readme, exists, readText)).toEqual([
      'README.md:1: "../shared/DESIGN.md" does not resolve to a file inside the repository',
    ]);
  });

  test("a fragment must name a heading; a repeated heading gets -1", () => {
    const doc = "[a](architecture.md#one-frame) [b](architecture.md#one-frame-1) [c](architecture.md#no-such)";
    expect(markdownLinkProblems("docs/index.md", doc, exists, readText)).toEqual([
      "docs/index.md:1: (architecture.md#no-such): #no-such is not a heading of docs/architecture.md",
    ]);
  });

  test("a source comment citing notes/ outside docs/, or DESIGN.md, is reported; docs/notes/ is not", () => {
    const source = [
      "// offsets in notes/window-surface.md",
      "// offsets in docs/notes/window-surface.md",
      " * Frame discipline (DESIGN.md §4)",
      "// see https://github.com/x/y/blob/main/DESIGN.md",
    ].join("\n");
    expect(citedPathProblems("runtime/gpu/surface.ts", source, exists, readText)).toEqual([
      'runtime/gpu/surface.ts:1: "notes/window-surface.md" does not resolve to a file inside the repository',
      'runtime/gpu/surface.ts:3: "DESIGN.md" does not resolve to a file inside the repository',
    ]);
  });

  test("heading ids follow GitHub: backticks and punctuation dropped, spaces to hyphens", () => {
    const ids = headingIds("## GPU objects: who owns them\n### Frame discipline: nothing created per frame\n```\n# not a heading\n```\n## `--stats` and --fit\n");
    expect([...ids]).toEqual(["gpu-objects-who-owns-them", "frame-discipline-nothing-created-per-frame", "--stats-and---fit"]);
  });
});

describe("the repository's documentation", () => {
  test("README.md and docs/ exist and README links to the architecture", () => {
    expect(markdownFiles).toContain("README.md");
    expect(markdownFiles).toContain(ARCHITECTURE);
    expect(read("README.md")).toMatch(/\]\(docs\/architecture\.md(#[\w-]+)?\)/);
  });

  test("every relative markdown link in README.md and docs/ resolves inside the repository", () => {
    const problems = markdownFiles.flatMap((file) => markdownLinkProblems(file, read(file), existsInRepository));
    expect(problems).toEqual([]);
  });

  test("every document path named in README.md, docs/ and the sources resolves inside the repository", () => {
    const problems = [...markdownFiles, ...sourceFiles].flatMap((file) => citedPathProblems(file, read(file), existsInRepository));
    expect(problems).toEqual([]);
  });

  test("every repository path in backticks in README.md and docs/ exists", () => {
    const problems = markdownFiles.flatMap((file) => backtickPathProblems(file, read(file), existsInRepository, topLevel));
    expect(problems).toEqual([]);
  });

  test("the architecture's file tree names only what exists, every folder, and every file of runtime/, bench/, scripts/", () => {
    const named = fileTreePaths(read(ARCHITECTURE)).map((path) => path.replace(/\/$/, ""));
    const missing = named.filter((path) => !existsInRepository(path)).map((path) => `${path} is named in the file tree but does not exist`);
    const namedSet = new Set(named);
    const folders = [...folderSet].filter((folder) => !namedSet.has(folder));
    const wanted = files.filter((file) => /^(runtime|bench|scripts)\//.test(file) && !namedSet.has(file));
    const unnamed = [...folders, ...wanted].sort().map((path) => `${path} exists but ${ARCHITECTURE}'s file tree has no line for it: add one`);
    expect(named.length).toBeGreaterThan(0);
    expect([...missing, ...unnamed]).toEqual([]);
  });
});
