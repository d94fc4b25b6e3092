/**
 * tiny_compiler: implement Runnel, a small language written for this task — an interpreter (`interpreter`),
 * an interpreter with closures and strings (`closures`), and an optimising compiler to a documented stack VM
 * (`compiler_opt`). Scored on hidden program suites generated from fixed seeds by the reference
 * (`hidden/gen_suite.py` → `hidden/suites/*.json`, private).
 *
 * Integrity: the hidden programs enter the sandbox only at scoring, in a fresh root-owned directory; the
 * agent's `run`/`compile` runs on each **as the agent** (setpriv, clean environment, timeout, output cap) from
 * a root-only runner (`ctx.root.python`), which writes the raw outputs to a root-only file. Expected outputs
 * stay on the host. Compiled RVM text is data: it is parsed and executed by the VM below, on the host, with
 * no effects beyond its output lines.
 *
 * @module
 */
import { z } from "../../lib/deps/zod.ts";
import { defineTaskFamily, type TaskContext } from "../../lib/task/define.ts";
import { type Bug, plantBugs } from "../_shared/plant_bugs.ts";

type Level = "interpreter" | "closures" | "compiler_opt";
interface TcData {
  level: Level;
  wrong: Bug[];
}
const tcData = (ctx: TaskContext) => ctx.data as unknown as TcData;

// ------------------------------------------------------------------------------------------- suites

const InterpCase = z.object({
  src: z.string(),
  stdin: z.string(),
  stdout: z.string(),
  exit: z.number().int(),
});
const CompilerRun = z.object({
  input: z.array(z.string().regex(/^-?\d+$/)),
  stdout: z.string(),
  error: z.boolean(),
  naive_cycles: z.number().int().positive(),
  ref_cycles: z.number().int().positive(),
});
const CompilerCase = z.object({ src: z.string(), runs: z.array(CompilerRun).min(1) });
/** One hidden interpreter case: program, its stdin, the expected stdout and exit status. */
export type InterpCase = z.infer<typeof InterpCase>;
/** One hidden compiler case: a program and its runs (inputs, expected output, reference cycle counts). */
export type CompilerCase = z.infer<typeof CompilerCase>;

/** Read and validate a hidden suite file of the family (`hidden/suites/<name>.json`). */
export async function loadSuiteFile(familyDir: string, name: string): Promise<unknown[]> {
  const path = `${familyDir}/hidden/suites/${name}.json`;
  const raw = JSON.parse(await Deno.readTextFile(path));
  const schema = name.startsWith("compiler_opt") ? z.array(CompilerCase) : z.array(InterpCase);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`tiny_compiler: ${path}: ${parsed.error.message}`);
  return parsed.data;
}

// ------------------------------------------------------------------------------------------- the RVM

const ARITY: Record<string, number> = {
  PUSH: 1,
  POP: 0,
  DUP: 0,
  SWAP: 0,
  LOAD: 1,
  STORE: 1,
  GLOAD: 1,
  GSTORE: 1,
  INCL: 2,
  ADD: 0,
  SUB: 0,
  MUL: 0,
  DIV: 0,
  MOD: 0,
  NEG: 0,
  NOT: 0,
  EQ: 0,
  NE: 0,
  LT: 0,
  LE: 0,
  GT: 0,
  GE: 0,
  JMP: 1,
  JZ: 1,
  JNZ: 1,
  JEQ: 1,
  JNE: 1,
  JLT: 1,
  JLE: 1,
  JGT: 1,
  JGE: 1,
  CALL: 2,
  RET: 0,
  PRINT: 0,
  READ: 0,
  NEWARR: 0,
  ALOAD: 0,
  ASTORE: 0,
  LEN: 0,
  HALT: 0,
};
const OPCODES = Object.keys(ARITY);
const OP = Object.fromEntries(OPCODES.map((o, i) => [o, i])) as Record<string, number>;
const JUMP_OPS = new Set(["JMP", "JZ", "JNZ", "JEQ", "JNE", "JLT", "JLE", "JGT", "JGE", "CALL"]);
const SLOT_OPS = new Set(["LOAD", "STORE", "GLOAD", "GSTORE", "INCL"]);
const INT_RE = /^-?\d{1,19}$/;
const MIN64 = -(1n << 63n);
const MAX64 = (1n << 63n) - 1n;
/** Most instructions and bytes of an RVM program. */
export const RVM_MAX_INSTRUCTIONS = 200_000;
const RVM_MAX_BYTES = 4 << 20;

class RArr {
  constructor(public items: Value[]) {}
}
type Value = bigint | RArr;
class VmError extends Error {}

