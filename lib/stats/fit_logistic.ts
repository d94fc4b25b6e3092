/**
 * Weighted, L2-regularised logistic regression of success on one predictor, solved by Newton's method.
 *
 * Minimises exactly the objective of METR's time-horizon pipeline (scikit-learn
 * `LogisticRegression(C = 1/regularization)` with sample weights):
 *
 *     C · Σ wᵢ · logloss(yᵢ, σ(a + b·xᵢ)) + ½ b²        (intercept a not penalised)
 *
 * which has the same minimiser as `Σ wᵢ·logloss + (regularization/2)·b²`.
 *
 * Fractional outcomes: METR splits a row with 0 < y < 1 into a y=0 row of weight (1−y)w and a y=1 row of
 * weight y·w. Because the log-loss is linear in y, that split gives exactly the same objective, gradient
 * and Hessian as using the fractional y directly, so this solver takes fractional y as it is
 * ({@link splitFractional} does the literal split, for anyone who wants to see the rows).
 *
 * @module
 */

/** Options of {@link fitLogistic}. */
export interface FitLogisticOptions {
  /** L2 penalty on the slope, = 1/C in scikit-learn terms. Default 0.01 (METR's default). */
  regularization?: number;
  /** Starting point (warm start), e.g. the full-data fit when fitting bootstrap replicates. */
  init?: { intercept: number; coefficient: number };
  /** Stop when the Newton step is below this in both parameters. Default 1e-10. */
  tolerance?: number;
  /** Iteration cap. Default 100. */
  maxIterations?: number;
}

/**
 * Result of a logistic fit. `degenerate` is set when all weighted outcomes are 0 (`"all-fail"`: METR's
 * convention of coefficient −∞, horizon 0) or all are 1 (`"all-success"`: coefficient +∞, horizon ∞);
 * no Newton iterations are run then.
 */
export interface LogisticFit {
  /** Intercept a of σ(a + b·x) (−∞ for `"all-fail"`, +∞ for `"all-success"`, NaN for `"no-weight"`). */
  intercept: number;
  /** Slope b per unit of x (with x = log2 minutes: per doubling of task length); ±∞ / NaN when degenerate. */
  coefficient: number;
  /**
   * False when the iteration cap was hit (e.g. separable data with no penalty); true for
   * all-fail/all-success.
   */
  converged: boolean;
  /** Newton iterations run (0 for a degenerate fit). */
  iterations: number;
  /**
   * Why no fit was run: all weighted outcomes 0 (`"all-fail"`), all 1 (`"all-success"`) or total weight 0
   * (`"no-weight"`). Absent for an ordinary fit.
   */
  degenerate?: "all-fail" | "all-success" | "no-weight";
}

/** Numerically stable log(1 + e^z). */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Logistic function 1 / (1 + e^-z). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Fit P(success) = σ(intercept + coefficient·x).
 *
 * @param x predictor, e.g. log2(human minutes)
 * @param y outcomes in [0, 1] (fractional values allowed; see module doc)
 * @param w non-negative weights, or `null` for all ones
 * @returns the fit; `converged` is false if the iteration cap was hit (e.g. separable data with no penalty)
 * @throws RangeError on mismatched lengths, y outside [0,1], negative or non-finite weights
 */
export function fitLogistic(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number> | null,
  options: FitLogisticOptions = {},
): LogisticFit {
  const n = x.length;
  if (y.length !== n || (w && w.length !== n)) {
    throw new RangeError(
      `fitLogistic: x, y and w must have equal lengths (got ${n}, ${y.length}, ${w?.length})`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!(y[i] >= 0 && y[i] <= 1)) throw new RangeError(`fitLogistic: y[${i}] = ${y[i]} is not in [0, 1]`);
    if (!Number.isFinite(x[i])) throw new RangeError(`fitLogistic: x[${i}] = ${x[i]} is not finite`);
    if (w && !(w[i] >= 0 && Number.isFinite(w[i]))) {
      throw new RangeError(`fitLogistic: w[${i}] = ${w[i]} is not a finite non-negative weight`);
    }
  }
  return fitLogisticUnchecked(x, y, w, options);
}

/**
 * {@link fitLogistic} without input validation — the kernel used inside bootstraps, where inputs are
 * validated once up front. Rows with weight 0 are ignored.
 */
