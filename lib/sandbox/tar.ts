/**
 * A strict reader of tar archives made inside a sandbox (so written by an adversary): ustar, GNU long names
 * (`L`, `K`) and pax extended headers (`x`, `g`). It only parses: it yields one {@link TarEntry} per member
 * and never touches the file system (see {@link extractArchive} in `safe_untar.ts` for that).
 *
 * @module
 */

const BLOCK = 512;

/** The kind of one archive member, from its typeflag. */
export type TarEntryKind =
  | "file"
  | "directory"
  | "symlink"
  | "hardlink"
  | "character device"
  | "block device"
  | "fifo"
  | "other";

/** One member of an archive. `data` is a view into the archive buffer (no copy). */
export interface TarEntry {
  /** The raw name bytes (from pax `path`, a GNU `L` record, or the header's prefix + name). */
  name: Uint8Array;
  kind: TarEntryKind;
  /** The raw typeflag character, for messages about unsupported kinds. */
  typeflag: string;
  /** Permission bits from the header (only the exec bits are ever used). */
  mode: number;
  /** The member's content (regular files only; empty for the rest). */
  data: Uint8Array;
}

/** Raised when the archive is not a well-formed tar stream. */
export class TarFormatError extends Error {
  constructor(readonly offset: number, detail: string) {
    super(`malformed tar archive at byte ${offset}: ${detail}`);
    this.name = "TarFormatError";
  }
}

function cString(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end === -1 ? bytes : bytes.subarray(0, end);
}

const latin1 = new TextDecoder("latin1");

/** A numeric header field: octal text (NUL/space padded) or GNU base-256 (high bit of the first byte set). */
function numeric(bytes: Uint8Array, offset: number, what: string): number {
  if (bytes[0] & 0x80) {
    if (bytes[0] === 0xff) throw new TarFormatError(offset, `negative ${what}`);
    let value = bytes[0] & 0x7f;
    for (let i = 1; i < bytes.length; i++) {
      value = value * 256 + bytes[i];
      if (!Number.isSafeInteger(value)) throw new TarFormatError(offset, `${what} too large`);
    }
    return value;
  }
  const text = latin1.decode(cString(bytes)).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) {
    throw new TarFormatError(offset, `${what} is not octal: ${JSON.stringify(text)}`);
  }
  const value = parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw new TarFormatError(offset, `${what} too large`);
  return value;
}

function checksumOk(header: Uint8Array, offset: number): boolean {
  const stored = numeric(header.subarray(148, 156), offset, "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** Parses pax records (`<len> <key>=<value>\n`); values stay raw bytes. */
function paxRecords(data: Uint8Array, offset: number): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break;
    const space = data.indexOf(0x20, at);
    if (space === -1) throw new TarFormatError(offset, "pax record without a length");
    const length = Number(latin1.decode(data.subarray(at, space)));
    if (!Number.isSafeInteger(length) || length <= space - at + 1 || at + length > data.length) {
      throw new TarFormatError(offset, "pax record with a bad length");
    }
    const record = data.subarray(space + 1, at + length);
    if (record[record.length - 1] !== 0x0a) {
      throw new TarFormatError(offset, "pax record not ended by newline");
    }
    const equals = record.indexOf(0x3d);
    if (equals === -1) throw new TarFormatError(offset, "pax record without '='");
    records.set(latin1.decode(record.subarray(0, equals)), record.subarray(equals + 1, record.length - 1));
    at += length;
  }
  return records;
}

const KINDS: Record<string, TarEntryKind> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "character device",
  "4": "block device",
  "5": "directory",
  "6": "fifo",
};

/**
 * Yields the members of `archive` in order. Metadata records (`L`, `K`, `x`, `g`, `V`) are consumed, not
 * yielded. Throws {@link TarFormatError} on a bad checksum, a truncated member or a malformed field; stops at
 * the end-of-archive zero block (or at the end of the buffer).
 */
export function* readTar(archive: Uint8Array): Generator<TarEntry> {
  let at = 0;
  let longName: Uint8Array | undefined;
  let pax: Map<string, Uint8Array> | undefined;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (isZeroBlock(header)) return;
    if (!checksumOk(header, at)) throw new TarFormatError(at, "header checksum mismatch");
    const typeflag = String.fromCharCode(header[156]);
    let size = numeric(header.subarray(124, 136), at, "size");
    const paxSize = pax?.get("size");
    if (
      paxSize !== undefined && typeflag !== "x" && typeflag !== "g" && typeflag !== "L" && typeflag !== "K"
    ) {
      size = Number(latin1.decode(paxSize));
      if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError(at, "bad pax size");
    }
    const dataStart = at + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > archive.length) {
      throw new TarFormatError(at, `member data truncated (${size} bytes declared)`);
    }
    const data = archive.subarray(dataStart, dataEnd);
    const headerAt = at;
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    switch (typeflag) {
      case "L":
        longName = cString(data);
        continue;
      case "K":
        continue; // long link name: links are never written, so it is not needed
      case "x":
        pax = paxRecords(data, headerAt);
        continue;
      case "g":
      case "V":
        continue;
    }
    const magic = latin1.decode(header.subarray(257, 263));
    let name: Uint8Array = cString(header.subarray(0, 100));
    if (magic === "ustar\0") {
      const prefix = cString(header.subarray(345, 500));
      if (prefix.length > 0) {
        const joined = new Uint8Array(prefix.length + 1 + name.length);
        joined.set(prefix, 0);
        joined[prefix.length] = 0x2f;
        joined.set(name, prefix.length + 1);
        name = joined;
      }
    }
    if (longName) name = longName;
    const paxPath = pax?.get("path");
    if (paxPath) name = paxPath;
    longName = undefined;
    pax = undefined;
    const kind = KINDS[typeflag] ?? "other";
    yield {
      name,
      kind,
      typeflag,
      mode: numeric(header.subarray(100, 108), headerAt, "mode"),
      data: kind === "file" ? data : new Uint8Array(0),
    };
  }
  if (at < archive.length) throw new TarFormatError(at, "trailing bytes shorter than a header");
}
