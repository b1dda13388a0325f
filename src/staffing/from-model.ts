/**
 * Staffing a model's dates: integer-count scenarios from the scenario runner (`runScenarios`),
 * then scenario-based staffing per date. `staff plan` (CLI) draws its scenarios with
 * `staffingScenarios`; POST /v1/staffing calls `staffFromModel` with the server's executor.
 */
import { runScenarios, type ModelInfo, type Predictor, type ScenarioExecutor, type ScenarioOptions, type ScenarioResult } from '../scenarios/index.js';
import { scenarioStaffing, type ScenarioStaffingOptions, type ScenarioStaffingResult } from './plan.js';

export interface ModelStaffingRequest extends Omit<ScenarioOptions, 'output' | 'whatIf' | 'observed'> {
  /** The predictor (with an executor: its model info is enough). */
  model: Predictor | ModelInfo;
  /** Staffing options; `intervalSeconds` defaults to the model's interval. */
  staffing: Omit<ScenarioStaffingOptions, 'intervalSeconds'> & { intervalSeconds?: number };
}

export interface DateStaffing {
  date: string;
  key: string | null;
  fallback: boolean;
  result: ScenarioStaffingResult;
}

export interface ModelStaffingResult {
  labels: string[];
  intervalSeconds: number;
  count: number;
  seed: number;
  dates: DateStaffing[];
}

/** The scenarios staffing is computed on: integer counts, through the runner. */
export function staffingScenarios(req: Omit<ModelStaffingRequest, 'staffing'>, executor?: ScenarioExecutor): Promise<ScenarioResult> {
  const { model, ...scenarioOpts } = req;
  return runScenarios(model, { ...scenarioOpts, output: 'counts', shape: 'scenarios' }, executor);
}

/** Scenarios (integer counts) for each date → staffing plans per date. Executor: as `runScenarios`. */
export async function staffFromModel(req: ModelStaffingRequest, executor?: ScenarioExecutor): Promise<ModelStaffingResult> {
  const { staffing, ...scenarioReq } = req;
  return staffScenarios(await staffingScenarios(scenarioReq, executor), staffing);
}

/** Staffing plans for every date of a scenario result. */
export function staffScenarios(r: ScenarioResult, staffing: ModelStaffingRequest['staffing']): ModelStaffingResult {
  const intervalSeconds = staffing.intervalSeconds ?? r.intervalMinutes * 60;
  return {
    labels: r.labels,
    intervalSeconds,
    count: r.count,
    seed: r.seed,
    dates: r.dates.map((d) => ({
      date: d.date,
      key: d.key,
      fallback: d.fallback,
      result: scenarioStaffing(d.values, { ...staffing, intervalSeconds }),
    })),
  };
}
