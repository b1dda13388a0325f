/** Quantiles used by the staffing library. */

import { quantileLinear } from '../core/quantiles.js';

/** The quantile functions are src/core/quantiles.ts's; re-exported for the staffing library's users. */
export { quantileInverseCdf, quantileLinear } from '../core/quantiles.js';

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
