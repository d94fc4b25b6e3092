/**
 * The exec server (lib/sandbox/exec_server_script.ts) run as a host process with the real `perl`, talked to
 * through the real host-side connection (lib/sandbox/exec_server.ts): framing, concurrency, caps, privilege
 * drop, descriptors, the background-holder grace, shutdown at end of input, bad requests, and the container
 * wrapper's no-server frame. The docker driver's use of it is covered by the conformance and containment
 * suites (tests/sandbox/docker_test.ts, containment_test.ts).
 */
import assert from "node:assert/strict";
import {
  encodeFrame,
  encodeRunPayload,
  EXEC_SERVER_SOURCE,
  ExecServerConnection,
  FrameDecoder,
  GRACE_SECONDS,
  type ServerCommand,
  type ServerOutcome,
} from "../../lib/sandbox/exec_server.ts";
import { MAIN_COMMAND } from "../../lib/sandbox/docker.ts";
import { CappedOutput } from "../../lib/sandbox/output.ts";

const isRoot = Deno.uid() === 0;

interface Harness {
  connection: ExecServerConnection;
  child: Deno.ChildProcess;
  writeRaw(bytes: Uint8Array): Promise<void>;
  run(
    argv: string[],
    options?: Partial<ServerCommand>,
  ): Promise<{ outcome: ServerOutcome; stdout: CappedOutput; stderr: CappedOutput; ms: number }>;
  stop(): Promise<Deno.CommandStatus>;
}

/** Starts `argv` (default: the server under perl) with piped stdin/stdout and connects to it. */
function startServer(
  argv = ["perl", "-e", EXEC_SERVER_SOURCE, "evalkit-exec-server"],
  env?: Record<string, string>,
): Harness {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    ...(env ? { env, clearEnv: true } : {}),
  }).spawn();
  const writer = child.stdin.getWriter();
  let writes = Promise.resolve();
  const writeRaw = (bytes: Uint8Array) => writes = writes.then(() => writer.write(bytes));
  const connection = new ExecServerConnection({ write: (bytes) => void writeRaw(bytes) });
  const pump = (async () => {
    for await (const chunk of child.stdout) connection.receive(chunk);
    connection.lost("stdout ended");
  })();
  return {
    connection,
    child,
    writeRaw,
    async run(argv, options = {}) {
      const stdout = new CappedOutput(options.outputLimitBytes ?? 1 << 20);
      const stderr = new CappedOutput(options.outputLimitBytes ?? 1 << 20);
      assert.equal(await connection.ready, true, "the server said hello");
      const started = performance.now();
      const { done } = connection.run(
        {
          argv,
          uid: 0,
          gid: 0,
          cwd: "/",
          env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
          outputLimitBytes: 1 << 20,
          ...options,
        },
        stdout,
        stderr,
      );
      const outcome = await done;
      return { outcome, stdout, stderr, ms: performance.now() - started };
    },
    async stop() {
      await writes;
      await writer.close().catch(() => {});
      const status = await child.status;
      await pump;
      return status;
    },
  };
}

function exitOf(outcome: ServerOutcome): number {
  assert(outcome.kind === "exit", `not started: ${JSON.stringify(outcome)}`);
  return outcome.exitCode;
}

Deno.test("exec server: frames survive any split of the byte stream", () => {
  const frames = [
    encodeFrame("O", 7, new TextEncoder().encode("hello")),
    encodeFrame("X", 7, new TextEncoder().encode("0")),
    encodeFrame("H", 0),
  ];
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
  let offset = 0;
  for (const frame of frames) {
    bytes.set(frame, offset);
    offset += frame.byteLength;
  }
  for (let cut = 0; cut <= bytes.byteLength; cut++) {
    const decoder = new FrameDecoder();
    const got = [...decoder.push(bytes.slice(0, cut)), ...decoder.push(bytes.slice(cut))];
    assert.deepEqual(got.map((f) => `${f.type}${f.id}:${new TextDecoder().decode(f.payload)}`), [
      "O7:hello",
      "X7:0",
      "H0:",
    ]);
  }
});

