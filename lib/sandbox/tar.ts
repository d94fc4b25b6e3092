/**
 * A minimal tar writer for one regular file (the Docker driver ships files with the engine's archive API).
 *
 * @module
 */

const BLOCK = 512;

function field(header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > length) {
    throw new RangeError(`tar: ${JSON.stringify(value)} does not fit in ${length} bytes`);
  }
  header.set(bytes, offset);
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

/** An uncompressed tar archive holding one regular file `name` (no directories, name up to 100 bytes). */
export function singleFileTar(
  name: string,
  data: Uint8Array,
  options: { uid: number; gid: number; mode: number },
): Uint8Array {
  const header = new Uint8Array(BLOCK);
  field(header, 0, 100, name);
  field(header, 100, 8, octal(options.mode & 0o7777, 8));
  field(header, 108, 8, octal(options.uid, 8));
  field(header, 116, 8, octal(options.gid, 8));
  field(header, 124, 12, octal(data.byteLength, 12));
  field(header, 136, 12, octal(Math.floor(Date.now() / 1000), 12));
  field(header, 148, 8, "        ");
  field(header, 156, 1, "0");
  field(header, 257, 6, "ustar\0");
  field(header, 263, 2, "00");
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  const padded = Math.ceil(data.byteLength / BLOCK) * BLOCK;
  const archive = new Uint8Array(BLOCK + padded + 2 * BLOCK);
  archive.set(header, 0);
  archive.set(data, BLOCK);
  return archive;
}
