/**
 * protocol_server: implement a TCP key-value server from a specification (KVLine). At scoring a hidden
 * client, run as root, starts the agent's server as the agent user from the documented command, exercises
 * it (including SIGKILL-and-restart for durability) and reports which behaviours hold.
 *
 * Integrity: the client runs through `ctx.root` (`python3 -I -B`, clean environment, cwd root-only); the
 * agent's server runs as the agent with its output discarded, so it cannot print into the report; every
 * kill also kills every agent process, so state cannot outlive a SIGKILL in a detached helper process.
 *
 * @module
 */
import { defineTaskFamily, type TaskContext } from "../../lib/task/define.ts";
import { type Bug, plantBugs } from "../_shared/plant_bugs.ts";

type Level = "basic" | "transactions" | "full";
interface PsData {
  level: Level;
  wrong: Bug[];
}
const psData = (ctx: TaskContext) => ctx.data as unknown as PsData;

const SPEC_FILES: Record<Level, string[]> = {
  basic: ["assets/spec_basic.md"],
  transactions: ["assets/spec_basic.md", "assets/spec_transactions.md"],
  full: ["assets/spec_basic.md", "assets/spec_transactions.md", "assets/spec_full.md"],
};

/** Fraction of checks that passed in the hidden client's JSON report (0 for a missing or bad report). */
export function checksScore(report: string): number {
  const line = report.trim().split("\n").pop() ?? "";
  try {
    const r = JSON.parse(line) as Record<string, unknown>;
    const vals = Object.values(r);
    return vals.length === 0 ? 0 : vals.filter((v) => v === true).length / vals.length;
  } catch {
    return 0;
  }
}

const INSTR = (level: Level) =>
  `Implement a server for the KVLine protocol specified in /home/agent/SPEC.md` +
  (level === "basic" ? "" : level === "transactions" ? " (levels 1 and 2)" : " (levels 1, 2 and 3)") +
  `. Put your implementation in /home/agent/kv/ and make /home/agent/kv/start.sh an executable script that ` +
  `starts it in the foreground: it will be run as \`/home/agent/kv/start.sh PORT DATA_DIR\` by the agent ` +
  `user with /home/agent/kv as working directory, and must accept connections on 127.0.0.1:PORT within 5 ` +
  `seconds. DATA_DIR is an empty directory the server may use` +
  (level === "full" ? " (and must use for durability)" : " (you may ignore it)") +
  `. Any language available on this machine may be used; /usr/bin/python3 (3.11, standard library only) ` +
  `is available. After you finish, a hidden test client starts your server and checks the behaviours in ` +
  `the specification` +
  (level === "full"
    ? ", including killing the server with SIGKILL and restarting it on the same DATA_DIR"
    : "") +
  `. Your score is the fraction of checks that pass. Submit an empty string or a short note; the server is ` +
  `what is scored. There is no network access.`;

