/**
 * One Inspect log file, either kind: a `.eval` zip (header.json, samples/<id>_epoch_<n>.json, summaries,
 * reductions, `_journal/` of a log still being written) read entry by entry, or a `.json` log scanned in one
 * streaming pass (json_stream.ts). Samples are yielded one at a time; problems are collected as short notes
 * instead of thrown.
 *
 * @module
 */
import { ZipFile } from "./zip.ts";
import { InspectHeader, InspectSample } from "./schema.ts";
import { type JsonLogItem, streamJsonLog } from "./json_stream.ts";

/** Log format versions this importer knows (Inspect has written 1, 2 and 3). */
export const KNOWN_VERSIONS: readonly number[] = [1, 2, 3];

/** A sample, or why one entry could not be read. */
export type SampleItem =
  | { sample: InspectSample; messages: boolean }
  | { problem: string; where: string };

/** An open Inspect log. */
export interface InspectLogReader {
  format: "eval" | "json";
  /** The header (from header.json, or `_journal/start.json` of a log still being written); null if none. */
  header: InspectHeader | null;
  /** Things about the file as a whole (status, version, a missing header, …), one phrase each. */
  notes: string[];
  /** Every sample × epoch, one at a time. */
  samples(): AsyncGenerator<SampleItem>;
  /** One sample × epoch, or null. */
  readSample(id: string, epoch: number): Promise<InspectSample | null>;
  close(): void;
}

const utf8 = new TextDecoder();
const SAMPLE_ENTRY = /^samples\/(.+)_epoch_(\d+)\.json$/;

function describeZodError(e: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = e.issues[0];
  return `${i.path.map(String).join(".") || "(record)"}: ${i.message}`;
}

function headerNotes(header: InspectHeader | null, notes: string[]): void {
  if (!header) return;
  const v = header.version;
  if (v === undefined) notes.push("no format version; read as the newest known");
  else if (!KNOWN_VERSIONS.includes(v)) {
    notes.push(`unknown format version ${v}; read as version 3 (fields may be missing)`);
  }
  const status = header.status ?? "started";
  if (status === "error") {
    const msg = typeof header.error === "string" ? header.error : header.error?.message;
    notes.push(
      `log status error${msg ? ` (${msg.split("\n")[0].slice(0, 120)})` : ""}: the samples written are kept`,
    );
  } else if (status === "cancelled") notes.push("log status cancelled: the samples written are kept");
  else if (status === "started") {
    notes.push("log still being written (status started): the samples written so far are kept");
  }
}

/**
 * Open an Inspect log (by content: a zip, or JSON).
 * @throws Error when the file is neither a readable zip nor valid JSON with a readable `eval` header
 */
export async function openInspectLog(path: string): Promise<InspectLogReader> {
  const head = new Uint8Array(4);
  const f = await Deno.open(path);
  try {
    await f.read(head);
  } finally {
    f.close();
  }
  if (head[0] === 0x50 && head[1] === 0x4b) return await openEval(path);
  return await openJson(path);
}

async function openEval(path: string): Promise<InspectLogReader> {
  const zip = await ZipFile.open(path);
  const notes = [...zip.notes];
  try {
    let header: InspectHeader | null = null;
    for (const name of ["header.json", "_journal/start.json"]) {
      if (!zip.get(name)) continue;
      try {
        const parsed = InspectHeader.safeParse(zip.readJson(name));
        if (parsed.success) {
          header = parsed.data;
          if (name !== "header.json") {
            notes.push("no header.json (journal only): header from _journal/start.json");
            header = { ...header, status: "started" };
          }
          break;
        }
        notes.push(`${name} unusable (${describeZodError(parsed.error)})`);
      } catch (e) {
        notes.push(`${name} unreadable (${(e as Error).message})`);
      }
    }
    if (!header) {
      throw new Error(
        `no readable header.json or _journal/start.json${notes.length ? `; ${notes.join("; ")}` : ""}`,
      );
    }
    headerNotes(header, notes);
    const sampleEntries = zip.entries.filter((e) => SAMPLE_ENTRY.test(e.name));
    return {
      format: "eval",
      header,
      notes,
      async *samples() {
        if (sampleEntries.length === 0) {
          yield* summaries(zip, notes);
          return;
        }
        for (const { entry, bytes, error } of zip.readAll(sampleEntries)) {
          let raw: unknown;
          try {
            if (error) throw error;
            raw = JSON.parse(utf8.decode(bytes));
          } catch (e) {
            yield { problem: `unreadable (${(e as Error).message})`, where: entry.name };
            continue;
          }
          const parsed = InspectSample.safeParse(raw);
          if (parsed.success) yield { sample: parsed.data, messages: true };
          else yield { problem: `not a sample (${describeZodError(parsed.error)})`, where: entry.name };
        }
      },
      readSample(id: string, epoch: number) {
        const entry = zip.get(`samples/${id}_epoch_${epoch}.json`);
        if (!entry) return Promise.resolve(null);
        const parsed = InspectSample.safeParse(zip.readJson(entry));
        return Promise.resolve(parsed.success ? parsed.data : null);
      },
      close: () => zip.close(),
    };
  } catch (e) {
    zip.close();
    throw e;
  }
}