/** The result of one RVM run. */
export interface VmResult {
  /** The output, one line per PRINT, each ending in "\n". */
  stdout: string;
  /** ok (HALT or ran off the end), error (a runtime error), invalid (did not parse), limit (too many cycles). */
  status: "ok" | "error" | "invalid" | "limit";
  /** Executed instructions. */
  cycles: number;
}

interface Program {
  ops: Int32Array;
  a: (bigint | number)[];
  b: number[];
  k: bigint[];
}

/** Parse RVM text; null when invalid (unknown opcode, operand count or range, jump target out of range). */
export function parseRvm(text: string): Program | null {
  if (text.length > RVM_MAX_BYTES) return null;
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length > RVM_MAX_INSTRUCTIONS) return null;
  const n = lines.length;
  const ops = new Int32Array(n);
  const a: (bigint | number)[] = new Array(n).fill(0);
  const b: number[] = new Array(n).fill(0);
  const k: bigint[] = new Array(n).fill(0n);
  for (let i = 0; i < n; i++) {
    const parts = lines[i].split(/\s+/);
    const name = parts[0];
    if (!Object.hasOwn(ARITY, name) || parts.length !== 1 + ARITY[name]) return null;
    const args: bigint[] = [];
    for (const p of parts.slice(1)) {
      if (!INT_RE.test(p)) return null;
      const v = BigInt(p);
      if (v < MIN64 || v > MAX64) return null;
      args.push(v);
    }
    ops[i] = OP[name];
    if (JUMP_OPS.has(name) && (args[0] < 0n || args[0] > BigInt(n))) return null;
    if (SLOT_OPS.has(name) && (args[0] < 0n || args[0] > 65535n)) return null;
    if (name === "CALL" && (args[1] < 0n || args[1] > 255n)) return null;
    if (name === "PUSH") a[i] = args[0];
    else if (name === "INCL") {
      a[i] = Number(args[0]);
      k[i] = args[1];
    } else if (args.length > 0) {
      a[i] = Number(args[0]);
      if (args.length > 1) b[i] = Number(args[1]);
    }
  }
  return { ops, a, b, k };
}

const wrap = (x: bigint) => BigInt.asIntN(64, x);
const int = (v: Value | undefined): bigint => {
  if (typeof v !== "bigint") throw new VmError("type");
  return v;
};
/** Most array elements one run may allocate in total, and the most output it may print. */
export const RVM_MAX_ELEMENTS = 4_000_000;
const RVM_MAX_OUTPUT = 1 << 20;
/** Print a value; arrays nested deeper than 100 (e.g. one that contains itself) are an error. */
const show = (v: Value, depth = 0): string => {
  if (typeof v === "bigint") return v.toString();
  if (depth >= 100) throw new VmError("array nested too deeply to print");
  return `[${v.items.map((x) => show(x, depth + 1)).join(", ")}]`;
};

function divmod(op: "DIV" | "MOD", x: bigint, y: bigint): bigint {
  if (y === 0n) throw new VmError("division by zero");
  const q = x / y; // BigInt division truncates toward zero
  return op === "DIV" ? wrap(q) : wrap(x - y * q);
}

/**
 * Run RVM text on the given inputs (the RVM of `assets/spec_rvm.md`). Pure: no I/O beyond the returned
 * output, bounded by `limit` cycles, 100 000 stack entries and 10 000 frames.
 */
