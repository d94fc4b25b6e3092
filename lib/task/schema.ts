/**
 * Zod schemas of the TypeScript task standard: a family manifest and the metadata of each task.
 * Types are inferred from the schemas, so a manifest that type-checks is also one the loader accepts
 * (the loader still validates at run time, because task files are user input).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { z } from "../deps/zod.ts";

/** Version of this project's TypeScript task standard. */
export const STANDARD_VERSION = "1.0.0";

/** Where a task's human-time figure comes from (METR's three sources, in increasing reliability). */
export const HumanSource = z.enum(["estimate", "qa", "baseline"]);
/** Where a task's human-time figure comes from. */
export type HumanSource = z.infer<typeof HumanSource>;

/** The value of a metadata field nobody gave (METR-format families only; see {@link OptionalTaskMetadata}). */
export const UNKNOWN = "unknown" as const;
/** The value of a metadata field nobody gave. */
export type Unknown = typeof UNKNOWN;

/** Capability domain of a task. */
export const Domain = z.enum([
  "software_engineering",
  "ml_engineering",
  "cybersecurity",
  "research",
  "data_analysis",
  "general_reasoning",
]);
/** Capability domain of a task. */
export type Domain = z.infer<typeof Domain>;

/** METR's quality levels, lowest first. */
export const Quality = z.enum([
  "implementation",
  "working_implementation",
  "qa_ready",
  "qa_passed",
  "baseline_ready",
]);
/** METR's quality levels, lowest first. */
export type Quality = z.infer<typeof Quality>;

/** Network permissions: none, or exactly `["full_internet"]` (METR semantics). */
export const Permissions = z.union([z.tuple([]), z.tuple([z.literal("full_internet")])]);
/** Network permissions. */
export type Permissions = z.infer<typeof Permissions>;

/** Compute a task asks for. */
export const Resources = z.object({
  cpus: z.number().positive().max(2).default(1),
  memoryGb: z.number().positive().max(24).default(2),
  /** Writable space in GB of each of `/home/agent`, `/root` and `/tmp` (both drivers cap them). */
  diskGb: z.number().positive().max(64).default(2),
  /** Most processes and threads in the sandbox at once. */
  maxProcesses: z.number().int().min(16).max(65_536).default(4096),
});
/** Compute a task asks for. */
export type Resources = z.infer<typeof Resources>;

/** Family names must be snake_case (METR rule). */
export const FamilyName = z.string().regex(
  /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/,
  "family name must be snake_case (lowercase letters, digits, single underscores)",
);

/** Longest task name accepted. */
export const TASK_NAME_MAX_LENGTH = 128;
/** The rule of {@link TaskName}, in words (what a {@link TaskLoadError} for a bad name says). */
export const TASK_NAME_RULE =
  "task name must be 1-128 characters: a letter or digit, then letters, digits, " +
  "'.', '_', '+' or '-' (no '/', whitespace or control characters)";

/**
 * Task names within a family, as METR-format families use them (`fixed-date`, `Password`,
 * `astropy__astropy-12907`, `v1.2`): a letter or digit, then letters, digits, `.`, `_`, `+`, `-`; at most
 * 128 characters. Vivaria itself only requires a non-empty name after the family's `/` (and lower-cases the
 * id); evalkit is stricter so a name can never be a path, an option or a shell word. Case is kept, so
 * `Password` and `password` are two tasks; wherever a name becomes a file, container or image name, use
 * {@link safeTaskId} / {@link safeTaskName}.
 */
export const TaskName = z.string().max(TASK_NAME_MAX_LENGTH, TASK_NAME_RULE).regex(
  /^[A-Za-z0-9][A-Za-z0-9._+-]*$/,
  TASK_NAME_RULE,
);

/** Longest name part {@link safeTaskName} returns (so an id stays well inside a Unix socket path). */
const SAFE_NAME_MAX = 64;

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/**
 * A task name as a token safe in file paths, container names and image tags: `[a-z0-9_-]`, at most 64
 * characters, starting with a letter or digit. A name that already is such a token is returned unchanged
 * (`fixed-date`, `astropy__astropy-12907`); any other is lower-cased, each other character becomes `_`, and
 * `-` plus 8 hex digits of the name's SHA-256 are appended, so names that differ only in case or in the
 * replaced characters (`Password`, `password`, `pass.word`) never share a token.
 */
export function safeTaskName(name: string): string {
  if (/^[a-z0-9][a-z0-9_-]*$/.test(name) && name.length <= SAFE_NAME_MAX) return name;
  let token = name.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, SAFE_NAME_MAX - 9);
  if (!/^[a-z0-9]/.test(token)) token = `t${token}`.slice(0, SAFE_NAME_MAX - 9);
  return `${token}-${shortHash(name)}`;
}

/**
 * A full task id (`family/task`) as one safe token (see {@link safeTaskName}): `<family>--<safe task name>`.
 * Family names are snake_case (no `-`), so the first `--` separates the two parts and distinct ids give
 * distinct tokens. An id without a `/` is treated as a bare name. Show the original id to people; use this
 * one for run directories, workbench state files, container names and image tags.
 */
export function safeTaskId(id: string): string {
  const slash = id.indexOf("/");
  if (slash < 0) return safeTaskName(id);
  const family = id.slice(0, slash);
  const safeFamily = FamilyName.safeParse(family).success ? family : safeTaskName(family);
  return `${safeFamily}--${safeTaskName(id.slice(slash + 1))}`;
}

