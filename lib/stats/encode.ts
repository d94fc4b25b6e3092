/**
 * Dictionary encoding of key columns into dense integer codes.
 *
 * @module
 */

/** A dictionary-encoded column: `codes[i]` indexes `names`. Codes follow first appearance. */
export interface Encoded {
  /** Code of each input value: an index into `names`. */
  codes: Uint32Array;
  /** Distinct values as strings, in order of first appearance. */
  names: string[];
}

/** Encode any key column (strings or numbers) into dense codes in order of first appearance. */
export function encodeKeys(values: ArrayLike<unknown>): Encoded {
  const index = new Map<unknown, number>();
  const names: string[] = [];
  const codes = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let c = index.get(v);
    if (c === undefined) {
      c = names.length;
      index.set(v, c);
      names.push(String(v));
    }
    codes[i] = c;
  }
  return { codes, names };
}
