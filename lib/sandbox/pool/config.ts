/**
 * The engine pool's configuration (`engines.yaml`): each Docker engine an address Docker itself understands
 * (`unix:///path`, `tcp://host:port` with TLS certificate paths, `ssh://[user@]host[:port]`), how many
 * sandboxes it runs at once, optional labels, and the resources it offers to sandboxes. Validated with zod;
 * errors name the file, the entry and the field.
 *
 * ```yaml
 * engines:
 *   - name: big
 *     address: tcp://10.1.2.3:2376
 *     tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem }
 *     capacity: 16
 *     labels: { zone: a }
 *     resources: { cpus: 32, memoryGb: 128 }
 *   - { address: unix:///var/run/docker.sock, capacity: 2 }
 * health: { intervalMs: 2000, timeoutMs: 2000, failures: 2 }
 * ```
 *
 * @module
 */
import { z } from "../../deps/zod.ts";
import { parse as parseYaml } from "../../deps/yaml.ts";
import { dirname, join } from "../../util/path.ts";

/** Largest engines file read (it is a short list of engines). */
export const MAX_ENGINES_FILE_BYTES = 1024 * 1024;

/** An engine address: `unix:///abs/path`, `tcp://host:port`, or `ssh://[user@]host[:port]`. */
export const EngineAddress = z.string().superRefine((value, ctx) => {
  if (parseEngineAddress(value) === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not an engine address: expected unix:///absolute/path.sock, ` +
        "tcp://host:port or ssh://[user@]host[:port]",
    });
  }
});

/** An engine address, taken apart. */
export type ParsedAddress =
  | { protocol: "unix"; socketPath: string }
  | { protocol: "tcp"; host: string; port: number }
  | { protocol: "ssh"; host: string; port: number; username?: string };

/** Takes an engine address apart; undefined when it is not one of the three forms. */
export function parseEngineAddress(address: string): ParsedAddress | undefined {
  const unix = address.match(/^unix:\/\/(\/[^\0]*)$/);
  if (unix) return { protocol: "unix", socketPath: unix[1] };
  const tcp = address.match(/^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/);
  if (tcp && Number(tcp[2]) > 0 && Number(tcp[2]) < 65536) {
    return { protocol: "tcp", host: tcp[1].replace(/^\[|\]$/g, ""), port: Number(tcp[2]) };
  }
  const ssh = address.match(
    /^ssh:\/\/(?:([A-Za-z0-9._-]+)@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/,
  );
  if (ssh) {
    const port = ssh[3] ? Number(ssh[3]) : 22;
    if (port < 1 || port > 65535) return undefined;
    return { protocol: "ssh", host: ssh[2].replace(/^\[|\]$/g, ""), port, username: ssh[1] };
  }
  return undefined;
}

/** TLS client certificates of a `tcp://` engine (paths; relative ones are read from the file's folder). */
export const EngineTls = z.object({
  /** The CA certificate that signed the engine's certificate. */
  ca: z.string().min(1),
  /** This client's certificate. */
  cert: z.string().min(1),
  /** This client's private key. */
  key: z.string().min(1),
}).strict();
/** TLS client certificates of a `tcp://` engine. */
export type EngineTls = z.infer<typeof EngineTls>;

/**
 * What an engine offers to sandboxes at once. A sandbox is placed only where its declared resources (the
 * task's `resources`) fit beside the sandboxes already running there; an undeclared resource is not checked.
 */
export const EngineResources = z.object({
  /** CPUs the engine's sandboxes may use together (the sum of their CPU quotas). */
  cpus: z.number().positive().optional(),
  /** Memory in GB the engine's sandboxes may use together (the sum of their memory caps). */
  memoryGb: z.number().positive().optional(),
  /** Writable space in GB the engine's sandboxes may use together (the sum of their disk caps × 3 mounts). */
  diskGb: z.number().positive().optional(),
}).strict();
/** What an engine offers to sandboxes at once. */
export type EngineResources = z.infer<typeof EngineResources>;

/** One engine of the pool. */
export const EngineConfig = z.object({
  /** A short name for logs, run records and `deno task engines` (default: derived from the address). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "letters, digits, _ . - (at most 63)")
    .optional(),
  /** Where the engine listens (`unix://`, `tcp://`, `ssh://`). */
  address: EngineAddress,
  /** Most sandboxes this engine runs at once. */
  capacity: z.number().int().positive(),
  /** Free-form labels (shown by `deno task engines`; `requireLabels` of the pool selects engines by them). */
  labels: z.record(z.string(), z.string()).default({}),
  /** Resources the engine offers to sandboxes at once. */
  resources: EngineResources.default({}),
  /** Client certificates for a `tcp://` engine that requires TLS. */
  tls: EngineTls.optional(),
}).strict().superRefine((engine, ctx) => {
  if (engine.tls && !engine.address.startsWith("tcp://")) {
    ctx.addIssue({ code: "custom", path: ["tls"], message: "tls is only for tcp:// addresses" });
  }
});
/** One engine of the pool (as written). */
export type EngineConfigInput = z.input<typeof EngineConfig>;
/** One engine of the pool (validated). */
export type EngineConfig = z.infer<typeof EngineConfig> & { name: string };

/** How engines are watched. */
export const HealthConfig = z.object({
  /** Milliseconds between two pings of an engine. */
  intervalMs: z.number().int().positive().default(2000),
  /** A ping not answered within this many ms fails. */
  timeoutMs: z.number().int().positive().default(2000),
  /** Consecutive failed pings after which an engine is marked down. */
  failures: z.number().int().positive().default(2),
}).strict();
/** How engines are watched. */
export type HealthConfig = z.infer<typeof HealthConfig>;

/** The whole pool: engines and the health check's timing. */
export const PoolConfig = z.object({
  engines: z.array(EngineConfig).min(1, "at least one engine is needed"),
  health: HealthConfig.default({ intervalMs: 2000, timeoutMs: 2000, failures: 2 }),
}).strict().superRefine((config, ctx) => {
  const seen = new Map<string, number>();
  config.engines.forEach((engine, i) => {
    const name = engine.name ?? engineNameOf(engine.address);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["engines", i, "name"],
        message: `engine name "${name}" is also engines[${earlier}]'s; give each engine its own name`,
      });
    }
    seen.set(name, i);
  });
});
/** The whole pool (as written). */
export type PoolConfigInput = z.input<typeof PoolConfig>;
/** The whole pool (validated, every engine named). */
export interface ResolvedPoolConfig {
  engines: EngineConfig[];
  health: HealthConfig;
}

