/**
 * Scenario-based staffing: required agents per interval for every scenario of a day, and
 * plans built from them —
 *   mean plan       agents for the mean of the scenarios (staffing to the mean forecast);
 *   coverage plan   the coverage-quantile of required agents: meets the target in ≥ coverage
 *                   of the scenarios, interval by interval;
 *   newsvendor plan the cu/(cu+co)-quantile of required agents, which minimises
 *                   E[cu·(required − plan)⁺ + co·(plan − required)⁺] over the scenarios.
 * Quantiles of required agents are inverse-CDF quantiles (type 1), so they are whole agent
 * counts that are actually met in the stated share of scenarios.
 * Each plan is judged against every scenario: its expected service level (mean over
 * scenarios; an interval with no calls counts as SL 1) and the share of scenarios in which
 * it misses the target (plan < that scenario's required agents, i.e. some constraint —
 * service level, occupancy, ASA, abandonment — fails).
 */
import { inputError, optionError } from '../core/errors.js';
import { erlangC, erlangCMetrics, checkLoad, checkTarget } from './erlang-c.js';
import { erlangA, erlangAMetrics } from './erlang-a.js';
import { quantileInverseCdf } from '../core/quantiles.js';
import { openUnit, positive, scheduledStaff, agentCount, checkStaffingWork } from './validate.js';

export type QueueModel = 'erlang-c' | 'erlang-a';

export interface StaffingModelOptions {
  /** Interval length, seconds. */
  intervalSeconds: number;
  /** Average handle time, seconds. */
  aht: number;
  /** Target share answered within `within` seconds. */
  target: number;
  within: number;
  maxOccupancy?: number;
  shrinkage?: number;
  maxAsa?: number;
  /** Queue model, default 'erlang-c'. */
  model?: QueueModel;
  /** Mean patience, seconds (Erlang A only, required there). */
  patience?: number;
  /** Upper limit on abandonment (Erlang A only). */
  maxAbandon?: number;
}

export interface ScenarioStaffingOptions extends StaffingModelOptions {
  /** Share of scenarios the coverage plan must meet, default 0.9. */
  coverage?: number;
  /** Cost of one agent-interval short (newsvendor; give with costOver). */
  costUnder?: number;
  /** Cost of one agent-interval in excess (newsvendor; give with costUnder). */
  costOver?: number;
}

interface Outcome {
  serviceLevel: number;
  probAbandon: number;
}

/** Memoised required-agents and evaluation for one set of options. */
export interface Staffer {
  model: QueueModel;
  shrinkage: number;
  required(calls: number): number;
  evaluate(calls: number, agents: number): Outcome;
}

export function makeStaffer(opts: StaffingModelOptions): Staffer {
  const model = opts.model ?? 'erlang-c';
  if (model !== 'erlang-c' && model !== 'erlang-a') throw optionError(`unknown queue model "${String(model)}"; use erlang-c or erlang-a`);
  checkLoad({ calls: 0, intervalSeconds: opts.intervalSeconds, aht: opts.aht });
  const t = checkTarget(opts);
  if (model === 'erlang-c' && opts.patience !== undefined) throw optionError('patience applies to the erlang-a model only; add model erlang-a or drop patience');
  if (model === 'erlang-c' && opts.maxAbandon !== undefined) throw optionError('max abandonment applies to the erlang-a model only');
  if (model === 'erlang-a' && opts.patience === undefined) throw optionError('the erlang-a model needs a mean patience (seconds)');
  if (model === 'erlang-a') positive('patience (seconds)', opts.patience);
  const base = {
    intervalSeconds: opts.intervalSeconds, aht: opts.aht, target: t.target, within: t.within,
    maxOccupancy: opts.maxOccupancy, shrinkage: opts.shrinkage, maxAsa: opts.maxAsa,
  };
  const req = new Map<number, number>();
  const ev = new Map<string, Outcome>();
  return {
    model,
    shrinkage: t.shrinkage,
    required(calls: number): number {
      let r = req.get(calls);
      if (r === undefined) {
        r = model === 'erlang-c'
          ? erlangC({ ...base, calls }).agents
          : erlangA({ ...base, calls, patience: opts.patience as number, maxAbandon: opts.maxAbandon }).agents;
        req.set(calls, r);
      }
      return r;
    },
    evaluate(calls: number, agents: number): Outcome {
      const key = `${calls}|${agents}`;
      let o = ev.get(key);
      if (o === undefined) {
        const q = { calls, intervalSeconds: opts.intervalSeconds, aht: opts.aht, within: t.within };
        if (model === 'erlang-c') {
          o = { serviceLevel: erlangCMetrics(q, agents).serviceLevel, probAbandon: 0 };
        } else {
          const m = erlangAMetrics({ ...q, patience: opts.patience as number }, agents, { asa: false });
          o = { serviceLevel: m.serviceLevel, probAbandon: m.probAbandon };
        }
        ev.set(key, o);
      }
      return o;
    },
  };
}

