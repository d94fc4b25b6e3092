/**
 * The host side of the exec server ({@link EXEC_SERVER_SOURCE}): the framing of requests and replies, and a
 * connection that multiplexes concurrent commands over one byte stream (a docker sandbox's attached main
 * process). One command costs a fork inside the sandbox instead of an engine exec (a `runc exec`, 60–90 ms on
 * this project's machine, much of it compiling the seccomp profile again).
 *
 * The connection trusts nothing but the server: a command's processes never hold the server's stream (see
 * the script), so every frame comes from the server itself. Requests are checked here before they are sent:
 * no field may contain a NUL byte (the request's fields are NUL-separated, and no argv or environment entry
 * of a real process can contain one).
 *
 * @module
 */
import { type RunRequest, type RunResult, SandboxGoneError } from "./base.ts";
import { AGENT_UID } from "./types.ts";
import { CappedOutput } from "./output.ts";
import { waitOrKill } from "./timeout.ts";

export { EXEC_SERVER_SOURCE, GRACE_SECONDS } from "./exec_server_script.ts";

/** Bytes before a frame's payload: type (1), request id (4), payload length (4). */
export const FRAME_HEADER_BYTES = 9;

/** One frame of the protocol. */
export interface Frame {
  /** `R` run, `C` cancel (host → server); `H` hello, `O` stdout, `E` stderr, `X` exit, `F` not started. */
  type: string;
  /** The request the frame belongs to (0 for the hello). */
  id: number;
  /** The frame's bytes after its header. */
  payload: Uint8Array;
}

/** One command for the server. */
export interface ServerCommand {
  /** The command and its arguments (the first is looked up on the environment's PATH). */
  argv: string[];
  /** The user id it runs as. */
  uid: number;
  /** The group id it runs as (also its only supplementary group). */
  gid: number;
  /** Its working directory (absolute), entered as that user. */
  cwd: string;
  /** The complete environment. */
  env: Record<string, string>;
  /** Bytes for the command's stdin; without it stdin is `/dev/null`. */
  stdin?: Uint8Array;
  /** Bytes the server forwards per stream beyond which it only counts (it sends `limit + 1` at most). */
  outputLimitBytes: number;
}

