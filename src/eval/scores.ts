/**
 * Sample-based scores for scenario sets, on original units. Plain number arrays in and out.
 *
 * Conventions: `samples` is S scenarios × d intervals for one day (`samples[s][j]`), `truth`
 * is the held-out day (d values). Every estimator below is stated with its exact formula so
 * numbers can be reproduced by hand:
 *
 * - Quantiles: Hyndman–Fan type 7 (linear interpolation between order statistics, the
 *   default of R and NumPy): h = (n − 1)q, Q(q) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎).
 * - CRPS: the "fair" (unbiased) ensemble CRPS in its probability-weighted-moment form
 *   (Taillardat et al. 2016, Zamo & Naveau 2018), computed from the sorted sample in
 *   O(S log S): CRPS = (1/S)Σ|xᵢ − y| + β₀ − 2β₁ with β₀ = (1/S)Σx₍ᵢ₎,
 *   β₁ = 1/(S(S−1)) Σ (i−1) x₍ᵢ₎ (i = 1..S). This equals
 *   (1/S)Σ|xᵢ − y| − 1/(2S(S−1)) Σ_{i≠j}|xᵢ − xⱼ|, i.e. the energy score below in 1-D.
 *   With S = 1 the spread term is taken as 0 (CRPS = |x − y|).
 * - Energy score: ES = (1/S)Σ‖xᵢ − y‖ − 1/(2S(S−1)) Σ_{i≠j}‖xᵢ − xⱼ‖ (Euclidean, whole-day
 *   vectors), the unbiased all-pairs form; O(S²d), fine for S ≤ ~1000 (S = 1000, d = 48 is
 *   about 2.4·10⁷ multiply-adds).
 * - Energy distance between sets: the V-statistic 2E‖X − Y‖ − E‖X − X′‖ − E‖Y − Y′‖ over all
 *   pairs (including i = j), i.e. the energy distance between the two empirical
 *   distributions: ≥ 0, exactly 0 for identical sets (biased by O(1/n) as an estimate of the
 *   population distance).
 * - Wasserstein-1 (1-D): exact ∫₀¹|F_A⁻¹(u) − F_B⁻¹(u)|du between the empirical distributions,
 *   by merging the two step quantile functions (unequal sizes allowed).
 * - PIT: randomised rank PIT (Czado, Gneiting & Held 2009 applied to the ensemble augmented
 *   by the observation). With L = #{xᵢ < y}, H = #{xᵢ ≤ y} and V ~ U[0,1) (seeded):
 *   PIT = (L + V(H − L + 1)) / (S + 1). If y is exchangeable with the samples (calibrated),
 *   this is exactly U(0,1), ties included — which matters for integer counts, where many
 *   samples can equal y; without randomisation ties pile up PIT mass in single bins.
 * - Coverage: the central level-ℓ interval is [Q((1−ℓ)/2), Q((1+ℓ)/2)] (type-7 quantiles),
 *   closed on both ends (an integer truth equal to an end counts as covered).
 */
import { inputError } from '../core/errors.js';
import { rng as makeRng, type Rng } from '../core/random.js';

import { checkFinite, checkProb, checkSet, intervalQuantiles, levelKey, quantile, quantileLinear, sortedColumn, sortedCopy, type Vec } from '../core/quantiles.js';

/** Quantiles are src/core/quantiles.ts's; re-exported here for the scores' users. */
export { intervalQuantiles, levelKey, quantile, type Vec };

export const DEFAULT_QUANTILES = [0.1, 0.5, 0.9] as const;
export const DEFAULT_LEVELS = [0.5, 0.8, 0.9] as const;

// ───────────────────────────── validation ─────────────────────────────

function checkDay(samples: readonly Vec[], truth: Vec): number {
  const d = checkSet(samples, 'samples');
  if (truth.length !== d) throw inputError(`truth has ${truth.length} values but the samples have ${d} per row; they must describe the same intervals`);
  checkFinite(truth, 'truth');
  return d;
}

// ───────────────────────────── helpers ─────────────────────────────

function euclid(a: Vec, b: Vec): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j] - b[j];
    s += t * t;
  }
  return Math.sqrt(s);
}

function mean(v: Vec): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** Sum over all ordered pairs i ≠ j of ‖xᵢ − xⱼ‖ (= 2 × the unordered sum). */
function pairSumWithin(set: readonly Vec[]): number {
  let s = 0;
  for (let i = 0; i < set.length; i++) for (let k = i + 1; k < set.length; k++) s += euclid(set[i], set[k]);
  return 2 * s;
}

// ───────────────────────────── CRPS / energy score ─────────────────────────────

