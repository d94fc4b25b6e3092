/**
 * Token prices and per-call cost. The default table lists list prices in USD per million tokens for
 * common models **as of {@link DEFAULT_PRICES_AS_OF}**; prices change, so the table is meant to be
 * edited or overridden: pass an object, or a JSON file (validated; errors name the file and field).
 *
 * Lookup order for a model `provider/model-id`: the full name, then the bare model id, then the
 * longest table key that is a prefix of the model id (so `claude-sonnet-4-20250514` finds `claude-sonnet-4`).
 * A model with no entry costs 0 (and `priceFor` returns undefined, so callers can warn).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import type { Usage } from "./types.ts";

/** Price of one model in USD per million tokens. */
export const ModelPrice = z.object({
  /** USD per million input (prompt) tokens. */
  inputPerMTok: z.number().nonnegative(),
  /** USD per million output (completion) tokens. */
  outputPerMTok: z.number().nonnegative(),
  /** Free-text note (source, date, "synthetic"). */
  note: z.string().optional(),
});
/** Price of one model in USD per million tokens. */
export type ModelPrice = z.infer<typeof ModelPrice>;

/** A price table: model name (or name prefix) → price. */
export const PriceTable = z.record(z.string().min(1), ModelPrice);
/** A price table: model name (or name prefix) → price. */
export type PriceTable = z.infer<typeof PriceTable>;

/** A price file: either a bare table, or `{ asOf?, prices }`. */
export const PriceFile = z.union([
  z.object({ asOf: z.string().optional(), prices: PriceTable }).strict(),
  PriceTable,
]);

/** Date the default list prices were taken from the providers' public price pages. */
export const DEFAULT_PRICES_AS_OF = "2025-06";

const p = (inputPerMTok: number, outputPerMTok: number, note?: string): ModelPrice =>
  note === undefined ? { inputPerMTok, outputPerMTok } : { inputPerMTok, outputPerMTok, note };

/**
 * Default list prices (USD per million tokens, standard tier, no caching or batch discounts) as of
 * {@link DEFAULT_PRICES_AS_OF}. Edit or override; do not rely on them for billing.
 */
export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({
  // OpenAI
  "gpt-4o": p(2.5, 10),
  "gpt-4o-mini": p(0.15, 0.6),
  "gpt-4.1": p(2, 8),
  "gpt-4.1-mini": p(0.4, 1.6),
  "gpt-4.1-nano": p(0.1, 0.4),
  "gpt-4-turbo": p(10, 30),
  "gpt-4-32k": p(60, 120),
  "gpt-4": p(30, 60),
  "gpt-3.5-turbo-instruct": p(1.5, 2),
  "gpt-3.5-turbo": p(0.5, 1.5),
  "o1": p(15, 60),
  "o1-mini": p(1.1, 4.4),
  "o3": p(2, 8),
  "o3-mini": p(1.1, 4.4),
  "o4-mini": p(1.1, 4.4),
  // Anthropic
  "claude-opus-4": p(15, 75),
  "claude-sonnet-4": p(3, 15),
  "claude-3-7-sonnet": p(3, 15),
  "claude-3-5-sonnet": p(3, 15),
  "claude-3-5-haiku": p(0.8, 4),
  "claude-3-opus": p(15, 75),
  "claude-3-haiku": p(0.25, 1.25),
  // The simulator: a synthetic price so cost limits and cost curves can be exercised offline.
  "simulated": p(1, 4, "synthetic price of the simulated model (not a real provider)"),
});

/** The part of a model name after the first `/` (or the whole name when there is none). */
function bareModelId(model: string): string {
  const slash = model.indexOf("/");
  return slash < 0 ? model : model.slice(slash + 1);
}

/**
 * The price of `model` in `table` (default {@link DEFAULT_PRICES}), or undefined.
 * Names starting with `simulated` (any horizon) use the `simulated` entry.
 */
export function priceFor(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  if (table[model]) return table[model];
  const id = bareModelId(model);
  if (table[id]) return table[id];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if ((id.startsWith(key) || model.startsWith(key)) && (best === undefined || key.length > best.length)) {
      best = key;
    }
  }
  return best === undefined ? undefined : table[best];
}

/** USD cost of `usage` at `price` (0 when there is no price). */
export function costOf(usage: Usage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}

/** Raised when a price file cannot be read or does not match the schema. */
export class PriceTableError extends Error {
  /** An error naming the price file, the offending field (when one is concerned) and the reason. */
  constructor(readonly file: string, readonly field: string | undefined, reason: string) {
    super(`${file}${field ? ` (${field})` : ""}: ${reason}`);
    this.name = "PriceTableError";
  }
}

/** Validate a price table given as an object; `source` names it in errors. */
export function parsePriceTable(value: unknown, source = "price table"): PriceTable {
  const parsed = PriceFile.safeParse(value);
  if (parsed.success) {
    return "prices" in parsed.data && typeof parsed.data.prices === "object"
      ? parsed.data.prices as PriceTable
      : parsed.data as PriceTable;
  }
  // Report against the bare-table reading unless the value clearly uses the `{ prices }` form.
  const usesWrapper = typeof value === "object" && value !== null && "prices" in value;
  const issues = usesWrapper
    ? z.object({ asOf: z.string().optional(), prices: PriceTable }).strict().safeParse(value).error?.issues
    : PriceTable.safeParse(value).error?.issues;
  const issue = issues?.[0];
  throw new PriceTableError(
    source,
    issue?.path.join(".") || undefined,
    issue?.message ?? "invalid price table",
  );
}

/** Read and validate a JSON price file. Errors name the file and the offending field. */
export async function loadPriceTable(file: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new PriceTableError(file, undefined, `cannot read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PriceTableError(file, undefined, `not valid JSON: ${(error as Error).message}`);
  }
  return parsePriceTable(json, file);
}

/** The default table with `overrides` laid over it (override entries win). */
export function withPriceOverrides(overrides: PriceTable | undefined): PriceTable {
  return overrides ? { ...DEFAULT_PRICES, ...overrides } : { ...DEFAULT_PRICES };
}
