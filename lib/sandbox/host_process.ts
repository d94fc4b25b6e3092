/**
 * Runs one host process with stdin, bounded output capture and a timeout whose kill action is supplied by
 * the caller (the local driver kills the whole in-sandbox process tree, then the host process).
 *
 * @module
 */
import { CappedOutput, drainInto } from "./output.ts";
import { waitOrKill } from "./timeout.ts";

/** How to run a host process. */
export interface HostProcessRequest {
  command: string;
  args: string[];
  env: Record<string, string>;
  stdin?: Uint8Array;
  timeoutMs: number;
  outputLimitBytes: number;
  /** Called once at the timeout; should kill everything the process started. */
  onTimeout: () => Promise<void>;
}

/** Outcome of {@link runHostProcess}. */
export interface HostProcessResult {
  exitCode: number;
  stdout: CappedOutput;
  stderr: CappedOutput;
  timedOut: boolean;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/**
 * Runs the process to completion: both output pipes closed and the process exited. At the timeout,
 * `onTimeout` runs, the process is SIGKILLed, and the result has `timedOut: true` and exit code 137.
 */
export async function runHostProcess(request: HostProcessRequest): Promise<HostProcessResult> {
  const child = new Deno.Command(request.command, {
    args: request.args,
    clearEnv: true,
    env: request.env,
    stdin: request.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new CappedOutput(request.outputLimitBytes);
  const stderr = new CappedOutput(request.outputLimitBytes);
  const abandon = new AbortController();
  const finished = Promise.all([
    child.status,
    drainInto(child.stdout, stdout, abandon.signal),
    drainInto(child.stderr, stderr, abandon.signal),
  ]);
  if (request.stdin) {
    const writer = child.stdin.getWriter();
    // A command that never reads its stdin closes the pipe early: that is not an error.
    writer.write(request.stdin).then(() => writer.close()).catch(() => {}).finally(() =>
      writer.releaseLock()
    );
  }
  const timedOut = await waitOrKill(finished, request.timeoutMs, async () => {
    await request.onTimeout().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  });
  if (timedOut) abandon.abort();
  const [status] = await finished;
  const exitCode = timedOut ? 137 : status.signal ? 128 + (SIGNAL_NUMBERS[status.signal] ?? 0) : status.code;
  return { exitCode, stdout, stderr, timedOut };
}
