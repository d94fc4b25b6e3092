/**
 * Calls a command's `main(argv)` in this process and collects what it prints, as `cli` of `_run.ts` does
 * for a subprocess: `{ code, stdout, stderr }`, so that `assertFails` works on either.
 *
 * While the command runs, `console.log`/`info`/`debug` and `Deno.stdout.write[Sync]` go to `stdout`, and
 * `console.error`/`warn` and `Deno.stderr.write[Sync]` to `stderr` — including what the library code under
 * the command prints (warnings, progress). Calls are serialised, so `Promise.all` of several is safe; other
 * code printing in this process at the same time would be captured too. The signal listeners the command
 * adds and does not remove are listed in `signalListeners` (a command called as a function must leave
 * none behind).
 *
 * @module
 */
/** A command's entry point: `main` of a `lib/cli/*.ts` module. */
export type Main = (argv: string[]) => Promise<number>;

/** What a command did: its exit code and everything it printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The signals of the listeners the command added and left installed. */
  signalListeners: Deno.Signal[];
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `main(args)` with its output captured. `env` sets environment variables for the call (undefined
 * unsets one); they are restored afterwards.
 */
export function inProcess(
  main: Main,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const result = queue.then(() => capture(main, args, env));
  queue = result.catch(() => {});
  return result;
}

async function capture(
  main: Main,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const format = (values: unknown[]) =>
    values.map((v) => typeof v === "string" ? v : Deno.inspect(v, { colors: false })).join(" ") + "\n";
  const toOut = (...values: unknown[]) => void (stdout += format(values));
  const toErr = (...values: unknown[]) => void (stderr += format(values));
  const saved = {
    log: console.log,
    info: console.info,
    debug: console.debug,
    error: console.error,
    warn: console.warn,
    outWrite: Deno.stdout.write,
    outWriteSync: Deno.stdout.writeSync,
    errWrite: Deno.stderr.write,
    errWriteSync: Deno.stderr.writeSync,
    addSignalListener: Deno.addSignalListener,
    removeSignalListener: Deno.removeSignalListener,
  };
  const listeners = new Map<() => void, Deno.Signal>();
  Deno.addSignalListener = (signal: Deno.Signal, handler: () => void) => {
    saved.addSignalListener(signal, handler);
    listeners.set(handler, signal);
  };
  Deno.removeSignalListener = (signal: Deno.Signal, handler: () => void) => {
    saved.removeSignalListener(signal, handler);
    if (listeners.get(handler) === signal) listeners.delete(handler);
  };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, Deno.env.get(k)]));
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  };
  console.log = console.info = console.debug = toOut;
  console.error = console.warn = toErr;
  Deno.stdout.write = (p: Uint8Array) => {
    stdout += decoder.decode(p);
    return Promise.resolve(p.length);
  };
  Deno.stdout.writeSync = (p: Uint8Array) => {
    stdout += decoder.decode(p);
    return p.length;
  };
  Deno.stderr.write = (p: Uint8Array) => {
    stderr += decoder.decode(p);
    return Promise.resolve(p.length);
  };
  Deno.stderr.writeSync = (p: Uint8Array) => {
    stderr += decoder.decode(p);
    return p.length;
  };
  setEnv(env);
  try {
    const code = await main(args);
    return { code, stdout, stderr, signalListeners: [...listeners.values()] };
  } catch (e) {
    // An uncaught error is a bug of the command (the program would print a stack trace): keep its output.
    if (e instanceof Error) e.message += `\n--- stderr of the command ---\n${stderr}`;
    throw e;
  } finally {
    setEnv(savedEnv);
    Object.assign(console, {
      log: saved.log,
      info: saved.info,
      debug: saved.debug,
      error: saved.error,
      warn: saved.warn,
    });
    Deno.stdout.write = saved.outWrite;
    Deno.stdout.writeSync = saved.outWriteSync;
    Deno.stderr.write = saved.errWrite;
    Deno.stderr.writeSync = saved.errWriteSync;
    Deno.addSignalListener = saved.addSignalListener;
    Deno.removeSignalListener = saved.removeSignalListener;
  }
}
