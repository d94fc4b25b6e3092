/**
 * A streaming reader for Inspect's `.json` logs: the file is read in chunks and scanned once; each top-level
 * field (`version`, `status`, `eval`, `plan`, …) is parsed on its own, and the elements of `samples` are
 * parsed and handed out one at a time, so only one sample's text is held at once. A file cut off mid-way
 * still yields every field and sample completed before the cut, then says it was truncated.
 *
 * @module
 */

/** What {@link streamJsonLog} yields, in file order. */
export type JsonLogItem =
  | { kind: "field"; key: string; value: unknown }
  | { kind: "sample"; index: number; value: unknown }
  | { kind: "bad"; where: string; message: string }
  | { kind: "end"; truncated: boolean };

const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58;
const OPEN_OBJ = 123, CLOSE_OBJ = 125, OPEN_ARR = 91, CLOSE_ARR = 93;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

/**
 * Scan the JSON log at `path` (a top-level object). `samplesKey` names the array whose elements are yielded
 * one by one (default `samples`).
 * @throws Error when the file cannot be opened, or does not start with a JSON object
 */
export async function* streamJsonLog(path: string, samplesKey = "samples"): AsyncGenerator<JsonLogItem> {
  const file = await Deno.open(path);
  const decoder = new TextDecoder();
  const buf = new Uint8Array(1 << 20);
  let depth = 0, inStr = false, esc = false, done = false;
  let phase: "start" | "beforeKey" | "inKey" | "afterKey" | "beforeValue" | "inValue" | "inSamples" = "start";
  let elemActive = false, index = 0, key = "";
  let capParts: string[] = [], capStart = -1;
  const take = (text: string, end: number): string => {
    capParts.push(text.slice(capStart, end));
    const s = capParts.join("");
    capParts = [];
    capStart = -1;
    return s;
  };
  const parse = (text: string, where: string): JsonLogItem | { ok: unknown } => {
    try {
      return { ok: JSON.parse(text) };
    } catch (e) {
      return { kind: "bad", where, message: (e as Error).message };
    }
  };
  try {
    while (!done) {
      const n = file.readSync(buf);
      if (n === null || n === 0) break;
      const text = decoder.decode(buf.subarray(0, n), { stream: true });
      if (capStart >= 0) capStart = 0;
      const out: JsonLogItem[] = [];
      for (let i = 0; i < text.length && !done; i++) {
        const c = text.charCodeAt(i);
        if (inStr) {
          if (esc) esc = false;
          else if (c === BACKSLASH) esc = true;
          else if (c === QUOTE) {
            inStr = false;
            if (phase === "inKey") {
              key = String(JSON.parse(take(text, i + 1)));
              phase = "afterKey";
            }
          }
          continue;
        }
        switch (phase) {
          case "start":
            if (isSpace(c)) break;
            if (c !== OPEN_OBJ) throw new Error("not a JSON object");
            depth = 1;
            phase = "beforeKey";
            break;
          case "beforeKey":
            if (c === QUOTE) {
              inStr = true;
              capStart = i;
              phase = "inKey";
            } else if (c === CLOSE_OBJ) {
              depth = 0;
              done = true;
            }
            break;
          case "afterKey":
            if (c === COLON) phase = "beforeValue";
            break;
          case "beforeValue":
            if (isSpace(c)) break;
            if (key === samplesKey && c === OPEN_ARR) {
              depth = 2;
              phase = "inSamples";
              elemActive = false;
              break;
            }
            capStart = i;
            phase = "inValue";
            if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
            else if (c === QUOTE) inStr = true;
            break;
          case "inValue":
            if (c === QUOTE) inStr = true;
            else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
            else if ((c === CLOSE_OBJ && depth === 1) || (c === COMMA && depth === 1)) {
              const r = parse(take(text, i), key);
              out.push("ok" in r ? { kind: "field", key, value: r.ok } : r);
              if (c === CLOSE_OBJ) {
                depth = 0;
                done = true;
              } else phase = "beforeKey";
            } else if (c === CLOSE_OBJ || c === CLOSE_ARR) depth--;
            break;
          case "inSamples":
            if (!elemActive) {
              if (isSpace(c) || c === COMMA) break;
              if (c === CLOSE_ARR) {
                depth = 1;
                phase = "beforeKey";
                break;
              }
              elemActive = true;
              capStart = i;
              if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
              else if (c === QUOTE) inStr = true;
              break;
            }
            if (c === QUOTE) inStr = true;
            else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
            else if (depth === 2 && (c === COMMA || c === CLOSE_ARR)) {
              const r = parse(take(text, i), `${samplesKey}[${index}]`);
              out.push("ok" in r ? { kind: "sample", index, value: r.ok } : r);
              index++;
              elemActive = false;
              if (c === CLOSE_ARR) {
                depth = 1;
                phase = "beforeKey";
              }
            } else if (c === CLOSE_OBJ || c === CLOSE_ARR) depth--;
            break;
        }
      }
      if (capStart >= 0) capParts.push(text.slice(capStart));
      for (const item of out) yield item;
    }
  } finally {
    file.close();
  }
  if (phase === "start") throw new Error("empty file");
  yield { kind: "end", truncated: !done };
}
