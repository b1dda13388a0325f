/**
 * k-means (k-means++ seeding, Lloyd iterations, restarts) and the mean silhouette, on plain
 * Float64 data. Internal to src/prior; the prior builder wraps it.
 */
import { rng, type Rng } from '../core/random.js';

/** Row-major n × d matrix. */
export interface Mat {
  data: Float64Array;
  n: number;
  d: number;
}

export function toMat(rows: readonly (readonly number[])[]): Mat {
  const n = rows.length;
  const d = n ? rows[0].length : 0;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) data.set(rows[i], i * d);
  return { data, n, d };
}

/** Squared Euclidean distance between row i of a and row k of b (same d). */
function sqd(a: Float64Array, i: number, b: Float64Array, k: number, d: number): number {
  let s = 0;
  const oa = i * d;
  const ob = k * d;
  for (let j = 0; j < d; j++) {
    const e = a[oa + j] - b[ob + j];
    s += e * e;
  }
  return s;
}

export interface KmeansResult {
  /** K × d, row-major; each row the mean of its cluster's points. */
  centers: Float64Array;
  assign: Int32Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

export const KMEANS_MAX_ITER = 300;
export const KMEANS_RESTARTS = 5;

/** k-means++ seeding: first center uniform, then each next with probability ∝ D². */
function seedPlusPlus(X: Mat, K: number, r: Rng): Float64Array {
  const { data, n, d } = X;
  const centers = new Float64Array(K * d);
  const first = r.int(n);
  centers.set(data.subarray(first * d, first * d + d), 0);
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = sqd(data, i, centers, 0, d);
  for (let k = 1; k < K; k++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += d2[i];
    let pick = n - 1;
    if (total > 0) {
      let u = r.next() * total;
      for (let i = 0; i < n; i++) {
        u -= d2[i];
        if (u < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = r.int(n); // every point already sits on a center: duplicates are unavoidable
    }
    centers.set(data.subarray(pick * d, pick * d + d), k * d);
    for (let i = 0; i < n; i++) {
      const v = sqd(data, i, centers, k, d);
      if (v < d2[i]) d2[i] = v;
    }
  }
  return centers;
}

/**
 * One k-means run: k-means++ seeding, then Lloyd (assign to the nearest center, ties to the
 * lower index; recompute means) until the assignment stops changing or KMEANS_MAX_ITER.
 * An emptied cluster takes the point farthest from its own center among clusters with more
 * than one point, so every cluster keeps at least one day (K ≤ n is the caller's check).
 * On return the centers are the means of `assign`.
 */
export function lloyd(X: Mat, K: number, r: Rng, maxIter = KMEANS_MAX_ITER): KmeansResult {
  const { data, n, d } = X;
  const centers = seedPlusPlus(X, K, r);
  const assign = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const count = new Int32Array(K);
  let iterations = 0;
  let converged = false;
  for (let iter = 0; iter < maxIter; iter++) {
    iterations = iter + 1;
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = sqd(data, i, centers, 0, d);
      for (let k = 1; k < K; k++) {
        const v = sqd(data, i, centers, k, d);
        if (v < bestD) {
          bestD = v;
          best = k;
        }
      }
      dist[i] = bestD;
      if (assign[i] !== best) {
        assign[i] = best;
        changed = true;
      }
    }
    if (!changed) {
      converged = true;
      break;
    }
    count.fill(0);
    for (let i = 0; i < n; i++) count[assign[i]]++;
    for (let k = 0; k < K; k++) {
      if (count[k] > 0) continue;
      let far = -1;
      for (let i = 0; i < n; i++) {
        if (count[assign[i]] > 1 && (far < 0 || dist[i] > dist[far])) far = i;
      }
      if (far < 0) break; // cannot happen for K ≤ n
      count[assign[far]]--;
      assign[far] = k;
      count[k]++;
      dist[far] = 0;
    }
    centers.fill(0);
    for (let i = 0; i < n; i++) {
      const o = assign[i] * d;
      const oi = i * d;
      for (let j = 0; j < d; j++) centers[o + j] += data[oi + j];
    }
    for (let k = 0; k < K; k++) {
      const inv = 1 / count[k];
      for (let j = 0; j < d; j++) centers[k * d + j] *= inv;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqd(data, i, centers, assign[i], d);
  return { centers, assign, inertia, iterations, converged };
}

/**
 * The best of `restarts` runs (lowest inertia; the first on ties), all drawn from one
 * rng(seed) stream, so the result is a function of (data, K, seed).
 */
export function kmeans(X: Mat, K: number, seed: number, restarts = KMEANS_RESTARTS): KmeansResult {
  const r = rng(seed);
  let best: KmeansResult | null = null;
  for (let s = 0; s < restarts; s++) {
    const res = lloyd(X, K, r);
    if (!best || res.inertia < best.inertia) best = res;
  }
  return best!;
}

/** Pairwise Euclidean distances (n × n), or null when n is too large to hold them. */
export function pairwiseDistances(X: Mat, maxN = 3000): Float64Array | null {
  const { data, n, d } = X;
  if (n > maxN) return null;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      const v = Math.sqrt(sqd(data, i, data, k, d));
      D[i * n + k] = v;
      D[k * n + i] = v;
    }
  }
  return D;
}

/**
 * Mean silhouette (Rousseeuw 1987), Euclidean: for day i in cluster A, a(i) = mean distance
 * to the other days of A, b(i) = smallest mean distance to the days of another cluster,
 * s(i) = (b − a) / max(a, b) (0 when both are 0); s(i) = 0 for a day alone in its cluster.
 * The score is the mean of s(i) over all days, in [−1, 1]; higher is better separated.
 */
export function meanSilhouette(X: Mat, assign: Int32Array, K: number, D: Float64Array | null): number {
  const { data, n, d } = X;
  const size = new Int32Array(K);
  for (let i = 0; i < n; i++) size[assign[i]]++;
  const sums = new Float64Array(K);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a0 = assign[i];
    if (size[a0] < 2) continue;
    sums.fill(0);
    for (let k = 0; k < n; k++) {
      if (k === i) continue;
      sums[assign[k]] += D ? D[i * n + k] : Math.sqrt(sqd(data, i, data, k, d));
    }
    const a = sums[a0] / (size[a0] - 1);
    let b = Infinity;
    for (let c = 0; c < K; c++) {
      if (c === a0 || size[c] === 0) continue;
      const m = sums[c] / size[c];
      if (m < b) b = m;
    }
    if (!Number.isFinite(b)) continue;
    const den = Math.max(a, b);
    total += den > 0 ? (b - a) / den : 0;
  }
  return total / n;
}
