/**
 * dockerode clients for engine addresses, and a ping with a deadline.
 *
 * @module
 */
import Docker from "../../deps/dockerode.ts";
import { type EngineConfig, parseEngineAddress } from "./config.ts";

/**
 * A dockerode client bound to one engine: a unix socket, `tcp://` (with the engine's TLS client certificates
 * when given, read now so a missing file is named at once), or `ssh://` (the ssh agent at `SSH_AUTH_SOCK`
 * authenticates; the remote user needs access to the engine's socket).
 */
export function engineClient(engine: Pick<EngineConfig, "name" | "address" | "tls">): Docker {
  const address = parseEngineAddress(engine.address);
  if (!address) throw new Error(`engine ${engine.name}: "${engine.address}" is not an engine address`);
  if (address.protocol === "unix") return new Docker({ socketPath: address.socketPath });
  if (address.protocol === "tcp") {
    if (!engine.tls) return new Docker({ host: address.host, port: address.port, protocol: "http" });
    const read = (field: "ca" | "cert" | "key") => {
      const path = engine.tls![field];
      try {
        return Deno.readTextFileSync(path);
      } catch (error) {
        throw new Error(`engine ${engine.name}: tls.${field} ${path}: ${(error as Error).message}`);
      }
    };
    return new Docker({
      host: address.host,
      port: address.port,
      protocol: "https",
      ca: read("ca"),
      cert: read("cert"),
      key: read("key"),
    });
  }
  const agent = Deno.env.get("SSH_AUTH_SOCK");
  return new Docker({
    protocol: "ssh",
    host: address.host,
    port: address.port,
    username: address.username,
    ...(agent ? { sshOptions: { agent } } : {}),
  } as Docker.DockerOptions);
}

/** Pings the engine; resolves to the round trip in ms, or rejects (also after `timeoutMs` without answer). */
export async function pingEngine(docker: Docker, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to a ping within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - t0;
}

/** One line of an error, for records and messages. */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].slice(0, 300);
}
