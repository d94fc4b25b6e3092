/**
 * The workbench CLI end to end, in both real sandboxes: start a task environment (held by a detached
 * process), run a command in it as the agent, score a submission, export files, destroy it — and nothing
 * is left behind.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { fromFileUrl } from "../../lib/util/path.ts";
import { testDrivers } from "../util/drivers.ts";
import { cli } from "../cli/_run.ts";

const SUITE = fromFileUrl(new URL("../fixtures/suite_hooks/", import.meta.url));

const workbench = (stateDir: string, ...args: string[]) =>
  cli("workbench", args, { EVALKIT_WORKBENCH_DIR: stateDir });

for (const { name, driver } of await testDrivers()) {
  Deno.test({
    name: `workbench (${name}): start, exec as agent, score, export, destroy`,
    ignore: !driver,
    fn: async () => {
      const stateDir = await Deno.makeTempDir({ prefix: "evalkit-wb-" });
      try {
        const started = await workbench(stateDir, "start", "hooks/good", "--sandbox", name, "--dir", SUITE);
        assertEquals(started.code, 0, started.stderr);
        const envId = /environment (\S+) started/.exec(started.stdout)?.[1];
        assert(envId, started.stdout);
        assert(started.stdout.includes("Write hello to /home/agent/answer.txt"), "instructions are printed");

        const listed = await workbench(stateDir, "list");
        assert(listed.stdout.includes(envId!), listed.stdout);

        const who = await workbench(
          stateDir,
          "exec",
          envId!,
          "--",
          "bash",
          "-c",
          "id -u; echo hello > answer.txt",
        );
        assertEquals(who.code, 0, who.stderr);
        assertEquals(who.stdout.trim(), "1000", "commands run as the agent user");

        const denied = await workbench(stateDir, "exec", envId!, "--", "cat", "/root/expected.txt");
        assert(denied.code !== 0, "the agent cannot read root's files");

        const good = await workbench(stateDir, "score", envId!, "--submission", "hello");
        assert(good.stdout.includes("Score: 1"), good.stdout + good.stderr);
        const bad = await workbench(stateDir, "score", envId!, "--submission", "nope");
        assert(bad.stdout.includes("Score: 0"), bad.stdout + bad.stderr);

        const host = await Deno.makeTempDir({ prefix: "evalkit-wb-export-" });
        try {
          const out = `${host}/out`;
          const exported = await workbench(stateDir, "export", envId!, "*.txt", "--out", out);
          assertEquals(exported.code, 0, exported.stderr);
          assertEquals((await Deno.readTextFile(`${out}/answer.txt`)).trim(), "hello");
          // Only into a new folder: an existing --out is refused before anything is copied.
          const again = await workbench(stateDir, "export", envId!, "*.txt", "--out", out);
          assert(again.code !== 0 && again.stderr.includes("already exists"), again.stderr);

          // The agent names a directory "a<newline>.." so a line-based listing would yield "../agent/evil.txt"
          // and land the file one level above --out; symlinks would be followed on the host.
          const plant = await workbench(
            stateDir,
            "exec",
            envId!,
            "--",
            "bash",
            "-c",
            "mkdir -p $'a\\n../agent' && echo planted > $'a\\n../agent/evil.txt' && echo mine > evil.txt && " +
              "ln -s /etc evil-link && ln -s /root/expected.txt evil-secret.txt",
          );
          assertEquals(plant.code, 0, plant.stderr);
          const probe = await workbench(stateDir, "export", envId!, "*evil*", "--out", `${host}/probe`);
          assertEquals(probe.code, 0, probe.stderr);
          assertEquals(await Deno.readTextFile(`${host}/probe/evil.txt`), "mine\n");
          const landed: string[] = [];
          const walk = async (dir: string) => {
            for await (const entry of Deno.readDir(dir)) {
              const path = `${dir}/${entry.name}`;
              landed.push(path);
              assert(!entry.isSymlink, `${path} is a symlink on the host`);
              if (entry.isDirectory) await walk(path);
            }
          };
          await walk(host);
          for (const path of landed) {
            assert(
              path.startsWith(`${host}/out`) || path.startsWith(`${host}/probe`),
              `${path} is outside --out`,
            );
          }
          assertEquals(landed.filter((path) => path.startsWith(`${host}/probe/`)), [
            `${host}/probe/evil.txt`,
          ]);
          assert(
            probe.stderr.includes("a\\n../agent/evil.txt: name contains a control character"),
            probe.stderr,
          );
          assert(/evil-link: symlink/.test(probe.stderr) && /evil-secret\.txt: symlink/.test(probe.stderr));
          assert(
            probe.stdout.includes("exported 1 files") && probe.stdout.includes("3 skipped"),
            probe.stdout,
          );
        } finally {
          await Deno.remove(host, { recursive: true });
        }

        const destroyed = await workbench(stateDir, "destroy", envId!);
        assertEquals(destroyed.code, 0, destroyed.stderr);
        const after = await workbench(stateDir, "exec", envId!, "--", "true");
        assert(after.code !== 0 && after.stderr.includes("no environment"), after.stderr);
        assertEquals([...Deno.readDirSync(stateDir)].length, 0, "state file and socket removed");
      } finally {
        await Deno.remove(stateDir, { recursive: true }).catch(() => {});
      }
    },
  });
}

Deno.test("workbench: an unknown task is a clear error, not a hang", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "evalkit-wb-" });
  try {
    const r = await workbench(stateDir, "start", "hooks/nope", "--dir", SUITE);
    assertEquals(r.code, 2);
    assert(r.stderr.includes('no task "hooks/nope"'), r.stderr);
  } finally {
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("workbench: a corrupt state file is skipped by list and named by exec, never a stack trace", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "evalkit-wb-" });
  try {
    await Deno.writeTextFile(`${stateDir}/broken.json`, "{not json");
    const listed = await workbench(stateDir, "list");
    assertEquals(listed.code, 0, listed.stderr);
    assert(
      listed.stderr.includes("skipping unreadable state file") && listed.stdout.includes("no environments"),
    );
    const exec = await workbench(stateDir, "exec", "broken", "--", "true");
    assertEquals(exec.code, 2);
    assert(exec.stderr.includes("broken.json is unreadable"), exec.stderr);
    assert(!/^\s+at /m.test(exec.stderr), exec.stderr);
  } finally {
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
  }
});
