/**
 * A loopback HTTP server that speaks the OpenAI chat-completions protocol and answers from a script, so the
 * scaffold tests go through the real provider code (lib/model/openai.ts) — no fake client objects.
 */
import type { CreateModelOptions } from "../../lib/model/registry.ts";

/** One scripted assistant choice. */
export interface ScriptedChoice {
  content?: string;
  /** Tool calls; `arguments` is sent as given when a string (to test malformed JSON), else stringified. */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> | string }>;
}

/** The request body the server received (the parts the tests look at). */
export interface ReceivedRequest {
  model: string;
  messages: Array<{ role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string } }>;
  n?: number;
  temperature?: number;
}

/** What the script returns for one request: choices, optional usage, optional delay or HTTP error. */
export interface ScriptedReply {
  choices: ScriptedChoice[];
  usage?: { prompt_tokens: number; completion_tokens: number };
  delayMs?: number;
  status?: number;
}

/** A running scripted server. */
export interface ScriptedServer {
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Options for `createModel("openai/<name>", options)`. */
  modelOptions: CreateModelOptions;
  close(): Promise<void>;
}

/** Wait `ms`, or less if the client gives up on the request (so closing the server never waits for it). */
function delayUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Start a scripted server; `script(request, index)` decides each reply. */
export function startScriptedServer(
  script: (request: ReceivedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>,
): ScriptedServer {
  const requests: ReceivedRequest[] = [];
  let calls = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
      return new Response("not found", { status: 404 });
    }
    if (req.headers.get("authorization") !== "Bearer test-key") {
      return Response.json({ error: { message: "bad key" } }, { status: 401 });
    }
    const body = await req.json() as ReceivedRequest;
    requests.push(body);
    const index = calls++;
    const reply = await script(body, index);
    if (reply.delayMs) await delayUnlessAborted(reply.delayMs, req.signal);
    if (reply.status && reply.status !== 200) {
      return Response.json({ error: { message: "scripted failure" } }, { status: reply.status });
    }
    const usage = reply.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
    return Response.json({
      id: `chatcmpl-${index}`,
      object: "chat.completion",
      created: 0,
      model: body.model,
      choices: reply.choices.map((c, i) => ({
        index: i,
        finish_reason: c.toolCalls?.length ? "tool_calls" : "stop",
        message: {
          role: "assistant",
          content: c.content ?? null,
          ...(c.toolCalls?.length
            ? {
              tool_calls: c.toolCalls.map((t, j) => ({
                id: `call_${index}_${i}_${j}`,
                type: "function",
                function: {
                  name: t.name,
                  arguments: typeof t.arguments === "string" ? t.arguments : JSON.stringify(t.arguments),
                },
              })),
            }
            : {}),
        },
      })),
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  });
  const addr = server.addr as Deno.NetAddr;
  const baseUrl = `http://127.0.0.1:${addr.port}/v1`;
  return {
    baseUrl,
    requests,
    modelOptions: {
      baseUrl,
      apiKey: "test-key",
      retry: { maxRetries: 0, baseDelayMs: 1, requestTimeoutMs: 20_000 },
    },
    close: () => server.shutdown(),
  };
}

/** Text of the last message of a request with the given role. */
export function lastOfRole(request: ReceivedRequest, role: string): string {
  const m = request.messages.filter((m) => m.role === role).at(-1);
  return m?.content ?? "";
}