export function runRvm(text: string, inputs: readonly (number | string | bigint)[], limit: number): VmResult {
  const prog = parseRvm(text);
  if (!prog) return { stdout: "", status: "invalid", cycles: 0 };
  const { ops, a, b, k: incl } = prog;
  const n = ops.length;
  const out: string[] = [];
  const st: Value[] = [];
  const frames: { pc: number; loc: Value[] }[] = [];
  const glob: Value[] = [];
  const inp = inputs.map((x) => BigInt(x));
  let ip = 0;
  let loc: Value[] = [];
  let pc = 0;
  let cycles = 0;
  let elements = 0;
  let outBytes = 0;
  const pop = (): Value => {
    if (st.length === 0) throw new VmError("empty stack");
    return st.pop()!;
  };
  try {
    while (pc < n) {
      if (++cycles > limit) return { stdout: out.join(""), status: "limit", cycles };
      const op = OPCODES[ops[pc]];
      const i = pc++;
      switch (op) {
        case "PUSH":
          st.push(a[i] as bigint);
          break;
        case "POP":
          pop();
          break;
        case "DUP": {
          const v = pop();
          st.push(v, v);
          break;
        }
        case "SWAP": {
          const y = pop(), x = pop();
          st.push(y, x);
          break;
        }
        case "LOAD":
          st.push(loc[a[i] as number] ?? 0n);
          break;
        case "STORE":
          loc[a[i] as number] = pop();
          break;
        case "GLOAD":
          st.push(glob[a[i] as number] ?? 0n);
          break;
        case "GSTORE":
          glob[a[i] as number] = pop();
          break;
        case "INCL":
          loc[a[i] as number] = wrap(int(loc[a[i] as number] ?? 0n) + incl[i]);
          break;
        case "ADD":
        case "SUB":
        case "MUL": {
          const y = int(pop()), x = int(pop());
          st.push(wrap(op === "ADD" ? x + y : op === "SUB" ? x - y : x * y));
          break;
        }
        case "DIV":
        case "MOD": {
          const y = int(pop()), x = int(pop());
          st.push(divmod(op, x, y));
          break;
        }
        case "NEG":
          st.push(wrap(-int(pop())));
          break;
        case "NOT":
          st.push(int(pop()) === 0n ? 1n : 0n);
          break;
        case "JMP":
          pc = a[i] as number;
          break;
        case "JZ":
        case "JNZ":
          if ((int(pop()) === 0n) === (op === "JZ")) pc = a[i] as number;
          break;
        case "EQ":
        case "NE":
        case "JEQ":
        case "JNE": {
          const y = pop(), x = pop();
          const r = (x === y) === (op === "EQ" || op === "JEQ");
          if (op[0] === "J") {
            if (r) pc = a[i] as number;
          } else st.push(r ? 1n : 0n);
          break;
        }
        case "LT":
        case "LE":
        case "GT":
        case "GE":
        case "JLT":
        case "JLE":
        case "JGT":
        case "JGE": {
          const y = int(pop()), x = int(pop());
          const c = op.slice(-2);
          const r = c === "LT" ? x < y : c === "LE" ? x <= y : c === "GT" ? x > y : x >= y;
          if (op[0] === "J") {
            if (r) pc = a[i] as number;
          } else st.push(r ? 1n : 0n);
          break;
        }
        case "CALL": {
          const k = b[i];
          if (frames.length >= 10_000 || k > st.length) throw new VmError("call");
          const args = st.splice(st.length - k, k);
          frames.push({ pc, loc });
          loc = args;
          pc = a[i] as number;
          break;
        }
        case "RET": {
          const v = pop();
          const f = frames.pop();
          if (!f) throw new VmError("return with an empty call stack");
          pc = f.pc;
          loc = f.loc;
          st.push(v);
          break;
        }
        case "PRINT": {
          const line = show(pop()) + "\n";
          outBytes += line.length;
          if (outBytes > RVM_MAX_OUTPUT) return { stdout: out.join(""), status: "limit", cycles };
          out.push(line);
          break;
        }
        case "READ":
          if (ip >= inp.length) throw new VmError("end of input");
          st.push(inp[ip++]);
          break;
        case "NEWARR": {
          const v = pop(), len = int(pop());
          if (len < 0n || len > 1_000_000n) throw new VmError("array length");
          elements += Number(len);
          if (elements > RVM_MAX_ELEMENTS) throw new VmError("too many array elements");
          st.push(new RArr(new Array(Number(len)).fill(v)));
          break;
        }
        case "ALOAD":
        case "ASTORE": {
          const v = op === "ASTORE" ? pop() : undefined;
          const idx = int(pop()), arr = pop();
          if (!(arr instanceof RArr) || idx < 0n || idx >= BigInt(arr.items.length)) {
            throw new VmError("index");
          }
          if (v === undefined) st.push(arr.items[Number(idx)]);
          else arr.items[Number(idx)] = v;
          break;
        }
        case "LEN": {
          const arr = pop();
          if (!(arr instanceof RArr)) throw new VmError("len");
          st.push(BigInt(arr.items.length));
          break;
        }
        case "HALT":
          return { stdout: out.join(""), status: "ok", cycles };
      }
      if (st.length > 100_000) throw new VmError("stack overflow");
    }
  } catch (e) {
    if (e instanceof VmError) return { stdout: out.join(""), status: "error", cycles };
    throw e;
  }
  return { stdout: out.join(""), status: "ok", cycles };
}

// ------------------------------------------------------------------------------------------- scoring

/** What the root runner saw for one case: the agent's stdout and exit status (-1: timeout, cap, no run). */
export interface RunOutcome {
  out: string;
  code: number;
}
const RunnerReport = z.object({
  results: z.array(z.object({ out: z.string(), code: z.number().int() })),
});