function crpsSorted(x: Float64Array, y: number): number {
  const S = x.length;
  let absErr = 0;
  let b0 = 0;
  let b1 = 0;
  for (let i = 0; i < S; i++) {
    absErr += Math.abs(x[i] - y);
    b0 += x[i];
    b1 += i * x[i];
  }
  absErr /= S;
  if (S === 1) return absErr;
  b0 /= S;
  b1 /= S * (S - 1);
  return absErr + b0 - 2 * b1;
}

/** Fair (unbiased) sample CRPS of one scalar, PWM form from the sorted sample (see module doc). */
export function crps(samplesOfOneScalar: Vec, y: number): number {
  if (samplesOfOneScalar.length === 0) throw inputError('crps of an empty sample; pass at least one value');
  checkFinite(samplesOfOneScalar, 'samples');
  if (!Number.isFinite(y)) throw inputError(`crps: the observation must be finite, got ${y}`);
  return crpsSorted(sortedCopy(samplesOfOneScalar), y);
}

export interface CrpsDay {
  /** Mean of the per-interval CRPS. */
  meanOverIntervals: number;
  perInterval: number[];
  /** CRPS of the daily total: the samples' row sums against the truth's sum. */
  dailyTotal: number;
}

export function crpsDay(samples: readonly Vec[], truth: Vec): CrpsDay {
  const d = checkDay(samples, truth);
  const perInterval = new Array<number>(d);
  for (let j = 0; j < d; j++) perInterval[j] = crpsSorted(sortedColumn(samples, j), truth[j]);
  const totals = Float64Array.from(samples, (row) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += row[j];
    return s;
  });
  totals.sort();
  let yTotal = 0;
  for (let j = 0; j < d; j++) yTotal += truth[j];
  return { meanOverIntervals: mean(perInterval), perInterval, dailyTotal: crpsSorted(totals, yTotal) };
}

/**
 * Energy score of whole-day vectors, unbiased all-pairs form:
 * ES = (1/S)Σ‖xᵢ − y‖ − 1/(2S(S−1))Σ_{i≠j}‖xᵢ − xⱼ‖ (spread term 0 when S = 1).
 */
export function energyScore(samples: readonly Vec[], truth: Vec): number {
  checkDay(samples, truth);
  const S = samples.length;
  let toTruth = 0;
  for (let s = 0; s < S; s++) toTruth += euclid(samples[s], truth);
  toTruth /= S;
  if (S === 1) return toTruth;
  return toTruth - pairSumWithin(samples) / (2 * S * (S - 1));
}

// ───────────────────────────── quantile scores ─────────────────────────────

/** Pinball (quantile) loss of a quantile forecast qhat at level q for observation y. */
export function pinballLoss(qhat: number, y: number, q: number): number {
  const u = y - qhat;
  return u >= 0 ? q * u : (q - 1) * u;
}

/**
 * Mean pinball loss over intervals per quantile level; the forecast quantile of each interval
 * is the type-7 sample quantile. Keys are `String(q)`.
 */
export function pinball(samples: readonly Vec[], truth: Vec, quantiles: readonly number[] = DEFAULT_QUANTILES): Record<string, number> {
  const d = checkDay(samples, truth);
  for (const q of quantiles) checkProb(q, 'pinball quantile');
  const sums = quantiles.map(() => 0);
  for (let j = 0; j < d; j++) {
    const col = sortedColumn(samples, j);
    quantiles.forEach((q, k) => (sums[k] += pinballLoss(quantileLinear(col, q), truth[j], q)));
  }
  const out: Record<string, number> = {};
  quantiles.forEach((q, k) => (out[levelKey(q)] = sums[k] / d));
  return out;
}

/** Share of intervals whose truth lies in the closed central interval of each level (keys `String(level)`). */
export function coverage(samples: readonly Vec[], truth: Vec, levels: readonly number[] = DEFAULT_LEVELS): Record<string, number> {
  const d = checkDay(samples, truth);
  for (const l of levels) checkProb(l, 'coverage level');
  const hits = levels.map(() => 0);
  for (let j = 0; j < d; j++) {
    const col = sortedColumn(samples, j);
    levels.forEach((l, k) => {
      const lo = quantileLinear(col, (1 - l) / 2);
      const hi = quantileLinear(col, (1 + l) / 2);
      if (truth[j] >= lo && truth[j] <= hi) hits[k]++;
    });
  }
  const out: Record<string, number> = {};
  levels.forEach((l, k) => (out[levelKey(l)] = hits[k] / d));
  return out;
}

// ───────────────────────────── PIT ─────────────────────────────

/**
 * Randomised PIT value per interval: (L + V(H − L + 1)) / (S + 1) with L = #{x < y},
 * H = #{x ≤ y}, V ~ U[0,1) from the seeded rng (see module doc). Pass an `Rng` to continue
 * one stream across days (otherwise every day with the same seed reuses the same V's).
 */
