/**
 * Deterministic generators of the messy_data tasks: each returns the files the agent gets and the true
 * answers, computed from the clean data before the mess is applied.
 *
 * @module
 */
import { mulberry32 } from "../_shared/random.ts";

/** A generated task instance: files (path under /home/agent -> bytes) and the expected answers. */
export interface Instance {
  files: Record<string, Uint8Array>;
  answers: Record<string, unknown>;
}

type Rnd = () => number;
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rnd, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
function shuffle<T>(r: Rnd, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
const utf8 = (s: string) => new TextEncoder().encode(s);
/** Latin-1 bytes (every character must be below U+0100). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new RangeError(`not latin-1: ${s[i]}`);
    out[i] = c;
  }
  return out;
}
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const dayOf2025 = (n: number) => new Date(Date.UTC(2025, 0, 1 + n));
const round2 = (x: number) => Math.round(x * 100) / 100;
const withCommas = (x: number) => x.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const german = (x: number) => {
  const [i, f] = Math.abs(x).toFixed(2).split(".");
  return `${x < 0 ? "-" : ""}${i.replace(/\B(?=(\d{3})+(?!\d))/g, ".")},${f}`;
};

// ---------------------------------------------------------------------------------------------------
/** single_table: one orders CSV with mixed date/amount formats, messy regions and re-exported rows. */
export function singleTable(seed: number): Instance {
  const r = mulberry32(seed);
  const regions = ["north", "south", "east", "west"] as const;
  const orders = Array.from({ length: 400 }, (_, i) => ({
    id: `A${10001 + i}`,
    date: dayOf2025(int(r, 0, 364)),
    region: pick(r, regions),
    cents: r() < 0.06 ? null : int(r, 500, 50000),
  }));
  const render = (o: typeof orders[number]) => {
    const d = o.date;
    const date = pick(r, [
      () => iso(d),
      () => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`,
      () => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`,
    ])();
    const region = pick(r, [
      o.region,
      o.region.toUpperCase(),
      o.region[0].toUpperCase() + o.region.slice(1),
      ` ${o.region} `,
    ]);
    const amount = o.cents === null ? pick(r, ["", "N/A", "n/a"]) : pick(r, [
      () => `"$${withCommas(o.cents! / 100)}"`,
      () => (o.cents! / 100).toFixed(2),
      () => String(o.cents! / 100),
    ])();
    return `${o.id},${date},${region},${amount}`;
  };
  const rows = orders.map(render);
  for (let k = 0; k < 45; k++) rows.push(render(orders[int(r, 0, orders.length - 1)]));
  shuffle(r, rows);
  const known = orders.filter((o) => o.cents !== null);
  const byMonth = new Map<string, number>();
  for (const o of known) {
    const m = iso(o.date).slice(0, 7);
    byMonth.set(m, (byMonth.get(m) ?? 0) + o.cents!);
  }
  const north = known.filter((o) => o.region === "north");
  return {
    files: { "orders.csv": utf8(["order_id,order_date,region,amount", ...rows].join("\n") + "\n") },
    answers: {
      unique_orders: orders.length,
      total_revenue: round2(known.reduce((s, o) => s + o.cents!, 0) / 100),
      best_month: [...byMonth].sort((a, b) => b[1] - a[1])[0][0],
      missing_amounts: orders.length - known.length,
      north_average: round2(north.reduce((s, o) => s + o.cents!, 0) / north.length / 100),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
const FIRST = [
  "José",
  "Zoë",
  "François",
  "Jürgen",
  "Åsa",
  "Núria",
  "Ines",
  "Björn",
  "Léa",
  "Tomás",
  "Ana",
  "Mário",
];
const LAST = [
  "García",
  "Müller",
  "Dubois",
  "Øster",
  "Conceição",
  "Rossi",
  "Søndergaard",
  "Peña",
  "Weiß",
  "Lima",
];
const COUNTRIES = [["DE", "Germany"], ["FR", "France"], ["ES", "Spain"], ["IT", "Italy"], ["PT", "Portugal"]];
/** Pounds to kilograms, as stated in the instructions. */
export const KG_PER_LB = 0.45359237;

/** two_source_join: customers JSON (with updated duplicates) joined to a latin-1, ';'-separated CSV. */
export function twoSourceJoin(seed: number): Instance {
  const r = mulberry32(seed);
  const customers = Array.from({ length: 60 }, (_, i) => ({
    num: i + 1,
    name: `${pick(r, FIRST)} ${pick(r, LAST)}`,
    country: pick(r, COUNTRIES)[0],
  }));
  const records: Record<string, unknown>[] = [];
  const latest = new Map<number, string>();
  const countryText = (code: string) => {
    const name = COUNTRIES.find((c) => c[0] === code)![1];
    return pick(r, [code, code.toLowerCase(), name, name.toUpperCase(), `${name} `]);
  };
  for (const c of customers) {
    const t0 = Date.UTC(2024, int(r, 0, 11), int(r, 1, 28), int(r, 0, 23));
    records.push({
      id: `C-${pad(c.num, 4)}`,
      name: c.name,
      country: countryText(c.country),
      updated: new Date(t0).toISOString(),
    });
    latest.set(c.num, c.country);
    if (r() < 0.25) {
      const moved = pick(r, COUNTRIES.filter((x) => x[0] !== c.country))[0];
      const t1 = t0 + int(r, 1, 200) * 86400_000;
      records.push({
        id: `C-${pad(c.num, 4)}`,
        name: c.name,
        country: countryText(moved),
        updated: new Date(t1).toISOString(),
      });
      latest.set(c.num, moved);
    }
  }
  shuffle(r, records);
  const ref = (n: number) => pick(r, [`C-${pad(n, 4)}`, `c${n}`, `C${pad(n, 4)}`, String(n), ` C-${n}`]);
  const shipments = Array.from({ length: 300 }, (_, i) => {
    const num = r() < 0.05 ? int(r, 61, 66) : int(r, 1, 60);
    const lb = r() < 0.35;
    const w = lb ? round2(int(r, 10, 1800) / 10) : int(r, 5, 800) / 10;
    return {
      id: `S${30001 + i}`,
      num,
      ref: ref(num),
      weight: w,
      unit: lb ? pick(r, ["lb", "lbs", "LB"]) : pick(r, ["kg", "KG", "Kg"]),
      kg: lb ? w * KG_PER_LB : w,
      value: int(r, 1000, 900000) / 100,
      contact: `${pick(r, FIRST)} ${pick(r, LAST)}`,
      date: dayOf2025(int(r, 0, 180)),
    };
  });
  const lines = shipments.map((s) =>
    `${s.id};${s.ref};${s.contact};${pad(s.date.getUTCDate())}.${
      pad(s.date.getUTCMonth() + 1)
    }.${s.date.getUTCFullYear()};` +
    `${String(s.weight).replace(".", ",")};${s.unit};${german(s.value)}`
  );
  for (let k = 0; k < 15; k++) lines.push(lines[int(r, 0, lines.length - 1)]);
  shuffle(r, lines);
  const header = "shipment_id;customer;contact;ship_date;weight;unit;value_eur";
  const known = shipments.filter((s) => latest.has(s.num));
  const byCountry: Record<string, number> = Object.fromEntries(COUNTRIES.map((c) => [c[0], 0]));
  const byCustomer = new Map<number, number>();
  for (const s of known) {
    byCountry[latest.get(s.num)!] += s.kg;
    byCustomer.set(s.num, (byCustomer.get(s.num) ?? 0) + s.value);
  }
  const top = [...byCustomer].sort((a, b) => b[1] - a[1])[0][0];
  return {
    files: {
      "customers.json": utf8(JSON.stringify(records, null, 1)),
      "shipments.csv": latin1([header, ...lines].join("\r\n") + "\r\n"),
    },
    answers: {
      weight_by_country: Object.fromEntries(
        Object.entries(byCountry).map(([k, v]) => [k, Math.round(v * 10) / 10]),
      ),
      unknown_customer_shipments: shipments.length - known.length,
      top_customer: `C-${pad(top, 4)}`,
      distinct_shipments: shipments.length,
      heaviest_kg: Math.round(Math.max(...shipments.map((s) => s.kg)) * 10) / 10,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
interface Txn {
  id: string;
  day: number;
  eur: number;
  payer: string;
  ref: string;
  invoice: number | null;
}
const fold = (s: string) =>
  s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace("ø", "o").replace("Ø", "O")
    .replace("ß", "ss").toUpperCase();

/** reconciliation: invoices in three currencies, a German bank export, daily rates; match and report. */
export function reconciliation(seed: number): Instance {
  const r = mulberry32(seed);
  // Daily rates (EUR per unit) on business days of 2025 up to the end of August.
  const rates: Record<string, Map<number, number>> = { USD: new Map(), GBP: new Map() };
  let usd = 0.92, gbp = 1.17;
  const lastDay = 242; // 2025-08-31
  for (let d = 0; d <= lastDay; d++) {
    const wd = dayOf2025(d).getUTCDay();
    usd *= 1 + (r() - 0.5) * 0.01;
    gbp *= 1 + (r() - 0.5) * 0.01;
    if (wd === 0 || wd === 6) continue;
    rates.USD.set(d, Math.round(usd * 10000) / 10000);
    rates.GBP.set(d, Math.round(gbp * 10000) / 10000);
  }
  const rateOn = (cur: string, day: number) => {
    if (cur === "EUR") return 1;
    for (let d = day; d >= 0; d--) if (rates[cur].has(d)) return rates[cur].get(d)!;
    throw new Error("no rate");
  };
  const lastRateDay = Math.max(...rates.USD.keys());
  const people = Array.from({ length: 25 }, () => `${pick(r, FIRST)} ${pick(r, LAST)}`)
    .filter((v, i, a) => a.findIndex((w) => fold(w) === fold(v)) === i);
  const invoices = Array.from({ length: 80 }, (_, i) => ({
    n: i + 1,
    id: `INV-2025-${pad(i + 1, 4)}`,
    customer: pick(r, people),
    currency: r() < 0.6 ? "EUR" : r() < 0.62 ? "USD" : "GBP",
    amount: int(r, 5000, 500000) / 100,
    issue: int(r, 0, 170),
  }));
  const refText = (n: number, part = "") =>
    pick(r, [
      `INV-2025-${pad(n, 4)}`,
      `inv2025/${n}`,
      `Rechnung 2025-${pad(n, 3)}`,
      `Invoice 2025 ${pad(n, 4)}`,
      `INV 2025-${n}`,
    ]) + part;
  const txns: Txn[] = [];
  let tid = 0;
  const add = (
    inv: typeof invoices[number] | null,
    day: number,
    orig: number,
    ref: string,
    payer: string,
    eur?: number,
  ) => {
    const cur = inv?.currency ?? "EUR";
    txns.push({
      id: `T${pad(++tid, 5)}`,
      day,
      eur: eur ?? round2(orig * rateOn(cur, day)),
      payer,
      ref,
      invoice: inv ? inv.n : null,
    });
  };
  const scenario = new Map<number, string>();
  for (const inv of invoices) {
    const u = r();
    const day = Math.min(lastDay, inv.issue + int(r, 3, 40));
    const payer = fold(inv.customer);
    let s: string;
    if (u < 0.45) {
      s = "full";
      add(inv, day, inv.amount, refText(inv.n), payer);
    } else if (u < 0.55) {
      s = "split";
      const a1 = round2(inv.amount * 0.4);
      add(inv, day, a1, refText(inv.n, " part 1/2"), payer);
      add(
        inv,
        Math.min(lastDay, day + int(r, 5, 30)),
        round2(inv.amount - a1),
        refText(inv.n, " part 2/2"),
        payer,
      );
    } else if (u < 0.65) {
      s = "by_name";
      add(inv, day, inv.amount, pick(r, ["", "Payment", "Thank you", "see email"]), payer);
    } else if (u < 0.75) {
      s = "partial";
      add(inv, day, round2(inv.amount * (0.5 + 0.4 * r())), refText(inv.n), payer);
    } else if (u < 0.87) {
      s = "unpaid";
    } else if (u < 0.93) {
      s = "overpaid";
      add(inv, day, round2(inv.amount + int(r, 5, 50)), refText(inv.n), payer);
    } else {
      s = "refunded";
      add(inv, day, inv.amount, refText(inv.n), payer);
      const paid = txns[txns.length - 1].eur;
      add(inv, Math.min(lastDay, day + int(r, 2, 20)), 0, `Refund ${refText(inv.n)}`, payer, -paid);
    }
    scenario.set(inv.n, s);
  }
  const strangers = ["ACME LOGISTICS GMBH", "NORDWIND AG", "P. SCHULZ", "KITE MEDIA SL", "ORBIT TRADING LTD"];
  const unmatchedIds: string[] = [];
  for (let k = 0; k < 8; k++) {
    add(
      null,
      int(r, 10, lastDay),
      int(r, 2000, 300000) / 100,
      pick(r, ["Order 5531", "Ref 88213", "", "Deposit", "Contract 7/24"]),
      pick(r, strangers),
    );
    unmatchedIds.push(txns[txns.length - 1].id);
  }
  // Truth, from the links known at generation: paid amount in the invoice currency.
  const paidOrig = new Map<number, number>();
  for (const t of txns) {
    if (t.invoice === null) continue;
    const inv = invoices[t.invoice - 1];
    paidOrig.set(inv.n, (paidOrig.get(inv.n) ?? 0) + t.eur / rateOn(inv.currency, t.day));
  }
  const fullyPaid: string[] = [], overpaid: string[] = [];
  let outstanding = 0;
  for (const inv of invoices) {
    const p = paidOrig.get(inv.n) ?? 0;
    const s = scenario.get(inv.n)!;
    const full = p >= inv.amount - 0.05;
    if (full !== ["full", "split", "by_name", "overpaid"].includes(s)) {
      throw new Error(`generator inconsistency for ${inv.id} (${s}, paid ${p} of ${inv.amount})`);
    }
    if (full) fullyPaid.push(inv.id);
    else outstanding += (inv.amount - p) * rateOn(inv.currency, lastRateDay);
    if (p - inv.amount > 1) overpaid.push(inv.id);
  }
  // Render the bank export: booking date formats vary, German amounts, duplicated lines, BOM.
  const dateText = (day: number) => {
    const d = dayOf2025(day);
    return pick(r, [
      () => iso(d),
      () => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`,
      () => `${iso(d)}T${pad(int(r, 8, 17))}:${pad(int(r, 0, 59))}:00+02:00`,
    ])();
  };
  const bankLines = shuffle(
    r,
    txns.map((t) => `${t.id};${dateText(t.day)};${t.payer};${t.ref};${german(t.eur)}`),
  );
  for (let k = 0; k < 10; k++) {
    bankLines.splice(int(r, 0, bankLines.length), 0, bankLines[int(r, 0, bankLines.length - 1)]);
  }
  const bank = "\ufeff" + ["txn_id;booking_date;payer;reference;amount_eur", ...bankLines].join("\n") + "\n";
  const invCsv = [
    "invoice_id,customer,currency,amount,issue_date",
    ...invoices.map((i) =>
      `${i.id},${i.customer},${i.currency},${i.amount.toFixed(2)},${iso(dayOf2025(i.issue))}`
    ),
  ].join("\n") + "\n";
  const rateLines = ["date,currency,eur_per_unit"];
  for (const cur of ["USD", "GBP"]) {
    for (const [d, v] of rates[cur]) rateLines.push(`${iso(dayOf2025(d))},${cur},${v}`);
  }
  return {
    files: {
      "invoices.csv": utf8(invCsv),
      "bank_export.csv": utf8(bank),
      "rates.csv": utf8(rateLines.join("\n") + "\n"),
    },
    answers: {
      fully_paid: fullyPaid,
      outstanding_eur: round2(outstanding),
      unmatched_txns: unmatchedIds,
      overpaid,
    },
  };
}