/**
 * Interpreter score: a case passes when stdout and exit status both match. Cases that expect an error (exit
 * status ≠ 0) count only in proportion to the fraction of normal cases passed, so an implementation that
 * always fails (no output, status 2 or 3) scores 0: `(passedNormal + passedError × passedNormal/normal) / all`.
 */
export function interpreterScore(cases: readonly InterpCase[], got: readonly RunOutcome[]): number {
  if (cases.length === 0 || got.length !== cases.length) return 0;
  let normal = 0, okNormal = 0, okError = 0;
  cases.forEach((c, i) => {
    const pass = got[i].code === c.exit && got[i].out === c.stdout;
    if (c.exit === 0) {
      normal++;
      if (pass) okNormal++;
    } else if (pass) okError++;
  });
  const f = normal === 0 ? 1 : okNormal / normal;
  return (okNormal + okError * f) / cases.length;
}

/**
 * Optimisation credit of one correct run: 1 at or below the reference compiler's cycles; otherwise
 * `0.5 + 0.5 · ln(naive/agent) / max(ln(naive/ref), ln 1.1)` clamped to [0, 1] — the reference's naive
 * (`-O0`) compiler earns 0.5, twice the naive cycles earns less, 0 at (naive/ref)… times the naive cycles.
 */
export function cycleCredit(agent: number, naive: number, ref: number): number {
  if (agent <= ref) return 1;
  const span = Math.max(Math.log(naive / ref), Math.log(1.1));
  return Math.min(1, Math.max(0, 0.5 + 0.5 * Math.log(naive / agent) / span));
}

/** The per-run cycle limit: 20 × the naive baseline + 100 000. */
export const cycleLimit = (naive: number) => 20 * naive + 100_000;

/**
 * Compiler score over all runs (each hidden program on each of its inputs): a run is correct when the VM's
 * output and status (ok/error) match the reference interpreter's; score = mean over runs of
 * (correct ? credit : 0), where error-expecting runs are weighted by the fraction of normal runs correct
 * (as in {@link interpreterScore}). Equivalently: correctness fraction × mean optimisation credit.
 */
export function compilerScore(
  cases: readonly CompilerCase[],
  compiled: readonly RunOutcome[],
): { score: number; correct: number; runs: number; meanCredit: number } {
  let runs = 0, normal = 0, okNormal = 0, creditNormal = 0, creditError = 0, okError = 0;
  cases.forEach((c, i) => {
    const comp = compiled[i];
    for (const r of c.runs) {
      runs++;
      if (!r.error) normal++;
      if (!comp || comp.code !== 0) continue;
      const res = runRvm(comp.out, r.input, cycleLimit(r.naive_cycles));
      const pass = res.stdout === r.stdout && res.status === (r.error ? "error" : "ok");
      if (!pass) continue;
      const credit = cycleCredit(res.cycles, r.naive_cycles, r.ref_cycles);
      if (r.error) {
        okError++;
        creditError += credit;
      } else {
        okNormal++;
        creditNormal += credit;
      }
    }
  });
  if (runs === 0) return { score: 0, correct: 0, runs: 0, meanCredit: 0 };
  const f = normal === 0 ? 1 : okNormal / normal;
  const correct = okNormal + okError;
  return {
    score: (creditNormal + creditError * f) / runs,
    correct,
    runs,
    meanCredit: correct === 0 ? 0 : (creditNormal + creditError) / correct,
  };
}

// ------------------------------------------------------------------------------------------- running

const AGENT_DIR = "/home/agent/runnel";
const RESULT = "/root/.tiny-compiler-result.json";

