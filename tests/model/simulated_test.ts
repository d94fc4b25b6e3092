import assert from "node:assert/strict";
import { bindModel, createModel } from "../../lib/model/registry.ts";
import {
  createSimulatedModel,
  DEFAULT_SCAFFOLD_SHIFTS,
  isRatingRequest,
  simulatedBestOfNSuccessProbability,
  simulatedCellProbability,
  simulatedExplorationSteps,
  type SimulatedOutcome,
  simulatedSuccessProbability,
  simulatedTaskDifficulty,
} from "../../lib/model/simulated.ts";
import { ModelConfigError } from "../../lib/model/provider.ts";
import type { ChatMessage, Model, ToolCall } from "../../lib/model/types.ts";
import { toolDefinitions } from "../../lib/agent/tools.ts";
import { parseTextAction } from "../../lib/agent/scaffolds/common.ts";
import { parseRating, pickBest, ratingMessages } from "../../lib/agent/scaffolds/best_of_n.ts";

const CHAT_TOOLS = toolDefinitions(["bash", "python", "submit"]);
const ALL_TOOLS = toolDefinitions(["bash", "python", "view_file", "edit_file", "list_files", "submit"]);

interface Trace {
  outcome: SimulatedOutcome | null;
  submission: string | null;
  actions: string[];
  inputTokens: number;
  outputTokens: number;
  attempts: number;
}

/** Drive a bound simulated model the way a tool-calling scaffold does (observations are canned text). */
async function runToolLoop(
  model: Model,
  attempts: SimulatedOutcome[],
  options: { n?: number; rater?: Model; instructions?: string } = {},
): Promise<Trace> {
  const tools = options.n ? ALL_TOOLS : CHAT_TOOLS;
  const messages: ChatMessage[] = [{ role: "system", content: "You are an agent." }, {
    role: "user",
    content: options.instructions ?? "Your task: do it.",
  }];
  const trace: Trace = {
    outcome: null,
    submission: null,
    actions: [],
    inputTokens: 0,
    outputTokens: 0,
    attempts: 0,
  };
  for (let turn = 0; turn < 40; turn++) {
    const result = await model.generate(messages, tools, { n: options.n });
    trace.inputTokens += result.usage.inputTokens;
    trace.outputTokens += result.usage.outputTokens;
    let chosen = 0;
    if (options.n && options.rater) {
      const ratings = [];
      for (const candidate of result.choices) {
        const r = await options.rater.generate(ratingMessages("do it", messages, candidate), []);
        ratings.push(parseRating(r.choices[0].content));
      }
      chosen = pickBest(ratings);
    }
    const choice = result.choices[chosen];
    messages.push({ role: "assistant", content: choice.content, toolCalls: choice.toolCalls });
    const call: ToolCall = choice.toolCalls[0];
    if (call.name === "submit") {
      trace.submission = (call.arguments as { answer: string }).answer;
      trace.outcome = attempts.at(-1) ?? null;
      trace.attempts = attempts.length;
      return trace;
    }
    const command = (call.arguments as { command: string }).command;
    trace.actions.push(command);
    messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: `ran: ${command}` });
  }
  throw new Error("no submission after 40 turns");
}

function bound(
  name: string,
  cell: { taskId: string; humanMinutes: number; seed: number; scaffold?: string },
) {
  const attempts: SimulatedOutcome[] = [];
  const model = bindModel(createModel(name), {
    ...cell,
    extras: {
      attempt: (outcome: SimulatedOutcome) => {
        attempts.push(outcome);
        return Promise.resolve(outcome === "solve" ? "the right answer" : "a wrong answer");
      },
    },
  });
  return { model, attempts };
}

Deno.test("simulated: the probability formula matches an independent computation", () => {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  assert.equal(simulatedSuccessProbability({ horizonMinutes: 30, humanMinutes: 30 }), 0.5);
  // One doubling of task length above the horizon at slope 0.9.
  assert.ok(
    Math.abs(simulatedSuccessProbability({ horizonMinutes: 30, humanMinutes: 60 }) - sig(-0.9)) < 1e-12,
  );
  // A shift of +1 (log2 minutes) is the same as doubling the horizon.
  assert.ok(
    Math.abs(
      simulatedSuccessProbability({ horizonMinutes: 30, humanMinutes: 200, shift: 1, slope: 1.3 }) -
        simulatedSuccessProbability({ horizonMinutes: 60, humanMinutes: 200, slope: 1.3 }),
    ) < 1e-12,
  );
  // Difficulty offset acts like longer tasks.
  assert.ok(
    Math.abs(
      simulatedSuccessProbability({ horizonMinutes: 30, humanMinutes: 10, difficulty: 2 }) -
        simulatedSuccessProbability({ horizonMinutes: 30, humanMinutes: 40 }),
    ) < 1e-12,
  );
  assert.throws(() => simulatedSuccessProbability({ horizonMinutes: 30, humanMinutes: 0 }), RangeError);
});

