/**
 * Bounded capture of a command's output stream: keeps the first `limit` bytes, counts (and drops) the rest.
 *
 * @module
 */
import { TRUNCATION_MARK } from "./types.ts";

/** Collects at most `limit` bytes of a stream; memory stays bounded whatever the command prints. */
export class CappedOutput {
  #chunks: Uint8Array[] = [];
  #kept = 0;
  #seen = 0;

  /**
   * An empty capture.
   * @param limit bytes kept; `Infinity` keeps everything (used for file reads).
   */
  constructor(readonly limit: number) {}

  /** Adds a chunk; the part beyond the cap is counted and dropped. */
  push(chunk: Uint8Array): void {
    this.#seen += chunk.byteLength;
    const room = this.limit - this.#kept;
    if (room <= 0) return;
    const part = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    // Copy: some stream sources reuse their buffers.
    this.#chunks.push(part.slice());
    this.#kept += part.byteLength;
  }

  /** Total bytes the stream produced, kept or not. */
  get seenBytes(): number {
    return this.#seen;
  }

  /** True when bytes were dropped. */
  get truncated(): boolean {
    return this.#seen > this.#kept;
  }

  /** The kept bytes. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#kept);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }

  /** The kept bytes as UTF-8 text, ending with {@link TRUNCATION_MARK} when bytes were dropped. */
  text(): string {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(this.bytes());
    return this.truncated ? text + TRUNCATION_MARK : text;
  }
}

/** Drains a web stream into a {@link CappedOutput}; resolves at end of stream or when `signal` aborts. */
export async function drainInto(
  stream: ReadableStream<Uint8Array>,
  sink: CappedOutput,
  signal?: AbortSignal,
): Promise<void> {
  const reader = stream.getReader();
  const cancel = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      sink.push(value);
    }
  } catch {
    // A cancelled or broken pipe ends the capture; what was read is kept.
  } finally {
    signal?.removeEventListener("abort", cancel);
    reader.releaseLock();
  }
}
