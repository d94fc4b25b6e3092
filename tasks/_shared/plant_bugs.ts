/**
 * Planted bugs: a buggy program generated from its reference by exact text replacements, so the reference
 * and the bugs cannot drift apart (library_repair's libraries, protocol_server's wrong server).
 *
 * @module
 */

/** One planted bug: `fixed` occurs exactly once in the reference and becomes `buggy`. */
export interface Bug {
  id: string;
  fixed: string;
  buggy: string;
}

/** Apply planted bugs to the reference source; throws when a bug's text is not found exactly once. */
export function plantBugs(reference: string, bugs: readonly Bug[]): string {
  let src = reference;
  for (const b of bugs) {
    const n = src.split(b.fixed).length - 1;
    if (n !== 1) throw new Error(`library_repair: bug ${b.id} matches ${n} times (expected exactly once)`);
    src = src.replace(b.fixed, b.buggy);
  }
  return src;
}
