/**
 * `deno task engines` — the Docker engines a grid can use: each engine's health (ping round trip, or why
 * it does not answer), capacity, the evalkit sandboxes running on it, and the evalkit images it has.
 *
 * ```sh
 * deno task engines --engines engines.yaml        # a pool (docs/scale.md)
 * deno task engines                               # this machine's engine (DOCKER_HOST or the socket)
 * deno task engines --engines engines.yaml --json
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import type Docker from "../deps/dockerode.ts";
import { dockerEndpoint } from "../sandbox/docker.ts";
import { defaultConcurrency } from "../run/pool.ts";
import {
  engineClient,
  loadEnginesFile,
  parsePoolConfig,
  pingEngine,
  type ResolvedPoolConfig,
} from "../sandbox/pool/mod.ts";
import { formatTable } from "../util/table.ts";
import { CliExit, withExitCode } from "./args.ts";

const USAGE = `usage: deno task engines [--engines <engines.yaml>] [--timeout-ms N] [--json]

  --engines <file>   the pool's engines file (default: this machine's engine, DOCKER_HOST or the socket,
                     with a capacity of one sandbox per core)
  --timeout-ms N     how long to wait for each engine's answers (default 3000)
  --json             one JSON object per engine instead of a table

Exit code 0 when every engine answers, 1 when one does not, 2 for bad arguments.`;

/** What `deno task engines` reports about one engine. */
export interface EngineReport {
  name: string;
  address: string;
  up: boolean;
  pingMs: number | null;
  error: string | null;
  capacity: number;
  labels: Record<string, string>;
  resources: Record<string, number | undefined>;
  /** Engine version, when it answers. */
  version: string | null;
  /** evalkit containers running on the engine (all hosts). */
  runningSandboxes: number | null;
  /** Of those, the ones whose owner is on this host. */
  runningHere: number | null;
  /** Stopped evalkit containers (leftovers the next start's sweep removes). */
  stoppedSandboxes: number | null;
  /** evalkit images (base and family) on the engine. */
  images: { tag: string; sizeMb: number }[] | null;
}

function fail(message: string): never {
  throw new CliExit(2, `error: ${message}\n(deno task engines --help shows every option)`);
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks one engine for its health, sandboxes and images. Never throws: a failure is reported as down. */
export async function inspectEngine(
  engine: ResolvedPoolConfig["engines"][number],
  timeoutMs: number,
): Promise<EngineReport> {
  const report: EngineReport = {
    name: engine.name,
    address: engine.address,
    up: false,
    pingMs: null,
    error: null,
    capacity: engine.capacity,
    labels: engine.labels,
    resources: engine.resources,
    version: null,
    runningSandboxes: null,
    runningHere: null,
    stoppedSandboxes: null,
    images: null,
  };
  let docker: Docker;
  try {
    docker = engineClient(engine);
    report.pingMs = Math.round(await pingEngine(docker, timeoutMs) * 10) / 10;
    report.up = true;
  } catch (error) {
    report.error = (error as Error).message.split("\n")[0];
    return report;
  }
  try {
    const [version, containers, images]: [
      Docker.DockerVersion,
      Docker.ContainerInfo[],
      Docker.ImageInfo[],
    ] = await withDeadline(
      Promise.all([
        docker.version(),
        docker.listContainers({ all: true, filters: JSON.stringify({ label: ["evalkit=1"] }) }),
        docker.listImages(),
      ]),
      timeoutMs,
      "listing containers and images",
    );
    report.version = version.Version ?? null;
    const running = containers.filter((c) => c.State === "running");
    report.runningSandboxes = running.length;
    report.runningHere = running.filter((c) => c.Labels?.["evalkit.host"] === Deno.hostname()).length;
    report.stoppedSandboxes = containers.length - running.length;
    report.images = images.flatMap((image) =>
      (image.RepoTags ?? []).filter((tag: string) => /^evalkit-(base|family):/.test(tag)).map((
        tag: string,
      ) => ({
        tag,
        sizeMb: Math.round(image.Size / 1e5) / 10,
      }))
    ).sort((x, y) => x.tag.localeCompare(y.tag));
  } catch (error) {
    report.error = (error as Error).message.split("\n")[0];
  }
  return report;
}

/** Runs `deno task engines` with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return withExitCode(() => enginesCommand(args));
}

async function enginesCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        engines: { type: "string" },
        "timeout-ms": { type: "string", default: "3000" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const timeoutMs = Number(v["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) fail(`--timeout-ms must be a positive integer`);
  let config: ResolvedPoolConfig;
  try {
    config = v.engines === undefined
      ? parsePoolConfig(
        [{ name: "local", address: dockerEndpoint(), capacity: defaultConcurrency() }],
        "DOCKER_HOST",
      )
      : await loadEnginesFile(v.engines);
  } catch (e) {
    fail((e as Error).message);
  }
  const reports = await Promise.all(config.engines.map((engine) => inspectEngine(engine, timeoutMs)));
  if (v.json) {
    for (const report of reports) console.log(JSON.stringify(report));
  } else {
    console.log(formatTable(reports.map((r) => ({
      engine: r.name,
      address: r.address,
      health: r.up ? `up ${r.pingMs} ms` : "DOWN",
      version: r.version ?? "",
      capacity: r.capacity,
      running: r.runningSandboxes ?? "",
      "running (this host)": r.runningHere ?? "",
      stopped: r.stoppedSandboxes ?? "",
      images: r.images
        ? `${r.images.length} (${r.images.reduce((n, i) => n + i.sizeMb, 0).toFixed(0)} MB)`
        : "",
      labels: Object.entries(r.labels).map(([k, x]) => `${k}=${x}`).join(","),
      resources: Object.entries(r.resources).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}=${x}`)
        .join(","),
    }))));
    for (const r of reports) {
      if (r.error) console.log(`${r.name}: ${r.error}`);
      else if (r.images?.length) console.log(`${r.name} images: ${r.images.map((i) => i.tag).join(" ")}`);
    }
  }
  return reports.every((r) => r.up) ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
