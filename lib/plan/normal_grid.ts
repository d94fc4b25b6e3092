/**
 * Standard normal draws and density for the planner's simulations.
 *
 * @module
 */
import type { Rng } from "../stats/rng.ts";

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Standard normal density. */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** One standard normal draw from `r` (Box–Muller, one of the pair; two uniforms per draw). */
export function normalDraw(r: Rng): number {
  let u = r();
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}
