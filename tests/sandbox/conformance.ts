/**
 * The conformance suite every sandbox driver must pass: the same tests run against `local` and `docker`.
 * Each test starts its own sandbox and closes it, so one failure never leaks into the next test.
 */
import assert from "node:assert/strict";
import { readFirstLine } from "../util/streams.ts";
import {
  type Sandbox,
  type SandboxDriver,
  type SandboxSpec,
  TRUNCATION_MARK,
  withSandbox,
} from "../../lib/sandbox/mod.ts";

/** What the suite needs to know about one driver. */
export interface DriverHarness {
  name: "local" | "docker";
  /** Why the suite is skipped here, or undefined to run it. */
  ignore?: boolean;
  driver: () => Promise<SandboxDriver>;
  /** Base spec (the docker driver needs a package set to build its image from). */
  spec: SandboxSpec;
  /** True while any host-side trace of the sandbox `id` (container, run directory) exists. */
  traceExists: (id: string) => Promise<boolean>;
  /** Kills the sandbox from outside, as the OOM killer or an engine restart would. */
  killFromOutside: (sandbox: Sandbox) => Promise<void>;
  /** Removes leftovers of dead processes (the driver's orphan sweep). */
  sweep: () => Promise<string[]>;
}

/** Every non-loopback IPv4 address of the host, plus 127.0.0.1. */
function hostAddresses(): string[] {
  const addresses = Deno.networkInterfaces()
    .filter((nic) => nic.family === "IPv4")
    .map((nic) => nic.address);
  return [...new Set(["127.0.0.1", ...addresses])];
}

/** Bash that tries a TCP connection and prints `connected` or `refused`. */
function connectScript(host: string, port: number): string {
  return `if timeout 5 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null; then echo connected; else echo refused; fi`;
}

async function processList(sandbox: Sandbox): Promise<string> {
  const result = await sandbox.exec(
    `for d in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $d/cmdline 2>/dev/null); [ -n "$c" ] && echo "\${d#/proc/} $c"; done`,
    { user: "root", timeoutMs: 30_000 },
  );
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout;
}

