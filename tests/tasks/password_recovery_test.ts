import assert from "node:assert/strict";
import { OP, passwordFor, vmProgram, xorKey } from "../../tasks/password_recovery/family.ts";

/** An independent interpreter of the checker's bytecode (mirrors the C switch, written separately). */
function runVm(code: number[], input: string): boolean {
  const r = [0, 0, 0, 0];
  let bad = 0, pc = 0;
  const bytes = [...input].map((c) => c.charCodeAt(0));
  for (;;) {
    const op = code[pc++];
    if (op === OP.LDI) {
      const d = code[pc++], i = code[pc++];
      r[d & 3] = i < bytes.length ? bytes[i] : 0;
    } else if (op === OP.XORI) r[code[pc++] & 3] ^= code[pc++];
    else if (op === OP.ADDR) {
      const d = code[pc++], s = code[pc++];
      r[d & 3] = (r[d & 3] + r[s & 3]) & 0xff;
    } else if (op === OP.MULI) {
      const d = code[pc++];
      r[d & 3] = (r[d & 3] * code[pc++]) & 0xff;
    } else if (op === OP.MOVR) {
      const d = code[pc++], s = code[pc++];
      r[d & 3] = r[s & 3];
    } else if (op === OP.CMPI) {
      const d = code[pc++];
      bad |= r[d & 3] ^ code[pc++];
    } else if (op === OP.LEN) bad |= bytes.length !== code[pc++] ? 1 : 0;
    else if (op === OP.HALT) return bad === 0;
    else return false;
  }
}

Deno.test("passwords are deterministic per seed and differ between seeds", () => {
  assert.equal(passwordFor(3303, 13), passwordFor(3303, 13));
  assert.notEqual(passwordFor(3303, 13), passwordFor(3304, 13));
  assert.match(passwordFor(1, 40), /^[a-z2-9]{40}$/);
});

Deno.test("the VM program accepts exactly its password", () => {
  const pw = passwordFor(3303, 13);
  const code = vmProgram(pw, 3303);
  assert.equal(runVm(code, pw), true);
  assert.equal(runVm(code, pw.slice(0, -1) + (pw.endsWith("a") ? "b" : "a")), false);
  assert.equal(runVm(code, pw + "x"), false);
  assert.equal(runVm(code, ""), false);
});

Deno.test("the VM chains characters: fixing one wrong character is not enough to pass", () => {
  const pw = passwordFor(42, 10);
  const code = vmProgram(pw, 42);
  const wrongFirst = (pw[0] === "a" ? "b" : "a") + pw.slice(1);
  assert.equal(runVm(code, wrongFirst), false);
});

Deno.test("xor key schedule matches its documented formula", () => {
  assert.deepEqual([0, 1, 2, 5].map(xorKey), [0x5a, 0x62, 0x6c, (0x5a + 35 + 25 % 13) & 0xff]);
});
