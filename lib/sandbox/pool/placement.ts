/**
 * Where a sandbox goes: pure functions over the engines' current load, so the rule can be read and tested
 * alone. An engine can take a sandbox when it is up, has a free slot, carries the labels asked for, and the
 * sandbox's declared resources fit beside those of the sandboxes already there (only the resources the
 * engine declares are checked). Among those, the engine with the most free slots wins; ties go to the
 * larger share of free capacity, then to the engine that was given fewer sandboxes so far, then by name —
 * so a grid spreads evenly and the choice is reproducible.
 *
 * @module
 */
import type { EngineResources } from "./config.ts";

/** What a sandbox asks of an engine. */
export interface PlacementRequest {
  /** CPUs (its CPU quota); 0 when it declares none. */
  cpus: number;
  /** Memory cap, GB. */
  memoryGb: number;
  /** Writable space, GB. */
  diskGb: number;
  /** Labels the engine must carry (equal values). */
  labels?: Record<string, string>;
}

/** One engine's state as placement sees it. */
export interface EngineLoad {
  name: string;
  up: boolean;
  capacity: number;
  /** Sandboxes on the engine now (starting, running or closing). */
  inFlight: number;
  /** Sums of the declared resources of those sandboxes. */
  cpusInUse: number;
  memoryGbInUse: number;
  diskGbInUse: number;
  resources: EngineResources;
  labels: Record<string, string>;
  /** Sandboxes placed on the engine since the pool opened. */
  placed: number;
}

/** Why the engine could never take the request, even empty (undefined: it could). */
export function neverFits(engine: EngineLoad, request: PlacementRequest): string | undefined {
  for (const [key, value] of Object.entries(request.labels ?? {})) {
    if (engine.labels[key] !== value) return `${engine.name} lacks label ${key}=${value}`;
  }
  const { cpus, memoryGb, diskGb } = engine.resources;
  if (cpus !== undefined && request.cpus > cpus) {
    return `${engine.name} offers ${cpus} CPUs < ${request.cpus}`;
  }
  if (memoryGb !== undefined && request.memoryGb > memoryGb) {
    return `${engine.name} offers ${memoryGb} GB of memory < ${request.memoryGb}`;
  }
  if (diskGb !== undefined && request.diskGb > diskGb) {
    return `${engine.name} offers ${diskGb} GB of disk < ${request.diskGb}`;
  }
  return undefined;
}

/** True when the engine can take the request now. */
export function fitsNow(engine: EngineLoad, request: PlacementRequest): boolean {
  if (!engine.up || engine.inFlight >= engine.capacity) return false;
  if (neverFits(engine, request) !== undefined) return false;
  const { cpus, memoryGb, diskGb } = engine.resources;
  const eps = 1e-9;
  if (cpus !== undefined && engine.cpusInUse + request.cpus > cpus + eps) return false;
  if (memoryGb !== undefined && engine.memoryGbInUse + request.memoryGb > memoryGb + eps) return false;
  if (diskGb !== undefined && engine.diskGbInUse + request.diskGb > diskGb + eps) return false;
  return true;
}

/** The engine the request goes to now, or undefined when none can take it at the moment. */
export function chooseEngine<E extends EngineLoad>(
  engines: readonly E[],
  request: PlacementRequest,
): E | undefined {
  let best: E | undefined;
  for (const engine of engines) {
    if (!fitsNow(engine, request)) continue;
    if (!best || better(engine, best)) best = engine;
  }
  return best;
}

function better(a: EngineLoad, b: EngineLoad): boolean {
  const freeA = a.capacity - a.inFlight, freeB = b.capacity - b.inFlight;
  if (freeA !== freeB) return freeA > freeB;
  const shareA = freeA / a.capacity, shareB = freeB / b.capacity;
  if (shareA !== shareB) return shareA > shareB;
  if (a.placed !== b.placed) return a.placed < b.placed;
  return a.name < b.name;
}
