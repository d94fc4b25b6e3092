/**
 * The engine pool against real Docker engines: the test starts two engines of its own on this machine
 * (`dockerd` on its own socket, data root, exec root and pid file under one temporary folder; the machine's
 * default engine is only read from, as the source of the image), copies the image the tasks need into them
 * with the pool's save → load, runs a grid of bundled tasks (simulated model, several epochs) over both,
 * `kill -9`s one engine mid-grid, and checks that every cell completes exactly once: the killed engine's
 * in-flight cells end as typed infrastructure errors (source `infra`, `EngineDownError`) and are rerun on
 * the other engine. Then the killed engine is started again on the same folders: it rejoins, the
 * containers it was running are swept, and a second grid places cells on it again. A few containment
 * probes run in a sandbox on a pooled engine. Both engines are stopped and their folders removed at the
 * end, also on failure.
 */
import assert from "node:assert/strict";
import Docker from "../../lib/deps/dockerode.ts";
import { dockerClient, dockerEngineReachable } from "../../lib/sandbox/docker.ts";
import { baseImageTag, ensureBaseImage, imageExists } from "../../lib/sandbox/image.ts";
import { EnginePool, parsePoolConfig, PooledSandbox } from "../../lib/sandbox/pool/mod.ts";
import { runEval } from "../../lib/run/runner.ts";
import type { SandboxDriver } from "../../lib/sandbox/types.ts";
import { readLogFile } from "../../lib/run/log_reader.ts";
import type { CellEndEvent, CellStartEvent } from "../../lib/run/events.ts";
import { createModel } from "../../lib/model/registry.ts";
import { loadVariants } from "../../lib/agent/variant.ts";
import { loadSuite, selectTasks } from "../../lib/task/loader.ts";
import { runs } from "../../lib/frame/tables.ts";

const isRoot = Deno.uid() === 0;
const hasDockerd = new Deno.Command("sh", { args: ["-c", "command -v dockerd"], stdout: "null" }).outputSync()
  .success;
const reachable = await dockerEngineReachable();
const inCi = Deno.env.get("CI") === "true";
const ignore = !(isRoot && hasDockerd && reachable) && !inCi;
if (ignore) {
  console.warn(
    "SKIPPING engine pool tests: they need root, dockerd and the default engine (with CI=true they fail instead)",
  );
}

/** One engine started by this test. */
interface TestEngine {
  name: string;
  dir: string;
  socket: string;
  /**
   * A bridge interface of its own. Not `--bridge=none`: an engine started with it deletes the host's
   * `docker0` at start (the default engine's bridge, which every later test with a network needs).
   */
  bridge: string;
  /** The bridge's address (CIDR), in a private range no other engine here uses. */
  bridgeCidr: string;
  process?: Deno.ChildProcess;
}

function dockerdArgs(engine: TestEngine): string[] {
  return [
    "-H",
    `unix://${engine.socket}`,
    "--data-root",
    `${engine.dir}/data`,
    "--exec-root",
    `${engine.dir}/exec`,
    "--pidfile",
    `${engine.dir}/dockerd.pid`,
    "--iptables=false",
    "--ip-masq=false",
    `--bridge=${engine.bridge}`,
    "--log-level=warn",
  ];
}

/** Runs `ip` with `args`; throws naming the command and its output when it fails. */
async function ip(...args: string[]): Promise<void> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** Creates the engine's own bridge interface (once; a restart reuses it). */
async function createBridge(engine: TestEngine): Promise<void> {
  await ip("link", "add", "name", engine.bridge, "type", "bridge");
  await ip("addr", "add", engine.bridgeCidr, "dev", engine.bridge);
  await ip("link", "set", engine.bridge, "up");
}

/** Removes the engine's bridge interface if it exists. */
async function deleteBridge(engine: TestEngine): Promise<void> {
  await ip("link", "delete", engine.bridge).catch(() => {});
}

