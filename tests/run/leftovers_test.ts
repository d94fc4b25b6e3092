/**
 * The sweep at the start of `eval`: after `kill -9` of a process holding a docker sandbox, the next start
 * removes the container and names it on stderr; a second sweep does not name it again.
 */
import assert from "node:assert/strict";
import { sweepLeftovers } from "../../lib/run/leftovers.ts";
import { dockerClient, dockerEngineReachable } from "../../lib/sandbox/docker.ts";
import { holdSandbox } from "../sandbox/conformance.ts";

const ignore = !(await dockerEngineReachable()) && Deno.env.get("CI") !== "true";

Deno.test({
  name: "sweepLeftovers removes a killed runner's container and says so on stderr, once",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { child, id } = await holdSandbox("docker");
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    const lines: string[] = [];
    const { removed } = await sweepLeftovers((line) => lines.push(line));
    assert.ok(removed.includes(`container ${id}`), JSON.stringify(removed));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0],
      new RegExp(`^evalkit: removed \\d+ leftover\\(s\\) of killed runs: .*container ${id}`),
    );
    await assert.rejects(() => dockerClient().getContainer(id).inspect(), /no such container/i);
    const again: string[] = [];
    const second = await sweepLeftovers((line) => again.push(line));
    assert.ok(!second.removed.includes(`container ${id}`));
  },
});
