/**
 * The engine pool without extra engines: the engines file (zod; errors name the file, entry and field),
 * the placement rule, typed infrastructure errors and their classification, the `engines` command, and a
 * pool of two "engines" that are both this machine's default engine (real containers): one sandbox per
 * slot, a third waits for a free slot, a task no engine can hold is refused, and every run records its
 * engine.
 */
import assert from "node:assert/strict";
import { join } from "../../lib/util/path.ts";
import {
  chooseEngine,
  EngineDownError,
  type EngineLoad,
  engineNameOf,
  EnginePool,
  isInfrastructureError,
  loadEnginesFile,
  neverFits,
  parseEngineAddress,
  parsePoolConfig,
  PooledSandbox,
  SandboxPlacementError,
} from "../../lib/sandbox/pool/mod.ts";
import { classifyError } from "../../lib/run/cell_outcome.ts";
import { TaskHookError } from "../../lib/task/errors.ts";
import { dockerEngineReachable } from "../../lib/sandbox/docker.ts";
import { main as enginesMain } from "../../lib/cli/engines.ts";
import { main as evalMain } from "../../lib/cli/eval.ts";
import { inProcess } from "../cli/_in_process.ts";

const reachable = await dockerEngineReachable();
const ignoreDocker = !reachable && Deno.env.get("CI") !== "true";

