import assert from "node:assert/strict";
import Docker from "dockerode";
import {
  baseImageTag,
  CONTAINER_LABEL,
  createSandboxDriver,
  DockerDriver,
  dockerEngineReachable,
  ensureBaseImage,
  SandboxGoneError,
  SandboxUnavailableError,
  sweepDeadImageBuilds,
  sweepDockerOrphans,
} from "../../lib/sandbox/mod.ts";
import { dockerClient, PIDS_LIMIT } from "../../lib/sandbox/docker.ts";
import { killAgentProcesses } from "../../lib/run/sandbox_limits.ts";
import { conformanceSuite, holdSandbox } from "./conformance.ts";
import { ROOT_PROCESSES_FIRST_FOR_OOM, SPLIT_MEMORY_BOMB } from "../util/oom.ts";

const reachable = await dockerEngineReachable();
const inCi = Deno.env.get("CI") === "true";
const ignore = !reachable && !inCi;
if (ignore) {
  console.error(
    "SKIPPING docker sandbox tests: no Docker engine reachable at " +
      `${Deno.env.get("DOCKER_HOST") || "unix:///var/run/docker.sock"} (start dockerd or set DOCKER_HOST; ` +
      "with CI=true these tests fail instead of skipping)",
  );
}
/** Minimal package set: the base image built for the tests (cached between runs by its tag). */
const TEST_PACKAGES = ["python3"];

async function containerExists(id: string): Promise<boolean> {
  try {
    await dockerClient().getContainer(id).inspect();
    return true;
  } catch {
    return false;
  }
}

conformanceSuite({
  name: "docker",
  ignore,
  driver: () => createSandboxDriver("docker"),
  spec: { packages: TEST_PACKAGES },
  traceExists: containerExists,
  sweep: () => sweepDockerOrphans(),
  killFromOutside: async (sandbox) => {
    await dockerClient().getContainer(sandbox.id).kill();
  },
});

Deno.test({
  name: "docker sandbox: base images are cached per package set",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.equal(await baseImageTag(["python3", "bash"]), await baseImageTag(["bash", "python3", "bash"]));
    assert.notEqual(await baseImageTag(["python3"]), await baseImageTag(["python3", "curl"]));
    const docker = dockerClient();
    const tag = await ensureBaseImage(docker, TEST_PACKAGES);
    const created = (await docker.getImage(tag).inspect()).Created;
    assert.equal(await ensureBaseImage(docker, [...TEST_PACKAGES]), tag);
    assert.equal((await docker.getImage(tag).inspect()).Created, created, "the image was rebuilt");
    // The image has the task's packages, the agent user and a private /root.
    const sandbox = await new DockerDriver().create({ label: "image check", packages: TEST_PACKAGES });
    try {
      const result = await sandbox.exec(
        "python3 -c 'print(6*7)'; getent passwd agent | cut -d: -f3,6; stat -c '%a %U' /root /home/agent",
      );
      assert.equal(result.stdout, "42\n1000:/home/agent\n700 root\n755 agent\n");
      const info = await docker.getContainer(sandbox.id).inspect();
      assert.equal(info.Config.Labels[CONTAINER_LABEL], "1");
      assert.equal(info.Config.Labels["evalkit.owner-pid"], String(Deno.pid));
      assert.equal(info.HostConfig.NetworkMode, "none");
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name: "docker sandbox: resource limits from the spec reach the container",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const sandbox = await new DockerDriver().create({
      label: "limits",
      packages: TEST_PACKAGES,
      cpus: 1.5,
      memoryGb: 0.5,
      diskGb: 0.01,
      maxProcesses: 100,
    });
    try {
      const info = await new Docker().getContainer(sandbox.id).inspect();
      assert.equal(info.HostConfig.NanoCpus, 1.5e9);
      assert.equal(info.HostConfig.Memory, 0.5 * 1024 ** 3);
      assert.equal(info.HostConfig.MemorySwap, 0.5 * 1024 ** 3, "swap does not extend the memory cap");
      assert.equal(info.HostConfig.PidsLimit, 100);
      // Docker's protections stay: init, no-new-privileges, default seccomp profile and capability set.
      assert.equal(info.HostConfig.Init, true);
      assert.deepEqual(info.HostConfig.SecurityOpt, ["no-new-privileges"]);
      assert.equal(info.HostConfig.CapDrop, null);
      assert.equal(info.HostConfig.Privileged, false);
      const mounts = await sandbox.exec(
        "for m in /tmp /var/tmp /home/agent /root /run; do " +
          'echo "$m $(findmnt -n -o FSTYPE,SIZE "$m" | tr -s " ") $(stat -c "%a %U" "$m")"; done; ' +
          "stat -c '%a' /run/lock; cat /proc/self/status | grep -E '^(NoNewPrivs|Seccomp):'",
        { user: "root" },
      );
      assert.equal(
        mounts.stdout,
        "/tmp tmpfs 10.2M 1777 root\n/var/tmp tmpfs 10.2M 1777 root\n/home/agent tmpfs 10.2M 755 agent\n" +
          "/root tmpfs 10.2M 700 root\n/run tmpfs 10.2M 755 root\n1777\nNoNewPrivs:\t1\nSeccomp:\t2\n",
        mounts.stderr,
      );
      // Nothing the agent can write is left on the container's (uncapped) writable layer.
      const layer = await sandbox.exec(
        "find / -xdev \\( -perm -0002 -o -user agent \\) \\( -type d -o -type f \\) -print 2>/dev/null",
        { user: "root", timeoutMs: 60_000 },
      );
      const onLayer = layer.stdout.split("\n").filter((path) =>
        path !== "" && !["/tmp", "/var/tmp", "/home/agent", "/root", "/run"].includes(path)
      );
      assert.deepEqual(onLayer, [], "agent-writable paths on the writable layer");
      // Files written through the API land on the tmpfs mounts, visible inside, stdin included.
      await sandbox.writeFile("/home/agent/a.txt", "in home\n");
      await sandbox.writeFile("/root/r.txt", "in root\n", { owner: "root", mode: 0o600 });
      const seen = await sandbox.exec("cat /home/agent/a.txt; cat /root/r.txt; head -c 3 | wc -c", {
        user: "root",
        stdin: "abcdef",
      });
      assert.equal(seen.stdout, "in home\nin root\n3\n");
    } finally {
      await sandbox.close();
    }
    const defaults = await new DockerDriver().create({ label: "limit defaults", packages: TEST_PACKAGES });
    try {
      const info = await new Docker().getContainer(defaults.id).inspect();
      assert.equal(info.HostConfig.PidsLimit, PIDS_LIMIT);
      assert.equal(info.HostConfig.Memory, 4 * 1024 ** 3);
      assert.equal(info.HostConfig.MemorySwap, 4 * 1024 ** 3);
      const size = await defaults.exec(
        "for m in /tmp /home/agent /root; do findmnt -n -o SIZE $m | tr -d ' '; done",
      );
      assert.equal(size.stdout, "2G\n2G\n2G\n");
    } finally {
      await defaults.close();
    }
  },
});