Deno.test("simulated: task difficulty is seeded by task id, the same across scaffolds, and scaffolds order as documented", () => {
  assert.equal(simulatedTaskDifficulty("fam/a"), simulatedTaskDifficulty("fam/a"));
  assert.notEqual(simulatedTaskDifficulty("fam/a"), simulatedTaskDifficulty("fam/b"));
  const sds = Array.from({ length: 4000 }, (_, i) => simulatedTaskDifficulty(`fam/t${i}`, 0.5));
  const mean = sds.reduce((a, b) => a + b, 0) / sds.length;
  const sd = Math.sqrt(sds.reduce((a, b) => a + (b - mean) ** 2, 0) / (sds.length - 1));
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(sd - 0.5) < 0.03, `sd ${sd}`);
  const cell = { taskId: "fam/x", humanMinutes: 45 };
  const ps = Object.keys(DEFAULT_SCAFFOLD_SHIFTS).map((s) =>
    simulatedCellProbability({ ...cell, scaffold: s })
  );
  assert.ok(ps[0] < ps[1] && ps[1] < ps[2] && ps[2] === ps[3], `basic < chat < allTools = bestOfN: ${ps}`);
  // Cell probability = formula with the task's difficulty and the scaffold shift.
  assert.equal(
    simulatedCellProbability({ ...cell, scaffold: "chat" }, { horizonMinutes: 20 }),
    simulatedSuccessProbability({
      horizonMinutes: 20,
      humanMinutes: 45,
      shift: 0.5,
      difficulty: simulatedTaskDifficulty("fam/x", 0.5),
    }),
  );
});

Deno.test("simulated: empirical success frequency over many seeds matches the formula", async () => {
  const cells = [
    { taskId: "fam/short", humanMinutes: 4, scaffold: "basic" },
    { taskId: "fam/mid", humanMinutes: 30, scaffold: "chat" },
    { taskId: "fam/long", humanMinutes: 240, scaffold: "allTools" },
  ];
  const runs = 1500;
  for (const cell of cells) {
    let solved = 0;
    for (let seed = 0; seed < runs; seed++) {
      const { model, attempts } = bound("simulated/30", { ...cell, seed });
      const trace = await runToolLoop(model, attempts);
      assert.equal(trace.attempts, 1, "the attempt runs exactly once");
      assert.equal(trace.submission, trace.outcome === "solve" ? "the right answer" : "a wrong answer");
      if (trace.outcome === "solve") solved++;
    }
    const p = simulatedCellProbability(cell, { horizonMinutes: 30 });
    const se = Math.sqrt(p * (1 - p) / runs);
    const observed = solved / runs;
    assert.ok(Math.abs(observed - p) < 4 * se, `${cell.taskId}: observed ${observed}, formula ${p}`);
  }
});

Deno.test("simulated: deterministic per seed; different seeds differ", async () => {
  const cell = { taskId: "fam/mid", humanMinutes: 30, scaffold: "chat" };
  const a = bound("simulated/30", { ...cell, seed: 7 });
  const b = bound("simulated/30", { ...cell, seed: 7 });
  const ta = await runToolLoop(a.model, a.attempts);
  const tb = await runToolLoop(b.model, b.attempts);
  assert.deepEqual(ta, tb);
  const outcomes = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const c = bound("simulated/30", { ...cell, seed });
    const t = await runToolLoop(c.model, c.attempts);
    outcomes.add(`${t.outcome}:${t.actions.length}`);
  }
  assert.ok(outcomes.size >= 3, `seeds should vary outcome and length: ${[...outcomes]}`);
});

Deno.test("simulated: exploration grows with log task length; usage is positive and grows with steps", async () => {
  assert.ok(simulatedExplorationSteps(1) < simulatedExplorationSteps(30));
  assert.ok(simulatedExplorationSteps(30) < simulatedExplorationSteps(960));
  const short = bound("simulated/30", { taskId: "fam/s", humanMinutes: 1, seed: 1, scaffold: "chat" });
  const long = bound("simulated/30", { taskId: "fam/l", humanMinutes: 960, seed: 1, scaffold: "chat" });
  const ts = await runToolLoop(short.model, short.attempts);
  const tl = await runToolLoop(long.model, long.attempts);
  assert.ok(tl.actions.length > ts.actions.length + 3, `${ts.actions.length} vs ${tl.actions.length}`);
  assert.ok(tl.outputTokens > ts.outputTokens && tl.inputTokens > ts.inputTokens);
  assert.equal(ts.actions[0], "ls -la");
  assert.match(ts.actions.at(-1)!, /\[simulated agent\] attempt/);
});

