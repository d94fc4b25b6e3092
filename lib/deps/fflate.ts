/** fflate (raw deflate for the zip entries of Inspect's `.eval` logs), pinned (see README.md). @module */
export { inflateSync, zipSync } from "npm:fflate@0.8.3";
export type { Zippable } from "npm:fflate@0.8.3";
