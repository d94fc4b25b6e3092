/**
 * A real HTTP server on 127.0.0.1 (port chosen by the OS) that plays a script of replies, one per
 * request, and records every request it received (path, headers, JSON body, arrival time). Replies can
 * inject HTTP errors with headers, bodies that are not JSON (truncated), and stalls that outlast the
 * client's request timeout (ended early when the server closes). Used by the provider tests; each provider's test supplies protocol-correct
 * success bodies.
 */

/** One scripted reply. */
export type Reply =
  | { status: number; body: unknown; headers?: Record<string, string> }
  /** A 200 whose body is the given raw text (e.g. truncated JSON). */
  | { raw: string; status?: number; headers?: Record<string, string> }
  /** Wait this long (or until the client goes away) before answering with `then`. */
  | { stallMs: number; then: Reply };

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** performance.now() at arrival. */
  at: number;
}

/** A running loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Stalls in progress; closing the server ends them so shutdown does not wait. */
type Stalls = Set<() => void>;

async function play(reply: Reply, stalls: Stalls): Promise<Response> {
  if ("stallMs" in reply) {
    await new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        stalls.delete(end);
        resolve();
      };
      const timer = setTimeout(end, reply.stallMs);
      stalls.add(end);
    });
    return play(reply.then, stalls);
  }
  if ("raw" in reply) {
    return new Response(reply.raw, {
      status: reply.status ?? 200,
      headers: { "content-type": "application/json", ...reply.headers },
    });
  }
  return new Response(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body), {
    status: reply.status,
    headers: { "content-type": "application/json", ...reply.headers },
  });
}

/** Start a server that answers request i with `script[i]` (the last reply repeats when the script runs out). */
export function startLoopbackServer(script: Reply[]): Promise<LoopbackServer> {
  const requests: SeenRequest[] = [];
  const stalls: Stalls = new Set();
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => {
        resolve({
          url: `http://127.0.0.1:${port}`,
          requests,
          close: async () => {
            for (const end of [...stalls]) end();
            await server.shutdown();
          },
        });
      },
    }, async (request) => {
      const at = performance.now();
      const text = await request.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        headers: Object.fromEntries(request.headers.entries()),
        body,
        at,
      });
      const reply = script[Math.min(requests.length - 1, script.length - 1)];
      return await play(reply, stalls);
    });
  });
}

/** Start a server playing `script`, run `fn` against it, and close the server afterwards (also when `fn` throws). */
export async function withLoopbackServer<T>(
  script: Reply[],
  fn: (server: LoopbackServer) => Promise<T>,
): Promise<T> {
  const server = await startLoopbackServer(script);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}
