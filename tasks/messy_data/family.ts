/**
 * messy_data: clean and join messy CSV/JSON files generated deterministically at setup, and answer
 * questions in a JSON submission. Score = fraction of answer items that are right.
 *
 * @module
 */
import { defineTaskFamily, type TaskContext } from "../../lib/task/define.ts";
import { type Instance, reconciliation, singleTable, twoSourceJoin } from "./generate.ts";

type Variant = "single_table" | "two_source_join" | "reconciliation";
interface MdData {
  variant: Variant;
  seed: number;
}
const mdData = (ctx: TaskContext) => ctx.data as unknown as MdData;
const GENERATORS: Record<Variant, (seed: number) => Instance> = {
  single_table: singleTable,
  two_source_join: twoSourceJoin,
  reconciliation,
};

/** Jaccard similarity of two sets of strings (1 when both are empty). */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const A = new Set(a), B = new Set(b);
  const inter = [...A].filter((x) => B.has(x)).length;
  const union = new Set([...A, ...B]).size;
  return union === 0 ? 1 : inter / union;
}

/** A number, or a numeric string (answers like "95626.84" are accepted too); NaN otherwise. */
const num = (v: unknown): number =>
  typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : NaN;
const near = (got: unknown, want: number, tol: number) => {
  const g = num(got);
  return Number.isFinite(g) && Math.abs(g - want) <= tol;
};
const sameInt = (got: unknown, want: unknown) => num(got) === want;
const strings = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? v as string[] : null;

/**
 * Score a submission against the true answers of a variant: each answer item counts equally (for
 * two_source_join each country's weight is its own item; list answers of reconciliation score by Jaccard).
 */
