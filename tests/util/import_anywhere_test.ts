/**
 * The toolkit is importable from any folder, by path or `file://` URL, with no config copied: a script in a
 * fresh temporary folder outside the repository (no deno.json, no lock file) imports the stats entry point
 * by path and the whole toolkit by URL, fits a logistic curve and reads a table. The stats entry point's
 * module graph holds no Docker client.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../../lib/util/path.ts";
import { deno } from "../cli/_run.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url)).replace(/\/$/, "");

const denoIn = (dir: string, args: string[]) => deno(args, { cwd: dir });

Deno.test("importable from a folder outside the repo by path and by file:// URL, no config copied", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-study-" });
  try {
    assert.ok(!dir.startsWith(ROOT), "the folder is outside the repository");
    await Deno.writeTextFile(
      `${dir}/study.ts`,
      `import { fitLogistic } from "${ROOT}/stats.ts";\n` +
        `import * as ek from "file://${ROOT}/mod.ts";\n` +
        `const fit = fitLogistic([0, 1, 2, 3, 4, 5], [1, 1, 1, 0, 0, 0]);\n` +
        `const rows = ek.aq.from([{ a: 1 }, { a: 2 }]).numRows();\n` +
        `console.log(JSON.stringify({ slope: fit.coefficient < 0, suite: typeof ek.loadSuite, rows }));\n`,
    );
    const run = await denoIn(dir, ["run", "-A", "study.ts"]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    assert.equal(result.slope, true);
    assert.equal(result.suite, "function");
    assert.equal(result.rows, 2);
    await assert.rejects(Deno.stat(`${dir}/deno.json`), "nothing was written next to the study");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the stats, frame, protocol, plot and elicitation entry points load no Docker client", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-study-" });
  try {
    for (const entry of ["stats", "frame", "protocol", "plot", "elicitation"]) {
      const info = await denoIn(dir, ["info", "--json", `${ROOT}/${entry}.ts`]);
      assert.equal(info.code, 0, info.stderr);
      const graph = JSON.parse(info.stdout) as { modules: { specifier: string }[]; npmPackages?: object };
      const npm = Object.keys(graph.npmPackages ?? {});
      assert.deepEqual(
        npm.filter((name) => /dockerode|docker-modem|ssh2/.test(name)),
        [],
        `${entry}: ${npm}`,
      );
      assert.ok(graph.modules.every((m) => !m.specifier.includes("/lib/sandbox/docker")), entry);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
