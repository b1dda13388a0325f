/**
 * The scenario service's library: dates → components → samples → original units → what-if →
 * typed result with summaries. `generateScenarios`, `forecast` and `whatIfBatch` run in-process;
 * the server runs the same plan's units on a worker pool and assembles with the same functions.
 */
import { optionError } from '../errors.js';
import { levelKey } from '../eval/scores.js';
import { caseSummaries, executeUnit, summariseDay, type CaseSummary, type DaySummary, type Dist } from './execute.js';
import {
  checkQuantiles,
  planScenarios,
  resolveOutput,
  type DatePlan,
  type ModelInfo,
  type OutputKind,
  type ScenarioModel,
  type ScenarioOptions,
  type ScenarioPlan,
} from './plan.js';
import { compileWhatIf, withBaseline, type WhatIfCase } from './whatif.js';

export * from './plan.js';
export * from './execute.js';
export * from './whatif.js';
export * from './dates.js';
export { readObservedFile, parseObservedRows } from './observed.js';

export interface ScenarioRequest extends ScenarioOptions {
  model: ScenarioModel;
}

export interface DateScenarios {
  date: string;
  weekday: string;
  key: string | null;
  fallback: boolean;
  /** Component name → probability used for the draws. */
  probabilities: Record<string, number>;
  observed: (number | null)[] | null;
  /** Component (name) of each scenario. */
  components: string[];
  /** count × intervals, original units. */
  values: number[][];
  summary: DaySummary;
}

export interface ResultHeader {
  labels: string[];
  zone: string;
  intervalMinutes: number;
  valueKind: 'counts' | 'measurements';
  output: OutputKind;
  count: number;
  seed: number;
  sampler: string;
  quantiles: number[];
}

export interface ScenarioResult extends ResultHeader {
  dates: DateScenarios[];
}

export type DateForecast = Omit<DateScenarios, 'components' | 'values'>;

export interface ForecastResult extends ResultHeader {
  dates: DateForecast[];
}

const probs = (names: string[], p: number[]): Record<string, number> => Object.fromEntries(names.map((n, k) => [n, Math.round(p[k] * 1e6) / 1e6]));

export function resultHeader(model: ModelInfo, plan: ScenarioPlan): ResultHeader {
  const m = model.manifest;
  return {
    labels: plan.labels,
    zone: m.data.zone,
    intervalMinutes: m.data.intervalMinutes,
    valueKind: m.data.valueKind,
    output: plan.output,
    count: plan.count,
    seed: plan.seed,
    sampler: plan.sampler,
    quantiles: plan.quantiles,
  };
}

/** Concatenate each date's unit outputs (units in plan order). */
export function rowsByDate(plan: ScenarioPlan, unitRows: readonly number[][][]): number[][][] {
  if (unitRows.length !== plan.units.length) throw new Error(`expected ${plan.units.length} unit results, got ${unitRows.length}`);
  const out: number[][][] = plan.dates.map(() => []);
  plan.units.forEach((u, i) => {
    if (out[u.dateIndex].length !== u.offset) throw new Error('unit results out of order');
    for (const r of unitRows[i]) out[u.dateIndex].push(r);
  });
  return out;
}

export function dateHeader(plan: ScenarioPlan, dp: DatePlan): Omit<DateForecast, 'summary'> {
  return {
    date: dp.date,
    weekday: dp.weekday,
    key: dp.key,
    fallback: dp.fallback,
    probabilities: probs(plan.componentNames, dp.probabilities),
    observed: dp.observed,
  };
}

export function componentsOf(plan: ScenarioPlan, dateIndex: number): string[] {
  return plan.units.filter((u) => u.dateIndex === dateIndex).flatMap((u) => u.components.map((k) => plan.componentNames[k]));
}

/** The typed result from a plan and its units' outputs (in plan order). */
export function assembleScenarios(model: ModelInfo, plan: ScenarioPlan, unitRows: readonly number[][][], summaries?: DaySummary[]): ScenarioResult {
  const byDate = rowsByDate(plan, unitRows);
  return {
    ...resultHeader(model, plan),
    dates: plan.dates.map((dp, i) => ({
      ...dateHeader(plan, dp),
      components: componentsOf(plan, i),
      values: byDate[i],
      summary: summaries?.[i] ?? summariseDay(byDate[i], plan.quantiles),
    })),
  };
}

/** Scenarios for the requested dates, in-process. Same request + seed → identical result. */
export function generateScenarios(req: ScenarioRequest): ScenarioResult {
  const { model, ...opts } = req;
  const plan = planScenarios(model, opts);
  return assembleScenarios(model, plan, plan.units.map((u) => executeUnit(model, u)));
}

export const DEFAULT_FORECAST_QUANTILES: readonly number[] = [0.1, 0.5, 0.9];
export const DEFAULT_FORECAST_COUNT = 1000;

export interface ForecastRequest extends Omit<ScenarioOptions, 'count'> {
  model: ScenarioModel;
  /** Scenarios behind the summaries (default 1000). */
  count?: number;
}

/** Per-interval mean and quantiles (default 0.1, 0.5, 0.9) per date, from `count` scenarios. */
export function forecast(req: ForecastRequest): ForecastResult {
  const r = generateScenarios({ ...req, count: req.count ?? DEFAULT_FORECAST_COUNT, quantiles: checkQuantiles(req.quantiles, DEFAULT_FORECAST_QUANTILES) });
  return toForecast(r);
}