export function scoreAnswers(variant: Variant, answers: Record<string, unknown>, submission: string): number {
  let got: Record<string, unknown>;
  try {
    const v = JSON.parse(submission);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return 0;
    got = v;
  } catch {
    return 0;
  }
  const items: number[] = [];
  if (variant === "single_table") {
    items.push(sameInt(got.unique_orders, answers.unique_orders) ? 1 : 0);
    items.push(near(got.total_revenue, answers.total_revenue as number, 0.015) ? 1 : 0);
    items.push(typeof got.best_month === "string" && got.best_month.trim() === answers.best_month ? 1 : 0);
    items.push(sameInt(got.missing_amounts, answers.missing_amounts) ? 1 : 0);
    items.push(near(got.north_average, answers.north_average as number, 0.015) ? 1 : 0);
  } else if (variant === "two_source_join") {
    const want = answers.weight_by_country as Record<string, number>;
    const w = (typeof got.weight_by_country === "object" && got.weight_by_country !== null
      ? got.weight_by_country
      : {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) {
      items.push(near(w[k], v, 0.5) ? 1 : 0);
    }
    items.push(sameInt(got.unknown_customer_shipments, answers.unknown_customer_shipments) ? 1 : 0);
    items.push(
      typeof got.top_customer === "string" && got.top_customer.trim() === answers.top_customer ? 1 : 0,
    );
    items.push(sameInt(got.distinct_shipments, answers.distinct_shipments) ? 1 : 0);
    items.push(near(got.heaviest_kg, answers.heaviest_kg as number, 0.05) ? 1 : 0);
  } else {
    for (const key of ["fully_paid", "unmatched_txns", "overpaid"]) {
      const s = strings(got[key]);
      items.push(s ? jaccard(s, answers[key] as string[]) : 0);
    }
    items.push(near(got.outstanding_eur, answers.outstanding_eur as number, 1.0) ? 1 : 0);
  }
  return items.reduce((a, b) => a + b, 0) / items.length;
}

const INSTR: Record<Variant, string> = {
  single_table:
    "/home/agent/orders.csv is an export of a shop's 2025 orders (columns order_id, order_date, " +
    "region, amount). It is messy: dates come in several formats (slashed dates are day/month/year), " +
    "region names vary in case and surrounding spaces, amounts are in US dollars written with or without " +
    "'$' and thousands separators, a missing amount is empty or N/A, and some orders were exported more " +
    "than once (possibly formatted differently; order_id identifies an order). Count each order once. " +
    "Submit a JSON object with exactly these keys: unique_orders (integer), total_revenue (sum of known " +
    "amounts in dollars, rounded to cents), best_month (the month 'YYYY-MM' with the highest revenue), " +
    "missing_amounts (integer: orders whose amount is missing), north_average (mean known amount of orders " +
    "in region north, rounded to cents). Money answers are accepted within 1 cent. Your score is the " +
    "fraction of the five answers that are right. Python is /usr/bin/python3; no network access.",
  two_source_join: "/home/agent/customers.json lists customer records (id like C-0042, name, country, " +
    "updated timestamp); a customer who moved has several records and the one with the latest 'updated' " +
    "is current. Country is written as an ISO code or an English name in varying case. " +
    "/home/agent/shipments.csv lists shipments; it was exported by an old system: Latin-1 encoding, ';' " +
    "separators, decimal commas, values in EUR with '.' thousands separators, weights in kg or pounds " +
    "(unit column, any case; 1 lb = 0.45359237 kg), and customer references written in several ways " +
    "(C-0042, c42, C0042, 42, ...). Some shipments appear more than once (shipment_id identifies a " +
    "shipment; count it once), and some reference customers missing from customers.json. Submit a JSON " +
    "object with keys: weight_by_country (object mapping DE, FR, ES, IT, PT to the total weight in kg of " +
    "shipments of customers whose current country it is, 1 decimal), unknown_customer_shipments " +
    "(integer), top_customer (id as C-0042 of the customer in customers.json with the highest total " +
    "shipment value), " +
    "distinct_shipments (integer), heaviest_kg (weight in kg of the heaviest shipment, 1 decimal). Weights " +
    "are accepted within 0.5 kg (heaviest within 0.05 kg). Each of the 9 values (5 countries + 4) is " +
    "one point; your score is the fraction right. Python is /usr/bin/python3; no network access.",
  reconciliation: "Reconcile a company's 2025 invoices with its bank account. Files in /home/agent: " +
    "invoices.csv (invoice_id INV-2025-NNNN, customer, currency EUR/USD/GBP, amount in that currency, " +
    "issue_date), bank_export.csv (German bank export: UTF-8 with byte-order mark, ';' separated, " +
    "amounts in EUR with '.' thousands separators and decimal comma, negative for debits; booking_date " +
    "in several formats - use the calendar date as written), rates.csv (EUR per unit of USD/GBP on " +
    "business days). Rules: (1) a bank line with the same txn_id as an earlier one is a duplicate export " +
    "and counts once. (2) A line refers to invoice N when its reference contains '2025', then at most 3 " +
    "non-digit characters, then N's sequence number (leading zeros optional, not followed by a digit). " +
    "Credits and debits (refunds) that refer to an invoice add to or subtract from what was paid on it. " +
    "(3) Payments to foreign-currency invoices were made in the invoice currency and converted by the " +
    "bank: the amount paid in the invoice currency is EUR amount / rate, with the rate of the latest " +
    "date in rates.csv on or before the booking date. (4) A credit that refers to no invoice is matched " +
    "by payer: payer names are upper-case ASCII transliterations of customer names (accents dropped, " +
    "ø->o, ß->ss); it pays an invoice of that customer that is not fully paid by referenced lines and " +
    "whose amount it matches within 0.05 (in the invoice currency), if exactly one such invoice exists; " +
    "otherwise it is unmatched. (5) An invoice is fully paid when the paid amount is at least its amount " +
    "minus 0.05, and overpaid when the paid amount exceeds its amount by more than 1.00. Submit a JSON " +
    "object with keys: fully_paid (list of invoice ids), outstanding_eur (sum over invoices not fully " +
    "paid of amount minus paid, in the invoice currency, converted to EUR at the last date in rates.csv; " +
    "rounded to cents; accepted within 1.00), unmatched_txns (list of txn_ids of unmatched credits), " +
    "overpaid (list of invoice ids). The three lists are scored by Jaccard similarity with the true sets, " +
    "outstanding_eur as right/wrong; your score is the mean of the four. Python is /usr/bin/python3; no " +
    "network access.",
};

async function runAgentScript(ctx: TaskContext, file: string): Promise<string> {
  const r = await ctx.sandbox.exec(["/usr/bin/python3", "-"], {
    user: "agent",
    stdin: await Deno.readTextFile(ctx.asset(`solution/${file}`)),
    timeoutMs: 60_000,
  });
  if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: ${file} failed: ${r.stderr}`);
  return r.stdout.trim();
}

export default defineTaskFamily({
  name: "messy_data",
  version: "1.0.0",
  standardVersion: "1.0.0",
  packages: ["python3"],
  tasks: {
    single_table: {
      instructions: INSTR.single_table,
      humanMinutes: 12,
      humanSource: "estimate",
      domain: "data_analysis",
      quality: "working_implementation",
      summary:
        "Clean one messy orders CSV (mixed date and money formats, re-exported rows) and answer five questions.",
      detail: "Measures careful data cleaning: three date formats (slashed dates are day/month, so US " +
        "parsing silently shifts months), dollar strings with '$' and thousands separators inside quotes, " +
        "N/A markers, region spelling variants, and 45 re-exported rows that must be de-duplicated by " +
        "order_id. Scored as the fraction of five answers right (money within 1 cent). Data are generated " +
        "from a fixed seed at setup; no public dataset is involved.",
      privateFiles: ["solution"],
      data: { variant: "single_table", seed: 7701 },
    },
    two_source_join: {
      instructions: INSTR.two_source_join,
      humanMinutes: 35,
      humanSource: "estimate",
      domain: "data_analysis",
      quality: "working_implementation",
      summary:
        "Join a customer JSON (with superseded records) to a Latin-1, decimal-comma shipment CSV and aggregate.",
      detail: "Measures joining dirty sources: Latin-1 encoding (a UTF-8 read fails), ';' separators and " +
        "decimal commas, mixed kg/lb units, five spellings of customer references, duplicate shipments, " +
        "unknown customers, and customers who moved (the latest record must win, which file order does " +
        "not give). Scored as the fraction of 9 values right (5 country totals, 4 other answers). Data are " +
        "generated from a fixed seed at setup.",
      privateFiles: ["solution"],
      data: { variant: "two_source_join", seed: 7702 },
    },
    reconciliation: {
      instructions: INSTR.reconciliation,
      humanMinutes: 110,
      humanSource: "estimate",
      domain: "data_analysis",
      quality: "working_implementation",
      summary:
        "Reconcile 80 multi-currency invoices against a messy bank export with split, partial, unreferenced and refunded payments.",
      detail: "Measures implementing a precise but long business specification on messy inputs: a BOM " +
        "in the header, German number formats, three booking-date formats, duplicated export lines, five " +
        "reference styles, split and partial payments, refunds as debits, currency conversion with the " +
        "last business-day rate on or before the booking date, and credits without references that must " +
        "be matched by transliterated payer name and amount. Errors in any rule shift several answers. " +
        "Scored as the mean of Jaccard similarity on three id lists and right/wrong on the outstanding " +
        "total. Data are generated from a fixed seed at setup; the generator checks its own consistency.",
      privateFiles: ["solution"],
      data: { variant: "reconciliation", seed: 7703 },
    },
  },

  async setup(ctx) {
    const d = mdData(ctx);
    const inst = GENERATORS[d.variant](d.seed);
    for (const [name, bytes] of Object.entries(inst.files)) {
      await ctx.sandbox.writeFile(`/home/agent/${name}`, bytes);
    }
  },

  score(ctx, submission) {
    const d = mdData(ctx);
    return scoreAnswers(d.variant, GENERATORS[d.variant](d.seed).answers, submission);
  },

  solution: (ctx) => runAgentScript(ctx, `${mdData(ctx).variant}.py`),
  wrongAttempt: (ctx) => runAgentScript(ctx, `wrong_${mdData(ctx).variant}.py`),
});
