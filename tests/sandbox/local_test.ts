import assert from "node:assert/strict";
import {
  createSandboxDriver,
  defaultLocalBaseDir,
  LocalDriver,
  type LocalSandbox,
  normalizePackages,
  SandboxUnavailableError,
  sweepLocalOrphans,
} from "../../lib/sandbox/mod.ts";
import { localPreflight } from "../../lib/sandbox/local.ts";
import { SIGNAL_REPEAT_MS } from "../../lib/sandbox/cleanup.ts";
import { conformanceSuite, holdSandbox } from "./conformance.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

conformanceSuite({
  name: "local",
  driver: () => createSandboxDriver("local"),
  spec: {},
  traceExists: (id) => exists(`${defaultLocalBaseDir()}/${id}`),
  sweep: () => sweepLocalOrphans(),
  killFromOutside: async (sandbox) => {
    const { targetPid } = sandbox as LocalSandbox;
    Deno.kill(targetPid, "SIGKILL");
    while (await exists(`/proc/${targetPid}`)) await new Promise((resolve) => setTimeout(resolve, 10));
  },
});

Deno.test("local sandbox: refuses to start without bubblewrap, naming the fix", async () => {
  assert.throws(() => localPreflight("/nonexistent:/also/missing"), (error: unknown) => {
    assert.ok(error instanceof SandboxUnavailableError);
    assert.match(error.message, /bubblewrap/);
    assert.match(error.message, /apt-get install -y bubblewrap/);
    assert.match(error.message, /--sandbox docker/);
    return true;
  });
  await assert.rejects(
    () => new LocalDriver({ searchPath: "/nonexistent" }).create({ label: "no bwrap" }),
    SandboxUnavailableError,
  );
});

