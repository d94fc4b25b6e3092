/**
 * Host id ranges for local sandboxes: each sandbox's user namespace maps its ids 0–65535 onto a range of
 * 65,536 unprivileged host ids that no other live sandbox holds, so root and the agent of one sandbox are
 * host ids distinct from every other sandbox's (per-uid limits, signals, keyrings and file ownership are not
 * shared). A range is held by an atomic `mkdir` of `<registry>/<slot>` recording its owner; the range of a dead
 * owner is taken over. The registry is one per machine (`/run/evalkit/ids`, cleared at boot), whatever
 * directory each process keeps its sandboxes in.
 *
 * @module
 */
import { bootId, processIsAlive, processStartTime } from "./cleanup.ts";

/** First host id used for sandboxes (far above any distribution's system, user and subordinate ranges). */
export const ID_BASE = 0x1000_0000;
/** Ids per sandbox (the inner range 0–65535). */
export const IDS_PER_SANDBOX = 0x1_0000;
/** Number of ranges: the last one ends below 2^32 - 1 (the invalid id). */
export const ID_SLOTS = 0x4000;

/** A held range. */
export interface IdRange {
  slot: number;
  /** Host id of inner id 0 (sandbox root); the agent (inner 1000) is `hostBase + 1000`. */
  hostBase: number;
  /** Releases the range (idempotent). */
  release(): void;
}

interface SlotOwner {
  pid: number;
  startTime?: number;
  bootId: string;
  sandbox: string;
}

/** The machine-wide registry of held ranges. */
export function idRegistryDir(): string {
  return Deno.env.get("EVALKIT_ID_REGISTRY") || "/run/evalkit/ids";
}

function ownerIsGone(path: string): boolean {
  try {
    const owner = JSON.parse(Deno.readTextFileSync(`${path}/owner.json`)) as SlotOwner;
    return owner.bootId !== bootId() || !processIsAlive(owner.pid, owner.startTime);
  } catch {
    // No owner record yet: only a slot older than a minute (a crash between mkdir and write) is stale.
    try {
      const info = Deno.statSync(path);
      return Date.now() - (info.mtime?.getTime() ?? 0) > 60_000;
    } catch {
      return true;
    }
  }
}

/** Takes a free id range for `sandbox`; throws when all {@link ID_SLOTS} ranges are held by live sandboxes. */
export function acquireIdRange(sandbox: string, dir: string = idRegistryDir()): IdRange {
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const start = Math.floor(Math.random() * ID_SLOTS);
  for (let i = 0; i < ID_SLOTS; i++) {
    const slot = (start + i) % ID_SLOTS;
    const path = `${dir}/${slot}`;
    try {
      Deno.mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (!ownerIsGone(path)) continue;
      try {
        Deno.removeSync(path, { recursive: true });
        Deno.mkdirSync(path, { mode: 0o700 });
      } catch {
        continue; // another process took it over first
      }
    }
    const owner: SlotOwner = {
      pid: Deno.pid,
      startTime: processStartTime(Deno.pid),
      bootId: bootId(),
      sandbox,
    };
    Deno.writeTextFileSync(`${path}/owner.json`, JSON.stringify(owner));
    let released = false;
    return {
      slot,
      hostBase: ID_BASE + slot * IDS_PER_SANDBOX,
      release() {
        if (released) return;
        released = true;
        try {
          Deno.removeSync(path, { recursive: true });
        } catch {
          // Swept later.
        }
      },
    };
  }
  throw new Error(`all ${ID_SLOTS} local sandbox id ranges are in use`);
}

/** Releases ranges whose owner process is gone; returns the slots freed. */
export function sweepIdRanges(dir: string = idRegistryDir()): number[] {
  const freed: number[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return freed;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (!/^\d+$/.test(entry.name) || !ownerIsGone(path)) continue;
    try {
      Deno.removeSync(path, { recursive: true });
      freed.push(Number(entry.name));
    } catch {
      // Taken over meanwhile.
    }
  }
  return freed;
}