Deno.test("simulated: without tools it speaks the basic scaffold's text format", async () => {
  const { model, attempts } = bound("simulated/30", {
    taskId: "fam/t",
    humanMinutes: 2,
    seed: 3,
    scaffold: "basic",
  });
  const messages: ChatMessage[] = [{ role: "system", content: "Use <bash>…</bash>" }, {
    role: "user",
    content: "Your task: x",
  }];
  let submission: string | null = null;
  for (let turn = 0; turn < 20 && submission === null; turn++) {
    const r = await model.generate(messages, []);
    const text = r.choices[0].content;
    assert.deepEqual(r.choices[0].toolCalls, []);
    const action = parseTextAction(text);
    assert.ok(action, `a parsable action: ${text}`);
    messages.push({ role: "assistant", content: text });
    if (action.tool === "submit") submission = action.body;
    else messages.push({ role: "user", content: `Output:\nran ${action.body}` });
  }
  assert.equal(attempts.length, 1);
  assert.equal(submission, attempts[0] === "solve" ? "the right answer" : "a wrong answer");
});

Deno.test("simulated: unbound or without extras.attempt it fails clearly", async () => {
  const model = createSimulatedModel();
  assert.equal(model.name, "simulated/30");
  await assert.rejects(
    () => model.generate([{ role: "user", content: "x" }], CHAT_TOOLS),
    (e: unknown) => e instanceof ModelConfigError && /bindModel/.test(e.message),
  );
  const noAttempt = bindModel(model, { taskId: "fam/t", humanMinutes: 5, seed: 1 });
  await assert.rejects(
    () => noAttempt.generate([{ role: "user", content: "x" }], CHAT_TOOLS),
    (e: unknown) =>
      e instanceof ModelConfigError && /extras\.attempt/.test(e.message) && /fam\/t/.test(e.message),
  );
});

Deno.test("simulated: the bestOfN selection formula agrees with an independent Monte Carlo", () => {
  // Independent check: simulate k candidates, ratings ±1 + σ·N(0,1), pick the max.
  let state = 12345;
  const u = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  for (const [p, k, s] of [[0.3, 8, 1], [0.1, 4, 0.5], [0.6, 3, 2]] as const) {
    let wins = 0;
    const trials = 100_000;
    for (let t = 0; t < trials; t++) {
      let best = -Infinity, bestOk = false;
      for (let i = 0; i < k; i++) {
        const ok = u() < p;
        const score = (ok ? 1 : -1) + s * normal();
        if (score > best) [best, bestOk] = [score, ok];
      }
      if (bestOk) wins++;
    }
    const exact = simulatedBestOfNSuccessProbability(p, k, s);
    assert.ok(
      Math.abs(wins / trials - exact) < 0.006,
      `p=${p} k=${k} σ=${s}: MC ${wins / trials}, formula ${exact}`,
    );
  }
  assert.ok(Math.abs(simulatedBestOfNSuccessProbability(0.3, 8, 0) - (1 - 0.7 ** 8)) < 1e-12);
  assert.equal(simulatedBestOfNSuccessProbability(0.3, 1, 1), 0.3);
});

Deno.test("simulated: bestOfN with the simulated rater succeeds at the predicted, higher rate", async () => {
  const cell = { taskId: "fam/hard", humanMinutes: 45, scaffold: "bestOfN" };
  const p = simulatedCellProbability(cell, { horizonMinutes: 30 });
  const k = 8;
  const expected = simulatedBestOfNSuccessProbability(p, k);
  const runs = 600;
  let solved = 0;
  for (let seed = 0; seed < runs; seed++) {
    const { model, attempts } = bound("simulated/30", { ...cell, seed });
    // Default bestOfN rater = the run's own model answering the real rating prompt.
    const trace = await runToolLoop(model, attempts, { n: k, rater: model });
    if (trace.outcome === "solve") solved++;
  }
  const observed = solved / runs;
  const se = Math.sqrt(expected * (1 - expected) / runs);
  assert.ok(Math.abs(observed - expected) < 4 * se, `observed ${observed}, expected ${expected} (p=${p})`);
  assert.ok(expected > p + 0.08, `selection must matter: ${expected} vs ${p}`);
});

