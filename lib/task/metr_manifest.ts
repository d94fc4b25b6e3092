/**
 * METR's `manifest.yaml` as the Python bridge reads it (METR's schema: resources, scoring, meta per task),
 * and the metadata of a METR-format task, where every field may be unknown.
 *
 * Sources of a task's metadata, highest priority first:
 * 1. the suite-level task-times table (`--task-meta`, {@link TaskMetaTable}), when given;
 * 2. evalkit's fields under the task's `meta:` in `manifest.yaml` (`human_minutes`, `human_source`, `domain`,
 *    `quality`, `summary`, `detail`, snake_case);
 * 3. METR's own manifest fields where they map cleanly: the task's `meta.task_description` → `summary`; the
 *    task's or family's `meta.expertise` → `domain` when it names exactly one of evalkit's domains;
 * 4. otherwise unknown (`humanMinutes` absent, `humanSource`/`domain`/`quality` `"unknown"`, no summary or
 *    detail).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parse as parseYaml } from "../deps/yaml.ts";
import { TaskLoadError, TaskLoadWarning } from "./errors.ts";
import { Domain, OptionalTaskMetadata, TaskMetadata, UNKNOWN } from "./schema.ts";
import { applyTaskMetaEntry, type TaskMetaTable } from "./task_meta.ts";

const MetrResources = z.object({
  cpus: z.number().positive().optional(),
  memory_gb: z.number().positive().optional(),
  storage_gb: z.number().positive().optional(),
  gpu: z.unknown().optional(),
}).loose();

const MetrTaskEntry = z.object({
  resources: MetrResources.optional(),
  scoring: z.record(z.string(), z.unknown()).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
}).loose();

/** METR's `manifest.yaml`, with evalkit's optional metadata fields under each task's `meta:`. */
export const MetrManifest = z.object({
  version: z.string().optional(),
  meta: z.object({
    /** evalkit extension: Debian packages the family needs inside the sandbox. */
    packages: z.array(z.string()).optional(),
    /** evalkit extension: family files (relative paths) the agent must never see. */
    private_files: z.array(z.string()).optional(),
    /** METR's family-level field; mapped to a domain when it names exactly one. */
    expertise: z.unknown().optional(),
  }).loose().optional(),
  tasks: z.record(z.string(), MetrTaskEntry.nullable()),
}).loose();
/** METR's `manifest.yaml` as read by the bridge. */
export type MetrManifest = z.infer<typeof MetrManifest>;

const META_FIELDS: Record<string, keyof TaskMetadata> = {
  human_minutes: "humanMinutes",
  human_source: "humanSource",
  domain: "domain",
  quality: "quality",
  summary: "summary",
  detail: "detail",
  success_threshold: "successThreshold",
};

/**
 * Read and validate `<familyDir>/manifest.yaml`; `undefined` when the family has none (METR families need
 * not have one).
 * @throws TaskLoadError naming `manifest.yaml` and the field when it is not YAML or breaks the schema
 */
export async function readManifest(familyDir: string, family: string): Promise<MetrManifest | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${familyDir}/manifest.yaml`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new TaskLoadError(family, undefined, "manifest.yaml", `cannot read: ${(error as Error).message}`);
  }
  return parseManifest(text, family);
}

/**
 * Validate the text of a `manifest.yaml`.
 * @throws TaskLoadError naming `manifest.yaml` and the field when it is not YAML or breaks the schema
 */
export function parseManifest(text: string, family: string): MetrManifest {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new TaskLoadError(
      family,
      undefined,
      "manifest.yaml",
      `not valid YAML: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const parsed = MetrManifest.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TaskLoadError(family, undefined, `manifest.yaml ${issue.path.join(".")}`, issue.message);
  }
  return parsed.data;
}

/** What {@link metrTaskMetadata} found: the metadata (any field may be unknown) and notes worth printing. */
export interface MetrTaskMetadata {
  /** The task's evalkit metadata derived from METR's manifest; any field may be unknown. */
  metadata: OptionalTaskMetadata;
  /** METR fields that map to nothing in evalkit's metadata (printed, never fatal). */
  warnings: TaskLoadWarning[];
}

/** Words of METR's `expertise` (lower case, separators as spaces) → evalkit's domain. */
const EXPERTISE_DOMAINS: Record<string, Domain> = {
  "software engineering": "software_engineering",
  "software": "software_engineering",
  "swe": "software_engineering",
  "programming": "software_engineering",
  "coding": "software_engineering",
  "machine learning": "ml_engineering",
  "machine learning engineering": "ml_engineering",
  "ml": "ml_engineering",
  "ml engineering": "ml_engineering",
  "ai r&d": "ml_engineering",
  "ai rnd": "ml_engineering",
  "cybersecurity": "cybersecurity",
  "cyber security": "cybersecurity",
  "cyber": "cybersecurity",
  "security": "cybersecurity",
  "research": "research",
  "data analysis": "data_analysis",
  "data science": "data_analysis",
  "general reasoning": "general_reasoning",
  "reasoning": "general_reasoning",
};

