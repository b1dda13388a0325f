/**
 * Non-neural baselines behind the same scenario interface every method uses in the backtest,
 * so every score compares like with like.
 *
 * - `bootstrap`: what a planner does by hand — resample (with replacement, seeded) whole
 *   training days that share the requested day's calendar key.
 * - `gaussian`: a multivariate normal per calendar key in a transformed space (the caller
 *   passes mixcast's transform), with the covariance shrunk toward its diagonal.
 * - `seasonal-naive`: the same weekday one week earlier, as a point forecast.
 *
 * A key that training never saw (or `key = null`) falls back to all training days; the
 * fallback is recorded once per key in the method's `notes`.
 */
import { DateTime } from 'luxon';
import { inputError } from '../errors.js';
import { rng } from '../random.js';

export interface TrainingDay {
  date: string;
  /** Calendar key of the day (e.g. 'Mon'). */
  key: string;
  /** Values in original units. */
  values: number[];
}

export interface ScenarioMethod {
  name: string;
  /** `count` scenarios (count × d), original units; the same arguments give the same result. */
  sample(date: string, key: string | null, count: number, seed: number): number[][];
  /** Things the user should know (fallbacks, fitted shrinkage), accumulated as they happen. */
  notes?: string[];
}

export interface PointMethod {
  name: string;
  point(date: string): number[] | null;
}

/** A value transform with its inverse (forward on rows of original values). */
export interface Space {
  forward(v: number[][]): number[][];
  inverse(z: number[][]): number[][];
}

// ───────────────────────────── shared ─────────────────────────────

function checkTrain(train: readonly TrainingDay[], what: string): number {
  if (train.length === 0) throw inputError(`${what} needs at least one training day`);
  const d = train[0].values.length;
  if (d === 0) throw inputError(`${what}: training day ${train[0].date} has no values`);
  for (const t of train) {
    if (t.values.length !== d) throw inputError(`${what}: training day ${t.date} has ${t.values.length} values, expected ${d} like ${train[0].date}`);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(t.values[j])) throw inputError(`${what}: training day ${t.date} has a non-finite value at interval ${j}`);
    }
  }
  return d;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw inputError(`scenario count must be a positive integer, got ${count}`);
}

function groupIndices(keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}

/** A recorder that notes a fallback once per key (null = no key given). */
function fallbackNoter(notes: string[]): (key: string | null, note: () => string) => void {
  const noted = new Set<string | null>();
  return (key, note) => {
    if (noted.has(key)) return;
    noted.add(key);
    notes.push(note());
  };
}

// ───────────────────────────── bootstrap ─────────────────────────────

/** Resample training days with the requested key (with replacement, seeded); unseen or null key → all days. */
export function bootstrapBaseline(train: TrainingDay[]): ScenarioMethod {
  checkTrain(train, 'the bootstrap baseline');
  const byKey = groupIndices(train.map((t) => t.key));
  const all = train.map((_, i) => i);
  const notes: string[] = [];
  const noteFallback = fallbackNoter(notes);
  return {
    name: 'bootstrap',
    notes,
    sample(date, key, count, seed) {
      checkCount(count);
      let pool = key === null ? undefined : byKey.get(key);
      if (!pool) {
        pool = all;
        noteFallback(key, () =>
          key === null
            ? `bootstrap: no calendar key given; resampled from all ${all.length} training days`
            : `bootstrap: key '${key}' (first asked for ${date}) has no training days; resampled from all ${all.length} training days`,
        );
      }
      const r = rng(seed);
      const idx = pool;
      return Array.from({ length: count }, () => train[idx[r.int(idx.length)]].values.slice());
    },
  };
}

// ───────────────────────────── gaussian ─────────────────────────────

export interface ShrunkCovariance {
  mean: number[];
  /** Shrunk covariance, d × d, row-major as nested arrays. */
  cov: number[][];
  /** Shrinkage intensity λ actually used, in [0, 1]. */
  lambda: number;
  /** Number of rows it was estimated from. */
  n: number;
}

