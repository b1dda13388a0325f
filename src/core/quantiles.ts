/**
 * Quantiles, written once: type 7 (linear interpolation, the R / numpy default) for forecasts,
 * fan charts and spreads; type 1 (inverse CDF) for staffing coverage. Plus the sample checks the
 * scores share.
 */
import { inputError } from './errors.js';

export type Vec = readonly number[] | Float64Array;

// ───────────────────────────── checks ─────────────────────────────

export function checkFinite(v: Vec, what: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw inputError(`${what} has a non-finite value (${v[i]}) at position ${i}; scores need finite numbers`);
  }
}

/** Validate a sample matrix (S × d, S ≥ 1, d ≥ 1, finite) and return d. */
export function checkSet(set: readonly Vec[], what: string): number {
  if (set.length === 0) throw inputError(`${what} is empty; pass at least one scenario`);
  const d = set[0].length;
  if (d === 0) throw inputError(`${what} has zero-length rows; pass at least one interval`);
  for (let s = 0; s < set.length; s++) {
    if (set[s].length !== d) throw inputError(`${what} row ${s} has ${set[s].length} values, expected ${d} like row 0`);
    checkFinite(set[s], `${what} row ${s}`);
  }
  return d;
}

export function checkProb(q: number, what: string): void {
  if (!(q >= 0 && q <= 1)) throw inputError(`${what} must be in [0, 1], got ${q}`);
}

// ───────────────────────────── sorting ─────────────────────────────

export function isSorted(v: Vec): boolean {
  for (let i = 1; i < v.length; i++) if (v[i] < v[i - 1]) return false;
  return true;
}

export function sortedCopy(v: Vec): Float64Array {
  const a = Float64Array.from(v);
  a.sort();
  return a;
}

/** Column j of a sample matrix, sorted ascending. */
export function sortedColumn(samples: readonly Vec[], j: number): Float64Array {
  const a = new Float64Array(samples.length);
  for (let s = 0; s < samples.length; s++) a[s] = samples[s][j];
  a.sort();
  return a;
}


/** Linearly interpolated quantile (type 7) of an ascending sample; NaN when it is empty. */
export function quantileLinear(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

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

/** Key for a probability level in result objects: String(0.1) = '0.1'. */
export const levelKey = (q: number): string => String(q);

/** Type-7 quantile (linear interpolation) of a sorted or unsorted sample; q in [0, 1]. */
export function quantile(values: Vec, q: number): number {
  if (values.length === 0) throw inputError('quantile of an empty sample; pass at least one value');
  checkProb(q, 'quantile level');
  checkFinite(values, 'sample');
  return quantileLinear(isSorted(values) ? values : sortedCopy(values), q);
}

/**
 * Per-interval type-7 quantiles of a scenario set, keyed by `String(q)`, e.g. for a fan chart:
 * `intervalQuantiles(samples, [0.05, 0.25, 0.5, 0.75, 0.95])`.
 */
export function intervalQuantiles(samples: readonly Vec[], qs: readonly number[]): Record<string, number[]> {
  const d = checkSet(samples, 'samples');
  for (const q of qs) checkProb(q, 'quantile level');
  const out: Record<string, number[]> = {};
  for (const q of qs) out[levelKey(q)] = new Array<number>(d);
  for (let j = 0; j < d; j++) {
    const col = sortedColumn(samples, j);
    for (const q of qs) out[levelKey(q)][j] = quantileLinear(col, q);
  }
  return out;
}
