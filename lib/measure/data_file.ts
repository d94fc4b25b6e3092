/**
 * Reads a small data file the analyses take from users (bucket schemes, thresholds): `.json` as JSON,
 * anything else as YAML (which also reads JSON). Every failure is an {@link InputFileError} naming the file.
 *
 * @module
 */
import { parse as parseYaml } from "../deps/yaml.ts";
import { InputFileError } from "./errors.ts";

/**
 * The parsed content of `file`, not yet validated.
 * @throws InputFileError when the file cannot be read or is not valid JSON/YAML.
 */
export async function readDataFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new InputFileError(file, "", `cannot read: ${(e as Error).message}`);
  }
  const json = /\.json$/i.test(file);
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new InputFileError(file, "", `not valid ${json ? "JSON" : "YAML"}: ${(e as Error).message}`);
  }
}