export function toForecast(r: ScenarioResult): ForecastResult {
  return { ...r, dates: r.dates.map(({ components: _c, values: _v, ...rest }) => rest) };
}

// ───────────────────────────── batch what-if ─────────────────────────────

export const DEFAULT_WHATIF_QUANTILES: readonly number[] = [0.1, 0.5, 0.9];

export interface WhatIfBatchRequest extends Omit<ScenarioOptions, 'whatIf'> {
  model: ScenarioModel;
  /** Named cases (the `baseline` case is added first automatically). */
  cases: WhatIfCase[];
}

export interface WhatIfRow extends CaseSummary {
  case: string;
  date: string;
}

export interface WhatIfResult extends ResultHeader {
  cases: string[];
  /** Per date: key, fallback, probabilities (as for scenarios). */
  dates: Omit<DateForecast, 'summary'>[];
  rows: WhatIfRow[];
}

/**
 * Plan for a batch: the base scenarios are continuous and untransformed (each case is applied,
 * clamped and rounded later); the result's output kind is the requested one.
 */
export function planWhatIf(model: ModelInfo, o: Omit<WhatIfBatchRequest, 'model'>): { plan: ScenarioPlan; output: OutputKind; cases: WhatIfCase[]; caseOps: ReturnType<typeof compileWhatIf>[][] } {
  const { cases: given, ...opts } = o;
  if (!Array.isArray(given)) throw optionError('cases must be a list of { name, transforms }');
  const cases = withBaseline(given);
  const quantiles = checkQuantiles(o.quantiles, DEFAULT_WHATIF_QUANTILES);
  const output = resolveOutput(model, o.output);
  const plan = planScenarios(model, { ...opts, quantiles, output: 'continuous' });
  const caseOps = plan.dates.map((dp) => cases.map((c) => compileWhatIf(c.transforms, dp.date, plan.labels, output === 'counts')));
  return { plan, output, cases, caseOps };
}

export function assembleWhatIf(
  model: ModelInfo,
  plan: ScenarioPlan,
  output: OutputKind,
  cases: WhatIfCase[],
  perDate: CaseSummary[][],
): WhatIfResult {
  const rows: WhatIfRow[] = [];
  cases.forEach((c, ci) => plan.dates.forEach((dp, di) => rows.push({ case: c.name, date: dp.date, ...perDate[di][ci] })));
  return {
    ...resultHeader(model, plan),
    output,
    cases: cases.map((c) => c.name),
    dates: plan.dates.map((dp) => dateHeader(plan, dp)),
    rows,
  };
}

/**
 * Batch what-if: one set of base scenarios per date (common random numbers), every case applied
 * to it; per case and date the mean and quantiles (default 0.1, 0.5, 0.9) of the daily total and
 * the peak interval. Differences between cases are due to the what-if only.
 */
export function whatIfBatch(req: WhatIfBatchRequest): WhatIfResult {
  const { model, ...opts } = req;
  const { plan, output, cases, caseOps } = planWhatIf(model, opts);
  const byDate = rowsByDate(plan, plan.units.map((u) => executeUnit(model, u)));
  const clamp = model.manifest.data.valueKind === 'counts';
  const perDate = plan.dates.map((dp, i) => caseSummaries(byDate[i], caseOps[i], dp.observed, clamp, output === 'counts', plan.quantiles));
  return assembleWhatIf(model, plan, output, cases, perDate);
}

// ───────────────────────────── tables ─────────────────────────────

const fmt = (x: number) => (Number.isInteger(x) ? x : Number(x.toFixed(4)));

/** Long table `date,component,scenario,interval_start,value`. */
export function* scenarioRows(r: ScenarioResult): Generator<(string | number)[]> {
  for (const d of r.dates) {
    for (let s = 0; s < d.values.length; s++) {
      const row = d.values[s];
      for (let j = 0; j < row.length; j++) yield [d.date, d.components[s], s, r.labels[j], fmt(row[j])];
    }
  }
}
export const SCENARIO_HEADER = ['date', 'component', 'scenario', 'interval_start', 'value'] as const;

/** `date,interval_start,mean,q<level>…`. */
export function forecastTable(r: Pick<ForecastResult, 'labels' | 'quantiles' | 'dates'>): { header: string[]; rows: (string | number)[][] } {
  const header = ['date', 'interval_start', 'mean', ...r.quantiles.map((q) => `q${levelKey(q)}`)];
  const rows: (string | number)[][] = [];
  for (const d of r.dates) {
    r.labels.forEach((label, j) => rows.push([d.date, label, fmt(d.summary.mean[j]), ...r.quantiles.map((q) => fmt(d.summary.quantiles[levelKey(q)][j]))]));
  }
  return { header, rows };
}

/** `case,date,total_mean,total_q…,peak_mean,peak_q…`. */
export function whatIfTable(r: Pick<WhatIfResult, 'quantiles' | 'rows'>): { header: string[]; rows: (string | number)[][] } {
  const qcols = (p: string) => [`${p}_mean`, ...r.quantiles.map((q) => `${p}_q${levelKey(q)}`)];
  const vals = (dist: Dist) => [fmt(dist.mean), ...r.quantiles.map((q) => fmt(dist.quantiles[levelKey(q)]))];
  return {
    header: ['case', 'date', ...qcols('total'), ...qcols('peak')],
    rows: r.rows.map((row) => [row.case, row.date, ...vals(row.total), ...vals(row.peak)]),
  };
}
