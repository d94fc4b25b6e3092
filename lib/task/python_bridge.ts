/**
 * The METR Task Standard bridge: runs an unmodified METR-format Python task family
 * (`<family>/<family>.py` defining `class TaskFamily`) as an evalkit {@link TaskFamily}.
 *
 * - **Build (METR's build order).** Each family version gets a task image ({@link familyRecipe}): a Debian
 *   base with the standard's runtime (`python`/`python3` 3.11, pip, pytest), the `agent` user, our
 *   `metr_task_standard` package, the family's files in `/root` (root-only; `qa/` left out), then
 *   `TaskFamily.install()` run as root **with network**, with the family's required environment variables.
 *   Images are cached by a content hash of all of that, per driver.
 * - **Load time.** `get_tasks()`, `get_instructions()`, `get_permissions()` and `get_aux_vm_spec()` are read
 *   *inside the built image* (a sandbox with no network, as root, cwd `/root`); the description is cached by
 *   the same hash, so a second load starts nothing. One task whose hooks fail, whose name METR allows but
 *   whose aux VM evalkit cannot provide, is reported and skipped; its siblings load.
 * - **Metadata** is optional (see metr_manifest.ts).
 * - **Run time.** Sandboxes start from the image; `start(t)` runs as root, `score(t, submission)` as root at
 *   the end, through {@link TaskContext.root} (`python3 -I -B`, cwd `/root`, a clean environment plus the
 *   family's required variables). The helper writes its reply to a fresh root-only file under `/root/.metr`,
 *   read back as root with a cap.
 * - **Scores** as the standard says: `None` is manual scoring, NaN is refused, a float outside [0, 1] is kept
 *   and flagged by the environment; `score` and `intermediate_score` may both be defined; with
 *   `intermediate_score` only, the final score is `aggregate_scores` of the log (or `None` without it).
 * - **QA.** METR's format has no reference solutions. Convention: `qa/solution_<task>.sh` and
 *   `qa/wrong_<task>.sh`, run as the agent through stdin; `qa/cheat_<name>.sh` declares a cheating attempt.
 *   The family's own pytest files (`*_test.py`) run with `deno task qa --family-tests`.
 *
 * See docs/python-bridge.md.
 * @module
 */
import { z } from "../deps/zod.ts";
import {
  defineMetrTaskFamily,
  type FamilyTestOutcome,
  type IntermediateScore,
  type TaskContext,
  type TaskFamily,
} from "./define.ts";
import { TaskHookError, TaskLoadError, TaskLoadWarning } from "./errors.ts";
import { sha256Hex } from "../util/hash.ts";
import type { ExecResult, ImageFile, ImageRecipe, SandboxDriver } from "../sandbox/types.ts";
import { createRootRunner, type RootRunner } from "./privileged.ts";
import { FamilyName, type MetrTaskManifestInput, Permissions, TaskName } from "./schema.ts";
import { type MetrManifest, metrTaskMetadata, readManifest } from "./metr_manifest.ts";

/** Separator line printed by taskhelper.py before its one JSON result line. */
export const HELPER_SEPARATOR = "SEP_evalkit_7Qm2xVb9";
/** Where the family's files go inside the sandbox (METR's image layout). */
export const SANDBOX_FAMILY_DIR = "/root";
/** Root-only directory for helper replies and the intermediate-score log inside the sandbox. */
export const SANDBOX_HELPER_DIR = "/root/.metr";
/** Where the image holds the helper (root-only). */
export const IMAGE_HELPER_PATH = "/opt/evalkit/taskhelper.py";
/** Where the image holds our `metr_task_standard` package (on every Debian python3's path). */
const IMAGE_SITE_PACKAGES = "/usr/lib/python3/dist-packages";
/** The standard's runtime in every METR family image: `python` and `python3` (3.11), pip, pytest. */
export const METR_BASE_PACKAGES = [
  "python3",
  "python3-pip",
  "python-is-python3",
  "python3-pytest",
  "ca-certificates",
];
/** Bump when the recipe below changes, so every family image is rebuilt. */
const BRIDGE_RECIPE_VERSION = 2;
/** Most bytes of a helper reply or score log read back from the sandbox. */
const REPLY_LIMIT_BYTES = 16 * 1024 * 1024;
const SCORE_LOG_PATH = `${SANDBOX_HELPER_DIR}/score_log.json`;
/** The family's interpreter inside the image (found on PATH, as METR's driver runs `python`). */
const PYTHON = "python3";
/** The host's interpreter for reading `required_environment_variables` before the build. */
const HOST_PYTHON = "/usr/bin/python3";

/** Options of {@link loadPythonFamily}. */
export interface PythonBridgeOptions {
  /** Cache directory for load-time descriptions. Default `$EVALKIT_CACHE_DIR` or `~/.cache/evalkit`. */
  cacheDir?: string;
  /** Time limit of the load-time description, ms. Default 30 000. */
  describeTimeoutMs?: number;
  /** Use the bubblewrap jail when available (default true); otherwise a plain subprocess with a timeout. */
  jail?: boolean;
  /**
   * The driver that builds the image and reads the description in it when it is not cached. Default: the
   * local driver when this machine can run it, else docker.
   */
  driver?: SandboxDriver;
  /** Progress lines (image builds). Default: to stderr. */
  log?: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------------
// The helper protocol

const HelperError = z.object({
  kind: z.string(),
  message: z.string(),
  file: z.string().nullable().optional(),
  line: z.number().nullable().optional(),
});
type HelperError = z.infer<typeof HelperError>;

const HelperReply = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: HelperError }),
]);
type HelperReply = z.infer<typeof HelperReply>;

