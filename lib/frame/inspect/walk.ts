/**
 * Finding Inspect logs: {@link isInspectLog} tells one by its content (a zip with `header.json` or
 * `_journal/start.json`, or JSON whose top-level object starts with Inspect's `version` and has `eval`), and
 * {@link findInspectLogs} walks a directory tree for them.
 *
 * @module
 */
import { join } from "node:path";
import { hasZipMagic, ZipFile } from "./zip.ts";

const HEAD_BYTES = 64 * 1024;

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const f = await Deno.open(path);
  try {
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = await f.read(buf.subarray(got));
      if (r === null) break;
      got += r;
    }
    return buf.subarray(0, got);
  } finally {
    f.close();
  }
}

/** True when the start of a JSON file looks like an Inspect log: `{"version": N, … "eval": {`. */
export function looksLikeInspectJson(head: string): boolean {
  const text = head.replace(/^\uFEFF/, "");
  return /^\s*\{\s*"version"\s*:\s*\d+\s*,/.test(text) && /"eval"\s*:\s*\{/.test(text);
}

/**
 * Whether `path` is an Inspect log, by content (not by extension): a zip archive holding `header.json` or
 * `_journal/start.json`, or JSON beginning with Inspect's `version` key and holding an `eval` object. A
 * corrupt `.eval` file (zip magic but no readable directory or entries) still counts, so the importer can
 * say what is wrong with it. Never throws: unreadable paths are not logs.
 */
export async function isInspectLog(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || info.size < 4) return false;
    const head = await readHead(path, HEAD_BYTES);
    if (hasZipMagic(head)) {
      try {
        const zip = await ZipFile.open(path);
        try {
          return !!(zip.get("header.json") || zip.get("_journal/start.json"));
        } finally {
          zip.close();
        }
      } catch {
        return path.endsWith(".eval");
      }
    }
    return looksLikeInspectJson(new TextDecoder().decode(head));
  } catch {
    return false;
  }
}

/**
 * Inspect logs under `dir` (recursively, sorted by path): `.eval` and `.json` files that
 * {@link isInspectLog} accepts. Hidden entries (names starting with `.`) are skipped.
 */
export async function findInspectLogs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const names: { name: string; isDirectory: boolean; isFile: boolean }[] = [];
    for await (const e of Deno.readDir(d)) names.push(e);
    names.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const e of names) {
      if (e.name.startsWith(".")) continue;
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.isFile && /\.(eval|json)$/i.test(e.name) && await isInspectLog(p)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Whether `path` is an Inspect log or a directory holding at least one (checked by content). */
export async function hasInspectLogs(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    if (info.isFile) return await isInspectLog(path);
    if (!info.isDirectory) return false;
    return (await findInspectLogs(path)).length > 0;
  } catch {
    return false;
  }
}
