/**
 * The scaffold registry. A scaffold is registered once with a name, a factory and a zod schema of its
 * arguments; a variant (`{scaffold, args}`) is then plain data that the registry validates and turns into
 * an agent. Every run records the variant's name, its effective arguments and their hash.
 *
 * @example Register your own scaffold in a few lines
 * ```ts
 * import { z } from "../deps/zod.ts";
 * import { registerScaffold } from "./registry.ts";
 * registerScaffold("echo", () => async (ctx) => ({ submission: ctx.instructions }), z.object({}));
 * ```
 * @module
 */
import { z } from "../deps/zod.ts";
import type { Agent } from "./types.ts";

/** Makes an agent from validated arguments. */
export type ScaffoldFactory<A> = (args: A) => Agent;

/** One registered scaffold. */
export interface ScaffoldEntry {
  /** The scaffold's name, as variants name it in `scaffold` (e.g. `chat`). */
  readonly name: string;
  /** Zod schema of the scaffold's arguments; it fills defaults and rejects unknown or bad arguments. */
  readonly argsSchema: z.ZodType<Record<string, unknown>>;
  /** Makes an agent from validated arguments. */
  readonly factory: ScaffoldFactory<Record<string, unknown>>;
  /** One line on what the scaffold does, for listings. */
  readonly description: string;
}

const registry = new Map<string, ScaffoldEntry>();

/**
 * Register a scaffold under `name`. `argsSchema` validates (and fills defaults of) a variant's args.
 * Registering an existing name replaces it.
 */
export function registerScaffold<S extends z.ZodType<Record<string, unknown>>>(
  name: string,
  factory: ScaffoldFactory<z.infer<S>>,
  argsSchema: S,
  description = "",
): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw new Error(`scaffold name "${name}" must start with a letter and use only letters, digits, _ and -`);
  }
  registry.set(name, {
    name,
    argsSchema,
    factory: factory as ScaffoldFactory<Record<string, unknown>>,
    description,
  });
}

/** The registered scaffold `name`, or an error listing the known ones. */
export function getScaffold(name: string): ScaffoldEntry {
  const entry = registry.get(name);
  if (!entry) {
    throw new Error(`unknown scaffold "${name}"; registered: ${[...registry.keys()].sort().join(", ")}`);
  }
  return entry;
}

/** Names of all registered scaffolds, sorted. */
export function listScaffolds(): string[] {
  return [...registry.keys()].sort();
}

/** Validate `args` against the scaffold's schema; the error names the variant and the bad field. */
export function parseScaffoldArgs(
  scaffold: string,
  args: unknown,
  where = scaffold,
): Record<string, unknown> {
  const entry = getScaffold(scaffold);
  const parsed = entry.argsSchema.safeParse(args ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `args.${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`variant ${where} (scaffold ${scaffold}): ${issues.join("; ")}`);
  }
  // A plain z.object() strips unknown keys: a misspelt argument ("temprature") would silently run the
  // defaults under the scaffold's own name. Name it instead.
  const schema = entry.argsSchema;
  if (
    schema instanceof z.ZodObject && schema.def.catchall === undefined && args && typeof args === "object" &&
    !Array.isArray(args)
  ) {
    const known = Object.keys(schema.shape);
    const unknown = Object.keys(args).filter((k) => !known.includes(k));
    if (unknown.length) {
      throw new Error(
        `variant ${where} (scaffold ${scaffold}): unknown argument${unknown.length > 1 ? "s" : ""} ` +
          `${unknown.map((k) => `args.${k}`).join(", ")} (known: ${known.join(", ") || "none"})`,
      );
    }
  }
  return parsed.data;
}

/** Build the agent of a scaffold with already-validated arguments. */
export function buildAgent(scaffold: string, args: Record<string, unknown>): Agent {
  return getScaffold(scaffold).factory(args);
}
