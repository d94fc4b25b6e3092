/**
 * The `local` driver: one bubblewrap sandbox per run on this machine, no container engine needed.
 *
 * Containment, layer by layer (docs/sandbox.md has the threat model):
 * - **User namespace with a private id range.** Each sandbox's ids 0–65535 map onto 65,536 unprivileged host
 *   ids that no other live sandbox holds ({@link acquireIdRange}): root inside is host uid `B`, the agent
 *   (uid 1000 inside) is host uid `B + 1000`. Root inside has capabilities only over the sandbox's own
 *   namespaces; host files owned by unmapped ids (all of the host) get no capability override.
 * - **Capabilities, no_new_privs, seccomp.** Root commands keep only Docker's default capability set (plus
 *   `SYS_PTRACE`, for the timeout sweep); agent commands keep none. Every process runs under
 *   `no_new_privs` and a seccomp filter at least as strict as Docker's default profile ({@link installerElf}).
 * - **Namespaces and files.** Fresh mount, PID, IPC, UTS, cgroup and network namespaces (the network one has
 *   only its own loopback; a task that needs the network is refused: use the docker driver). The host is
 *   visible read-only through a whitelist of system directories (/usr, /etc and the /bin, /lib… links).
 *   `/home/agent`, `/root`, `/tmp`, `/var/tmp`, `/dev/shm` are size-capped tmpfs mounts: nothing the agent
 *   writes lands on the host's disk, and teardown never walks an agent-made tree.
 * - **Control groups** ({@link SandboxCgroup}): memory (tmpfs contents included), processes and CPU quota.
 *
 * Commands run through the sandbox's exec server ({@link EXEC_SERVER_SOURCE}), itself started as a root
 * command; until it is up, or when it cannot fork, a command is a host chain: the sandbox's own installer
 * program (closes inherited descriptors, joins its control groups, sets RLIMIT_NPROC, no_new_privs and the
 * seccomp filter), `nsenter` into the namespaces (becoming root inside, or the agent through nsenter's own uid
 * switch), root then drops to its reduced capability set with `setpriv`; every tool run inside is named by
 * absolute path under the read-only `/usr`.
 *
 * @module
 */
