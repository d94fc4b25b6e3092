/**
 * `deno run -A lib/cli/packages.ts [--dir tasks]` — print the Debian packages the suite's families
 * declare (their union, space-separated), for the install step of `./evalkit`.
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_TASKS_DIR, loadSuite } from "../task/loader.ts";

/** The sorted union of the packages every family declares. */
export function suitePackages(families: Array<{ header: { packages: string[] } }>): string[] {
  return [...new Set(families.flatMap((f) => f.header.packages))].sort();
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { dir: { type: "string", default: DEFAULT_TASKS_DIR } },
  });
  const suite = await loadSuite(values.dir);
  console.log(suitePackages(suite.families).join(" "));
}
