/**
 * `ctx.root` and `ctx.readAgentFile` against the real sandboxes: a cwd outside /root is refused before
 * anything runs, the environment is exactly the documented clean set, code-loading extras are refused, and
 * `python()` (`python3 -I -B` from a root-only script) never imports a module planted in its cwd, /tmp or
 * the agent's home — while the same planted module IS imported by root's plain `python3 -` in /tmp, which
 * shows the probe is live. Agent files are read as the agent, capped, without following links.
 */
import { assert, assertEquals, assertRejects } from "../util/assert.ts";
import { testDrivers } from "../util/drivers.ts";
import type { Sandbox } from "../../lib/sandbox/types.ts";
import {
  createAgentReader,
  createRootRunner,
  PrivilegedError,
  ROOT_ENV,
  ROOT_WORK_DIR,
} from "../../lib/task/privileged.ts";

/** A module that leaves `/tmp/planted-<tag>-<uid>` when imported. */
const marker = (tag: string) =>
  `import os\nopen("/tmp/planted-${tag}-%d" % os.getuid(), "w").write("imported")\n`;

async function exists(sandbox: Sandbox, path: string): Promise<boolean> {
  return (await sandbox.exec(["test", "-e", path], { user: "root" })).exitCode === 0;
}

async function withSandbox(
  driver: { create: (spec: { label: string; packages: string[] }) => Promise<Sandbox> },
  body: (sandbox: Sandbox) => Promise<void>,
) {
  const sandbox = await driver.create({ label: "privileged-test", packages: ["python3"] });
  try {
    await body(sandbox);
  } finally {
    await sandbox.close();
  }
}

