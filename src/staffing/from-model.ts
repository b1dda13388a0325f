/**
 * Staffing a model's dates: scenarios from the scenario service, then scenario-based staffing
 * per date. The one function the CLI (`staff plan`) and the server (`POST /v1/staffing`) call.
 */
import { generateScenarios, type ScenarioModel, type ScenarioOptions, type ScenarioResult } from '../scenarios/index.js';
import { scenarioStaffing, type ScenarioStaffingOptions, type ScenarioStaffingResult } from './plan.js';

export interface ModelStaffingRequest extends Omit<ScenarioOptions, 'output' | 'whatIf' | 'observed'> {
  model: ScenarioModel;
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

/** Scenarios (integer counts) for each date → staffing plans per date. */
export function staffFromModel(req: ModelStaffingRequest): ModelStaffingResult {
  const { model, staffing, ...scenarioOpts } = req;
  return staffScenarios(generateScenarios({ ...scenarioOpts, model, output: 'counts' }), staffing);
}

/** Staffing plans for every date of a scenario result (the server generates on its pool, then calls this). */
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