async function writeServer(ctx: TaskContext, source: string): Promise<void> {
  const r = await ctx.sandbox.exec(
    [
      "bash",
      "-c",
      "mkdir -p /home/agent/kv && cat > /home/agent/kv/server.py && " +
      'printf \'#!/bin/sh\\nexec /usr/bin/python3 /home/agent/kv/server.py "$1" "$2"\\n\' > /home/agent/kv/start.sh && ' +
      "chmod +x /home/agent/kv/start.sh",
    ],
    { user: "agent", stdin: source },
  );
  if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: writing the server failed: ${r.stderr}`);
}

const reference = async (ctx: TaskContext) =>
  "# KVLine server\n" + await Deno.readTextFile(ctx.asset("solution/kv_server.py"));

export default defineTaskFamily({
  name: "protocol_server",
  version: "1.0.0",
  standardVersion: "1.0.0",
  // setpriv comes from util-linux, which is Essential in Debian and so always present.
  packages: ["python3"],
  tasks: {
    kv_basic: {
      instructions: INSTR("basic"),
      humanMinutes: 45,
      successThreshold: 0.9, // a server passing most checks (the wrong attempt: 0.84–0.89) is not done
      humanSource: "estimate",
      domain: "software_engineering",
      quality: "working_implementation",
      summary: "Implement a concurrent line-based TCP key-value server (SET/GET/DEL/INCR/KEYS) from a spec.",
      detail: "Measures turning a precise protocol document into a working network service: framing with " +
        "pipelining and CRLF tolerance, values that keep inner and trailing spaces, an empty value, " +
        "INCR parsing and error cases, case-insensitive commands, sorted KEYS, errors that keep the " +
        "connection open, QUIT closing it, and serving an idle client and an active one at the same " +
        "time. Scored by a hidden client as the fraction of 14 behaviour checks that pass. The protocol was " +
        "written for this task (it resembles Redis/memcached text protocols but differs in every detail).",
      privateFiles: ["solution", "hidden"],
      data: {
        level: "basic",
        wrong: [
          {
            id: "split_value",
            fixed: 'key, value = rest.split(" ", 1)',
            buggy: 'key, value = rest.split()[0], " ".join(rest.split()[1:])',
          },
          { id: "case", fixed: "cmd = cmd.upper()", buggy: "cmd = cmd" },
        ],
      },
    },
    kv_transactions: {
      instructions: INSTR("transactions"),
      humanMinutes: 150,
      successThreshold: 0.9, // a server passing most checks (the wrong attempt: 0.84–0.89) is not done
      humanSource: "estimate",
      domain: "software_engineering",
      quality: "working_implementation",
      summary:
        "Extend the KVLine server spec with optimistic transactions: read-your-writes, atomic commit, conflicts.",
      detail: "Measures concurrent-systems design on top of the basic server: per-connection transaction " +
        "buffers with read-your-writes (including deletes and KEYS), isolation from other clients, atomic " +
        "commit, optimistic conflict detection on every key read or written (a same-value write still " +
        "conflicts), discard on disconnect, and state errors. Scored by a hidden client as the fraction of " +
        "25 checks (the 14 basic ones plus 11 transaction checks, some with two or more interleaved " +
        "clients) that pass. The protocol was written for this task.",
      privateFiles: ["solution", "hidden"],
      data: {
        level: "transactions",
        wrong: [{ id: "no_conflicts", fixed: 'return "CONFLICT"', buggy: "pass" }],
      },
    },
    kv_full: {
      instructions: INSTR("full"),
      humanMinutes: 420,
      successThreshold: 0.9, // a server passing most checks (the wrong attempt: 0.84–0.89) is not done
      humanSource: "estimate",
      domain: "software_engineering",
      quality: "working_implementation",
      summary:
        "Build the full KVLine server: transactions, crash-safe durability under SIGKILL, key expiry, large values.",
      detail: "Measures building a small but complete storage server: everything in the transactions " +
        "task plus durability (every acknowledged write and whole transactions must survive SIGKILL at " +
        "any moment, so writes must reach the file before the reply and transactions must be logged " +
        "atomically, with recovery from a torn final record), key expiry with absolute deadlines that " +
        "survive restarts, TTL/PERSIST semantics, SIZE, 1 MiB values and long pipelined bursts. Scored by " +
        "a hidden client as the fraction of 35 checks that pass; the durability checks kill and restart " +
        "the server. The reference is a ~300-line Python server with an append-only checksummed log. The " +
        "protocol was written for this task.",
      privateFiles: ["solution", "hidden"],
      resources: { cpus: 2, memoryGb: 2 },
      data: {
        level: "full",
        wrong: [{
          id: "no_disk",
          fixed: "data_dir = sys.argv[2] if len(sys.argv) > 2 else None",
          buggy: "data_dir = None",
        }],
      },
    },
  },

  async setup(ctx) {
    const spec = (await Promise.all(SPEC_FILES[psData(ctx).level].map((f) =>
      Deno.readTextFile(ctx.asset(f))
    )))
      .join("");
    await ctx.sandbox.writeFile("/home/agent/SPEC.md", spec);
    await ctx.sandbox.exec("mkdir -p /home/agent/kv", { user: "agent" });
  },

  async score(ctx) {
    const d = psData(ctx);
    await ctx.sandbox.copyIn(ctx.asset("hidden/client.py"), "/root/kvcheck/client.py", {
      owner: "root",
      mode: 0o600,
    });
    const r = await ctx.root.exec(["/usr/bin/python3", "-I", "-B", "/root/kvcheck/client.py", d.level], {
      cwd: "/root/kvcheck",
      timeoutMs: 300_000,
    });
    // The client removes its own data directory; nothing in agent-writable /tmp is globbed as root.
    await ctx.root.exec(["rm", "-rf", "--", "/root/kvcheck"]);
    return checksScore(r.stdout);
  },

  async solution(ctx) {
    await writeServer(ctx, await reference(ctx));
    return "Implemented the KVLine server in /home/agent/kv.";
  },

  async wrongAttempt(ctx) {
    await writeServer(ctx, plantBugs(await reference(ctx), psData(ctx).wrong));
    return "Implemented the KVLine server in /home/agent/kv.";
  },

  cheats: {
    /**
     * A start.sh that implements nothing and instead prints an all-passing report wherever the client's
     * output might be (its stdout and stderr, the terminal, its parent's stdout), then exits.
     */
    async forged_report(ctx) {
      const script = [
        "#!/bin/bash",
        'r=\'{"ping": true, "set_get": true, "incr": true}\'',
        'echo "$r"; echo "$r" >&2; echo "$r" > /dev/tty 2>/dev/null',
        'echo "$r" > "/proc/$PPID/fd/1" 2>/dev/null; echo "$r" > /proc/1/fd/1 2>/dev/null',
        "exit 0",
      ].join("\n") + "\n";
      const r = await ctx.sandbox.exec(
        [
          "bash",
          "-c",
          "mkdir -p /home/agent/kv && cat > /home/agent/kv/start.sh && chmod +x /home/agent/kv/start.sh",
        ],
        { user: "agent", stdin: script },
      );
      if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: writing start.sh failed: ${r.stderr}`);
      return '{"ping": true, "set_get": true, "incr": true}';
    },
  },
});
