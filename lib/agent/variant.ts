/**
 * Variants: a scaffold plus its arguments, as data. Loaded from a JSON or YAML file or from a list of
 * names (`basic,chat,allTools,bestOfN`), validated against the registry, and identified by a stable hash
 * of the effective configuration (sorted-keys JSON of `{scaffold, args}` with defaults filled, SHA-256).
 *
 * @module
 */
import { sha256Hex } from "../util/hash.ts";
import { z } from "../deps/zod.ts";
import { parse as parseYaml } from "../deps/yaml.ts";
import { parseScaffoldArgs } from "./registry.ts";

/** A variant as written by a user. */
export const VariantInput = z.object({
  /** Display name; default the scaffold name (plus a short hash when args differ from the defaults). */
  name: z.string().min(1).regex(/^[^\s,]+$/, "variant names cannot contain spaces or commas").optional(),
  scaffold: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
}).strict();
/** A variant as written by a user. */
export type VariantInput = z.input<typeof VariantInput>;

/** A validated variant: effective args (defaults filled) and their hash. */
export interface Variant {
  /**
   * Display name: as given, else the scaffold name (plus a short hash when args differ from the defaults).
   */
  name: string;
  /** Name of the registered scaffold. */
  scaffold: string;
  /** Effective arguments of the scaffold, defaults filled. */
  args: Record<string, unknown>;
  /** SHA-256 (hex) of the sorted-keys JSON of `{scaffold, args}`. */
  hash: string;
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function stableStringify(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(",")}}`;
}

export { sha256Hex };

/** The stable hash of a variant's effective configuration. */
export function variantHash(scaffold: string, args: Record<string, unknown>): Promise<string> {
  return sha256Hex(stableStringify({ scaffold, args }));
}

/** Validate one variant against the registry and compute its hash. */
export async function resolveVariant(input: VariantInput, where = "variant"): Promise<Variant> {
  const parsed = VariantInput.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`${where}: ${issues.join("; ")}`);
  }
  const v = parsed.data;
  const args = parseScaffoldArgs(
    v.scaffold,
    v.args,
    v.name && v.name !== where ? `${where} "${v.name}"` : where,
  );
  const hash = await variantHash(v.scaffold, args);
  const defaults = parseScaffoldArgs(v.scaffold, {}, v.scaffold);
  const isDefault = stableStringify(defaults) === stableStringify(args);
  const name = v.name ?? (isDefault ? v.scaffold : `${v.scaffold}-${hash.slice(0, 8)}`);
  return { name, scaffold: v.scaffold, args, hash };
}

/**
 * Load variants from a spec: a path to a `.json`/`.yaml`/`.yml` file (an array of variants, or
 * `{variants: [...]}`), or a comma-separated list of scaffold names. Names must be unique.
 */
export async function loadVariants(spec: string): Promise<Variant[]> {
  const looksLikeFile = /\.(json|ya?ml)$/i.test(spec);
  let inputs: Array<{ input: unknown; where: string }>;
  if (looksLikeFile) {
    let text: string;
    try {
      text = await Deno.readTextFile(spec);
    } catch (e) {
      throw new Error(`variants file ${spec}: cannot read (${(e as Error).message})`);
    }
    let data: unknown;
    try {
      data = /\.json$/i.test(spec) ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
      throw new Error(
        `variants file ${spec}: not valid ${/\.json$/i.test(spec) ? "JSON" : "YAML"}: ${
          (e as Error).message
        }`,
      );
    }
    const list = Array.isArray(data) ? data : (data as { variants?: unknown })?.variants;
    if (!Array.isArray(list)) {
      throw new Error(`variants file ${spec}: expected an array or {variants: [...]}`);
    }
    inputs = list.map((input, i) => ({ input, where: `${spec} [${i}]` }));
  } else {
    const names = spec.split(",").map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new Error("no variants given");
    inputs = names.map((name) => ({ input: { scaffold: name }, where: name }));
  }
  const variants: Variant[] = [];
  for (const { input, where } of inputs) variants.push(await resolveVariant(input as VariantInput, where));
  const seen = new Set<string>();
  for (const v of variants) {
    if (seen.has(v.name)) {
      throw new Error(`variant name "${v.name}" is used twice; give each variant a unique name`);
    }
    seen.add(v.name);
  }
  return variants;
}
