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
  /** The log file. */
  file: string;
  /** 1-based line number. */
  line: number;
  /**
   * What is wrong: a corrupt or truncated line (with the JSON error) or an invalid event (field path and
   * problem).
   */
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
  /** Events passed to `onEvent` (valid lines of the wanted types). */
  events: number;
  /** Lines in the file. */
  lines: number;
  /** Bad lines (empty when `onIssue` was given: they went there). */
  issues: LogIssue[];
}

const CHUNK = 16 << 20;
const NEWLINE = 0x0a;
/** `{"type":"` — every line the writer produces starts with it. */
const TYPE_PREFIX = new TextEncoder().encode('{"type":"');

/**
 * Call `onLine(bytes, start, end, lineNumber, isLast)` for each line of a file (without the newline).
 * Works on bytes, so callers can skip lines they do not need without decoding them.
 */
export async function forEachLine(
  path: string,
  onLine: (buf: Uint8Array, start: number, end: number, line: number, last: boolean) => void,
): Promise<number> {
  const file = await Deno.open(path, { read: true });
  let line = 0;
  try {
    let buf = new Uint8Array(CHUNK);
    let filled = 0; // bytes of buf holding data (a carried partial line, then the new chunk)
    while (true) {
      if (filled === buf.length) { // one line longer than the buffer: grow it
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = await file.read(buf.subarray(filled));
      if (n === null) break;
      filled += n;
      let start = 0;
      while (true) {
        const nl = buf.indexOf(NEWLINE, start);
        if (nl < 0 || nl >= filled) break;
        onLine(buf, start, nl, ++line, false);
        start = nl + 1;
      }
      buf.copyWithin(0, start, filled);
      filled -= start;
    }
    if (filled > 0) onLine(buf, 0, filled, ++line, true);
  } finally {
    file.close();
  }
  return line;
}

/** Iterate the lines of a file as text, with 1-based numbers; the last line may be partial. */
export async function* fileLines(
  path: string,
): AsyncGenerator<{ text: string; line: number; last: boolean }> {
  const decoder = new TextDecoder();
  const lines: Array<{ text: string; line: number; last: boolean }> = [];
  await forEachLine(
    path,
    (buf, s, e, line, last) => lines.push({ text: decoder.decode(buf.subarray(s, e)), line, last }),
  );
  yield* lines;
}

/** True when the line starts with `{"type":"` (the writer's shape), so its type can be read from bytes. */
function hasTypePrefix(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < TYPE_PREFIX.length + 2) return false;
  for (let i = 0; i < TYPE_PREFIX.length; i++) if (buf[start + i] !== TYPE_PREFIX[i]) return false;
  return true;
}

/** True when the bytes at `at` equal `pattern`. */
function bytesAt(buf: Uint8Array, at: number, pattern: Uint8Array): boolean {
  for (let i = 0; i < pattern.length; i++) if (buf[at + i] !== pattern[i]) return false;
  return true;
}

/** Read one log file, validating each line (see {@link ReadLogOptions}). */
export async function readLogFile(path: string, options: ReadLogOptions): Promise<ReadLogResult> {
  const issues: LogIssue[] = [];
  const report = (issue: LogIssue) => options.onIssue ? options.onIssue(issue) : issues.push(issue);
  const wanted = options.types ? new Set<string>(options.types) : null;
  // `name"` as bytes for each wanted type: lines of other types are skipped without decoding.
  const wantedBytes = options.types?.map((t) => new TextEncoder().encode(`${t}"`)) ?? [];
  const decoder = new TextDecoder();
  let events = 0;
  const lines = await forEachLine(path, (buf, start, end, line, last) => {
    if (wanted && hasTypePrefix(buf, start, end)) {
      const at = start + TYPE_PREFIX.length;
      if (!wantedBytes.some((w) => bytesAt(buf, at, w))) return;
    }
    const text = decoder.decode(buf.subarray(start, end));
    if (text.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      const what = last ? "truncated last line" : "corrupt line";
      report({ file: path, line, reason: `${what}: ${(error as Error).message}` });
      return;
    }
    const parsed = LogEvent.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      report({
        file: path,
        line,
        reason: `invalid event: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      });
      return;
    }
    if (wanted && !wanted.has(parsed.data.type)) return;
    events++;
    options.onEvent(parsed.data);
  });
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
