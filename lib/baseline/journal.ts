/**
 * The per-baseline journal: one JSON object per line, appended as things happen (each line one `write` on a
 * file opened with O_APPEND, then synced), so Ctrl-C, a lost terminal or `kill -9` leaves everything up to
 * the last line: the time worked (to the last heartbeat, at most {@link TICK_MS} lost), every command and its
 * output, notes, the submission. {@link replayJournal} rebuilds a baseline's state from it, which is how
 * `workbench baseline --resume` continues one.
 *
 * The journal lives on the host and is written only by host code: its path is built from the baseline id
 * (a token we make, checked by {@link BaselineId}) under a host directory, and an existing file is opened
 * only when it is a regular file (never a link).
 *
 * @module
 */
import { z } from "../deps/zod.ts";

/** How often a working session appends a heartbeat (bounds the working time a `kill -9` can lose). */
export const TICK_MS = 5_000;

/** A baseline id: `b-` and a date stamp and random hex, safe as a file name. */
export const BaselineId = z.string().regex(
  /^b-[0-9]{8}-[0-9a-f]{8}$/,
  "a baseline id looks like b-20261127-1a2b3c4d",
);

/**
 * A baseliner id: a pseudonym (letters, digits, `_`, `.`, `-`; at most 40 characters). An e-mail address or a
 * name with spaces is refused: the id is written into logs that get shared.
 */
export const BaselinerId = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/,
  "a baseliner id is a pseudonym: letters, digits, _ . - (at most 40; no e-mail addresses, no spaces)",
);

const t = z.number();
/** One journal line. */
export const JournalEntry = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("begin"),
    t,
    baseline_id: z.string(),
    task_id: z.string(),
    task_family: z.string(),
    baseliner: z.string(),
    sandbox: z.string(),
    tasks_dir: z.string(),
    log: z.string(),
    human_minutes: z.number().nullable(),
    human_source: z.string().nullable(),
    /** The task's own success threshold (journals written before it existed have none). */
    success_threshold: z.number().gt(0).lte(1).nullable().optional(),
  }),
  /** An environment the baseline uses (the first, or a replacement after the old one died). */
  z.object({ kind: z.literal("env"), t, env_id: z.string(), replaces: z.string().nullable() }),
  /** A working session starts (the first, or one resumed): working time counts from here. */
  z.object({ kind: z.literal("session"), t, resumed: z.boolean() }),
  z.object({ kind: z.literal("tick"), t }),
  z.object({ kind: z.literal("pause"), t }),
  z.object({ kind: z.literal("resume"), t }),
  /** A line the person typed at the shell; `exact` is false when it was edited with keys we cannot replay. */
  z.object({
    kind: z.literal("action"),
    t,
    index: z.number().int(),
    command: z.string(),
    exact: z.boolean(),
  }),
  /** What the terminal showed after that line (escape sequences removed, capped). */
  z.object({ kind: z.literal("observation"), t, index: z.number().int(), output: z.string() }),
  z.object({ kind: z.literal("note"), t, text: z.string() }),
  /** The session ended without a submission (`quit`, the shell exited, the terminal went away). */
  z.object({ kind: z.literal("detach"), t, why: z.string() }),
  z.object({
    kind: z.literal("submit"),
    t,
    submission: z.string(),
    from_file: z.boolean(),
    score: z.number().nullable(),
  }),
  /** The person gave up: the attempt ends unsubmitted (a failed attempt, not a lost one). */
  z.object({ kind: z.literal("abandon"), t }),
  /** The run is in the event log: the baseline is finished. */
  z.object({ kind: z.literal("done"), t, run_id: z.string(), log: z.string() }),
]);
/** One journal line. */
export type JournalEntry = z.infer<typeof JournalEntry>;
/** The `begin` line. */
export type BeginEntry = Extract<JournalEntry, { kind: "begin" }>;
/** Omit `t` of every member of the union. */
export type NewEntry = JournalEntry extends infer E ? E extends { t: number } ? Omit<E, "t"> : never : never;

