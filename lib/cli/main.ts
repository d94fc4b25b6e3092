/**
 * `deno task main` — the README's main job on the embedded default:
 * 1. the scaffold study on the bundled suite: every task × the four scaffolds of METR's study
 *    (basic, chat, allTools, bestOfN) with the offline, clearly labelled simulated model, in the local
 *    bubblewrap sandbox, logged to `runs/main/main.jsonl` (re-running resumes);
 * 2. the report: every notebook executed headless over that log and METR's public runs, written to
 *    `out/report/index.html` with each figure as SVG and PNG.
 *
 * Options: `--model <name>` (default simulated/30), `--epochs N` (default 2), `--sandbox local|docker`,
 * `--tasks <glob>`, `--data <METR runs.jsonl>`, `--seed N`, `--out <dir>`, `--skip-eval`.
 * @module
 */
import { parseArgs } from "node:util";
import { join, PROJECT_ROOT } from "../util/path.ts";
import { main as report } from "./report.ts";
import { joinNegativeValues } from "./args.ts";

const USAGE =
  `usage: deno task main [--model simulated/30] [--epochs 2] [--sandbox local|docker] [--tasks <glob>]
                      [--data <METR runs.jsonl>] [--seed N] [--out out/report] [--skip-eval]`;

/** Run the main job; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: joinNegativeValues(args, ["epochs", "seed"]),
      options: {
        model: { type: "string", default: "simulated/30" },
        epochs: { type: "string", default: "2" },
        sandbox: { type: "string", default: "local" },
        tasks: { type: "string" },
        data: { type: "string" },
        seed: { type: "string", default: "0" },
        out: { type: "string", default: join(PROJECT_ROOT, "out", "report") },
        "skip-eval": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Checked here too, so that --skip-eval does not silently ignore a mistyped value.
  if (values.sandbox !== "local" && values.sandbox !== "docker") {
    console.error(`error: --sandbox must be local or docker, got "${values.sandbox}"`);
    return 2;
  }
  const logDir = join(PROJECT_ROOT, "runs", "main");
  const logPath = join(logDir, "main.jsonl");
  if (!values["skip-eval"]) {
    console.error(
      `[main] 1/2 scaffold study: suite × basic,chat,allTools,bestOfN × ${values.model} × ${values.epochs} epochs`,
    );
    const evalArgs = [
      "run",
      "-A",
      join(PROJECT_ROOT, "lib", "cli", "eval.ts"),
      "--model",
      values.model,
      "--variants",
      "basic,chat,allTools,bestOfN",
      "--epochs",
      values.epochs,
      "--sandbox",
      values.sandbox,
      "--log",
      logDir,
      "--eval-id",
      "main",
      "--seed",
      values.seed,
      "--retry-errors",
      ...(values.tasks ? ["--tasks", values.tasks] : []),
    ];
    const status = await new Deno.Command(Deno.execPath(), {
      args: evalArgs,
      stdout: "inherit",
      stderr: "inherit",
    })
      .output();
    if (!status.success) {
      console.error(`[main] the scaffold study failed (exit ${status.code}); its log is ${logPath}`);
      return status.code || 1;
    }
  }
  console.error(`[main] 2/2 report: notebooks over ${logPath} and METR's public runs`);
  const reportArgs = ["--out", values.out, "--runs-log", logPath, "--seed", values.seed];
  if (values.data) reportArgs.push("--data", values.data);
  return await report(reportArgs);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
