/**
 * Each command run as a program: the `if (import.meta.main) Deno.exit(await main(Deno.args))` line passes
 * the arguments through and exits with `main`'s code (one process per command: an unknown option, exit 2
 * with the usage). Everything else about the commands is tested
 * in-process (in_process_test.ts, bad_input_test.ts); the process itself is under test in eval_kill_test.ts.
 */
import assert from "node:assert/strict";
import { cli } from "./_run.ts";

/** Every command: each module of lib/cli/ that runs as a program (new commands are covered by being there). */
const PROGRAMS = [...Deno.readDirSync(new URL("../../lib/cli/", import.meta.url))]
  .filter((e) => e.isFile && e.name.endsWith(".ts"))
  .filter((e) =>
    Deno.readTextFileSync(new URL(`../../lib/cli/${e.name}`, import.meta.url)).includes(
      "if (import.meta.main)",
    )
  )
  .map((e) => e.name.replace(/\.ts$/, ""))
  .sort();

Deno.test("the smoke test finds every command", () => {
  for (
    const name of [
      "eval",
      "qa",
      "runs",
      "tasks",
      "workbench",
      "horizons",
      "protocol",
      "report",
      "view",
      "engines",
      "plan",
      "baselines",
    ]
  ) {
    assert.ok(PROGRAMS.includes(name), `${name} missing from ${PROGRAMS}`);
  }
});

Deno.test("every command as a program: an unknown option exits 2 naming it, and no stack trace", async () => {
  // Two at a time: each is a Deno process loading its module graph.
  const queue = [...PROGRAMS];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const bogus = await cli(next, next === "workbench" ? ["list", "--bogus"] : ["--bogus"]);
      assert.equal(bogus.code, 2, `${next}: ${bogus.stderr}`);
      assert.match(bogus.stderr, /--bogus/, next);
      assert.doesNotMatch(bogus.stderr, /Uncaught|^\s+at /m, next);
    }
  };
  await Promise.all([worker(), worker()]);
});
