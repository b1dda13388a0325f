/**
 * Conditional centers: c(k, u) = c_k + B·ũ, with ũ the standardised context. B is fitted in the
 * model (transformed) space by ridge regression of each training day's departure from its own
 * component center on the context that was known at origins 1…maxLead days before it. The
 * penalties are chosen on the last fifth of the training pairs (time-ordered), one group at a
 * time, each from a grid that ends with "leave this group out" (B = 0 for it): first the level
 * weight shared by all leads, then each lead band's departure from it (scored on that band's
 * pairs), then the covariates. So the data decide how much of the recent level to trust at
 * each lead. With B = 0 the prior is exactly the
 * unconditional one.
 */
import { bandName, leadBand, contextVector, contextWidth, daysBetween, levelWidth, logTotal, recentLevels, type ContextSpec, type HistoryDay } from './features.js';
import { ridge } from './ridge.js';

export interface ConditionalCenters {
  spec: ContextSpec;
  /** Expected log daily total per calendar key (training mean); `overallLogMean` for unseen keys. */
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

/** The expected-log-total function of a fitted model. */
export function expectedLevel(cc: Pick<ConditionalCenters, 'keyLogMean' | 'overallLogMean'>, keyOf: (date: string) => string | null): (date: string) => number {
  return (date) => {
    const k = keyOf(date);
    return k !== null && Object.hasOwn(cc.keyLogMean, k) ? cc.keyLogMean[k] : cc.overallLogMean;
  };
}

export function standardise(cc: Pick<ConditionalCenters, 'mean' | 'std'>, u: readonly number[]): number[] {
  return u.map((v, j) => (v - cc.mean[j]) / cc.std[j]);
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
  const keyLogMean: Record<string, number> = {};
  const keyCount: Record<string, number> = {};
  let overall = 0;
  data.totals.forEach((t, i) => {
    const k = data.keys[i];
    keyLogMean[k] = (keyLogMean[k] ?? 0) + logTotal(t);
    keyCount[k] = (keyCount[k] ?? 0) + 1;
    overall += logTotal(t);
  });
  for (const k of Object.keys(keyLogMean)) keyLogMean[k] /= keyCount[k];
  const overallLogMean = overall / Math.max(1, n);
  const keyByDate = new Map(data.dates.map((dt, i) => [dt, data.keys[i]]));
  const expected = expectedLevel({ keyLogMean, overallLogMean }, (dt) => keyByDate.get(dt) ?? null);
  const history: HistoryDay[] = data.dates.map((date, i) => ({ date, total: data.totals[i] }));

  // Raw pairs: day i seen from origin j < i (the last observed day), lead = date_i − date_j.
  const raw: { day: number; lead: number; u: number[] }[] = [];
  for (let i = MIN_HISTORY; i < n; i++) {
    for (let j = i - 1; j >= MIN_HISTORY - 1; j--) {
      const h = daysBetween(data.dates[j], data.dates[i]);
      if (h > spec.maxLead) break;
      const levels = recentLevels(spec, history.slice(Math.max(0, j + 1 - Math.max(...spec.windows)), j + 1), expected);
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

  // Validation: the last fifth of the pairs (by target day).
  const cut = Math.floor(pairs.length * 0.8);
  const idx = pairs.map((_, i) => i);
  const fitIdx = idx.slice(0, cut);
  const valIdx = idx.slice(cut);
  const lambdas = new Array<number>(m).fill(Infinity);
  const selection: ConditionalCenters['selection'] = [];
  const mse = (B: number[][], rows: number[]) => {
    let se = 0;
    for (const i of rows) {
      const c = conditionalCenter({ B }, new Array(d).fill(0), pairs[i].u);
      for (let q = 0; q < d; q++) se += (resid[i][q] - c[q]) ** 2;
    }
    return se / Math.max(1, rows.length * d);
  };
  const choose = (group: string, features: number[], fitRows: number[], valRows: number[], base: number[], scale: number) => {
    const validation: { penalty: number | null; mse: number }[] = [];
    if (fitRows.length > features.length && valRows.length > 0) {
      for (const pen of PENALTIES) {
        const lam = base.slice();
        for (const j of features) lam[j] = pen * scale;
        const B = ridge(fitRows.map((i) => pairs[i].u), fitRows.map((i) => resid[i]), lam);
        validation.push({ penalty: Number.isFinite(pen) ? pen : null, mse: mse(B, valRows) });
      }
    }
    const best = validation.length ? validation.reduce((a, b) => (b.mse < a.mse ? b : a)).penalty : null;
    selection.push({ group, penalty: best, validation });
    return best;
  };
  const bandOf = (i: number) => leadBand(spec, pairs[i].lead);
  const setGroup = (features: number[], pen: number | null, n: number) => {
    for (const j of features) lambdas[j] = pen === null ? Infinity : pen * n;
  };
  const shared = Array.from({ length: W }, (_, w) => w);
  setGroup(shared, choose('all leads', shared, fitIdx, valIdx, lambdas, fitIdx.length), pairs.length);
  spec.leadBands.forEach((_, b) => {
    const features = Array.from({ length: W }, (_, w) => (1 + b) * W + w);
    const inBand = (i: number) => bandOf(i) === b;
    const pen = choose(`lead ${bandName(spec, b)}`, features, fitIdx, valIdx.filter(inBand), lambdas, fitIdx.filter(inBand).length);
    setGroup(features, pen, idx.filter(inBand).length);
  });
  if (m > ml) {
    const features = Array.from({ length: m - ml }, (_, c) => ml + c);
    setGroup(features, choose('covariates', features, fitIdx, valIdx, lambdas, fitIdx.length), pairs.length);
  }
  const B = pairs.length > m ? ridge(pairs.map((p) => p.u), resid, lambdas) : zeros(m, d);
  return { cc: { spec, keyLogMean, overallLogMean, mean, std, B, selection, pairs: pairs.length }, pairs };
}

const zeros = (m: number, d: number) => Array.from({ length: m }, () => new Array<number>(d).fill(0));
