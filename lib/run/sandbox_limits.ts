/**
 * Sandbox resource limits in the runner: which limit (memory, disk, processes) a sandbox has hit, as the
 * run's typed limit reason, and how the agent's processes are stopped after a process limit so that scoring
 * can still run in the sandbox.
 *
 * @module
 */
import type { LimitKind } from "../core/run_outcome.ts";
import type { Sandbox, SandboxLimitKind } from "../sandbox/types.ts";
import { LimitExceededError } from "../agent/types.ts";

/** Which limit is reported when several were hit at once: the one most likely to have caused the others. */
const PRIORITY: SandboxLimitKind[] = ["processes", "memory", "disk"];

/** Text of each limit for notes and errors. */
const DESCRIPTION: Record<SandboxLimitKind, string> = {
  memory: "the sandbox ran out of memory (the OOM killer ran)",
  processes: "the sandbox reached its process limit (a fork failed)",
  disk: "a writable filesystem of the sandbox is full",
};

/** The first limit of `hit` in priority order, or undefined. */
export function primaryLimit(hit: readonly SandboxLimitKind[]): SandboxLimitKind | undefined {
  return PRIORITY.find((kind) => hit.includes(kind));
}

/**
 * Throws {@link LimitExceededError} with the sandbox's limit (`memory`, `disk`, `processes`) when the
 * sandbox has hit one. A sandbox that cannot say (the driver's read failed) is taken as not having hit one:
 * the failure is for the next step of the run to meet, with its own error.
 */
export async function checkSandboxLimits(sandbox: Sandbox): Promise<void> {
  let hit: SandboxLimitKind[];
  try {
    hit = await sandbox.limitsHit();
  } catch {
    return;
  }
  const kind = primaryLimit(hit);
  if (kind) throw new LimitExceededError(kind satisfies LimitKind, DESCRIPTION[kind]);
}

/**
 * Bash that kills every process of the agent (`kill -9 -1` as the agent: everything its uid may signal in
 * the sandbox's PID namespace), then prints how many are left. Only builtins: it forks nothing, so it runs
 * while a fork bomb holds the process limit.
 */
const KILL_AGENT_SCRIPT = `
kill -9 -1 2>/dev/null
n=0
for d in /proc/[0-9]*; do
  [ "$d" = "/proc/$$" ] && continue
  while read -r key value _; do
    if [ "$key" = Uid: ]; then [ "$value" = "$UID" ] && n=$((n + 1)); break; fi
  done < "$d/status" 2>/dev/null
done
echo "$n"
`;

/**
 * Kills every process of the agent in `sandbox` (after a process limit, so that scoring can fork again),
 * retrying while some are left or the sandbox cannot start the command. Resolves true when none is left.
 * Never throws.
 */
export async function killAgentProcesses(sandbox: Sandbox, attempts = 30): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const result = await sandbox.exec(["bash", "-c", KILL_AGENT_SCRIPT], {
        user: "agent",
        timeoutMs: 30_000,
        outputLimitBytes: 1024,
      });
      if (result.exitCode === 0 && result.stdout.trim() === "0") return true;
    } catch {
      // The sandbox could not start it (the limit is still held): retry.
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * (attempt + 1), 500)));
  }
  return false;
}
