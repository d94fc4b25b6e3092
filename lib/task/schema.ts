/**
 * Zod schemas of the TypeScript task standard: a family manifest and the metadata of each task.
 * Types are inferred from the schemas, so a manifest that type-checks is also one the loader accepts
 * (the loader still validates at run time, because task files are user input).
 *
 * @module
 */
import { z } from "zod";

/** Version of this project's TypeScript task standard. */
export const STANDARD_VERSION = "1.0.0";

/** Where a task's human-time figure comes from (METR's three sources, in increasing reliability). */
export const HumanSource = z.enum(["estimate", "qa", "baseline"]);
/** Where a task's human-time figure comes from. */
export type HumanSource = z.infer<typeof HumanSource>;

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
/** Task names within a family: snake_case or kebab-free identifiers. */
export const TaskName = z.string().regex(/^[a-z0-9][a-z0-9_]*$/, "task name must match [a-z0-9][a-z0-9_]*");

/** Metadata researchers rely on; every field is required. */
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
});
/** Metadata researchers rely on. */
export type TaskMetadata = z.infer<typeof TaskMetadata>;

/** One task of a family, as written in a family file. */
export const TaskManifest = TaskMetadata.extend({
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
});
/** One task of a family (as written). */
export type TaskManifestInput = z.input<typeof TaskManifest>;
/** One task of a family (validated, defaults applied). */
export type TaskManifest = z.infer<typeof TaskManifest>;

/** The family-level part of a manifest (tasks are validated one by one, so one bad task spares the rest). */
export const FamilyHeader = z.object({
  name: FamilyName,
  version: z.string().regex(/^\d+\.\d+\.\d+$/, "version must be semver, e.g. 1.0.0"),
  standardVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "standardVersion must be semver, e.g. 1.0.0"),
  /** Debian packages the family's tasks need (the docker image bakes them in; the local sandbox checks). */
  packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, "not a Debian package name")).default([]),
});
/** The family-level part of a manifest. */
export type FamilyHeader = z.infer<typeof FamilyHeader>;
