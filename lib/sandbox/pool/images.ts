/**
 * Images without a registry: an image one engine has is streamed to another with the engine API's
 * `save` (`GET /images/{name}/get`, a tar) piped straight into `load` (`POST /images/load`) through this
 * process, never staged on disk. Tags are content hashes (`evalkit-base:<hash of the package set>`,
 * `evalkit-family:<hash of the recipe>`), so an image with the tag is the right image wherever it is.
 *
 * @module
 */
import type Docker from "../../deps/dockerode.ts";
import { Transform } from "node:stream";
import { imageExists } from "../image.ts";

/** What one transfer moved. */
export interface TransferReport {
  /** The tag moved. */
  tag: string;
  /** Bytes of the image archive streamed. */
  bytes: number;
  /** Wall time, ms. */
  ms: number;
}

/**
 * Copies image `tag` from engine `from` to engine `to` (docker save | docker load, as streams). Throws
 * naming the tag and the stage when the source lacks it, the load reports an error, or the tag is not on
 * the target afterwards.
 */
export async function transferImage(from: Docker, to: Docker, tag: string): Promise<TransferReport> {
  const t0 = performance.now();
  let archive: NodeJS.ReadableStream;
  try {
    archive = await from.getImage(tag).get();
  } catch (error) {
    throw new Error(`saving image ${tag} from its source engine failed: ${(error as Error).message}`);
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  archive.on("error", (error: Error) => counter.destroy(error));
  archive.pipe(counter);
  let response: NodeJS.ReadableStream;
  try {
    response = await to.loadImage(counter, { quiet: true });
  } catch (error) {
    throw new Error(`loading image ${tag} into the target engine failed: ${(error as Error).message}`);
  }
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    response.on("data", (chunk: Uint8Array) => {
      if (size < 64 * 1024) chunks.push(chunk);
      size += chunk.length;
    });
    response.on("end", () => resolve(new TextDecoder().decode(concat(chunks))));
    response.on("error", reject);
  });
  const failure = text.split("\n").map((line) => {
    try {
      return (JSON.parse(line) as { error?: string }).error;
    } catch {
      return undefined;
    }
  }).find((e) => e);
  if (failure) throw new Error(`loading image ${tag} into the target engine failed: ${failure}`);
  if (!(await imageExists(to, tag))) {
    throw new Error(
      `loading image ${tag} into the target engine did not produce the tag (${text.slice(0, 300)})`,
    );
  }
  return { tag, bytes, ms: performance.now() - t0 };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