/** Metadata researchers rely on; every field is required (the TypeScript standard: `defineTaskFamily`). */
export const TaskMetadata = z.object({
  /** Skilled-human time to complete the task, in minutes. */
  humanMinutes: z.number().positive(),
  humanSource: HumanSource,
  domain: Domain,
  quality: Quality,
  /** One or two sentences. */
  summary: z.string().trim().min(10),
  /** What it measures, why it is hard, how it is scored, contamination notes. */
  detail: z.string().trim().min(40),
  /**
   * Optional: the score at or above which a run counts as a success where runs are binarized
   * (`score_binarized`, time horizons, success rates). Default 0.5. A task scored by the fraction of a hidden
   * suite, where a mostly working but incomplete attempt scores 0.8, sets it near 1 so that such an attempt
   * is not a success; QA checks the reference reaches it and the wrong attempt does not.
   */
  successThreshold: z.number().gt(0).lte(1).optional(),
});
/** Metadata researchers rely on. */
export type TaskMetadata = z.infer<typeof TaskMetadata>;

/**
 * The same metadata where each field may be unknown: what METR-format families (which carry no evalkit
 * metadata) and every loaded task have. `humanMinutes` absent means unknown, and then `humanSource` is
 * `"unknown"` (and only then); `domain` and `quality` are `"unknown"` when not given; `summary` and `detail`
 * are absent. Consumers must handle each: a task without minutes has no bucket and is left out of every
 * analysis that needs minutes.
 */
const optionalMetadataShape = {
  humanMinutes: z.number().positive().optional(),
  humanSource: z.union([HumanSource, z.literal(UNKNOWN)]).default(UNKNOWN),
  domain: z.union([Domain, z.literal(UNKNOWN)]).default(UNKNOWN),
  quality: z.union([Quality, z.literal(UNKNOWN)]).default(UNKNOWN),
  summary: TaskMetadata.shape.summary.optional(),
  detail: TaskMetadata.shape.detail.optional(),
  successThreshold: TaskMetadata.shape.successThreshold,
};

/** humanSource is "unknown" exactly when humanMinutes is absent. */
function checkMinutesAndSource(
  value: { humanMinutes?: number; humanSource: string },
  ctx: z.RefinementCtx,
): void {
  if (value.humanMinutes === undefined && value.humanSource !== UNKNOWN) {
    ctx.addIssue({
      code: "custom",
      path: ["humanSource"],
      message: `humanSource must be "unknown" when humanMinutes is not given, got "${value.humanSource}"`,
    });
  } else if (value.humanMinutes !== undefined && value.humanSource === UNKNOWN) {
    ctx.addIssue({
      code: "custom",
      path: ["humanSource"],
      message: 'humanSource must be estimate, qa or baseline when humanMinutes is given, not "unknown"',
    });
  }
}

/** Task metadata where each field may be unknown (METR-format families; see the shape's comment). */
export const OptionalTaskMetadata = z.object(optionalMetadataShape).superRefine(checkMinutesAndSource);
/** Task metadata where each field may be unknown. */
export type OptionalTaskMetadata = z.infer<typeof OptionalTaskMetadata>;

const taskBodyShape = {
  /** The initial instructions: the only task information the agent starts with. */
  instructions: z.string().trim().min(1),
  permissions: Permissions.default([]),
  resources: Resources.default({ cpus: 1, memoryGb: 2, diskGb: 2, maxProcesses: 4096 }),
  /**
   * Paths (relative to the family directory) the agent must never see: reference solutions, scoring
   * assets, hidden tests. QA checks that none of them is readable by the agent inside the sandbox.
   */
  privateFiles: z.array(z.string().min(1)).default([]),
  /** Arbitrary per-task data handed to the hooks (never shown to the agent). */
  data: z.record(z.string(), z.unknown()).default({}),
};

/** One task of a TypeScript family, as written in a family file: all six metadata fields required. */
export const TaskManifest = TaskMetadata.extend(taskBodyShape);
/** One task of a family (as written). */
export type TaskManifestInput = z.input<typeof TaskManifest>;
/** One task of a family (validated, defaults applied). */
export type TaskManifest = z.infer<typeof TaskManifest>;

/**
 * One task of a METR-format family as the bridge hands it to the loader: the metadata may be unknown
 * ({@link OptionalTaskMetadata}).
 */
export const MetrTaskManifest = z.object({ ...optionalMetadataShape, ...taskBodyShape }).superRefine(
  checkMinutesAndSource,
);
/** One task of a METR-format family (as the bridge writes it). */
export type MetrTaskManifestInput = z.input<typeof MetrTaskManifest>;
/**
 * A loaded task's manifest, whatever its family's format: metadata may be unknown (always known for
 * TypeScript families, but consumers cannot tell from the type and must handle both).
 */
export type LoadedTaskManifest = z.infer<typeof MetrTaskManifest>;

/** The family-level part of a manifest (tasks are validated one by one, so one bad task spares the rest). */
export const FamilyHeader = z.object({
  name: FamilyName,
  version: z.string().regex(/^\d+\.\d+\.\d+$/, "version must be semver, e.g. 1.0.0"),
  /** Semver, or `unknown` for a METR family that does not say (a load warning). */
  standardVersion: z.string().regex(
    /^(\d+\.\d+\.\d+|unknown)$/,
    "standardVersion must be semver, e.g. 1.0.0",
  ),
  /** Debian packages the family's tasks need (the docker image bakes them in; the local sandbox checks). */
  packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, "not a Debian package name")).default([]),
});
/** The family-level part of a manifest. */
export type FamilyHeader = z.infer<typeof FamilyHeader>;
