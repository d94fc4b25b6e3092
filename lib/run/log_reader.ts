/**
 * Tolerant JSONL log reader. Every line is parsed and validated with zod; a corrupt, truncated or invalid
 * line is reported with `file:line` and skipped, never thrown, so one bad line never hides the rest.
 * Files are read in chunks, so logs larger than a JS string can hold are fine.
 *
 * @module
 */
import { LogEvent, type LogEventType } from "./events.ts";

/** A line that could not be read. */
export interface LogIssue {
  file: string;
  /** 1-based line number. */
  line: number;
  reason: string;
}

/** Options of {@link readLogFile}. */
export interface ReadLogOptions {
  /** Only these event types are parsed; other lines are skipped unparsed (a fast path). Default all. */
  types?: readonly LogEventType[];
  /** Called for each event, in file order. */
  onEvent: (event: LogEvent) => void;
  /** Called for each bad line. Default: collected into the result. */
  onIssue?: (issue: LogIssue) => void;
}

/** Result of reading a log. */
export interface ReadLogResult {
  events: number;
  lines: number;
  issues: LogIssue[];
}

const CHUNK = 8 << 20;

/** Iterate the lines of a file (without the newline), with 1-based numbers; the last line may be partial. */
export async function* fileLines(
  path: string,
): AsyncGenerator<{ text: string; line: number; last: boolean }> {
  const file = await Deno.open(path, { read: true });
  try {
    const decoder = new TextDecoder();
    const buf = new Uint8Array(CHUNK);
    let carry = "";
    let line = 0;
    while (true) {
      const n = await file.read(buf);
      if (n === null) break;
      const text = carry + decoder.decode(buf.subarray(0, n), { stream: true });
      const parts = text.split("\n");
      carry = parts.pop() ?? "";
      for (const p of parts) yield { text: p, line: ++line, last: false };
    }
    carry += decoder.decode();
    if (carry.length > 0) yield { text: carry, line: ++line, last: true };
  } finally {
    file.close();
  }
}

function typePrefix(text: string): string | null {
  // Lines are written as {"type":"<name>",...}; anything else is parsed fully.
  if (!text.startsWith('{"type":"')) return null;
  const end = text.indexOf('"', 9);
  return end < 0 ? null : text.slice(9, end);
}

/** Read one log file, validating each line (see {@link ReadLogOptions}). */
export async function readLogFile(path: string, options: ReadLogOptions): Promise<ReadLogResult> {
  const issues: LogIssue[] = [];
  const report = (issue: LogIssue) => options.onIssue ? options.onIssue(issue) : issues.push(issue);
  const wanted = options.types ? new Set<string>(options.types) : null;
  let events = 0, lines = 0;
  for await (const { text, line, last } of fileLines(path)) {
    lines++;
    if (text.trim() === "") continue;
    if (wanted) {
      const t = typePrefix(text);
      if (t !== null && !wanted.has(t)) continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      const what = last ? "truncated last line" : "corrupt line";
      report({ file: path, line, reason: `${what}: ${(error as Error).message}` });
      continue;
    }
    const parsed = LogEvent.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      report({
        file: path,
        line,
        reason: `invalid event: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      });
      continue;
    }
    if (wanted && !wanted.has(parsed.data.type)) continue;
    events++;
    options.onEvent(parsed.data);
  }
  return { events, lines, issues };
}

/** The `.jsonl` files of a log directory (or the file itself when `path` is a file), sorted. */
export async function logFiles(path: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new Error(`log path ${path} does not exist`);
  }
  if (info.isFile) return [path];
  const files: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && e.name.endsWith(".jsonl")) files.push(`${path.replace(/\/+$/, "")}/${e.name}`);
  }
  return files.sort();
}

/** Read every log file under `path`; issues of all files are collected. */
export async function readLogs(
  path: string,
  options: Omit<ReadLogOptions, "onIssue">,
): Promise<{ files: string[]; issues: LogIssue[]; events: number }> {
  const files = await logFiles(path);
  const issues: LogIssue[] = [];
  let events = 0;
  for (const f of files) {
    const r = await readLogFile(f, options);
    issues.push(...r.issues);
    events += r.events;
  }
  return { files, issues, events };
}

/** Format an issue as `file:line: reason`. */
export function formatIssue(issue: LogIssue): string {
  return `${issue.file}:${issue.line}: ${issue.reason}`;
}
