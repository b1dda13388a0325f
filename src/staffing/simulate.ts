/**
 * Discrete-event simulation of a staffing plan against scenario days.
 *
 * Model, per scenario-day:
 * - Arrivals: the scenario's value for an interval is the realised number of arrivals in it
 *   (rounded to the nearest whole call), placed as sorted independent uniforms over the
 *   interval — the conditional law of a Poisson process given its count. Scenario counts
 *   drawn from a Poisson law therefore give exactly a Poisson arrival process.
 * - Service: FCFS, one queue; handle times exponential (mean AHT) or log-normal with mean AHT
 *   and coefficient of variation `ahtCv` (σ² = ln(1 + cv²), μ = ln AHT − σ²/2).
 * - Abandonment (optional): exponential patience with mean `patience`; a caller whose wait
 *   would exceed their patience leaves at that moment (FCFS means others are unaffected).
 * - Staffing: plan[i] agents are on duty in interval i; changes take effect at interval
 *   boundaries. An increase serves waiting callers at once. On a reduction no call is cut:
 *   busy agents above the new level finish their call and are then released (a freed agent
 *   takes the next caller only while busy agents < the current level). After the last
 *   interval the last level stays on duty until the queue is empty; with 0 agents there,
 *   callers still waiting are counted as unanswered (or abandon, with patience).
 * - Statistics are attributed to a caller's arrival interval:
 *     serviceLevel = answered within `within` / arrivals (abandoned calls are misses),
 *     asa          = mean wait of answered calls, abandonRate = abandoned / arrivals,
 *     occupancy    = busy agent-time / staffed agent-time within the interval, where staffed
 *                    time counts max(plan, busy) agents (released agents finishing a call).
 *   Per interval and per day, the spread over scenarios (mean, sd, p10, p90 of the
 *   per-scenario values; intervals with no calls are left out of SL/ASA spreads) and the
 *   pooled value (ratio of sums over all scenarios, i.e. per call) are reported.
 * Seeded with `rng(seed)` from src/random.ts: same inputs and seed, same result.
 */
import { inputError, optionError } from '../core/errors.js';
import { rng } from '../core/random.js';
import { MinHeap } from './heap.js';
import { spread, type Spread } from './quantile.js';
import { checkScenarios } from './plan.js';
import { agentCount, finiteNumber, nonNegative, positive } from './validate.js';

export type HandleDistribution = 'exponential' | 'lognormal';

export interface SimulateOptions {
  /** Agents on duty per interval. */
  plan: number[];
  /** Scenario days × intervals: arrivals per interval. */
  scenarios: number[][];
  intervalSeconds: number;
  /** Mean handle time, seconds. */
  aht: number;
  /** Coefficient of variation of handle time (log-normal only; exponential is 1). */
  ahtCv?: number;
  handle?: HandleDistribution;
  /** Mean patience, seconds (exponential); absent = nobody abandons. */
  patience?: number;
  /** Service-level threshold, seconds. */
  within: number;
  seed: number;
  /** Also return the per-scenario, per-interval counts (for custom analyses and tests). */
  detail?: boolean;
}

/** Ratio-of-sums values over all scenarios (per call / per agent-second). */
export interface Pooled {
  arrivals: number;
  serviceLevel: number;
  asa: number;
  abandonRate: number;
  occupancy: number;
}

export interface SimIntervalSummary {
  interval: number;
  agents: number;
  calls: Spread;
  serviceLevel: Spread;
  asa: Spread;
  abandonRate: Spread;
  occupancy: Spread;
  pooled: Pooled;
}

export interface SimDaySummary {
  agentIntervals: number;
  calls: Spread;
  serviceLevel: Spread;
  asa: Spread;
  abandonRate: Spread;
  occupancy: Spread;
  pooled: Pooled;
}

/** Per-scenario (rows) × per-interval (columns) counts and times. */
export interface SimDetail {
  arrivals: number[][];
  answered: number[][];
  answeredWithin: number[][];
  abandoned: number[][];
  /** Σ waits of answered calls, seconds. */
  waitAnswered: number[][];
  /** Busy agent-seconds. */
  busy: number[][];
  /** Staffed agent-seconds. */
  staffed: number[][];
}

export interface SimulationResult {
  scenarios: number;
  intervals: number;
  intervalSeconds: number;
  handle: HandleDistribution;
  ahtCv: number;
  patience: number | null;
  within: number;
  seed: number;
  perInterval: SimIntervalSummary[];
  day: SimDaySummary;
  /** Callers still waiting when the day ended with no agent on duty (no patience). */
  unanswered: number;
  detail?: SimDetail;
}

const STATS = ['arrivals', 'answered', 'answeredWithin', 'abandoned', 'waitAnswered', 'busy', 'staffed'] as const;
type Stat = (typeof STATS)[number];