export function fitLogisticUnchecked(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number> | null,
  options: FitLogisticOptions = {},
): LogisticFit {
  const lambda = options.regularization ?? 0.01;
  const tol = options.tolerance ?? 1e-10;
  const maxIter = options.maxIterations ?? 100;
  const n = x.length;

  let sw = 0, swy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    sw += wi;
    swy += wi * y[i];
  }
  if (!(sw > 0)) {
    return { intercept: NaN, coefficient: NaN, converged: false, iterations: 0, degenerate: "no-weight" };
  }
  if (swy <= 0) {
    return {
      intercept: -Infinity,
      coefficient: -Infinity,
      converged: true,
      iterations: 0,
      degenerate: "all-fail",
    };
  }
  if (swy >= sw) {
    return {
      intercept: Infinity,
      coefficient: Infinity,
      converged: true,
      iterations: 0,
      degenerate: "all-success",
    };
  }

  let a: number, b: number;
  if (options.init && Number.isFinite(options.init.intercept) && Number.isFinite(options.init.coefficient)) {
    a = options.init.intercept;
    b = options.init.coefficient;
  } else {
    const ybar = swy / sw;
    a = Math.log(ybar / (1 - ybar));
    b = 0;
  }

  // Each pass computes objective, gradient and Hessian together. A step that raised the objective is halved
  // from the previous point (backtracking), so every accepted point is a descent point.
  let aPrev = a, bPrev = b, fPrev = Infinity, da = 0, db = 0, step = 1;
  for (let iter = 1; iter <= maxIter; iter++) {
    let f = 0, g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      if (wi === 0) continue;
      const xi = x[i];
      const z = a + b * xi;
      const p = sigmoid(z);
      const yi = y[i];
      f += wi * (softplus(z) - yi * z);
      const r = wi * (p - yi);
      const v = wi * p * (1 - p);
      g0 += r;
      g1 += r * xi;
      h00 += v;
      h01 += v * xi;
      h11 += v * xi * xi;
    }
    f += 0.5 * lambda * b * b;
    if (!(f <= fPrev + 1e-14 * Math.abs(fPrev)) && step > 1e-12) {
      step *= 0.5;
      a = aPrev - step * da;
      b = bPrev - step * db;
      continue;
    }
    g1 += lambda * b;
    h11 += lambda;
    const det = h00 * h11 - h01 * h01;
    if (det > 1e-300 * Math.max(1, h00 * h11)) {
      da = (h11 * g0 - h01 * g1) / det;
      db = (h00 * g1 - h01 * g0) / det;
    } else {
      // Singular Hessian (e.g. unpenalised fit on one x value): fall back to a gradient step.
      da = g0;
      db = g1;
    }
    if (Math.max(Math.abs(da), Math.abs(db)) < tol * (1 + Math.max(Math.abs(a), Math.abs(b)))) {
      return { intercept: a - da, coefficient: b - db, converged: true, iterations: iter };
    }
    aPrev = a;
    bPrev = b;
    fPrev = f;
    step = 1;
    a -= da;
    b -= db;
  }
  return { intercept: a, coefficient: b, converged: false, iterations: maxIter };
}

/**
 * METR's literal handling of fractional outcomes: each row with 0 < y < 1 becomes a y=0 row with weight
 * (1−y)·w and a y=1 row with weight y·w; rows with y ∈ {0, 1} are kept. Returns new arrays.
 */
export function splitFractional(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number> | null,
): { x: Float64Array; y: Float64Array; w: Float64Array } {
  const xs: number[] = [], ys: number[] = [], ws: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const wi = w ? w[i] : 1;
    const yi = y[i];
    if (yi > 0 && yi < 1) {
      xs.push(x[i], x[i]);
      ys.push(0, 1);
      ws.push((1 - yi) * wi, yi * wi);
    } else {
      xs.push(x[i]);
      ys.push(yi);
      ws.push(wi);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), w: Float64Array.from(ws) };
}

/**
 * Weighted mean binary cross-entropy (natural log) of a fit on (x, y, w): Σ w·logloss / Σ w.
 */
export function logLoss(
  fit: Pick<LogisticFit, "intercept" | "coefficient">,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number> | null,
): number {
  let s = 0, sw = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const z = fit.intercept + fit.coefficient * x[i];
    s += wi * (softplus(z) - y[i] * z);
    sw += wi;
  }
  return s / sw;
}