/** Registers the conformance tests for one driver. */
export function conformanceSuite(harness: DriverHarness): void {
  const test = (name: string, body: (sandbox: Sandbox) => Promise<void>, spec: Partial<SandboxSpec> = {}) =>
    Deno.test({
      name: `${harness.name} sandbox: ${name}`,
      ignore: harness.ignore,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        const driver = await harness.driver();
        const sandbox = await driver.create({ ...harness.spec, label: `conformance ${name}`, ...spec });
        try {
          await body(sandbox);
        } finally {
          await sandbox.close();
        }
      },
    });

  test("runs commands as the unprivileged agent by default and as root on request", async (sandbox) => {
    const agent = await sandbox.exec('echo "$(id -u):$(id -g):$(id -un):$HOME:$(pwd):$(id -G)"');
    assert.equal(agent.exitCode, 0, agent.stderr);
    assert.equal(agent.stdout.trim(), "1000:1000:agent:/home/agent:/home/agent:1000");
    const root = await sandbox.exec('echo "$(id -u):$HOME:$(pwd)"', { user: "root" });
    assert.equal(root.stdout.trim(), "0:/root:/root");
    assert.equal(sandbox.driver, harness.name);
  });

  test("passes cwd, env and stdin, keeps argv intact, and reports exit codes and stderr", async (sandbox) => {
    const result = await sandbox.exec('cd . && echo "$(pwd) $GREETING" && cat && echo oops >&2 && exit 7', {
      cwd: "/tmp",
      env: { GREETING: "hello there" },
      stdin: "from stdin\n",
    });
    assert.equal(result.exitCode, 7);
    assert.equal(result.stdout, "/tmp hello there\nfrom stdin\n");
    assert.equal(result.stderr, "oops\n");
    assert.equal(result.timedOut, false);
    assert.equal(result.truncated, false);
    const argv = await sandbox.exec(["printf", "[%s]", "two words", "$HOME", "a;b"]);
    assert.equal(argv.stdout, "[two words][$HOME][a;b]");
    const binary = new Uint8Array(256).map((_, i) => i);
    const echoed = await sandbox.exec("od -An -tu1 -v | wc -w", { stdin: binary });
    assert.equal(echoed.stdout.trim(), "256");
    const missingCwd = await sandbox.exec("pwd", { cwd: "/no/such/dir" });
    assert.notEqual(missingCwd.exitCode, 0);
    await assert.rejects(() => sandbox.exec("true", { cwd: "relative" }), /absolute/);
    await assert.rejects(() => sandbox.exec("true", { env: { "BAD=NAME": "x" } }), /environment variable/);
    await assert.rejects(() => sandbox.exec("true", { timeoutMs: -1 }), /timeoutMs/);
  });

  test("kills a runaway command and its whole process tree at the timeout", async (sandbox) => {
    await sandbox.spawnBackground("exec sleep 4242", { user: "root" });
    const result = await sandbox.exec(
      "sleep 3001 & setsid sleep 3002 & (sleep 3003 &); bash -c 'sleep 3004' & echo begun; sleep 3005; echo never",
      { timeoutMs: 2_000 },
    );
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, 137);
    assert.equal(result.stdout, "begun\n");
    assert.ok(result.durationMs >= 2_000 && result.durationMs < 30_000, `took ${result.durationMs} ms`);
    const left = await processList(sandbox);
    assert.doesNotMatch(left, /sleep 300\d/, `survivors:\n${left}`);
    // Only the command's own tree dies: the earlier background service is still running.
    assert.match(left, /sleep 4242/);
    // A busy loop that ignores SIGTERM is killed too.
    const trap = await sandbox.exec("trap '' TERM INT HUP; while :; do :; done", { timeoutMs: 500 });
    assert.equal(trap.timedOut, true);
    assert.doesNotMatch(await processList(sandbox), /while :/);
    const fast = await sandbox.exec("echo quick", { timeoutMs: 30_000 });
    assert.equal(fast.timedOut, false);
    assert.equal(fast.stdout, "quick\n");
  });

  test("truncates output beyond the cap and marks it, per stream", async (sandbox) => {
    const result = await sandbox.exec("head -c 300000 /dev/zero | tr '\\0' a; echo small >&2", {
      outputLimitBytes: 1000,
    });
    assert.equal(result.exitCode, 0);
    assert.equal(result.truncated, true);
    assert.ok(result.stdout.endsWith(TRUNCATION_MARK));
    assert.equal(result.stdout, "a".repeat(1000) + TRUNCATION_MARK);
    assert.equal(result.stderr, "small\n");
    const exact = await sandbox.exec("printf 12345", { outputLimitBytes: 5 });
    assert.equal(exact.stdout, "12345");
    assert.equal(exact.truncated, false);
    const errOnly = await sandbox.exec("head -c 5000 /dev/zero >&2", { outputLimitBytes: 10 });
    assert.equal(errOnly.truncated, true);
    assert.equal(errOnly.stderr, "\0".repeat(10) + TRUNCATION_MARK);
  });

  test("writes and reads files with the requested owner and mode; task files stay root-only", async (sandbox) => {
    await sandbox.writeFile("/home/agent/task/instructions.txt", "Solve it.\n");
    await sandbox.writeFile("/root/answer.txt", "42\n", { owner: "root", mode: 0o600 });
    const bytes = new Uint8Array(256).map((_, i) => 255 - i);
    await sandbox.writeFile("/tmp/blob.bin", bytes, { owner: "root", mode: 0o640 });
    const stat = await sandbox.exec(
      "stat -c '%n %u %a' /home/agent/task /home/agent/task/instructions.txt /root /root/answer.txt /tmp/blob.bin",
      { user: "root" },
    );
    assert.equal(
      stat.stdout,
      [
        "/home/agent/task 1000 755",
        "/home/agent/task/instructions.txt 1000 644",
        "/root 0 700",
        "/root/answer.txt 0 600",
        "/tmp/blob.bin 0 640",
        "",
      ].join("\n"),
    );
    assert.equal(await sandbox.readTextFile("/home/agent/task/instructions.txt"), "Solve it.\n");
    // Reads run as the agent by default: root's files need { as: "root" }.
    assert.deepEqual(await sandbox.readFile("/tmp/blob.bin", { as: "root" }), bytes);
    await assert.rejects(() => sandbox.readFile("/tmp/blob.bin"), /Permission denied/);
    assert.equal(await sandbox.readTextFile("/root/answer.txt", { as: "root" }), "42\n");
    const peek = await sandbox.exec("cat /root/answer.txt; ls /root; cat /tmp/blob.bin | wc -c");
    assert.doesNotMatch(peek.stdout, /42/);
    assert.match(peek.stderr, /Permission denied/);
    await assert.rejects(() => sandbox.readFile("/no/such/file"), /readFile \/no\/such\/file failed/);
    // A symlink the agent plants where a file will be written is replaced, not followed.
    await sandbox.exec("ln -s /root/answer.txt /home/agent/report.txt");
    await sandbox.writeFile("/home/agent/report.txt", "agent report\n");
    assert.equal(await sandbox.readTextFile("/root/answer.txt", { as: "root" }), "42\n");
    const after = await sandbox.exec("stat -c '%u %a %F' /root/answer.txt /home/agent/report.txt", {
      user: "root",
    });
    assert.equal(after.stdout, "0 600 regular file\n1000 644 regular file\n");
  });

  test("copies directories and files in and out", async (sandbox) => {
    const host = await Deno.makeTempDir({ prefix: "evalkit-copy-test-" });
    try {
      await Deno.mkdir(`${host}/src/nested/deeper`, { recursive: true });
      await Deno.writeTextFile(`${host}/src/a.txt`, "alpha");
      await Deno.writeTextFile(`${host}/src/nested/deeper/b.txt`, "beta");
      await Deno.writeFile(`${host}/src/nested/bin.dat`, new Uint8Array([0, 1, 2, 253, 254, 255]));
      await Deno.writeTextFile(`${host}/score.py`, "print('score')\n");
      await sandbox.copyIn(`${host}/src`, "/home/agent/project");
      await sandbox.copyIn(`${host}/src`, "/root/assets", { owner: "root" });
      await sandbox.copyIn(`${host}/score.py`, "/root/score.py", { owner: "root", mode: 0o700 });
      const listing = await sandbox.exec(
        "cd /home/agent/project && find . -printf '%p %u\\n' | sort && cat nested/deeper/b.txt",
      );
      assert.equal(
        listing.stdout,
        [
          ". agent",
          "./a.txt agent",
          "./nested agent",
          "./nested/bin.dat agent",
          "./nested/deeper agent",
          "./nested/deeper/b.txt agent",
          "beta",
        ].join("\n"),
      );
      const hidden = await sandbox.exec("ls /root/assets; cat /root/score.py");
      assert.notEqual(hidden.exitCode, 0);
      assert.doesNotMatch(hidden.stdout, /score|a\.txt/);
      const rootView = await sandbox.exec("stat -c '%u %a' /root/score.py /root/assets/a.txt", {
        user: "root",
      });
      assert.equal(rootView.stdout.split("\n")[0], "0 700");
      assert.equal(rootView.stdout.split("\n")[1].split(" ")[0], "0");

      await sandbox.exec("mkdir -p out/logs && echo result > out/result.txt && echo line > out/logs/run.log");
      await sandbox.exec("cp /bin/true out/suid && chmod 4755 out/suid && ln -s /etc/passwd out/link");
      const report = await sandbox.copyOut("/home/agent/out", `${host}/back/out`);
      // Unpacked by root on the host, yet no setuid binary and no symlink reach it: the link is reported.
      assert.equal((await Deno.stat(`${host}/back/out/suid`)).mode! & 0o7777, 0o755);
      assert.equal(await Deno.lstat(`${host}/back/out/link`).then(() => true, () => false), false);
      assert.deepEqual(report.skipped.map((entry) => entry.path), ["out/link"]);
      assert.equal(report.files, 3);
      assert.equal(await Deno.readTextFile(`${host}/back/out/result.txt`), "result\n");
      assert.equal(await Deno.readTextFile(`${host}/back/out/logs/run.log`), "line\n");
      assert.deepEqual(
        await sandbox.copyOut("/home/agent/project/nested/bin.dat", `${host}/back/bin.dat`),
        { files: 1, bytes: 6, skipped: [] },
      );
      assert.deepEqual(await Deno.readFile(`${host}/back/bin.dat`), new Uint8Array([0, 1, 2, 253, 254, 255]));
      // A relative host path lands in the current directory.
      const cwd = Deno.cwd();
      Deno.chdir(host);
      try {
        await sandbox.copyOut("/home/agent/out/result.txt", "relative.txt");
      } finally {
        Deno.chdir(cwd);
      }
      assert.equal(await Deno.readTextFile(`${host}/relative.txt`), "result\n");
      await assert.rejects(() => sandbox.copyOut("/home/agent/nothing", `${host}/x`), /No such file/);
      // Only into a fresh path: an existing one is refused, never written into.
      await assert.rejects(() => sandbox.copyOut("/home/agent/out", `${host}/back/out`), /already exists/);
      await assert.rejects(() => sandbox.copyIn(`${host}/missing`, "/tmp/x"), /cannot read host path/);
    } finally {
      await Deno.remove(host, { recursive: true });
    }
  });

  test("has no network without permission: host loopback, host addresses and the outside are unreachable", async (sandbox) => {
    const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    let connections = 0;
    const serving = (async () => {
      for await (const conn of listener) {
        connections += 1;
        conn.close();
      }
    })();
    try {
      // Control: the host itself can connect, so a refusal below is the sandbox's doing.
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      for (let i = 0; i < 100 && connections === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(connections, 1, "control connection from the host was not seen");
      const before = connections;
      for (const host of hostAddresses()) {
        const result = await sandbox.exec(connectScript(host, port), { timeoutMs: 30_000 });
        assert.equal(result.stdout.trim(), "refused", `agent reached ${host}:${port}`);
        const asRoot = await sandbox.exec(connectScript(host, port), { user: "root", timeoutMs: 30_000 });
        assert.equal(asRoot.stdout.trim(), "refused", `root reached ${host}:${port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(connections, before, "the host server saw a connection from the sandbox");
      const outside = await sandbox.exec(
        `${
          connectScript("1.1.1.1", 53)
        }; getent hosts debian.org >/dev/null && echo resolved || echo unresolved`,
        { timeoutMs: 30_000 },
      );
      assert.equal(outside.stdout, "refused\nunresolved\n");
      const interfaces = await sandbox.exec("cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");
      assert.equal(interfaces.stdout.trim(), "lo");
    } finally {
      listener.close();
      await serving.catch(() => {});
    }
  });

  test("the agent cannot signal root's processes nor read root's files", async (sandbox) => {
    await sandbox.spawnBackground("exec sleep 5151", { user: "root" });
    const find = await sandbox.exec(
      `for d in /proc/[0-9]*; do [ "$(tr '\\0' ' ' < $d/cmdline 2>/dev/null)" = "sleep 5151 " ] && echo \${d#/proc/}; done`,
      { user: "root" },
    );
    const pid = find.stdout.trim().split("\n")[0];
    assert.match(pid, /^\d+$/, `no root process found: ${find.stdout} ${find.stderr}`);
    const kill = await sandbox.exec(`kill -9 ${pid}; kill -STOP ${pid}; kill -9 1`);
    assert.notEqual(kill.exitCode, 0);
    assert.match(kill.stderr, /Operation not permitted/);
    const alive = await sandbox.exec(`test -d /proc/${pid} && tr '\\0' ' ' < /proc/${pid}/cmdline`, {
      user: "root",
    });
    assert.match(alive.stdout, /sleep 5151/);
    const status = await sandbox.exec(`grep State /proc/${pid}/status`, { user: "root" });
    assert.doesNotMatch(status.stdout, /stopped/);
    await sandbox.writeFile("/root/secret", "s3cret", { owner: "root", mode: 0o600 });
    const peek = await sandbox.exec(
      "cat /root/secret; cat /proc/1/environ; ls -la /root; grep -r s3cret /root /tmp 2>/dev/null; cat /etc/shadow",
    );
    assert.doesNotMatch(peek.stdout, /s3cret/);
    const caps = await sandbox.exec("grep CapEff /proc/self/status");
    assert.equal(caps.stdout.trim(), "CapEff:\t0000000000000000");
  });

  test("the agent cannot signal, trace or read the root exec server that starts its commands", async (sandbox) => {
    // The first commands of a local sandbox may run before its server is up: wait until one is served.
    let serverPid = "";
    for (let attempt = 0; attempt < 200 && !serverPid; attempt++) {
      const [pid, comm] = (await sandbox.exec('echo "$PPID $(cat /proc/$PPID/comm)"')).stdout.trim().split(
        " ",
      );
      if (comm === "perl") serverPid = pid;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(serverPid, "no command ran through the exec server");
    const probe = await sandbox.exec(
      `kill -9 ${serverPid} 2>&1 | grep -c 'not permitted'; kill -STOP ${serverPid} 2>&1 | grep -c 'not permitted'; ` +
        `ls /proc/${serverPid}/fd 2>&1 | grep -c 'Permission denied'; ` +
        `head -c1 /proc/${serverPid}/mem 2>&1 | grep -c 'Permission denied'; ` +
        `cat /proc/${serverPid}/environ 2>&1 | grep -c 'Permission denied'; ls /proc/self/fd | tr '\\n' ' '`,
    );
    assert.equal(probe.stdout, "1\n1\n1\n1\n1\n0 1 2 3 ", probe.stderr);
    // Still there, still serving.
    assert.equal((await sandbox.exec("cat /proc/$PPID/comm")).stdout, "perl\n");
    const state = await sandbox.exec(`grep State /proc/${serverPid}/status`, { user: "root" });
    assert.doesNotMatch(state.stdout, /stopped|zombie/);
  });

  test("close is idempotent and removes every trace; further use fails clearly", async (sandbox) => {
    await sandbox.writeFile("/home/agent/x", "x");
    assert.equal(await harness.traceExists(sandbox.id), true);
    await sandbox.close();
    await sandbox.close();
    assert.equal(await harness.traceExists(sandbox.id), false);
    await assert.rejects(() => sandbox.exec("true"), /after close/);
    await assert.rejects(() => sandbox.readFile("/home/agent/x"), /after close/);
  });

  test("a sandbox killed from outside fails clearly and still closes", async (sandbox) => {
    assert.equal((await sandbox.exec("echo up")).stdout, "up\n");
    await harness.killFromOutside(sandbox);
    await assert.rejects(() => sandbox.exec("echo up"), /is no longer running/);
    await sandbox.close();
    assert.equal(await harness.traceExists(sandbox.id), false);
  });

  Deno.test({
    name: `${harness.name} sandbox: commands share one environment (files, /tmp, background services)`,
    ignore: harness.ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const driver = await harness.driver();
      const sandbox = await driver.create({ ...harness.spec, label: "shared" });
      try {
        await sandbox.exec("echo one > /tmp/shared.txt");
        assert.equal((await sandbox.exec("cat /tmp/shared.txt", { user: "root" })).stdout, "one\n");
        await sandbox.spawnBackground("echo $$ > /root/service.pid; exec sleep 600", { user: "root" });
        let pid = "";
        for (let i = 0; i < 50 && !pid; i++) {
          pid = (await sandbox.exec("cat /root/service.pid 2>/dev/null", { user: "root" })).stdout.trim();
          if (!pid) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const alive = await sandbox.exec(`tr '\\0' ' ' < /proc/${pid}/cmdline`);
        assert.match(alive.stdout, /sleep 600/);
        assert.equal((await sandbox.exec("hostname")).stdout, "evalkit\n");
      } finally {
        await sandbox.close();
      }
    },
  });

  lifecycleSuite(harness);
}

const HOLD_SCRIPT = new URL("./fixtures/hold_sandbox.ts", import.meta.url).pathname;

/** Starts the fixture that holds one sandbox open; resolves with the child and the sandbox id. */
export async function holdSandbox(
  driver: string,
  policy?: string,
): Promise<{ child: Deno.ChildProcess; id: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", HOLD_SCRIPT, driver, ...(policy ? [policy] : [])],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const line = JSON.parse(await readFirstLine(child.stdout));
  if (line.error) throw new Error(`fixture failed: ${line.error}`);
  return { child, id: line.id };
}

function lifecycleSuite(harness: DriverHarness): void {
  const options = { ignore: harness.ignore, sanitizeResources: false, sanitizeOps: false };

  Deno.test({
    ...options,
    name: `${harness.name} sandbox: cleaned up after a run that fails`,
    fn: async () => {
      const driver = await harness.driver();
      let id = "";
      await assert.rejects(
        () =>
          withSandbox(driver, { ...harness.spec, label: "failing run" }, async (sandbox) => {
            id = sandbox.id;
            assert.equal(await harness.traceExists(id), true);
            throw new Error("the run failed");
          }),
        /the run failed/,
      );
      assert.notEqual(id, "");
      assert.equal(await harness.traceExists(id), false);
    },
  });

  Deno.test({
    ...options,
    name: `${harness.name} sandbox: Ctrl-C (SIGINT) closes open sandboxes and exits 130`,
    fn: async () => {
      const { child, id } = await holdSandbox(harness.name);
      assert.equal(await harness.traceExists(id), true);
      child.kill("SIGINT");
      const status = await child.status;
      await child.stdout.cancel().catch(() => {});
      assert.equal(status.code, 130);
      assert.equal(await harness.traceExists(id), false, `${id} survived SIGINT`);
    },
  });

  Deno.test({
    ...options,
    name: `${harness.name} sandbox: leftovers of a killed process are swept as orphans`,
    fn: async () => {
      const { child, id } = await holdSandbox(harness.name);
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      assert.equal(await harness.traceExists(id), true, "SIGKILL should leave a trace to sweep");
      // A live sandbox of this process must survive the sweep.
      const driver = await harness.driver();
      const live = await driver.create({ ...harness.spec, label: "live during sweep" });
      try {
        const removed = await harness.sweep();
        assert.ok(removed.includes(id), `sweep removed ${JSON.stringify(removed)}, not ${id}`);
        assert.equal(await harness.traceExists(id), false);
        assert.equal(await harness.traceExists(live.id), true);
        assert.equal((await live.exec("echo alive")).stdout, "alive\n");
      } finally {
        await live.close();
      }
    },
  });
}
