/**
 * Erlang C (M/M/n, infinite patience, FCFS) for one interval.
 *
 * Offered load A = calls · AHT / L Erlangs (calls arriving in an interval of L seconds).
 * Erlang B by the stable recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) — no
 * factorials, no powers, so 5,000 calls per 30 min (A = 500) is as easy as A = 10. Then
 *   P(wait) = C = n·B / (n − A·(1 − B))              (n > A; C = 1 otherwise)
 *   SL(T)   = 1 − C · exp(−(n − A)·T / AHT)           (share of calls answered within T)
 *   ASA     = C · AHT / (n − A)
 *   occupancy = A / n
 * Minimal agents: the smallest n with SL ≥ target, A / n ≤ max occupancy and ASA ≤ max ASA
 * when given; scheduled staff = ceil(n / (1 − shrinkage)).
 */
import { unprocessable } from '../core/errors.js';
import {
  finiteNumber, nonNegative, positive, openUnit, halfOpenUnit, shrinkageValue, agentCount, ceilTol, scheduledStaff, checkStaffingWork,
} from './validate.js';

/** Arrivals in one interval. */
export interface QueueLoad {
  /** Calls arriving in the interval (a mean; need not be a whole number). */
  calls: number;
  /** Interval length, seconds. */
  intervalSeconds: number;
  /** Average handle time, seconds. */
  aht: number;
}

/** A service target: `target` share answered within `within` seconds, plus optional limits. */
export interface StaffingTarget {
  target: number;
  within: number;
  /** Upper limit on occupancy (A / n), e.g. 0.85. */
  maxOccupancy?: number;
  /** Share of paid time off the phones; scheduled staff = ceil(agents / (1 − shrinkage)). */
  shrinkage?: number;
  /** Upper limit on the average speed of answer, seconds. */
  maxAsa?: number;
}

export interface ErlangCMetrics {
  calls: number;
  /** Offered load, Erlangs. */
  offeredLoad: number;
  agents: number;
  /** Probability that an arrival waits (Erlang C formula). */
  probWait: number;
  /** Share of calls answered within `within` seconds. */
  serviceLevel: number;
  /** Average speed of answer, seconds (Infinity when agents ≤ load). */
  asa: number;
  /** Offered load / agents (1 when agents ≤ load, 0 with no calls). */
  occupancy: number;
}

export interface ErlangCResult extends ErlangCMetrics {
  /** Scheduled staff: ceil(agents / (1 − shrinkage)). */
  scheduled: number;
  shrinkage: number;
}

export function checkLoad(q: QueueLoad): QueueLoad {
  const c = {
    calls: nonNegative('calls', q.calls),
    intervalSeconds: positive('interval length (seconds)', q.intervalSeconds),
    aht: positive('AHT (seconds)', q.aht),
  };
  checkStaffingWork(c.calls, c.aht, c.intervalSeconds);
  return c;
}

/** Offered load in Erlangs: calls · AHT / interval length. */
export function offeredLoad(q: QueueLoad): number {
  const c = checkLoad(q);
  return (c.calls * c.aht) / c.intervalSeconds;
}

/** Erlang B blocking probability for `agents` servers and `load` Erlangs (stable recursion). */
export function erlangB(load: number, agents: number): number {
  nonNegative('load', load);
  agentCount('agents', agents);
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (load * b) / (k + load * b);
  return b;
}

/** Erlang C metrics given load A, the Erlang B value for n agents, n, T and AHT. */
export function erlangCFromB(load: number, b: number, n: number, within: number, aht: number): Omit<ErlangCMetrics, 'calls'> {
  if (load === 0) return { offeredLoad: 0, agents: n, probWait: 0, serviceLevel: 1, asa: 0, occupancy: 0 };
  if (n <= load) return { offeredLoad: load, agents: n, probWait: 1, serviceLevel: 0, asa: Infinity, occupancy: 1 };
  const c = Math.min(1, (n * b) / (n - load * (1 - b)));
  const sl = 1 - c * Math.exp((-(n - load) * within) / aht);
  return { offeredLoad: load, agents: n, probWait: c, serviceLevel: sl, asa: (c * aht) / (n - load), occupancy: load / n };
}

/** Erlang C performance of a given number of agents. */
export function erlangCMetrics(q: QueueLoad & { within: number }, agents: number): ErlangCMetrics {
  const c = checkLoad(q);
  const within = nonNegative('within (seconds)', q.within);
  const n = agentCount('agents', agents);
  const load = (c.calls * c.aht) / c.intervalSeconds;
  return { calls: c.calls, ...erlangCFromB(load, erlangB(load, n), n, within, c.aht) };
}

export interface CheckedTarget {
  target: number;
  within: number;
  maxOccupancy: number;
  shrinkage: number;
  maxAsa: number;
}

export function checkTarget(t: StaffingTarget): CheckedTarget {
  return {
    target: openUnit('target service level', t.target),
    within: nonNegative('within (seconds)', t.within),
    maxOccupancy: t.maxOccupancy === undefined ? 1 : halfOpenUnit('max occupancy', t.maxOccupancy),
    shrinkage: t.shrinkage === undefined ? 0 : shrinkageValue(t.shrinkage),
    maxAsa: t.maxAsa === undefined ? Infinity : positive('max ASA (seconds)', t.maxAsa),
  };
}

/** Highest agent count a search may try before declaring the target unreachable. */
export function searchCeiling(load: number, start: number): number {
  return start + Math.ceil(60 * Math.sqrt(load + 1)) + 200;
}

/** Lowest agent count allowed by the occupancy limit (and, for Erlang C, stability). */
export function occupancyFloor(load: number, maxOccupancy: number): number {
  return Math.max(1, ceilTol(load / maxOccupancy));
}

/** Minimal agents for the target under Erlang C, with the metrics at that staffing. */
export function erlangC(opts: QueueLoad & StaffingTarget): ErlangCResult {
  const q = checkLoad(opts);
  const t = checkTarget(opts);
  const load = (q.calls * q.aht) / q.intervalSeconds;
  if (load === 0) {
    return { calls: q.calls, ...erlangCFromB(0, 1, 0, t.within, q.aht), scheduled: 0, shrinkage: t.shrinkage };
  }
  const n0 = Math.max(Math.floor(load) + 1, occupancyFloor(load, t.maxOccupancy));
  let b = erlangB(load, n0);
  const nMax = searchCeiling(load, n0);
  for (let n = n0; n <= nMax; n++) {
    if (n > n0) b = (load * b) / (n + load * b);
    const m = erlangCFromB(load, b, n, t.within, q.aht);
    if (m.serviceLevel >= t.target - 1e-12 && m.asa <= t.maxAsa) {
      return { calls: q.calls, ...m, scheduled: scheduledStaff(n, t.shrinkage), shrinkage: t.shrinkage };
    }
  }
  throw unprocessable(`no staffing up to ${nMax} agents meets the target (${t.target} within ${t.within}s, max ASA ${t.maxAsa}s); relax the target`);
}

export { finiteNumber };