/** Check a days × intervals matrix of call counts: non-empty, rectangular, finite, ≥ 0. */
export function checkScenarios(scenarios: number[][], what = 'scenarios'): { count: number; intervals: number } {
  if (!Array.isArray(scenarios) || scenarios.length === 0) throw inputError(`${what}: need at least one day of per-interval counts`);
  const d = scenarios[0]?.length ?? 0;
  if (d === 0) throw inputError(`${what}: a day has no intervals`);
  scenarios.forEach((row, s) => {
    if (!Array.isArray(row) || row.length !== d) {
      throw inputError(`${what}: row ${s} has ${Array.isArray(row) ? row.length : 'no'} intervals, expected ${d} like row 0`);
    }
    row.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw inputError(`${what}: row ${s}, interval ${i} is ${String(v)}; call counts must be finite and ≥ 0`);
      }
    });
  });
  return { count: scenarios.length, intervals: d };
}

export type PlanName = 'mean' | 'coverage' | 'newsvendor';

export interface PlanDayTotals {
  /** Σ agents over intervals. */
  agentIntervals: number;
  /** agentIntervals · interval length in hours. */
  agentHours: number;
  /** Σ scheduled staff (agents grossed up for shrinkage) over intervals. */
  scheduledStaffIntervals: number;
  scheduledHours: number;
  /** Call-weighted expected service level over all scenarios and intervals. */
  expectedServiceLevel: number;
  /** Share of (scenario, interval) pairs in which the plan misses the target. */
  missShare: number;
  /** Share of scenarios in which every interval meets the target. */
  allIntervalsMetShare: number;
}

export interface PlanEvaluation {
  name: PlanName;
  agents: number[];
  scheduled: number[];
  /** Mean over scenarios of the service level this plan gives, per interval. */
  expectedServiceLevel: number[];
  /** Share of scenarios in which this plan misses the target, per interval. */
  missShare: number[];
  /** Mean over scenarios of P(abandon), per interval (0 under Erlang C). */
  expectedAbandon: number[];
  day: PlanDayTotals;
}

export interface ScenarioStaffingResult {
  model: QueueModel;
  scenarios: number;
  intervals: number;
  intervalSeconds: number;
  coverage: number;
  /** cu / (cu + co) when costs were given, else null. */
  criticalRatio: number | null;
  /** Mean calls per interval over the scenarios. */
  meanCalls: number[];
  /** Quantiles of required agents over scenarios: levels 0.1, 0.5, 0.9 and the coverage. */
  requiredQuantiles: { level: number; agents: number[] }[];
  plans: { mean: PlanEvaluation; coverage: PlanEvaluation; newsvendor: PlanEvaluation | null };
}

