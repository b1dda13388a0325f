/**
 * The typed results of a scenario request and how they are assembled from a plan and its units'
 * outputs: scenarios (values and summaries per date), forecast (summaries only) and batch
 * what-if (per case and date, the daily total and peak).
 */
import { optionError } from '../core/errors.js';
import type { CaseSummary, DaySummary } from './execute.js';
import { checkQuantiles, planScenarios, resolveOutput, type DatePlan, type ModelInfo, type OutputKind, type PlanOptions, type ScenarioOptions, type ScenarioPlan } from './plan.js';
import { compileWhatIf, withBaseline, type SlotOp, type WhatIfCase } from './whatif.js';

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
  /** count × intervals, original units; row s is scenario s (the same scenario on every date). */
  values: number[][];
  summary: DaySummary;
}

export interface ResultHeader {
  /** The model's series id (the `--series` it was trained on), or null for an unnamed single series. */
  series: string | null;
  labels: string[];
  zone: string;
  intervalMinutes: number;
  valueKind: 'counts' | 'measurements';
  output: OutputKind;
  count: number;
  seed: number;
  sampler: string;
  quantiles: number[];
  /**
   * A context-aware model: the forecast origin (the last observed day whose level the context
   * used; later dates in a scenario continue its own simulated path). Null without context.
   */
  origin: string | null;
}

export interface ScenarioResult extends ResultHeader {
  dates: DateScenarios[];
}

export type DateForecast = Omit<DateScenarios, 'components' | 'values'>;

export interface ForecastResult extends ResultHeader {
  dates: DateForecast[];
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

export const DEFAULT_FORECAST_QUANTILES: readonly number[] = [0.1, 0.5, 0.9];
export const DEFAULT_FORECAST_COUNT = 1000;
export const DEFAULT_WHATIF_QUANTILES: readonly number[] = [0.1, 0.5, 0.9];

const probs = (names: string[], p: number[]): Record<string, number> => Object.fromEntries(names.map((n, k) => [n, Math.round(p[k] * 1e6) / 1e6]));

export function resultHeader(model: ModelInfo, plan: ScenarioPlan): ResultHeader {
  const m = model.manifest;
  return {
    series: m.data.series ?? null,
    labels: plan.labels,
    zone: m.data.zone,
    intervalMinutes: m.data.intervalMinutes,
    valueKind: m.data.valueKind,
    output: plan.output,
    count: plan.count,
    seed: plan.seed,
    sampler: plan.sampler,
    quantiles: plan.quantiles,
    origin: plan.origin,
  };
}

/**
 * Each date's scenarios (count rows, by scenario index) from the units' outputs (in plan order;
 * each unit's rows date-major: unit.dates.length × unit.n).
 */
export function rowsByDate(plan: ScenarioPlan, unitRows: readonly number[][][]): number[][][] {
  if (unitRows.length !== plan.units.length) throw new Error(`expected ${plan.units.length} unit results, got ${unitRows.length}`);
  const out: number[][][] = plan.dates.map(() => new Array<number[]>(plan.count));
  plan.units.forEach((u, i) => {
    const rows = unitRows[i];
    if (rows.length !== u.dates.length * u.n) throw new Error(`unit ${i} returned ${rows.length} rows, expected ${u.dates.length} dates × ${u.n} scenarios`);
    u.dates.forEach((ud, j) => {
      for (let s = 0; s < u.n; s++) out[ud.dateIndex][u.offset + s] = rows[j * u.n + s];
    });
  });
  out.forEach((rows, i) => {
    for (let s = 0; s < rows.length; s++) if (!rows[s]) throw new Error(`no unit covered scenario ${s} of ${plan.dates[i].date}`);
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

/** Component name of each scenario of a date, by scenario index. */
export function componentsOf(plan: ScenarioPlan, dateIndex: number): string[] {
  const out = new Array<string>(plan.count);
  for (const u of plan.units) {
    for (const ud of u.dates) {
      if (ud.dateIndex === dateIndex) ud.components.forEach((k, s) => (out[u.offset + s] = plan.componentNames[k]));
    }
  }
  return out;
}

/** The typed result from a plan, its dates' rows (`rowsByDate`) and their summaries. */
export function assembleScenarios(model: ModelInfo, plan: ScenarioPlan, byDate: readonly number[][][], summaries: readonly DaySummary[]): ScenarioResult {
  return {
    ...resultHeader(model, plan),
    dates: plan.dates.map((dp, i) => ({
      ...dateHeader(plan, dp),
      components: componentsOf(plan, i),
      values: byDate[i],
      summary: summaries[i],
    })),
  };
}

export function toForecast(r: ScenarioResult): ForecastResult {
  return { ...r, dates: r.dates.map(({ components: _c, values: _v, ...rest }) => rest) };
}

export interface WhatIfPlan {
  plan: ScenarioPlan;
  output: OutputKind;
  cases: WhatIfCase[];
  /** Per date, per case: the compiled operations. */
  caseOps: SlotOp[][][];
}

/**
 * Plan for a batch: the base scenarios are continuous and untransformed (each case is applied,
 * clamped and rounded later); the result's output kind is the requested one.
 */
export function planWhatIf(model: ModelInfo, o: Omit<ScenarioOptions, 'whatIf'> & { cases: WhatIfCase[] }, planOptions: PlanOptions = {}): WhatIfPlan {
  const { cases: given, ...opts } = o;
  if (!Array.isArray(given)) throw optionError('cases must be a list of { name, transforms }');
  const cases = withBaseline(given);
  const quantiles = checkQuantiles(o.quantiles, DEFAULT_WHATIF_QUANTILES);
  const output = resolveOutput(model, o.output);
  const plan = planScenarios(model, { ...opts, quantiles, output: 'continuous' }, planOptions);
  const caseOps = plan.dates.map((dp) => cases.map((c) => compileWhatIf(c.transforms, dp.date, plan.labels, output === 'counts')));
  return { plan, output, cases, caseOps };
}

export function assembleWhatIf(model: ModelInfo, plan: ScenarioPlan, output: OutputKind, cases: WhatIfCase[], perDate: CaseSummary[][]): WhatIfResult {
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
