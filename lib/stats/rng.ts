/**
 * Seeded pseudo-random numbers (xoshiro128**, seeded through splitmix32), so every bootstrap and
 * simulation gives the same answer twice.
 *
 * @module
 */

/** A seeded uniform generator: call it for a float in [0, 1); `int(n)` gives an integer in [0, n). */
export interface Rng {
  (): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded generator. Equal seeds give equal streams; `stream` selects an independent stream for the
 * same seed (used so bootstrap replicate `i` gets the same draws however replicates are split over workers).
 *
 * @param seed any integer (negative and non-integer values are hashed into 32 bits)
 * @param stream optional stream number (default 0)
 */
export function rng(seed: number, stream = 0): Rng {
  const mix = splitmix32((Math.trunc(seed) ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  // Two extra rounds so neighbouring (seed, stream) pairs decorrelate.
  mix();
  let a = mix(), b = mix(), c = mix(), d = mix();
  if ((a | b | c | d) === 0) a = 1;
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d >>> 0, 11);
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
  const uniform = (() => next() / 4294967296) as Rng;
  uniform.int = (n: number) => Math.floor((next() / 4294967296) * n);
  return uniform;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
