/**
 * Host-side secrets for task families: an HMAC-SHA-256 under a key that lives only in the host process, so
 * flags and service secrets derived from it cannot be computed by an agent that reads the family's source.
 *
 * @module
 */

/** HMAC-SHA-256 of `text` under `key`, as lower-case hex. */
export async function hmacHex(key: Uint8Array, text: string): Promise<string> {
  const k = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(text));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