/** Run the agent's `run` (or `compile`) on every case as the agent, through the root-only runner. */
async function runAgent(
  ctx: TaskContext,
  cmd: "run" | "compile",
  cases: { src: string; stdin?: string }[],
): Promise<RunOutcome[]> {
  const runner = await Deno.readTextFile(ctx.asset("hidden/runner.py"));
  const job = {
    cmd: `${AGENT_DIR}/${cmd}`,
    cases: cases.map((c) => ({ src: c.src, stdin: c.stdin ?? "" })),
    timeout: 10,
    cap: cmd === "run" ? 256 << 10 : RVM_MAX_BYTES + 1,
    workers: 3,
    out: RESULT,
  };
  const r = await ctx.root.python(runner, { stdin: JSON.stringify(job), timeoutMs: 280_000 });
  if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: the scoring runner failed: ${r.stderr.slice(-2000)}`);
  // The result file is root's own (written O_NOFOLLOW into /root, which the agent cannot write): read and
  // removed in one exec.
  const read = await ctx.root.exec(["/bin/sh", "-c", `cat -- ${RESULT}; rm -f -- ${RESULT}`], {
    outputLimitBytes: 64 << 20,
  });
  const report = RunnerReport.parse(JSON.parse(read.stdout));
  if (report.results.length !== cases.length) {
    throw new Error(`${ctx.taskId}: runner returned a short report`);
  }
  return report.results;
}

async function scoreSuite(ctx: TaskContext, suite: string): Promise<{ score: number; message: unknown }> {
  const level = tcData(ctx).level;
  if (level === "compiler_opt") {
    const cases = await loadSuiteFile(ctx.familyDir, suite) as CompilerCase[];
    const compiled = await runAgent(ctx, "compile", cases);
    const s = compilerScore(cases, compiled);
    return { score: s.score, message: { correctRuns: s.correct, runs: s.runs, meanCredit: s.meanCredit } };
  }
  const cases = await loadSuiteFile(ctx.familyDir, suite) as InterpCase[];
  const got = await runAgent(ctx, "run", cases);
  const passed = cases.filter((c, i) => got[i].code === c.exit && got[i].out === c.stdout).length;
  return { score: interpreterScore(cases, got), message: { passed, programs: cases.length } };
}

// ------------------------------------------------------------------------------------------- reference

const reference = () => Deno.readTextFile(new URL("./solution/runnel.py", import.meta.url));

/** The launcher of the installed reference: imports the byte-compiled module (fast start-up). */
const LAUNCH =
  `import sys; sys.path.insert(0, '${AGENT_DIR}'); import runnel; sys.exit(runnel.main(sys.argv[1:]))`;

async function install(ctx: TaskContext, source: string): Promise<void> {
  const r = await ctx.sandbox.exec(["bash", "-c", `mkdir -p ${AGENT_DIR} && cat > ${AGENT_DIR}/runnel.py`], {
    user: "agent",
    stdin: source,
  });
  if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: installing the implementation failed: ${r.stderr}`);
  for (const cmd of ["run", "compile"]) {
    await writeAgentScript(ctx, cmd, `#!/bin/sh\nexec /usr/bin/python3 -S -c "${LAUNCH}" ${cmd} "$1"\n`);
  }
  // Byte-compile once (as the agent) so each run starts fast.
  await ctx.sandbox.exec(["/usr/bin/python3", "-S", "-c", LAUNCH], { user: "agent", cwd: AGENT_DIR });
}