/**
 * Mean and covariance of the rows of `z` with the covariance shrunk toward its diagonal:
 * Σ = (1 − λ)S + λ·diag(S), S the unbiased sample covariance (n − 1 denominator).
 *
 * `shrinkage: 'auto'` picks λ by the Ledoit–Wolf-style analytic rule for the diagonal
 * ("target D") of Schäfer & Strimmer (2005):
 *   λ* = Σ_{i≠j} Var̂(s_ij) / Σ_{i≠j} s_ij²,  Var̂(s_ij) = n/(n−1)³ Σ_k (w_kij − w̄_ij)²,
 *   w_kij = (z_ki − z̄_i)(z_kj − z̄_j),
 * clipped to [0, 1] (λ = 1 when every off-diagonal s_ij is 0). A number is used as λ
 * directly. Needs n ≥ 2 rows.
 */
export function shrunkCovariance(z: readonly number[][], shrinkage: number | 'auto' = 'auto'): ShrunkCovariance {
  const n = z.length;
  if (n < 2) throw inputError(`a covariance needs at least 2 days, got ${n}`);
  const d = z[0].length;
  if (shrinkage !== 'auto' && !(shrinkage >= 0 && shrinkage <= 1)) {
    throw inputError(`shrinkage must be 'auto' or a number in [0, 1], got ${shrinkage}`);
  }
  const mean = new Array<number>(d).fill(0);
  for (const row of z) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  const c = z.map((row) => row.map((v, j) => v - mean[j]));
  const S = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const row of c) {
    for (let i = 0; i < d; i++) {
      const ri = row[i];
      const Si = S[i];
      for (let j = i; j < d; j++) Si[j] += ri * row[j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      S[i][j] /= n - 1;
      S[j][i] = S[i][j];
    }
  }
  let lambda: number;
  if (shrinkage === 'auto') {
    let num = 0;
    let den = 0;
    for (let i = 0; i < d; i++) {
      for (let j = i + 1; j < d; j++) {
        // w̄_ij = (n−1)/n · s_ij
        const wbar = ((n - 1) / n) * S[i][j];
        let v = 0;
        for (const row of c) {
          const t = row[i] * row[j] - wbar;
          v += t * t;
        }
        num += (n / (n - 1) ** 3) * v;
        den += S[i][j] * S[i][j];
      }
    }
    lambda = den > 0 ? Math.min(1, Math.max(0, num / den)) : 1;
  } else {
    lambda = shrinkage;
  }
  const cov = S.map((row, i) => row.map((v, j) => (i === j ? v : (1 - lambda) * v)));
  return { mean, cov, lambda, n };
}

/**
 * Lower Cholesky factor of a symmetric matrix; if it is not positive definite, retries with
 * jitter ε·I added, ε = 1e-10·(mean diagonal) growing ×10 up to the mean diagonal itself
 * (an all-zero matrix gets absolute jitter from 1e-12). Returns the factor and the jitter used.
 */
export function cholesky(a: readonly number[][]): { L: number[][]; jitter: number } {
  const d = a.length;
  const meanDiag = a.reduce((s, row, i) => s + row[i], 0) / d;
  const base = meanDiag > 0 ? meanDiag : 1e-2;
  for (let jitter = 0, step = base * 1e-10; jitter <= base; jitter = jitter === 0 ? step : jitter * 10) {
    const L = tryCholesky(a, jitter);
    if (L) return { L, jitter };
  }
  throw inputError('the covariance could not be made positive definite even with jitter; the training values may be non-finite or degenerate');
}

function tryCholesky(a: readonly number[][], jitter: number): number[][] | null {
  const d = a.length;
  const L = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j] + (i === j ? jitter : 0);
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i][i] = Math.sqrt(s);
      } else {
        L[i][j] = s / L[j][j];
      }
    }
  }
  return L;
}

interface GaussianModel {
  mean: number[];
  L: number[][];
  lambda: number;
  jitter: number;
  n: number;
}

function fitGaussian(z: readonly number[][], shrinkage: number | 'auto'): GaussianModel {
  const s = shrunkCovariance(z, shrinkage);
  const { L, jitter } = cholesky(s.cov);
  return { mean: s.mean, L, lambda: s.lambda, jitter, n: s.n };
}

