/**
 * Spurious failures counted three ways — the bounds METR's elicitation guidelines reason about:
 * `as_failure` (as observed: a lower bound), `exclude` (drop spurious failures: what the agent does when it
 * does not trip over fixable problems), `as_success` (count them as successes: an upper bound, as if every
 * fixable failure were fixed). METR did not publish which of these its score used; this project reports
 * all three and makes `as_failure` the default everywhere a single number is needed.
 *
 * @module
 */
import type { ColumnTable } from "../deps/arquero.ts";
import { column, requireColumns, type RunsTable } from "../measure/columns.ts";
import type { FailureTag } from "./tags.ts";

/** How spurious failures are counted. */
export type SpuriousPolicy = "as_failure" | "exclude" | "as_success";

/** The three policies, in bound order. */
export const SPURIOUS_POLICIES: readonly SpuriousPolicy[] = ["as_failure", "exclude", "as_success"];

/**
 * The runs table under a policy. Only runs whose resolved tag is `spurious` change: dropped (`exclude`) or
 * given score 1 and `score_binarized` 1 (`as_success`).
 * @throws MissingColumnError when `run_id` or `score` is absent.
 */
export function applySpuriousPolicy(
  table: RunsTable,
  tags: ReadonlyMap<string, FailureTag>,
  policy: SpuriousPolicy,
): ColumnTable {
  requireColumns(table, ["run_id", "score"], "applySpuriousPolicy");
  if (policy === "as_failure") return table;
  const ids = column<string>(table, "run_id");
  const spurious = ids.map((id) => tags.get(String(id))?.category === "spurious");
  if (policy === "exclude") {
    const keep = spurious.map((s) => !s);
    return table.assign({ _keep: keep }).filter((d: Record<string, unknown>) => d._keep as boolean)
      .select(table.columnNames()).reify();
  }
  const score = column<number | null>(table, "score").map((s, i) => (spurious[i] ? 1 : s));
  const changes: Record<string, unknown[]> = { score };
  if (table.columnNames().includes("score_binarized")) {
    changes.score_binarized = column<number | null>(table, "score_binarized").map((
      s,
      i,
    ) => (spurious[i] ? 1 : s));
  }
  return table.assign(changes);
}

/** Runs `analysis` on the table under each policy. */
export function underEachPolicy<T>(
  table: RunsTable,
  tags: ReadonlyMap<string, FailureTag>,
  analysis: (table: ColumnTable, policy: SpuriousPolicy) => T,
): Record<SpuriousPolicy, T> {
  return {
    as_failure: analysis(applySpuriousPolicy(table, tags, "as_failure"), "as_failure"),
    exclude: analysis(applySpuriousPolicy(table, tags, "exclude"), "exclude"),
    as_success: analysis(applySpuriousPolicy(table, tags, "as_success"), "as_success"),
  };
}

/** Failed runs by resolved category, and the spurious share of tagged failures. */
export function spuriousShare(tags: ReadonlyMap<string, FailureTag>, runIds?: Iterable<string>): {
  spurious: number;
  real: number;
  tradeoff: number;
  share: number | null;
} {
  const ids = runIds ? new Set(runIds) : null;
  const n = { spurious: 0, real: 0, tradeoff: 0 };
  for (const [id, t] of tags) if (!ids || ids.has(id)) n[t.category]++;
  const total = n.spurious + n.real + n.tradeoff;
  return { ...n, share: total > 0 ? n.spurious / total : null };
}