Deno.test("local sandbox: a process whose PATH lacks bwrap gets the message, never an unisolated run", async () => {
  const script = new URL("./fixtures/hold_sandbox.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "local"],
    env: { PATH: "/nonexistent" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 3);
  const line = JSON.parse(new TextDecoder().decode(out.stdout).trim());
  assert.match(line.error, /local sandbox unavailable: bubblewrap \(bwrap\) is not installed or not on PATH/);
  assert.match(line.error, /apt-get install -y bubblewrap/);
});

Deno.test("local sandbox: a task's missing Debian packages are named with the apt-get line", async () => {
  const before = [...Deno.readDirSync(defaultLocalBaseDir())].length;
  await assert.rejects(
    () => new LocalDriver().create({ label: "needs_pkgs/1", packages: ["bash", "evalkit-no-such-package"] }),
    (error: unknown) => {
      assert.ok(error instanceof SandboxUnavailableError);
      assert.match(error.message, /task needs_pkgs\/1 needs Debian packages not installed on this host/);
      assert.match(error.message, /apt-get install -y --no-install-recommends evalkit-no-such-package/);
      assert.doesNotMatch(error.message, /install -y[^`]*\bbash\b/);
      return true;
    },
  );
  assert.equal([...Deno.readDirSync(defaultLocalBaseDir())].length, before, "a failed create left a run dir");
  assert.throws(
    () => normalizePackages(["python3", "Bad Name"], "fam/task"),
    /fam\/task: invalid Debian package/,
  );
  assert.deepEqual(normalizePackages(["bb", "aa", "bb"]), ["aa", "bb"]);
});

Deno.test("local sandbox: the host's project, home and root directories are invisible", async () => {
  const sandbox = await new LocalDriver().create({ label: "visibility" });
  try {
    const probe = await sandbox.exec(
      `for p in ${Deno.cwd()} /work /home/agent /root /usr/local/bin/docker /var/lib/docker; do
         [ -e "$p" ] && echo "visible $p" || echo "hidden $p"; done; ls /home`,
      { user: "root" },
    );
    assert.equal(
      probe.stdout,
      [
        `hidden ${Deno.cwd()}`,
        "hidden /work",
        "visible /home/agent",
        "visible /root",
        "hidden /usr/local/bin/docker",
        "hidden /var/lib/docker",
        "agent",
        "",
      ].join("\n"),
    );
    assert.equal((await sandbox.exec("ulimit -u")).stdout, "4096\n", "agent process limit (fork bombs)");
    // The host is read-only even for root inside the sandbox.
    const write = await sandbox.exec("touch /usr/evalkit-test || touch /etc/evalkit-test", { user: "root" });
    assert.notEqual(write.exitCode, 0);
    assert.match(write.stderr, /Read-only file system/);
    assert.equal(await Deno.stat("/usr/evalkit-test").then(() => true, () => false), false);
  } finally {
    await sandbox.close();
  }
});

Deno.test("local sandbox: a task that needs the network is refused, pointing at the docker driver", async () => {
  const before = [...Deno.readDirSync(defaultLocalBaseDir())].length;
  await assert.rejects(
    () => new LocalDriver().create({ label: "networked/1", network: true }),
    (error: unknown) => {
      assert.ok(error instanceof SandboxUnavailableError);
      assert.match(error.message, /networked\/1 needs network access/);
      assert.match(error.message, /--sandbox docker/);
      return true;
    },
  );
  assert.equal([...Deno.readDirSync(defaultLocalBaseDir())].length, before, "nothing was created");
});

Deno.test("local sandbox: a program that exits without close() leaves no run directory and does not hang", async () => {
  const code = `import { createSandboxDriver } from "${
    new URL("../../lib/sandbox/mod.ts", import.meta.url).href
  }";
const sandbox = await (await createSandboxDriver("local")).create({ label: "forgotten" });
await sandbox.exec("true");
console.log(sandbox.id);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const id = new TextDecoder().decode(out.stdout).trim();
  assert.match(id, /^evalkit-forgotten-/);
  assert.equal(await exists(`${defaultLocalBaseDir()}/${id}`), false);
});

Deno.test({
  name:
    "local sandbox: with the second-signal policy the first Ctrl-C is the application's, the second cleans up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { child, id } = await holdSandbox("local", "second-signal");
    const trace = `${defaultLocalBaseDir()}/${id}`;
    child.kill("SIGINT");
    // Well past the repeat window (a signal within SIGNAL_REPEAT_MS of the last one counts once), measured from
    // when the child handles the first: on a loaded machine that can be a while after kill().
    await new Promise((resolve) => setTimeout(resolve, 3 * SIGNAL_REPEAT_MS));
    assert.equal(await exists(trace), true, "the first SIGINT already closed the sandbox");
    child.kill("SIGINT");
    const status = await child.status;
    await child.stdout.cancel().catch(() => {});
    assert.equal(status.code, 130);
    assert.equal(await exists(trace), false);
  },
});

Deno.test("local sandbox: createSandboxDriver checks the host before any run", async () => {
  await assert.rejects(
    () => createSandboxDriver("local", { local: { searchPath: "/nonexistent" } }),
    /apt-get install -y bubblewrap/,
  );
  // deno-lint-ignore no-explicit-any
  await assert.rejects(() => createSandboxDriver("podman" as any), /unknown sandbox driver "podman"/);
});

Deno.test("local sandbox: a descriptor evalkit inherited from its launcher never reaches the agent", async () => {
  const fixture = new URL("./fixtures/inherited_fd_probe.ts", import.meta.url).pathname;
  for (const mode of ["chain", "server"]) {
    // bash leaves fd 9 open across its exec, as a careless launcher would; Deno passes it on to its children.
    const out = await new Deno.Command("bash", {
      args: ["-c", 'exec 9</etc/hostname; exec "$0" run -A "$1" "$2"', Deno.execPath(), fixture, mode],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const probe = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    // Served by the exec server, or started from outside the sandbox's PID namespace (parent pid 0).
    assert.equal(probe.parent, mode === "server" ? "perl" : "", JSON.stringify(probe));
    assert.equal(probe.fds, "0 1 2 3", `${mode}: the agent holds ${probe.fds}`);
  }
});