Deno.test({
  name: "docker sandbox: limitsHit names the memory, process and disk limits an agent ran into",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const sandbox = await new DockerDriver().create({
      label: "limits hit",
      packages: TEST_PACKAGES,
      memoryGb: 0.125,
      diskGb: 0.01,
      maxProcesses: 64,
    });
    try {
      assert.deepEqual(await sandbox.limitsHit(), [], "nothing hit yet");
      // Disk: fill the 10 MB home.
      const fill = await sandbox.exec("head -c 20000000 /dev/zero > /home/agent/fill; echo $?");
      assert.match(fill.stderr, /No space left on device/);
      assert.deepEqual(await sandbox.limitsHit(), ["disk"]);
      await sandbox.exec("rm /home/agent/fill");
      assert.deepEqual(await sandbox.limitsHit(), [], "the disk check looks at current usage");
      // Memory: a python memory bomb is OOM-killed inside the 128 MB cap.
      const bomb = await sandbox.exec("python3 -c 'a = []\nwhile True: a.append(bytearray(10**7))'", {
        timeoutMs: 60_000,
      });
      assert.notEqual(bomb.exitCode, 0, "the bomb was killed");
      assert.deepEqual(await sandbox.limitsHit(), ["memory"]);
      // Processes: a fork bomb saturates the 64-process limit and goes on in the background.
      await sandbox.exec(":(){ :|:& };:", { timeoutMs: 5_000 });
      assert.deepEqual((await sandbox.limitsHit()).sort(), ["memory", "processes"]);
      // The agent's processes can still all be killed (by fork-free commands), and the sandbox is usable.
      assert.equal(await killAgentProcesses(sandbox), true);
      const after = await sandbox.exec("echo still usable", { timeoutMs: 30_000 });
      assert.equal(after.stdout, "still usable\n");
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name: "docker sandbox: an agent that gets the OOM killer to choose the exec server (the main process) " +
    "stops the container, and limitsHit still names the memory limit",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const sandbox = await new DockerDriver().create({
      label: "server oom",
      packages: TEST_PACKAGES,
      memoryGb: 0.125,
      maxProcesses: 128,
    });
    try {
      // Every root process (docker-init and the exec server) made the OOM killer's first choice, as an
      // agent whose processes each stay small achieves against a server with a larger footprint.
      const marked = await sandbox.exec(`${ROOT_PROCESSES_FIRST_FOR_OOM}; cat /proc/1/oom_score_adj`, {
        user: "root",
      });
      assert.equal(marked.stdout, "1000\n");
      // Twenty 10 MB processes (inherited score put back to 0) against the 128 MB cap.
      const bomb = sandbox.exec(SPLIT_MEMORY_BOMB, { timeoutMs: 60_000 });
      const ended = await bomb.then(() => "returned", (error) => error);
      assert.ok(ended instanceof SandboxGoneError, `the container stopped under the command: ${ended}`);
      assert.deepEqual(await sandbox.limitsHit(), ["memory"]);
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name: "docker sandbox: commands run through the in-container exec server; an engine exec takes over " +
    "when the server cannot fork, and without the server",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const sandbox = await new DockerDriver().create({
      label: "exec server",
      packages: TEST_PACKAGES,
      maxProcesses: 48,
    });
    try {
      // Served: the command's parent is the server (the container's main process under docker-init).
      const served = await sandbox.exec('echo "$PPID"; tr "\\0" " " </proc/$PPID/cmdline | cut -c1-40');
      const [serverPid, cmdline] = served.stdout.trim().split("\n");
      assert.match(cmdline, /^perl -e /, served.stdout + served.stderr);
      assert.notEqual(serverPid, "0");
      // Every process slot taken (and retaken as soon as one frees): the server cannot fork, so the command
      // runs as an engine exec, whose process joins the container from outside (parent pid 0).
      await sandbox.spawnBackground("while :; do sleep 1000 & done 2>/dev/null");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const fallback = await sandbox.exec('echo "$PPID"', { timeoutMs: 30_000 });
      assert.equal(fallback.stdout, "0\n", `not an engine exec: ${JSON.stringify(fallback)}`);
      assert.ok((await sandbox.limitsHit()).includes("processes"));
      assert.equal(await killAgentProcesses(sandbox), true);
      const back = await sandbox.exec('echo "$PPID"');
      assert.equal(back.stdout, `${serverPid}\n`, "the server serves again once slots are free");
    } finally {
      await sandbox.close();
    }
    // Without the server (the escape hatch) every command is an engine exec, stdin and exit codes included.
    const plain = await new DockerDriver({ execServer: false }).create({
      label: "no exec server",
      packages: TEST_PACKAGES,
    });
    try {
      assert.equal((await plain.exec('echo "$PPID"')).stdout, "0\n");
      const result = await plain.exec("cat; exit 3", { stdin: "in\n" });
      assert.deepEqual([result.exitCode, result.stdout], [3, "in\n"]);
      assert.equal((await plain.exec("cat /proc/1/cmdline | tr '\\0' ' '")).stdout.includes("perl"), false);
    } finally {
      await plain.close();
    }
  },
});

Deno.test({
  name: "docker sandbox: kill -9 of the owner stops the container at once; the sweep then removes it",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const docker = dockerClient();
    const { child, id } = await holdSandbox("docker");
    // The agent has a process running in it.
    const exec = await docker.getContainer(id).exec({
      Cmd: ["setsid", "sleep", "1000"],
      User: "1000:1000",
      Detach: true,
    });
    await exec.start({ Detach: true });
    const top = await docker.getContainer(id).top();
    assert.ok(JSON.stringify(top.Processes).includes("sleep 1000"), JSON.stringify(top.Processes));
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    // No sweep yet: the engine closes the dead owner's attached stdin and the container stops by itself.
    let running = true;
    for (let i = 0; i < 100 && running; i++) {
      running = (await docker.getContainer(id).inspect()).State.Running;
      if (running) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(running, false, "the container still runs the agent's processes after its owner died");
    const removed = await sweepDockerOrphans();
    assert.ok(removed.includes(id), `the sweep removed ${JSON.stringify(removed)}, not ${id}`);
    assert.equal(await containerExists(id), false);
  },
});

Deno.test("docker sandbox: DOCKER_HOST is honoured and an unreachable engine is named with the fix", async () => {
  const saved = Deno.env.get("DOCKER_HOST");
  Deno.env.set("DOCKER_HOST", "unix:///nonexistent/evalkit-docker.sock");
  try {
    assert.equal(await dockerEngineReachable(), false);
    await assert.rejects(() => createSandboxDriver("docker"), /nonexistent\/evalkit-docker\.sock/);
    await assert.rejects(() => new DockerDriver().create({ label: "nowhere" }), (error: unknown) => {
      assert.ok(error instanceof SandboxUnavailableError);
      assert.match(error.message, /docker sandbox unavailable: cannot reach a Docker engine/);
      assert.match(error.message, /unix:\/\/\/nonexistent\/evalkit-docker\.sock/);
      assert.match(error.message, /set DOCKER_HOST, or use --sandbox local/);
      return true;
    });
  } finally {
    if (saved === undefined) Deno.env.delete("DOCKER_HOST");
    else Deno.env.set("DOCKER_HOST", saved);
  }
});

Deno.test({
  name: "docker sandbox: with network permitted, a server on the host is reachable through the bridge",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const accepted = listener.accept().then((conn) => conn.close());
    const sandbox = await new DockerDriver().create({
      label: "networked",
      packages: TEST_PACKAGES,
      network: true,
    });
    try {
      // The host is the container's default gateway (read from the kernel's routing table).
      const script =
        `while read -r iface dest gw rest; do [ "$dest" = 00000000 ] && g=$gw; done < /proc/net/route
        host=$(printf '%d.%d.%d.%d' 0x\${g:6:2} 0x\${g:4:2} 0x\${g:2:2} 0x\${g:0:2})
        timeout 5 bash -c "exec 3<>/dev/tcp/$host/${port}" && echo connected`;
      const result = await sandbox.exec(script);
      assert.equal(result.stdout, "connected\n", result.stderr);
      await accepted;
    } finally {
      await sandbox.close();
      listener.close();
    }
  },
});