/** How a command sent to the server ended. */
export type ServerOutcome =
  | { kind: "exit"; exitCode: number }
  /** The server could not start it (a failed fork at the process limit, …); nothing ran. */
  | { kind: "not-started"; reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One frame as bytes. */
export function encodeFrame(type: string, id: number, payload: Uint8Array = new Uint8Array()): Uint8Array {
  if (type.length !== 1) throw new TypeError(`frame type must be one character, got ${JSON.stringify(type)}`);
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  out[0] = type.charCodeAt(0);
  view.setUint32(1, id);
  view.setUint32(5, payload.byteLength);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

function checkField(what: string, value: string): string {
  if (value.includes("\0")) {
    throw new TypeError(`exec: ${what} contains a NUL byte: ${JSON.stringify(value)}`);
  }
  return value;
}

/** The payload of an `R` frame for `command` (throws a TypeError on a NUL byte in any field). */
export function encodeRunPayload(command: ServerCommand): Uint8Array {
  if (command.argv.length === 0) throw new TypeError("exec: empty command array");
  const env = Object.entries(command.env).map(([key, value]) => checkField("environment", `${key}=${value}`));
  const limit = Number.isFinite(command.outputLimitBytes)
    ? Math.max(0, Math.floor(command.outputLimitBytes))
    : -1;
  const fields = [
    String(command.uid),
    String(command.gid),
    checkField("cwd", command.cwd),
    String(limit),
    command.stdin === undefined ? "0" : "1",
    String(command.argv.length),
    ...command.argv.map((arg) => checkField("argument", arg)),
    String(env.length),
    ...env,
  ];
  const header = encoder.encode(fields.join("\0"));
  const stdin = command.stdin ?? new Uint8Array();
  const out = new Uint8Array(4 + header.byteLength + stdin.byteLength);
  new DataView(out.buffer).setUint32(0, header.byteLength);
  out.set(header, 4);
  out.set(stdin, 4 + header.byteLength);
  return out;
}

/** Splits a byte stream into frames; keeps a partial frame until the rest arrives. */
export class FrameDecoder {
  #buffer = new Uint8Array(0);

  /** Adds bytes and returns every frame completed by them. */
  push(chunk: Uint8Array): Frame[] {
    const joined = new Uint8Array(this.#buffer.byteLength + chunk.byteLength);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.byteLength);
    const frames: Frame[] = [];
    let offset = 0;
    const view = new DataView(joined.buffer);
    while (joined.byteLength - offset >= FRAME_HEADER_BYTES) {
      const length = view.getUint32(offset + 5);
      if (joined.byteLength - offset - FRAME_HEADER_BYTES < length) break;
      frames.push({
        type: String.fromCharCode(joined[offset]),
        id: view.getUint32(offset + 1),
        payload: joined.slice(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length),
      });
      offset += FRAME_HEADER_BYTES + length;
    }
    this.#buffer = joined.slice(offset);
    return frames;
  }
}

interface Pending {
  stdout: CappedOutput;
  stderr: CappedOutput;
  resolve: (outcome: ServerOutcome) => void;
  reject: (error: Error) => void;
}

/** What a connection needs from its stream. */
export interface ServerStream {
  /** Sends bytes to the server. */
  write(bytes: Uint8Array): void;
}

/**
 * One exec server's connection. Feed it the server's output with {@link ExecServerConnection.receive} and
 * tell it when the stream ends ({@link ExecServerConnection.lost}); {@link ExecServerConnection.ready} says
 * whether a server answered (`false` when the sandbox has none, e.g. an image without perl).
 */
export class ExecServerConnection {
  readonly #stream: ServerStream;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** A timer that keeps this program alive while a command waits (the stream itself does not). */
  #keepAlive?: ReturnType<typeof setInterval>;
  #state: "starting" | "up" | "absent" | "lost" = "starting";
  #lostReason = "";
  #settleReady!: (up: boolean) => void;
  /** Resolves true once the server said hello; false when the sandbox has no server or the stream ended first. */
  readonly ready: Promise<boolean>;

  /** A connection writing to `stream`. */
  constructor(stream: ServerStream) {
    this.#stream = stream;
    this.ready = new Promise((resolve) => this.#settleReady = resolve);
  }

  /** True while the server is up and the stream open. */
  get up(): boolean {
    return this.#state === "up";
  }

  /** Handles bytes the server wrote. */
  receive(chunk: Uint8Array): void {
    for (const frame of this.#decoder.push(chunk)) this.#handle(frame);
  }

  #handle(frame: Frame): void {
    if (frame.type === "H") {
      if (this.#state === "starting") this.#state = "up";
      this.#settleReady(this.#state === "up");
      return;
    }
    if (frame.type === "N") {
      if (this.#state === "starting") this.#state = "absent";
      this.#settleReady(false);
      return;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return; // a command the host gave up on (timed out): its late frames are dropped
    if (frame.type === "O") pending.stdout.push(frame.payload);
    else if (frame.type === "E") pending.stderr.push(frame.payload);
    else if (frame.type === "X" || frame.type === "F") {
      this.#finish(frame.id);
      pending.resolve(
        frame.type === "X"
          ? { kind: "exit", exitCode: Number(decoder.decode(frame.payload)) }
          : { kind: "not-started", reason: decoder.decode(frame.payload) },
      );
    }
  }

  #finish(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#idle();
  }

  #idle(): void {
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  /**
   * The stream ended (the server or its sandbox is gone): every waiting command settles with what
   * `settle(reason)` returns (an error rejects it, an outcome resolves it), and later ones are refused.
   */
  lost(reason: string, settle: (reason: string) => Error | ServerOutcome = (why) => new Error(why)): void {
    if (this.#state === "lost") return;
    this.#state = "lost";
    this.#lostReason = reason;
    this.#settleReady(false);
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    this.#idle();
    for (const pending of waiting) {
      const end = settle(reason);
      if (end instanceof Error) pending.reject(end);
      else pending.resolve(end);
    }
  }

  /**
   * Starts `command`; its output goes into `stdout` and `stderr`. `done` settles with how it ended (rejects
   * when the stream is lost first); `cancel` stops waiting for it (its later output is dropped; killing its
   * processes is the caller's job).
   */
  run(
    command: ServerCommand,
    stdout: CappedOutput,
    stderr: CappedOutput,
  ): { done: Promise<ServerOutcome>; cancel: () => void } {
    if (this.#state !== "up") {
      throw new Error(`the exec server is not up (${this.#lostReason || this.#state})`);
    }
    const payload = encodeRunPayload(command);
    const id = this.#nextId++;
    const done = new Promise<ServerOutcome>((resolve, reject) => {
      this.#keepAlive ??= setInterval(() => {}, 3_600_000);
      this.#pending.set(id, { stdout, stderr, resolve, reject });
    });
    this.#stream.write(encodeFrame("R", id, payload));
    const cancel = () => {
      if (!this.#pending.has(id)) return;
      this.#finish(id);
      if (this.#state === "up") this.#stream.write(encodeFrame("C", id));
    };
    return { done, cancel };
  }
}

/**
 * Whether drivers start an exec server by default: yes, unless `EVALKIT_EXEC_SERVER` is `off` (or `0`,
 * `false`), an escape hatch that makes every command take the driver's other way.
 */
export function execServerDefault(): boolean {
  let value: string | undefined;
  try {
    value = Deno.env.get("EVALKIT_EXEC_SERVER");
  } catch {
    return true; // no permission to read the environment: the default
  }
  return !/^(off|0|false|no)$/i.test(value?.trim() ?? "");
}

/** How long a command waits for a starting exec server's hello before running the driver's other way. */
export const SERVER_HELLO_MS = 10_000;

/** Whether `server` is up (waits for its hello at most {@link SERVER_HELLO_MS}). */
export async function serverReady(server: ExecServerConnection): Promise<boolean> {
  if (server.up) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), SERVER_HELLO_MS));
  try {
    return await Promise.race([server.ready, late]) && server.up;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How a driver settles the commands still waiting when its server's stream ends: as killed (137) when the
 * owner is closing the sandbox (the engine exec path reports them so too), else with SandboxGoneError (the
 * sandbox died underneath them). For {@link ExecServerConnection.lost}.
 */
export function settleLost(
  sandboxId: string,
  closing: () => boolean,
): (reason: string) => Error | ServerOutcome {
  return (reason) => closing() ? { kind: "exit", exitCode: 137 } : new SandboxGoneError(sandboxId, reason);
}

/**
 * Runs one driver request through `server` as its user (the agent's uid/gid or root's), with the same
 * time limit as every other way of running a command: at the limit `killTree` runs (the driver's
 * process-tree kill) and the result is `timedOut` with exit code 137. Returns `undefined` when the server is not up or could not start the
 * command (nothing ran: the caller runs it its other way); rejects when the stream is lost meanwhile.
 */
export async function runThroughServer(
  server: ExecServerConnection,
  request: RunRequest,
  killTree: () => Promise<void>,
): Promise<RunResult | undefined> {
  if (!server.up) return undefined;
  const uid = request.user === "agent" ? AGENT_UID : 0;
  const stdout = new CappedOutput(request.outputLimitBytes);
  const stderr = new CappedOutput(request.outputLimitBytes);
  let outcome: ServerOutcome | undefined;
  const { done, cancel } = server.run(
    {
      argv: request.argv,
      uid,
      gid: uid,
      cwd: request.cwd,
      env: request.env,
      stdin: request.stdin,
      outputLimitBytes: request.outputLimitBytes,
    },
    stdout,
    stderr,
  );
  const finished = done.then((value) => outcome = value);
  const timedOut = await waitOrKill(finished, request.timeoutMs, killTree);
  if (timedOut) {
    cancel();
    return { exitCode: 137, stdout, stderr, timedOut };
  }
  if (!outcome || outcome.kind === "not-started") return undefined;
  return { exitCode: outcome.exitCode, stdout, stderr, timedOut };
}