/**
 * Per-key multivariate normal in `space` (e.g. Anscombe + per-interval standardisation),
 * covariance shrunk toward its diagonal (see `shrunkCovariance`; default 'auto'), sampled via
 * Cholesky (jitter added if not positive definite) and mapped back with `space.inverse`.
 * Keys with fewer than 2 training days, unseen keys and `key = null` use the all-days model;
 * each fallback is noted.
 */
export function gaussianBaseline(train: TrainingDay[], space: Space, opts: { shrinkage?: number | 'auto' } = {}): ScenarioMethod {
  const d = checkTrain(train, 'the gaussian baseline');
  if (train.length < 2) throw inputError('the gaussian baseline needs at least 2 training days to estimate a covariance');
  const shrinkage = opts.shrinkage ?? 'auto';
  const z = space.forward(train.map((t) => t.values.slice()));
  if (z.length !== train.length || z.some((row) => row.length !== d)) {
    throw inputError(`the transform returned a ${z.length}-row matrix for ${train.length} training days of ${d} values; it must keep the shape`);
  }
  const notes: string[] = [];
  const noteFallback = fallbackNoter(notes);
  const pooled = fitGaussian(z, shrinkage);
  notes.push(`gaussian: all days n=${pooled.n}, shrinkage λ=${pooled.lambda.toFixed(3)}${pooled.jitter ? `, jitter ${pooled.jitter.toExponential(1)}` : ''}`);
  const models = new Map<string, GaussianModel>();
  for (const [key, idx] of groupIndices(train.map((t) => t.key))) {
    if (idx.length < 2) {
      notes.push(`gaussian: key '${key}' has ${idx.length} training day; it uses the all-days model`);
      continue;
    }
    const m = fitGaussian(
      idx.map((i) => z[i]),
      shrinkage,
    );
    models.set(key, m);
    notes.push(`gaussian: key '${key}' n=${m.n}, shrinkage λ=${m.lambda.toFixed(3)}${m.jitter ? `, jitter ${m.jitter.toExponential(1)}` : ''}`);
  }
  return {
    name: 'gaussian',
    notes,
    sample(date, key, count, seed) {
      checkCount(count);
      let m = key === null ? undefined : models.get(key);
      if (!m) {
        m = pooled;
        const known = key !== null && train.some((t) => t.key === key);
        if (!known) {
          noteFallback(key, () =>
            key === null
              ? 'gaussian: no calendar key given; sampled from the all-days model'
              : `gaussian: key '${key}' (first asked for ${date}) has no training days; sampled from the all-days model`,
          );
        }
      }
      const r = rng(seed);
      const eps = new Array<number>(d);
      const out: number[][] = [];
      for (let s = 0; s < count; s++) {
        for (let j = 0; j < d; j++) eps[j] = r.normal();
        const row = m.mean.slice();
        for (let i = 0; i < d; i++) {
          const Li = m.L[i];
          let acc = 0;
          for (let k = 0; k <= i; k++) acc += Li[k] * eps[k];
          row[i] += acc;
        }
        out.push(row);
      }
      return space.inverse(out);
    },
  };
}

// ───────────────────────────── seasonal naive ─────────────────────────────

/** Point forecast: the training day exactly one week earlier (same weekday), or null if absent. */
export function seasonalNaive(train: TrainingDay[]): PointMethod {
  checkTrain(train, 'the seasonal-naive baseline');
  const byDate = new Map<string, number[]>();
  for (const t of train) {
    const dt = DateTime.fromISO(t.date, { zone: 'UTC' });
    if (!dt.isValid) throw inputError(`training day date '${t.date}' is not an ISO date (YYYY-MM-DD)`);
    byDate.set(dt.toISODate()!, t.values);
  }
  return {
    name: 'seasonal-naive',
    point(date) {
      const dt = DateTime.fromISO(date, { zone: 'UTC' });
      if (!dt.isValid) throw inputError(`date '${date}' is not an ISO date (YYYY-MM-DD)`);
      const v = byDate.get(dt.minus({ days: 7 }).toISODate()!);
      return v ? v.slice() : null;
    },
  };
}
