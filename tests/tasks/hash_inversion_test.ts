import assert from "node:assert/strict";
import {
  mitmSecrets,
  mix64,
  pinHash,
  preimages,
  scorePreimages,
  toyEncrypt,
} from "../../tasks/hash_inversion/family.ts";

const M64 = (1n << 64n) - 1n;

/** Independent inverse of mix64 (inverting each step), used to check that mix64 is a bijection. */
function unmix64(y: bigint): bigint {
  const C1 = [0x9e3779b97f4a7c15n, 0xbf58476d1ce4e5b9n, 0x94d049bb133111ebn];
  const C2 = [0x2545f4914f6cdd1dn, 0x6a09e667f3bcc909n, 0x3c6ef372fe94f82bn];
  const inv = (a: bigint) => {
    let x = 1n;
    for (let i = 0; i < 7; i++) x = (x * (2n - a * x)) & M64;
    return x;
  };
  const unshr = (v: bigint, s: bigint) => {
    let x = v;
    for (let i = 0; i < 64; i++) x = v ^ (x >> s);
    return x;
  };
  const unshl = (v: bigint, s: bigint) => {
    let x = v;
    for (let i = 0; i < 64; i++) x = v ^ ((x << s) & M64);
    return x;
  };
  for (let r = 2; r >= 0; r--) {
    y = unshr(y, 41n);
    y = (y - C2[r]) & M64;
    const k = BigInt(29 + r);
    y = ((y >> k) | (y << (64n - k))) & M64;
    y = unshl(y, 23n);
    y = (y * inv(C1[r])) & M64;
    y = unshr(y, 17n);
  }
  return y;
}

Deno.test("mix64 is inverted by an independent step-by-step inverse", () => {
  for (const x of [0n, 1n, 123456789012345678n, M64, 0xdeadbeefcafebaben]) assert.equal(unmix64(mix64(x)), x);
});

Deno.test("pinHash and mix64 match the Python programs given to the agent", () => {
  // Values computed with Debian's python3 from the same programs when the task was written.
  const hex8 = (x: number) => x.toString(16).padStart(8, "0");
  assert.deepEqual(["000000", "123456", "999999"].map((p) => hex8(pinHash(p))), [
    "ee8d694d",
    "73621590",
    "8b095f57",
  ]);
  assert.equal(mix64(1n).toString(16).padStart(16, "0"), "de04667b1dc73c1c");
  assert.equal(mix64((1n << 63n) + 5n).toString(16).padStart(16, "0"), "63539dd84b343c45");
});

Deno.test("scorePreimages gives partial credit and rejects out-of-domain PINs", () => {
  const d = { variant: "small_domain" as const, seed: 4401, count: 6 };
  const pre = preimages(d);
  const targets = pre.map((p) => pinHash(p).toString(16).padStart(8, "0"));
  const half = Object.fromEntries(targets.slice(0, 3).map((t, i) => [t, pre[i]]));
  assert.equal(scorePreimages("small_domain", targets, JSON.stringify(half)), 0.5);
  assert.equal(scorePreimages("small_domain", targets, ""), 0);
  const unpadded = { [targets[0]]: String(Number(pre[0])) }; // even indices have a leading zero
  assert.equal(scorePreimages("small_domain", targets, JSON.stringify(unpadded)), 0);
});

Deno.test("double encryption is a permutation and secrets are 24-bit", () => {
  const { k1, k2, message } = mitmSecrets(4403);
  assert.ok(k1 < 2 ** 24 && k2 < 2 ** 24);
  assert.equal(message.length % 4, 0);
  const seen = new Set<number>();
  for (let x = 0; x < 2000; x++) seen.add(toyEncrypt(k2, toyEncrypt(k1, x)));
  assert.equal(seen.size, 2000);
});
