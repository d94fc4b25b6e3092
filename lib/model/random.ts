/**
 * Small seeded randomness for the model layer: a string hash, a seeded uniform stream and a normal draw.
 * Kept local so the model providers depend on nothing outside `lib/model/`.
 *
 * @module
 */

/** FNV-1a 32-bit hash of a string (stable across runs and platforms). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A seeded uniform generator on [0, 1) (mulberry32 over a mixed seed). */
export function seededUniform(...keys: Array<number | string>): () => number {
  let state = hashString(keys.map(String).join("\u0000"));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard-normal draw from a uniform stream (Box–Muller). */
export function normalDraw(uniform: () => number): number {
  const u1 = Math.max(uniform(), 1e-12);
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
