/**
 * Direct labels that do not overlap: line-end labels are placed at their lines' values, then pushed apart
 * vertically just enough to keep a minimum gap, staying inside the scale's domain.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";

/**
 * Positions for labels wanted at `values` such that neighbours are at least `minGap` apart and all lie in
 * `[lo, hi]`, moving each as little as the constraints allow (input order is kept; the result is aligned
 * with `values`). When the labels cannot fit (`(n − 1)·minGap > hi − lo`) they are spread evenly over the
 * whole range. Non-finite values are returned unchanged and take no part.
 */
export function dodgeLabels(
  values: readonly number[],
  minGap: number,
  [lo, hi]: readonly [number, number],
): number[] {
  if (!(minGap >= 0) || !(hi >= lo)) {
    throw new RangeError(`dodgeLabels: bad gap ${minGap} or range [${lo}, ${hi}]`);
  }
  const out = [...values];
  const order = values.map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
  const n = order.length;
  if (n === 0) return out;
  if ((n - 1) * minGap > hi - lo) {
    order.forEach((i, k) => (out[i] = n === 1 ? (lo + hi) / 2 : lo + (k * (hi - lo)) / (n - 1)));
    return out;
  }
  // Positions p_k (sorted) minimise Σ(p_k − v_k)² subject to p_{k+1} − p_k ≥ gap and lo ≤ p ≤ hi. With
  // y_k = p_k − k·gap this is isotonic regression of v_k − k·gap under one box [lo, hi − (n−1)·gap]:
  // pool-adjacent-violators, then clamp each block mean into the box.
  const offsets = order.map((i, k) => values[i] - k * minGap);
  const blocks: { sum: number; count: number }[] = [];
  for (const o of offsets) {
    blocks.push({ sum: o, count: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1], a = blocks[blocks.length - 2];
      if (a.sum / a.count <= b.sum / b.count) break;
      a.sum += b.sum;
      a.count += b.count;
      blocks.pop();
    }
  }
  let k = 0;
  for (const b of blocks) {
    const mean = Math.min(hi - (n - 1) * minGap, Math.max(lo, b.sum / b.count));
    for (let j = 0; j < b.count; j++, k++) out[order[k]] = mean + k * minGap;
  }
  return out;
}

/** Options of {@link lineEndLabels}. */
export interface LineEndLabelOptions {
  /** Which end of each line is labelled. Default `start`. */
  end?: "start" | "end";
  /** Minimum vertical gap between labels, in y units. */
  minGap: number;
  /** The y domain labels must stay in. */
  domain: readonly [number, number];
  /** Font size of the labels, in px. Default 10. */
  fontSize?: number;
}

/**
 * A text mark labelling each series of `rows` (grouped by `z`) at one end of its line, coloured like the line
 * (`fill` = the series), with labels dodged apart so none overlap. Put it in a margin wide enough for the
 * longest name (labels are anchored away from the plot).
 */
export function lineEndLabels<T extends Record<string, unknown>>(
  rows: readonly T[],
  channels: { x: keyof T & string; y: keyof T & string; z: keyof T & string },
  options: LineEndLabelOptions,
): Plot.Markish {
  const start = (options.end ?? "start") === "start";
  const ends = new Map<unknown, T>();
  for (const r of rows) {
    const key = r[channels.z];
    const cur = ends.get(key);
    const x = Number(r[channels.x]), cx = cur === undefined ? NaN : Number(cur[channels.x]);
    if (cur === undefined || (start ? x < cx : x > cx)) ends.set(key, r);
  }
  const picked = [...ends.values()];
  const ys = dodgeLabels(picked.map((r) => Number(r[channels.y])), options.minGap, options.domain);
  return Plot.text(picked.map((r, i) => ({ x: r[channels.x], y: ys[i], z: r[channels.z] })), {
    x: "x",
    y: "y",
    text: "z",
    fill: "z",
    dx: start ? -6 : 6,
    textAnchor: start ? "end" : "start",
    fontSize: options.fontSize ?? 10,
  });
}
