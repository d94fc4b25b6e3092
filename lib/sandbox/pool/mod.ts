/**
 * A pool of Docker engines as one sandbox driver: engine configuration (`engines.yaml`), placement by free
 * capacity and declared resources, health checks, typed infrastructure errors when an engine is lost,
 * rejoin with a sweep of leftovers, and images copied between engines without a registry. See docs/scale.md.
 *
 * @module
 */
export * from "./config.ts";
export * from "./errors.ts";
export * from "./placement.ts";
export { engineClient, pingEngine } from "./client.ts";
export { transferImage, type TransferReport } from "./images.ts";
export {
  engineOfSandbox,
  EnginePool,
  type EnginePoolOptions,
  type EngineStatus,
  placementRequest,
  PooledSandbox,
  type PoolEvent,
  sandboxInfrastructureFailure,
} from "./pool.ts";