async function* summaries(zip: ZipFile, notes: string[]): AsyncGenerator<SampleItem> {
  const names = zip.get("summaries.json")
    ? ["summaries.json"]
    : zip.entries.map((e) => e.name).filter((n) => /^_journal\/summaries\/\d+\.json$/.test(n))
      .sort((a, b) => Number(a.match(/(\d+)\.json$/)![1]) - Number(b.match(/(\d+)\.json$/)![1]));
  if (names.length === 0) return;
  notes.push("no sample entries: rows from the sample summaries (no transcripts)");
  for (const name of names) {
    let list: unknown;
    try {
      list = zip.readJson(name);
    } catch (e) {
      yield { problem: `unreadable (${(e as Error).message})`, where: name };
      continue;
    }
    if (!Array.isArray(list)) {
      yield { problem: "not a list of summaries", where: name };
      continue;
    }
    for (const raw of list) {
      const parsed = InspectSample.safeParse(raw);
      if (parsed.success) yield { sample: parsed.data, messages: false };
      else yield { problem: `not a sample summary (${describeZodError(parsed.error)})`, where: name };
    }
  }
}

function sampleItem(item: JsonLogItem): SampleItem | null {
  if (item.kind === "bad") return { problem: `unreadable (${item.message})`, where: item.where };
  if (item.kind !== "sample") return null;
  const p = InspectSample.safeParse(item.value);
  return p.success
    ? { sample: p.data, messages: true }
    : { problem: `not a sample (${describeZodError(p.error)})`, where: `samples[${item.index}]` };
}

async function openJson(path: string): Promise<InspectLogReader> {
  const stream = streamJsonLog(path);
  const fields: Record<string, unknown> = {};
  // Samples met before the header fields were complete (Inspect writes the header first, so normally one).
  const pending: JsonLogItem[] = [];
  let end: { truncated: boolean } | null = null;
  try {
    for (;;) {
      const r = await stream.next();
      if (r.done) break;
      const item = r.value;
      if (item.kind === "field") fields[item.key] = item.value;
      else if (item.kind === "end") {
        end = item;
        break;
      } else {
        pending.push(item);
        if (InspectHeader.safeParse(fields).success) break;
      }
    }
  } catch (e) {
    await stream.return(undefined);
    throw new Error(`not a JSON log: ${(e as Error).message}`);
  }
  const parsed = InspectHeader.safeParse(fields);
  if (!parsed.success) {
    await stream.return(undefined);
    if (end?.truncated) {
      throw new Error("not valid JSON (truncated?): cut off before its header was complete");
    }
    throw new Error(`not an Inspect log (${describeZodError(parsed.error)})`);
  }
  const notes: string[] = [];
  const header = parsed.data;
  headerNotes(header, notes);
  const truncatedNote = "not valid JSON (truncated?): the samples before the cut are kept";
  return {
    format: "json",
    header,
    notes,
    async *samples() {
      for (const item of pending.splice(0)) {
        const s = sampleItem(item);
        if (s) yield s;
      }
      if (end) {
        if (end.truncated) notes.push(truncatedNote);
        return;
      }
      for await (const item of stream) {
        if (item.kind === "end") {
          if (item.truncated) notes.push(truncatedNote);
          break;
        }
        const s = sampleItem(item);
        if (s) yield s;
      }
    },
    async readSample(id: string, epoch: number) {
      for await (const item of streamJsonLog(path)) {
        if (item.kind !== "sample") continue;
        const r = item.value as { id?: unknown; epoch?: unknown };
        if (String(r?.id) === id && (r.epoch ?? 1) === epoch) {
          const p = InspectSample.safeParse(item.value);
          return p.success ? p.data : null;
        }
      }
      return null;
    },
    close: () => {
      void stream.return(undefined);
    },
  };
}