export function simulate(opts: SimulateOptions): SimulationResult {
  const L = positive('interval length (seconds)', opts.intervalSeconds);
  const aht = positive('AHT (seconds)', opts.aht);
  const within = nonNegative('within (seconds)', opts.within);
  const handle: HandleDistribution = opts.handle ?? 'exponential';
  if (handle !== 'exponential' && handle !== 'lognormal') throw optionError(`unknown handle-time distribution "${String(handle)}"; use exponential or lognormal`);
  let cv = 1;
  if (opts.ahtCv !== undefined) {
    cv = positive('handle-time CV', opts.ahtCv);
    if (handle === 'exponential' && Math.abs(cv - 1) > 1e-12) {
      throw optionError(`an exponential handle time has CV 1 (got ${cv}); use the lognormal handle-time distribution for another CV`);
    }
  }
  const patience = opts.patience === undefined ? Infinity : positive('patience (seconds)', opts.patience);
  const seed = finiteNumber('seed', opts.seed);
  const { count: S, intervals: d } = checkScenarios(opts.scenarios);
  if (!Array.isArray(opts.plan) || opts.plan.length !== d) {
    throw inputError(`the plan has ${Array.isArray(opts.plan) ? opts.plan.length : 'no'} intervals but the scenarios have ${d}; give one agent count per interval`);
  }
  const plan = opts.plan.map((a, i) => agentCount(`plan interval ${i}`, a));

  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  const muLog = Math.log(aht) - (sigma * sigma) / 2;
  const r = rng(seed);
  const drawHandle = handle === 'exponential'
    ? () => -aht * Math.log(1 - r.next())
    : () => Math.exp(muLog + sigma * r.normal());
  const drawPatience = Number.isFinite(patience) ? () => -patience * Math.log(1 - r.next()) : () => Infinity;

  const acc: Record<Stat, Float64Array> = Object.fromEntries(STATS.map((k) => [k, new Float64Array(S * d)])) as Record<Stat, Float64Array>;
  const { arrivals, answered, answeredWithin, abandoned, waitAnswered, busy, staffed } = acc;
  const heap = new MinHeap(256);
  let qArr = new Float64Array(1024); // queue: arrival time
  let qDead = new Float64Array(1024); // queue: abandonment deadline
  let qInt = new Int32Array(1024); // queue: arrival interval
  let times = new Float64Array(1024);
  const dayEnd = d * L;
  let unanswered = 0;

  for (let s = 0; s < S; s++) {
    const row = opts.scenarios[s];
    const base = s * d;
    heap.clear();
    let qHead = 0;
    let qTail = 0;
    let n = plan[0];
    let b = 0; // busy agents
    let tPrev = 0;
    let nextBoundary = 1; // index of the next interval boundary event (k·L, k = 1..d−1)
    // arrivals of the current arrival interval
    let aInt = -1;
    let aIdx = 0;
    let aCount = 0;

    const loadInterval = (k: number) => {
      const c = Math.round(row[k]);
      if (c > times.length) times = new Float64Array(Math.max(c, times.length * 2));
      for (let j = 0; j < c; j++) times[j] = (k + r.next()) * L;
      times.subarray(0, c).sort();
      aInt = k;
      aIdx = 0;
      aCount = c;
    };
    const nextArrival = (): number => {
      while (aIdx >= aCount) {
        if (aInt + 1 >= d) return Infinity;
        loadInterval(aInt + 1);
      }
      return times[aIdx];
    };
    const advance = (t: number) => {
      if (tPrev < dayEnd) {
        const end = Math.min(t, dayEnd);
        const dt = end - tPrev;
        if (dt > 0) {
          const k = base + Math.min(d - 1, Math.floor(tPrev / L));
          busy[k] += b * dt;
          staffed[k] += Math.max(b, n) * dt;
        }
      }
      tPrev = t;
    };
    const start = (t: number, arrival: number, k: number) => {
      const w = t - arrival;
      answered[base + k]++;
      waitAnswered[base + k] += w;
      if (w <= within) answeredWithin[base + k]++;
      b++;
      heap.push(t + drawHandle());
    };
    const serveQueue = (t: number) => {
      while (b < n && qHead < qTail) {
        const k = qInt[qHead];
        if (qDead[qHead] < t) {
          abandoned[base + k]++;
        } else {
          start(t, qArr[qHead], k);
        }
        qHead++;
      }
    };

    for (;;) {
      const tA = nextArrival();
      const tC = heap.peek();
      const tB = nextBoundary < d ? nextBoundary * L : Infinity;
      if (tA === Infinity && tC === Infinity && tB === Infinity) break;
      if (tC <= tB && tC <= tA) {
        advance(tC);
        heap.pop();
        b--;
        serveQueue(tC);
      } else if (tB <= tA) {
        advance(tB);
        n = plan[nextBoundary];
        nextBoundary++;
        serveQueue(tB);
      } else {
        advance(tA);
        aIdx++;
        const k = aInt;
        arrivals[base + k]++;
        if (b < n) {
          start(tA, tA, k);
        } else {
          if (qTail === qArr.length) {
            // compact, then grow if still full
            const live = qTail - qHead;
            if (qHead > 0) {
              qArr.copyWithin(0, qHead, qTail);
              qDead.copyWithin(0, qHead, qTail);
              qInt.copyWithin(0, qHead, qTail);
            }
            if (live === qArr.length) {
              const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
                const x = make(a.length * 2);
                x.set(a);
                return x;
              };
              qArr = grow(qArr, (m) => new Float64Array(m));
              qDead = grow(qDead, (m) => new Float64Array(m));
              qInt = grow(qInt, (m) => new Int32Array(m));
            }
            qHead = 0;
            qTail = live;
          }
          qArr[qTail] = tA;
          qDead[qTail] = tA + drawPatience();
          qInt[qTail] = k;
          qTail++;
        }
      }
    }
    if (tPrev < dayEnd) advance(dayEnd);
    // Only possible when the last interval has no agents: callers left waiting.
    for (; qHead < qTail; qHead++) {
      if (Number.isFinite(qDead[qHead])) abandoned[base + qInt[qHead]]++;
      else unanswered++;
    }
  }

  const ratio = (a: number, c: number) => (c > 0 ? a / c : NaN);
  const perScenario = (k: number, f: (j: number) => number) => {
    const v = new Float64Array(S);
    for (let s = 0; s < S; s++) v[s] = f(s * d + k);
    return v;
  };
  const pooledOf = (idx: (s: number) => number[]): Pooled => {
    const sum: Record<Stat, number> = Object.fromEntries(STATS.map((k) => [k, 0])) as Record<Stat, number>;
    for (let s = 0; s < S; s++) for (const j of idx(s)) for (const k of STATS) sum[k] += acc[k][j];
    return {
      arrivals: sum.arrivals,
      serviceLevel: ratio(sum.answeredWithin, sum.arrivals),
      asa: ratio(sum.waitAnswered, sum.answered),
      abandonRate: ratio(sum.abandoned, sum.arrivals),
      occupancy: ratio(sum.busy, sum.staffed),
    };
  };

  const perInterval: SimIntervalSummary[] = [];
  for (let i = 0; i < d; i++) {
    perInterval.push({
      interval: i,
      agents: plan[i],
      calls: spread(perScenario(i, (j) => arrivals[j])),
      serviceLevel: spread(perScenario(i, (j) => ratio(answeredWithin[j], arrivals[j]))),
      asa: spread(perScenario(i, (j) => ratio(waitAnswered[j], answered[j]))),
      abandonRate: spread(perScenario(i, (j) => ratio(abandoned[j], arrivals[j]))),
      occupancy: spread(perScenario(i, (j) => ratio(busy[j], staffed[j]))),
      pooled: pooledOf((s) => [s * d + i]),
    });
  }
  const daySum = (stat: Float64Array) => {
    const v = new Float64Array(S);
    for (let s = 0; s < S; s++) for (let i = 0; i < d; i++) v[s] += stat[s * d + i];
    return v;
  };
  const D: Record<Stat, Float64Array> = Object.fromEntries(STATS.map((k) => [k, daySum(acc[k])])) as Record<Stat, Float64Array>;
  const dayRatio = (a: Float64Array, c: Float64Array) => Float64Array.from(a, (x, s) => ratio(x, c[s]));
  const allIdx = Array.from({ length: d }, (_, i) => i);
  const day: SimDaySummary = {
    agentIntervals: plan.reduce((a, x) => a + x, 0),
    calls: spread(D.arrivals),
    serviceLevel: spread(dayRatio(D.answeredWithin, D.arrivals)),
    asa: spread(dayRatio(D.waitAnswered, D.answered)),
    abandonRate: spread(dayRatio(D.abandoned, D.arrivals)),
    occupancy: spread(dayRatio(D.busy, D.staffed)),
    pooled: pooledOf((s) => allIdx.map((i) => s * d + i)),
  };
  const result: SimulationResult = {
    scenarios: S,
    intervals: d,
    intervalSeconds: L,
    handle,
    ahtCv: cv,
    patience: Number.isFinite(patience) ? patience : null,
    within,
    seed,
    perInterval,
    day,
    unanswered,
  };
  if (opts.detail) {
    const mat = (a: Float64Array) => Array.from({ length: S }, (_, s) => Array.from(a.subarray(s * d, (s + 1) * d)));
    result.detail = {
      arrivals: mat(arrivals), answered: mat(answered), answeredWithin: mat(answeredWithin), abandoned: mat(abandoned),
      waitAnswered: mat(waitAnswered), busy: mat(busy), staffed: mat(staffed),
    };
  }
  return result;
}