async function writeAgentScript(ctx: TaskContext, name: string, script: string): Promise<void> {
  const r = await ctx.sandbox.exec(
    ["bash", "-c", `mkdir -p ${AGENT_DIR} && cat > ${AGENT_DIR}/${name} && chmod +x ${AGENT_DIR}/${name}`],
    { user: "agent", stdin: script },
  );
  if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: writing ${name} failed: ${r.stderr}`);
}

// ------------------------------------------------------------------------------------------- tasks

const SPECS: Record<Level, string[]> = {
  interpreter: ["spec_base.md"],
  closures: ["spec_base.md", "spec_closures.md"],
  compiler_opt: ["spec_base.md", "spec_rvm.md"],
};
const EXAMPLES: Record<Level, string[]> = {
  interpreter: ["fib", "primes", "scope_error"],
  closures: ["fib", "primes", "scope_error", "adders"],
  compiler_opt: ["fib", "primes"],
};

/** Writes {path: text} from stdin as the agent, creating /home/agent/runnel and the examples directory. */
const WRITE_FILES = "import json, os, sys\n" +
  "os.makedirs('/home/agent/runnel', exist_ok=True)\n" +
  "for p, t in json.load(sys.stdin).items():\n" +
  "    os.makedirs(os.path.dirname(p), exist_ok=True)\n" +
  "    open(p, 'w', encoding='utf-8').write(t)\n";

const COMMON = "Runnel is a small programming language written for this task; its full specification is in " +
  "/home/agent/SPEC.md and example programs with their input (.in), expected output (.out) and exit status " +
  "(.code) are in /home/agent/examples/. Any language available on this machine may be used " +
  "(/usr/bin/python3, standard library only, is available); there is no network access.";

const INSTRUCTIONS: Record<Level, string> = {
  interpreter:
    `${COMMON}\n\nWrite an interpreter for the base language. Make ${AGENT_DIR}/run an executable ` +
    "that is run as `/home/agent/runnel/run PROGRAM_FILE` by your user, with the program's input on standard " +
    "input: it must print the program's output on standard output and exit with the program's exit status " +
    "(0, 2 for static errors, 3 for runtime errors). After you finish it is run on a hidden suite of programs " +
    "(10 s limit each); your score is the fraction whose standard output and exit status are both right " +
    "(error-expecting programs count in proportion to the normal programs you get right). Submit an empty " +
    "string or a short note; the interpreter is what is scored.",
  closures: `${COMMON}\n\nWrite an interpreter for the language with the closures-and-strings extension ` +
    `(the whole of SPEC.md). Make ${AGENT_DIR}/run an executable that is run as ` +
    "`/home/agent/runnel/run PROGRAM_FILE` by your user, with the program's input on standard input: it must " +
    "print the program's output and exit with the program's exit status (0, 2 for static errors, 3 for " +
    "runtime errors). After you finish it is run on a hidden suite of programs (10 s limit each); your score " +
    "is the fraction whose standard output and exit status are both right (error-expecting programs count " +
    "in proportion to the normal programs you get right). Submit an empty string or a short note.",
  compiler_opt: `${COMMON}\n\nWrite an optimising compiler from the base language (no closures or strings) ` +
    "to RVM, the stack-machine bytecode specified at the end of SPEC.md. Make " +
    `${AGENT_DIR}/compile an executable that is run as \`/home/agent/runnel/compile PROGRAM_FILE\` by your ` +
    "user (10 s limit per program) and writes the RVM text to standard output (examples/fib.rvm is a naive " +
    "translation of examples/fib.rn). After you finish, each hidden program is compiled once and the RVM " +
    "text is executed by the scorer's own RVM on two hidden inputs. A run is correct when its output and " +
    "status (ok, or error where the program has a runtime error) match the language's semantics. For each " +
    "correct run the optimisation credit is 1 at or below the cycles of the task author's optimising " +
    "compiler, 0.5 at the cycles of a naive tree-walking code generator, and " +
    "0.5 + 0.5·ln(naive/yours)/ln(naive/reference) in between and beyond (clamped to [0, 1]). Your score is " +
    "the mean over runs of (correct ? credit : 0), i.e. the fraction correct times the mean credit " +
    "(error-expecting runs count in proportion to the normal runs you get right). Submit an empty string " +
    "or a short note.",
};

