/**
 * Write a table as CSV, JSON (an array of objects) or JSONL (METR runs.jsonl style).
 *
 * @module
 */
import type * as aq from "../deps/arquero.ts";
import { z } from "../deps/zod.ts";
import { toCsv } from "../util/csv.ts";
import { toRunsJsonl } from "./metr.ts";

/** Output formats of {@link renderTable}. */
export const TableFormat = z.enum(["csv", "json", "jsonl"]);
/** Output formats. */
export type TableFormat = z.infer<typeof TableFormat>;

/** Render a table in `format`. CSV through `lib/util/csv.ts` (RFC 4180; nulls and NaN are empty cells). */
export function renderTable(table: aq.ColumnTable, format: TableFormat): string {
  const objects = table.objects() as Record<string, unknown>[];
  switch (format) {
    case "json":
      return JSON.stringify(objects, null, 2) + "\n";
    case "jsonl":
      return toRunsJsonl(objects);
    case "csv":
      return toCsv(table.columnNames(), objects);
  }
}
