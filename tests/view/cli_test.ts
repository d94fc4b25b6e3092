/**
 * `deno task view` as a user runs it (a subprocess) and as a function (`main(argv)`, in process): bad
 * arguments exit 2 with the problem, `--out` writes the static copy, and serving prints a 127.0.0.1 URL that
 * answers until Ctrl-C (exit 130).
 */
import assert from "node:assert/strict";
import { assertFails, cli } from "../cli/_run.ts";
import { inProcess } from "../cli/_in_process.ts";
import { main } from "../../lib/cli/view.ts";
import { RUNS, writeViewLog } from "./_log.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("view CLI: bad arguments are refused with the problem", async () => {
  assertFails(await cli("view", []), 2, /--log: required/);
  assertFails(await inProcess(main, ["--log", "x", "--port", "99999"]), 2, /--port/);
  assertFails(await inProcess(main, ["--log", "/no/such/log"]), 1, /no such file or directory/);
  assertFails(await inProcess(main, ["--bogus"]), 2, /bogus/);
});

Deno.test("view CLI: --out writes the static copy", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-view-cli-" });
  writeViewLog(`${dir}/grid.jsonl`);
  const r = await inProcess(main, ["--log", `${dir}/grid.jsonl`, "--out", `${dir}/site`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.signalListeners, []);
  assert.match(r.stdout, /wrote .*site\/index\.html \(32 runs/);
  for (const f of ["index.html", "app.js", "app.css", "data.js", "runs/0.js", `runs/${RUNS - 1}.js`]) {
    assert.ok(Deno.statSync(`${dir}/site/${f}`).isFile, f);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("view CLI: serves on 127.0.0.1 and prints the URL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-view-cli-" });
  writeViewLog(`${dir}/grid.jsonl`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}lib/cli/view.ts`, "--log", `${dir}/grid.jsonl`, "--port", "0"],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/http:\/\/127\.0\.0\.1:\d+\//.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(text)?.[0];
    assert.ok(url, text);
    assert.match(text, /grid\.failure_tags\.ndjson|32 runs/);
    const facets = await (await fetch(`${url}api/facets`)).json();
    assert.equal(facets.total, RUNS);
    assert.equal(facets.tagsFile, `${dir}/grid.failure_tags.ndjson`);
    reader.releaseLock();
    child.kill("SIGINT");
    assert.equal((await child.status).code, 130);
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already stopped */ }
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
