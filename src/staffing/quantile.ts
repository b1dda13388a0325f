/** Quantiles used by the staffing library. */

/**
 * Inverse-CDF quantile (type 1): the smallest sorted value v with share(x ≤ v) ≥ p.
 * For required agents this is the staffing that meets the target in at least a share p of
 * scenarios, and for p = cu / (cu + co) it is the exact newsvendor optimum of the empirical
 * distribution. `sorted` must be ascending and non-empty.
 */
export function quantileInverseCdf(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const idx = Math.min(n - 1, Math.max(0, Math.ceil(p * n - 1e-9) - 1));
  return sorted[idx];
}

/** Linearly interpolated quantile (type 7, the R / numpy default) for spreads of metrics. */
export function quantileLinear(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Mean, sample standard deviation, p10, p90 over the finite values (NaN ones are left out). */
export interface Spread {
  mean: number;
  sd: number;
  p10: number;
  p90: number;
  /** Number of finite values the spread is over. */
  n: number;
}

export function spread(values: ArrayLike<number>): Spread {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) xs.push(values[i]);
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, p10: NaN, p90: NaN, n: 0 };
  xs.sort((a, b) => a - b);
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, p10: quantileLinear(xs, 0.1), p90: quantileLinear(xs, 0.9), n };
}
