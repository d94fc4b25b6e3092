/**
 * The viewer as static files for sharing (`deno task view --out <dir>`): `index.html`, `app.js`, `app.css`,
 * `data.js` (the facets and every run's summary, plus the server's own filter function, so the page filters
 * exactly as the server does) and one `runs/<n>.js` per run with its detail. Scripts, not JSON files,
 * because a page opened from `file://` may load scripts but not fetch files. Review controls are disabled
 * (the page says so). Every JSON text is written with {@link scriptJson}, so no log text can end a script.
 *
 * @module
 */
import { join } from "../util/path.ts";
import { matchRun } from "./filter.ts";
import type { ViewData } from "./data.ts";
import { applyResolvedTags, type TagStore } from "./review.ts";
import { facetsOf, runDetail, scriptJson } from "./api.ts";
import { PAGE_CSS, PAGE_HTML } from "./page_html.ts";
import { PAGE_JS } from "./page_js.ts";

/** What {@link writeStaticExport} wrote. */
export interface StaticExport {
  dir: string;
  index: string;
  runs: number;
}

/** Writes the static viewer of `data` into `dir` (created if needed). */
export async function writeStaticExport(data: ViewData, store: TagStore, dir: string): Promise<StaticExport> {
  await store.refresh();
  applyResolvedTags(data.runs, store.resolved);
  await Deno.mkdir(join(dir, "runs"), { recursive: true });
  const files: Record<string, number> = {};
  data.runs.forEach((r, n) => (files[r.run_id] = n));
  const facets = facetsOf(data, store.file, false);
  const dataJs = `window.EVALKIT_STATIC = ${scriptJson({ facets, runs: data.runs, files })};\n` +
    `window.EVALKIT_MATCH = (${String(matchRun)});\n`;
  await Deno.writeTextFile(join(dir, "data.js"), dataJs);
  await Deno.writeTextFile(join(dir, "app.js"), PAGE_JS);
  await Deno.writeTextFile(join(dir, "app.css"), PAGE_CSS);
  const index = join(dir, "index.html");
  await Deno.writeTextFile(index, PAGE_HTML);
  for (const [n, r] of data.runs.entries()) {
    const detail = await runDetail(data, store, r.run_id);
    await Deno.writeTextFile(
      join(dir, "runs", `${n}.js`),
      `window.EVALKIT_RUN(${n}, ${scriptJson(detail)});\n`,
    );
  }
  return { dir, index, runs: data.runs.length };
}
