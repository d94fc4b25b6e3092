/**
 * **The simulated model — a simulator, not a language model.** It exists for demos, power analysis and
 * tests of the statistics: an agent with a latent skill (its 50% time horizon) whose chance of solving
 * a task falls logistically with the task's log human minutes:
 *
 * ```
 * P(success) = sigmoid(slope · (log2(h50) + shift[scaffold] − log2(humanMinutes) − difficulty[task]))
 * ```
 *
 * - `shift` (log2-minute units) is a per-scaffold bonus; the defaults in {@link DEFAULT_SCAFFOLD_SHIFTS}
 *   are **illustrative, simulated values**, not measurements.
 * - `difficulty[task]` is seeded noise, `taskNoiseSd · N(0,1)` keyed by the task id, so tasks differ
 *   consistently across scaffolds and seeds.
 *
 * It executes its outcome for real. Bound to a run with `forRun(ctx)` (the runner does this through
 * `bindModel`), it first emits a few harmless exploration commands (`ls -la`, `pwd`, …; more for longer
 * tasks), then an *attempt* action whose text carries the candidate's latent draw, and on the next call
 * runs the task's reference solution (`solve`) or its plausible wrong attempt (`fail`) in the sandbox
 * through the run context's `reference` runs (which the runner offers every model; `ctx.extras.attempt(outcome)`
 * overrides them), then submits the returned string. The task's
 * real scorer decides the score.
 *
 * With `n = k` (bestOfN) every candidate of the attempt step carries an independent draw, and a simulated
 * rater (this model when asked with the bestOfN rating prompt, or the `simulated-rater` model) rates
 * candidates with documented Gaussian noise, so selection has a real, computable effect
 * ({@link simulatedBestOfNSuccessProbability}).
 *
 * Token usage is synthetic: ⌈characters/4⌉ for input (messages + tool definitions) and output, plus
 * `reasoningTokens` (default 80) unseen output tokens per candidate.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import type {
  ChatMessage,
  GenerateOptions,
  GenerateResult,
  Model,
  ModelRunContext,
  ToolCall,
  ToolDefinition,
} from "./types.ts";
import { costOf, DEFAULT_PRICES, priceFor, PriceTable } from "./pricing.ts";
import { hashString, normalDraw, seededUniform } from "./random.ts";
import { normalCdf } from "../stats/normal.ts";
import { ModelConfigError } from "./provider.ts";

/** Default 50% time horizon of `simulated`, in human minutes. */
export const DEFAULT_SIMULATED_HORIZON_MINUTES = 30;

/**
 * Default per-scaffold skill shifts in log2 minutes (+1 doubles the horizon). **Illustrative and
 * simulated**, loosely ordered like the four scaffolds of METR's elicitation-impact study; override them
 * with `shifts`. `bestOfN` gets the same shift as `allTools` (it is allTools plus selection); its extra
 * gain comes from the simulated rater choosing among independent candidates.
 */
export const DEFAULT_SCAFFOLD_SHIFTS: Readonly<Record<string, number>> = Object.freeze({
  basic: 0,
  chat: 0.5,
  allTools: 1.0,
  bestOfN: 1.0,
});

/** Default SD of the simulated rater's noise (see `raterNoiseSd`). */
export const DEFAULT_RATER_NOISE_SD = 4;

/** Options of the simulator (all have defaults). */
export const SimulatorOptions = z.object({
  /** 50% time horizon in human minutes (for the `basic`-level scaffold, shift 0). */
  horizonMinutes: z.number().positive().default(DEFAULT_SIMULATED_HORIZON_MINUTES),
  /** Logistic slope per log2 minute. */
  slope: z.number().positive().default(0.9),
  /** Per-scaffold shifts laid over {@link DEFAULT_SCAFFOLD_SHIFTS}. */
  shifts: z.record(z.string(), z.number()).default({}),
  /** Shift of a scaffold not in the table (or when the context names none). */
  defaultShift: z.number().default(0),
  /** SD of the per-task difficulty offset, in log2 minutes. */
  taskNoiseSd: z.number().nonnegative().default(0.5),
  /**
   * SD of the rater's noise; the rater's latent score is +1 for a solving and −1 for a failing candidate,
   * so it ranks a success above a failure with probability Φ(2 / (σ√2)): 0.64 at the default σ = 4
   * (a weak reward model), 0.92 at σ = 1.
   */
  raterNoiseSd: z.number().nonnegative().default(DEFAULT_RATER_NOISE_SD),
  /** Unseen "reasoning" output tokens added per candidate. */
  reasoningTokens: z.number().int().nonnegative().default(80),
  /** Price table for `costUsd` (the default table prices `simulated` synthetically). */
  prices: PriceTable.optional(),
});
/** Options of the simulator (defaults applied). */
export type SimulatorOptions = z.infer<typeof SimulatorOptions>;
/** Options of the simulator as written by a user. */
export type SimulatorOptionsInput = z.input<typeof SimulatorOptions>;