Deno.test("engines file: the three address forms, derived names, TLS paths resolved against the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-pool-config-" });
  try {
    const file = join(dir, "engines.yaml");
    await Deno.writeTextFile(
      file,
      `engines:
  - address: unix:///var/run/docker.sock
    capacity: 2
  - name: gpu-box
    address: tcp://10.0.0.5:2376
    tls: { ca: certs/ca.pem, cert: /abs/cert.pem, key: certs/key.pem }
    capacity: 8
    labels: { gpu: "1" }
    resources: { cpus: 16, memoryGb: 64 }
  - address: ssh://eval@builder.internal:2222
    capacity: 4
health: { intervalMs: 500 }
`,
    );
    const config = await loadEnginesFile(file);
    assert.deepEqual(config.engines.map((e) => e.name), ["docker", "gpu-box", "builder.internal-2222"]);
    assert.deepEqual(config.engines[1].tls, {
      ca: join(dir, "certs/ca.pem"),
      cert: "/abs/cert.pem",
      key: join(dir, "certs/key.pem"),
    });
    assert.deepEqual(config.engines[1].resources, { cpus: 16, memoryGb: 64 });
    assert.deepEqual(config.health, { intervalMs: 500, timeoutMs: 2000, failures: 2 });
    assert.deepEqual(parseEngineAddress("ssh://eval@builder.internal:2222"), {
      protocol: "ssh",
      host: "builder.internal",
      port: 2222,
      username: "eval",
    });
    assert.deepEqual(parseEngineAddress("tcp://[::1]:2375"), { protocol: "tcp", host: "::1", port: 2375 });
    assert.equal(parseEngineAddress("tcp://host"), undefined);
    assert.equal(parseEngineAddress("unix://relative.sock"), undefined);
    assert.equal(engineNameOf("unix:///tmp/x/b.sock"), "b");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("engines file: errors name the file, the entry and the field", async () => {
  const bad = (value: unknown) => {
    try {
      parsePoolConfig(value, "engines.yaml");
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail("accepted");
  };
  assert.match(
    bad({ engines: [{ address: "http://x:1", capacity: 1 }] }),
    /^engines\.yaml: engines\[0\]\.address: /,
  );
  assert.match(bad([{ address: "unix:///a.sock", capacity: 0 }]), /engines\[0\]\.capacity: Too small/);
  assert.match(
    bad([{ address: "unix:///a.sock", capacity: 1, tls: { ca: "a", cert: "b", key: "c" } }]),
    /engines\[0\]\.tls: tls is only for tcp:\/\/ addresses/,
  );
  assert.match(
    bad([{ address: "unix:///a.sock", capacity: 1 }, { address: "unix:///b/a.sock", capacity: 1 }]),
    /engines\[1\]\.name: engine name "a" is also engines\[0\]'s/,
  );
  assert.match(
    bad([{ address: "unix:///a.sock", capacity: 1, capacty: 2 }]),
    /engines\[0\]: Unrecognized key/,
  );
  assert.match(bad({ engines: [] }), /engines: at least one engine is needed/);
  await assert.rejects(
    loadEnginesFile("/nonexistent/engines.yaml"),
    /\/nonexistent\/engines\.yaml: cannot read/,
  );
});

const load = (over: Partial<EngineLoad> & { name: string }): EngineLoad => ({
  up: true,
  capacity: 2,
  inFlight: 0,
  cpusInUse: 0,
  memoryGbInUse: 0,
  diskGbInUse: 0,
  resources: {},
  labels: {},
  placed: 0,
  ...over,
});

Deno.test("placement: most free slots first, declared resources and labels respected, down engines skipped", () => {
  const request = { cpus: 1, memoryGb: 2, diskGb: 2 };
  const a = load({ name: "a", inFlight: 1 });
  const b = load({ name: "b", capacity: 4, inFlight: 2 });
  assert.equal(chooseEngine([a, b], request)?.name, "b"); // 2 free against 1
  b.up = false;
  assert.equal(chooseEngine([a, b], request)?.name, "a");
  a.inFlight = 2;
  assert.equal(chooseEngine([a, b], request), undefined); // full, or down
  // Ties: the larger free share, then fewer placed so far, then the name.
  const c = load({ name: "c", placed: 5 }), d = load({ name: "d", placed: 3 });
  assert.equal(chooseEngine([c, d], request)?.name, "d");
  // Memory is summed over the sandboxes already there.
  const small = load({ name: "small", resources: { memoryGb: 4 }, memoryGbInUse: 3 });
  const big = load({ name: "big", resources: { memoryGb: 64 }, inFlight: 1 });
  assert.equal(chooseEngine([small, big], request)?.name, "big");
  assert.equal(chooseEngine([small], request), undefined);
  assert.equal(neverFits(small, { ...request, memoryGb: 8 }), "small offers 4 GB of memory < 8");
  // Labels.
  const gpu = load({ name: "gpu", labels: { gpu: "1" }, inFlight: 1 });
  assert.equal(chooseEngine([big, gpu], { ...request, labels: { gpu: "1" } })?.name, "gpu");
  assert.equal(neverFits(big, { ...request, labels: { gpu: "1" } }), "big lacks label gpu=1");
});

Deno.test("infrastructure errors are typed and classified as infra, also as the cause of a hook failure", () => {
  const lost = new EngineDownError("b", "connect ECONNREFUSED");
  assert.ok(isInfrastructureError(lost));
  assert.equal(classifyError(lost, "agent"), "infra");
  const hook = new TaskHookError("fam/task", "setup", "threw: engine b stopped answering", { cause: lost });
  assert.equal(classifyError(hook, "setup"), "infra");
  assert.equal(classifyError(new TaskHookError("fam/task", "setup", "threw: bad"), "setup"), "task");
  assert.ok(!isInfrastructureError(new Error("x")));
});

Deno.test("engines command: a bad file is a usage error; an engine that does not answer exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-pool-cli-" });
  try {
    await Deno.writeTextFile(`${dir}/bad.yaml`, "engines:\n  - { address: tcp://x, capacity: 1 }\n");
    const bad = await inProcess(enginesMain, ["--engines", `${dir}/bad.yaml`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml: engines\[0\]\.address/);
    await Deno.writeTextFile(
      `${dir}/down.yaml`,
      `engines:\n  - { name: gone, address: unix://${dir}/no.sock, capacity: 3 }\n`,
    );
    const down = await inProcess(enginesMain, [
      "--engines",
      `${dir}/down.yaml`,
      "--json",
      "--timeout-ms",
      "500",
    ]);
    assert.equal(down.code, 1);
    const report = JSON.parse(down.stdout.trim());
    assert.equal(report.name, "gone");
    assert.equal(report.up, false);
    assert.equal(report.capacity, 3);
    assert.match(report.error, /ENOENT|ECONNREFUSED/);
    const evalBad = await inProcess(evalMain, [
      "--model",
      "simulated/30",
      "--engines",
      `${dir}/down.yaml`,
      "--sandbox",
      "local",
    ]);
    assert.equal(evalBad.code, 2);
    assert.match(evalBad.stderr, /--engines needs --sandbox docker/);
    await assert.rejects(
      EnginePool.open(parsePoolConfig([{ address: `unix://${dir}/no.sock`, capacity: 1 }])),
      /no engine of the pool answers/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "pool on the default engine twice: one sandbox per slot, a third waits, a task too big is refused",
  ignore: ignoreDocker,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const config = parsePoolConfig({
      engines: [
        { name: "one", address: "unix:///var/run/docker.sock", capacity: 1, resources: { memoryGb: 8 } },
        { name: "two", address: "unix:///var/run/docker.sock", capacity: 1, resources: { memoryGb: 8 } },
      ],
    });
    const pool = await EnginePool.open(config, { monitor: false });
    const open: PooledSandbox[] = [];
    try {
      await assert.rejects(pool.create({ label: "too/big", memoryGb: 16 }), (e: Error) => {
        assert.ok(e instanceof SandboxPlacementError);
        assert.match(e.message, /too\/big: one offers 8 GB of memory < 16; two offers 8 GB of memory < 16/);
        return true;
      });
      open.push(await pool.create({ label: "pool/first", memoryGb: 1 }));
      open.push(await pool.create({ label: "pool/second", memoryGb: 1 }));
      assert.deepEqual(open.map((s) => s.engine).sort(), ["one", "two"]);
      assert.deepEqual(pool.status().map((s) => [s.name, s.inFlight, s.open]), [["one", 1, 1], [
        "two",
        1,
        1,
      ]]);
      assert.equal((await open[0].exec("echo hi")).stdout, "hi\n");
      let thirdPlaced = false;
      const third = pool.create({ label: "pool/third", memoryGb: 1 }).then((s) => {
        thirdPlaced = true;
        return s;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(thirdPlaced, false, "the third waits for a free slot");
      const freed = open.shift()!;
      await freed.close();
      open.push(await third);
      assert.equal(open.at(-1)!.engine, freed.engine, "it takes the slot that was freed");
      assert.equal((await open.at(-1)!.exec("id -u")).stdout.trim(), "1000");
    } finally {
      await Promise.all(open.map((s) => s.close()));
      await pool.close();
    }
    assert.deepEqual(pool.status().map((s) => s.inFlight), [0, 0]);
  },
});

Deno.test({
  name: "eval --engines: the grid is spread over the pool's engines and every run records its engine",
  ignore: ignoreDocker,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-pool-eval-" });
    try {
      await Deno.writeTextFile(
        `${dir}/engines.yaml`,
        "engines:\n" +
          "  - { name: one, address: unix:///var/run/docker.sock, capacity: 1 }\n" +
          "  - { name: two, address: unix:///var/run/docker.sock, capacity: 1 }\n",
      );
      const result = await inProcess(evalMain, [
        "--engines",
        `${dir}/engines.yaml`,
        "--tasks",
        "mystery_function/affine",
        "--model",
        "simulated/30",
        "--variants",
        "basic",
        "--epochs",
        "4",
        "--log",
        `${dir}/runs`,
        "--progress",
        "none",
        "--json",
      ]);
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.stdout);
      assert.equal(summary.counts.ok + summary.counts.limit, 4);
      assert.match(result.stderr, /engine one: up, 2 sandbox\(es\) placed/);
      assert.match(result.stderr, /engine two: up, 2 sandbox\(es\) placed/);
      const ends = (await Deno.readTextFile(summary.logPath)).split("\n").filter((l) =>
        l.startsWith('{"type":"cell_end"')
      )
        .map((l) => JSON.parse(l));
      assert.equal(ends.length, 4);
      assert.deepEqual(ends.map((e) => e.engine).sort(), ["one", "one", "two", "two"]);
      assert.deepEqual(result.signalListeners, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
