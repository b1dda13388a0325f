/**
 * Running one work unit and summarising a date's scenarios. Pure functions of their inputs (the
 * unit carries its seeds), run in-process or in a worker thread with identical results.
 */
import { intervalQuantiles, quantile, levelKey, type Vec } from '../eval/scores.js';
import { applyOps, type SlotOp } from './whatif.js';
import type { ScenarioModel, ScenarioUnit } from './plan.js';

/**
 * One unit's scenarios in original units: sample (inpainting when slots are observed), put the
 * observed values back exactly, apply the unit's what-if (never to observed slots), clamp count
 * data at 0 and round for count output.
 */
export function executeUnit(model: Pick<ScenarioModel, 'sampleDays'>, unit: ScenarioUnit): number[][] {
  const rows = model.sampleDays({
    components: unit.components,
    seed: unit.seed,
    sampler: unit.sampler,
    observed: unit.observed ?? undefined,
  });
  return rows.map((row) => finishRow(row, unit.observed, unit.ops, unit.clamp, unit.round));
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