Deno.test("exec server: a NUL byte in any field is refused before anything is sent", () => {
  const base: ServerCommand = { argv: ["true"], uid: 0, gid: 0, cwd: "/", env: {}, outputLimitBytes: 10 };
  assert.throws(() => encodeRunPayload({ ...base, argv: ["echo", "a\0b"] }), /NUL/);
  assert.throws(() => encodeRunPayload({ ...base, env: { A: "x\0y" } }), /NUL/);
  assert.throws(() => encodeRunPayload({ ...base, cwd: "/tmp\0/x" }), /NUL/);
  assert.throws(() => encodeRunPayload({ ...base, argv: [] }), /empty/);
});

Deno.test({
  name: "exec server: runs commands with argv, env, cwd, stdin and exit codes, concurrently",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = startServer();
    try {
      assert.deepEqual(await server.connection.ready, true);
      const basic = await server.run([
        "sh",
        "-c",
        'echo "$(pwd) $GREETING $0"; cat; echo oops >&2; exit 7',
        "a b",
      ], {
        cwd: "/tmp",
        env: { PATH: "/usr/bin:/bin", GREETING: "hello there" },
        stdin: new TextEncoder().encode("from stdin\n"),
      });
      assert.deepEqual(exitOf(basic.outcome), 7);
      assert.deepEqual(basic.stdout.text(), "/tmp hello there a b\nfrom stdin\n");
      assert.deepEqual(basic.stderr.text(), "oops\n");
      // The environment is exactly the request's: nothing of the server's (or the host's) leaks in.
      const env = await server.run(["env"], { env: { PATH: "/usr/bin:/bin", ONLY: "this" } });
      assert.deepEqual(env.stdout.text().split("\n").filter(Boolean).sort(), [
        "ONLY=this",
        "PATH=/usr/bin:/bin",
      ]);
      // Without stdin the command reads /dev/null; with 2 MB it gets every byte (non-blocking writes).
      assert.deepEqual((await server.run(["wc", "-c"])).stdout.text().trim(), "0");
      const big = new Uint8Array(2 * 1024 * 1024).map((_, i) => i % 251);
      const counted = await server.run(["sh", "-c", "wc -c; true"], { stdin: big });
      assert.deepEqual(counted.stdout.text().trim(), String(big.byteLength));
      // Twenty at once, each answered with its own output; a slow one does not hold up the others.
      const slow = server.run(["sh", "-c", "sleep 1.5; echo slow"]);
      const fast = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => server.run(["sh", "-c", `echo ${i}; echo e${i} >&2; exit ${i}`]),
        ),
      );
      fast.forEach((result, i) => {
        assert.deepEqual(exitOf(result.outcome), i);
        assert.deepEqual(result.stdout.text(), `${i}\n`);
        assert.deepEqual(result.stderr.text(), `e${i}\n`);
        assert(result.ms < 1_200, `command ${i} waited ${result.ms} ms behind the slow one`);
      });
      assert.deepEqual((await slow).stdout.text(), "slow\n");
      // Killed by a signal: 128 + signal, as the engine reports it.
      assert.deepEqual(exitOf((await server.run(["sh", "-c", "kill -9 $$"])).outcome), 137);
      // Not found and a missing cwd: non-zero with the reason on stderr.
      const missing = await server.run(["no-such-command-xyz"]);
      assert.deepEqual(exitOf(missing.outcome), 127);
      assert.match(missing.stderr.text(), /no-such-command-xyz: No such file or directory/);
      const noCwd = await server.run(["pwd"], { cwd: "/no/such/dir" });
      assert.deepEqual(exitOf(noCwd.outcome), 126);
      assert.match(noCwd.stderr.text(), /cannot change to \/no\/such\/dir/);
    } finally {
      assert.deepEqual((await server.stop()).code, 0);
    }
  },
});

