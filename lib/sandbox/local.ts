/**
 * The `local` driver: one bubblewrap sandbox per run on this machine, no container engine needed.
 *
 * Each sandbox is a long-lived `bwrap` whose payload (`sleep infinity`) owns fresh mount, PID, IPC, UTS
 * and (unless the task is permitted the network) network namespaces. The host is visible read-only through
 * a whitelist of system directories only (/usr, /etc and the /bin, /lib… links); the project, /root, /home
 * and every other host directory are invisible. A per-run host directory is bound writable at /home/agent
 * (uid 1000) and another at /root (root, mode 700). Every exec enters the namespaces with `nsenter`, so all
 * commands share the sandbox's files, /tmp, network and processes; agent commands then drop to the real
 * unprivileged uid 1000 with `setpriv` (no capabilities, no new privileges), so they cannot read root's
 * files nor signal root's processes.
 *
 * @module
 */
import {
  BaseSandbox,
  newSandboxId,
  type RunRequest,
  type RunResult,
  SANDBOX_PATH,
  SandboxGoneError,
} from "./base.ts";
import {
  bootId,
  processIsAlive,
  processStartTime,
  registerSandbox,
  sweepOncePerProcess,
  unregisterSandbox,
} from "./cleanup.ts";
import { runHostProcess } from "./host_process.ts";
import { aptInstallCommand, missingHostPackages, normalizePackages } from "./packages.ts";
import { delay } from "./timeout.ts";
import { AGENT_HOME, AGENT_UID, type SandboxDriver, SandboxSpec, SandboxUnavailableError } from "./types.ts";
import { z } from "zod";

/** Options of the local driver. */
export interface LocalDriverOptions {
  /** Where per-run directories live. Default `$EVALKIT_SANDBOX_DIR`, else `/tmp/evalkit-sandboxes`. */
  baseDir?: string;
  /** PATH searched for `bwrap`, `nsenter` and `setpriv`. Default the process's PATH. */
  searchPath?: string;
  /** Extra host directories made visible read-only at the same path. Default none. */
  readOnlyBinds?: string[];
  /** Show the host's /usr/local (hidden by default: it holds host-specific tools, unlike a task image). */
  showUsrLocal?: boolean;
}

/** Default directory for per-run directories. */
export function defaultLocalBaseDir(): string {
  return Deno.env.get("EVALKIT_SANDBOX_DIR") || "/tmp/evalkit-sandboxes";
}

const OwnerRecord = z.object({
  pid: z.number().int(),
  startTime: z.number().optional(),
  bootId: z.string(),
  label: z.string(),
  bwrapPid: z.number().int().optional(),
  bwrapStartTime: z.number().optional(),
});
type OwnerRecord = z.infer<typeof OwnerRecord>;
const OWNER_FILE = "owner.json";

/**
 * Most processes the agent user may own (RLIMIT_NPROC, counted per uid across the machine), so a fork bomb
 * stops there instead of exhausting the host. The docker driver's equivalent is PidsLimit.
 */
export const AGENT_MAX_PROCESSES = 4096;

/** `setpriv` flags that make the agent a real unprivileged uid with no way back to privilege. */
const AGENT_PRIVILEGE_DROP = [
  `--reuid=${AGENT_UID}`,
  `--regid=${AGENT_UID}`,
  "--clear-groups",
  "--no-new-privs",
  "--inh-caps=-all",
  "--bounding-set=-all",
  "--",
];

