/**
 * The viewer's HTTP server: a plain `Deno.serve` bound to 127.0.0.1 that serves the page and a JSON API —
 * `GET /api/facets`, `GET /api/runs?offset&limit&task&alias&model&score_min&score_max&limit_hit&error&failed&reviewed`
 * (filtered and paged on the server), `GET /api/run/<id>` and `POST /api/run/<id>/tags` (a review, appended
 * to the log's tags file). Query strings and bodies are validated with zod (a bad one → 400 with the
 * problem). Requests whose Host is not a loopback name are refused (DNS rebinding), and a POST must be JSON
 * from the page's own origin (no cross-site form posts).
 *
 * @module
 */
import { pageRuns, queryProblem, RunQuery } from "./filter.ts";
import type { ViewData } from "./data.ts";
import { applyResolvedTags, ReviewBody, reviewRecord, type TagStore } from "./review.ts";
import { facetsOf, runDetail } from "./api.ts";
import { PAGE_CSS, PAGE_HTML } from "./page_html.ts";
import { PAGE_JS } from "./page_js.ts";

/** Options of {@link viewHandler}. */
export interface ViewHandlerOptions {
  /** Default reviewer name for reviews whose body names none. */
  reviewer?: string;
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function reply(body: string, type: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": type, ...SECURITY_HEADERS } });
}

function json(value: unknown, status = 200): Response {
  return reply(
    JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
    "application/json; charset=utf-8",
    status,
  );
}

const problem = (status: number, error: string) => json({ error }, status);

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The request's Host without its port, lower-cased. */
function hostName(host: string): string {
  return host.toLowerCase().replace(/:\d+$/, "");
}

/** The host of an `Origin` header, or null when it has none (`null`, malformed). */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host || null;
  } catch {
    return null;
  }
}

/** Request handler of the viewer over `data`, with reviews appended through `store`. */
export function viewHandler(
  data: ViewData,
  store: TagStore,
  options: ViewHandlerOptions = {},
): (req: Request) => Promise<Response> {
  const facets = facetsOf(data, store.file, true, options.reviewer);
  const refresh = async () => {
    if (await store.refresh()) applyResolvedTags(data.runs, store.resolved);
  };
  return async (req: Request): Promise<Response> => {
    const host = req.headers.get("host") ?? "";
    if (!LOOPBACK.has(hostName(host))) return problem(403, `host ${host} is not served (loopback only)`);
    const url = new URL(req.url);
    const path = url.pathname;
    try {
      if (req.method === "GET") {
        if (path === "/" || path === "/index.html") return reply(PAGE_HTML, "text/html; charset=utf-8");
        if (path === "/app.js") return reply(PAGE_JS, "text/javascript; charset=utf-8");
        if (path === "/app.css") return reply(PAGE_CSS, "text/css; charset=utf-8");
        if (path === "/data.js") return reply("window.EVALKIT_STATIC = null;\n", "text/javascript");
        if (path === "/api/facets") return json(facets);
        if (path === "/api/runs") {
          const q = RunQuery.safeParse(Object.fromEntries(url.searchParams));
          if (!q.success) return problem(400, `bad query: ${queryProblem(q.error)}`);
          await refresh();
          return json(pageRuns(data.runs, q.data));
        }
        if (path.startsWith("/api/run/")) {
          const id = decodeURIComponent(path.slice("/api/run/".length));
          await refresh();
          const detail = await runDetail(data, store, id);
          return detail ? json(detail) : problem(404, `no run "${id}" in ${data.path}`);
        }
        return problem(404, `no such page: ${path}`);
      }
      if (req.method === "POST" && path.startsWith("/api/run/") && path.endsWith("/tags")) {
        const origin = req.headers.get("origin");
        if (origin !== null && originHost(origin) !== host) {
          return problem(403, `cross-origin POST from ${origin} refused`);
        }
        if (!(req.headers.get("content-type") ?? "").startsWith("application/json")) {
          return problem(415, "a review is sent as application/json");
        }
        const id = decodeURIComponent(path.slice("/api/run/".length, -"/tags".length));
        const i = data.index.get(id);
        if (i === undefined) return problem(404, `no run "${id}" in ${data.path}`);
        if (!data.runs[i].failed) {
          return problem(409, `run "${id}" did not fail: only failed runs are reviewed`);
        }
        let raw: unknown;
        try {
          raw = await req.json();
        } catch (e) {
          return problem(400, `body is not JSON: ${(e as Error).message}`);
        }
        const body = ReviewBody.safeParse(raw);
        if (!body.success) return problem(400, `bad review: ${queryProblem(body.error)}`);
        const reviewer = body.data.reviewer ?? options.reviewer;
        if (!reviewer) {
          return problem(400, "bad review: reviewer: required (or start the viewer with --reviewer)");
        }
        const tag = reviewRecord(id, body.data, reviewer);
        await store.append(tag);
        applyResolvedTags(data.runs, store.resolved);
        return json({ tag, file: store.file }, 201);
      }
      return problem(405, `${req.method} ${path} is not supported`);
    } catch (e) {
      if (e instanceof URIError) return problem(400, `bad run id in ${path}: ${e.message}`);
      return problem(500, (e as Error).message);
    }
  };
}

/** A running viewer. */
export interface RunningView {
  url: string;
  port: number;
  server: Deno.HttpServer<Deno.NetAddr>;
}

/** Serves the viewer on 127.0.0.1 (`port` 0 = any free port). */
export async function serveView(
  data: ViewData,
  store: TagStore,
  options: ViewHandlerOptions & { port?: number; signal?: AbortSignal } = {},
): Promise<RunningView> {
  await store.refresh();
  applyResolvedTags(data.runs, store.resolved);
  const handler = viewHandler(data, store, options);
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: options.signal,
    onListen: () => {},
  }, handler);
  const port = server.addr.port;
  return { url: `http://127.0.0.1:${port}/`, port, server };
}
