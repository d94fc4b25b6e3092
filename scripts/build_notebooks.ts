/**
 * Build `notebooks/*.ipynb` from their percent-script sources `notebooks/*.nb.ts` (which type-check with
 * `deno check`, and import the toolkit with the same relative paths the Deno kernel resolves).
 *
 *   deno run -A scripts/build_notebooks.ts          # write the notebooks
 *   deno run -A scripts/build_notebooks.ts --check  # exit 1 if a committed notebook is out of date
 *
 * Each source starts with a header comment block declaring the title and what the notebook must show:
 *
 *   // @title Elicitation impact
 *   // @figures fig-a, fig-b
 *   // @min-tables 3
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildNotebook, parsePercentScript, serializeNotebook } from "../lib/notebook/ipynb.ts";

/** Header directives of a notebook source. */
export interface SourceHeader {
  title: string;
  figures: string[];
  minTables: number;
}

/** Read the `// @title`, `// @figures`, `// @min-tables` directives from a source's header. */
export function parseHeader(text: string, file: string): SourceHeader {
  const get = (key: string) => new RegExp(`^// @${key}\\s+(.*)$`, "m").exec(text)?.[1].trim();
  const title = get("title");
  if (!title) throw new Error(`${file}: missing "// @title <title>" header`);
  const figures = (get("figures") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const minTablesRaw = get("min-tables") ?? "0";
  if (!/^\d+$/.test(minTablesRaw)) throw new Error(`${file}: @min-tables must be a whole number`);
  return { title, figures, minTables: Number(minTablesRaw) };
}

/** Build the notebook text for one source file. */
export function notebookText(sourceText: string, file: string): string {
  const header = parseHeader(sourceText, file);
  const slug = basename(file).replace(/\.nb\.ts$/, "");
  const cells = parsePercentScript(sourceText);
  return serializeNotebook(
    buildNotebook(cells, {
      slug,
      title: header.title,
      expects: { figures: header.figures, minTables: header.minTables },
    }),
  );
}

/** Build every notebook; returns the names of notebooks that changed (or would change with `check`). */
export async function buildAll(notebooksDir: string, check: boolean): Promise<string[]> {
  const changed: string[] = [];
  const sources: string[] = [];
  for await (const e of Deno.readDir(notebooksDir)) {
    if (e.isFile && e.name.endsWith(".nb.ts") && !e.name.startsWith("_")) sources.push(e.name);
  }
  for (const name of sources.sort()) {
    const file = join(notebooksDir, name);
    const text = notebookText(await Deno.readTextFile(file), file);
    const target = join(notebooksDir, name.replace(/\.nb\.ts$/, ".ipynb"));
    const current = await Deno.readTextFile(target).catch(() => null);
    if (current === text) continue;
    changed.push(basename(target));
    if (!check) await Deno.writeTextFile(target, text);
  }
  return changed;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const dir = join(dirname(dirname(fileURLToPath(import.meta.url))), "notebooks");
  const changed = await buildAll(dir, check);
  if (check && changed.length > 0) {
    console.error(`out of date: ${changed.join(", ")} (run: deno run -A scripts/build_notebooks.ts)`);
    Deno.exit(1);
  }
  console.log(changed.length === 0 ? "notebooks up to date" : `wrote ${changed.join(", ")}`);
}
