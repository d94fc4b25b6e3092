/**
 * Unpacks an archive made inside a sandbox onto the host without trusting it. The archive's author is the
 * agent, so every member name and type is hostile until checked:
 *
 * - only regular files and directories are written; symlinks, hard links, devices, FIFOs and unknown types
 *   are skipped and reported;
 * - absolute names, `..` components, names with a control character (newline included, C0 and C1) and names
 *   that are not valid UTF-8 are skipped and reported;
 * - the destination must not exist: it is created fresh (mode 0700, missing parents 0700), and everything
 *   below it is created by this code with exclusive create (`O_EXCL`), so no existing host path is ever
 *   opened, followed or overwritten;
 * - directories get mode 0755, files 0644 (0755 when the member had any exec bit); never setuid/setgid,
 *   never the archive's owner.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { readTar, type TarEntry } from "./tar.ts";
import type { CopyOutReport } from "./types.ts";

/** Where and how to unpack. */
export interface ExtractOptions {
  /** Host path to create; it must not exist yet. Relative paths resolve against the current directory. */
  dest: string;
  /**
   * The archive's top member, as path components (e.g. `["results"]` for an archive made with
   * `tar -C /home/agent -- results`; `[]` for `-C / .`). The top member becomes `dest` itself: a directory
   * (created 0700) or a regular file; members outside it are skipped. Leave undefined to create `dest` as a
   * directory and unpack every member below it.
   */
  top?: string[];
}