/** What `taskhelper.py describe` reports about a family. */
export const FamilyDescription = z.object({
  /** `null` when the family does not say (a warning, not an error). */
  standardVersion: z.unknown(),
  tasks: z.record(
    z.string(),
    z.object({
      instructions: z.unknown(),
      permissions: z.unknown(),
      data: z.unknown(),
      /** The VMSpec `get_aux_vm_spec(t)` returned, or null. */
      auxVmSpec: z.unknown().optional(),
    }),
  ),
  /** Tasks whose hooks raised while being described, with the error. */
  taskErrors: z.record(z.string(), HelperError).optional(),
  requiredEnvironmentVariables: z.unknown(),
  hooks: z.object({
    install: z.boolean(),
    start: z.boolean(),
    score: z.boolean(),
    intermediate_score: z.boolean(),
    aggregate_scores: z.boolean(),
    teardown: z.boolean(),
    get_aux_vm_spec: z.boolean().optional(),
  }),
  skipChownAfterStart: z.boolean(),
});
/** What `taskhelper.py describe` reports about a family. */
export type FamilyDescription = z.infer<typeof FamilyDescription>;

/**
 * Parse the helper's output: everything up to the last separator line is the family's own output and
 * is ignored; the line after it is one JSON reply. Returns undefined when there is no valid reply.
 */
export function parseHelperOutput(stdout: string): HelperReply | undefined {
  const marker = `\n${HELPER_SEPARATOR}\n`;
  const at = ("\n" + stdout).lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = ("\n" + stdout).slice(at + marker.length).split("\n")[0];
  try {
    const parsed = HelperReply.safeParse(JSON.parse(rest));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function describeError(error: HelperError): string {
  const where = error.file ? ` (${error.file}${error.line ? ` line ${error.line}` : ""})` : "";
  return `${error.message}${where}`;
}

function helperFieldOf(family: string, error: HelperError): string {
  if (error.file) return error.line ? `${error.file}:${error.line}` : error.file;
  return `${family}.py`;
}

// ---------------------------------------------------------------------------------------------------
// The family's image and its description

const helperUrl = new URL("./taskhelper.py", import.meta.url);
const packageUrl = new URL("./metr_python/", import.meta.url);

async function helperSource(): Promise<string> {
  return await Deno.readTextFile(helperUrl);
}

/**
 * Every entry but directories under `root` (skipping `__pycache__` and the top-level names in `skipTop`),
 * sorted by path; `isFile` is false for links and special files.
 */
async function* sortedFiles(
  root: string,
  skipTop: readonly string[] = [],
  rel = "",
): AsyncGenerator<{ path: string; relPath: string; isFile: boolean }> {
  const entries = [];
  for await (const entry of Deno.readDir(rel ? `${root}/${rel}` : root)) entries.push(entry);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const entry of entries) {
    if (entry.name === "__pycache__" || (rel === "" && skipTop.includes(entry.name))) continue;
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory) yield* sortedFiles(root, skipTop, relPath);
    else yield { path: `${root}/${relPath}`, relPath, isFile: entry.isFile };
  }
}

/** Content key of a family: helper source + every text file's content + other files' size/mtime (not qa/). */
async function familyKey(familyDir: string, helper: string): Promise<string> {
  const parts: string[] = [`helper\0${helper}`];
  for await (const { path, relPath } of sortedFiles(familyDir, ["qa"])) {
    if (/\.(py|ya?ml|json|txt|md|sh)$/.test(relPath)) {
      parts.push(`${relPath}\0${await Deno.readTextFile(path)}`);
    } else {
      const info = await Deno.stat(path);
      parts.push(`${relPath}\0${info.size}\0${info.mtime?.getTime() ?? 0}`);
    }
  }
  return await sha256Hex(new TextEncoder().encode(parts.join("\n\0\n")));
}

/** Our `metr_task_standard` package (and its dist-info), as image files under the image's site-packages. */
async function metrPackageFiles(): Promise<ImageFile[]> {
  const files: ImageFile[] = [];
  const root = decodeURIComponent(packageUrl.pathname).replace(/\/$/, "");
  for await (const { path, relPath, isFile } of sortedFiles(root)) {
    if (isFile) {
      files.push({ path: `${IMAGE_SITE_PACKAGES}/${relPath}`, data: await Deno.readFile(path), mode: 0o644 });
    }
  }
  return files;
}

/** Prefix of the line a failed build-time helper run prints with its structured error (JSON). */
const BUILD_ERROR_MARKER = "EVALKIT_HELPER_ERROR ";

/**
 * The load error for a failed image build: the helper's own error (a syntax or import error with its file
 * and line, a raising install()) when the build printed one, else the build failure as it is.
 */
function buildLoadError(family: string, error: unknown): TaskLoadError {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n").reverse().find((l) => l.startsWith(BUILD_ERROR_MARKER));
  let reported: unknown;
  try {
    reported = line ? JSON.parse(line.slice(BUILD_ERROR_MARKER.length)) : undefined;
  } catch {
    reported = undefined;
  }
  const parsed = HelperError.safeParse(reported);
  if (parsed.success) {
    return new TaskLoadError(
      family,
      undefined,
      helperFieldOf(family, parsed.data),
      describeError(parsed.data),
    );
  }
  return new TaskLoadError(family, undefined, "image build", message);
}

