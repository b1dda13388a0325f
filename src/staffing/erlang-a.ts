/**
 * Erlang A (M/M/n+M): Poisson arrivals λ, exponential handle times with mean AHT (rate μ),
 * n agents, FCFS, exponential patience with mean θ (abandonment rate γ = 1/θ).
 *
 * Method: the closed forms of Mandelbaum & Zeltyn (the M/M/n+G summary, exponential
 * patience) written with x = nμ/γ, y = λ/γ and the regularized incomplete gamma P(a, z),
 * evaluated in log space (src/staffing/gamma.ts):
 *   S   = Σ_k y^k / ((x+1)…(x+k)) = P(x, y) / (e^{−y} y^x / Γ(x+1))   (= A(x, y) in M&Z)
 *   E   = Erlang B(n, A),                A = λ/μ
 *   P(wait)      = S·E / (1 + (S − 1)·E)           π_n = P(wait) / S
 *   P(abandon)   = P(wait)·(1 − x/y) + π_n·x/y     (overloaded, x < y: no cancellation)
 *                = Σ_k π_{n+k} (k+1)/(x+k+1)       (x ≥ y: positive series, summed directly)
 *   P(W > T)     = P(wait) · e^{−γT} · P(x, y e^{−γT}) / P(x, y)
 *   P(served, W > T) = π_n · x/(x+1) · e^{y(1−e^{−γT}) − (x+1)γT} · S(x+1, y e^{−γT})
 * W is the actual wait (to answer or to abandonment); the last two come from conditioning
 * on the k customers ahead: the tagged call's offered wait is reached after k+1 "deaths"
 * of a pure-death chain with rates (x + j)γ, which makes P(V > t | k) a binomial tail in
 * e^{−γt}; summing over the stationary queue gives the incomplete gammas above.
 *
 * Definitions used here (all shares are of ALL arrivals unless said otherwise):
 *   serviceLevel         = P(answered and W ≤ T): share of all arrivals answered within T.
 *                          Abandoned calls count as misses, even quick ones. This is the
 *                          staffing target: it reduces to Erlang C's SL as θ → ∞ and, unlike
 *                          1 − P{W > T}, cannot be met by callers hanging up fast.
 *   waitWithin           = 1 − P{W > T}: Mandelbaum & Zeltyn's delay measure (W = min(V, τ)),
 *                          reported for comparison.
 *   serviceLevelAnswered = P(W ≤ T | answered).
 *   asa                  = E[W | answered] (average speed of answer, answered calls only),
 *                          by the series E[W·1{answered} | k ahead] = x/(x+k+1) · Σ_{j≤k} 1/(γ(x+j+1))
 *                          (NaN in extreme overload with y − x > 5·10⁷, where the series is too long).
 *   meanWait             = E[W] over all arrivals = θ · P(abandon) (Little's law on the queue).
 *   occupancy            = carried load / n = A·(1 − P(abandon)) / n.
 */
import { unprocessable } from '../core/errors.js';
import { gammaSeriesLog } from './gamma.js';
import {
  checkLoad, checkTarget, erlangB, occupancyFloor, searchCeiling, type QueueLoad, type StaffingTarget,
} from './erlang-c.js';
import { agentCount, halfOpenUnit, nonNegative, positive, scheduledStaff } from './validate.js';

export interface ErlangAMetrics {
  calls: number;
  offeredLoad: number;
  agents: number;
  /** Mean patience, seconds. */
  patience: number;
  probWait: number;
  probAbandon: number;
  /** Share of all arrivals answered within `within` seconds (the staffing target). */
  serviceLevel: number;
  /** 1 − P{W > T}, W = time to answer or to abandonment (Mandelbaum & Zeltyn). */
  waitWithin: number;
  /** Share of answered calls answered within `within`. */
  serviceLevelAnswered: number;
  /** Mean wait of answered calls, seconds (NaN when nothing is answered, i.e. 0 agents). */
  asa: number;
  /** Mean wait of all arrivals (answered or abandoned), seconds. */
  meanWait: number;
  /** Carried load / agents. */
  occupancy: number;
}

export interface ErlangAResult extends ErlangAMetrics {
  scheduled: number;
  shrinkage: number;
}

