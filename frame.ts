/**
 * evalkit/frame — Run tables: evalkit's event logs, METR's runs.jsonl and Inspect logs as arquero tables.
 *
 * ```ts
 * import * as frame from "./frame.ts"; // or by path / file:// URL from any folder
 * ```
 * @module
 */
export * from "./lib/frame/mod.ts";
