/**
 * The trend of horizons over release dates: ordinary least squares of log2(horizon) on release date, the
 * doubling time in months, and its bootstrap interval from replicate horizons.
 *
 * @module
 */
import { quantiles } from "./quantile.ts";

/** One agent on the trend. */
export interface TrendPoint {
  /** Agent name, used as the point's label. */
  agent: string;
  /** Release date, `YYYY-MM-DD` or a Date. */
  date: string | Date;
  /** Horizon (minutes) on the full data. */
  horizon: number;
  /** The agent's bootstrap replicate horizons (same replicate order for every agent), if intervals are wanted. */
  samples?: ArrayLike<number>;
}

/** Result of {@link horizonTrend}. */
export interface HorizonTrend {
  /** Points used (finite positive horizon and a valid date). */
  points: { agent: string; date: Date; year: number; horizon: number }[];
  /** log2(minutes) per year. */
  slope: number;
  /** log2(minutes) at year 0 of the decimal-year scale (use {@link trendAt}). */
  intercept: number;
  /** 12 / slope: months for the horizon to double. */
  doublingMonths: number;
  /** Bootstrap interval of the doubling time (NaN without samples). */
  low: number;
  /**
   * Upper end of the doubling time's bootstrap interval in months (Infinity when the lower slope quantile is
   * ≤ 0; NaN without samples).
   */
  high: number;
  /** Replicate slopes (empty without samples; NaN where fewer than 2 points were usable). */
  slopes: Float64Array;
}

const MS_PER_YEAR = 365.25 * 24 * 3600 * 1000;

/** Decimal year of a date (1970 = 1970.0). */
export function decimalYear(date: string | Date): number {
  const d = typeof date === "string" ? new Date(date) : date;
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new Error(`invalid release date "${String(date)}"`);
  return 1970 + t / MS_PER_YEAR;
}

/** Fitted horizon (minutes) of a trend at a date. */
export function trendAt(trend: Pick<HorizonTrend, "slope" | "intercept">, date: string | Date): number {
  return 2 ** (trend.intercept + trend.slope * decimalYear(date));
}

/**
 * OLS of log2(horizon) on release date over the given points (non-positive or non-finite horizons are left
 * out) and, when every point has `samples`, the doubling time's interval (default 10–90%) from the replicate
 * slopes (interval of slopes inverted; a non-positive slope gives an infinite doubling time).
 */
export function horizonTrend(
  points: readonly TrendPoint[],
  options: { interval?: readonly [number, number] } = {},
): HorizonTrend {
  const used = points.filter((p) => p.horizon > 0 && Number.isFinite(p.horizon));
  if (used.length < 2) {
    throw new Error(`horizonTrend: need at least 2 agents with a positive horizon, got ${used.length}`);
  }
  const years = used.map((p) => decimalYear(p.date));
  const { slope, intercept } = ols(years, used.map((p) => Math.log2(p.horizon)));
  const out: HorizonTrend = {
    points: used.map((p, i) => ({
      agent: p.agent,
      date: typeof p.date === "string" ? new Date(p.date) : p.date,
      year: years[i],
      horizon: p.horizon,
    })),
    slope,
    intercept,
    doublingMonths: 12 / slope,
    low: NaN,
    high: NaN,
    slopes: new Float64Array(0),
  };
  if (used.every((p) => p.samples)) {
    const B = Math.min(...used.map((p) => p.samples!.length));
    const slopes = new Float64Array(B);
    const xs: number[] = [], ys: number[] = [];
    for (let b = 0; b < B; b++) {
      xs.length = 0;
      ys.length = 0;
      used.forEach((p, i) => {
        const h = p.samples![b];
        if (h > 0 && Number.isFinite(h)) {
          xs.push(years[i]);
          ys.push(Math.log2(h));
        }
      });
      slopes[b] = xs.length >= 2 ? ols(xs, ys).slope : NaN;
    }
    const [qLo, qHi] = options.interval ?? [0.1, 0.9];
    const [sLo, sHi] = quantiles(slopes, [qLo, qHi]);
    out.slopes = slopes;
    out.low = sHi > 0 ? 12 / sHi : Infinity;
    out.high = sLo > 0 ? 12 / sLo : Infinity;
  }
  return out;
}

/** Simple least squares y = intercept + slope·x. */
export function ols(x: readonly number[], y: readonly number[]): { slope: number; intercept: number } {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * The frontier: agents whose horizon exceeds that of every agent released before them (ties in date are
 * compared with the best strictly earlier release). A common choice of agents for the trend; METR's paper fits
 * its trend on frontier models, but its exact selection rule is not in the reference material.
 */
export function frontierPoints<T extends { date: string | Date; horizon: number }>(
  points: readonly T[],
): T[] {
  const sorted = [...points].filter((p) => p.horizon > 0 && Number.isFinite(p.horizon))
    .sort((a, b) => decimalYear(a.date) - decimalYear(b.date));
  const out: T[] = [];
  let best = 0;
  let i = 0;
  while (i < sorted.length) {
    const year = decimalYear(sorted[i].date);
    let j = i;
    let bestHere = best;
    while (j < sorted.length && decimalYear(sorted[j].date) === year) {
      if (sorted[j].horizon > best) out.push(sorted[j]);
      bestHere = Math.max(bestHere, sorted[j].horizon);
      j++;
    }
    best = bestHere;
    i = j;
  }
  return out;
}
