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

const USAGE = "usage: deno run -A lib/cli/packages.ts [--dir <tasks dir>]";

/** Print the suite's packages for `args`; returns the exit code (0 printed, 1 no suite, 2 a usage error). */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        dir: { type: "string", default: DEFAULT_TASKS_DIR },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let suite;
  try {
    suite = await loadSuite(values.dir);
  } catch (e) {
    console.error(`error: --dir: ${(e as Error).message}`);
    return 1;
  }
  console.log(suitePackages(suite.families).join(" "));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