/**
 * The build step for `install()`: the helper's reply goes to a root-only file; the step fails (non-zero
 * exit, the family's message last) unless it says ok, so a raising install() fails the build.
 */
function installStep(family: string, env: Record<string, string>) {
  const reply = "/opt/evalkit/install-reply.json";
  const check = "import json,sys\n" +
    `r=json.load(open(${JSON.stringify(reply)}))\n` +
    `print(${
      JSON.stringify(BUILD_ERROR_MARKER)
    } + json.dumps(r['error']), file=sys.stderr) if not r['ok'] else None\n` +
    "sys.exit(0 if r['ok'] else 1)\n";
  return {
    what: "install()",
    argv: [
      "/bin/sh",
      "-c",
      `rm -f ${reply}; ${PYTHON} -I -B ${IMAGE_HELPER_PATH} /root "$1" - install --reply ${reply} && ` +
      `${PYTHON} -I -B -c "$2"; status=$?; rm -f ${reply}; exit $status`,
      "evalkit-install",
      family,
      check,
    ],
    env,
    timeoutMs: 60 * 60_000,
  };
}

/**
 * The task image of a METR family (METR's build order, see the module doc). `env` holds the values of the
 * family's required environment variables; they are part of the key (hashed), since install() may use them.
 */
export async function familyRecipe(
  familyDir: string,
  family: string,
  packages: readonly string[],
  env: Record<string, string>,
  /** The family's content key when the caller has computed it already. */
  filesKey?: string,
): Promise<Omit<ImageRecipe, "log">> {
  const helper = await helperSource();
  const packageFiles = await metrPackageFiles();
  const allPackages = [...new Set([...METR_BASE_PACKAGES, ...packages])].sort();
  const envHash = await sha256Hex(JSON.stringify(Object.entries(env).sort()));
  const packageHash = await sha256Hex(
    packageFiles.map((file) => `${file.path}\0${new TextDecoder().decode(file.data)}`).join("\n"),
  );
  const key = await sha256Hex(
    [
      `recipe=${BRIDGE_RECIPE_VERSION}`,
      `family=${family}`,
      `files=${filesKey ?? await familyKey(familyDir, helper)}`,
      `package=${packageHash}`,
      `packages=${allPackages.join(",")}`,
      `env=${envHash}`,
    ].join("\n"),
  );
  return {
    name: family,
    key,
    packages: allPackages,
    rootFiles: { hostDir: familyDir, exclude: ["qa"] },
    files: [
      // Readable by all: sandbox root must read it in the local driver (where image files owned by the host's
      // root are nobody's), and it holds nothing secret (it is evalkit's own published helper).
      { path: IMAGE_HELPER_PATH, data: new TextEncoder().encode(helper), mode: 0o644 },
      ...packageFiles,
    ],
    steps: [installStep(family, env)],
  };
}