export function pitValues(samples: readonly Vec[], truth: Vec, seed: number | Rng = 0): number[] {
  const d = checkDay(samples, truth);
  const r = typeof seed === 'number' ? makeRng(seed) : seed;
  const S = samples.length;
  const out = new Array<number>(d);
  for (let j = 0; j < d; j++) {
    let lower = 0;
    let lowerEq = 0;
    for (let s = 0; s < S; s++) {
      const x = samples[s][j];
      if (x < truth[j]) lower++;
      if (x <= truth[j]) lowerEq++;
    }
    out[j] = (lower + r.next() * (lowerEq - lower + 1)) / (S + 1);
  }
  return out;
}

/** Counts of PIT values in `bins` equal-width bins on [0, 1] (a value of exactly 1 goes to the last bin). */
export function pitHistogram(values: Vec, bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw inputError(`pitHistogram: bins must be a positive integer, got ${bins}`);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) throw inputError(`PIT value ${v} at position ${i} is outside [0, 1]`);
    counts[Math.min(bins - 1, Math.floor(v * bins))]++;
  }
  return counts;
}

// ───────────────────────────── distances between sets ─────────────────────────────

/** Exact 1-D Wasserstein-1 distance between two empirical distributions (sizes may differ). */
export function wasserstein1(a: Vec, b: Vec): number {
  if (a.length === 0 || b.length === 0) throw inputError('wasserstein1 needs two non-empty samples');
  checkFinite(a, 'first sample');
  checkFinite(b, 'second sample');
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  const n = x.length;
  const m = y.length;
  // Quantile function of x is x[i] on (i/n, (i+1)/n]; walk the merged breakpoints in integer
  // units of 1/(n·m) so that coinciding breakpoints are detected exactly.
  let i = 0;
  let k = 0;
  let u = 0; // current position × n·m
  let total = 0;
  while (i < n && k < m) {
    const nextX = (i + 1) * m;
    const nextY = (k + 1) * n;
    const next = Math.min(nextX, nextY);
    total += (next - u) * Math.abs(x[i] - y[k]);
    u = next;
    if (nextX === next) i++;
    if (nextY === next) k++;
  }
  return total / (n * m);
}

export interface PerIntervalDistance {
  mean: number;
  perInterval: number[];
}

/** W1 between the two sets' marginals, interval by interval, and their mean. */
export function wassersteinPerInterval(setA: readonly Vec[], setB: readonly Vec[]): PerIntervalDistance {
  const d = checkSet(setA, 'first set');
  const dB = checkSet(setB, 'second set');
  if (d !== dB) throw inputError(`the two sets have ${d} and ${dB} intervals per row; they must match`);
  const perInterval = new Array<number>(d);
  for (let j = 0; j < d; j++) {
    perInterval[j] = wasserstein1(
      setA.map((r) => r[j]),
      setB.map((r) => r[j]),
    );
  }
  return { mean: mean(perInterval), perInterval };
}

/** Energy distance between two sets of whole-day vectors (V-statistic; see module doc). */
export function energyDistance(setA: readonly Vec[], setB: readonly Vec[]): number {
  const d = checkSet(setA, 'first set');
  const dB = checkSet(setB, 'second set');
  if (d !== dB) throw inputError(`the two sets have ${d} and ${dB} intervals per row; they must match`);
  const n = setA.length;
  const m = setB.length;
  let cross = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) cross += euclid(setA[i], setB[k]);
  const value = (2 * cross) / (n * m) - pairSumWithin(setA) / (n * n) - pairSumWithin(setB) / (m * m);
  return Math.max(0, value); // ≥ 0 in exact arithmetic; clip rounding noise
}

// ───────────────────────────── point forecasts ─────────────────────────────

/** Mean absolute error of a point forecast. */
export function mae(point: Vec, truth: Vec): number {
  if (point.length === 0) throw inputError('mae of an empty forecast');
  if (point.length !== truth.length) throw inputError(`mae: the forecast has ${point.length} values but the truth has ${truth.length}`);
  checkFinite(point, 'point forecast');
  checkFinite(truth, 'truth');
  let s = 0;
  for (let j = 0; j < point.length; j++) s += Math.abs(point[j] - truth[j]);
  return s / point.length;
}

/** Pinball and MAE of a point forecast (e.g. seasonal naive): every quantile equals the point. */
export function scorePoint(
  point: Vec,
  truth: Vec,
  quantiles: readonly number[] = DEFAULT_QUANTILES,
): { mae: number; pinball: Record<string, number> } {
  return { mae: mae(point, truth), pinball: pinball([point], truth, quantiles) };
}

// ───────────────────────────── one day / aggregate ─────────────────────────────

export interface ScoreDayOptions {
  quantiles?: readonly number[];
  levels?: readonly number[];
  /** Seed or stream for the randomised PIT (default seed 0). */
  seed?: number | Rng;
  /** Point forecast for `mae`; default: the per-interval sample median. */
  point?: Vec;
}

