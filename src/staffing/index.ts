/**
 * Staffing from scenarios: Erlang C and Erlang A per interval, scenario-based staffing
 * quantiles and plans, and a discrete-event queue simulation of a plan.
 */
export {
  erlangB, erlangC, erlangCMetrics, offeredLoad,
  type QueueLoad, type StaffingTarget, type ErlangCMetrics, type ErlangCResult,
} from './erlang-c.js';
export { erlangA, erlangAMetrics, type ErlangAMetrics, type ErlangAResult, type ErlangATarget } from './erlang-a.js';
export { logGamma, regularizedGammaP } from './gamma.js';
export {
  scenarioStaffing, scenarioStaffingTable, evaluatePlan, makeStaffer, checkScenarios,
  type QueueModel, type StaffingModelOptions, type ScenarioStaffingOptions, type ScenarioStaffingResult,
  type PlanEvaluation, type PlanDayTotals, type PlanName, type PlanCheck, type Staffer,
} from './plan.js';
export {
  simulate,
  type SimulateOptions, type SimulationResult, type SimIntervalSummary, type SimDaySummary, type SimDetail,
  type Pooled, type HandleDistribution,
} from './simulate.js';
export { spread, quantileInverseCdf, quantileLinear, type Spread } from './quantile.js';
export { parseDuration } from '../core/durations.js';
export { scheduledStaff, MAX_AHT_SECONDS, MAX_OFFERED_LOAD } from './validate.js';
export { parsePlanCsv, parseScenariosCsv, scenariosForDate, type PlanFile, type ScenarioFile } from './files.js';
export { staffFromModel, staffScenarios, staffingScenarios, type ModelStaffingRequest, type ModelStaffingResult, type DateStaffing } from './from-model.js';