function defaultCacheDir(): string {
  const explicit = Deno.env.get("EVALKIT_CACHE_DIR");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/evalkit`;
  return `${Deno.env.get("HOME") ?? "/tmp"}/.cache/evalkit`;
}

let bwrapAvailable: boolean | undefined;
async function hasBwrap(): Promise<boolean> {
  if (bwrapAvailable !== undefined) return bwrapAvailable;
  try {
    const out = await new Deno.Command("bwrap", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    bwrapAvailable = out.success;
  } catch {
    bwrapAvailable = false;
  }
  return bwrapAvailable;
}

/**
 * Python that imports the family module and prints its `required_environment_variables` (or null when the
 * module cannot be imported here): the one thing read on the host, before the build, because install()
 * needs the values. METR's own build imports the module before install(), so a valid family imports here.
 */
const ENV_NAMES_PROGRAM = `
import importlib.util, json, sys
d, f, sep = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, d)
names = None
try:
    spec = importlib.util.spec_from_file_location(f, d + "/" + f + ".py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[f] = module
    spec.loader.exec_module(module)
    value = getattr(module.TaskFamily, "required_environment_variables", [])
    names = [str(name) for name in value] if isinstance(value, (list, tuple)) else None
except BaseException:
    names = None
sys.stdout.write("\\n" + sep + "\\n" + json.dumps({"ok": True, "result": names}) + "\\n")
`;

/** The jailed command line that reads a family's required environment variable names on the host. */
function envNamesCommand(familyDir: string, family: string, jail: boolean): string[] {
  const program = [HOST_PYTHON, "-I", "-B", "-c", ENV_NAMES_PROGRAM];
  if (!jail) return [...program, familyDir, family, HELPER_SEPARATOR];
  return [
    "bwrap",
    "--unshare-all",
    "--unshare-user",
    "--uid",
    "65534",
    "--gid",
    "65534",
    "--die-with-parent",
    "--new-session",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--ro-bind",
    familyDir,
    "/family",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--clearenv",
    "--setenv",
    "PATH",
    "/usr/bin:/bin",
    "--setenv",
    "HOME",
    "/tmp",
    "--chdir",
    "/family",
    ...program,
    "/family",
    family,
    HELPER_SEPARATOR,
  ];
}

/**
 * The family's `required_environment_variables`, read on the host in a jail (no network, no host files but
 * /usr, an unmapped uid), cached by the family's content key like the description, so a load that finds
 * everything cached runs no Python. Undefined when the module does not import on the host (install() then
 * runs without them and fails with its own message if it needs one).
 */
async function requiredEnvironmentNames(
  familyDir: string,
  family: string,
  filesKey: string,
  options: PythonBridgeOptions,
): Promise<string[] | undefined> {
  const cacheFile = `${options.cacheDir ?? defaultCacheDir()}/python-family-env/${family}-v1-${
    filesKey.slice(0, 32)
  }.json`;
  const cached = await Deno.readTextFile(cacheFile).then((text) => JSON.parse(text)).catch(() => undefined);
  if (isStringList(cached)) return cached;
  const names = await readEnvironmentNames(familyDir, family, options);
  if (names) await writeCache(cacheFile, names);
  return names;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Writes a cache file; a read-only cache is not an error. */
async function writeCache(file: string, value: unknown): Promise<void> {
  try {
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, JSON.stringify(value));
  } catch { /* not cached */ }
}

/** Runs {@link ENV_NAMES_PROGRAM} on the host (jailed unless told not to). */
async function readEnvironmentNames(
  familyDir: string,
  family: string,
  options: PythonBridgeOptions,
): Promise<string[] | undefined> {
  const jail = (options.jail ?? true) && await hasBwrap();
  const [cmd, ...args] = envNamesCommand(familyDir, family, jail);
  try {
    const output = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(options.describeTimeoutMs ?? 30_000),
      ...(jail ? {} : { cwd: familyDir, clearEnv: true, env: { PATH: "/usr/bin:/bin", HOME: "/tmp" } }),
    }).output();
    const reply = parseHelperOutput(new TextDecoder().decode(output.stdout));
    const names = reply?.ok ? reply.result : undefined;
    return isStringList(names) ? names : undefined;
  } catch {
    return undefined;
  }
}

/** The host's values of `names`, or the first name that is unset. */
function hostValues(names: readonly string[]): { env: Record<string, string>; missing?: string } {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = Deno.env.get(name);
    if (value === undefined) return { env, missing: name };
    env[name] = value;
  }
  return { env };
}

/** The host's values of `names` for loading (install() needs them); throws naming the first one unset. */
function hostEnvironment(family: string, names: readonly string[]): Record<string, string> {
  const { env, missing } = hostValues(names);
  if (missing !== undefined) {
    throw new TaskLoadError(
      family,
      undefined,
      "required_environment_variables",
      `${missing} is not set on the host; install(), start() and score() need it (METR: required_environment_variables)`,
    );
  }
  return env;
}

/** The local driver when this machine can run it, else docker (both throw with the fix when neither can). */
async function defaultDriver(): Promise<SandboxDriver> {
  const sandbox = await import("../sandbox/mod.ts");
  try {
    return await sandbox.createSandboxDriver("local");
  } catch (localError) {
    try {
      return await sandbox.createSandboxDriver("docker");
    } catch {
      throw localError;
    }
  }
}

/** Runs one helper op as root in `sandbox` (cwd /root, clean env); resolves to its parsed reply. */
async function runHelperIn(
  root: RootRunner,
  who: { family: string; label: string; task?: string },
  op: string,
  env: Record<string, string>,
  options: { stdin?: string; timeoutMs?: number; extraArgs?: string[] } = {},
): Promise<unknown> {
  // The reply goes to a fresh root-only file, never stdout: a child of the family could print after us.
  const replyPath = `${SANDBOX_HELPER_DIR}/reply-${crypto.randomUUID()}.json`;
  let result: ExecResult;
  let replyText: string | undefined;
  let removed = false;
  try {
    result = await root.exec(
      [
        PYTHON,
        "-I",
        "-B",
        IMAGE_HELPER_PATH,
        SANDBOX_FAMILY_DIR,
        who.family,
        who.task ?? "-",
        op,
        ...(options.extraArgs ?? []),
        "--reply",
        replyPath,
      ],
      { cwd: SANDBOX_FAMILY_DIR, env, stdin: options.stdin ?? "", timeoutMs: options.timeoutMs },
    );
    // Read and remove the reply in one exec (each exec is an engine round trip, 60-90 ms in docker): a
    // fresh process whose stdout nothing else holds, a regular file only, capped.
    const read = await root.exec(["/bin/sh", "-c", READ_AND_REMOVE_REPLY, "evalkit-reply", replyPath], {
      timeoutMs: 30_000,
      outputLimitBytes: REPLY_LIMIT_BYTES,
    }).catch(() => undefined);
    removed = read !== undefined;
    if (read && read.exitCode === 0 && !read.truncated) replyText = read.stdout;
  } finally {
    if (!removed) await root.exec(["rm", "-f", "--", replyPath], { timeoutMs: 30_000 }).catch(() => {});
  }
  const reply = replyText === undefined ? undefined : parseHelperReply(replyText);
  if (!reply) {
    const why = result.timedOut ? "timed out" : `exited with code ${result.exitCode}`;
    const tail = result.stderr.trim().split("\n").slice(-3).join(" | ");
    throw new TaskHookError(who.label, op, `taskhelper ${why} without a result${tail ? `: ${tail}` : ""}`);
  }
  if (!reply.ok) throw new HelperReplyError(who.label, op, reply.error);
  return reply.result;
}

/**
 * `sh -c` body reading the helper's reply file (`$1`: a regular file, not a link) to stdout and removing it;
 * exit 3 when there is none. The caller caps the output at {@link REPLY_LIMIT_BYTES}.
 */
const READ_AND_REMOVE_REPLY = `if [ -f "$1" ] && [ ! -L "$1" ]; then cat -- "$1"; rc=$?; else rc=3; fi
rm -f -- "$1"
exit $rc`;

/** A hook error the helper reported (an exception in the family's code), keeping its file and line. */
class HelperReplyError extends TaskHookError {
  constructor(label: string, op: string, readonly error: HelperError) {
    super(label, op, describeError(error));
  }
}

/** Makes the root-only helper directory in a fresh sandbox. */
async function prepareHelperDir(root: RootRunner, label: string): Promise<void> {
  const made = await root.exec([
    "/bin/sh",
    "-c",
    `mkdir -p ${SANDBOX_HELPER_DIR} && chmod 700 ${SANDBOX_HELPER_DIR}`,
  ]);
  if (made.exitCode !== 0) {
    throw new TaskHookError(label, "setup", `could not create ${SANDBOX_HELPER_DIR}: ${made.stderr}`);
  }
}

/**
 * Describe a family inside its built image (building it if needed), cached under
 * `<cacheDir>/python-families/<family>-<key>.json`.
 */
export async function describePythonFamily(
  family: string,
  recipe: Omit<ImageRecipe, "log">,
  options: PythonBridgeOptions = {},
): Promise<FamilyDescription> {
  const cacheFile = `${options.cacheDir ?? defaultCacheDir()}/python-families/${family}-${
    recipe.key.slice(0, 32)
  }.json`;
  try {
    const cached = FamilyDescription.safeParse(JSON.parse(await Deno.readTextFile(cacheFile)));
    if (cached.success) return cached.data;
  } catch { /* not cached */ }
  const driver = options.driver ?? await defaultDriver();
  const log = options.log ?? ((line: string) => console.error(`evalkit: ${line}`));
  let image;
  try {
    image = await driver.buildImage({ ...recipe, log });
  } catch (error) {
    throw buildLoadError(family, error);
  }
  const sandbox = await driver.create({ label: `${family}/describe`, image, memoryGb: 2 });
  let result: unknown;
  try {
    const root = createRootRunner(`${family}/describe`, sandbox);
    await prepareHelperDir(root, family);
    try {
      result = await runHelperIn(root, { family, label: family }, "describe", {}, {
        timeoutMs: options.describeTimeoutMs ?? 120_000,
      });
    } catch (error) {
      if (error instanceof HelperReplyError) {
        throw new TaskLoadError(
          family,
          undefined,
          helperFieldOf(family, error.error),
          describeError(error.error),
        );
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new TaskLoadError(
        family,
        undefined,
        `${family}.py`,
        `describing the family in its image failed: ${message}`,
      );
    }
  } finally {
    await sandbox.close();
  }
  const parsed = FamilyDescription.safeParse(result);
  if (!parsed.success) {
    throw new TaskLoadError(
      family,
      undefined,
      `${family}.py`,
      `unexpected helper reply: ${parsed.error.message}`,
    );
  }
  await writeCache(cacheFile, parsed.data);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------
// Hooks acting in the sandbox

function runHelper(
  ctx: TaskContext,
  op: string,
  env: Record<string, string>,
  options: { stdin?: string; timeoutMs?: number; extraArgs?: string[] } = {},
): Promise<unknown> {
  return runHelperIn(
    ctx.root,
    { family: ctx.family, label: ctx.taskId, task: ctx.taskName },
    op,
    env,
    options,
  );
}

/** Parse a reply file written by `taskhelper.py --reply` (one JSON object); undefined when malformed. */
export function parseHelperReply(text: string): HelperReply | undefined {
  try {
    const parsed = HelperReply.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function requiredEnv(ctx: TaskContext, names: string[], hook: string): Record<string, string> {
  const { env, missing } = hostValues(names);
  if (missing !== undefined) {
    throw new TaskHookError(
      ctx.taskId,
      hook,
      `required environment variable ${missing} is not set on the host (TaskFamily.required_environment_variables)`,
    );
  }
  return env;
}

/**
 * A score as METR's standard allows: null (manual scoring) or a finite number. A number outside [0, 1] is
 * passed on (the environment keeps it and flags it); NaN and anything else are a {@link TaskHookError}.
 */
function checkScore(ctx: TaskContext, hook: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TaskHookError(
      ctx.taskId,
      hook,
      `returned ${JSON.stringify(value)}, not a finite number or null`,
    );
  }
  return value;
}

const SCRIPT_TIMEOUT_MS = 300_000;

/** Run one QA script (`qa/<file>`) as the agent; resolves to the submission it made. */
async function runQaScript(ctx: TaskContext, file: string, hook: string): Promise<string> {
  const path = `${ctx.familyDir}/qa/${file}`;
  let script: string;
  try {
    script = await Deno.readTextFile(path);
  } catch {
    throw new TaskHookError(ctx.taskId, hook, `no qa/${file} in the family directory`);
  }
  await ctx.sandbox.exec(["rm", "-f", "/home/agent/submission.txt"], { user: "agent" });
  const lib = await copyQaLib(ctx, hook);
  let result: ExecResult;
  try {
    result = await ctx.sandbox.exec(["bash", "-s"], {
      user: "agent",
      cwd: "/home/agent",
      stdin: script,
      env: { EVALKIT_TASK: ctx.taskName, ...(lib ? { EVALKIT_QA_LIB: lib } : {}) },
      timeoutMs: SCRIPT_TIMEOUT_MS,
    });
  } finally {
    if (lib) await ctx.sandbox.exec(["rm", "-rf", "--", lib], { user: "agent" }).catch(() => {});
  }
  if (result.exitCode !== 0) {
    const tail = (result.stderr || result.stdout).trim().split("\n").slice(-5).join(" | ");
    throw new TaskHookError(ctx.taskId, hook, `qa/${file} exited ${result.exitCode}: ${tail}`);
  }
  // Read as the agent, capped, refusing a symlink: never root's `cat` of an agent path.
  const present = await ctx.sandbox.exec(["test", "-e", "/home/agent/submission.txt"], { user: "agent" });
  if (present.exitCode === 0) return await ctx.readAgentFile("/home/agent/submission.txt");
  const lines = result.stdout.split("\n").filter((l) => l.trim() !== "");
  return lines.length ? lines[lines.length - 1] : "";
}

/** Most a family's `qa/lib/` may hold (the files are written into the sandbox for every QA script). */
const QA_LIB_LIMIT_BYTES = 4 << 20;

/**
 * Files a family's QA scripts share (a reference implementation used by several solution and wrong-attempt
 * scripts): the regular files directly in `qa/lib/` are written, as the agent, into a fresh directory under
 * `/tmp` for the duration of one script, named by `$EVALKIT_QA_LIB`, and removed after it. Like every file
 * under `qa/` they are private: they enter a sandbox only while a QA script (reference, wrong attempt, cheat)
 * runs, never in an agent's run. Returns the directory, or undefined when the family has no `qa/lib/`.
 */
async function copyQaLib(ctx: TaskContext, hook: string): Promise<string | undefined> {
  const dir = `${ctx.familyDir}/qa/lib`;
  const files: { name: string; bytes: Uint8Array }[] = [];
  let total = 0;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile) continue;
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(entry.name)) {
        throw new TaskHookError(
          ctx.taskId,
          hook,
          `qa/lib/${JSON.stringify(entry.name)}: not a plain file name`,
        );
      }
      const bytes = await Deno.readFile(`${dir}/${entry.name}`);
      total += bytes.length;
      if (total > QA_LIB_LIMIT_BYTES) {
        throw new TaskHookError(ctx.taskId, hook, `qa/lib/ holds more than ${QA_LIB_LIMIT_BYTES} bytes`);
      }
      files.push({ name: entry.name, bytes });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  if (files.length === 0) return undefined;
  const lib = `/tmp/evalkit-qa-lib-${crypto.randomUUID()}`;
  const made = await ctx.sandbox.exec(["mkdir", "-m", "700", "--", lib], { user: "agent" });
  if (made.exitCode !== 0) {
    throw new TaskHookError(ctx.taskId, hook, `could not create ${lib}: ${made.stderr}`);
  }
  for (const f of files.sort((a, b) => a.name.localeCompare(b.name))) {
    await ctx.sandbox.writeFile(`${lib}/${f.name}`, f.bytes, { owner: "agent", mode: 0o600 });
  }
  return lib;
}

/** The family's pytest files: `*_test.py` at the top of its directory (METR's convention), not `<family>.py`. */
async function listFamilyTests(familyDir: string, family: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(familyDir)) {
    if (entry.name === `${family}.py`) continue;
    if (entry.isFile && /^[A-Za-z0-9_.-]+_test\.py$/.test(entry.name)) files.push(entry.name);
  }
  return files.sort();
}

const FAMILY_TEST_TAIL_LINES = 30;

/**
 * Runs the family's pytest files the way METR's driver does: pytest in the image, as root, cwd `/root`,
 * after `start`, told the family and task with `--task-standard-task-family-name` /
 * `--task-standard-task-name` (METR's option names; our `metr_task_standard` pytest plugin reads them).
 * Exit 5 (nothing collected for this task) is `none`.
 */
async function runFamilyTests(
  ctx: TaskContext,
  files: string[],
  env: Record<string, string>,
): Promise<FamilyTestOutcome> {
  const result = await ctx.root.exec(
    [
      PYTHON,
      "-I",
      "-B",
      "-m",
      "pytest",
      "-p",
      "no:cacheprovider",
      "-rA",
      `--task-standard-task-family-name=${ctx.family}`,
      `--task-standard-task-name=${ctx.taskName}`,
      "--",
      ...files,
    ],
    { cwd: SANDBOX_FAMILY_DIR, env, timeoutMs: 1_800_000 },
  );
  const output = `${result.stdout}\n${result.stderr}`.trim().split("\n");
  const status = result.exitCode === 0 ? "passed" : result.exitCode === 5 ? "none" : "failed";
  return {
    files,
    status,
    exitCode: result.exitCode,
    outputTail: output.slice(-FAMILY_TEST_TAIL_LINES).join("\n"),
  };
}

async function listQaFiles(familyDir: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${familyDir}/qa`)) {
      if (entry.isFile) files.push(`qa/${entry.name}`);
    }
  } catch { /* no qa dir */ }
  return files.sort();
}