Deno.test({
  name:
    "exec server: caps each stream at limit + 1 bytes inside, and a command gets only its own descriptors",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = startServer();
    try {
      const flood = await server.run(["sh", "-c", "head -c 3000000 /dev/zero; echo small >&2"], {
        outputLimitBytes: 10,
      });
      assert.deepEqual(exitOf(flood.outcome), 0);
      // The host kept 10 bytes and saw exactly one more: the other 2,999,989 never crossed the stream.
      assert.deepEqual(flood.stdout.seenBytes, 11);
      assert.deepEqual(flood.stdout.bytes().byteLength, 10);
      assert.deepEqual(flood.stderr.text(), "small\n");
      // Only 0, 1, 2 (and the directory `ls` opens): the server's stream is out of reach.
      const fds = await server.run(["sh", "-c", "ls /proc/self/fd"]);
      assert.deepEqual(fds.stdout.text().split("\n").filter(Boolean).sort(), ["0", "1", "2", "3"]);
      const links = await server.run(["sh", "-c", "readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2"]);
      const [stdin, stdout, stderr] = links.stdout.text().trim().split("\n");
      assert.deepEqual(stdin, "/dev/null");
      assert.match(stdout, /^pipe:/);
      assert.match(stderr, /^pipe:/);
      // Its own session, default signal dispositions, nothing blocked.
      const status = await server.run([
        "bash",
        "-c",
        'set -- $(ps -o sid= -p $$); [ "$1" = "$$" ] && echo leader; read -r _ i < <(grep ^SigIgn /proc/self/status); read -r _ b < <(grep ^SigBlk /proc/self/status); echo $((0x$i & 0x7fffffff)) $((0x$b))',
      ]);
      assert.deepEqual(
        status.stdout.text(),
        "leader\n0 0\n",
      );
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "exec server: drops to the requested uid and gid before changing directory",
  ignore: !isRoot,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = startServer();
    try {
      const nobody = await server.run(
        [
          "sh",
          "-c",
          'echo "$(id -G)"; grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapAmb):" /proc/$$/status',
        ],
        { uid: 65534, gid: 65534 },
      );
      // Real, effective, saved and filesystem ids all 65534, one group, no capability of any kind.
      assert.deepEqual(
        nobody.stdout.text().replaceAll("\t", " "),
        [
          "65534",
          "Uid: 65534 65534 65534 65534",
          "Gid: 65534 65534 65534 65534",
          "Groups: 65534 ",
          "CapInh: 0000000000000000",
          "CapPrm: 0000000000000000",
          "CapEff: 0000000000000000",
          "CapAmb: 0000000000000000",
          "",
        ].join("\n"),
      );
      // /root is closed to uid 65534: the directory change happens as the target user, so it fails.
      const closed = await server.run(["pwd"], { uid: 65534, gid: 65534, cwd: "/root" });
      assert.deepEqual(exitOf(closed.outcome), 126);
      assert.match(closed.stderr.text(), /cannot change to \/root: Permission denied/);
      const root = await server.run(["sh", "-c", 'echo "$(id -u):$(id -G)"'], { cwd: "/root" });
      assert.deepEqual(root.stdout.text(), "0:0\n");
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "exec server: a background process holding the output delays the exit report by the grace period only",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = startServer();
    try {
      const detached = await server.run(["sh", "-c", "sleep 30 >/dev/null 2>&1 & echo hi"]);
      assert.deepEqual(detached.stdout.text(), "hi\n");
      assert(detached.ms < 1_000, `a detached background process held the exec for ${detached.ms} ms`);
      const holder = await server.run(["sh", "-c", "sleep 30 & echo hi"]);
      assert.deepEqual(exitOf(holder.outcome), 0);
      assert.deepEqual(holder.stdout.text(), "hi\n");
      assert(holder.ms < (GRACE_SECONDS + 1.5) * 1000, `held for ${holder.ms} ms`);
      await server.run(["pkill", "-f", "^sleep 30$"]);
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "exec server: end of input kills running commands and exits; a lost stream fails waiting commands",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = startServer();
    const tag = `${Date.now() % 100000}.25`;
    const running = server.run(["sh", "-c", `exec sleep ${tag}`]);
    running.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ps = () => new Deno.Command("pgrep", { args: ["-f", `^sleep ${tag}$`] }).output();
    assert.deepEqual((await ps()).code, 0, "the command is running");
    assert.deepEqual((await server.stop()).code, 0);
    await assert.rejects(() => running, /stdout ended/);
    assert.deepEqual((await ps()).code, 1, "the command outlived the server");
    assert.throws(
      () =>
        server.connection.run(
          { argv: ["true"], uid: 0, gid: 0, cwd: "/", env: {}, outputLimitBytes: 1 },
          new CappedOutput(1),
          new CappedOutput(1),
        ),
      /not up/,
    );
  },
});

Deno.test({
  name: "exec server: malformed requests are answered as not started, and the server goes on",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // Raw frames the host side would never send, and the server's raw replies.
    const child = new Deno.Command("perl", {
      args: ["-e", EXEC_SERVER_SOURCE, "evalkit-exec-server"],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    const request = (fields: string[]) => {
      const header = new TextEncoder().encode(fields.join("\0"));
      const payload = new Uint8Array(4 + header.byteLength);
      new DataView(payload.buffer).setUint32(0, header.byteLength);
      payload.set(header, 4);
      return payload;
    };
    await writer.write(encodeFrame("R", 1, request(["x", "0", "/", "10", "0", "1", "true", "0"])));
    await writer.write(encodeFrame("R", 2, request(["0", "0", "relative", "10", "0", "1", "true", "0"])));
    await writer.write(encodeFrame("R", 3, request(["0", "0", "/", "10", "0", "5", "true", "0"])));
    await writer.write(encodeFrame("R", 4, new Uint8Array([0, 0, 0, 99])));
    await writer.write(encodeFrame("R", 5, request(["0", "0", "/", "10", "0", "2", "echo", "alive", "0"])));
    const decoder = new FrameDecoder();
    const replies: string[] = [];
    for await (const chunk of child.stdout) {
      for (const frame of decoder.push(chunk)) {
        replies.push(`${frame.type}${frame.id} ${new TextDecoder().decode(frame.payload)}`);
      }
      if (replies.some((reply) => reply.startsWith("X5"))) break;
    }
    await writer.close();
    assert.deepEqual((await child.status).code, 0);
    assert.deepEqual(replies, [
      "H0 evalkit-exec-server 1",
      "F1 bad request: bad uid",
      "F2 bad request: bad cwd",
      "F3 bad request: bad fields",
      "F4 bad request: bad header length",
      "O5 alive\n",
      "X5 0",
    ]);
  },
});

Deno.test({
  name: "exec server: the container's main command says 'no server' when the image has no perl",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const bin = await Deno.makeTempDir({ prefix: "evalkit-noperl-" });
    try {
      const cat = new TextDecoder().decode(
        (await new Deno.Command("sh", { args: ["-c", "command -v cat"] }).output()).stdout,
      ).trim();
      await Deno.symlink(cat, `${bin}/cat`);
      const sh = new TextDecoder().decode(
        (await new Deno.Command("sh", { args: ["-c", "command -v sh"] }).output()).stdout,
      ).trim();
      const server = startServer([sh, ...MAIN_COMMAND.slice(1)], { PATH: bin });
      assert.deepEqual(await server.connection.ready, false);
      assert.deepEqual(server.connection.up, false);
      assert.deepEqual((await server.stop()).code, 0, "cat ends at end of input");
      // And with perl on the PATH the same command starts the server.
      const real = startServer([sh, ...MAIN_COMMAND.slice(1)], { PATH: "/usr/bin:/bin" });
      assert.deepEqual(await real.connection.ready, true);
      assert.deepEqual((await real.run(["echo", "served"])).stdout.text(), "served\n");
      await real.stop();
    } finally {
      await Deno.remove(bin, { recursive: true });
    }
  },
});