for (const { name, driver } of await testDrivers()) {
  Deno.test({
    name: `ctx.root (${name}): a cwd outside /root is refused and nothing runs`,
    ignore: !driver,
    fn: () =>
      withSandbox(driver!, async (sandbox) => {
        const root = createRootRunner("test/privileged", sandbox);
        for (const cwd of ["/tmp", "/home/agent", "/root/../tmp", "/rootkit", "root/x", "/"]) {
          const error = await assertRejects(
            () => root.exec(["touch", "/tmp/ran-in-bad-cwd"], { cwd }),
            "ctx.root refused",
          );
          assert(error instanceof PrivilegedError, `${cwd}: ${error}`);
          await assertRejects(
            () => root.python("open('/tmp/ran-in-bad-cwd', 'w')", { cwd }),
            "ctx.root refused",
          );
        }
        assert(!(await exists(sandbox, "/tmp/ran-in-bad-cwd")), "a refused command ran");
        // The default cwd is the root-only work directory.
        const pwd = await root.exec(["sh", "-c", 'pwd; stat -c "%U %a" .; stat -c "%U %a" /root']);
        assertEquals(pwd.stdout.trim().split("\n"), [ROOT_WORK_DIR, "root 700", "root 700"]);
        const sub = await root.exec(["pwd"], { cwd: "/root" });
        assertEquals(sub.stdout.trim(), "/root");
      }),
  });

  Deno.test({
    name: `ctx.root (${name}): the environment is exactly the clean set plus explicit extras`,
    ignore: !driver,
    fn: () =>
      withSandbox(driver!, async (sandbox) => {
        const root = createRootRunner("test/privileged", sandbox);
        const r = await root.exec(["/usr/bin/env", "-0"], { env: { SCORE_MODE: "strict" } });
        assertEquals(r.exitCode, 0);
        const env = Object.fromEntries(
          r.stdout.split("\0").filter(Boolean).map((
            kv,
          ) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
        );
        for (const [key, value] of Object.entries(ROOT_ENV)) assertEquals(env[key], value, key);
        assertEquals(env.SCORE_MODE, "strict");
        assertEquals(env.PATH, "/usr/sbin:/usr/bin:/sbin:/bin");
        // Nothing else but the host's random exec marker (drivers' USER, LOGNAME, HOSTNAME are dropped).
        const allowed = new Set([...Object.keys(ROOT_ENV), "SCORE_MODE", "EVALKIT_EXEC"]);
        const extra = Object.keys(env).filter((k) => !allowed.has(k));
        assertEquals(extra, [], `unexpected variables in a privileged command: ${extra.join(", ")}`);
        for (const bad of ["PYTHONPATH", "LD_PRELOAD", "PATH", "HOME", "BASH_ENV", "PYTHONSTARTUP"]) {
          await assertRejects(() => root.exec(["true"], { env: { [bad]: "/tmp" } }), bad);
          await assertRejects(() => root.python("pass", { env: { [bad]: "/tmp" } }), bad);
        }
      }),
  });

  Deno.test({
    name: `ctx.root (${name}): python -I never imports modules planted in its cwd, /tmp or /home/agent`,
    ignore: !driver,
    fn: () =>
      withSandbox(driver!, async (sandbox) => {
        const root = createRootRunner("test/privileged", sandbox);
        await root.exec(["true"]); // creates the work directory
        for (const dir of ["/tmp", "/home/agent"]) {
          for (const mod of ["json", "sitecustomize", "usercustomize"]) {
            await sandbox.writeFile(`${dir}/${mod}.py`, marker(mod), { owner: "agent" });
          }
        }
        // Root itself plants one in the work directory (cwd): -I must ignore the cwd too.
        await sandbox.writeFile(`${ROOT_WORK_DIR}/json.py`, marker("cwd-json"), {
          owner: "root",
          mode: 0o600,
        });
        const r = await root.python(
          "import json, sys\nprint(json.__file__)\nprint(json.dumps(sys.path))\nprint(sys.argv[1:])",
          { args: ["a b", "--x"] },
        );
        assertEquals(r.exitCode, 0, r.stderr);
        const [file, path, args] = r.stdout.trim().split("\n");
        assert(file.startsWith("/usr/lib/python3"), `json came from ${file}`);
        for (const entry of JSON.parse(path) as string[]) {
          assert(/^\/usr\/(local\/)?lib\/python3/.test(entry), `sys.path holds ${JSON.stringify(entry)}`);
          const writable = await sandbox.exec(["test", "-w", entry], { user: "agent" });
          assert(writable.exitCode !== 0, `the agent can write ${entry}, which is on root's sys.path`);
        }
        assertEquals(args, "['a b', '--x']");
        for (const tag of ["json", "sitecustomize", "usercustomize", "cwd-json"]) {
          assert(!(await exists(sandbox, `/tmp/planted-${tag}-0`)), `root imported the planted ${tag}`);
        }
        // The script file is gone afterwards.
        const left = await root.exec(["sh", "-c", `ls ${ROOT_WORK_DIR} | grep -c '^script-' || true`]);
        assertEquals(left.stdout.trim(), "0");
        // Positive control: root's plain `python3 -` in /tmp (what library_repair did) imports the planted json.
        await sandbox.exec(["/usr/bin/python3", "-"], { user: "root", cwd: "/tmp", stdin: "import json\n" });
        assert(
          await exists(sandbox, "/tmp/planted-json-0"),
          "the probe is not live: root's python3 - in /tmp did not import /tmp/json.py",
        );
      }),
  });

  Deno.test({
    name: `ctx.readAgentFile (${name}): reads as the agent, refuses links and oversize files`,
    ignore: !driver,
    fn: () =>
      withSandbox(driver!, async (sandbox) => {
        const read = createAgentReader(sandbox);
        await sandbox.writeFile("/root/secret.txt", "top secret\n", { owner: "root", mode: 0o600 });
        await sandbox.writeFile("/home/agent/answer.txt", "42\n");
        assertEquals(await read("/home/agent/answer.txt"), "42\n");
        await sandbox.exec(["ln", "-s", "/root/secret.txt", "/home/agent/link.txt"], { user: "agent" });
        await sandbox.exec(["ln", "-s", "/dev/zero", "/home/agent/zero.txt"], { user: "agent" });
        for (const path of ["/home/agent/link.txt", "/home/agent/zero.txt", "/root/secret.txt"]) {
          const error = await assertRejects(() => read(path), "");
          assert(!String(error).includes("top secret"), `${path}: the error leaks the file`);
        }
        await sandbox.exec(["sh", "-c", "head -c 5000 /dev/zero > /home/agent/big.txt"], { user: "agent" });
        await assertRejects(() => read("/home/agent/big.txt", { maxBytes: 4096 }), "/home/agent/big.txt");
        assertEquals((await read("/home/agent/big.txt", { maxBytes: 5000 })).length, 5000);
      }),
  });
}