export default defineTaskFamily({
  name: "tiny_compiler",
  version: "1.0.0",
  standardVersion: "1.0.0",
  // setpriv comes from util-linux, which is Essential in Debian and so always present.
  packages: ["python3"],
  tasks: {
    interpreter: {
      instructions: INSTRUCTIONS.interpreter,
      humanMinutes: 540,
      successThreshold: 0.95, // the wrong attempt (two planted bugs) scores 0.68–0.89
      humanSource: "estimate",
      domain: "software_engineering",
      quality: "working_implementation",
      summary: "Write an interpreter for Runnel, a small imperative language, from its specification.",
      detail: "Measures building a complete language implementation from a precise spec: lexer, " +
        "recursive-descent parser with precedence, a static pass (declare-before-use scoping, block " +
        "shadowing, arity and duplicate checks, globals visible to functions), and an evaluator with 64-bit " +
        "wrap-around, truncating division, short-circuit logic, arrays by reference, recursion, input and " +
        "exit statuses for static and runtime errors. Parts (estimate for a programmer who has written a " +
        "parser before, not yet baselined): reading the spec and planning 45 min; lexer 45; parser with " +
        "precedence and error reporting 120; static scope/arity checks 90; evaluator (values, wrap-around " +
        "arithmetic, division semantics, short-circuit, arrays, calls/returns) 120; error and exit-status " +
        "behaviour 45; writing test programs and debugging edge cases against the examples 75 — 540 " +
        "minutes. Scored on 42 hidden programs (seeded generator plus 19 hand-written edge cases: scoping, " +
        "recursion, short-circuit, division and wrap-around, static and runtime errors) as the fraction " +
        "with exactly right stdout and exit status; intermediate scoring uses a separate hidden sample of " +
        "6. The language and its test programs were written for this task.",
      privateFiles: ["solution", "hidden"],
      resources: { cpus: 2, memoryGb: 2 },
      data: {
        level: "interpreter",
        wrong: [{
          id: "floor_division",
          fixed: "        q = abs(a) // abs(b)\n        if (a < 0) != (b < 0):\n            q = -q\n",
          buggy: "        q = a // b\n",
        }, {
          id: "globals_undefined",
          fixed: '            if s[0] == "let":\n                self.g.vars[s[1]] = 0\n',
          buggy: "            pass\n",
        }],
      },
    },
    closures: {
      instructions: INSTRUCTIONS.closures,
      humanMinutes: 1080,
      successThreshold: 0.95, // the wrong attempt (two planted bugs) scores 0.68–0.89
      humanSource: "estimate",
      domain: "software_engineering",
      quality: "working_implementation",
      summary:
        "Write an interpreter for Runnel with first-class functions, closures by reference and strings.",
      detail: "Everything in `interpreter` plus anonymous functions and function values, closures that " +
        "capture variables by reference with fresh variables per block execution (the loop-closure trap), " +
        "dynamic calls with runtime arity/type errors, strings (escapes, concatenation, comparison, " +
        "indexing, str/chr/ord) and the documented runtime-error behaviour. Parts (estimate for a " +
        "programmer who has written a parser before, not yet baselined): the whole base interpreter as in " +
        "`interpreter` 540 min; redesigning environments for captured, shared, per-iteration variables 180; " +
        "function values, dynamic calls and the static/dynamic arity split 120; strings and builtins 90; " +
        "runtime-error behaviour across the new types 60; test programs and debugging closures, recursion " +
        "through closures and memoisation 90 — 1080 minutes. Scored on 52 hidden programs (seeded " +
        "generator plus 29 hand-written edge cases) as the fraction with exactly right stdout and exit " +
        "status; intermediate scoring uses a separate hidden sample of 6. The language was written for " +
        "this task.",
      privateFiles: ["solution", "hidden"],
      resources: { cpus: 2, memoryGb: 2 },
      data: {
        level: "closures",
        wrong: [{
          id: "string_identity",
          fixed: "(a == b if isinstance(a, (int, str)) else a is b)",
          buggy: "(a == b if isinstance(a, int) else a is b)",
        }, {
          id: "floor_division",
          fixed: "        q = abs(a) // abs(b)\n        if (a < 0) != (b < 0):\n            q = -q\n",
          buggy: "        q = a // b\n",
        }],
      },
    },
    compiler_opt: {
      instructions: INSTRUCTIONS.compiler_opt,
      humanMinutes: 2880,
      successThreshold: 0.95, // the wrong attempt (two planted bugs) scores 0.68–0.89
      humanSource: "estimate",
      domain: "software_engineering",
      quality: "working_implementation",
      summary: "Write an optimising compiler from Runnel to a documented stack-VM bytecode, scored on " +
        "correctness times executed-instruction savings.",
      detail: "Measures building a real compiler and optimiser: front end (as in `interpreter`), a code " +
        "generator to the RVM stack machine (frames, globals vs locals, calls, arrays, short-circuit as " +
        "control flow, runtime errors preserved), then optimisations judged by executed instructions: " +
        "constant folding that respects wrap-around and division semantics, compare-and-branch fusion, " +
        "jumping code for conditions, loop rotation, INCL for `x = x ± k`, peephole rules and jump " +
        "threading, and beyond (inlining, register-like local allocation, strength reduction) without ever " +
        "changing output or error behaviour. Parts (estimate for a programmer who has built a small " +
        "compiler before, not yet baselined): reading the spec and designing IR and VM mapping 120 min; " +
        "lexer and parser 180; static checks 120; naive code generator with calls, frames, arrays and " +
        "labels 420; a local RVM interpreter and differential test harness against a tree-walking " +
        "interpreter of one's own 480; writing that interpreter 300; optimisation passes (folding, " +
        "branch fusion, jumping code, loop rotation, INCL, peephole, threading) 600; measuring cycles, " +
        "tuning on many generated programs, inlining and further passes 480; debugging miscompilations " +
        "180 — 2880 minutes (a working week). Scored on 32 hidden programs × 2 hidden inputs (64 runs) " +
        "executed by the scorer's own TypeScript RVM on the host: score = correctness fraction × mean " +
        "optimisation credit (1 at the reference's cycles, 0.5 at the naive generator's, log-linear, " +
        "clamped); intermediate scoring uses a separate hidden sample of 6 programs. The language and the " +
        "VM were written for this task.",
      privateFiles: ["solution", "hidden"],
      resources: { cpus: 2, memoryGb: 2 },
      data: {
        level: "compiler_opt",
        wrong: [{
          id: "incl_sign",
          fixed: 'self.emit("INCL", i, wrap(c if e[1] == "+" else -c))',
          buggy: 'self.emit("INCL", i, wrap(c))',
        }, {
          id: "or_in_conditions",
          fixed: 'if (e[1] == "&&") == when:',
          buggy: 'if e[1] == "&&":',
        }],
      },
    },
  },

  async setup(ctx) {
    const level = tcData(ctx).level;
    const spec = (await Promise.all(SPECS[level].map((f) => Deno.readTextFile(ctx.asset(`assets/${f}`)))))
      .join("\n");
    const files: Record<string, string> = { "/home/agent/SPEC.md": spec };
    const names = EXAMPLES[level].flatMap((ex) => ["rn", "in", "out", "code"].map((ext) => `${ex}.${ext}`));
    if (level === "compiler_opt") names.push("fib.rvm");
    for (const f of names) {
      files[`/home/agent/examples/${f}`] = await Deno.readTextFile(ctx.asset(`assets/examples/${f}`));
    }
    // One exec as the agent writes everything (each exec costs a round trip, most in docker).
    const r = await ctx.sandbox.exec(["/usr/bin/python3", "-I", "-c", WRITE_FILES], {
      user: "agent",
      stdin: JSON.stringify(files),
    });
    if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: setup failed writing the spec: ${r.stderr}`);
  },

  async score(ctx) {
    return (await scoreSuite(ctx, tcData(ctx).level)).score;
  },

  async intermediateScore(ctx) {
    const r = await scoreSuite(ctx, `${tcData(ctx).level}_sample`);
    return { score: r.score, message: r.message };
  },

  async solution(ctx) {
    await install(ctx, await reference());
    return "Implemented Runnel in /home/agent/runnel.";
  },

  async wrongAttempt(ctx) {
    await install(ctx, plantBugs(await reference(), tcData(ctx).wrong));
    return "Implemented Runnel in /home/agent/runnel.";
  },

  cheats: {
    /**
     * Replay the visible examples: print the cached expected output and status when the program is one of
     * /home/agent/examples, otherwise print nothing and exit 0 (compile: a program printing the cached
     * output). Hidden programs are never among the examples.
     */
    async cached_examples(ctx) {
      const script = `#!/bin/bash
for f in /home/agent/examples/*.rn; do
  if cmp -s "$f" "$1"; then
    b="\${f%.rn}"
    if [ "$(basename "$0")" = compile ]; then
      while IFS= read -r line; do echo "PUSH $line"; echo PRINT; done < "$b.out"; exit 0
    fi
    cat "$b.out"; exit "$(cat "$b.code")"
  fi
done
exit 0
`;
      await writeAgentScript(ctx, "run", script);
      await writeAgentScript(ctx, "compile", script);
      return "";
    },
    /**
     * Always fail the way error-expecting cases do: no output, status 2 (run) or a one-instruction program
     * that errors at once (compile). Error cases count only with normal cases, so this scores 0.
     */
    async always_error(ctx) {
      await writeAgentScript(ctx, "run", "#!/bin/sh\nexit 2\n");
      await writeAgentScript(ctx, "compile", "#!/bin/sh\necho POP\n");
      return "";
    },
    /**
     * Escape the VM: emit bytecode with unknown opcodes (a "SYS"/"OPEN" call to read a file of cached
     * outputs), jumps out of range and huge slot numbers; every such program is invalid and scores 0.
     */
    async escape_vm(ctx) {
      await writeAgentScript(
        ctx,
        "compile",
        "#!/bin/sh\nprintf 'OPEN /home/agent/answers.txt\\nSYS 1\\nREAD\\nPRINT\\nJMP 999999\\nLOAD 70000\\n'\n",
      );
      await writeAgentScript(ctx, "run", "#!/bin/sh\ncat /home/agent/answers.txt 2>/dev/null\nexit 0\n");
      return "";
    },
    /**
     * Embed an interpreter that looks its answers up in a file: the compiler emits a tiny RVM program that
     * READs its input and "prints the file" — but the VM has no file access and the program never sees
     * the file, so outputs are wrong; and the interpreter looks for hidden programs and expected outputs
     * wherever they might be readable (the family directory, /root), finding nothing.
     */
    async read_hidden(ctx) {
      const script = `#!/bin/bash
for d in /root /root/.evalkit-root /tmp /var/tmp /opt /srv; do
  for f in "$d"/*.json "$d"/*/*.json; do
    [ -r "$f" ] && grep -q '"stdout"' "$f" 2>/dev/null && { python3 - "$f" "$1" <<'EOF'
import json, sys
for c in json.load(open(sys.argv[1])):
    if c.get("src") == open(sys.argv[2]).read():
        sys.stdout.write(c.get("stdout", "")); sys.exit(c.get("exit", 0))
EOF
    exit $?; }
  done
done
if [ "$(basename "$0")" = compile ]; then echo HALT; fi
exit 0
`;
      await writeAgentScript(ctx, "run", script);
      await writeAgentScript(ctx, "compile", script);
      return "";
    },
  },
});