/** Starts (or restarts, on the same folders) an engine and waits until it answers. */
async function startEngine(engine: TestEngine): Promise<void> {
  await Deno.mkdir(`${engine.dir}/data`, { recursive: true });
  await Deno.mkdir(`${engine.dir}/exec`, { recursive: true });
  const quoted = dockerdArgs(engine).map((a) => `'${a}'`).join(" ");
  engine.process = new Deno.Command("sh", {
    args: ["-c", `exec dockerd ${quoted} >>'${engine.dir}/dockerd.log' 2>&1`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const docker = new Docker({ socketPath: engine.socket });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      await docker.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const log = await Deno.readTextFile(`${engine.dir}/dockerd.log`).catch(() => "");
  throw new Error(`engine ${engine.name} did not answer within 60 s:\n${log.slice(-2000)}`);
}

/** `kill -9` of the engine's dockerd (its containerd goes with it; container shims stay). */
async function killEngine(engine: TestEngine): Promise<void> {
  const process = engine.process!;
  process.kill("SIGKILL");
  await process.status;
  engine.process = undefined;
}

/** Stops an engine (SIGTERM, then SIGKILL after 5 s; what is left is killed and unmounted after). */
async function stopEngine(engine: TestEngine): Promise<void> {
  const process = engine.process;
  if (!process) return;
  engine.process = undefined;
  try {
    process.kill("SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill("SIGKILL");
    } catch { /* gone */ }
  }, 5_000);
  await process.status;
  clearTimeout(timer);
}

/** Kills every process whose command line names `root` (container shims, a stray containerd). */
function killProcessesUnder(root: string): void {
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    let cmdline = "";
    try {
      cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (cmdline.includes(root)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
  }
}

/** Unmounts whatever the engines left mounted under `root` (deepest first), then removes it. */
async function removeEngineFolders(root: string): Promise<void> {
  const mounts = Deno.readTextFileSync("/proc/self/mounts").split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((target): target is string => !!target && (target === root || target.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) {
    await new Deno.Command("umount", { args: ["-l", target], stdout: "null", stderr: "null" }).output();
  }
  await Deno.remove(root, { recursive: true }).catch(() => {});
}

/** Containers labelled evalkit=1 on an engine. */
async function evalkitContainers(docker: Docker): Promise<Docker.ContainerInfo[]> {
  return await docker.listContainers({ all: true, filters: JSON.stringify({ label: ["evalkit=1"] }) });
}

/** Cell starts and ends of a log. */
async function attempts(logPath: string) {
  const starts: CellStartEvent[] = [];
  const ends: CellEndEvent[] = [];
  await readLogFile(logPath, {
    types: ["cell_start", "cell_end"],
    onEvent: (e) => {
      if (e.type === "cell_start") starts.push(e as CellStartEvent);
      if (e.type === "cell_end") ends.push(e as CellEndEvent);
    },
  });
  return { starts, ends };
}

Deno.test({
  name: "engine pool: a grid over two real engines survives kill -9 of one; it rejoins and is swept",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const t0 = performance.now();
    const lap = (what: string) => console.log(`  ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Short paths: containerd's socket lives under the exec root and unix socket paths are limited.
    const root = await Deno.makeTempDir({ dir: "/tmp", prefix: "ekpool-" });
    const engines: TestEngine[] = ["a", "b"].map((name, i) => ({
      name,
      dir: `${root}/${name}`,
      socket: `${root}/${name}.sock`,
      bridge: `ekpool${Deno.pid % 10000}${name}`,
      bridgeCidr: `10.231.${(Deno.pid % 100) * 2 + i}.1/24`,
    }));
    const b = engines[1];
    let pool: EnginePool | undefined;
    const docker0Before = await Deno.stat("/sys/class/net/docker0").then(() => true, () => false);
    try {
      for (const engine of engines) await createBridge(engine);
      await Promise.all(engines.map(startEngine));
      lap("two engines started");
      const config = parsePoolConfig({
        engines: engines.map((e) => ({ name: e.name, address: `unix://${e.socket}`, capacity: 2 })),
        health: { intervalMs: 500, timeoutMs: 1000, failures: 2 },
      }, "test pool");
      // The image the tasks need is on this machine's default engine (built once there); the pool copies it.
      const source = dockerClient();
      const tag = await ensureBaseImage(source, ["python3"]);
      assert.equal(tag, await baseImageTag(["python3"]));
      pool = await EnginePool.open(config, { imageSources: [{ name: "default", docker: source }] });
      const copied = await pool.distributeImage(tag);
      assert.deepEqual(copied.sort(), ["a", "b"]);
      for (const e of engines) assert.ok(await imageExists(pool.client(e.name), tag), `${tag} on ${e.name}`);
      lap(`image ${tag} copied into both engines`);

      const suite = await loadSuite();
      const tasks = selectTasks(suite.tasks, "mystery_function/*");
      assert.equal(tasks.length, 3);
      const variants = await loadVariants("basic");
      const logDir = `${root}/runs`;
      // Once two cells are done, engine b is killed the moment its next sandbox is handed to a cell: that
      // cell is certainly in flight on b (its setup is about to run), and so may be others.
      let done = 0;
      let killed: Promise<void> | undefined;
      const open = pool;
      const driver: SandboxDriver = {
        name: "docker",
        buildImage: (recipe) => open.buildImage(recipe),
        create: async (spec) => {
          const sandbox = await open.create(spec);
          if (done >= 2 && !killed && sandbox.engine === "b") {
            killed = killEngine(b).then(() => lap("engine b killed (kill -9)"));
            await killed;
          }
          return sandbox;
        },
      };
      const summary = await runEval({
        tasks,
        variants,
        models: ["simulated/30"],
        epochs: 4,
        seed: 7,
        driver,
        resolveModel: (name) => createModel(name),
        logDir,
        concurrency: pool.totalCapacity(),
        limits: { timeS: 300 },
        progress: {
          start() {},
          cellDone() {
            done++;
          },
          finish() {},
        },
      });
      await killed;
      lap(`grid of ${summary.total} cells done`);
      assert.equal(summary.total, 12);
      assert.equal(summary.counts.ok + summary.counts.limit, 12, JSON.stringify(summary.counts));
      assert.equal(summary.counts.error, 0);

      const { starts, ends } = await attempts(summary.logPath);
      assert.equal(starts.length, ends.length, "every attempt ended");
      const byCell = Map.groupBy(ends, (e) => e.cell);
      assert.equal(byCell.size, 12);
      const infra = ends.filter((e) => e.status === "error");
      console.log(`  pool history: ${JSON.stringify(pool.history)}`);
      assert.ok(infra.length >= 1, "the kill hit at least one cell in flight");
      assert.equal(summary.rescheduled, infra.length);
      for (const e of infra) {
        assert.equal(e.error_source, "infra", e.error ?? "");
        // The loss itself, or a task hook (setup, scoring) that failed because of it.
        assert.match(e.error ?? "", /^(EngineDownError: |TaskHookError: .*)engine b stopped answering/);
        assert.equal(e.engine, "b");
      }
      for (const [cell, cellEnds] of byCell) {
        const finished = cellEnds.filter((e) => e.status !== "error");
        assert.equal(finished.length, 1, `cell ${cell} finished exactly once`);
        assert.equal(cellEnds.at(-1), finished[0], `cell ${cell}: the finished attempt is the last`);
        assert.ok(finished[0].engine === "a" || finished[0].engine === "b");
        if (cellEnds.length > 1) assert.equal(finished[0].engine, "a", `cell ${cell} was rescheduled on a`);
      }
      const killedAt = pool.history.find((h) => h.engine === "b" && h.kind === "down")!;
      assert.ok(killedAt, "engine b was marked down");
      const finishedOnBAfterKill = ends.filter((e) =>
        e.engine === "b" && e.status !== "error" &&
        e.completed_at > killedAt.t + 1000
      );
      assert.deepEqual(finishedOnBAfterKill, [], "nothing finished on b after it was down");
      const { table } = await runs(summary.logPath);
      assert.equal(table.numRows(), 12);
      assert.deepEqual(new Set(table.array("status") as string[]), new Set(["ok"]));
      // The runs table carries each run's engine: the one its last (finished) attempt ran on.
      const engineOf = new Map(ends.filter((e) => e.status !== "error").map((e) => [e.cell, e.engine]));
      for (const row of table.objects() as { cell_id: string; engine: string | null }[]) {
        assert.equal(row.engine, engineOf.get(row.cell_id), `cell ${row.cell_id}: engine column`);
      }

      // b comes back on the same folders: the engine stops the containers it had, the pool sweeps them.
      const dockerB = pool.client("b");
      await startEngine(b);
      lap("engine b restarted");
      const deadline = Date.now() + 20_000;
      while (!pool.status().find((s) => s.name === "b")!.up && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(pool.status().find((s) => s.name === "b")!.up, "engine b rejoined");
      assert.deepEqual(await evalkitContainers(dockerB), [], "its leftover containers were swept");
      // The engine still had the containers it ran when killed (stopped at its restart): the pool removed them.
      const swept = pool.history.find((h) => h.engine === "b" && h.kind === "swept");
      assert.ok(swept, "leftover containers were found on b and removed");
      assert.match(swept.detail, /^[1-9]\d* leftover container\(s\): evalkit-mystery-function-/);
      lap("engine b rejoined, leftovers swept");

      // It takes cells again.
      const again = await runEval({
        tasks: tasks.slice(0, 2),
        variants,
        models: ["simulated/30"],
        epochs: 2,
        seed: 8,
        driver: pool,
        resolveModel: (name) => createModel(name),
        logDir,
        concurrency: pool.totalCapacity(),
      });
      assert.equal(again.counts.ok + again.counts.limit, 4);
      const second = await attempts(again.logPath);
      assert.ok(second.ends.some((e) => e.engine === "b"), "cells were placed on the rejoined engine");
      lap("second grid done");

      // A few containment probes in a sandbox on a pooled engine.
      const sandbox = await pool.create({ packages: ["python3"], label: "pool/containment" });
      try {
        assert.ok(sandbox instanceof PooledSandbox);
        await containmentProbes(sandbox, pool.client(sandbox.engine));
      } finally {
        await sandbox.close();
      }
      lap("containment probes");
    } finally {
      await pool?.close();
      await Promise.all(engines.map(stopEngine));
      killProcessesUnder(root);
      await removeEngineFolders(root);
      for (const engine of engines) await deleteBridge(engine);
    }
    assert.ok(!(await Deno.stat(root).then(() => true, () => false)), `${root} removed`);
    const docker0After = await Deno.stat("/sys/class/net/docker0").then(() => true, () => false);
    assert.equal(docker0After, docker0Before, "the default engine's docker0 bridge is untouched");
  },
});

/** A few of the containment suite's checks, against a container on a pooled engine. */
async function containmentProbes(sandbox: PooledSandbox, docker: Docker): Promise<void> {
  const status = async (user: "agent" | "root") =>
    Object.fromEntries(
      (await sandbox.exec("cat /proc/self/status", { user })).stdout.split("\n").filter(Boolean)
        .map((line) => [line.split(":")[0], line.split(":").slice(1).join(":").trim()]),
    );
  const agent = await status("agent");
  assert.equal(BigInt(`0x${agent.CapEff}`), 0n, "the agent holds no capability");
  assert.equal(agent.NoNewPrivs, "1");
  assert.equal((await status("root")).NoNewPrivs, "1");
  await sandbox.writeFile("/root/flag.txt", "secret\n", { owner: "root", mode: 0o600 });
  const read = await sandbox.exec("cat /root/flag.txt");
  assert.notEqual(read.exitCode, 0, "the agent cannot read root's files");
  const mount = await sandbox.exec("mount -t tmpfs none /mnt", { user: "root" });
  assert.notEqual(mount.exitCode, 0, "root inside cannot mount");
  const unshare = await sandbox.exec(
    ["python3", "-I", "-c", "import os; os.unshare(0x10000000)"],
    { user: "root" },
  );
  assert.notEqual(unshare.exitCode, 0, "no new user namespace");
  const net = await sandbox.exec("cat /proc/net/dev");
  const interfaces = net.stdout.split("\n").slice(2).map((l) => l.split(":")[0].trim()).filter(Boolean);
  assert.deepEqual(interfaces, ["lo"], "no network but loopback");
  const info = await docker.getContainer(sandbox.id).inspect();
  assert.equal(info.HostConfig.NetworkMode, "none");
  assert.equal(info.HostConfig.PidsLimit, 4096);
  assert.ok((info.HostConfig.Memory ?? 0) > 0 && info.HostConfig.Memory === info.HostConfig.MemorySwap);
  assert.ok(info.HostConfig.SecurityOpt?.includes("no-new-privileges"));
}
