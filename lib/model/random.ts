/**
 * Keyed seeding for the model layer: a string hash and a seeded uniform stream named by keys, over the
 * toolkit's one generator (`rng` of `lib/stats/rng.ts`), and a normal draw.
 *
 * @module
 */
import { rng } from "../stats/rng.ts";

/** FNV-1a 32-bit hash of a string (stable across runs and platforms). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A seeded uniform generator on [0, 1) named by `keys`: the keys are hashed to a seed for
 * {@link rng} (xoshiro128**), so equal keys give equal streams.
 */
export function seededUniform(...keys: Array<number | string>): () => number {
  return rng(hashString(keys.map(String).join("\u0000")));
}

/** One standard-normal draw from a uniform stream (Box–Muller). */
export function normalDraw(uniform: () => number): number {
  const u1 = Math.max(uniform(), 1e-12);
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