/** Forwards TCP connections on 127.0.0.1 to the engine's unix socket: a "remote" engine for DOCKER_HOST. */
function tcpToEngine(socketPath: string): { port: number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  (async () => {
    for await (const client of listener) {
      const engine = await Deno.connect({ transport: "unix", path: socketPath });
      conns.push(client, engine);
      client.readable.pipeTo(engine.writable).catch(() => {});
      engine.readable.pipeTo(client.writable).catch(() => {});
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: () => {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    },
  };
}

Deno.test({
  name: "docker sandbox: an engine reached over tcp:// via DOCKER_HOST runs the sandbox",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const proxy = tcpToEngine("/var/run/docker.sock");
    const saved = Deno.env.get("DOCKER_HOST");
    Deno.env.set("DOCKER_HOST", `tcp://127.0.0.1:${proxy.port}`);
    try {
      const driver = await createSandboxDriver("docker");
      const sandbox = await driver.create({ label: "over tcp", packages: TEST_PACKAGES });
      try {
        const result = await sandbox.exec("cat; id -un", { stdin: "via tcp\n" });
        assert.equal(result.stdout, "via tcp\nagent\n");
        await sandbox.writeFile("/root/x", "1", { owner: "root" });
        assert.equal(await sandbox.readTextFile("/root/x", { as: "root" }), "1");
      } finally {
        await sandbox.close();
      }
      assert.equal(await containerExists(sandbox.id), false);
    } finally {
      if (saved === undefined) Deno.env.delete("DOCKER_HOST");
      else Deno.env.set("DOCKER_HOST", saved);
      proxy.close();
    }
  },
});

Deno.test("image builds killed mid-way are swept, mounts inside them unmounted first", async () => {
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  const dir = `${Deno.env.get("TMPDIR") || "/tmp"}/evalkit-rootfs-${dead.pid}-test`;
  await Deno.mkdir(`${dir}/proc`, { recursive: true });
  await Deno.writeTextFile(`${dir}/etc-passwd`, "x");
  const mount = await new Deno.Command("mount", { args: ["-t", "tmpfs", "none", `${dir}/proc`] }).output();
  assert.equal(mount.success, true, new TextDecoder().decode(mount.stderr));
  await Deno.writeTextFile(`${dir}/proc/inside-mount`, "y");
  const live = await Deno.makeTempDir({ prefix: `evalkit-rootfs-${Deno.pid}-` });
  try {
    const removed = await sweepDeadImageBuilds();
    assert.ok(removed.includes(`evalkit-rootfs-${dead.pid}-test`), JSON.stringify(removed));
    assert.equal(await Deno.stat(dir).then(() => true, () => false), false);
    assert.doesNotMatch(await Deno.readTextFile("/proc/self/mounts"), new RegExp(dir));
    assert.equal(await Deno.stat(live).then(() => true, () => false), true, "a live build was removed");
  } finally {
    await Deno.remove(live, { recursive: true });
  }
});

Deno.test({
  name: "second-signal policy: a Ctrl-C delivered twice at once (terminal + deno task) counts once",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { child, id } = await holdSandbox("docker", "second-signal");
    try {
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 50));
      child.kill("SIGINT"); // the same key press, forwarded
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await containerExists(id), true, "one Ctrl-C delivered twice closed everything");
      child.kill("SIGINT"); // a real second Ctrl-C
      assert.equal((await child.status).code, 130);
      assert.equal(await containerExists(id), false);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
      await child.stdout.cancel().catch(() => {});
    }
  },
});
