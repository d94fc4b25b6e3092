/**
 * Append-only JSONL writer. Each event is serialised with its `type` first and written with one `write`
 * call on a file opened with O_APPEND, so a crash (even `kill -9`) loses at most the line being written;
 * with `fsync: true` each line is also synced to disk (survives a power cut, costs throughput).
 *
 * @module
 */
import type { LogEvent } from "./events.ts";

/** Options of {@link LogWriter}. */
export interface LogWriterOptions {
  /** fsync after every line. Default false (the OS keeps written lines across a process crash). */
  fsync?: boolean;
}

/** Serialise an event as one JSON line with `type` as its first key. */
export function eventLine(event: LogEvent): string {
  const { type, ...rest } = event;
  return JSON.stringify({ type, ...rest }) + "\n";
}

/** Appends events to one log file. */
export class LogWriter {
  readonly #file: Deno.FsFile;
  readonly #fsync: boolean;
  readonly #encoder = new TextEncoder();
  #closed = false;

  private constructor(file: Deno.FsFile, fsync: boolean) {
    this.#file = file;
    this.#fsync = fsync;
  }

  /**
   * Open (or create) `path` for appending. If the file ends in a partial line (a crash mid-write), a newline
   * is appended first so the next event starts on its own line; readers report and skip the partial one.
   */
  static open(path: string, options: LogWriterOptions = {}): LogWriter {
    const file = Deno.openSync(path, { append: true, create: true, read: true });
    const size = file.statSync().size;
    const writer = new LogWriter(file, options.fsync ?? false);
    if (size > 0) {
      const last = new Uint8Array(1);
      file.seekSync(size - 1, Deno.SeekMode.Start);
      file.readSync(last);
      if (last[0] !== 0x0a) writer.#writeAll(writer.#encoder.encode("\n"));
    }
    return writer;
  }

  #writeAll(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) offset += this.#file.writeSync(bytes.subarray(offset));
  }

  /** Append one event (synchronously, so concurrent cells never interleave lines). */
  write(event: LogEvent): void {
    if (this.#closed) throw new Error("log writer is closed");
    this.#writeAll(this.#encoder.encode(eventLine(event)));
    if (this.#fsync) this.#file.syncSync();
  }

  /** Close the file. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}
