/**
 * Shared by the task-family tests: a bundled task by id (the suite is loaded once per test file) and a task
 * environment that is always destroyed, whatever the body does.
 */
import { type LoadedTask, loadSuite, type Suite } from "../../lib/task/loader.ts";
import { startTaskEnvironment, type TaskEnvironment } from "../../lib/task/environment.ts";
import type { SandboxDriver } from "../../lib/sandbox/types.ts";

let suite: Promise<Suite> | undefined;

/** The bundled task `id` (`family/name`); throws naming the suite's load errors when it is missing. */
export async function bundledTask(id: string): Promise<LoadedTask> {
  suite ??= loadSuite();
  const loaded = await suite;
  const found = loaded.tasks.find((t) => t.id === id);
  if (!found) throw new Error(`no bundled task ${id}: ${loaded.errors.map((e) => e.message).join("; ")}`);
  return found;
}

/** Starts the bundled task `id` in `driver`, runs `body`, and destroys the environment. */
export async function withTaskEnv(
  driver: SandboxDriver,
  id: string,
  body: (env: TaskEnvironment) => Promise<void>,
): Promise<void> {
  const env = await startTaskEnvironment(await bundledTask(id), driver);
  try {
    await body(env);
  } finally {
    await env.destroy();
  }
}
