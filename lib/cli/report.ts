/**
 * `deno task report [--out dir] [--notebooks a,b] [--seed N] [--data runs.jsonl] [--runs-log log.jsonl]
 *  [--param key=value …] [--params file.json] [--jobs N] [--no-png] [--no-pdf] [--check-browser]`
 *
 * Executes the notebooks headless (the Deno kernel, cell by cell over jupyter_client) and writes a self-contained HTML report
 * with figures as SVG and PNG and a run manifest. Exit code 1 with the failing notebook and cell named on
 * any error output.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { buildReport } from "../report/report.ts";
import { inspectPage } from "../report/browser.ts";
import { PARAM_ENV, parametersToEnv, ParameterValues } from "../notebook/params.ts";
import { PROJECT_ROOT, resolve } from "../util/path.ts";
import { joinNegativeValues } from "./args.ts";

const USAGE = `usage: deno task report [options]
  --out DIR            output directory (default out/report)
  --notebooks A,B      notebooks to run, by name (default all in notebooks/)
  --seed N             seed for every notebook (EVALKIT_SEED)
  --data FILE          METR runs.jsonl (EVALKIT_DATA; default ../shared/data/metr/all_runs_2025-01.jsonl)
  --runs-log FILE      run log from 'deno task eval' for the scaffold notebooks (EVALKIT_RUNS_LOG), or
                       Inspect logs (a .eval/.json log or a folder of them; docs/inspect.md)
  --variants A,B       scaffold variants (EVALKIT_VARIANTS)
  --bootstrap N        bootstrap replicates (EVALKIT_BOOTSTRAP)
  --param KEY=VALUE    set a notebook parameter (a key of the notebooks' parameters cells: runsLog,
                       runGrid, data, variants, seed, bootstrap, …); repeatable
  --params FILE.json   set notebook parameters from a JSON object of the same keys
                       (precedence: command line > EVALKIT_* variables > the notebook's
                       parameters cell; --param wins over --params; relative paths in
                       --param/--params resolve against the notebooks' folder)
  --jobs N             notebooks executed at once (default 1)
  --no-png             skip PNG export
  --no-pdf             skip PDF export (PDFs need rsvg-convert: apt-get install librsvg2-bin)
  --check-browser      open the report in headless Chromium: console errors fail, screenshot saved
  -h, --help`;

/**
 * The `EVALKIT_*` variables for `--params file.json` and the `--param key=value` flags (these win), with
 * relative paths resolved against `notebooksDir`. Values are validated with {@link ParameterValues}.
 * @throws Error naming the flag on an unknown key, a malformed pair or an unreadable file.
 */
export async function cliParameters(
  paramsFile: string | undefined,
  pairs: string[],
  notebooksDir: string,
): Promise<Record<string, string>> {
  let values: Record<string, unknown> = {};
  if (paramsFile !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(paramsFile));
    } catch (e) {
      throw new Error(`--params ${paramsFile}: ${(e as Error).message}`);
    }
    const parsed = ParameterValues.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`--params ${paramsFile}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    values = { ...parsed.data };
  }
  for (const pair of pairs) {
    const m = /^([A-Za-z]+)=(.*)$/s.exec(pair);
    if (!m) throw new Error(`--param ${pair}: expected key=value`);
    if (!(m[1] in PARAM_ENV)) {
      throw new Error(
        `--param ${pair}: unknown parameter "${m[1]}" (known: ${Object.keys(PARAM_ENV).join(", ")})`,
      );
    }
    values[m[1]] = m[2];
  }
  return parametersToEnv(ParameterValues.parse(values), notebooksDir);
}

/** Run the report CLI with `args`; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, ["seed", "bootstrap", "jobs"]),
      options: {
        out: { type: "string" },
        notebooks: { type: "string" },
        seed: { type: "string" },
        data: { type: "string" },
        "runs-log": { type: "string" },
        variants: { type: "string" },
        bootstrap: { type: "string" },
        param: { type: "string", multiple: true },
        params: { type: "string" },
        jobs: { type: "string" },
        "no-png": { type: "boolean" },
        "no-pdf": { type: "boolean" },
        "check-browser": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const int = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) throw new Error(`--${name}: expected a whole number, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  for (const [name, value] of [["data", v.data], ["runs-log", v["runs-log"]]] as const) {
    if (value === undefined) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      console.error(`report failed: --${name} ${value}: a URL is not accepted here; download the file first`);
      return 2;
    }
    // Relative paths resolve against the project root, as the notebooks resolve them.
    const problem = await Deno.stat(resolve(PROJECT_ROOT, value)).then(
      (info) => (name === "data" && !info.isFile ? "not a file" : null),
      (e: Error) => (e instanceof Deno.errors.NotFound ? "no such file or directory" : e.message),
    );
    if (problem) {
      console.error(`report failed: --${name} ${value}: ${problem}`);
      return 2;
    }
  }
  try {
    const env: Record<string, string> = {};
    if (v.data) env[PARAM_ENV.data] = v.data;
    if (v["runs-log"]) env[PARAM_ENV.runsLog] = v["runs-log"];
    if (v.variants) env[PARAM_ENV.variants] = v.variants;
    if (v.bootstrap) env[PARAM_ENV.bootstrap] = String(int("bootstrap", v.bootstrap));
    Object.assign(env, await cliParameters(v.params, v.param ?? [], join(PROJECT_ROOT, "notebooks")));
    const result = await buildReport({
      outDir: v.out,
      notebooks: v.notebooks?.split(",").map((s) => s.trim()).filter((s) => s !== ""),
      seed: int("seed", v.seed),
      jobs: int("jobs", v.jobs),
      png: !v["no-png"],
      pdf: !v["no-pdf"],
      env,
      log: (m) => console.error(m),
    });
    console.log(`report: ${result.indexPath}`);
    console.log(
      `figures: ${result.figures.length} (SVG${result.figures.some((f) => f.pngPath) ? " + PNG" : ""}${
        result.figures.some((f) => f.pdfPath) ? " + PDF" : ""
      }, with a source line) in ${join(result.indexPath, "..", "figures")}`,
    );
    console.log(`notebooks: ${result.manifest.totalSeconds.toFixed(1)} s in total`);
    if (v["check-browser"]) {
      const shot = join(result.indexPath, "..", "screenshot.png");
      const page = await inspectPage(result.indexPath, { screenshotPath: shot });
      console.log(
        `browser: loaded in ${page.loadMs.toFixed(0)} ms, ${page.svgCount} svg, ${page.tableCount} tables`,
      );
      console.log(`screenshot: ${shot}`);
      if (page.errors.length > 0) {
        for (const e of page.errors) console.error(`console ${e.source}: ${e.text}`);
        return 1;
      }
    }
    return 0;
  } catch (e) {
    const err = e as Error;
    console.error(`report failed: ${err.message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
