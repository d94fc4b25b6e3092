/**
 * `deno task view --log <file|dir> [--port N] [--out dir] [--reviewer name] [--tags file]` — browse the runs
 * of a log and their transcripts in a local web page (served on 127.0.0.1 only), and review failures: tags
 * a reviewer saves are appended to the tags file `deno task protocol` reads. `--log` takes this toolkit's
 * event logs (file or directory), METR's runs.jsonl (no transcripts) or an Inspect log. `--out <dir>` writes
 * a static copy for sharing instead of serving (review controls disabled).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "../deps/zod.ts";
import { tagsPathFor } from "../elicitation/tags.ts";
import { loadViewData } from "../view/data.ts";
import { TagStore } from "../view/review.ts";
import { serveView } from "../view/server.ts";
import { writeStaticExport } from "../view/export.ts";

const USAGE = `Usage: deno task view --log <log file | log dir | runs.jsonl | Inspect log> [options]

Serves a page on 127.0.0.1 listing the runs (filter by task, agent, model, score, limit, error) with each
run's transcript, and failure review: tags saved there go to the tags file deno task protocol reads.

Options:
  --log <path>        the runs to show (required)
  --port <n>          port on 127.0.0.1 (default 7878; 0 = any free port)
  --reviewer <name>   default reviewer name for tags saved in the page
  --tags <file>       tags file (default: the one beside --log that deno task protocol reads)
  --out <dir>         write a static copy (index.html, no server) into <dir> and exit
  --help`;

/** Parsed options of `deno task view`. */
export const ViewArgs = z.object({
  log: z.string({ error: "required (a log file or directory, METR's runs.jsonl or an Inspect log)" })
    .min(1, "required"),
  port: z.coerce.number().int().min(0).max(65535).default(7878),
  reviewer: z.string().trim().min(1).optional(),
  tags: z.string().optional(),
  out: z.string().optional(),
  help: z.boolean().default(false),
});
/** Parsed options of `deno task view`. */
export type ViewArgs = z.infer<typeof ViewArgs>;

/**
 * Runs the command; resolves with the exit code: 0 after `--out`, 1 when the log cannot be read, 2 on a usage
 * error, 130 when a server stopped by Ctrl-C.
 */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        log: { type: "string" },
        port: { type: "string" },
        reviewer: { type: "string" },
        tags: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    console.error(`view: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const parsed = ViewArgs.safeParse(values);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    console.error(`view: --${i.path.join(".")}: ${i.message}\n${USAGE}`);
    return 2;
  }
  const a = parsed.data;
  let data;
  try {
    data = await loadViewData(a.log);
  } catch (e) {
    console.error(`view: --log ${a.log}: ${(e as Error).message}`);
    return 1;
  }
  for (const note of data.notes.slice(0, 20)) console.error(`view: ${note}`);
  if (data.notes.length > 20) console.error(`view: … ${data.notes.length - 20} more notes`);
  if (data.skipped > 0 && data.notes.length === 0) {
    console.error(`view: ${data.skipped} unreadable line(s) skipped`);
  }
  const store = new TagStore(a.tags ?? await tagsPathFor(a.log));
  await store.refresh();
  for (const i of store.issues) console.error(`view: ${i.file}:${i.line}: ${i.reason} (tag skipped)`);
  if (a.out) {
    const done = await writeStaticExport(data, store, a.out);
    console.log(`view: wrote ${done.index} (${done.runs} runs; open it in a browser, no server needed)`);
    return 0;
  }
  // Ctrl-C stops the server and main resolves to 130; the listener is removed before returning.
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    let running;
    try {
      running = await serveView(data, store, { port: a.port, reviewer: a.reviewer, signal: stop.signal });
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse)) throw e;
      console.error(`view: port ${a.port} is in use; serving on a free port instead`);
      running = await serveView(data, store, { port: 0, reviewer: a.reviewer, signal: stop.signal });
    }
    console.log(`view: ${running.url}  (${data.runs.length} runs from ${a.log}, ${data.kind})`);
    console.log(`view: reviews are appended to ${store.file}; Ctrl-C to stop`);
    await running.server.finished;
    return 130;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