interface Core {
  probWait: number;
  probAbandon: number;
  serviceLevel: number;
  waitWithin: number;
  asa: number;
}

const MAX_TERMS = 200_000_000;

/**
 * Erlang A in rates: λ, μ, γ per second; n agents; T seconds; `b` = Erlang B(n, λ/μ).
 * `withAsa` false skips the ASA series (the staffing search does not need it).
 */
function core(lambda: number, mu: number, gamma: number, n: number, T: number, b: number, withAsa: boolean): Core {
  if (lambda === 0) return { probWait: 0, probAbandon: 0, serviceLevel: 1, waitWithin: 1, asa: 0 };
  if (n === 0) {
    const early = -Math.expm1(-gamma * T);
    return { probWait: 1, probAbandon: 1, serviceLevel: 0, waitWithin: early, asa: NaN };
  }
  const x = (n * mu) / gamma;
  const y = lambda / gamma;
  const hS = gammaSeriesLog(x, y); // log S
  const logInvEm1 = b === 0 ? Infinity : Math.log((1 - b) / b); // log(1/E − 1)
  const probWait = logInvEm1 === -Infinity ? 1 : 1 / (1 + Math.exp(logInvEm1 - hS));
  const logPiN = Math.log(probWait) - hS;
  const piN = Math.exp(logPiN);

  // P(abandon) and, optionally, E[W·1{answered}] by summing π_{n+k} over the queue.
  let probAbandon: number;
  let waitServed = NaN;
  // The series runs past the queue's mode y − x; in extreme overload with very patient
  // callers (mode beyond 5·10⁷) ASA is not computed (NaN) rather than summing for seconds.
  const asaFeasible = withAsa && y - x <= 5e7;
  const needSeries = x >= y || asaFeasible;
  if (needSeries && probWait > 0) {
    let logT = 0; // log t_k, t_k = y^k / ((x+1)…(x+k))
    let harmonic = 0; // Σ_{j≤k} 1/(x+j+1)
    let ab = 0;
    let ws = 0;
    const logY = Math.log(y);
    const mode = y - x; // t_k peaks near k = y − x
    for (let k = 0; ; k++) {
      if (k > 0) logT += logY - Math.log(x + k);
      const p = Math.exp(logPiN + logT); // π_{n+k}
      harmonic += 1 / (x + k + 1);
      ab += (p * (k + 1)) / (x + k + 1);
      ws += (p * x * harmonic) / (x + k + 1);
      if (k > mode && (p < 1e-300 || p * (k + 1) < 1e-17 * Math.max(ab, 1e-300))) break;
      if (k > MAX_TERMS) throw new Error(`Erlang A series did not converge (x=${x}, y=${y})`);
    }
    waitServed = ws / gamma;
    probAbandon = x >= y ? ab : probWait * (1 - x / y) + (piN * x) / y;
  } else {
    probAbandon = probWait * (1 - x / y) + (piN * x) / y;
  }
  probAbandon = Math.min(Math.max(probAbandon, 0), probWait);

  let waitExceeds = 0;
  let servedExceeds = 0;
  if (probWait > 0) {
    const gT = gamma * T;
    const q = Math.exp(-gT);
    const yq = y * q;
    const y1q = -y * Math.expm1(-gT); // y(1 − q)
    waitExceeds = probWait * Math.exp(-gT + gammaSeriesLog(x, yq) - hS + y1q - n * mu * T);
    servedExceeds = Math.exp(logPiN + Math.log(x / (x + 1)) + gammaSeriesLog(x + 1, yq) + y1q - (x + 1) * gT);
  }
  const answered = 1 - probAbandon;
  const serviceLevel = Math.min(1, Math.max(0, answered - servedExceeds));
  return {
    probWait,
    probAbandon,
    serviceLevel,
    waitWithin: Math.min(1, Math.max(0, 1 - waitExceeds)),
    asa: asaFeasible && answered > 0 ? waitServed / answered : NaN,
  };
}