/** The one evalkit domain METR's `expertise` (a string or a list of strings) names, or why there is none. */
export function domainFromExpertise(expertise: unknown): { domain?: Domain; problem?: string } {
  const values = Array.isArray(expertise) ? expertise : [expertise];
  if (values.length === 0) return {};
  const found = new Set<Domain>();
  for (const value of values) {
    if (typeof value !== "string") return { problem: `expected a string or a list of strings` };
    const key = value.trim().toLowerCase().replace(/[\s_-]+/g, " ");
    const domain = Domain.safeParse(key.replaceAll(" ", "_")).success
      ? key.replaceAll(" ", "_") as Domain
      : EXPERTISE_DOMAINS[key];
    if (!domain) {
      return { problem: `"${value}" maps to none of evalkit's domains (${Domain.options.join(", ")})` };
    }
    found.add(domain);
  }
  if (found.size > 1) return { problem: `names several domains (${[...found].join(", ")}); left unknown` };
  return { domain: [...found][0] };
}

/**
 * A METR-format task's metadata, each field possibly unknown, from (highest priority first) the task-times
 * table, evalkit's fields under the task's `meta:` in the manifest, METR's own manifest fields that map
 * cleanly (`meta.task_description` → summary; `meta.expertise` of the task, else of the family → domain),
 * else unknown. A METR field that does not map is a warning, not an error.
 *
 * @param family family name
 * @param task task name (as `get_tasks` returned it)
 * @param manifest the family's manifest, or undefined when it has none
 * @param taskMeta the suite's task-times table (optional: the loader also applies it to every family)
 * @throws TaskLoadError naming `manifest.yaml tasks.<task>.meta.<field>` when one of evalkit's fields is
 *   present but invalid (e.g. `human_minutes: -3`, `domain: biology`)
 */
export function metrTaskMetadata(
  family: string,
  task: string,
  manifest: MetrManifest | undefined,
  taskMeta?: TaskMetaTable,
): MetrTaskMetadata {
  const warnings: TaskLoadWarning[] = [];
  const meta = manifest?.tasks[task]?.meta ?? {};
  const field = (snake: string) => `manifest.yaml tasks.${task}.meta.${snake}`;
  const given: Record<string, unknown> = {};
  for (const [snake, camel] of Object.entries(META_FIELDS)) {
    const value = meta[snake];
    if (value === undefined || value === null) continue;
    const check = TaskMetadata.shape[camel].safeParse(value);
    if (!check.success) throw new TaskLoadError(family, task, field(snake), check.error.issues[0].message);
    given[camel] = check.data;
  }
  if (given.humanSource !== undefined && given.humanMinutes === undefined) {
    warnings.push(
      new TaskLoadWarning(family, task, field("human_source"), "given without human_minutes: ignored"),
    );
    delete given.humanSource;
  }
  if (given.summary === undefined && meta.task_description !== undefined && meta.task_description !== null) {
    const summary = TaskMetadata.shape.summary.safeParse(meta.task_description);
    if (summary.success) given.summary = summary.data;
    else {
      warnings.push(
        new TaskLoadWarning(
          family,
          task,
          field("task_description"),
          `not used as the summary: ${summary.error.issues[0].message}`,
        ),
      );
    }
  }
  if (given.domain === undefined) {
    const own = meta.expertise !== undefined && meta.expertise !== null;
    const expertise = own ? meta.expertise : manifest?.meta?.expertise;
    if (expertise !== undefined && expertise !== null) {
      const mapped = domainFromExpertise(expertise);
      if (mapped.domain) given.domain = mapped.domain;
      else if (mapped.problem) {
        warnings.push(
          new TaskLoadWarning(
            family,
            task,
            own ? field("expertise") : "manifest.yaml meta.expertise",
            `not used as the domain: ${mapped.problem}`,
          ),
        );
      }
    }
  }
  const metadata: OptionalTaskMetadata = applyTaskMetaEntry(
    {
      ...given,
      humanSource: given.humanMinutes === undefined ? UNKNOWN : (given.humanSource ?? "estimate"),
      domain: given.domain ?? UNKNOWN,
      quality: given.quality ?? UNKNOWN,
    } as OptionalTaskMetadata,
    taskMeta?.entries.get(`${family}/${task}`),
  );
  return { metadata, warnings };
}

/**
 * Map a task's `meta:` block (snake_case) to evalkit's complete {@link TaskMetadata}, or throw naming the
 * first missing or invalid field.
 * @deprecated METR-format metadata is optional now: use {@link metrTaskMetadata}.
 */
export function metadataFromManifest(
  family: string,
  task: string,
  meta: Record<string, unknown> | undefined,
): TaskMetadata {
  const mapped: Record<string, unknown> = {};
  for (const [snake, camel] of Object.entries(META_FIELDS)) {
    const value = meta?.[snake];
    if (value === undefined || value === null) {
      throw new TaskLoadError(
        family,
        task,
        `manifest.yaml tasks.${task}.meta.${snake}`,
        "missing: METR-format families must give evalkit's metadata in manifest.yaml",
      );
    }
    mapped[camel] = value;
  }
  const parsed = TaskMetadata.safeParse(mapped);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const snake = Object.entries(META_FIELDS).find(([, c]) => c === issue.path[0])?.[0] ??
      String(issue.path[0]);
    throw new TaskLoadError(family, task, `manifest.yaml tasks.${task}.meta.${snake}`, issue.message);
  }
  return parsed.data;
}