function judge(
  name: PlanName, agents: number[], scenarios: number[][], required: number[][], staffer: Staffer, intervalSeconds: number,
): PlanEvaluation {
  const S = scenarios.length;
  const d = agents.length;
  const expectedServiceLevel = new Array<number>(d).fill(0);
  const missShare = new Array<number>(d).fill(0);
  const expectedAbandon = new Array<number>(d).fill(0);
  let weighted = 0;
  let calls = 0;
  let misses = 0;
  const dayMissed = new Array<boolean>(S).fill(false);
  for (let i = 0; i < d; i++) {
    for (let s = 0; s < S; s++) {
      const c = scenarios[s][i];
      const o = staffer.evaluate(c, agents[i]);
      expectedServiceLevel[i] += o.serviceLevel / S;
      expectedAbandon[i] += o.probAbandon / S;
      weighted += c * o.serviceLevel;
      calls += c;
      if (agents[i] < required[s][i]) {
        missShare[i] += 1 / S;
        misses++;
        dayMissed[s] = true;
      }
    }
  }
  const scheduled = agents.map((a) => scheduledStaff(a, staffer.shrinkage));
  const hours = intervalSeconds / 3600;
  const agentIntervals = agents.reduce((a, b) => a + b, 0);
  const scheduledStaffIntervals = scheduled.reduce((a, b) => a + b, 0);
  return {
    name,
    agents,
    scheduled,
    expectedServiceLevel,
    missShare,
    expectedAbandon,
    day: {
      agentIntervals,
      agentHours: agentIntervals * hours,
      scheduledStaffIntervals,
      scheduledHours: scheduledStaffIntervals * hours,
      expectedServiceLevel: calls > 0 ? weighted / calls : 1,
      missShare: misses / (S * d),
      allIntervalsMetShare: dayMissed.filter((m) => !m).length / S,
    },
  };
}

/** Staff a day from its scenarios (S × intervals call counts). */
export function scenarioStaffing(scenarios: number[][], opts: ScenarioStaffingOptions): ScenarioStaffingResult {
  const staffer = makeStaffer(opts);
  const coverage = opts.coverage === undefined ? 0.9 : openUnit('coverage', opts.coverage);
  let criticalRatio: number | null = null;
  if ((opts.costUnder === undefined) !== (opts.costOver === undefined)) {
    throw optionError('give both the cost of under-staffing and of over-staffing for the newsvendor plan, or neither');
  }
  if (opts.costUnder !== undefined && opts.costOver !== undefined) {
    const cu = positive('cost of under-staffing', opts.costUnder);
    const co = positive('cost of over-staffing', opts.costOver);
    criticalRatio = cu / (cu + co);
  }
  const { count: S, intervals: d } = checkScenarios(scenarios);
  // Bound the work before any of it: the busiest (scenario, interval) decides the Erlang cost.
  let busiest = 0;
  for (const row of scenarios) for (const c of row) busiest = Math.max(busiest, c);
  checkStaffingWork(busiest, opts.aht, opts.intervalSeconds);
  const required = scenarios.map((row) => row.map((c) => staffer.required(c)));
  const meanCalls = new Array<number>(d).fill(0);
  for (const row of scenarios) row.forEach((c, i) => (meanCalls[i] += c / S));
  const sortedReq: Int32Array[] = [];
  for (let i = 0; i < d; i++) {
    const col = new Int32Array(S);
    for (let s = 0; s < S; s++) col[s] = required[s][i];
    sortedReq.push(col.sort());
  }
  const levels = [...new Set([0.1, 0.5, 0.9, coverage])].sort((a, b) => a - b);
  const requiredQuantiles = levels.map((level) => ({ level, agents: sortedReq.map((col) => quantileInverseCdf(col, level)) }));
  const meanPlan = meanCalls.map((c) => staffer.required(c));
  const coveragePlan = sortedReq.map((col) => quantileInverseCdf(col, coverage));
  const newsPlan = criticalRatio === null ? null : sortedReq.map((col) => quantileInverseCdf(col, criticalRatio as number));
  return {
    model: staffer.model,
    scenarios: S,
    intervals: d,
    intervalSeconds: opts.intervalSeconds,
    coverage,
    criticalRatio,
    meanCalls,
    requiredQuantiles,
    plans: {
      mean: judge('mean', meanPlan, scenarios, required, staffer, opts.intervalSeconds),
      coverage: judge('coverage', coveragePlan, scenarios, required, staffer, opts.intervalSeconds),
      newsvendor: newsPlan ? judge('newsvendor', newsPlan, scenarios, required, staffer, opts.intervalSeconds) : null,
    },
  };
}