/** Raised when the destination cannot be created fresh. */
export class ExtractDestinationError extends Error {
  constructor(readonly dest: string, detail: string) {
    super(`cannot unpack into ${dest}: ${detail}`);
    this.name = "ExtractDestinationError";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8", { fatal: false });

function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** True when `text` holds a C0 or C1 control character (a newline, an escape, DEL, …). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

const ESCAPES: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\" };

/** A member name made safe to print: control characters escaped (`\n`, `\x1b`, …), backslashes doubled. */
export function displayName(name: Uint8Array | string): string {
  const text = typeof name === "string" ? name : lenient.decode(name);
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += ESCAPES[c] ?? (isControl(code) ? `\\x${code.toString(16).padStart(2, "0")}` : c);
  }
  return out;
}

/** The member's path components, or why the name is refused. */
export function memberComponents(name: Uint8Array): { components: string[] } | { reason: string } {
  let text: string;
  try {
    text = utf8.decode(name);
  } catch {
    return { reason: "name is not valid UTF-8" };
  }
  if (text.length === 0) return { reason: "empty name" };
  if (hasControlCharacter(text)) return { reason: "name contains a control character" };
  if (text.startsWith("/")) return { reason: "absolute path" };
  const components = text.split("/").filter((part) => part !== "" && part !== ".");
  if (components.includes("..")) return { reason: "name contains a '..' component" };
  return { components };
}

function startsWith(components: string[], prefix: string[]): boolean {
  return prefix.length <= components.length && prefix.every((part, i) => components[i] === part);
}

function fileMode(entry: TarEntry): number {
  return (entry.mode & 0o111) !== 0 ? 0o755 : 0o644;
}

async function writeNewFile(path: string, data: Uint8Array, mode: number): Promise<void> {
  // createNew is O_CREAT|O_EXCL: it fails on any existing path, a symlink included, instead of opening it.
  const file = await Deno.open(path, { createNew: true, write: true, mode });
  try {
    let written = 0;
    while (written < data.length) written += await file.write(data.subarray(written));
  } finally {
    file.close();
  }
  await Deno.chmod(path, mode);
}

async function makeFreshDir(path: string, mode: number): Promise<void> {
  await Deno.mkdir(path, { mode });
  await Deno.chmod(path, mode);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Paths below dest this call has dealt with (relative, joined by "/"; "" is dest itself). */
type Written = Map<string, "dir" | "file" | "skipped">;

/** Creates the missing parents of `rest` below `dest` (only paths this call created); returns why not. */
async function makeParents(dest: string, rest: string[], written: Written): Promise<string | undefined> {
  for (let depth = 1; depth < rest.length; depth++) {
    const parent = rest.slice(0, depth).join("/");
    const existing = written.get(parent);
    if (existing === "dir") continue;
    if (existing === "file") return `a parent (${displayName(parent)}) was written as a file`;
    if (existing === "skipped") return `a parent (${displayName(parent)}) was skipped`;
    try {
      await makeFreshDir(`${dest}/${parent}`, 0o755);
      written.set(parent, "dir");
    } catch (error) {
      return `cannot create parent directory ${displayName(parent)}: ${errorText(error)}`;
    }
  }
  return undefined;
}

/**
 * Unpacks `archive` (a tar stream: ustar, GNU long names, pax headers) into the fresh host path
 * `options.dest`. Returns what was written and every member that was skipped, with why. Throws
 * {@link ExtractDestinationError} when `dest` exists or cannot be created, and a `TarFormatError` when the
 * archive is malformed (what was written before that point stays).
 */
export async function extractArchive(archive: Uint8Array, options: ExtractOptions): Promise<CopyOutReport> {
  const dest = resolve(options.dest);
  const report: CopyOutReport = { files: 0, bytes: 0, skipped: [] };
  try {
    await Deno.lstat(dest);
    throw new ExtractDestinationError(dest, "it already exists (copies out go only into a fresh path)");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    await Deno.mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ExtractDestinationError(dest, `cannot create its parent directory: ${errorText(error)}`);
  }
  const written: Written = new Map();
  const createDest = async (kind: "dir" | "file", entry?: TarEntry) => {
    try {
      if (kind === "dir") await makeFreshDir(dest, 0o700);
      else await writeNewFile(dest, entry!.data, fileMode(entry!));
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new ExtractDestinationError(dest, "it already exists (copies out go only into a fresh path)");
      }
      throw new ExtractDestinationError(dest, errorText(error));
    }
    written.set("", kind);
  };
  if (options.top === undefined) await createDest("dir");
  const top = options.top ?? [];
  const skip = (entry: TarEntry, reason: string, key?: string) => {
    report.skipped.push({ path: displayName(entry.name), reason });
    // Nothing is ever written below a skipped member (a link's name never becomes a directory).
    if (key !== undefined && !written.has(key)) written.set(key, "skipped");
  };

  for (const entry of readTar(archive)) {
    const parsed = memberComponents(entry.name);
    if ("reason" in parsed) {
      skip(entry, parsed.reason);
      continue;
    }
    if (!startsWith(parsed.components, top)) {
      skip(entry, "outside the copied path");
      continue;
    }
    const rest = parsed.components.slice(top.length);
    const key = rest.join("/");
    if (entry.kind !== "file" && entry.kind !== "directory") {
      const what = entry.kind === "other" ? `unsupported entry type '${entry.typeflag}'` : entry.kind;
      skip(entry, `${what}: only regular files and directories are copied`, key);
      continue;
    }
    if (rest.length === 0) {
      if (written.get("") === "dir" && entry.kind === "directory") continue;
      if (written.has("")) {
        skip(entry, "duplicate entry (already written)");
        continue;
      }
      await createDest(entry.kind === "directory" ? "dir" : "file", entry);
      if (entry.kind === "file") {
        report.files += 1;
        report.bytes += entry.data.length;
      }
      continue;
    }
    if (written.get("") !== "dir") {
      skip(entry, "its top directory was not written");
      continue;
    }
    const problem = await makeParents(dest, rest, written);
    if (problem) {
      skip(entry, problem);
      continue;
    }
    const existing = written.get(key);
    if (entry.kind === "directory") {
      if (existing === "dir") continue;
      if (existing === "file") {
        skip(entry, "a file of that name was already written");
        continue;
      }
      try {
        await makeFreshDir(`${dest}/${key}`, 0o755);
        written.set(key, "dir");
      } catch (error) {
        skip(entry, `cannot create directory: ${errorText(error)}`, key);
      }
      continue;
    }
    if (existing === "file" || existing === "dir") {
      skip(entry, "duplicate entry (already written)");
      continue;
    }
    try {
      await writeNewFile(`${dest}/${key}`, entry.data, fileMode(entry));
      written.set(key, "file");
      report.files += 1;
      report.bytes += entry.data.length;
    } catch (error) {
      skip(entry, `cannot write file: ${errorText(error)}`, key);
    }
  }
  if (!written.has("") && options.top !== undefined && report.skipped.length === 0) {
    report.skipped.push({ path: displayName(top.join("/") || "/"), reason: "not in the archive" });
  }
  return report;
}
