/**
 * Time to start + score + destroy one task environment, per sandbox driver (median of N, default 20).
 *
 * One iteration: create a sandbox → write the instructions (agent-owned) and a scoring script (root-only) →
 * run a trivial scoring exec as root → close. The docker driver's base image is built (or found) once
 * before timing, as on a machine that has run any task before.
 *
 * Usage: deno run -A bench/sandbox_lifecycle.ts [--driver local|docker|all] [--n 20] [--exec-server on|off]
 *
 * `--exec-server off` runs every command the driver's other way (local: the host chain; docker: one engine
 * exec each), for a comparison with the exec server (the default).
 */
import { createSandboxDriver, dockerEngineReachable, type SandboxDriverName } from "../lib/sandbox/mod.ts";

const PACKAGES = ["python3"];

function argument(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 && Deno.args[index + 1] ? Deno.args[index + 1] : fallback;
}

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

async function lifecycle(
  name: SandboxDriverName,
): Promise<{ total: number; start: number; score: number; destroy: number }> {
  const driver = await createSandboxDriver(name);
  const t0 = performance.now();
  const sandbox = await driver.create({ label: "bench/lifecycle", packages: PACKAGES });
  const t1 = performance.now();
  let t2 = t1;
  try {
    await sandbox.writeFile("/home/agent/instructions.txt", "Write the answer to /home/agent/answer.txt\n");
    await sandbox.writeFile(
      "/root/score.py",
      "import pathlib\np = pathlib.Path('/home/agent/answer.txt')\nprint(1.0 if p.exists() else 0.0)\n",
      { owner: "root", mode: 0o600 },
    );
    const result = await sandbox.exec(["python3", "/root/score.py"], { user: "root", timeoutMs: 60_000 });
    if (result.exitCode !== 0 || result.stdout.trim() !== "0.0") {
      throw new Error(`scoring failed: exit ${result.exitCode} ${result.stdout} ${result.stderr}`);
    }
    t2 = performance.now();
  } finally {
    await sandbox.close();
  }
  const t3 = performance.now();
  return { total: t3 - t0, start: t1 - t0, score: t2 - t1, destroy: t3 - t2 };
}

const n = Number(argument("n", "20"));
const execServer = argument("exec-server", "on");
if (execServer !== "on" && execServer !== "off") throw new TypeError("--exec-server: expected on or off");
Deno.env.set("EVALKIT_EXEC_SERVER", execServer);
const which = argument("driver", "all");
const drivers: SandboxDriverName[] = which === "all" ? ["local", "docker"] : [which as SandboxDriverName];
console.log(
  `sandbox lifecycle (start → write instructions → score → destroy), median of ${n}, exec server ${execServer}`,
);
console.log(
  `cpu: ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}, load average ${
    Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")
  }`,
);
for (const name of drivers) {
  if (name === "docker" && !(await dockerEngineReachable())) {
    console.log("docker: skipped (no engine reachable)");
    continue;
  }
  await lifecycle(name); // warm-up (and, for docker, the image build)
  const runs: { total: number; start: number; score: number; destroy: number }[] = [];
  for (let i = 0; i < n; i++) runs.push(await lifecycle(name));
  const stat = (key: "total" | "start" | "score" | "destroy") => {
    const values = runs.map((run) => run[key]).sort((a, b) => a - b);
    return `median ${quantile(values, 0.5).toFixed(1)} ms (p10 ${quantile(values, 0.1).toFixed(1)}, p90 ${
      quantile(values, 0.9).toFixed(1)
    })`;
  };
  console.log(
    `${name}: total ${stat("total")}; start ${stat("start")}; write+score ${stat("score")}; destroy ${
      stat("destroy")
    }`,
  );
}