/**
 * One row per interval of a scenario-staffing result, for CSV / text output. `agents` is the plan
 * to staff (the newsvendor plan when costs were given, else the coverage plan): the column
 * `staff simulate --plan` reads. Quantile columns are `required_q<level>` (README: output names).
 */
export function scenarioStaffingTable(r: ScenarioStaffingResult, intervalLabels?: string[]): { header: string[]; rows: (string | number)[][] } {
  const plans = [r.plans.mean, r.plans.coverage, ...(r.plans.newsvendor ? [r.plans.newsvendor] : [])];
  const chosen = r.plans.newsvendor ?? r.plans.coverage;
  const header = [
    'interval', 'agents', 'calls_mean',
    ...r.requiredQuantiles.map((q) => `required_q${String(q.level)}`),
    ...plans.flatMap((p) => [`${p.name}_agents`, `${p.name}_scheduled`, `${p.name}_expected_sl`, `${p.name}_miss_share`]),
  ];
  const rows: (string | number)[][] = [];
  for (let i = 0; i < r.intervals; i++) {
    rows.push([
      intervalLabels?.[i] ?? i,
      chosen.agents[i],
      round(r.meanCalls[i], 3),
      ...r.requiredQuantiles.map((q) => q.agents[i]),
      ...plans.flatMap((p) => [p.agents[i], p.scheduled[i], round(p.expectedServiceLevel[i], 5), round(p.missShare[i], 5)]),
    ]);
  }
  return { header, rows };
}

const round = (x: number, k: number) => (Number.isFinite(x) ? Math.round(x * 10 ** k) / 10 ** k : x);

export interface PlanCheck {
  days: number;
  intervals: number;
  /** Required agents for each actual day and interval. */
  required: number[][];
  /** Service level the plan gives on each actual day and interval. */
  serviceLevel: number[][];
  /** Whether the plan meets the target on each actual day and interval. */
  meets: boolean[][];
  /** Share of all (day, interval) pairs that meet the target. */
  metShare: number;
  metShareByInterval: number[];
  metShareByDay: number[];
  /** Call-weighted service level over all actual days and intervals. */
  serviceLevelOverall: number;
  agentIntervals: number;
}

/** Judge a plan (agents per interval) on actual days (days × intervals call counts). */
export function evaluatePlan(plan: number[], actual: number[][], opts: StaffingModelOptions): PlanCheck {
  const staffer = makeStaffer(opts);
  const { count: D, intervals: d } = checkScenarios(actual, 'actual days');
  if (!Array.isArray(plan) || plan.length !== d) throw inputError(`the plan has ${Array.isArray(plan) ? plan.length : 'no'} intervals but the actual days have ${d}`);
  plan.forEach((a, i) => agentCount(`plan interval ${i}`, a));
  const required = actual.map((row) => row.map((c) => staffer.required(c)));
  const serviceLevel = actual.map((row) => row.map((c, i) => staffer.evaluate(c, plan[i]).serviceLevel));
  const meets = required.map((row) => row.map((r, i) => plan[i] >= r));
  let met = 0;
  let weighted = 0;
  let calls = 0;
  const byInterval = new Array<number>(d).fill(0);
  const byDay = new Array<number>(D).fill(0);
  for (let s = 0; s < D; s++) {
    for (let i = 0; i < d; i++) {
      if (meets[s][i]) {
        met++;
        byInterval[i] += 1 / D;
        byDay[s] += 1 / d;
      }
      weighted += actual[s][i] * serviceLevel[s][i];
      calls += actual[s][i];
    }
  }
  return {
    days: D,
    intervals: d,
    required,
    serviceLevel,
    meets,
    metShare: met / (D * d),
    metShareByInterval: byInterval,
    metShareByDay: byDay,
    serviceLevelOverall: calls > 0 ? weighted / calls : 1,
    agentIntervals: plan.reduce((a, b) => a + b, 0),
  };
}