/** A name for an engine without one: its socket's file name, or host:port. */
export function engineNameOf(address: string): string {
  const parsed = parseEngineAddress(address);
  if (!parsed) return address;
  const raw = parsed.protocol === "unix"
    ? parsed.socketPath.split("/").filter(Boolean).pop()!.replace(/\.sock$/, "")
    : `${parsed.host}-${parsed.port}`;
  return raw.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "engine";
}

/** Formats a zod error as `where: field: message` lines. */
function issuesText(where: string, error: z.ZodError): string {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("")
      .replace(/^\./, "");
    return `${where}: ${path || "(top level)"}: ${issue.message}`;
  }).join("\n");
}

/**
 * Validates a pool configuration (an object, or a bare list of engines); relative TLS paths are resolved
 * against `baseDir`. Throws an error whose lines name `source`, the entry and the field.
 */
export function parsePoolConfig(value: unknown, source = "engines", baseDir?: string): ResolvedPoolConfig {
  const input = Array.isArray(value) ? { engines: value } : value;
  const parsed = PoolConfig.safeParse(input);
  if (!parsed.success) throw new Error(issuesText(source, parsed.error));
  const resolvePath = (p: string) => (baseDir && !p.startsWith("/") ? join(baseDir, p) : p);
  return {
    health: parsed.data.health,
    engines: parsed.data.engines.map((engine) => ({
      ...engine,
      name: engine.name ?? engineNameOf(engine.address),
      tls: engine.tls
        ? {
          ca: resolvePath(engine.tls.ca),
          cert: resolvePath(engine.tls.cert),
          key: resolvePath(engine.tls.key),
        }
        : undefined,
    })),
  };
}

/** Reads and validates an engines file (YAML or JSON, at most 1 MiB); errors name the file and field. */
export async function loadEnginesFile(path: string): Promise<ResolvedPoolConfig> {
  let text: string;
  try {
    const file = await Deno.open(path, { read: true });
    try {
      const info = await file.stat();
      if (!info.isFile) throw new Error("not a regular file");
      if (info.size > MAX_ENGINES_FILE_BYTES) {
        throw new Error(
          `${info.size} bytes, more than the ${MAX_ENGINES_FILE_BYTES} an engines file may have`,
        );
      }
      const bytes = new Uint8Array(info.size);
      let offset = 0;
      while (offset < bytes.length) {
        const n = await file.read(bytes.subarray(offset));
        if (n === null) break;
        offset += n;
      }
      text = new TextDecoder().decode(bytes.subarray(0, offset));
    } finally {
      file.close();
    }
  } catch (error) {
    throw new Error(`${path}: cannot read the engines file: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new Error(`${path}: not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  return parsePoolConfig(value, path, dirname(path));
}
