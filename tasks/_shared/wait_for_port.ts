/**
 * Waiting for a root-owned service that a task's setup started in the sandbox.
 *
 * @module
 */
import type { ExecResult, Sandbox } from "../../lib/sandbox/types.ts";

/**
 * Tries (as root, with Debian's `python3 -I -B` from "/", 100 times, 0.1 s apart) to connect to 127.0.0.1:`port` inside the sandbox; when nothing
 * answers, the check exits non-zero with `<what> did not start` on stderr. The caller decides what a
 * failure means.
 */
export function waitForPort(sandbox: Sandbox, port: number, what: string): Promise<ExecResult> {
  return sandbox.exec(
    [
      "/usr/bin/python3",
      "-I",
      "-B",
      "-c",
      `import socket, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", ${port}), 0.2).close(); break
    except OSError:
        time.sleep(0.1)
else:
    raise SystemExit("${what} did not start")`,
    ],
    // Isolated (-I: no cwd or PYTHON* variable on the module path) and run from "/", not an agent directory.
    { user: "root", cwd: "/", timeoutMs: 20_000 },
  );
}