import {
  baseEnv,
  BaseSandbox,
  hostTarCreate,
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
import { type CgroupLayout, detectCgroups, SandboxCgroup, sweepCgroups } from "./cgroup.ts";
import { runHostProcess } from "./host_process.ts";
import { acquireIdRange, type IdRange, IDS_PER_SANDBOX, sweepIdRanges } from "./id_range.ts";
import { aptInstallCommand, missingHostPackages, normalizePackages } from "./packages.ts";
import { filterBytes, installerElf, seccompSupported } from "./seccomp.ts";
import { delay } from "./timeout.ts";
import {
  EXEC_SERVER_SOURCE,
  ExecServerConnection,
  execServerDefault,
  runThroughServer,
  settleLost,
} from "./exec_server.ts";
import { DOCKER_DEFAULT_CAPABILITIES } from "./capabilities.ts";
import { buildLocalImage } from "./local_image.ts";
import {
  AGENT_HOME,
  AGENT_UID,
  IMAGE_STASH,
  type ImageRecipe,
  type ImageRef,
  type SandboxDriver,
  type SandboxLimitKind,
  SandboxSpec,
  SandboxUnavailableError,
} from "./types.ts";
import { z } from "../deps/zod.ts";

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
  /**
   * Run commands through an exec server inside each sandbox (docs/sandbox.md). Default: true, unless the
   * environment variable `EVALKIT_EXEC_SERVER` is `off`; false runs every command through the host chain.
   */
  execServer?: boolean;
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

/** Default process cap of a sandbox (cgroup `pids.max`; also RLIMIT_NPROC of its agent uid). */
export const AGENT_MAX_PROCESSES = 4096;
/** Default memory cap of a local sandbox, in GB (tmpfs contents included). */
export const DEFAULT_MEMORY_GB = 4;
/** Default size of each writable tmpfs (`/home/agent`, `/root`, `/tmp`), in GB. */
export const DEFAULT_DISK_GB = 2;

/** Docker's default capability set, plus SYS_PTRACE (root reads agent processes' environments on timeout). */
export const ROOT_CAPABILITIES: readonly string[] = [...DOCKER_DEFAULT_CAPABILITIES, "sys_ptrace"];

/** The size-capped tmpfs mounts the agent or root can fill. */
const WRITABLE_MOUNTS = ["/tmp", AGENT_HOME, "/root", "/var/tmp", "/dev/shm"];

/** Tools run inside the sandbox before the command, by absolute path under the read-only `/usr`. */
const INNER = {
  setpriv: "/usr/bin/setpriv",
  env: "/usr/bin/env",
  setsid: "/usr/bin/setsid",
  sh: "/bin/sh",
  sleep: "/usr/bin/sleep",
  perl: "/usr/bin/perl",
};

/**
 * How the agent's commands drop root: nsenter itself switches to uid/gid 1000 (clearing supplementary groups)
 * after entering, which empties the permitted and effective capability sets; with no_new_privs (set by the
 * installer) no later exec can gain any back.
 */
const AGENT_IDS = [`--setuid=${AGENT_UID}`, `--setgid=${AGENT_UID}`];

/** `setpriv` flags that leave root inside with Docker's default capabilities only. */
const ROOT_DROP = [
  INNER.setpriv,
  `--bounding-set=-all,${ROOT_CAPABILITIES.map((cap) => `+${cap}`).join(",")}`,
  "--inh-caps=-all",
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

/** What {@link localPreflight} found. */
interface LocalTools {
  bwrap: string;
  nsenter: string;
  unshare: string;
  cgroups: CgroupLayout;
}

/** Successful preflights of this process, by search path (tools and kernel features do not vanish mid-run). */
const preflightDone = new Map<string, LocalTools>();

/** The host tools and kernel features the local driver needs; throws {@link SandboxUnavailableError} with the fix. */
export function localPreflight(searchPath: string = Deno.env.get("PATH") ?? ""): LocalTools {
  const known = preflightDone.get(searchPath);
  if (known) return known;
  const tools = preflightUncached(searchPath);
  preflightDone.set(searchPath, tools);
  return tools;
}

function preflightUncached(searchPath: string): LocalTools {
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
  const unshare = findOnPath("unshare", searchPath);
  const setpriv = findOnPath("setpriv", searchPath);
  const innerMissing = Object.values(INNER).filter((path) => !exists(path));
  if (!nsenter || !unshare || !setpriv || innerMissing.length > 0) {
    throw new SandboxUnavailableError(
      "local",
      `nsenter/unshare/setpriv (package util-linux) not found${
        innerMissing.length ? ` (missing: ${innerMissing.join(", ")})` : " on PATH"
      }; install it with \`apt-get install -y util-linux\``,
    );
  }
  if (Deno.uid() !== 0) {
    throw new SandboxUnavailableError(
      "local",
      "the local driver must run as root (it maps each sandbox onto its own range of unprivileged host ids " +
        "and sets up control groups); run as root or use --sandbox docker",
    );
  }
  if (!seccompSupported()) {
    throw new SandboxUnavailableError(
      "local",
      `the local driver's seccomp filter is built for x86-64 Linux only (this is ${Deno.build.arch}); ` +
        "use --sandbox docker",
    );
  }
  const maxNamespaces = Number(readOr("/proc/sys/user/max_user_namespaces", "0").trim());
  if (!(maxNamespaces > 0)) {
    throw new SandboxUnavailableError(
      "local",
      "user namespaces are disabled (/proc/sys/user/max_user_namespaces is 0); enable them with " +
        "`sysctl user.max_user_namespaces=15000` or use --sandbox docker",
    );
  }
  const cgroups = detectCgroups();
  if (typeof cgroups === "string") {
    throw new SandboxUnavailableError(
      "local",
      `${cgroups}; the local driver needs the memory, pids and cpu controllers to cap each sandbox ` +
        "(use --sandbox docker)",
    );
  }
  return { bwrap, nsenter, unshare, cgroups };
}

function readOr(path: string, fallback: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return fallback;
  }
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

/** Sizes of a sandbox, resolved from its spec. */
interface Sizes {
  memoryBytes: number;
  diskBytes: number;
  maxProcesses: number;
  cpus?: number;
}

function sizesOf(spec: SandboxSpec): Sizes {
  const gb = 1024 ** 3;
  return {
    memoryBytes: Math.round((spec.memoryGb ?? DEFAULT_MEMORY_GB) * gb),
    diskBytes: Math.round((spec.diskGb ?? DEFAULT_DISK_GB) * gb),
    maxProcesses: spec.maxProcesses ?? AGENT_MAX_PROCESSES,
    cpus: spec.cpus,
  };
}

/** The mounts and namespaces of one sandbox, as bubblewrap arguments (see the module doc). */
function bwrapArgs(sizes: Sizes, options: LocalDriverOptions, rootfs?: string): string[] {
  const disk = String(sizes.diskBytes);
  const small = String(Math.min(sizes.diskBytes, 64 * 1024 * 1024));
  const args = [
    "--die-with-parent",
    "--new-session",
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--unshare-net",
    "--hostname",
    "evalkit",
  ];
  // A task image is the whole (read-only) root; otherwise the host's /usr, /etc and top-level links.
  const hideUsrLocal = !rootfs && !options.showUsrLocal && exists("/usr/local");
  if (rootfs) {
    args.push("--ro-bind", rootfs, "/");
  } else {
    args.push("--ro-bind", "/usr", "/usr");
    if (hideUsrLocal) args.push("--size", "1048576", "--tmpfs", "/usr/local");
    for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
      const target = isSymlink(top);
      if (target !== undefined) args.push("--symlink", target, top);
      else if (exists(top)) args.push("--ro-bind", top, top);
    }
    args.push("--ro-bind", "/etc", "/etc", "--ro-bind-try", "/var/lib/dpkg", "/var/lib/dpkg");
  }
  args.push(
    "--perms",
    "0644",
    "--ro-bind-data",
    "6",
    "/etc/passwd",
    "--perms",
    "0644",
    "--ro-bind-data",
    "7",
    "/etc/group",
    "--perms",
    "1777",
    "--size",
    disk,
    "--tmpfs",
    "/var/tmp",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--perms",
    "1777",
    "--size",
    small,
    "--tmpfs",
    "/dev/shm",
    "--perms",
    "1777",
    "--size",
    disk,
    "--tmpfs",
    "/tmp",
    "--size",
    small,
    "--tmpfs",
    "/run",
    "--perms",
    "1777",
    "--dir",
    "/run/lock",
  );
  for (const path of options.readOnlyBinds ?? []) args.push("--ro-bind", path, path);
  args.push(
    "--perms",
    "0755",
    "--dir",
    "/home",
    "--perms",
    "0755",
    "--size",
    disk,
    "--tmpfs",
    AGENT_HOME,
    "--perms",
    "0700",
    "--size",
    disk,
    "--tmpfs",
    "/root",
    "--remount-ro",
    "/",
  );
  if (hideUsrLocal) args.push("--remount-ro", "/usr/local");
  args.push(
    "--chdir",
    "/",
    "--info-fd",
    "3",
    "--seccomp",
    "5",
    "--cap-drop",
    "ALL",
    "--",
    // The payload only holds the namespaces (with no capabilities); every exec enters them.
    INNER.sleep,
    "infinity",
  );
  return args;
}

/**
 * The host-side start of every sandbox process: join the sandbox's control groups (`$1`… up to `--`), then
 * run the rest. Also opens the descriptors bubblewrap reads when starting the sandbox.
 */
const START_SCRIPT = 'run="$1"; shift; while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; ' +
  'shift; exec "$@" 3>"$run/info.json" 2>"$run/bwrap.log" 5<"$run/seccomp.bpf" 6<"$run/passwd" 7<"$run/group"';

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`);
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Host packages already found installed by this process (a package is not uninstalled mid-run). */
const installedHere = new Set<string>();

/** One bubblewrap sandbox. Create with {@link LocalDriver.create}. */
export class LocalSandbox extends BaseSandbox {
  /** Always `local`. */
  readonly driver = "local" as const;

  /** The exec server inside the sandbox and its host process (see {@link LocalSandbox.#startServer}). */
  #server?: ExecServerConnection;
  #serverProcess?: Deno.ChildProcess;

  private constructor(
    readonly id: string,
    /** The per-run host directory (removed at close): owner record, accounts, seccomp program. No agent files. */
    readonly hostDir: string,
    private readonly nsenter: string,
    private readonly bwrap: Deno.ChildProcess,
    /** Host pid of the sandbox's payload process, whose namespaces every exec enters. */
    readonly targetPid: number,
    private readonly cgroup: SandboxCgroup,
    private readonly ids: IdRange,
  ) {
    super();
  }

  /** Starts a sandbox. */
  static async start(input: SandboxSpec, options: LocalDriverOptions = {}): Promise<LocalSandbox> {
    const spec = SandboxSpec.parse(input);
    const tools = localPreflight(options.searchPath);
    if (spec.network) {
      throw new SandboxUnavailableError(
        "local",
        `task ${spec.label} needs network access (full_internet); a local sandbox never shares the host's ` +
          "network (host loopback services would be reachable), so run it with --sandbox docker",
      );
    }
    if (spec.image && spec.image.kind !== "rootfs") {
      throw new SandboxUnavailableError(
        "local",
        `task ${spec.label}: a ${spec.image.kind} image cannot start a local sandbox (build one with this driver)`,
      );
    }
    const rootfs = spec.image?.path;
    if (rootfs && !exists(`${rootfs}/usr`)) {
      throw new SandboxUnavailableError(
        "local",
        `task ${spec.label}: image ${rootfs} is missing or incomplete`,
      );
    }
    const packages = rootfs
      ? []
      : normalizePackages(spec.packages, spec.label).filter((name) => !installedHere.has(name));
    const missing = await missingHostPackages(packages);
    for (const name of packages) if (!missing.includes(name)) installedHere.add(name);
    if (missing.length > 0) {
      throw new SandboxUnavailableError(
        "local",
        `task ${spec.label} needs Debian packages not installed on this host: ${missing.join(", ")}; ` +
          `install them with \`${
            aptInstallCommand(missing)
          }\` (or run \`evalkit tasks setup\`) or use --sandbox docker`,
      );
    }
    const sizes = sizesOf(spec);
    const baseDir = options.baseDir ?? defaultLocalBaseDir();
    await Deno.mkdir(baseDir, { recursive: true, mode: 0o700 });
    await sweepOncePerProcess(`local:${baseDir}`, () => sweepLocalOrphans(baseDir));
    const id = newSandboxId(spec.label);
    const dir = `${baseDir}/${id}`;
    const owner: OwnerRecord = {
      pid: Deno.pid,
      startTime: processStartTime(Deno.pid),
      bootId: bootId(),
      label: spec.label,
    };
    // The run directory appears (by rename) with its owner record already in it, so a sweep never sees a
    // run directory it cannot attribute.
    const staging = `${baseDir}/.new-${id}`;
    await Deno.mkdir(staging, { mode: 0o700 });
    await Deno.writeTextFile(`${staging}/${OWNER_FILE}`, JSON.stringify(owner));
    await Deno.rename(staging, dir);
    let bwrap: Deno.ChildProcess | undefined;
    let holder: Deno.ChildProcess | undefined;
    let ids: IdRange | undefined;
    let cgroup: SandboxCgroup | undefined;
    try {
      ids = acquireIdRange(id);
      // A holder process owns the new user namespace while the host writes its id maps; bubblewrap then
      // enters it with nsenter (becoming root there, i.e. host uid `hostBase`) and the holder is dropped.
      // It is dropped as soon as bubblewrap is in; `sleep 60` ends it even if this process dies first. It
      // starts first so that its start overlaps the writing of the run directory's files.
      holder = spawnDetachedIo(tools.unshare, ["--user", "--", INNER.sleep, "60"]);
      cgroup = SandboxCgroup.create(tools.cgroups, id, sizes);
      const procsFiles = cgroup.procsFiles;
      // Independent steps, at once: the run directory's files, and the holder's id maps.
      await settleAll([
        (async () =>
          await Deno.writeTextFile(
            `${dir}/passwd`,
            rewriteAccounts(
              await Deno.readTextFile(`${rootfs ?? ""}/etc/passwd`),
              `agent:x:${AGENT_UID}:${AGENT_UID}:evalkit agent:${AGENT_HOME}:/bin/bash`,
              2,
            ),
          ))(),
        (async () =>
          await Deno.writeTextFile(
            `${dir}/group`,
            rewriteAccounts(await Deno.readTextFile(`${rootfs ?? ""}/etc/group`), `agent:x:${AGENT_UID}:`, 2),
          ))(),
        Deno.writeFile(`${dir}/seccomp.bpf`, filterBytes(), { mode: 0o400 }),
        Deno.writeFile(
          `${dir}/seccomp-exec`,
          installerElf({ joinCgroups: procsFiles, maxProcesses: sizes.maxProcesses }),
          { mode: 0o500 },
        ),
        LocalSandbox.#mapIds(holder, ids.hostBase),
      ]);
      bwrap = spawnDetachedIo("/bin/sh", [
        "-c",
        START_SCRIPT,
        "evalkit-start",
        dir,
        ...cgroup.procsFiles,
        "--",
        tools.nsenter,
        `--target=${holder.pid}`,
        "--user",
        "--",
        tools.bwrap,
        ...bwrapArgs(sizes, options, rootfs),
      ]);
      const targetPid = await LocalSandbox.#waitForPayload(bwrap, dir);
      // The agent's home is a fresh tmpfs owned by root inside; nothing of the agent exists yet, so the host
      // can give it to the agent through the payload's root without following any path the agent controls.
      const started = bwrap;
      const sandbox = new LocalSandbox(id, dir, tools.nsenter, bwrap, targetPid, cgroup, ids);
      // The exec server boots while the last start steps run (a failure below kills it with the group).
      if (options.execServer ?? execServerDefault()) sandbox.#startServer();
      await settleAll([
        Deno.chown(
          `/proc/${targetPid}/root${AGENT_HOME}`,
          ids.hostBase + AGENT_UID,
          ids.hostBase + AGENT_UID,
        ),
        writeAtomically(
          `${dir}/${OWNER_FILE}`,
          JSON.stringify({ ...owner, bwrapPid: started.pid, bwrapStartTime: processStartTime(started.pid) }),
        ),
        LocalSandbox.#stop(holder),
      ]);
      holder = undefined;
      if (rootfs) await sandbox.#unstash(rootfs);
      // A forgotten sandbox must not keep the program alive; the exit hook removes it instead.
      bwrap.unref();
      registerSandbox(sandbox);
      return sandbox;
    } catch (error) {
      if (bwrap) await LocalSandbox.#stop(bwrap);
      if (holder) await LocalSandbox.#stop(holder);
      if (cgroup) {
        await cgroup.killAll();
        cgroup.removeSync();
      }
      ids?.release();
      await removeRunDir(dir);
      throw error;
    }
  }

  static async #stop(child: Deno.ChildProcess): Promise<void> {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
  }

  /** Waits until the holder has entered its new user namespace, then writes the namespace's id maps. */
  static async #mapIds(holder: Deno.ChildProcess, hostBase: number): Promise<void> {
    const own = await Deno.readLink("/proc/self/ns/user");
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const ns = await Deno.readLink(`/proc/${holder.pid}/ns/user`).catch(() => undefined);
      if (ns === undefined) break; // exited
      if (ns !== own) {
        const map = `0 ${hostBase} ${IDS_PER_SANDBOX}\n`;
        await Deno.writeTextFile(`/proc/${holder.pid}/uid_map`, map);
        await Deno.writeTextFile(`/proc/${holder.pid}/gid_map`, map);
        return;
      }
      await delay(1);
    }
    throw new SandboxUnavailableError(
      "local",
      "could not create the sandbox's user namespace (`unshare --user` exited or hung for 10 s)",
    );
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
        // The payload is ready once bubblewrap has exec'd `sleep` in the finished sandbox.
        if (
          payload && (await Deno.readTextFile(`/proc/${payload}/comm`).catch(() => "")).trim() === "sleep"
        ) {
          return payload;
        }
      } catch {
        // Not written yet.
      }
      await delay(1);
    }
    const log = await Deno.readTextFile(`${dir}/bwrap.log`).catch(() => "");
    throw new SandboxUnavailableError(
      "local",
      `bubblewrap did not start${log ? `: ${log.trim()}` : " within 10 s"}`,
    );
  }

  /**
   * `nsenter` into every namespace of this sandbox (run by the seccomp installer): as the agent's ids, or as
   * root with the capability bounding set dropped to the sandbox's.
   */
  private enterArgs(user: RunRequest["user"]): string[] {
    return [
      this.nsenter,
      `--target=${this.targetPid}`,
      "--user",
      "--mount",
      "--uts",
      "--ipc",
      "--net",
      "--pid",
      "--root",
      ...(user === "agent" ? [...AGENT_IDS, "--"] : ["--", ...ROOT_DROP]),
    ];
  }

  /**
   * Starts the exec server ({@link EXEC_SERVER_SOURCE}) inside the sandbox, through the same installer,
   * namespaces and capability drop as a root command, so every command it forks inherits the control groups,
   * process limit, no_new_privs and seccomp filter, and agent commands drop to uid 1000 from there. Nothing
   * waits for it: commands run through the host chain until its hello has arrived.
   */
  #startServer(): void {
    const child = new Deno.Command(`${this.hostDir}/seccomp-exec`, {
      args: [...this.enterArgs("root"), INNER.perl, "-e", EXEC_SERVER_SOURCE, "evalkit-exec-server"],
      clearEnv: true,
      env: { PATH: SANDBOX_PATH },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    // Like the sandbox itself, the server never keeps this program alive (a waiting command does).
    child.unref();
    const writer = child.stdin.getWriter();
    let writes: Promise<void> = Promise.resolve();
    const server = new ExecServerConnection({
      write: (bytes) => writes = writes.then(() => writer.write(bytes)).catch(() => {}),
    });
    this.#server = server;
    this.#serverProcess = child;
    (async () => {
      try {
        for await (const chunk of child.stdout) server.receive(chunk);
      } catch {
        // A broken pipe ends the stream like an end of file.
      }
      server.lost("the sandbox's exec server ended", settleLost(this.id, () => this.closed));
    })();
  }

  /**
   * Runs one command inside the bubblewrap namespaces as the requested user (see {@link BaseSandbox.run}):
   * through the exec server when it is up, else (or when it could not fork) through the installer, `nsenter`
   * and `setpriv` chain from the host.
   */
  protected async run(request: RunRequest): Promise<RunResult> {
    if (!processIsAlive(this.targetPid)) throw new SandboxGoneError(this.id, "its bubblewrap process exited");
    // A command never waits for the server to come up: until it has, the chain (which costs about what the
    // server's start does) runs it.
    if (this.#server?.up) {
      const result = await runThroughServer(this.#server, request, () => this.killTree(request.marker));
      if (result) return result;
    }
    const envPairs = Object.entries(request.env).map(([key, value]) => `${key}=${value}`);
    return await runHostProcess({
      // The installer joins the control groups, sets RLIMIT_NPROC, no_new_privs and the seccomp filter.
      command: `${this.hostDir}/seccomp-exec`,
      args: [
        ...this.enterArgs(request.user),
        INNER.env,
        "-i",
        "-C",
        request.cwd,
        ...envPairs,
        INNER.setsid,
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
  }

  /**
   * The host command that opens an interactive shell inside this sandbox as the agent (for a person's
   * baseline, run under a pty such as util-linux `script`): the same installer, namespaces, uid switch and
   * clean environment as {@link LocalSandbox.run}, but no `setsid`, so the shell keeps the caller's pty as its
   * controlling terminal. `env` holds extra variables (e.g. `TERM`), set inside on top of the clean set.
   */
  interactiveShell(
    env: Record<string, string> = {},
  ): { command: string; args: string[]; env: Record<string, string> } {
    this.assertOpen("interactiveShell");
    if (!processIsAlive(this.targetPid)) throw new SandboxGoneError(this.id, "its bubblewrap process exited");
    const vars = { ...baseEnv("agent", env, `interactive-${crypto.randomUUID()}`) };
    return {
      command: `${this.hostDir}/seccomp-exec`,
      args: [
        ...this.enterArgs("agent"),
        INNER.env,
        "-i",
        "-C",
        AGENT_HOME,
        ...Object.entries(vars).map(([key, value]) => `${key}=${value}`),
        "/bin/bash",
        "-i",
      ],
      env: { PATH: SANDBOX_PATH },
    };
  }

  /** The limits hit so far (memory, disk, processes), read from the sandbox's cgroup and tmpfs usage. */
  async limitsHit(): Promise<SandboxLimitKind[]> {
    const hit = this.cgroup.limitsHit();
    if (!this.closed && processIsAlive(this.targetPid)) {
      // statfs of the capped mounts, from the host through the payload's root: the sandbox's root is
      // read-only, so these mount points cannot be swapped for anything else, and statfs reads no content.
      const root = `/proc/${this.targetPid}/root`;
      const out = await new Deno.Command("stat", {
        args: ["-f", "-c", "%a %S", ...WRITABLE_MOUNTS.map((mount) => `${root}${mount}`)],
        clearEnv: true,
        env: { PATH: SANDBOX_PATH },
        stdout: "piped",
        stderr: "null",
      }).output();
      const full = new TextDecoder().decode(out.stdout).split("\n").filter(Boolean).some((line) => {
        const [available, blockSize] = line.split(" ").map(Number);
        return available * blockSize < 1024 * 1024;
      });
      if (full) hit.push("disk");
    }
    return hit;
  }

  /**
   * Copies what the image's build left in `/root` and `/home/agent` (kept root-only under
   * {@link IMAGE_STASH}) into this sandbox's fresh mounts, owners and modes kept: archived on the host from
   * the read-only image, unpacked inside as root (the image's uid 0 and 1000 are the sandbox's root and agent).
   */
  async #unstash(rootfs: string): Promise<void> {
    for (const [from, to] of [["root", "/root"], ["home", AGENT_HOME]]) {
      const source = `${rootfs}${IMAGE_STASH}/${from}`;
      if (!exists(source)) continue;
      let tar: Uint8Array;
      try {
        tar = await hostTarCreate(source, { numericOwner: true });
      } catch (error) {
        throw new SandboxUnavailableError("local", `cannot read ${source}: ${(error as Error).message}`);
      }
      const result = await this.exec(
        ["tar", "-x", "-f", "-", "--same-owner", "--same-permissions", "--numeric-owner", "-C", to],
        { user: "root", stdin: tar, timeoutMs: 300_000 },
      );
      if (result.exitCode !== 0) {
        throw new SandboxUnavailableError(
          "local",
          `cannot unpack the image's ${to}: ${result.stderr.trim()}`,
        );
      }
    }
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
    this.cgroup.signalAll();
    this.cgroup.removeSync();
    this.ids.release();
    try {
      const doomed = doomedName(this.hostDir);
      Deno.renameSync(this.hostDir, doomed);
      Deno.removeSync(doomed, { recursive: true });
    } catch {
      // Swept later.
    }
  }

  /**
   * Kills every process of the sandbox and removes its cgroup and run directory (see
   * {@link BaseSandbox.close}).
   */
  protected async teardown(): Promise<void> {
    try {
      this.bwrap.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    // Everything in the group (the namespace's init and payload included) at once, not one death at a time.
    this.cgroup.signalAll();
    // Waiting for the exit needs the (unref'd) child counted again by the event loop.
    this.bwrap.ref();
    await this.bwrap.status;
    // The PID namespace dies with its init (bwrap's child, killed by --die-with-parent); anything that slipped
    // into the control group meanwhile (an exec in flight) is killed through the group.
    await this.cgroup.killAll();
    const server = this.#serverProcess;
    if (server) {
      try {
        server.kill("SIGKILL");
      } catch {
        // Already gone with the group.
      }
      try {
        server.ref(); // waiting for its exit needs it counted by the event loop again
      } catch {
        // Exited and collected: its status is settled already.
      }
      await server.status;
    }
    this.cgroup.removeSync();
    this.ids.release();
    // The run directory holds only evalkit's own small files: the agent's files lived on tmpfs mounts.
    await removeRunDir(this.hostDir);
    unregisterSandbox(this);
  }
}

/** Waits for every promise to settle (so nothing is still running when a caller cleans up), then throws the first error. */
async function settleAll(steps: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}

/** Spawns a host process with a clean environment and no standard streams. */
function spawnDetachedIo(command: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(command, {
    args,
    clearEnv: true,
    env: { PATH: SANDBOX_PATH },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** Writes `text` to `path` through a temporary file and a rename, so a reader never sees half of it. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeTextFile(temporary, text);
  await Deno.rename(temporary, path);
}

/** Where a run directory goes while it is being deleted (a name every sweep removes). */
function doomedName(dir: string): string {
  const slash = dir.lastIndexOf("/");
  return `${dir.slice(0, slash)}/.removing-${dir.slice(slash + 1)}`;
}

/**
 * Removes a run directory: first renamed out of the `evalkit-*` namespace (so a half-deleted one is never
 * mistaken for a live sandbox without an owner record), then deleted with `rm` (only evalkit's own small files
 * are in it; agent files lived on the sandbox's tmpfs mounts).
 */
async function removeRunDir(dir: string): Promise<void> {
  const doomed = doomedName(dir);
  try {
    await Deno.rename(dir, doomed);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  // The usual case, without a helper process: the directory holds only regular files (listed, not walked).
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(doomed)) {
      if (!entry.isFile) throw new Error(`unexpected entry ${entry.name}`);
      names.push(entry.name);
    }
    await Promise.all(names.map((name) => Deno.remove(`${doomed}/${name}`)));
    await Deno.remove(doomed);
    return;
  } catch {
    // Anything else: rm, which never crosses into another file system.
  }
  await new Deno.Command("rm", { args: ["-rf", "--one-file-system", "--", doomed] }).output();
}

/** The `local` (bubblewrap) driver. */
export class LocalDriver implements SandboxDriver {
  /** Always `local`. */
  readonly name = "local" as const;
  /** A driver with the given options (see {@link LocalDriverOptions}). */
  constructor(readonly options: LocalDriverOptions = {}) {}

  /** Starts one sandbox; throws {@link SandboxUnavailableError} with the fix when this host cannot. */
  create(spec: SandboxSpec): Promise<LocalSandbox> {
    return LocalSandbox.start(spec, this.options);
  }

  /** Builds a task image as a cached root filesystem (see {@link buildLocalImage}). */
  buildImage(recipe: ImageRecipe): Promise<ImageRef> {
    return buildLocalImage(recipe);
  }
}

/**
 * Removes what processes that died without closing their sandboxes left: run directories (killing a bubblewrap
 * that somehow survived), control groups (killing what is still in them) and id ranges. Returns the ids of the
 * run directories removed.
 */
export async function sweepLocalOrphans(baseDir: string = defaultLocalBaseDir()): Promise<string[]> {
  const removed: string[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(baseDir)];
  } catch {
    // No base directory: nothing of ours can be left.
  }
  const boot = bootId();
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    if (entry.name.startsWith(".removing-")) {
      // Left half-deleted by a process killed mid-teardown (or being deleted right now: removing twice is fine).
      await new Deno.Command("rm", { args: ["-rf", "--one-file-system", "--", `${baseDir}/${entry.name}`] })
        .output().catch(() => {});
      continue;
    }
    const staged = entry.name.startsWith(".new-evalkit-");
    if (!entry.name.startsWith("evalkit-") && !staged) continue;
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
    await removeRunDir(dir).catch(() => {});
    removed.push(entry.name.replace(/^\.new-/, ""));
  }
  await sweepCgroups();
  sweepIdRanges();
  return removed;
}
