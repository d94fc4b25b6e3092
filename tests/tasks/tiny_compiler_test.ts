import { withTaskEnv } from "./_env.ts";
import { assert, assertEquals } from "../util/assert.ts";
import { testDrivers } from "../util/drivers.ts";
import { type TaskEnvironment } from "../../lib/task/environment.ts";
import {
  compilerScore,
  cycleCredit,
  type InterpCase,
  interpreterScore,
  parseRvm,
  runRvm,
} from "../../tasks/tiny_compiler/family.ts";

const REFERENCE = await Deno.readTextFile(
  new URL("../../tasks/tiny_compiler/solution/runnel.py", import.meta.url),
);

Deno.test("runRvm: Runnel arithmetic, calls, arrays and cycle counting", () => {
  const prog = [
    "READ", // 0
    "CALL 5 1", // 1: square(input)
    "PRINT", // 2
    "PUSH -7\nPUSH 2\nDIV\nPRINT", // 3-6 … (indices shift: the block is 4 lines)
  ].join("\n");
  // Indices: 0 READ, 1 CALL, 2 PRINT, 3 PUSH -7, 4 PUSH 2, 5 DIV, 6 PRINT, then the function at 7.
  const text = prog.replace("CALL 5 1", "CALL 8 1") + "\nHALT\nLOAD 0\nLOAD 0\nMUL\nRET\n";
  const r = runRvm(text, ["3"], 1000);
  assertEquals(r, { stdout: "9\n-3\n", status: "ok", cycles: 12 });
  // 64-bit wrap-around, MOD with the dividend's sign, MIN / -1.
  const wrap = runRvm(
    "PUSH 9223372036854775807\nPUSH 1\nADD\nDUP\nPRINT\nPUSH -1\nDIV\nPRINT\nPUSH -7\nPUSH 2\nMOD\nPRINT\n",
    [],
    1000,
  );
  assertEquals(wrap.stdout, "-9223372036854775808\n-9223372036854775808\n-1\n");
  // Arrays are references, printed like Runnel's print.
  const arr = runRvm("PUSH 3\nPUSH 0\nNEWARR\nDUP\nPUSH 1\nPUSH 5\nASTORE\nPRINT\n", [], 100);
  assertEquals(arr.stdout, "[0, 5, 0]\n");
});

Deno.test("runRvm: escapes are invalid programs; errors and runaway loops stop the machine", () => {
  for (
    const bad of ["SYS 1", "OPEN /etc/passwd", "JMP 99", "JMP -1", "LOAD 70000", "PUSH 1.5", "CALL 0 999"]
  ) {
    assertEquals(parseRvm(`PUSH 1\n${bad}\n`), null, bad);
    assertEquals(runRvm(`PUSH 1\n${bad}\n`, [], 100).status, "invalid", bad);
  }
  assertEquals(runRvm("PUSH 1\nPRINT\nPUSH 1\nPUSH 0\nDIV\nPRINT\n", [], 100), {
    stdout: "1\n",
    status: "error",
    cycles: 5,
  });
  assertEquals(runRvm("READ\n", [], 100).status, "error");
  assertEquals(runRvm("RET\n", [], 100).status, "error");
  assertEquals(runRvm("JMP 0\n", [], 500), { stdout: "", status: "limit", cycles: 501 });
  assertEquals(runRvm("CALL 0 0\n", [], 1_000_000).status, "error"); // call-stack overflow
  // Host safety: an array that contains itself cannot be printed; allocation and output are capped.
  const selfLoop = "PUSH 1\nPUSH 0\nNEWARR\nSTORE 0\nLOAD 0\nPUSH 0\nLOAD 0\nASTORE\nLOAD 0\nPRINT\n";
  assertEquals(runRvm(selfLoop, [], 100).status, "error");
  const hog = runRvm("PUSH 1000000\nPUSH 0\nNEWARR\nPOP\nJMP 0\n", [], 1_000_000);
  assertEquals([hog.status, hog.cycles], ["error", 23]);
  const chatty = runRvm("PUSH 100000\nPUSH 7\nNEWARR\nSTORE 0\nLOAD 0\nPRINT\nJMP 4\n", [], 1_000_000);
  assertEquals(chatty.status, "limit");
  assert(chatty.stdout.length <= 1 << 20);
});