// ---------------------------------------------------------------------------------------------------
// The loader entry point

/**
 * Load a METR-format Python task family directory as an evalkit {@link TaskFamily}: reads its manifest (if
 * any), its required environment variable names (on the host, jailed), builds its image (or finds it cached)
 * and describes it inside. Per-task problems (a hook that raised while describing, a name METR does not
 * allow, permissions other than `[]`/`["full_internet"]`, an aux VM) become the family's `loadErrors` and
 * that task is skipped; a missing `standard_version` is a warning.
 *
 * @param familyDir directory `tasks/<name>/` containing `<name>.py` (class TaskFamily)
 * @throws TaskLoadError when the family as a whole cannot load (bad name, no `<name>.py`, invalid manifest,
 *   an unset required environment variable, a failed image build or an import error)
 */
export async function loadPythonFamily(
  familyDir: string,
  options: PythonBridgeOptions = {},
): Promise<TaskFamily> {
  const dir = await Deno.realPath(familyDir);
  const family = dir.slice(dir.lastIndexOf("/") + 1);
  const validName = FamilyName.safeParse(family);
  if (!validName.success) {
    throw new TaskLoadError(family, undefined, "name", validName.error.issues[0].message);
  }
  try {
    await Deno.stat(`${dir}/${family}.py`);
  } catch {
    throw new TaskLoadError(family, undefined, `${family}.py`, `${family}.py not found in ${dir}`);
  }
  const manifest = await readManifest(dir, family);
  const filesKey = await familyKey(dir, await helperSource());
  const envNames = await requiredEnvironmentNames(dir, family, filesKey, options) ?? [];
  const hostEnv = hostEnvironment(family, envNames);
  const recipe = await familyRecipe(dir, family, manifest?.meta?.packages ?? [], hostEnv, filesKey);
  const description = await describePythonFamily(family, recipe, options);

  const loadErrors: TaskLoadError[] = [];
  const loadWarnings: TaskLoadWarning[] = [];
  let standardVersion = description.standardVersion;
  if (standardVersion === null || standardVersion === undefined) {
    loadWarnings.push(
      new TaskLoadWarning(family, undefined, "standard_version", "TaskFamily.standard_version is missing"),
    );
    standardVersion = "unknown";
  } else if (typeof standardVersion !== "string") {
    throw new TaskLoadError(
      family,
      undefined,
      "standard_version",
      "TaskFamily.standard_version must be a string",
    );
  } else if (!/^\d+\.\d+\.\d+$/.test(standardVersion)) {
    loadWarnings.push(
      new TaskLoadWarning(
        family,
        undefined,
        "standard_version",
        `${JSON.stringify(standardVersion)} is not a version like 0.3.0; recorded as unknown`,
      ),
    );
    standardVersion = "unknown";
  }
  const described = description.requiredEnvironmentVariables;
  if (!Array.isArray(described) || !described.every((n) => typeof n === "string")) {
    throw new TaskLoadError(family, undefined, "required_environment_variables", "must be a list of strings");
  }
  const hooks = description.hooks;
  const qaFiles = await listQaFiles(dir);
  const testFiles = await listFamilyTests(dir, family);
  const familyPrivate = manifest?.meta?.private_files ?? [];

  for (const [name, error] of Object.entries(description.taskErrors ?? {})) {
    loadErrors.push(new TaskLoadError(family, name, helperFieldOf(family, error), describeError(error)));
  }
  const tasks: Record<string, MetrTaskManifestInput> = {};
  for (const [name, task] of Object.entries(description.tasks)) {
    try {
      tasks[name] = describedTask(family, name, task, manifest, qaFiles, familyPrivate, loadWarnings);
    } catch (error) {
      if (!(error instanceof TaskLoadError)) throw error;
      loadErrors.push(error);
    }
  }
  for (const name of Object.keys(manifest?.tasks ?? {})) {
    if (!(name in description.tasks) && !(name in (description.taskErrors ?? {}))) {
      loadWarnings.push(
        new TaskLoadWarning(
          family,
          name,
          `manifest.yaml tasks.${name}`,
          "get_tasks() does not return this task",
        ),
      );
    }
  }

  const env = (ctx: TaskContext, hook: string) => requiredEnv(ctx, described as string[], hook);
  const hasQa = (kind: string) => qaFiles.some((f) => f.startsWith(`qa/${kind}_`));
  const cheatFiles = qaFiles.filter((f) => /^qa\/cheat_[a-z0-9][a-z0-9_]*\.sh$/.test(f));

  return defineMetrTaskFamily({
    name: family,
    version: manifest?.version ?? "1.0.0",
    standardVersion: standardVersion as string,
    packages: recipe.packages,
    image: recipe,
    tasks,
    loadErrors,
    loadWarnings,
    async setup(ctx) {
      const vars = env(ctx, "setup");
      await prepareHelperDir(ctx.root, ctx.taskId);
      await runHelper(ctx, "start", vars, { timeoutMs: 600_000 });
    },
    async score(ctx, submission) {
      const vars = env(ctx, "score");
      if (hooks.score) {
        const value = await runHelper(ctx, "score", vars, { stdin: submission, timeoutMs: 600_000 });
        return checkScore(ctx, "score", value);
      }
      if (hooks.intermediate_score) {
        // METR: with intermediate scoring the final score is aggregate_scores of the log (None without it).
        await appendIntermediate(ctx, vars);
        if (!hooks.aggregate_scores) return null;
        const value = await runHelper(ctx, "aggregate_scores", vars, {
          extraArgs: ["--score-log", SCORE_LOG_PATH],
          timeoutMs: 600_000,
        });
        return checkScore(ctx, "aggregate_scores", value);
      }
      return null; // No score method: manual scoring.
    },
    ...(hooks.intermediate_score
      ? {
        intermediateScore: async (ctx: TaskContext): Promise<IntermediateScore> => {
          return await appendIntermediate(ctx, env(ctx, "intermediateScore"));
        },
      }
      : {}),
    ...(hooks.teardown
      ? {
        teardown: async (ctx: TaskContext) => {
          await runHelper(ctx, "teardown", env(ctx, "teardown"), { timeoutMs: 300_000 });
        },
      }
      : {}),
    ...(testFiles.length
      ? {
        familyTests: (ctx: TaskContext) => runFamilyTests(ctx, testFiles, env(ctx, "familyTests")),
      }
      : {}),
    ...(hasQa("solution")
      ? { solution: (ctx: TaskContext) => runQaScript(ctx, `solution_${ctx.taskName}.sh`, "solution") }
      : {}),
    ...(hasQa("wrong")
      ? { wrongAttempt: (ctx: TaskContext) => runQaScript(ctx, `wrong_${ctx.taskName}.sh`, "wrongAttempt") }
      : {}),
    ...(cheatFiles.length
      ? {
        cheats: Object.fromEntries(
          cheatFiles.map((f) => {
            const name = f.slice("qa/cheat_".length, -".sh".length);
            return [name, (ctx: TaskContext) => runQaScript(ctx, `cheat_${name}.sh`, `cheat:${name}`)];
          }),
        ),
      }
      : {}),
  });
}

