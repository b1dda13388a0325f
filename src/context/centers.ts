/**
 * Conditional centers: c(k, u) = c_k + B·ũ, with ũ the standardised context. B is fitted in the
 * model (transformed) space by ridge regression of each training day's departure from its own
 * component center on the context that was known at origins 1…maxLead days before it. The
 * level features of different lead bands never overlap, so each band is its own ridge problem.
 * Each band's penalty is chosen by blocked cross-validation over time (5 contiguous blocks of
 * training pairs by target day, scored on that band's pairs), from a grid that ends with "leave
 * the level out" (B = 0 for the band). Then the covariates get their own penalty the same way.
 * So the data decide how much of the recent level to trust at each lead. (A one-standard-error
 * rule was tried and rejected: on Southern Cross Station it gave up a third of the lead-1 gain.) With B = 0 the prior is exactly the
 * unconditional one. The features of a group left out are also zero in the network's input ũ
 * (`ignored`), so the denoiser cannot learn from what the cross-validation rejected.
 * With the default median level the fit also fixes the per-day bound of the deviations (`clip`).
 */
import { bandName, centralValue, leadBand, contextVector, contextWidth, daysBetween, levelWidth, logTotal, recentLevels, type ContextSpec, type HistoryDay } from './features.js';
import { gram, gramMinus, ridgeFromGram, type Gram } from './ridge.js';

export interface ConditionalCenters {
  spec: ContextSpec;
  /** Expected log daily total per calendar key (training median, or mean per the spec); `overallLogMean` for unseen keys. */
  keyLogMean: Record<string, number>;
  overallLogMean: number;
  /** Standardisation of u: ũ = (u − mean) / std. */
  mean: number[];
  std: number[];
  /** m × d: row j is the center shift per unit of ũ_j. */
  B: number[][];
  /**
   * Per lead band and for the covariates: the chosen penalty as a share of the pairs it applies
   * to (null: ignored, B = 0) and the validation curve it was chosen from.
   */
  selection: { group: string; penalty: number | null; validation: { penalty: number | null; mse: number }[] }[];
  /** Training pairs used (day, lead) and how many days they cover. */
  pairs: number;
  /**
   * Features of the groups the cross-validation left out (B = 0 for them): their ũ is 0 for the
   * network too, so what the data did not validate cannot be learnt by the denoiser either.
   * Absent (bundles before it): none.
   */
  ignored?: number[];
  /** Bound on one day's log-level deviation before the windows (absent: none). */
  clip?: number;
  /**
   * Per lead band: the standard deviation (log units) of a scenario-wide level factor added at
   * that lead — the band's residual variance of the (bounded) log daily total around the fitted
   * level, above the pooled one that Σ already holds (0 where it is not above). Absent: 0.
   */
  levelSd?: number[];
}

/** One training example: day `day` seen from an origin `lead` days before it. */
export interface ContextPair {
  day: number;
  lead: number;
  /** Standardised context ũ. */
  u: number[];
}

export interface ContextTrainingData {
  dates: string[];
  /** Daily totals in original units. */
  totals: number[];
  /** Calendar key of each day (for the expected level). */
  keys: string[];
  /** Model-space day vectors and each day's own component center. */
  z: number[][];
  centers: number[][];
  /** Target-day covariates per day (n × spec.covariates.length), when the spec has any. */
  covariates?: number[][];
}

/** Smallest history (observed days) for a training pair. */
const MIN_HISTORY = 7;
const PENALTIES = [0.001, 0.01, 0.1, 0.3, 1, 3, 10, Infinity];
/**
 * Least relative drop of the cross-validated error, against leaving a group out, for keeping
 * it. Measured in bench:context: the groups that gained less than 0.5 % (the Israeli bank at
 * leads 2–14, bank_calls_2003 at 4–7, Birrarung Marr at 8–14; 0.00–0.17 %) made those leads
 * worse, mostly through the network's input; every group that helped gained 0.7 % or more.
 */
export const MIN_GAIN = 0.005;

/** ±4 robust standard deviations (1.4826 × MAD) of the deviations around their median; undefined when they do not vary. */
export function deviationBound(devs: readonly number[]): number | undefined {
  if (!devs.length) return undefined;
  const med = centralValue('median', devs);
  const mad = centralValue('median', devs.map((v) => Math.abs(v - med)));
  return mad > 0 ? 4 * 1.4826 * mad : undefined;
}

/** The expected-log-total function of a fitted model. */
export function expectedLevel(cc: Pick<ConditionalCenters, 'keyLogMean' | 'overallLogMean'>, keyOf: (date: string) => string | null): (date: string) => number {
  return (date) => {
    const k = keyOf(date);
    return k !== null && Object.hasOwn(cc.keyLogMean, k) ? cc.keyLogMean[k] : cc.overallLogMean;
  };
}