export interface DayScores {
  energy: number;
  /** Mean CRPS over intervals. */
  crps: number;
  /** CRPS of the daily total. */
  crpsTotal: number;
  crpsPerInterval: number[];
  pinball: Record<string, number>;
  coverage: Record<string, number>;
  /** MAE of `opts.point`, or of the sample median. */
  mae: number;
  /** Randomised PIT value of every interval. */
  pit: number[];
}

/** Every per-day score of one scenario set against its held-out day. */
export function scoreDay(samples: readonly Vec[], truth: Vec, opts: ScoreDayOptions = {}): DayScores {
  checkDay(samples, truth);
  const c = crpsDay(samples, truth);
  const point = opts.point ?? intervalQuantiles(samples, [0.5])['0.5'];
  return {
    energy: energyScore(samples, truth),
    crps: c.meanOverIntervals,
    crpsTotal: c.dailyTotal,
    crpsPerInterval: c.perInterval,
    pinball: pinball(samples, truth, opts.quantiles ?? DEFAULT_QUANTILES),
    coverage: coverage(samples, truth, opts.levels ?? DEFAULT_LEVELS),
    mae: mae(point, truth),
    pit: pitValues(samples, truth, opts.seed ?? 0),
  };
}

export interface ScalarScores {
  energy: number;
  crps: number;
  crpsTotal: number;
  pinball: Record<string, number>;
  coverage: Record<string, number>;
  mae: number;
}

export interface ScoreArrays {
  energy: number[];
  crps: number[];
  crpsTotal: number[];
  pinball: Record<string, number[]>;
  coverage: Record<string, number[]>;
  mae: number[];
}

export interface AggregateScores {
  days: number;
  /** Mean over days of every scalar score. */
  mean: ScalarScores;
  /** Sample standard deviation over days (0 with one day). */
  sd: ScalarScores;
  /** The per-day values, in input order. */
  perDay: ScoreArrays;
  /** Mean over days of the per-interval CRPS. */
  crpsPerInterval: number[];
  /** PIT histogram (10 bins) over every interval of every day. */
  pitHistogram: number[];
}

function sd(v: readonly number[]): number {
  if (v.length < 2) return 0;
  const m = mean(v);
  let s = 0;
  for (const x of v) s += (x - m) * (x - m);
  return Math.sqrt(s / (v.length - 1));
}

/** Means, spreads and per-day arrays of a list of `scoreDay` results (same levels and d). */
export function aggregateScores(perDay: readonly DayScores[], pitBins = 10): AggregateScores {
  if (perDay.length === 0) throw inputError('aggregateScores needs at least one scored day');
  const first = perDay[0];
  const qKeys = Object.keys(first.pinball);
  const lKeys = Object.keys(first.coverage);
  const d = first.crpsPerInterval.length;
  for (const [i, s] of perDay.entries()) {
    if (s.crpsPerInterval.length !== d) throw inputError(`scored day ${i} has ${s.crpsPerInterval.length} intervals, expected ${d}`);
    for (const k of qKeys) if (!(k in s.pinball)) throw inputError(`scored day ${i} lacks pinball level ${k}`);
    for (const k of lKeys) if (!(k in s.coverage)) throw inputError(`scored day ${i} lacks coverage level ${k}`);
  }
  const arrays: ScoreArrays = {
    energy: perDay.map((s) => s.energy),
    crps: perDay.map((s) => s.crps),
    crpsTotal: perDay.map((s) => s.crpsTotal),
    pinball: Object.fromEntries(qKeys.map((k) => [k, perDay.map((s) => s.pinball[k])])),
    coverage: Object.fromEntries(lKeys.map((k) => [k, perDay.map((s) => s.coverage[k])])),
    mae: perDay.map((s) => s.mae),
  };
  const summarise = (f: (v: number[]) => number): ScalarScores => ({
    energy: f(arrays.energy),
    crps: f(arrays.crps),
    crpsTotal: f(arrays.crpsTotal),
    pinball: Object.fromEntries(qKeys.map((k) => [k, f(arrays.pinball[k])])),
    coverage: Object.fromEntries(lKeys.map((k) => [k, f(arrays.coverage[k])])),
    mae: f(arrays.mae),
  });
  const crpsPerInterval = new Array<number>(d).fill(0);
  for (const s of perDay) for (let j = 0; j < d; j++) crpsPerInterval[j] += s.crpsPerInterval[j] / perDay.length;
  return {
    days: perDay.length,
    mean: summarise(mean),
    sd: summarise(sd),
    perDay: arrays,
    crpsPerInterval,
    pitHistogram: pitHistogram(perDay.flatMap((s) => s.pit), pitBins),
  };
}
