/**
 * Benchmark: what the engine pool itself costs per cell, with two engines.
 *
 *   deno run -A bench/pool_overhead.ts [--n 20] [--execs 4] [--decisions 200000]
 *
 * 1. **Placement alone**: `chooseEngine` + slot bookkeeping for `--decisions` placements over 2 and over 50
 *    engines (µs per decision; no engine involved).
 * 2. **A cell's sandbox work, pooled vs direct**, on real containers: `--n` lifecycles (create, `--execs`
 *    commands, close) through an {@link EnginePool} of two engines and the same number straight through the
 *    docker driver, alternating (pool, direct, direct, pool, …) so both see the same machine load. The two
 *    engines are this machine's default engine reached through two clients: the pool's logic (placement,
 *    image check, the loss-racing wrapper, release) runs exactly as with two machines, and the engine work
 *    is the same on both sides. Reported: median wall time and the runner process's CPU time per lifecycle
 *    (user + system, from `process.cpuUsage`), pooled minus direct = the scheduler's overhead per cell
 *    (the periodic health check is off during this part).
 * 3. **The health check**: runner CPU per ping (it costs per engine and per interval, not per cell).
 *
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import Docker from "../lib/deps/dockerode.ts";
import { DockerDriver } from "../lib/sandbox/docker.ts";
import { ensureBaseImage } from "../lib/sandbox/image.ts";
import type { Sandbox, SandboxDriver } from "../lib/sandbox/types.ts";
import { chooseEngine, type EngineLoad, EnginePool, parsePoolConfig } from "../lib/sandbox/pool/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "20" },
    execs: { type: "string", default: "4" },
    decisions: { type: "string", default: "200000" },
  },
});
const n = Number(values.n), execs = Number(values.execs), decisions = Number(values.decisions);

function placementMicros(engineCount: number): number {
  const engines: EngineLoad[] = Array.from({ length: engineCount }, (_, i) => ({
    name: `e${i}`,
    up: true,
    capacity: 8,
    inFlight: 0,
    cpusInUse: 0,
    memoryGbInUse: 0,
    diskGbInUse: 0,
    resources: { cpus: 16, memoryGb: 64 },
    labels: {},
    placed: 0,
  }));
  const request = { cpus: 1, memoryGb: 2, diskGb: 2 };
  const held: EngineLoad[] = [];
  const t0 = performance.now();
  for (let i = 0; i < decisions; i++) {
    // Keep the pool about half full: place one, and free the oldest once half the slots are taken.
    const engine = chooseEngine(engines, request)!;
    engine.inFlight++;
    engine.placed++;
    engine.cpusInUse += 1;
    engine.memoryGbInUse += 2;
    held.push(engine);
    if (held.length > engineCount * 4) {
      const freed = held.shift()!;
      freed.inFlight--;
      freed.cpusInUse -= 1;
      freed.memoryGbInUse -= 2;
    }
  }
  return (performance.now() - t0) * 1000 / decisions;
}

async function lifecycle(driver: SandboxDriver): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sandbox: Sandbox = await driver.create({ label: "bench/pool", packages: [] });
  try {
    for (let i = 0; i < execs; i++) await sandbox.exec(["true"]);
  } finally {
    await sandbox.close();
  }
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`placement alone, ${decisions} decisions:`);
for (const count of [2, 50]) {
  console.log(`  ${count} engines: ${placementMicros(count).toFixed(2)} µs per decision`);
}

const socket = "/var/run/docker.sock";
await ensureBaseImage(new Docker({ socketPath: socket }), []);
const pool = await EnginePool.open(
  parsePoolConfig({
    engines: [
      { name: "one", address: `unix://${socket}`, capacity: 4 },
      { name: "two", address: `unix://${socket}`, capacity: 4 },
    ],
  }),
  // The periodic health check costs runner CPU per engine and per interval, not per cell: measured
  // separately below, and off here so the pooled lifecycles carry only the per-cell work.
  { monitor: false },
);
const direct = new DockerDriver({ docker: new Docker({ socketPath: socket }) });
// Warm-up: image checks, the orphan sweep, JIT.
await lifecycle(pool);
await lifecycle(direct);
const load0 = Deno.loadavg()[0];
const pooled: { wallMs: number; cpuMs: number }[] = [];
const plain: { wallMs: number; cpuMs: number }[] = [];
for (let i = 0; i < n; i++) {
  const order = i % 2 === 0 ? [pool, direct] : [direct, pool];
  for (const driver of order) (driver === pool ? pooled : plain).push(await lifecycle(driver));
}
await pool.close();
const load1 = Deno.loadavg()[0];
const row = (name: string, xs: { wallMs: number; cpuMs: number }[]) =>
  `  ${name}: wall median ${median(xs.map((x) => x.wallMs)).toFixed(1)} ms, runner CPU median ${
    median(xs.map((x) => x.cpuMs)).toFixed(2)
  } ms (mean ${(xs.reduce((s, x) => s + x.cpuMs, 0) / xs.length).toFixed(2)} ms)`;
console.log(
  `\nsandbox lifecycle (create, ${execs} execs, close), ${n} each, load ${load0.toFixed(1)} → ${
    load1.toFixed(1)
  }:`,
);
console.log(row("pool (2 engines)", pooled));
console.log(row("direct driver   ", plain));
const diffs = pooled.map((p, i) => p.cpuMs - plain[i].cpuMs);
const wallDiffs = pooled.map((p, i) => p.wallMs - plain[i].wallMs);
console.log(
  `  pooled − direct, paired medians: runner CPU ${median(diffs).toFixed(2)} ms, wall ${
    median(wallDiffs).toFixed(1)
  } ms per cell`,
);
console.log(`  placements: ${pool.status().map((s) => `${s.name} ${s.placed}`).join(", ")}`);

// The health check: one ping per engine per interval.
const pings = 200;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < pings; i++) await pool.checkNow();
const cpu = process.cpuUsage(cpu0);
console.log(
  `\nhealth check: ${((cpu.user + cpu.system) / 1000 / pings / 2).toFixed(2)} ms of runner CPU per ping ` +
    `(${((performance.now() - t0) / pings).toFixed(1)} ms per round of 2); at the default 2 s interval ` +
    `that is ${((cpu.user + cpu.system) / 1000 / pings / 2 / 2).toFixed(2)} ms of CPU per engine per second`,
);