/** One described task as a manifest entry, or a {@link TaskLoadError} naming what keeps it from loading. */
function describedTask(
  family: string,
  name: string,
  described: FamilyDescription["tasks"][string],
  manifest: MetrManifest | undefined,
  qaFiles: string[],
  familyPrivate: string[],
  warnings: TaskLoadWarning[],
): MetrTaskManifestInput {
  const validTask = TaskName.safeParse(name);
  if (!validTask.success) {
    throw new TaskLoadError(family, name, "get_tasks()", validTask.error.issues[0].message);
  }
  if (described.auxVmSpec !== undefined && described.auxVmSpec !== null) {
    throw new TaskLoadError(
      family,
      name,
      "get_aux_vm_spec()",
      "this task needs an aux VM, which evalkit's sandboxes do not provide (METR's standard: a driver " +
        "without aux-VM support must fail the build)",
    );
  }
  if (typeof described.instructions !== "string" || described.instructions.trim() === "") {
    throw new TaskLoadError(family, name, "get_instructions()", "must return a non-empty string");
  }
  const permissions = Permissions.safeParse(described.permissions);
  if (!permissions.success) {
    throw new TaskLoadError(
      family,
      name,
      "get_permissions()",
      `must return [] or ["full_internet"], got ${JSON.stringify(described.permissions)}`,
    );
  }
  const entry = manifest?.tasks[name] ?? undefined;
  const { metadata, warnings: metaWarnings } = metrTaskMetadata(family, name, manifest);
  warnings.push(...metaWarnings);
  const taskPrivate = Array.isArray(entry?.meta?.private_files) ? entry.meta.private_files as string[] : [];
  return {
    ...metadata,
    instructions: described.instructions,
    permissions: permissions.data,
    resources: {
      cpus: Math.min(entry?.resources?.cpus ?? 1, 2),
      memoryGb: Math.min(entry?.resources?.memory_gb ?? 2, 24),
      // METR's storage_gb is the task's disk; it caps each writable mount here.
      diskGb: Math.min(entry?.resources?.storage_gb ?? 2, 64),
    },
    privateFiles: [...new Set([...qaFiles, ...familyPrivate, ...taskPrivate])],
    data: { metrTask: described.data },
  };
}

