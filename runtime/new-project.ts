/**
 * `vivid new <dir> [--template name] [--force] [--no-install]`: a project folder a user (or a coding
 * agent) can start from — the template's chain.ts, a package.json that depends on Vivid under the
 * name `vivid` (so `import … from "vivid"` resolves for editors and tsc through node_modules), a
 * tsconfig.json, a .gitignore and an AGENTS.md. Then `bun install` there, as `bun create` does, so
 * `bun vivid` and `bunx tsc --noEmit` work at once.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import pkg from "../package.json" with { type: "json" };

/** The package's own folder (the checkout, or node_modules/<name> where it is installed). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TEMPLATES_DIR = join(PACKAGE_ROOT, "templates");

/** Templates that render today, in the order --help lists them; the first is the default. */
export const TEMPLATES = ["blank", "noise", "feedback", "3d"] as const;
export type TemplateName = (typeof TEMPLATES)[number];
/** Templates the original had that wait for operators this port does not have yet. */
export const PLANNED_TEMPLATES: Record<string, string> = {
  audio: "there is no audio template yet (the audio operators exist: see examples/audio-reactive); choose blank, noise, feedback or 3d",
};

export class NewProjectError extends Error {
  override name = "NewProjectError";
  /** 2: the command line or the folder is not usable (nothing written); 1: writing or installing failed. */
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
  }
}

export interface NewProjectOptions {
  dir: string;
  template: string;
  force: boolean;
  install: boolean;
}

/** Checks the template and the folder; throws NewProjectError(…, 2) before anything is written. */
export function checkNewProject(options: NewProjectOptions): TemplateName {
  if (options.template in PLANNED_TEMPLATES) throw new NewProjectError(PLANNED_TEMPLATES[options.template]!, 2);
  if (!(TEMPLATES as readonly string[]).includes(options.template)) {
    throw new NewProjectError(`unknown template "${options.template}" (templates: ${TEMPLATES.join(", ")}; planned: ${Object.keys(PLANNED_TEMPLATES).join(", ")})`, 2);
  }
  const dir = resolve(options.dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new NewProjectError(`${options.dir} exists and is not a folder`, 2);
    const entries = readdirSync(dir);
    if (entries.length > 0 && !options.force) {
      throw new NewProjectError(`${options.dir} is not empty (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}); choose another folder, or add --force to write the project's files over what is there`, 2);
    }
  }
  return options.template as TemplateName;
}

/**
 * How the new project's package.json names Vivid: the same source this running copy was installed
 * from, so `bun install` there gets the same Vivid. Installed in a project (node_modules/<key>):
 * that project's own specifier, a tarball or folder path made relative to the new folder, a
 * registry range kept as a range of this package's name. Run from a checkout: that folder.
 */
export function vividDependencySpec(projectDir: string, packageRoot = PACKAGE_ROOT): string {
  const registryRange = (range: string) => `npm:${pkg.name}@${range}`;
  const marker = `${sep}node_modules${sep}`;
  const at = packageRoot.lastIndexOf(marker);
  if (at < 0) return `file:${relativeOrAbsolute(projectDir, packageRoot)}`;
  const owner = packageRoot.slice(0, at);
  const key = packageRoot.slice(at + marker.length);
  let spec: string | undefined;
  try {
    const ownerPkg = JSON.parse(readFileSync(join(owner, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    spec = ownerPkg.dependencies?.[key] ?? ownerPkg.devDependencies?.[key];
  } catch {
    // bunx's own temporary install, or a folder without package.json: fall back to the registry.
  }
  if (!spec || spec === "latest" || /^[\^~<>=\d*]/.test(spec)) return registryRange(spec && spec !== "latest" ? spec : `^${pkg.version}`);
  const path = spec.startsWith("file:") ? spec.slice("file:".length) : spec;
  if (path.startsWith(".") || isAbsolute(path)) return `file:${relativeOrAbsolute(projectDir, resolve(owner, path))}`;
  return spec; // a git URL, npm:…, a tarball URL: valid from anywhere
}

function relativeOrAbsolute(from: string, to: string): string {
  const rel = relative(from, to);
  if (rel === "") return ".";
  // Beside or below the project: relative, so the pair can move together; otherwise absolute.
  return rel.split(sep).filter((part) => part === "..").length <= 2 ? rel : to;
}

export function projectPackageJson(name: string, vividSpec: string): object {
  return {
    name,
    private: true,
    type: "module",
    scripts: {
      dev: "vivid",
      snapshot: "vivid --headless --frames 30 --snapshot snapshot.png",
    },
    dependencies: { vivid: vividSpec },
    devDependencies: {
      "@types/bun": pkg.devDependencies["@types/bun"],
      typescript: pkg.devDependencies.typescript,
    },
  };
}

/** The compiler options Vivid's own sources need (its types are its .ts files). */
export const PROJECT_TSCONFIG = {
  compilerOptions: {
    target: "ESNext",
    module: "Preserve",
    moduleResolution: "bundler",
    lib: ["ESNext", "DOM"],
    types: ["bun"],
    jsx: "react-jsx",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
  },
  include: ["**/*.ts"],
};

const GITIGNORE = `node_modules/
# bun vivid --snapshot / the dashboard's s key
snapshot*.png
`;

/** A package name from the folder's name (npm's rules: lower case, no spaces). */
function packageName(dir: string): string {
  return basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "vivid-project";
}

/** Writes the project; returns the paths written, relative to the folder. */
export function writeProject(options: NewProjectOptions): string[] {
  const template = checkNewProject(options);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const name = packageName(dir);
  const files: [string, string][] = [
    ["chain.ts", readFileSync(join(TEMPLATES_DIR, template, "chain.ts"), "utf8")],
    ["package.json", `${JSON.stringify(projectPackageJson(name, vividDependencySpec(dir)), null, 2)}\n`],
    ["tsconfig.json", `${JSON.stringify(PROJECT_TSCONFIG, null, 2)}\n`],
    [".gitignore", GITIGNORE],
    ["AGENTS.md", readFileSync(join(TEMPLATES_DIR, "AGENTS.md"), "utf8").replaceAll("{{name}}", name).replaceAll("{{template}}", template)],
  ];
  for (const [file, text] of files) writeFileSync(join(dir, file), text);
  return files.map(([file]) => file);
}

/** `bun install` in the new folder (Vivid, TypeScript, Bun's types). Returns the exit code. */
export function installProject(dir: string): number {
  const result = Bun.spawnSync([process.execPath, "install"], { cwd: resolve(dir), stdio: ["ignore", "inherit", "inherit"] });
  return result.exitCode ?? 1;
}

export function newProject(options: NewProjectOptions): number {
  const files = writeProject(options);
  const shown = relative(process.cwd(), resolve(options.dir)) || ".";
  console.log(`vivid: wrote ${shown}/ (${options.template}): ${files.join(", ")}`);
  if (options.install) {
    const code = installProject(options.dir);
    if (code !== 0) {
      console.error(`vivid: bun install in ${shown} failed (exit ${code}); the files are written, run bun install there again`);
      return 1;
    }
  }
  const steps = [
    ...(shown === "." ? [] : [`cd ${shown}`]),
    ...(options.install ? [] : ["bun install"]),
    "bun vivid                                               run it in a window; each save of chain.ts reloads",
    "bun vivid --headless --frames 30 --snapshot frame.png   a picture, without a window",
    "bunx tsc --noEmit                                       type-check",
  ];
  console.log(`\nNext:\n${steps.map((step) => `  ${step}`).join("\n")}`);
  return 0;
}