Deno.test("interpreterScore: error cases count only with normal cases; cycleCredit is calibrated", () => {
  const c = (stdout: string, exit: number): InterpCase => ({ src: "", stdin: "", stdout, exit });
  const cases = [c("1\n", 0), c("2\n", 0), c("", 2), c("", 3)];
  assertEquals(interpreterScore(cases, cases.map((x) => ({ out: x.stdout, code: x.exit }))), 1);
  // Always failing with status 2 or 3 and no output passes the error cases, but scores 0.
  assertEquals(interpreterScore(cases, cases.map(() => ({ out: "", code: 2 }))), 0);
  // Half the normal cases right: (1 + 2 × 0.5) / 4.
  const half = [{ out: "1\n", code: 0 }, { out: "x", code: 0 }, { out: "", code: 2 }, { out: "", code: 3 }];
  assertEquals(interpreterScore(cases, half), 0.5);
  assertEquals(cycleCredit(1000, 1000, 500), 0.5);
  assertEquals(cycleCredit(500, 1000, 500), 1);
  assertEquals(cycleCredit(400, 1000, 500), 1);
  assert(cycleCredit(700, 1000, 500) > 0.5 && cycleCredit(700, 1000, 500) < 1);
  assert(cycleCredit(1500, 1000, 500) < 0.5);
  assertEquals(cycleCredit(10_000, 1000, 500), 0);
  const prog = "READ\nPRINT\n";
  const cc = [{
    src: "",
    runs: [{ input: ["5"], stdout: "5\n", error: false, naive_cycles: 4, ref_cycles: 2 }],
  }];
  assertEquals(compilerScore(cc, [{ out: prog, code: 0 }]).score, 1);
  assertEquals(compilerScore(cc, [{ out: prog, code: 1 }]).score, 0);
  assertEquals(compilerScore(cc, [{ out: "READ\nPUSH 1\nADD\nPRINT\n", code: 0 }]).score, 0);
});

/** Install a variant of the reference as the agent's run/compile. */
async function installVariant(env: TaskEnvironment, source: string) {
  const dir = "/home/agent/runnel";
  const r = await env.sandbox.exec(
    [
      "bash",
      "-c",
      `mkdir -p ${dir} && cat > ${dir}/runnel.py && ` +
      `printf '#!/bin/sh\\nexec /usr/bin/python3 ${dir}/runnel.py run "$1"\\n' > ${dir}/run && ` +
      `printf '#!/bin/sh\\nexec /usr/bin/python3 ${dir}/runnel.py compile "$1"\\n' > ${dir}/compile && ` +
      `chmod +x ${dir}/run ${dir}/compile`,
    ],
    { user: "agent", stdin: source },
  );
  assertEquals(r.exitCode, 0, r.stderr);
}

/** The reference without short-circuit evaluation (both operands of && and || always evaluated). */
const noShortCircuit = () => {
  const fixed =
    '            if op == "&&":\n                return 1 if truth(self.ev(e[2], env)) and truth(self.ev(e[3], env)) else 0\n';
  assert(REFERENCE.includes(fixed), "the reference changed: update the partial variant");
  return REFERENCE.replace(
    fixed,
    '            if op == "&&":\n                l, r = truth(self.ev(e[2], env)), truth(self.ev(e[3], env))\n' +
      "                return 1 if l and r else 0\n",
  ).replace(
    "return 1 if truth(self.ev(e[2], env)) or truth(self.ev(e[3], env)) else 0",
    "l, r = truth(self.ev(e[2], env)), truth(self.ev(e[3], env))\n                return 1 if l or r else 0",
  );
};

for (const { name, driver } of await testDrivers()) {
  Deno.test({
    name: `tiny_compiler (${name}): partial credit and intermediate score for a partly right interpreter`,
    ignore: !driver,
    fn: () =>
      withTaskEnv(driver!, "tiny_compiler/interpreter", async (env) => {
        // Mid-run, before anything exists: intermediate score 0.
        assertEquals((await env.intermediateScore()).score, 0);
        await installVariant(env, noShortCircuit());
        const mid = await env.intermediateScore();
        assert(mid.score !== null && mid.score > 0, `intermediate score not visible: ${JSON.stringify(mid)}`);
        const partial = await env.score("");
        assert(partial !== null && partial > 0.5 && partial < 1, `partial credit ${partial}`);
        // The planted wrong attempt is worse than the partial one here, and the reference is full.
        await env.runWrongAttempt();
        const wrong = await env.score("");
        assert(wrong !== null && wrong < partial, `wrong ${wrong} vs partial ${partial}`);
        await env.runSolution();
        assertEquals(await env.score(""), 1);
      }),
  });

  Deno.test({
    name: `tiny_compiler (${name}): VM escapes score 0; the reference compiler's cycles match the host VM`,
    ignore: !driver,
    fn: () =>
      withTaskEnv(driver!, "tiny_compiler/compiler_opt", async (env) => {
        assertEquals(await env.score(await env.runCheat("escape_vm")), 0);
        assertEquals(await env.score(await env.runCheat("read_hidden")), 0);
        // Scoring left nothing behind: no program directory in /tmp, no result file in /root.
        const left = await env.sandbox.exec(
          "ls -d /tmp/runnel-* /root/.tiny-compiler-result.json 2>/dev/null",
          {
            user: "root",
          },
        );
        assertEquals(left.stdout.trim(), "");
        // Credit 1 on every run needs the host VM to count exactly the reference's cycles.
        await env.runSolution();
        assertEquals(await env.score(""), 1);
      }),
  });
}
