/**
 * A minimal random-access zip reader for Inspect's `.eval` logs: the central directory is read from the end
 * of the file (zip64 too), and each entry is read and inflated on its own when asked for (fflate's raw
 * inflate), so a log is never decompressed whole. A file without a central directory (a log cut off while
 * being written) is read by walking its local headers instead, and says so in {@link ZipFile.notes}.
 *
 * @module
 */
import { inflateSync } from "../../deps/fflate.ts";

/** One file in the archive. */
export interface ZipEntry {
  /** Path inside the archive, e.g. `samples/1_epoch_1.json`. */
  name: string;
  /** 0 = stored, 8 = deflate (the only two Inspect writes). */
  method: number;
  compressedSize: number;
  size: number;
  /** Byte offset of the entry's local header. */
  localOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const utf8 = new TextDecoder();

/** The first 4 bytes of every zip file (`PK\x03\x04`); an empty archive starts with the end record. */
export function hasZipMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** Bytes at `offset` (fewer at the end of the file). Synchronous reads: an async read per entry costs more than the inflate. */
function readAt(file: Deno.FsFile, offset: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  file.seekSync(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = file.readSync(buf.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** Most bytes {@link ZipFile.readAll} reads at once (consecutive entries share one read). */
const WINDOW = 4 * 1024 * 1024;

function inflateEntry(e: ZipEntry, data: Uint8Array): Uint8Array {
  if (e.method === 0) return data;
  if (e.method === 8) return inflateSync(data, { out: new Uint8Array(e.size) });
  throw new Error(`${e.name}: unsupported compression method ${e.method}`);
}

/** An open zip archive; call {@link ZipFile.close} when done. */
export class ZipFile {
  /** Entries in archive order. */
  readonly entries: ZipEntry[];
  /** What was unusual about the archive (e.g. no central directory), one line each. */
  readonly notes: string[];
  readonly #file: Deno.FsFile;
  readonly #byName: Map<string, ZipEntry>;

  private constructor(file: Deno.FsFile, entries: ZipEntry[], notes: string[]) {
    this.#file = file;
    this.entries = entries;
    this.notes = notes;
    this.#byName = new Map(entries.map((e) => [e.name, e]));
  }

  /**
   * Open `path` and read its directory.
   * @throws Error when the file is not a zip archive at all (no end record and no local header)
   */
  static async open(path: string): Promise<ZipFile> {
    const file = await Deno.open(path);
    try {
      const size = (await file.stat()).size;
      const notes: string[] = [];
      let entries: ZipEntry[] | null = null;
      try {
        entries = readCentralDirectory(file, size);
      } catch (e) {
        notes.push(`unreadable zip directory (${(e as Error).message}); read by local headers`);
      }
      if (!entries) {
        if (notes.length === 0) {
          notes.push("no zip central directory (a log cut off while written?); read by local headers");
        }
        entries = scanLocalHeaders(file, size, notes);
        if (entries.length === 0) throw new Error("not a zip archive (no directory and no entries)");
      }
      return new ZipFile(file, entries, notes);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** The entry named `name`, if any. */
  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  /**
   * The uncompressed bytes of one entry.
   * @throws Error on an unknown compression method or corrupt data
   */
  read(entry: ZipEntry | string): Uint8Array {
    const e = typeof entry === "string" ? this.#byName.get(entry) : entry;
    if (!e) throw new Error(`no entry ${entry}`);
    const header = readAt(this.#file, e.localOffset, 30);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (header.length < 30 || view.getUint32(0, true) !== SIG_LOCAL) {
      throw new Error(`${e.name}: bad local header`);
    }
    const dataStart = e.localOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
    const data = readAt(this.#file, dataStart, e.compressedSize);
    if (data.length < e.compressedSize) throw new Error(`${e.name}: truncated entry`);
    return inflateEntry(e, data);
  }

  /**
   * The uncompressed bytes of each of `entries`, one at a time in file order, each with the entry or the error
   * that made it unreadable. Neighbouring entries are read together in windows of a few MB (one read each),
   * so only a window and one inflated entry are in memory at a time.
   */
  *readAll(entries: readonly ZipEntry[]): Generator<{ entry: ZipEntry; bytes?: Uint8Array; error?: Error }> {
    const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
    let i = 0;
    while (i < sorted.length) {
      // A window: entries whose local header + data (+ a generous header allowance) fit in WINDOW bytes.
      const start = sorted[i].localOffset;
      let j = i, end = start;
      while (j < sorted.length) {
        const e = sorted[j];
        const e_end = e.localOffset + 30 + 2 * 1024 + e.compressedSize;
        if (j > i && e_end - start > WINDOW) break;
        end = Math.max(end, e_end);
        j++;
      }
      let buf: Uint8Array;
      try {
        buf = readAt(this.#file, start, end - start);
      } catch (error) {
        for (let k = i; k < j; k++) yield { entry: sorted[k], error: error as Error };
        i = j;
        continue;
      }
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      for (let k = i; k < j; k++) {
        const e = sorted[k];
        try {
          const p = e.localOffset - start;
          if (p + 30 > buf.length || view.getUint32(p, true) !== SIG_LOCAL) {
            throw new Error(`${e.name}: bad local header`);
          }
          const dataStart = p + 30 + view.getUint16(p + 26, true) + view.getUint16(p + 28, true);
          const data = dataStart + e.compressedSize <= buf.length
            ? buf.subarray(dataStart, dataStart + e.compressedSize)
            : readAt(this.#file, start + dataStart, e.compressedSize);
          if (data.length < e.compressedSize) throw new Error(`${e.name}: truncated entry`);
          yield { entry: e, bytes: inflateEntry(e, data) };
        } catch (error) {
          yield { entry: e, error: error as Error };
        }
      }
      i = j;
    }
  }

  /**
   * One entry parsed as JSON.
   * @throws Error when it cannot be read or parsed
   */
  readJson(entry: ZipEntry | string): unknown {
    return JSON.parse(utf8.decode(this.read(entry)));
  }

  /** Close the file. */
  close(): void {
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }
}

function readCentralDirectory(file: Deno.FsFile, size: number): ZipEntry[] | null {
  const tailLength = Math.min(size, 22 + 65535 + 20);
  const tail = readAt(file, size - tailLength, tailLength);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tv.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) throw new Error("zip64 locator missing");
    const z64Offset = Number(tv.getBigUint64(loc + 8, true));
    const z64 = readAt(file, z64Offset, 56);
    const zv = new DataView(z64.buffer, z64.byteOffset, z64.byteLength);
    if (zv.getUint32(0, true) !== SIG_ZIP64_EOCD) throw new Error("zip64 end record missing");
    count = Number(zv.getBigUint64(32, true));
    cdSize = Number(zv.getBigUint64(40, true));
    cdOffset = Number(zv.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > size) throw new Error("central directory beyond the end of the file");
  const cd = readAt(file, cdOffset, cdSize);
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== SIG_CENTRAL) {
      throw new Error("bad central directory entry");
    }
    const nameLen = v.getUint16(p + 28, true), extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let compressedSize = v.getUint32(p + 20, true), usize = v.getUint32(p + 24, true);
    let localOffset = v.getUint32(p + 42, true);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field: the 64-bit values of the fields that are 0xFFFFFFFF, in order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = v.getUint16(x, true), len = v.getUint16(x + 2, true);
      if (id === 1) {
        let f = x + 4;
        if (usize === 0xffffffff) usize = Number(v.getBigUint64(f, true)), f += 8;
        if (compressedSize === 0xffffffff) compressedSize = Number(v.getBigUint64(f, true)), f += 8;
        if (localOffset === 0xffffffff) localOffset = Number(v.getBigUint64(f, true));
      }
      x += 4 + len;
    }
    entries.push({ name, method: v.getUint16(p + 10, true), compressedSize, size: usize, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function scanLocalHeaders(file: Deno.FsFile, size: number, notes: string[]): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let offset = 0;
  while (offset + 30 <= size) {
    const h = readAt(file, offset, 30);
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    if (h.length < 30 || v.getUint32(0, true) !== SIG_LOCAL) break;
    const flags = v.getUint16(6, true);
    const compressedSize = v.getUint32(18, true), usize = v.getUint32(22, true);
    const nameLen = v.getUint16(26, true), extraLen = v.getUint16(28, true);
    const name = utf8.decode(readAt(file, offset + 30, nameLen));
    if ((flags & 8) !== 0 && compressedSize === 0) {
      notes.push(`entry ${name} has no size in its local header; entries from it on were not read`);
      break;
    }
    const end = offset + 30 + nameLen + extraLen + compressedSize;
    if (end > size) {
      notes.push(`entry ${name} is cut off; not read`);
      break;
    }
    entries.push({ name, method: v.getUint16(8, true), compressedSize, size: usize, localOffset: offset });
    offset = end;
  }
  return entries;
}