Deno.test("simulated: the rater recognises the bestOfN rating prompt and rates attempts by their latent outcome", async () => {
  const rater = createModel("simulated-rater", { raterNoiseSd: 1 });
  const solve = {
    content: "",
    toolCalls: [{
      id: "c1",
      name: "bash",
      arguments: {
        command: "echo '[simulated agent] attempt 4.1: carrying out the plan (latent outcome: solve)'",
      },
    }],
  };
  const fail = {
    content: "",
    toolCalls: [{
      id: "c2",
      name: "bash",
      arguments: {
        command: "echo '[simulated agent] attempt 4.2: carrying out the plan (latent outcome: fail)'",
      },
    }],
  };
  const transcript: ChatMessage[] = [{ role: "user", content: "Your task: x" }];
  const solveMessages = ratingMessages("x", transcript, solve);
  assert.ok(isRatingRequest(solveMessages, []));
  assert.ok(!isRatingRequest(solveMessages, CHAT_TOOLS));
  assert.ok(
    !isRatingRequest([{ role: "system", content: "Use <bash>" }, { role: "user", content: "Output: x" }], []),
  );
  const rs = await rater.generate(solveMessages, []);
  const rf = await rater.generate(ratingMessages("x", transcript, fail), []);
  const a = parseRating(rs.choices[0].content), b = parseRating(rf.choices[0].content);
  assert.ok(a !== null && b !== null && a > 0 && a < 10 && b > 0 && b < 10);
  // Averaged over runs the solving attempt rates higher.
  let higher = 0;
  for (let seed = 0; seed < 200; seed++) {
    const r = bindModel(rater, { taskId: "fam/t", humanMinutes: 5, seed });
    const x = parseRating((await r.generate(solveMessages, [])).choices[0].content)!;
    const y = parseRating((await r.generate(ratingMessages("x", transcript, fail), [])).choices[0].content)!;
    if (x > y) higher++;
  }
  // P(+1+σZ1 > −1+σZ2) = Φ(2/√2) ≈ 0.92 at σ = 1.
  assert.ok(higher > 160 && higher < 198, `solve rated higher in ${higher}/200`);
  // The default rater is weak: Φ(2/(4√2)) ≈ 0.64.
  const weak = createModel("simulated-rater");
  let weakHigher = 0;
  for (let seed = 0; seed < 400; seed++) {
    const r = bindModel(weak, { taskId: "fam/t", humanMinutes: 5, seed });
    const x = parseRating((await r.generate(solveMessages, [])).choices[0].content)!;
    const y = parseRating((await r.generate(ratingMessages("x", transcript, fail), [])).choices[0].content)!;
    if (x > y) weakHigher++;
  }
  assert.ok(weakHigher > 0.56 * 400 && weakHigher < 0.72 * 400, `default rater: ${weakHigher}/400`);
});

Deno.test("simulated: options from the model name change the drawn probability", async () => {
  // taskNoiseSd=0 and a steep slope: a task far below the horizon is always solved, far above never.
  for (const [minutes, expected] of [[1, "solve"], [900, "fail"]] as const) {
    for (let seed = 0; seed < 20; seed++) {
      const { model, attempts } = bound("simulated/30?slope=8&taskNoiseSd=0", {
        taskId: "fam/x",
        humanMinutes: minutes,
        seed,
        scaffold: "chat",
      });
      const trace = await runToolLoop(model, attempts);
      assert.equal(trace.outcome, expected);
    }
  }
});

Deno.test("simulated rater: observations (clock times) do not change a rating; the agent's actions do", async () => {
  const { simulatedRating } = await import("../../lib/model/simulated.ts");
  const prompt = (clock: string, action: string) =>
    `Task:\nfind the flag\n\nRecent transcript:\n[assistant] bash: ${action}\n[tool] -rw-r--r-- 1 agent agent 5 Nov 24 ${clock} a.txt\n\n` +
    "Proposed next action:\nbash: cat a.txt\n\nRating (0-10):";
  const a = simulatedRating(prompt("16:41", "ls -la"), [7, "t/x", 0]);
  const b = simulatedRating(prompt("16:42", "ls -la"), [7, "t/x", 0]);
  const c = simulatedRating(prompt("16:41", "ls -l /tmp"), [7, "t/x", 0]);
  if (a !== b) throw new Error(`rating changed with the clock: ${a} vs ${b}`);
  if (a === c) throw new Error("rating did not change with a different action history");
});
