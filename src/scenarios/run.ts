/**
 * THE scenario runner. `runScenarios(predictor, request, executor)` turns a request (dates,
 * count, seed, sampler, observed slots, what-if, output kind and shape, quantiles) into the
 * typed result: plan (plan.ts) → run the units on the executor → each date's rows → summaries
 * (or what-if case summaries) on the executor → assemble (result.ts).
 *
 * Everything that turns a request into scenarios goes through here: generateScenarios,
 * forecast and whatIfBatch, every HTTP route (the executor is then the server's worker pool or
 * its request thread), staffing from a model, the backtest and the intraday backtest. The
 * numbers depend only on the request and seed (see plan.ts), so they are the same everywhere.
 */
import { optionError } from '../core/errors.js';
import { caseSummaries, executeUnit, summariseDay, type CaseSummary, type CaseTask, type DaySummary } from './execute.js';
import { checkQuantiles, DEFAULT_SCENARIO_QUANTILES, planScenarios, type ModelInfo, type PlanOptions, type Predictor, type ScenarioOptions, type ScenarioUnit } from './plan.js';
import {
  assembleScenarios,
  assembleWhatIf,
  DEFAULT_FORECAST_QUANTILES,
  planWhatIf,
  rowsByDate,
  toForecast,
  type ForecastResult,
  type ScenarioResult,
  type WhatIfResult,
} from './result.js';
import type { WhatIfCase } from './whatif.js';

/** Where a request's work runs. Every method returns results in the order given. */
export interface ScenarioExecutor {
  /** Each unit's rows, date-major (unit.dates.length × unit.n). */
  runUnits(units: ScenarioUnit[]): Promise<number[][][]>;
  summarise(rows: number[][], quantiles: number[]): Promise<DaySummary>;
  cases(rows: number[][], task: CaseTask): Promise<CaseSummary[]>;
}

/** What the result holds: scenarios (values and summaries), forecast (summaries) or what-if (case table). */
export type RunShape = 'scenarios' | 'forecast' | 'whatif';

export interface ScenariosRun extends ScenarioOptions {
  shape?: 'scenarios';
}
export interface ForecastRun extends ScenarioOptions {
  shape: 'forecast';
}
export interface WhatIfRun extends Omit<ScenarioOptions, 'whatIf'> {
  shape: 'whatif';
  /** Named cases; the `baseline` case (no transforms) is added first. */
  cases: WhatIfCase[];
}
export type RunRequest = ScenariosRun | ForecastRun | WhatIfRun;

export type RunResult<R extends RunRequest> = R extends WhatIfRun ? WhatIfResult : R extends ForecastRun ? ForecastResult : ScenarioResult;

/**
 * The units' work in the calling thread, synchronously: what the in-process executor runs. Only
 * for callers that cannot await (a training-checkpoint callback whose model changes when it
 * returns); everything else goes through `runScenarios`.
 */
export function runUnitsNow(predictor: Predictor, units: readonly ScenarioUnit[]): number[][][] {
  return units.map((u) => executeUnit(predictor, u));
}

/** The default executor: the predictor in the calling thread. */
export function inProcessExecutor(predictor: Predictor): ScenarioExecutor {
  if (typeof (predictor as Partial<Predictor>).sampleDays !== 'function') {
    throw optionError('the predictor cannot sample (it holds model info only); pass an executor that runs the units, e.g. the server pool');
  }
  return {
    runUnits: async (units) => runUnitsNow(predictor, units),
    summarise: async (rows, quantiles) => summariseDay(rows, quantiles),
    cases: async (rows, t) => caseSummaries(rows, t.caseOps, t.observed, t.clamp, t.round, t.quantiles),
  };
}

/**
 * Run a scenario request. `predictor` plans (its manifest, prior and transform); the units run on
 * `executor` (default: `predictor` itself, in the calling thread — it must then be able to
 * sample). `options.spanDates` forces the unit split (default: one unit per chunk spanning all
 * dates when `needsPaths(predictor)`, else one per date and chunk); the numbers do not depend on
 * it for a model that does not read paths.
 */
export async function runScenarios<R extends RunRequest>(
  predictor: ModelInfo | Predictor,
  request: R,
  executor?: ScenarioExecutor,
  options: PlanOptions = {},
): Promise<RunResult<R>> {
  const req = request as RunRequest;
  if (req.shape !== undefined && req.shape !== 'scenarios' && req.shape !== 'forecast' && req.shape !== 'whatif') {
    throw optionError(`shape must be scenarios, forecast or whatif (got ${String(req.shape)})`);
  }
  if (req.shape === 'whatif') {
    const { shape: _s, ...o } = req;
    const { plan, output, cases, caseOps } = planWhatIf(predictor, o, options);
    const ex = executor ?? inProcessExecutor(predictor as Predictor);
    const byDate = rowsByDate(plan, await ex.runUnits(plan.units));
    const clamp = predictor.manifest.data.valueKind === 'counts';
    const perDate = await Promise.all(
      plan.dates.map((dp, i) => ex.cases(byDate[i], { caseOps: caseOps[i], observed: dp.observed, clamp, round: output === 'counts', quantiles: plan.quantiles })),
    );
    return assembleWhatIf(predictor, plan, output, cases, perDate) as RunResult<R>;
  }
  const { shape = 'scenarios', ...o } = req;
  const quantiles = checkQuantiles(o.quantiles, shape === 'forecast' ? DEFAULT_FORECAST_QUANTILES : DEFAULT_SCENARIO_QUANTILES);
  const plan = planScenarios(predictor, { ...o, quantiles }, options);
  const ex = executor ?? inProcessExecutor(predictor as Predictor);
  const byDate = rowsByDate(plan, await ex.runUnits(plan.units));
  const summaries = await Promise.all(byDate.map((rows) => ex.summarise(rows, plan.quantiles)));
  const result = assembleScenarios(predictor, plan, byDate, summaries);
  return (shape === 'forecast' ? toForecast(result) : result) as RunResult<R>;
}