const ScoreLogEntry = z.object({
  score: z.number().nullable(),
  message: z.unknown().optional(),
  details: z.unknown().optional(),
  scoredAt: z.string(),
  createdAt: z.string(),
  elapsedTime: z.number(),
});
type ScoreLogEntry = z.infer<typeof ScoreLogEntry>;

async function readScoreLog(ctx: TaskContext): Promise<ScoreLogEntry[]> {
  // The log is root-only and written by the bridge alone; read as root, without following a link, capped.
  const present = await ctx.root.exec(["test", "-f", SCORE_LOG_PATH]);
  if (present.exitCode !== 0) return [];
  const text = await ctx.sandbox.readTextFile(SCORE_LOG_PATH, { as: "root", maxBytes: REPLY_LIMIT_BYTES });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new TaskHookError(ctx.taskId, "intermediate_score", `${SCORE_LOG_PATH} is not valid JSON`);
  }
  const parsed = z.array(ScoreLogEntry).safeParse(raw);
  return parsed.success ? parsed.data : [];
}

/** Run intermediate_score once and append it to the root-only score log that aggregate_scores reads. */
async function appendIntermediate(
  ctx: TaskContext,
  vars: Record<string, string>,
): Promise<IntermediateScore> {
  const started = new Date();
  const raw = await runHelper(ctx, "intermediate_score", vars, { timeoutMs: 600_000 });
  const info = z.object({ score: z.unknown(), message: z.unknown(), details: z.unknown() }).safeParse(raw);
  if (!info.success) throw new TaskHookError(ctx.taskId, "intermediate_score", "malformed helper reply");
  const score = checkScore(ctx, "intermediate_score", info.data.score);
  const log = await readScoreLog(ctx);
  const first = log[0] ? Date.parse(log[0].createdAt) : started.getTime();
  log.push({
    score,
    message: info.data.message ?? null,
    details: info.data.details ?? null,
    scoredAt: new Date().toISOString(),
    createdAt: started.toISOString(),
    elapsedTime: started.getTime() - first,
  });
  await ctx.sandbox.writeFile(SCORE_LOG_PATH, JSON.stringify(log), { owner: "root", mode: 0o600 });
  return { score, message: info.data.message ?? undefined };
}
