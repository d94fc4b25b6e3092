/**
 * One naming for the compared units. A run table names what ran in three columns: `alias` (the agent:
 * model + scaffold variant, e.g. `simulated/30 · chat`, or METR's `GPT-4o`), `variant` (the scaffold variant
 * alone, e.g. `chat`) and `model`. Every analysis compares the values of one of them — its `agentColumn` —
 * and every analysis accepts a name in any of the three: a name that is not a value of the analysis' column
 * is looked up in the others and stands for the one value of the analysis' column it goes with. So
 * `agents: ["chat"]` works for the horizons (which compare aliases) as `baseline: "simulated/30 · chat"`
 * works for the elicitation gap (which compares variants). A name that matches several units is an error
 * that lists them.
 *
 * @module
 */

/** The naming columns, in lookup order. */
export const NAMING_COLUMNS = ["alias", "variant", "model"] as const;

/** What the resolver reads: arquero tables and arrays of row objects both fit. */
export type NamedRows =
  | { columnNames(): string[]; array(name: string): ArrayLike<unknown> }
  | readonly Record<string, unknown>[];

/** A name that stands for no unit, or for more than one. */
export class AgentNameError extends Error {
  /** An error with the given message (naming the name, the column and the known values). */
  constructor(message: string) {
    super(message);
    this.name = "AgentNameError";
  }
}

function columnValues(rows: NamedRows, name: string): ArrayLike<unknown> | null {
  if (Array.isArray(rows)) {
    const list = rows as readonly Record<string, unknown>[];
    return list.length > 0 && name in list[0] ? list.map((r) => r[name]) : null;
  }
  const table = rows as { columnNames(): string[]; array(name: string): ArrayLike<unknown> };
  return table.columnNames().includes(name) ? table.array(name) : null;
}

function distinctStrings(values: ArrayLike<unknown>): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && v !== "") seen.add(String(v));
  }
  return [...seen];
}

/**
 * Map each name to a value of `agentColumn`: kept when it is one, else looked up in the other naming
 * columns. Without `names`, returns undefined (callers then take every unit).
 * @param analysis the function name, for messages.
 * @throws AgentNameError naming the unknown or ambiguous name with the known units.
 */
export function resolveAgentNames(
  rows: NamedRows,
  agentColumn: string,
  names: readonly string[] | undefined,
  analysis: string,
): string[] | undefined {
  if (names === undefined) return undefined;
  const own = columnValues(rows, agentColumn);
  if (own === null) return [...names];
  const units = distinctStrings(own);
  const known = new Set(units);
  return names.map((name) => {
    if (known.has(name)) return name;
    for (const other of NAMING_COLUMNS) {
      if (other === agentColumn) continue;
      const values = columnValues(rows, other);
      if (values === null) continue;
      const matches = new Set<string>();
      for (let i = 0; i < values.length; i++) {
        if (String(values[i]) === name && own[i] !== null && own[i] !== undefined) {
          matches.add(String(own[i]));
        }
      }
      if (matches.size === 1) return [...matches][0];
      if (matches.size > 1) {
        throw new AgentNameError(
          `${analysis}: "${name}" (a ${other}) names ${matches.size} ${agentColumn} values: ` +
            `${[...matches].join(", ")}; give one of them, or filter the table first`,
        );
      }
    }
    throw new AgentNameError(
      `${analysis}: unknown agent "${name}" (${agentColumn}: ${units.join(", ")})`,
    );
  });
}

/** Resolve one name (see {@link resolveAgentNames}). */
export function resolveAgentName(
  rows: NamedRows,
  agentColumn: string,
  name: string,
  analysis: string,
): string {
  return resolveAgentNames(rows, agentColumn, [name], analysis)![0];
}
