/**
 * File-path → file: URL (node:url's pathToFileURL, as a string).
 * @module
 */
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

/** The file: URL of a local path. */
export function toFileUrl(path: string): string {
  return pathToFileURL(resolve(path)).href;
}