/** Opens a fresh baseline id (`b-YYYYMMDD-<8 hex>`). */
export function newBaselineId(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "");
  return `b-${day}-${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
}

/** The journal file of a baseline under `dir`. */
export function journalPath(dir: string, baselineId: string): string {
  return `${dir.replace(/\/+$/, "")}/${BaselineId.parse(baselineId)}.journal`;
}

/** Appends entries to one journal file. */
export class Journal {
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  #closed = false;
  /** Entries written through this writer (and read before, for a resumed journal). */
  readonly entries: JournalEntry[];

  private constructor(readonly path: string, file: Deno.FsFile, entries: JournalEntry[]) {
    this.#file = file;
    this.entries = entries;
  }

  /** Creates a new journal (fails if the file exists). */
  static create(path: string): Journal {
    const file = Deno.openSync(path, { createNew: true, write: true, append: true, mode: 0o600 });
    return new Journal(path, file, []);
  }

  /** Opens an existing journal for appending, after reading it; refuses anything but a regular file. */
  static async open(path: string): Promise<Journal> {
    const info = await Deno.lstat(path);
    if (!info.isFile) throw new Error(`${path} is not a regular file`);
    const { entries } = parseJournal(await Deno.readTextFile(path));
    const file = Deno.openSync(path, { append: true });
    const size = file.statSync().size;
    const journal = new Journal(path, file, entries);
    if (size > 0) {
      // A line cut by a crash mid-write: start the next on its own line (the cut one is skipped on reading).
      const last = new Uint8Array(1);
      const reader = Deno.openSync(path, { read: true });
      try {
        reader.seekSync(size - 1, Deno.SeekMode.Start);
        reader.readSync(last);
      } finally {
        reader.close();
      }
      if (last[0] !== 0x0a) journal.#writeAll(journal.#encoder.encode("\n"));
    }
    return journal;
  }

  #writeAll(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) offset += this.#file.writeSync(bytes.subarray(offset));
  }

  /** Appends one entry (stamped now unless it has `t`), synced to disk; returns it. */
  append(entry: NewEntry & { t?: number }): JournalEntry {
    if (this.#closed) throw new Error("journal is closed");
    const full = JournalEntry.parse({ t: Date.now(), ...entry });
    const { kind, ...rest } = full;
    this.#writeAll(this.#encoder.encode(JSON.stringify({ kind, ...rest }) + "\n"));
    this.#file.syncSync();
    this.entries.push(full);
    return full;
  }

  /** Closes the file. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}

/** Parses a journal's text; lines that do not parse (a line cut by a crash) are counted and skipped. */
export function parseJournal(text: string): { entries: JournalEntry[]; skipped: number } {
  const entries: JournalEntry[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      entries.push(JournalEntry.parse(JSON.parse(line)));
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}

/** A baseline's state, rebuilt from its journal. */
export interface BaselineState {
  begin: BeginEntry;
  /** The environment in use last. */
  envId: string | null;
  /** Working milliseconds: wall time of the sessions minus pauses, each interrupted session counted to its last line. */
  workingMs: number;
  /** First and last journal times. */
  startedAt: number;
  lastAt: number;
  /** Summed pause milliseconds (breaks, excluded from working time). */
  pausedMs: number;
  /** Sessions (1 + the times it was resumed). */
  sessions: number;
  /** The next action index. */
  nextIndex: number;
  submit: Extract<JournalEntry, { kind: "submit" }> | null;
  abandoned: boolean;
  done: Extract<JournalEntry, { kind: "done" }> | null;
  /** True while a session is open in the journal (no detach/submit/abandon since it started). */
  open: boolean;
  /** True when the last open session is paused. */
  paused: boolean;
}

/** Rebuilds the state of a baseline from its journal entries (in file order). */
export function replayJournal(entries: readonly JournalEntry[]): BaselineState {
  const first = entries[0];
  if (!first || first.kind !== "begin") throw new Error("the journal does not start with a begin line");
  const s: BaselineState = {
    begin: first,
    envId: null,
    workingMs: 0,
    startedAt: first.t,
    lastAt: first.t,
    pausedMs: 0,
    sessions: 0,
    nextIndex: 0,
    submit: null,
    abandoned: false,
    done: null,
    open: false,
    paused: false,
  };
  let segmentStart = 0; // start of the current unpaused stretch (when open && !paused)
  let pauseStart = 0;
  const closeSegment = (at: number) => {
    if (s.open && !s.paused) s.workingMs += Math.max(0, at - segmentStart);
    if (s.open && s.paused) s.pausedMs += Math.max(0, at - pauseStart);
  };
  for (const e of entries) {
    if (e.kind === "session") {
      closeSegment(s.lastAt); // an interrupted session counts up to its last line
      s.open = true;
      s.paused = false;
      s.sessions++;
      segmentStart = e.t;
    } else if (s.open && e.kind === "pause" && !s.paused) {
      closeSegment(e.t);
      s.paused = true;
      pauseStart = e.t;
    } else if (s.open && e.kind === "resume" && s.paused) {
      closeSegment(e.t);
      s.paused = false;
      segmentStart = e.t;
    } else if (e.kind === "detach" || e.kind === "submit" || e.kind === "abandon") {
      closeSegment(e.t);
      s.open = false;
      s.paused = false;
      if (e.kind === "submit") s.submit = e;
      if (e.kind === "abandon") s.abandoned = true;
    } else if (e.kind === "env") {
      s.envId = e.env_id;
    } else if (e.kind === "action") {
      s.nextIndex = Math.max(s.nextIndex, e.index + 1);
    } else if (e.kind === "done") {
      s.done = e;
    }
    s.lastAt = Math.max(s.lastAt, e.t);
  }
  // A session still open (a crash): it counts up to its last line.
  if (s.open) {
    if (s.paused) s.pausedMs += Math.max(0, s.lastAt - pauseStart);
    else s.workingMs += Math.max(0, s.lastAt - segmentStart);
  }
  return s;
}
