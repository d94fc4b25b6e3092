/**
 * Small helpers shared by the command-line tools, so that a mistyped argument ends in a one-line error
 * naming the option instead of a stack trace.
 * @module
 */

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Joins `--name -1` into `--name=-1` for the given string options, so that a negative number reaches the
 * option's own validation ("--epochs must be …, got -1") instead of node's parseArgs rejecting it as an
 * "ambiguous" argument. Arguments after `--` are left alone.
 */
export function joinNegativeValues(args: string[], stringOptions: Iterable<string>): string[] {
  const names = new Set([...stringOptions].map((n) => `--${n}`));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (names.has(a) && i + 1 < args.length && NEGATIVE_NUMBER.test(args[i + 1])) {
      out.push(`${a}=${args[i + 1]}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * Checks that `path`, given to `--name` as an output directory, is a directory or does not exist yet.
 * @returns an error message, or null when the path is usable.
 */
export async function outputDirProblem(name: string, path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? null : `--${name} ${path}: exists and is not a directory`;
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? null : `--${name} ${path}: ${(e as Error).message}`;
  }
}
