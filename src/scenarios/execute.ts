/**
 * Running one work unit and summarising a date's scenarios. Pure functions of their inputs (the
 * unit carries its seeds), run in-process or in a worker thread with identical results.
 */
import { intervalQuantiles, quantile, levelKey, type Vec } from '../core/quantiles.js';
import { applyOps, type SlotOp } from './whatif.js';
import type { Predictor, ScenarioUnit, UnitDate } from './plan.js';
import { resolveKey } from '../calendar/index.js';
import { scenarioContext } from '../context/paths.js';
import { rng } from '../core/random.js';

/**
 * Each scenario's simulated path within a unit: `paths[s][j]` is scenario s's day on the unit's
 * j-th date (original units, observed slots restored, clamped at 0 for counts; before any
 * what-if and before rounding). Empty for the first date.
 */
export type Paths = number[][][];

/** What the sampler gets for one date of a unit, per scenario (row). */
export interface UnitInputs {
  /** Component of each scenario. */
  components: number[];
  /** Per-row centers in model space (conditional centers c(k, u)); absent: the prior's c_k. */
  centers?: number[][];
  /** Per-row context vectors u; absent: none. */
  context?: number[][];
  /** Per-row sd (log units) of the scenario-wide level factor at its lead; absent: none. */
  levelSd?: number[];
}

/**
 * THE PER-DATE INPUT HOOK. The sampler's inputs for one date of a unit, computed before that
 * date is sampled from each scenario's path so far (`paths[s]`: its days on the unit's earlier
 * dates). A model without context gets the planned components. A context-aware model gets, per
 * scenario, the conditional center c(k, u) and the context u computed from the observed history
 * up to the origin followed by that scenario's own simulated days (src/context/paths.ts).
 */
export function inputsFor(predictor: Predictor, unit: ScenarioUnit, date: UnitDate, paths: Paths): UnitInputs {
  const cc = predictor.manifest.context;
  if (!cc) return { components: date.components };
  const j = unit.dates.indexOf(date);
  const m = predictor.manifest;
  const keyOf = (dt: string) => resolveKey(dt, { spec: m.calendar.keySpec, keyMap: m.calendar.keyMap }, m.calendar.options);
  const simulated = paths.map((days) => days.slice(0, j).map((row, i) => ({ date: unit.dates[i].date, total: row.reduce((a, b) => a + b, 0) })));
  const { centers, context, levelSd } = scenarioContext({
    cc,
    centers: predictor.prior.centers,
    keyOf,
    observed: unit.history ?? cc.history,
    target: date.date,
    components: date.components,
    paths: simulated,
    covariates: date.covariates,
  });
  return { components: date.components, centers, context, ...(levelSd.some((v) => v > 0) ? { levelSd } : {}) };
}

/**
 * One unit's scenarios in original units, date-major (unit.dates.length × unit.n rows): for each
 * date in order, the inputs from `inputsFor`, sample (inpainting when slots are observed), put
 * the observed values back exactly, extend the paths, apply the date's what-if (never to
 * observed slots), clamp count data at 0 and round for count output.
 */
export function executeUnit(model: Predictor, unit: ScenarioUnit): number[][] {
  const paths: Paths = Array.from({ length: unit.n }, () => []);
  const out: number[][] = [];
  unit.dates.forEach((date, j) => {
    const { levelSd, ...inputs } = inputsFor(model, unit, date, paths);
    const rows = model.sampleDays({ ...inputs, seed: date.seed, sampler: unit.sampler, observed: date.observed ?? undefined });
    if (rows.length !== unit.n) throw new Error(`sampleDays returned ${rows.length} rows for ${unit.n} scenarios`);
    // The level's own uncertainty at long leads: one mean-one lognormal factor per scenario (not
    // on a day with observed slots: those condition the level).
    if (levelSd && !date.observed) {
      const r = rng(date.seed ^ 0x1e7e1);
      rows.forEach((row, s) => {
        const f = Math.exp(levelSd[s] * r.normal() - levelSd[s] ** 2 / 2);
        for (let q = 0; q < row.length; q++) row[q] *= f;
      });
    }
    const keepPaths = j < unit.dates.length - 1; // the last date's days are read by no later date
    rows.forEach((row, s) => {
      if (keepPaths) paths[s].push(finishRow(row.slice(), date.observed, [], unit.clamp, false));
      out.push(finishRow(row, date.observed, date.ops, unit.clamp, unit.round));
    });
  });
  return out;
}

