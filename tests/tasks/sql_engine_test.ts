/**
 * The sql_engine family (METR format) in real sandboxes: partial credit for an engine missing a feature,
 * intermediate scores that follow progress, and the engine's audit hook refusing delegation to SQLite.
 * Local always; docker when an engine is reachable (always in CI).
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../../lib/util/path.ts";
import { withTaskEnv } from "./_env.ts";
import { testDrivers } from "../util/drivers.ts";

const FAMILY = fromFileUrl(new URL("../../tasks/sql_engine/", import.meta.url));
const ENGINE = "/home/agent/sql/engine.py";
const reference = await Deno.readTextFile(`${FAMILY}qa/lib/reference_engine.py`);

/** The reference engine with one realistic feature missing: DISTINCT inside aggregates is refused as an error. */
function withoutDistinctAggregates(): string {
  const from = '                    distinct = bool(self.accept("kw", "DISTINCT"))\n';
  assert.ok(reference.includes(from), "the partial engine's patch no longer applies");
  return reference.replace(
    from,
    '                    if self.accept("kw", "DISTINCT"):\n' +
      '                        raise SqlError("DISTINCT aggregates are not supported yet")\n' +
      "                    distinct = False\n",
  );
}

Deno.test("the QA scripts install the one reference engine from qa/lib, and each wrong attempt patches it", async () => {
  for (const kind of ["solution", "wrong"]) {
    for (const name of ["select_filter", "joins_aggregates", "full_subset"]) {
      const script = await Deno.readTextFile(`${FAMILY}qa/${kind}_${name}.sh`);
      assert.match(script, /cp "\$EVALKIT_QA_LIB\/reference_engine\.py" \/home\/agent\/sql\/engine\.py/);
      assert.ok(script.length < 4096, `qa/${kind}_${name}.sh embeds code instead of using qa/lib/`);
      if (kind === "wrong") {
        // The patch's target, as a Python string literal: it must still be in the reference.
        const literal = /^old = (['"])(.*)\1$/m.exec(script);
        assert.ok(literal, `qa/${kind}_${name}.sh: no patch`);
        const target = literal[2].replaceAll("\\n", "\n").replaceAll("\\'", "'").replaceAll('\\"', '"');
        assert.ok(reference.includes(target), `qa/${kind}_${name}.sh: the patch no longer applies`);
      }
    }
  }
});

for (const { name: driverName, driver, skip } of await testDrivers()) {
  Deno.test({
    name: `${driverName}: partial credit, intermediate scores that follow progress, reference at 1`,
    ignore: driver === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (skip) return;
      await withTaskEnv(driver!, "sql_engine/joins_aggregates", async (env) => {
        const none = await env.intermediateScore();
        assert.equal(none.score, 0);
        await env.runWrongAttempt(); // the reference with LEFT JOIN parsed as INNER JOIN
        // The family's qa/lib/ was in the sandbox only while the script ran.
        const left = await env.sandbox.exec([
          "bash",
          "-c",
          "ls -d /tmp/evalkit-qa-lib-* 2>/dev/null || true",
        ]);
        assert.equal(left.stdout.trim(), "", "qa/lib/ removed after the QA script");
        const wrong = (await env.score("done")) ?? -1;
        await env.sandbox.writeFile(ENGINE, withoutDistinctAggregates());
        const partialMid = await env.intermediateScore();
        assert.ok(partialMid.score! > 0 && partialMid.score! < 1, `partial intermediate ${partialMid.score}`);
        const partial = (await env.score("done")) ?? -1;
        assert.ok(wrong > 0.5 && wrong < partial && partial < 1, `wrong ${wrong}, partial ${partial}`);
        await env.runSolution();
        assert.equal((await env.intermediateScore()).score, 1);
        assert.equal(await env.score("done"), 1);
      });
    },
  });

  Deno.test({
    name: `${driverName}: an engine delegating to SQLite or loading native code is refused (score 0)`,
    ignore: driver === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (skip) return;
      await withTaskEnv(driver!, "sql_engine/select_filter", async (env) => {
        // Loading _sqlite3 by file, bypassing `import sqlite3`, then answering with the reference's output.
        const sneaky = [
          "import glob, importlib.util, sys",
          "sys.path.insert(0, '/home/agent/sql')",
          "try:",
          "    p = glob.glob('/usr/lib/python3*/lib-dynload/_sqlite3*')[0]",
          "    m = importlib.util.module_from_spec(importlib.util.spec_from_file_location('_sqlite3', p))",
          "except Exception as e:",
          "    print('refused', e, file=sys.stderr); sys.exit(3)",
          "import ref; ref.main()",
        ].join("\n");
        await env.sandbox.writeFile("/home/agent/sql/ref.py", reference);
        await env.sandbox.writeFile(ENGINE, sneaky);
        assert.equal(await env.score("done"), 0, "the extension loader was not refused");
        // The same engine without the forbidden step scores, so the 0 above is the hook's doing.
        await env.sandbox.writeFile(
          ENGINE,
          "import sys\nsys.path.insert(0, '/home/agent/sql')\nimport ref\nref.main()\n",
        );
        assert.equal(await env.score("done"), 1);
        const expected = await env.sandbox.exec(["cat", "/root/hidden/expected.json"], { user: "agent" });
        assert.notEqual(expected.exitCode, 0, "the agent can read the expected outputs");
      });
    },
  });

  Deno.test({
    name: `${driverName}: a helper daemon answering for the engine is killed before the final score`,
    ignore: driver === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (skip) return;
      await withTaskEnv(driver!, "sql_engine/select_filter", async (env) => {
        const script = await Deno.readTextFile(`${FAMILY}qa/cheat_helper_daemon.sh`);
        const run = await env.sandbox.exec(["bash", "-s"], { stdin: script, user: "agent" });
        assert.equal(run.exitCode, 0, run.stderr);
        // Mid-run the daemon is alive and answers (intermediate scoring never kills the agent's processes)...
        const mid = await env.intermediateScore();
        assert.ok(mid.score! > 0.9, `the daemon did not answer mid-run: ${mid.score}`);
        // ...but the final score kills every agent process first, so nobody answers the engine.
        assert.equal(await env.score("done"), 0);
      });
    },
  });
}
