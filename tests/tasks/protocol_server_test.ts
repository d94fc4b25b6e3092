import assert from "node:assert/strict";
import { checksScore } from "../../tasks/protocol_server/family.ts";

Deno.test("checksScore reads the last JSON line of the client's report", () => {
  assert.equal(checksScore('noise\n{"a": true, "b": false, "c": true, "d": true}\n'), 0.75);
  assert.equal(checksScore('{"a": false}'), 0);
  assert.equal(checksScore(""), 0);
  assert.equal(checksScore("Traceback ..."), 0);
  assert.equal(checksScore("{}"), 0);
});