/** Observed slots restored, what-if applied, clamped and rounded (in place; returns the row). */
export function finishRow(row: number[], observed: readonly (number | null)[] | null, ops: readonly SlotOp[], clamp: boolean, round: boolean): number[] {
  const keep = observed ? observed.map((v) => v !== null) : null;
  if (observed) observed.forEach((v, q) => v !== null && (row[q] = v));
  applyOps(row, ops, clamp, keep);
  if (round) for (let q = 0; q < row.length; q++) row[q] = Math.round(row[q]) + 0; // + 0: no -0
  return row;
}

/** Mean and quantiles of a scalar sample. */
export interface Dist {
  mean: number;
  quantiles: Record<string, number>;
}

export interface DaySummary {
  /** Per-interval mean. */
  mean: number[];
  /** Per-interval quantiles keyed by level (`"0.1"`). */
  quantiles: Record<string, number[]>;
  /** Daily total (sum over intervals). */
  total: Dist;
  /** Daily peak (max over intervals). */
  peak: Dist;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function distOf(values: Vec, qs: readonly number[]): Dist {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const sorted = Float64Array.from(values).sort();
  const quantiles: Record<string, number> = {};
  for (const q of qs) quantiles[levelKey(q)] = round6(quantile(sorted, q));
  return { mean: round6(s / values.length), quantiles };
}

export function totalsAndPeaks(rows: readonly Vec[]): { totals: Float64Array; peaks: Float64Array } {
  const totals = new Float64Array(rows.length);
  const peaks = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    let s = 0;
    let m = -Infinity;
    for (let j = 0; j < row.length; j++) {
      s += row[j];
      if (row[j] > m) m = row[j];
    }
    totals[i] = s;
    peaks[i] = m;
  });
  return { totals, peaks };
}

/** Per-interval mean and quantiles, and the same for the daily total and peak. */
export function summariseDay(rows: readonly Vec[], qs: readonly number[]): DaySummary {
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j] += row[j];
  const iq = intervalQuantiles(rows, qs);
  const quantiles: Record<string, number[]> = {};
  for (const k of Object.keys(iq)) quantiles[k] = iq[k].map(round6);
  const { totals, peaks } = totalsAndPeaks(rows);
  return { mean: mean.map((s) => round6(s / rows.length)), quantiles, total: distOf(totals, qs), peak: distOf(peaks, qs) };
}

/** Batch what-if work for one date's base scenarios. */
export interface CaseTask {
  caseOps: SlotOp[][];
  observed: (number | null)[] | null;
  clamp: boolean;
  round: boolean;
  quantiles: number[];
}

export interface CaseSummary {
  total: Dist;
  peak: Dist;
}

/**
 * Batch what-if for one date: every case's operations applied to the same base scenarios
 * (continuous, observed slots already in place), then clamp/round, then the distribution of the
 * daily total and peak. The base rows are not modified.
 */
export function caseSummaries(
  base: readonly Vec[],
  caseOps: readonly SlotOp[][],
  observed: readonly (number | null)[] | null,
  clamp: boolean,
  round: boolean,
  qs: readonly number[],
): CaseSummary[] {
  return caseOps.map((ops) => {
    const rows = base.map((r) => finishRow(Array.from(r), observed, ops, clamp, round));
    const { totals, peaks } = totalsAndPeaks(rows);
    return { total: distOf(totals, qs), peak: distOf(peaks, qs) };
  });
}
