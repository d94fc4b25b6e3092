/**
 * The sweep every command that starts sandboxes runs first (`eval`; `qa` and `workbench` can call it too):
 * remove what killed runners left — local run directories, evalkit containers (running or stopped) and
 * half-built images of processes that are gone — and say so on stderr.
 *
 * @module
 */
import { sweepOrphans } from "../sandbox/mod.ts";

/** What {@link sweepLeftovers} removed, as printable names. */
export interface SweptLeftovers {
  /**
   * What was removed (run directories, containers, image builds), one printable name each; empty when
   * nothing.
   */
  removed: string[];
}

/**
 * Runs {@link sweepOrphans} and prints one line on stderr naming what it removed (nothing when there was
 * nothing). Never throws: a failed sweep is reported as a warning and the command goes on.
 */
export async function sweepLeftovers(
  print: (line: string) => void = (line) => console.error(line),
): Promise<SweptLeftovers> {
  try {
    const swept = await sweepOrphans();
    const removed = [
      ...swept.local.map((id) => `local run directory ${id}`),
      ...swept.docker.map((id) => `container ${id}`),
      ...swept.imageBuilds.map((dir) => `image build ${dir}`),
    ];
    if (removed.length > 0) {
      print(`evalkit: removed ${removed.length} leftover(s) of killed runs: ${removed.join(", ")}`);
    }
    return { removed };
  } catch (error) {
    print(`warning: sweeping leftovers of killed runs failed: ${(error as Error).message}`);
    return { removed: [] };
  }
}