function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(":")) {
    if (!dir) continue;
    const candidate = `${dir}/${name}`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The host tools the local driver needs, resolved; throws {@link SandboxUnavailableError} with the fix. */
export function localPreflight(searchPath: string = Deno.env.get("PATH") ?? ""): {
  bwrap: string;
  nsenter: string;
  setpriv: string;
} {
  if (Deno.build.os !== "linux") {
    throw new SandboxUnavailableError("local", "bubblewrap needs Linux; use --sandbox docker");
  }
  const bwrap = findOnPath("bwrap", searchPath);
  if (!bwrap) {
    throw new SandboxUnavailableError(
      "local",
      "bubblewrap (bwrap) is not installed or not on PATH; install it with `apt-get install -y bubblewrap`, " +
        "or use --sandbox docker. evalkit never runs an agent unisolated.",
    );
  }
  const nsenter = findOnPath("nsenter", searchPath);
  const setpriv = findOnPath("setpriv", searchPath);
  if (!nsenter || !setpriv) {
    throw new SandboxUnavailableError(
      "local",
      "nsenter/setpriv (package util-linux) not found on PATH; install it with `apt-get install -y util-linux`",
    );
  }
  if (Deno.uid() !== 0) {
    throw new SandboxUnavailableError(
      "local",
      "the local driver must run as root (it keeps task-private files root-only and runs the agent as uid " +
        `${AGENT_UID}); run as root or use --sandbox docker`,
    );
  }
  return { bwrap, nsenter, setpriv };
}

function rewriteAccounts(text: string, line: string, idField: number): string {
  const kept = text.split("\n").filter((entry) => {
    if (!entry.trim()) return false;
    const fields = entry.split(":");
    return fields[0] !== "agent" && fields[idField] !== String(AGENT_UID);
  });
  return [...kept, line, ""].join("\n");
}

function isSymlink(path: string): string | undefined {
  try {
    return Deno.lstatSync(path).isSymlink ? Deno.readLinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function bwrapArgs(dir: string, network: boolean, options: LocalDriverOptions): string[] {
  const args = [
    "--die-with-parent",
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-uts",
    "--unshare-cgroup-try",
    network ? "--share-net" : "--unshare-net",
    "--hostname",
    "evalkit",
    "--ro-bind",
    "/usr",
    "/usr",
  ];
  if (!options.showUsrLocal && exists("/usr/local")) args.push("--tmpfs", "/usr/local");
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    const target = isSymlink(top);
    if (target !== undefined) args.push("--symlink", target, top);
    else if (exists(top)) args.push("--ro-bind", top, top);
  }
  args.push(
    "--ro-bind",
    "/etc",
    "/etc",
    "--ro-bind",
    `${dir}/passwd`,
    "/etc/passwd",
    "--ro-bind",
    `${dir}/group`,
    "/etc/group",
    "--ro-bind-try",
    "/var/lib/dpkg",
    "/var/lib/dpkg",
    "--perms",
    "1777",
    "--tmpfs",
    "/var/tmp",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--perms",
    "1777",
    "--tmpfs",
    "/tmp",
    "--tmpfs",
    "/run",
  );
  for (const path of options.readOnlyBinds ?? []) args.push("--ro-bind", path, path);
  args.push(
    "--perms",
    "0755",
    "--dir",
    "/home",
    "--bind",
    `${dir}/home`,
    AGENT_HOME,
    "--bind",
    `${dir}/root`,
    "/root",
    "--remount-ro",
    "/",
    "--chdir",
    "/",
    "--info-fd",
    "3",
    "--",
    "sleep",
    "infinity",
  );
  return args;
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`);
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** One bubblewrap sandbox. Create with {@link LocalDriver.create}. */
export class LocalSandbox extends BaseSandbox {
  readonly driver = "local" as const;

  private constructor(
    readonly id: string,
    /** The per-run host directory (removed at close). */
    readonly hostDir: string,
    private readonly nsenter: string,
    private readonly setpriv: string,
    private readonly bwrap: Deno.ChildProcess,
    /** Host pid of the sandbox's payload process, whose namespaces every exec enters. */
    readonly targetPid: number,
  ) {
    super();
  }

  /** Starts a sandbox. */
  static async start(input: SandboxSpec, options: LocalDriverOptions = {}): Promise<LocalSandbox> {
    const spec = SandboxSpec.parse(input);
    const tools = localPreflight(options.searchPath);
    const packages = normalizePackages(spec.packages, spec.label);
    const missing = await missingHostPackages(packages);
    if (missing.length > 0) {
      throw new SandboxUnavailableError(
        "local",
        `task ${spec.label} needs Debian packages not installed on this host: ${missing.join(", ")}; ` +
          `install them with \`${
            aptInstallCommand(missing)
          }\` (or run \`evalkit tasks setup\`) or use --sandbox docker`,
      );
    }
    const baseDir = options.baseDir ?? defaultLocalBaseDir();
    await Deno.mkdir(baseDir, { recursive: true, mode: 0o700 });
    await sweepOncePerProcess(`local:${baseDir}`, () => sweepLocalOrphans(baseDir));
    const id = newSandboxId(spec.label);
    const dir = `${baseDir}/${id}`;
    await Deno.mkdir(dir, { mode: 0o700 });
    let bwrap: Deno.ChildProcess | undefined;
    try {
      const owner: OwnerRecord = {
        pid: Deno.pid,
        startTime: processStartTime(Deno.pid),
        bootId: bootId(),
        label: spec.label,
      };
      await Deno.writeTextFile(`${dir}/${OWNER_FILE}`, JSON.stringify(owner));
      await Deno.mkdir(`${dir}/home`, { mode: 0o755 });
      await Deno.chown(`${dir}/home`, AGENT_UID, AGENT_UID);
      await Deno.chmod(`${dir}/home`, 0o755);
      await Deno.mkdir(`${dir}/root`, { mode: 0o700 });
      await Deno.chmod(`${dir}/root`, 0o700);
      await Deno.writeTextFile(
        `${dir}/passwd`,
        rewriteAccounts(
          await Deno.readTextFile("/etc/passwd"),
          `agent:x:${AGENT_UID}:${AGENT_UID}:evalkit agent:${AGENT_HOME}:/bin/bash`,
          2,
        ),
      );
      await Deno.writeTextFile(
        `${dir}/group`,
        rewriteAccounts(await Deno.readTextFile("/etc/group"), `agent:x:${AGENT_UID}:`, 2),
      );
      // bash redirects bwrap's info (fd 3) and errors into the run directory, then becomes bwrap itself.
      bwrap = new Deno.Command("bash", {
        args: [
          "-c",
          'exec "$0" "$@" 3>"$EVALKIT_RUN_DIR/info.json" 2>"$EVALKIT_RUN_DIR/bwrap.log"',
          tools.bwrap,
          ...bwrapArgs(dir, spec.network, options),
        ],
        clearEnv: true,
        env: { PATH: SANDBOX_PATH, EVALKIT_RUN_DIR: dir },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      const targetPid = await LocalSandbox.#waitForPayload(bwrap, dir);
      await Deno.writeTextFile(
        `${dir}/${OWNER_FILE}`,
        JSON.stringify({ ...owner, bwrapPid: bwrap.pid, bwrapStartTime: processStartTime(bwrap.pid) }),
      );
      const sandbox = new LocalSandbox(id, dir, tools.nsenter, tools.setpriv, bwrap, targetPid);
      // A forgotten sandbox must not keep the program alive; the exit hook removes it instead.
      bwrap.unref();
      registerSandbox(sandbox);
      return sandbox;
    } catch (error) {
      if (bwrap) {
        try {
          bwrap.kill("SIGKILL");
        } catch { /* exited */ }
        await bwrap.status;
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  static async #waitForPayload(bwrap: Deno.ChildProcess, dir: string): Promise<number> {
    let exited = false;
    bwrap.status.then(() => exited = true);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (exited) break;
      try {
        const info = JSON.parse(await Deno.readTextFile(`${dir}/info.json`));
        const initPid = Number(info["child-pid"]);
        const [payload] = await childrenOf(initPid);
        if (payload) return payload;
      } catch {
        // Not written yet.
      }
      await delay(5);
    }
    const log = await Deno.readTextFile(`${dir}/bwrap.log`).catch(() => "");
    throw new SandboxUnavailableError(
      "local",
      `bubblewrap did not start${log ? `: ${log.trim()}` : " within 10 s"}`,
    );
  }

  protected async run(request: RunRequest): Promise<RunResult> {
    if (!processIsAlive(this.targetPid)) throw new SandboxGoneError(this.id, "its bubblewrap process exited");
    const envPairs = Object.entries(request.env).map(([key, value]) => `${key}=${value}`);
    const result = await runHostProcess({
      command: this.nsenter,
      args: [
        `--target=${this.targetPid}`,
        "--mount",
        "--uts",
        "--ipc",
        "--net",
        "--pid",
        "--root",
        "--",
        ...(request.user === "agent"
          ? [
            "prlimit",
            `--nproc=${AGENT_MAX_PROCESSES}`,
            "--",
            this.setpriv,
            ...AGENT_PRIVILEGE_DROP,
          ]
          : []),
        "/usr/bin/env",
        "-i",
        "-C",
        request.cwd,
        ...envPairs,
        "setsid",
        "-w",
        "--",
        ...request.argv,
      ],
      env: { PATH: SANDBOX_PATH },
      stdin: request.stdin,
      timeoutMs: request.timeoutMs,
      outputLimitBytes: request.outputLimitBytes,
      onTimeout: () => this.killTree(request.marker),
    });
    return result;
  }

  /** Synchronous teardown for process exit (see {@link registerSandbox}). */
  closeSync(): void {
    if (this.closing) return;
    this.closed = true;
    try {
      Deno.kill(this.bwrap.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    try {
      Deno.removeSync(this.hostDir, { recursive: true });
    } catch {
      // Swept later.
    }
  }

  protected async teardown(): Promise<void> {
    try {
      this.bwrap.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    // Waiting for the exit needs the (unref'd) child counted again by the event loop.
    this.bwrap.ref();
    await this.bwrap.status;
    // The PID namespace dies with its init (bwrap's child, killed by --die-with-parent); wait for it.
    const deadline = Date.now() + 5_000;
    while (processIsAlive(this.targetPid) && Date.now() < deadline) await delay(10);
    await Deno.remove(this.hostDir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    unregisterSandbox(this);
  }
}

/** The `local` (bubblewrap) driver. */
export class LocalDriver implements SandboxDriver {
  readonly name = "local" as const;
  constructor(readonly options: LocalDriverOptions = {}) {}

  /** Starts one sandbox; throws {@link SandboxUnavailableError} with the fix when this host cannot. */
  create(spec: SandboxSpec): Promise<LocalSandbox> {
    return LocalSandbox.start(spec, this.options);
  }
}

/**
 * Removes per-run directories left by processes that died without closing their sandboxes (and kills their
 * bubblewrap if it somehow survived). Returns the ids removed.
 */
export async function sweepLocalOrphans(baseDir: string = defaultLocalBaseDir()): Promise<string[]> {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(baseDir)];
  } catch {
    return removed;
  }
  const boot = bootId();
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith("evalkit-")) continue;
    const dir = `${baseDir}/${entry.name}`;
    let owner: OwnerRecord | undefined;
    try {
      owner = OwnerRecord.parse(JSON.parse(await Deno.readTextFile(`${dir}/${OWNER_FILE}`)));
    } catch {
      // No readable owner record: only sweep it when it is old enough not to be mid-creation.
      const info = await Deno.stat(dir).catch(() => undefined);
      if (info?.mtime && Date.now() - info.mtime.getTime() < 60_000) continue;
    }
    if (owner && owner.bootId === boot && processIsAlive(owner.pid, owner.startTime)) continue;
    if (owner?.bwrapPid && owner.bootId === boot && processIsAlive(owner.bwrapPid, owner.bwrapStartTime)) {
      try {
        Deno.kill(owner.bwrapPid, "SIGKILL");
      } catch { /* gone */ }
      await delay(50);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    removed.push(entry.name);
  }
  return removed;
}