export function standardise(cc: Pick<ConditionalCenters, 'mean' | 'std' | 'ignored'>, u: readonly number[]): number[] {
  const out = u.map((v, j) => (v - cc.mean[j]) / cc.std[j]);
  for (const j of cc.ignored ?? []) out[j] = 0;
  return out;
}

/** c_k + B·ũ. */
export function conditionalCenter(cc: Pick<ConditionalCenters, 'B'>, center: readonly number[], ut: readonly number[]): number[] {
  const out = center.slice();
  cc.B.forEach((row, j) => {
    const w = ut[j];
    if (w !== 0) for (let q = 0; q < out.length; q++) out[q] += w * row[q];
  });
  return out;
}

/**
 * Fit B on (day, lead) pairs built from the training days. Returns the fitted centers and the
 * pairs (with standardised context) for training the denoiser.
 */
export function fitConditionalCenters(data: ContextTrainingData, spec: ContextSpec): { cc: ConditionalCenters; pairs: ContextPair[] } {
  const n = data.dates.length;
  const d = data.z[0].length;
  // The calendar's expectation: the median (or mean, per the spec) log total per key.
  const byKey: Record<string, number[]> = {};
  data.totals.forEach((t, i) => (byKey[data.keys[i]] ??= []).push(logTotal(t)));
  const stat = spec.level ?? 'mean';
  const keyLogMean: Record<string, number> = Object.fromEntries(Object.entries(byKey).map(([k, v]) => [k, centralValue(stat, v)]));
  const overallLogMean = n ? centralValue(stat, data.totals.map(logTotal)) : 0;
  const keyByDate = new Map(data.dates.map((dt, i) => [dt, data.keys[i]]));
  const expected = expectedLevel({ keyLogMean, overallLogMean }, (dt) => keyByDate.get(dt) ?? null);
  const history: HistoryDay[] = data.dates.map((date, i) => ({ date, total: data.totals[i] }));
  // One day's deviation enters the windows bounded by ±4 robust standard deviations (1.4826 ×
  // MAD) of the training days' deviations, so a holiday or an outage in the last days moves the
  // level little (measured in bench:context: Southern Cross lead 7 and the Israeli bank lead 1).
  const devs = data.dates.map((dt, i) => logTotal(data.totals[i]) - expected(dt));
  const clip = spec.level === 'median' ? deviationBound(devs) : undefined;

  // Raw pairs: day i seen from origin j < i (the last observed day), lead = date_i − date_j.
  const raw: { day: number; lead: number; u: number[] }[] = [];
  for (let i = MIN_HISTORY; i < n; i++) {
    for (let j = i - 1; j >= MIN_HISTORY - 1; j--) {
      const h = daysBetween(data.dates[j], data.dates[i]);
      if (h > spec.maxLead) break;
      const levels = recentLevels(spec, history.slice(Math.max(0, j + 1 - Math.max(...spec.windows)), j + 1), expected, clip);
      raw.push({ day: i, lead: h, u: contextVector(spec, levels, h, data.covariates?.[i] ?? []) });
    }
  }
  const m = contextWidth(spec);
  const ml = levelWidth(spec);
  const W = spec.windows.length;
  const mean = new Array<number>(m).fill(0);
  const std = new Array<number>(m).fill(0);
  const nonzero = new Array<number>(m).fill(0);
  // Level features: scaled by their RMS within their band (no centring: a zero level means "as
  // the calendar expects", and other bands' zeros must stay zero). Covariates: centred and scaled.
  for (const p of raw) p.u.forEach((v, j) => {
    if (j >= ml) mean[j] += v / raw.length;
  });
  for (const p of raw) p.u.forEach((v, j) => {
    if (j < ml) {
      if (v !== 0) nonzero[j]++;
      std[j] += v * v;
    } else std[j] += (v - mean[j]) ** 2 / raw.length;
  });
  for (let j = 0; j < m; j++) {
    const s2 = j < ml ? std[j] / Math.max(1, nonzero[j]) : std[j];
    std[j] = Math.sqrt(s2) > 1e-9 ? Math.sqrt(s2) : 1;
  }
  const pairs: ContextPair[] = raw.map((p) => ({ day: p.day, lead: p.lead, u: p.u.map((v, j) => (v - mean[j]) / std[j]) }));
  const resid = pairs.map((p) => data.z[p.day].map((v, q) => v - data.centers[p.day][q]));

  // Blocked cross-validation: 5 contiguous blocks of pairs (pairs are in target-day order).
  const FOLDS = 5;
  const idx = pairs.map((_, i) => i);
  const foldOf = (i: number) => Math.min(FOLDS - 1, Math.floor((i * FOLDS) / pairs.length));
  const blocks = Array.from({ length: FOLDS }, (_, f) => idx.filter((i) => foldOf(i) === f));
  const blockGram: Gram[] = blocks.map((rows) => gram(rows.map((i) => pairs[i].u), rows.map((i) => resid[i]), m, d));
  const allGram = blockGram.reduce((g, b) => ({ A: g.A.map((r, a) => r.map((v, c) => v + b.A[a][c])), R: g.R.map((r, a) => r.map((v, q) => v + b.R[a][q])) }), gram([], [], m, d));
  const lambdas = new Array<number>(m).fill(Infinity);
  const selection: ConditionalCenters['selection'] = [];
  const sse = (B: number[][], rows: number[]) => {
    let se = 0;
    for (const i of rows) {
      const c = conditionalCenter({ B }, new Array(d).fill(0), pairs[i].u);
      for (let q = 0; q < d; q++) se += (resid[i][q] - c[q]) ** 2;
    }
    return se;
  };
  /** Choose a group's penalty (share of its pairs); `scored` picks the validation rows. */
  const choose = (group: string, features: number[], scored: (i: number) => boolean, scale: number): number | null => {
    const validation: { penalty: number | null; mse: number; folds: number[] }[] = [];
    const valRows = blocks.map((rows) => rows.filter(scored));
    const usable = blocks.map((_, f) => f).filter((f) => valRows[f].length > 0);
    if (usable.length >= 2 && scale > features.length) {
      for (const pen of PENALTIES) {
        const lam = lambdas.slice();
        for (const j of features) lam[j] = pen * scale;
        const folds = usable.map((f) => sse(ridgeFromGram(gramMinus(allGram, blockGram[f]), lam), valRows[f]) / (valRows[f].length * d));
        validation.push({ penalty: Number.isFinite(pen) ? pen : null, mse: folds.reduce((a, b2) => a + b2, 0) / folds.length, folds });
      }
    }
    let chosen: number | null = null;
    if (validation.length) {
      const best = validation.reduce((a, b2) => (b2.mse < a.mse ? b2 : a));
      const out = validation.find((v) => v.penalty === null);
      // Kept only when it lowers the cross-validated error by at least MIN_GAIN against leaving it out.
      chosen = out && best.mse > out.mse * (1 - MIN_GAIN) ? null : best.penalty;
    }
    selection.push({ group, penalty: chosen, validation: validation.map((v) => ({ penalty: v.penalty, mse: v.mse })) });
    return chosen;
  };
  const bandOf = (i: number) => leadBand(spec, pairs[i].lead);
  const setGroup = (features: number[], pen: number | null, n: number) => {
    for (const j of features) lambdas[j] = pen === null ? Infinity : pen * n;
  };
  spec.leadBands.forEach((_, b) => {
    const features = Array.from({ length: W }, (_, w) => b * W + w);
    const n = idx.filter((i) => bandOf(i) === b).length;
    setGroup(features, choose(`lead ${bandName(spec, b)}`, features, (i) => bandOf(i) === b, n), n);
  });
  if (m > ml) {
    const features = Array.from({ length: m - ml }, (_, c) => ml + c);
    setGroup(features, choose('covariates', features, () => true, pairs.length), pairs.length);
  }
  const B = pairs.length > m ? ridgeFromGram(allGram, lambdas) : zeros(m, d);
  // What the cross-validation left out is zero for the network too (measured in bench:context:
  // feeding the network features the centers ignore made long leads worse).
  const ignored = lambdas.flatMap((l, j) => (Number.isFinite(l) ? [] : [j]));
  for (const p of pairs) for (const j of ignored) p.u[j] = 0;
  const levelSd = clip === undefined ? undefined : levelSpread(pairs, spec, lambdas, devs.map((v) => Math.max(-clip, Math.min(clip, v))), m);
  return { cc: { spec, keyLogMean, overallLogMean, mean, std, B, selection, pairs: pairs.length, ignored, ...(clip !== undefined ? { clip } : {}), ...(levelSd ? { levelSd } : {}) }, pairs };
}

/**
 * The level's own uncertainty by lead band: the bounded log-total deviation of each pair's target
 * day regressed on its context with the chosen penalties; per band, the residual variance above
 * the pooled residual variance (which the pooled Σ already carries), as a standard deviation.
 */
function levelSpread(pairs: ContextPair[], spec: ContextSpec, lambdas: number[], dev: number[], m: number): number[] {
  const y = pairs.map((p) => [dev[p.day]]);
  const b = pairs.length > m ? ridgeFromGram(gram(pairs.map((p) => p.u), y, m, 1), lambdas) : zeros(m, 1);
  const band = spec.leadBands.map(() => ({ s: 0, n: 0 }));
  let all = 0;
  pairs.forEach((p, i) => {
    const r = (y[i][0] - p.u.reduce((a, v, j) => a + v * b[j][0], 0)) ** 2;
    const g = band[leadBand(spec, p.lead)];
    g.s += r;
    g.n++;
    all += r;
  });
  const pooled = all / Math.max(1, pairs.length);
  return band.map((g) => (g.n ? Math.sqrt(Math.max(0, g.s / g.n - pooled)) : 0));
}

const zeros = (m: number, d: number) => Array.from({ length: m }, () => new Array<number>(d).fill(0));