function metricsFrom(q: QueueLoad, patience: number, n: number, within: number, b: number, withAsa: boolean): ErlangAMetrics {
  const lambda = q.calls / q.intervalSeconds;
  const mu = 1 / q.aht;
  const load = lambda / mu;
  const c = core(lambda, mu, 1 / patience, n, within, b, withAsa);
  const answered = 1 - c.probAbandon;
  return {
    calls: q.calls,
    offeredLoad: load,
    agents: n,
    patience,
    probWait: c.probWait,
    probAbandon: c.probAbandon,
    serviceLevel: c.serviceLevel,
    waitWithin: c.waitWithin,
    serviceLevelAnswered: answered > 0 ? c.serviceLevel / answered : NaN,
    asa: c.asa,
    meanWait: patience * c.probAbandon,
    occupancy: n === 0 ? (load === 0 ? 0 : 1) : Math.min(1, (load * answered) / n),
  };
}

/**
 * Erlang A performance of a given number of agents. `{ asa: false }` skips the ASA series
 * (asa is then NaN), which is all a staffing search or a plan evaluation needs.
 */
export function erlangAMetrics(
  q: QueueLoad & { within: number; patience: number },
  agents: number,
  opts: { asa?: boolean } = {},
): ErlangAMetrics {
  const l = checkLoad(q);
  const within = nonNegative('within (seconds)', q.within);
  const patience = positive('patience (seconds)', q.patience);
  const n = agentCount('agents', agents);
  const load = (l.calls * l.aht) / l.intervalSeconds;
  return metricsFrom(l, patience, n, within, erlangB(load, n), opts.asa ?? true);
}

export interface ErlangATarget extends StaffingTarget {
  /** Mean patience, seconds. */
  patience: number;
  /** Upper limit on the share of arrivals that abandon. */
  maxAbandon?: number;
}

/**
 * Minimal agents under Erlang A meeting: serviceLevel ≥ target, P(abandon) ≤ maxAbandon,
 * occupancy (carried / n) ≤ maxOccupancy and ASA ≤ maxAsa (each when given). All four are
 * monotone in n, so the search is a doubling + bisection over n.
 */
export function erlangA(opts: QueueLoad & ErlangATarget): ErlangAResult {
  const q = checkLoad(opts);
  const t = checkTarget(opts);
  const patience = positive('patience (seconds)', opts.patience);
  const maxAbandon = opts.maxAbandon === undefined ? 1 : halfOpenUnit('max abandonment', opts.maxAbandon);
  const load = (q.calls * q.aht) / q.intervalSeconds;
  const withAsa = Number.isFinite(t.maxAsa);
  const evaluate = (n: number) => metricsFrom(q, patience, n, t.within, erlangB(load, n), withAsa);
  const meets = (m: ErlangAMetrics) =>
    m.serviceLevel >= t.target - 1e-12 &&
    m.probAbandon <= maxAbandon + 1e-12 &&
    m.occupancy <= t.maxOccupancy + 1e-12 &&
    (!withAsa || m.asa <= t.maxAsa);
  const done = (m: ErlangAMetrics): ErlangAResult => {
    const full = withAsa ? m : metricsFrom(q, patience, m.agents, t.within, erlangB(load, m.agents), true);
    return { ...full, scheduled: scheduledStaff(full.agents, t.shrinkage), shrinkage: t.shrinkage };
  };
  if (load === 0) return done(evaluate(0));
  // With abandonment fewer agents than the load can suffice, so search from 0; the occupancy
  // limit on the carried load is ≥ the limit on the offered load of a stable queue's
  // answered calls only, so it gives no safe lower bound beyond 1.
  const nMax = searchCeiling(load, Math.max(occupancyFloor(load, t.maxOccupancy), Math.ceil(load)));
  let lo = 0; // fails (or is the answer only when checked below)
  const m0 = evaluate(0);
  if (meets(m0)) return done(m0);
  let hi = Math.max(1, Math.ceil(load));
  let mHi = evaluate(hi);
  while (!meets(mHi)) {
    lo = hi;
    if (hi >= nMax) {
      throw unprocessable(`no staffing up to ${nMax} agents meets the target (${t.target} answered within ${t.within}s, max abandonment ${maxAbandon}); relax the target`);
    }
    hi = Math.min(nMax, hi * 2);
    mHi = evaluate(hi);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const m = evaluate(mid);
    if (meets(m)) {
      hi = mid;
      mHi = m;
    } else lo = mid;
  }
  return done(mHi);
}
