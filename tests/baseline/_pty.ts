/**
 * Shared by the baseline tests: a scripted person at a terminal (the `workbench baseline` command under
 * util-linux `script`, so it sees a pty as a person's would), and the baseline folder's journal and cleanup.
 * @module
 */
import { fromFileUrl } from "../../lib/util/path.ts";

/** The repository root (with a trailing slash). */
export const ROOT = fromFileUrl(new URL("../../", import.meta.url));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A person at a terminal: the baseline command under `script` (a pty), keystrokes typed one by one. */
export class Person {
  readonly child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  screen = "";
  readonly #reading: Promise<void>;

  constructor(args: string[], env: Record<string, string>, usePty = true) {
    const deno = [Deno.execPath(), "run", "-A", `${ROOT}lib/cli/workbench.ts`, "baseline", ...args];
    this.child = new Deno.Command(usePty ? "script" : deno[0], {
      args: usePty ? ["-q", "-e", "-c", deno.map((w) => `'${w}'`).join(" "), "/dev/null"] : deno.slice(1),
      cwd: ROOT,
      env: { ...env, TERM: "xterm", NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    const decoder = new TextDecoder();
    const read = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) this.screen += decoder.decode(chunk, { stream: true });
    };
    this.#reading = Promise.all([read(this.child.stdout), read(this.child.stderr)]).then(() => {});
  }

  async waitFor(pattern: RegExp, ms = 120_000): Promise<void> {
    const start = Date.now();
    while (!pattern.test(this.screen)) {
      if (Date.now() - start > ms) {
        throw new Error(`timed out waiting for ${pattern}; screen:\n${this.screen}`);
      }
      await sleep(50);
    }
  }

  /** Types `text` a character at a time, then Enter (a carriage return, as a terminal sends it). */
  async type(text: string): Promise<void> {
    for (const c of text + "\r") {
      await this.#writer.write(new TextEncoder().encode(c));
      await sleep(5);
    }
  }

  async done(): Promise<Deno.CommandStatus> {
    await this.#writer.close().catch(() => {});
    const status = await this.child.status;
    await this.#reading;
    return status;
  }
}

export async function journalOf(dir: string): Promise<{ id: string; text: string }> {
  for await (const e of Deno.readDir(`${dir}/journals`)) {
    if (e.name.endsWith(".journal")) {
      return {
        id: e.name.replace(/\.journal$/, ""),
        text: await Deno.readTextFile(`${dir}/journals/${e.name}`),
      };
    }
  }
  throw new Error("no journal");
}

/** Destroys any environment a failed test left (by its holder's state file), then removes the folder. */
export async function cleanup(dir: string): Promise<void> {
  const wb = `${dir}/wb`;
  for (const e of await Array.fromAsync(Deno.readDir(wb)).catch(() => [])) {
    if (!e.name.endsWith(".json")) continue;
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}lib/cli/workbench.ts`, "destroy", e.name.slice(0, -5)],
      env: { EVALKIT_WORKBENCH_DIR: wb },
      stdout: "null",
      stderr: "null",
    }).output();
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
