/**
 * The scenario service's library: `generateScenarios`, `forecast` and `whatIfBatch` are
 * `runScenarios` (run.ts) with the model given in the request and the in-process executor. The
 * server runs the same function with its worker pool as the executor.
 */
import { levelKey } from '../core/quantiles.js';
import type { Dist } from './execute.js';
import { quantileColumn, slotTimestamps } from './columns.js';
import type { Predictor, ScenarioOptions } from './plan.js';
import { DEFAULT_FORECAST_COUNT, type ForecastResult, type ScenarioResult, type WhatIfResult } from './result.js';
import { runScenarios } from './run.js';
import type { WhatIfCase } from './whatif.js';

export * from './plan.js';
export * from './execute.js';
export * from './whatif.js';
export * from './dates.js';
export * from './result.js';
export * from './run.js';
export { readObservedFile, parseObservedRows } from './observed.js';
export { quantileColumn, slotTimestamps } from './columns.js';
export { savePredictor, loadPredictor } from './predictor.js';

export interface ScenarioRequest extends ScenarioOptions {
  model: Predictor;
}

/** Scenarios for the requested dates, in-process. Same request + seed → identical result. */
export function generateScenarios(req: ScenarioRequest): Promise<ScenarioResult> {
  const { model, ...opts } = req;
  return runScenarios(model, { ...opts, shape: 'scenarios' });
}

export interface ForecastRequest extends Omit<ScenarioOptions, 'count'> {
  model: Predictor;
  /** Scenarios behind the summaries (default 1000). */
  count?: number;
}

/** Per-interval mean and quantiles (default 0.1, 0.5, 0.9) per date, from `count` scenarios. */
export function forecast(req: ForecastRequest): Promise<ForecastResult> {
  const { model, ...opts } = req;
  return runScenarios(model, { ...opts, count: opts.count ?? DEFAULT_FORECAST_COUNT, shape: 'forecast' });
}

export interface WhatIfBatchRequest extends Omit<ScenarioOptions, 'whatIf'> {
  model: Predictor;
  /** Named cases (the `baseline` case is added first automatically). */
  cases: WhatIfCase[];
}

/**
 * Batch what-if: one set of base scenarios per date (common random numbers), every case applied
 * to it; per case and date the mean and quantiles (default 0.1, 0.5, 0.9) of the daily total and
 * the peak interval. Differences between cases are due to the what-if only.
 */
export function whatIfBatch(req: WhatIfBatchRequest): Promise<WhatIfResult> {
  const { model, ...opts } = req;
  return runScenarios(model, { ...opts, shape: 'whatif' });
}

// ───────────────────────────── tables ─────────────────────────────

const fmt = (x: number) => (Number.isInteger(x) ? x : Number(x.toFixed(4)));

/** Long table `series,timestamp,date,interval,scenario,component,value` (README: output columns). */
export function* scenarioRows(r: ScenarioResult): Generator<(string | number)[]> {
  const series = r.series ?? '';
  for (const d of r.dates) {
    const ts = slotTimestamps(d.date, r.labels, r.zone);
    for (let s = 0; s < d.values.length; s++) {
      const row = d.values[s];
      for (let j = 0; j < row.length; j++) yield [series, ts[j], d.date, r.labels[j], s, d.components[s], fmt(row[j])];
    }
  }
}
export const SCENARIO_HEADER = ['series', 'timestamp', 'date', 'interval', 'scenario', 'component', 'value'] as const;

/** `series,timestamp,date,interval,mean,q<level>…`. */
export function forecastTable(r: Pick<ForecastResult, 'labels' | 'quantiles' | 'dates' | 'zone'> & { series?: string | null }): { header: string[]; rows: (string | number)[][] } {
  const header = ['series', 'timestamp', 'date', 'interval', 'mean', ...r.quantiles.map((q) => quantileColumn(q))];
  const rows: (string | number)[][] = [];
  for (const d of r.dates) {
    const ts = slotTimestamps(d.date, r.labels, r.zone);
    r.labels.forEach((label, j) => rows.push([r.series ?? '', ts[j], d.date, label, fmt(d.summary.mean[j]), ...r.quantiles.map((q) => fmt(d.summary.quantiles[levelKey(q)][j]))]));
  }
  return { header, rows };
}

/** `series,case,date,total_mean,total_q…,peak_mean,peak_q…`. */
export function whatIfTable(r: Pick<WhatIfResult, 'quantiles' | 'rows'> & { series?: string | null }): { header: string[]; rows: (string | number)[][] } {
  const qcols = (p: string) => [`${p}_mean`, ...r.quantiles.map((q) => quantileColumn(q, p))];
  const vals = (dist: Dist) => [fmt(dist.mean), ...r.quantiles.map((q) => fmt(dist.quantiles[levelKey(q)]))];
  return {
    header: ['series', 'case', 'date', ...qcols('total'), ...qcols('peak')],
    rows: r.rows.map((row) => [r.series ?? '', row.case, row.date, ...vals(row.total), ...vals(row.peak)]),
  };
}