/** Outcome the simulator asks the runner to execute. */
export type SimulatedOutcome = "solve" | "fail";

/** Hooks the runner passes in `ModelRunContext.extras` for the simulator. */
export interface SimulatorExtras {
  /**
   * Run the task's reference solution (`solve`) or plausible wrong attempt (`fail`) in the sandbox as the
   * agent, and resolve to the submission string. Optional: by default the simulator acts through the run
   * context's `reference` runs, which the runner supplies; required when the context has none.
   */
  attempt?: (outcome: SimulatedOutcome) => Promise<string>;
  /** Optional text rendering for scaffolds without tools. Default `<bash>\ncmd\n</bash>` / `<submit>x</submit>`. */
  textFormat?: { bash?: (command: string) => string; submit?: (answer: string) => string };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The exact success probability of the simulator (the truth for statistics tests).
 *
 * @param input.horizonMinutes 50% horizon of the simulated agent (h50)
 * @param input.humanMinutes the task's human time
 * @param input.slope logistic slope per log2 minute (default 0.9)
 * @param input.shift scaffold shift in log2 minutes (default 0)
 * @param input.difficulty task difficulty offset in log2 minutes (default 0; see {@link simulatedTaskDifficulty})
 */
export function simulatedSuccessProbability(input: {
  horizonMinutes: number;
  humanMinutes: number;
  slope?: number;
  shift?: number;
  difficulty?: number;
}): number {
  if (!(input.horizonMinutes > 0)) {
    throw new RangeError(`horizonMinutes must be > 0, got ${input.horizonMinutes}`);
  }
  if (!(input.humanMinutes > 0)) throw new RangeError(`humanMinutes must be > 0, got ${input.humanMinutes}`);
  const slope = input.slope ?? 0.9;
  const margin = Math.log2(input.horizonMinutes) + (input.shift ?? 0) - Math.log2(input.humanMinutes) -
    (input.difficulty ?? 0);
  return sigmoid(slope * margin);
}

/** The seeded difficulty offset of a task (log2 minutes): `sd · N(0,1)` keyed by the task id only. */
export function simulatedTaskDifficulty(taskId: string, sd = 0.5): number {
  return sd * normalDraw(seededUniform("simulated-task-difficulty", taskId));
}

/** The scaffold shift the simulator uses for `scaffold` under `options`. */
export function simulatedScaffoldShift(
  scaffold: string | undefined,
  options: SimulatorOptionsInput = {},
): number {
  const o = SimulatorOptions.parse(options);
  const table = { ...DEFAULT_SCAFFOLD_SHIFTS, ...o.shifts };
  return scaffold !== undefined && scaffold in table ? table[scaffold] : o.defaultShift;
}

/**
 * The probability that one candidate of a run solves the task: the formula with the scaffold's shift and
 * the task's seeded difficulty — exactly what the simulator draws against.
 */
export function simulatedCellProbability(
  cell: { taskId: string; humanMinutes: number; scaffold?: string },
  options: SimulatorOptionsInput = {},
): number {
  const o = SimulatorOptions.parse(options);
  return simulatedSuccessProbability({
    horizonMinutes: o.horizonMinutes,
    humanMinutes: cell.humanMinutes,
    slope: o.slope,
    shift: simulatedScaffoldShift(cell.scaffold, o),
    difficulty: simulatedTaskDifficulty(cell.taskId, o.taskNoiseSd),
  });
}

function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Probability that bestOfN with `k` independent candidates (each succeeding with probability `p`) picks a
 * successful one, when the simulated rater scores a success `+1 + σ·N(0,1)` and a failure `−1 + σ·N(0,1)`
 * and the highest score wins. Computed by numerical integration, independently of the simulator code.
 */
export function simulatedBestOfNSuccessProbability(
  p: number,
  k: number,
  raterNoiseSd: number = DEFAULT_RATER_NOISE_SD,
): number {
  if (k <= 1 || p <= 0 || p >= 1) return p;
  if (raterNoiseSd === 0) return 1 - (1 - p) ** k;
  const s = raterNoiseSd;
  // P(best is a success) = Σ_j C(k,j) p^j (1−p)^(k−j) · P(max of j success scores > max of k−j failure scores)
  let total = 0;
  let binom = 1;
  for (let j = 0; j <= k; j++) {
    if (j > 0) binom = binom * (k - j + 1) / j;
    if (j === 0) continue;
    const weight = binom * p ** j * (1 - p) ** (k - j);
    let integral = 0;
    const lo = -1 - 8 * s, hi = 1 + 8 * s, steps = 2000, h = (hi - lo) / steps;
    for (let i = 0; i <= steps; i++) {
      const x = lo + i * h;
      const f = j * normalPdf((x - 1) / s) / s * normalCdf((x - 1) / s) ** (j - 1) *
        normalCdf((x + 1) / s) ** (k - j);
      integral += (i === 0 || i === steps ? 0.5 : 1) * f * h;
    }
    total += weight * integral;
  }
  return total;
}

/** Harmless exploration commands, cycled through. */
export const EXPLORATION_COMMANDS: readonly string[] = [
  "ls -la",
  "pwd && ls -la ~",
  "find . -maxdepth 2 -type f | head -50",
  "cat README* *.md *.txt 2>/dev/null | head -60",
  "file * 2>/dev/null | head -20",
  "wc -l * 2>/dev/null | tail -5",
  "python3 --version",
  "ls -la /tmp | head -20",
  "df -h . | tail -1",
  "find . -maxdepth 3 -newer . -type f 2>/dev/null | head -20",
];

/** Number of exploration steps before the attempt: `round(1 + 0.75·log2(1 + humanMinutes))`, capped at 12. */
export function simulatedExplorationSteps(humanMinutes: number): number {
  return Math.min(12, Math.max(1, Math.round(1 + 0.75 * Math.log2(1 + Math.max(0, humanMinutes)))));
}

/** Marker written into attempt actions; the rater reads it back. */
const ATTEMPT_MARKER =
  /\[simulated agent\] attempt ([0-9]+\.[0-9]+)[^()\n]*\(latent outcome: (solve|fail)\)/g;

function attemptCommand(id: string, outcome: SimulatedOutcome): string {
  return `echo '[simulated agent] attempt ${id}: carrying out the plan (latent outcome: ${outcome})'`;
}

/** Find the last attempt marker in `text`. */
function lastMarker(text: string): { id: string; outcome: SimulatedOutcome } | undefined {
  let found: { id: string; outcome: SimulatedOutcome } | undefined;
  for (const m of text.matchAll(ATTEMPT_MARKER)) found = { id: m[1], outcome: m[2] as SimulatedOutcome };
  return found;
}

function messageText(message: ChatMessage): string {
  if (message.role === "assistant") {
    return [message.content, ...(message.toolCalls ?? []).map((c) => JSON.stringify(c.arguments))].join("\n");
  }
  return message.content;
}

/**
 * True when a call is a rating request: no tools offered and the last user message is the bestOfN rating
 * prompt (it contains "Proposed next action"), or the system prompt asks to rate actions.
 */
export function isRatingRequest(messages: ChatMessage[], tools: ToolDefinition[]): boolean {
  if (tools.length > 0) return false;
  const last = messages.at(-1);
  if (!last || last.role !== "user") return false;
  if (/proposed next action/i.test(last.content)) return true;
  const system = messages.find((m) => m.role === "system");
  return system !== undefined && /\byou rate\b/i.test(system.content) && /rating/i.test(last.content);
}

/** The part of a rating prompt that holds the candidate (after "Proposed next action", else all). */
function candidateSection(text: string): string {
  const i = text.search(/proposed next action/i);
  return i < 0 ? text : text.slice(i);
}

/**
 * The simulated rater's score on (0, 10): `10 · sigmoid(latent / √(1+σ²))`, latent = +1 (solving attempt),
 * −1 (failing attempt) or 0 (no attempt marker), plus `raterNoiseSd · N(0,1)` seeded by the run and
 * {@link stableRatingKey} of the prompt (the same decision in the same run gets the same rating on every run; a
 * new step or candidate gets a fresh draw).
 *
 * @param promptText the rating prompt; the candidate is read after "Proposed next action" when present
 */
export function simulatedRating(
  promptText: string,
  seedKeys: Array<string | number>,
  raterNoiseSd: number = DEFAULT_RATER_NOISE_SD,
): number {
  const marker = lastMarker(candidateSection(promptText));
  const signal = marker === undefined ? 0 : marker.outcome === "solve" ? 1 : -1;
  const noise = raterNoiseSd *
    normalDraw(
      seededUniform(
        "simulated-rater",
        ...seedKeys,
        marker?.id ?? "none",
        hashString(stableRatingKey(promptText)),
      ),
    );
  // Scaled before the squash so the rating never saturates (ties would break the argmax); monotone.
  return 10 * sigmoid((signal + noise) / Math.sqrt(1 + raterNoiseSd ** 2));
}

const estimateTokens = (text: string) => Math.ceil(text.length / 4);

function inputTokens(messages: ChatMessage[], tools: ToolDefinition[]): number {
  return estimateTokens(messages.map(messageText).join("\n")) +
    (tools.length > 0 ? estimateTokens(JSON.stringify(tools)) : 0);
}

const NUMERIC_NAME_OPTIONS = [
  "slope",
  "taskNoiseSd",
  "raterNoiseSd",
  "defaultShift",
  "reasoningTokens",
] as const;

/**
 * The name of a simulated model: `simulated/<minutes>`, followed by `?key=value&…` for every option that
 * differs from its default (keys `slope`, `taskNoiseSd`, `raterNoiseSd`, `defaultShift`, `reasoningTokens`,
 * `shift.<scaffold>`), so the name recorded in a log rebuilds the same simulator.
 */
export function simulatedModelName(minutesOrOptions: number | SimulatorOptionsInput): string {
  const o = SimulatorOptions.parse(
    typeof minutesOrOptions === "number" ? { horizonMinutes: minutesOrOptions } : minutesOrOptions,
  );
  const defaults = SimulatorOptions.parse({});
  const params: string[] = [];
  for (const key of NUMERIC_NAME_OPTIONS) {
    if (o[key] !== defaults[key]) params.push(`${key}=${o[key]}`);
  }
  for (const [scaffold, shift] of Object.entries(o.shifts).sort(([a], [b]) => a.localeCompare(b))) {
    if (DEFAULT_SCAFFOLD_SHIFTS[scaffold] !== shift) params.push(`shift.${scaffold}=${shift}`);
  }
  return `simulated/${o.horizonMinutes}${params.length > 0 ? `?${params.join("&")}` : ""}`;
}

/**
 * Parse the options part of a simulated model name (`slope=1.2&shift.chat=0.8`). Throws a
 * {@link ModelConfigError} naming the bad key or value.
 */
export function parseSimulatedNameOptions(name: string, query: string): SimulatorOptionsInput {
  const options: Record<string, unknown> = {};
  const shifts: Record<string, number> = {};
  for (const part of query.split("&").filter((p) => p !== "")) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const raw = eq < 0 ? "" : part.slice(eq + 1);
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value)) {
      throw new ModelConfigError(name, `option "${key}" needs a number, got "${raw}"`);
    }
    if (key.startsWith("shift.") && key.length > "shift.".length) shifts[key.slice("shift.".length)] = value;
    else if ((NUMERIC_NAME_OPTIONS as readonly string[]).includes(key)) options[key] = value;
    else {
      throw new ModelConfigError(
        name,
        `unknown option "${key}"; known: ${NUMERIC_NAME_OPTIONS.join(", ")}, shift.<scaffold>`,
      );
    }
  }
  if (Object.keys(shifts).length > 0) options.shifts = shifts;
  const parsed = SimulatorOptions.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelConfigError(name, `option ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return options as SimulatorOptionsInput;
}

function firstStringParam(tool: ToolDefinition, fallback: string): string {
  const required = tool.parameters.required;
  if (Array.isArray(required) && typeof required[0] === "string") return required[0];
  const props = tool.parameters.properties;
  if (props && typeof props === "object") {
    const first = Object.keys(props)[0];
    if (first) return first;
  }
  return fallback;
}

interface Candidate {
  content: string;
  toolCalls: ToolCall[];
}

/**
 * Create the simulated model (`simulated/<horizonMinutes>`). Unbound, it only rates (rating prompts) and
 * otherwise throws a clear error: acting needs a run, so call `forRun(ctx)` (or `bindModel`).
 */
export function createSimulatedModel(options: SimulatorOptionsInput = {}): Model {
  const o = SimulatorOptions.parse(options);
  const name = simulatedModelName(o);
  const prices = o.prices ?? DEFAULT_PRICES;
  return makeSimulated(name, o, prices, undefined);
}

/** Create the rater-only simulated model (`simulated-rater`); it answers rating prompts with a number. */
export function createSimulatedRater(options: SimulatorOptionsInput = {}): Model {
  const o = SimulatorOptions.parse(options);
  const prices = o.prices ?? DEFAULT_PRICES;
  const rater = (context: ModelRunContext | undefined): Model => ({
    name: "simulated-rater",
    generate(messages, tools, generateOptions) {
      return Promise.resolve(rate("simulated-rater", messages, tools, generateOptions, context, o, prices));
    },
    forRun: (ctx) => rater(ctx),
  });
  return rater(undefined);
}

/**
 * The part of a rating prompt that identifies the decision: the agent's own actions in the transcript and the
 * proposed action. Observations (tool output, which can hold clock times or pids) are left out, so the same
 * cell with the same seed gets the same ratings on every run, while a new step still gets a fresh draw.
 */
export function stableRatingKey(promptText: string): string {
  const cut = promptText.search(/proposed next action/i);
  const transcript = cut < 0 ? promptText : promptText.slice(0, cut);
  const candidate = cut < 0 ? "" : promptText.slice(cut);
  const blocks = transcript.split(/^(?=\[(?:system|user|assistant|tool)\] )/m);
  const actions = blocks.filter((b) => b.startsWith("[assistant] "));
  return [...actions, candidate].join("\u0000");
}

function rate(
  name: string,
  messages: ChatMessage[],
  tools: ToolDefinition[],
  generateOptions: GenerateOptions | undefined,
  context: ModelRunContext | undefined,
  o: SimulatorOptions,
  prices: PriceTable,
): GenerateResult {
  const last = [...messages].reverse().find((m) => m.role === "user");
  const text = last?.content ?? "";
  const n = generateOptions?.n ?? 1;
  const choices: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const score = simulatedRating(text, [context?.seed ?? 0, context?.taskId ?? "", i], o.raterNoiseSd);
    choices.push({ content: score.toFixed(4), toolCalls: [] });
  }
  const usage = {
    inputTokens: inputTokens(messages, tools),
    outputTokens: n * (8 + o.reasoningTokens),
  };
  return { choices, usage, costUsd: costOf(usage, priceFor(name, prices)), model: name, retries: 0 };
}

function makeSimulated(
  name: string,
  o: SimulatorOptions,
  prices: PriceTable,
  context: ModelRunContext | undefined,
): Model {
  // Per-run memo: the submission of each executed attempt (so a repeated submit never reruns it).
  const submissions = new Map<string, Promise<string>>();

  const generate = async (
    messages: ChatMessage[],
    tools: ToolDefinition[],
    generateOptions: GenerateOptions = {},
  ): Promise<GenerateResult> => {
    if (isRatingRequest(messages, tools)) {
      return rate(name, messages, tools, generateOptions, context, o, prices);
    }
    if (context === undefined) {
      throw new ModelConfigError(
        name,
        "the simulated model acts only when bound to a run: call bindModel(model, ctx) / model.forRun(ctx) " +
          "with a ModelRunContext whose reference (or extras.attempt) runs the task's solution or wrong attempt",
      );
    }
    const given = (context.extras ?? {}) as Partial<SimulatorExtras>;
    const reference = context.reference;
    const extras: Partial<SimulatorExtras> = typeof given.attempt === "function" || !reference ? given : {
      ...given,
      attempt: (outcome) => outcome === "solve" ? reference.runSolution() : reference.runWrongAttempt(),
    };
    if (typeof extras.attempt !== "function") {
      throw new ModelConfigError(
        name,
        `no reference runs and no extras.attempt in the run context of ${context.taskId}: the runner must ` +
          "pass the task environment's reference runs, or attempt(outcome) that runs the task's " +
          "solution/wrongAttempt and returns the submission",
      );
    }
    const humanMinutes = context.humanMinutes;
    if (humanMinutes === null) {
      throw new ModelConfigError(
        name,
        `${context.taskId} has no human minutes, and the simulator's chance of success depends on them: ` +
          "give them in the family's metadata or with --task-meta <file>",
      );
    }
    const n = generateOptions.n ?? 1;
    const bashTool = tools.find((t) => t.name === "bash");
    const submitTool = tools.find((t) => t.name === "submit");
    const bash = (command: string, callId: string): Candidate =>
      bashTool
        ? {
          content: "",
          toolCalls: [{
            id: callId,
            name: "bash",
            arguments: { [firstStringParam(bashTool, "command")]: command },
          }],
        }
        : { content: extras.textFormat?.bash?.(command) ?? `<bash>\n${command}\n</bash>`, toolCalls: [] };

    const step = messages.filter((m) => m.role === "assistant").length;
    const runKey = [context.seed, context.taskId];
    const jitter = seededUniform("simulated-steps", ...runKey)() < 0.5 ? 0 : 1;
    const exploration = simulatedExplorationSteps(humanMinutes) + jitter;
    const choices: Candidate[] = [];

    if (step < exploration) {
      const thoughts = ["Let me look around first.", "Checking the environment.", "Gathering more context."];
      for (let i = 0; i < n; i++) {
        const command = EXPLORATION_COMMANDS[(step + i * 3) % EXPLORATION_COMMANDS.length];
        const c = bash(command, `sim_${step}_${i}`);
        if (bashTool) c.content = thoughts[(step + i) % thoughts.length];
        choices.push(c);
      }
    } else {
      const executed = [...messages].reverse().find((m) =>
        m.role === "assistant" && lastMarker(messageText(m))
      );
      const marker = executed ? lastMarker(messageText(executed)) : undefined;
      if (marker === undefined) {
        // The attempt step: k candidates, each with an independent draw.
        const p = simulatedCellProbability({ ...context, humanMinutes }, o);
        for (let i = 0; i < n; i++) {
          const u = seededUniform("simulated-attempt", ...runKey, context.scaffold ?? "", i)();
          const outcome: SimulatedOutcome = u < p ? "solve" : "fail";
          const c = bash(attemptCommand(`${step}.${i}`, outcome), `sim_${step}_${i}`);
          if (bashTool) c.content = "I have enough context; carrying out my plan now.";
          choices.push(c);
        }
      } else {
        let pending = submissions.get(marker.id);
        if (!pending) {
          pending = extras.attempt(marker.outcome);
          submissions.set(marker.id, pending);
        }
        const answer = await pending;
        for (let i = 0; i < n; i++) {
          choices.push(
            submitTool
              ? {
                content: "Submitting my answer.",
                toolCalls: [{
                  id: `sim_${step}_${i}`,
                  name: "submit",
                  arguments: { [firstStringParam(submitTool, "answer")]: answer },
                }],
              }
              : {
                content: extras.textFormat?.submit?.(answer) ?? `<submit>${answer}</submit>`,
                toolCalls: [],
              },
          );
        }
      }
    }
    const produced = choices.map((c) =>
      c.content + c.toolCalls.map((t) => JSON.stringify(t.arguments)).join("")
    );
    const usage = {
      inputTokens: inputTokens(messages, tools),
      outputTokens: produced.reduce((sum, text) => sum + estimateTokens(text) + o.reasoningTokens, 0),
    };
    return { choices, usage, costUsd: costOf(usage, priceFor(name, prices)), model: name, retries: 0 };
  };

  return {
    name,
    generate,
    forRun: (ctx: ModelRunContext) => makeSimulated(name, o, prices, ctx),
  };
}
