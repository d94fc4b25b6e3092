/**
 * A person's interactive shell in a sandbox, recorded. The shell runs in a real pty made by util-linux
 * `script` on the host (`script -q -e -c "<enter the sandbox as the agent> bash -i" /dev/null`); this
 * process sits between the person's terminal and `script`: it forwards every keystroke (the person's
 * terminal in raw mode) and every byte of output, and meanwhile
 *
 * - tracks the line being typed, so each line ended with Enter becomes an `action` (the command) and what
 *   the terminal showed until the next Enter its `observation` (escape sequences removed, capped);
 * - catches meta-commands typed alone on a line — `pause`, `resume`, `note <text>`, `submit [<answer>]`,
 *   `quit`, `abandon`, `help` — which never reach the sandbox: the line is erased (Ctrl-U, Enter) in the shell
 *   and handled here. While paused nothing is forwarded: the clock is stopped and so is the shell;
 * - appends all of it, and a heartbeat every {@link TICK_MS}, to the baseline's {@link Journal}.
 *
 * Why `script` and a relay rather than handing the terminal to `script` directly: the relay sees the
 * keystrokes (which the sandbox cannot forge), so meta-commands and the pause clock are the host's, not
 * something parsed out of sandbox output; and `script` is already installed everywhere util-linux is.
 * Window size is set once at start (`stty rows … cols …`); later resizes are not passed on.
 *
 * @module
 */
import { type Journal, TICK_MS } from "./journal.ts";

/** The host command that enters the sandbox (see `LocalSandbox.interactiveShell`). */
export interface ShellCommand {
  command: string;
  args: string[];
  /** Host environment of the command; with `clearEnv` nothing else from the host is passed. */
  env: Record<string, string>;
  clearEnv: boolean;
}

/** How a shell session ended. */
export type SessionEnd = "submitted" | "abandoned" | "quit" | "shell_exited" | "input_closed" | "signal";

/** What a session needs. */
export interface ShellSessionOptions {
  shell: ShellCommand;
  journal: Journal;
  /** Index of the next action (continues across resumed sessions). */
  nextIndex: number;
  /** Where the person types (default: this process's stdin, in raw mode when it is a terminal). */
  input?: ReadableStream<Uint8Array>;
  /** Where the person reads (default: this process's stdout). */
  write?: (bytes: Uint8Array) => void;
  /** Scores a submission (`undefined`: the task's submission file); resolves to the score and the text. */
  score: (submission: string | undefined) => Promise<{ score: number | null; submission: string }>;
  /** Terminal size given to the pty (default: this terminal's, else 40×120). */
  rows?: number;
  cols?: number;
  /** Most characters kept per observation. Default 8000. */
  observationLimit?: number;
}

/** Quotes one word for `sh -c`. */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Removes terminal escape sequences and carriage returns; keeps text, newlines and tabs. */
export function stripTerminal(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, "") // OSC … BEL / ST
    // deno-lint-ignore no-control-regex
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "") // CSI
    // deno-lint-ignore no-control-regex
    .replace(/\x1b[PX^_][^\x1b]*\x1b\\/g, "") // DCS, SOS, PM, APC
    // deno-lint-ignore no-control-regex
    .replace(/\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_=>78]/g, "")
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

/**
 * Tracks the line being typed from raw keystrokes: printable characters, Backspace, Ctrl-U, Ctrl-W, Ctrl-C.
 * Anything it cannot replay (Tab completion, arrow keys, history) marks the line inexact.
 */
export class LineTracker {
  #line = "";
  #exact = true;
  #escape: "none" | "esc" | "csi" | "ss3" = "none";

  /** Feeds typed text; returns the lines completed by Enter (with whether each was typed exactly). */
  feed(text: string): { line: string; exact: boolean }[] {
    const done: { line: string; exact: boolean }[] = [];
    for (const c of text) {
      if (this.#escape === "esc") {
        this.#escape = c === "[" ? "csi" : c === "O" ? "ss3" : "none";
        continue;
      }
      if (this.#escape === "csi") {
        if (c >= "@" && c <= "~") this.#escape = "none";
        continue;
      }
      if (this.#escape === "ss3") {
        this.#escape = "none";
        continue;
      }
      if (c === "\r" || c === "\n") {
        done.push({ line: this.#line, exact: this.#exact });
        this.#line = "";
        this.#exact = true;
      } else if (c === "\x7f" || c === "\b") {
        this.#line = [...this.#line].slice(0, -1).join("");
      } else if (c === "\x15" || c === "\x03") {
        this.#line = "";
        this.#exact = true;
      } else if (c === "\x17") {
        this.#line = this.#line.replace(/\S*\s*$/, "");
      } else if (c === "\x1b") {
        this.#escape = "esc";
        this.#exact = false;
      } else if (c < " ") {
        this.#exact = false;
      } else {
        this.#line += c;
      }
    }
    return done;
  }

  /** Forgets the line (after a meta-command was handled). */
  reset(): void {
    this.#line = "";
    this.#exact = true;
  }
}

/** A meta-command typed alone on a line, or null. */
export function parseMeta(
  line: string,
):
  | { name: "pause" | "resume" | "quit" | "abandon" | "help" }
  | { name: "note" | "submit"; text: string }
  | null {
  const m = /^\s*(pause|resume|quit|abandon|help|note|submit)(?:\s+(.*?))?\s*$/.exec(line);
  if (!m) return null;
  const name = m[1];
  if (name === "note") return m[2] ? { name, text: m[2] } : null;
  if (name === "submit") return { name, text: m[2] ?? "" };
  if (m[2] !== undefined) return null; // "pause now" is a shell command, not a meta-command
  return { name: name as "pause" | "resume" | "quit" | "abandon" | "help" };
}

/** The meta-commands, as shown to the person. */
export const META_HELP = [
  "baseline commands (type alone on a line):",
  "  pause            stop the clock (a break); the shell waits",
  "  resume           start the clock again",
  "  note <text>      add a note to the record",
  "  submit <answer>  submit <answer> and finish (plain `submit`: the file /home/agent/submission.txt)",
  "  quit             leave now; the baseline stays resumable (workbench baseline --resume <id>)",
  "  abandon          give up: the attempt is recorded as unsubmitted",
  "  help             this text",
].join("\n");

/** Runs one recorded session; resolves to how it ended. */
export async function runShellSession(options: ShellSessionOptions): Promise<SessionEnd> {
  const { journal } = options;
  const encoder = new TextEncoder();
  const write = options.write ?? ((bytes: Uint8Array) => {
    let offset = 0;
    while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
  });
  const say = (text: string) =>
    write(encoder.encode(`\r\n[baseline] ${text.replace(/\n/g, "\r\n[baseline] ")}\r\n`));
  const limit = options.observationLimit ?? 8000;
  const stdinIsTty = options.input === undefined && Deno.stdin.isTerminal();
  let rows = options.rows, cols = options.cols;
  if ((rows === undefined || cols === undefined) && Deno.stdout.isTerminal()) {
    try {
      const size = Deno.consoleSize();
      rows ??= size.rows;
      cols ??= size.columns;
    } catch { /* not a terminal after all */ }
  }
  const inner = options.shell;
  const commandLine = `stty rows ${rows ?? 40} cols ${cols ?? 120} 2>/dev/null; exec ${
    [inner.command, ...inner.args].map(shQuote).join(" ")
  }`;
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", commandLine, "/dev/null"],
    env: { ...inner.env, SHELL: "/bin/sh" },
    clearEnv: inner.clearEnv,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const toShell = child.stdin.getWriter();
  const send = (text: string) => toShell.write(encoder.encode(text)).catch(() => {});

  journal.append({ kind: "session", resumed: journal.entries.some((e) => e.kind === "session") });
  let index = options.nextIndex;
  let paused = false;
  let ended: SessionEnd | null = null;
  let pending = null as { index: number; output: string } | null; // the last action, collecting its output
  const tracker = new LineTracker();
  const pausedLine = new LineTracker();

  const flush = () => {
    if (!pending) return;
    let output = stripTerminal(pending.output);
    if (output.length > limit) output = output.slice(0, limit) + "\n[output truncated]";
    journal.append({ kind: "observation", index: pending.index, output });
    pending = null;
  };
  const ticker = setInterval(() => {
    if (!ended && !paused) journal.append({ kind: "tick" });
  }, TICK_MS);

  let finish!: (end: SessionEnd) => void;
  const finished = new Promise<SessionEnd>((resolve) => (finish = resolve));
  const end = (how: SessionEnd) => {
    if (ended) return;
    ended = how;
    finish(how);
  };

  // Output: shell → person, collected for the pending action.
  const outputDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      write(chunk);
      if (pending) pending.output += decoder.decode(chunk, { stream: true });
    }
  })().catch(() => {});
  child.status.then(() => {
    outputDone.then(() => end("shell_exited"));
  });

  const handleMeta = async (meta: NonNullable<ReturnType<typeof parseMeta>>): Promise<void> => {
    switch (meta.name) {
      case "help":
        say(META_HELP);
        break;
      case "pause":
        if (paused) say("already paused; type resume");
        else {
          journal.append({ kind: "pause" });
          paused = true;
          say("paused: the clock is stopped; type resume to go on");
        }
        break;
      case "resume":
        if (!paused) say("not paused");
        else {
          journal.append({ kind: "resume" });
          paused = false;
          say("resumed: the clock runs");
        }
        break;
      case "note":
        journal.append({ kind: "note", text: meta.text });
        say("note recorded");
        break;
      case "quit":
        journal.append({ kind: "detach", why: "quit" });
        say("left; the baseline is kept and can be resumed");
        end("quit");
        break;
      case "abandon":
        journal.append({ kind: "abandon" });
        say("abandoned: recorded as an attempt without a submission");
        end("abandoned");
        break;
      case "submit": {
        if (paused) {
          say("paused: resume before submitting");
          break;
        }
        const typed = meta.text !== "";
        say(typed ? "scoring your answer…" : "scoring /home/agent/submission.txt…");
        const stopped = Date.now();
        try {
          const result = await options.score(typed ? meta.text : undefined);
          journal.append({
            kind: "submit",
            t: stopped,
            submission: result.submission,
            from_file: !typed,
            score: result.score,
          });
          say(
            result.score === null
              ? "submitted; the task needs manual scoring"
              : `submitted. Score: ${result.score}`,
          );
          end("submitted");
        } catch (error) {
          say(`could not score: ${(error as Error).message}; nothing was submitted, the clock runs on`);
        }
        break;
      }
    }
  };

  const onSignal = () => {
    if (!ended) journal.append({ kind: "detach", why: "signal" });
    end("signal");
  };
  const signals = ["SIGHUP", "SIGTERM", "SIGINT"] as const;
  for (const s of signals) Deno.addSignalListener(s, onSignal);

  // Input: person → shell, line by line for the record.
  const input = options.input ?? Deno.stdin.readable;
  if (stdinIsTty) Deno.stdin.setRaw(true);
  const reader = input.getReader();
  const inputDone = (async () => {
    const decoder = new TextDecoder();
    while (!ended) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (paused) {
        // Nothing reaches the shell; the line is echoed here so the person sees it.
        write(encoder.encode(text.replace(/\r/g, "\r\n").replace(/\x7f/g, "\b \b")));
        for (const { line } of pausedLine.feed(text)) {
          const meta = parseMeta(line);
          if (meta && meta.name !== "submit") await handleMeta(meta);
          else say("paused: type resume (or note <text>, quit)");
          if (ended) break;
        }
        continue;
      }
      // Forward everything up to and including each Enter; a meta line's Enter becomes Ctrl-U + Enter.
      let rest = text;
      while (rest.length > 0 && !ended && !paused) {
        const enter = rest.search(/[\r\n]/);
        const piece = enter < 0 ? rest : rest.slice(0, enter + 1);
        rest = enter < 0 ? "" : rest.slice(enter + 1);
        const lines = tracker.feed(piece);
        if (lines.length === 0) {
          await send(piece);
          continue;
        }
        const { line, exact } = lines[0];
        const meta = exact ? parseMeta(line) : null;
        if (meta) {
          await send(piece.slice(0, -1) + "\x15");
          flush();
          await handleMeta(meta);
          if (!ended) await send("\r");
        } else {
          flush();
          if (line.trim() !== "") {
            journal.append({ kind: "action", index, command: line, exact });
            pending = { index, output: "" };
            index++;
          }
          await send(piece);
        }
      }
      if (paused && rest) {
        for (const { line } of pausedLine.feed(rest)) {
          const meta = parseMeta(line);
          if (meta && meta.name !== "submit") await handleMeta(meta);
        }
      }
    }
    if (!ended) {
      journal.append({ kind: "detach", why: "input closed" });
      end("input_closed");
    }
  })().catch((error) => {
    // The terminal went away mid-write (or the journal failed): end the session; what is journalled stays.
    if (!ended) {
      try {
        journal.append({ kind: "detach", why: `input error: ${(error as Error).message}` });
      } catch { /* nothing more can be kept */ }
      end("input_closed");
    }
  });

  const how = await finished;
  clearInterval(ticker);
  flush();
  if (how === "shell_exited") {
    journal.append({ kind: "detach", why: "the shell exited" });
  }
  for (const s of signals) Deno.removeSignalListener(s, onSignal);
  if (stdinIsTty) {
    try {
      Deno.stdin.setRaw(false);
    } catch { /* the terminal is gone */ }
  }
  await toShell.close().catch(() => {});
  try {
    child.kill("SIGTERM");
  } catch { /* already exited */ }
  await child.status;
  await reader.cancel().catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([inputDone, new Promise((r) => (timer = setTimeout(r, 1000)))]);
  clearTimeout(timer);
  return how;
}
