import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, erlangCMetrics, erlangAMetrics, type SimDetail } from '../src/staffing/index.js';
import { MixcastError } from '../src/core/errors.js';
import { rng } from '../src/core/random.js';

/** Poisson counts by counting unit-rate arrivals: exact, seeded. */
function poisson(r: ReturnType<typeof rng>, mean: number): number {
  let t = 0;
  for (let k = 0; ; k++) {
    t += -Math.log(1 - r.next()) / mean;
    if (t > 1) return k;
  }
}

/**
 * Per-call ratio Σx / Σy over scenario-days (intervals from `from` on, leaving out the
 * start-up from an empty system) and its standard error by the ratio-estimator (delta)
 * formula: se = sqrt(Σ (x_s − R·y_s)² / (S(S−1))) / mean(y). Days are independent replications.
 */
function ratioWithSe(x: number[][], y: number[][], from: number): { value: number; se: number } {
  const xs = x.map((row) => row.slice(from).reduce((a, b) => a + b, 0));
  const ys = y.map((row) => row.slice(from).reduce((a, b) => a + b, 0));
  const S = xs.length;
  const R = xs.reduce((a, b) => a + b, 0) / ys.reduce((a, b) => a + b, 0);
  const ss = xs.reduce((s, xv, i) => s + (xv - R * ys[i]) ** 2, 0);
  return { value: R, se: Math.sqrt(ss / (S * (S - 1))) / (ys.reduce((a, b) => a + b, 0) / S) };
}

const S = 800;
const D = 12;
const CALLS = 100;
const AGENTS = 14;
const base = { intervalSeconds: 1800, aht: 180, within: 20 };
const r0 = rng(2024);
const scenarios = Array.from({ length: S }, () => Array.from({ length: D }, () => poisson(r0, CALLS)));
const plan = Array(D).fill(AGENTS);

// Tolerance: 4 standard errors of the simulated per-call ratio (a false alarm has probability ≈ 6e-5).
const within4se = (est: { value: number; se: number }, exact: number, what: string) =>
  assert.ok(Math.abs(est.value - exact) <= 4 * est.se, `${what}: simulated ${est.value} ± ${est.se} (SE) vs exact ${exact}`);

test('stationary M/M/n: simulated service level and occupancy agree with Erlang C within 4 SE', () => {
  const res = simulate({ ...base, plan, scenarios, seed: 5, detail: true });
  const d = res.detail as SimDetail;
  const exact = erlangCMetrics({ ...base, calls: CALLS }, AGENTS);
  const sl = ratioWithSe(d.answeredWithin, d.arrivals, 2);
  within4se(sl, exact.serviceLevel, 'service level');
  assert.ok(sl.se < 0.004, `SE ${sl.se} small enough for the check to mean something`);
  within4se(ratioWithSe(d.busy, d.staffed, 2), exact.occupancy, 'occupancy');
  const asa = ratioWithSe(d.waitAnswered, d.answered, 2);
  within4se(asa, exact.asa, 'ASA');
  assert.equal(res.day.pooled.abandonRate, 0);
  assert.equal(res.perInterval.length, D);
  assert.equal(res.day.calls.n, S);
});

test('stationary M/M/n+M: simulated abandonment and service level agree with Erlang A within 4 SE', () => {
  const patience = 120;
  const res = simulate({ ...base, plan: Array(D).fill(12), scenarios, seed: 6, patience, detail: true });
  const d = res.detail as SimDetail;
  const exact = erlangAMetrics({ ...base, calls: CALLS, patience }, 12);
  within4se(ratioWithSe(d.abandoned, d.arrivals, 2), exact.probAbandon, 'abandonment');
  within4se(ratioWithSe(d.answeredWithin, d.arrivals, 2), exact.serviceLevel, 'service level (answered within T / arrivals)');
  assert.ok(exact.probAbandon > 0.03, 'the case has real abandonment');
});

test('simulation is seeded and reproducible', () => {
  const small = scenarios.slice(0, 20);
  const a = simulate({ ...base, plan, scenarios: small, seed: 9, handle: 'lognormal', ahtCv: 0.6, patience: 200 });
  const b = simulate({ ...base, plan, scenarios: small, seed: 9, handle: 'lognormal', ahtCv: 0.6, patience: 200 });
  const c = simulate({ ...base, plan, scenarios: small, seed: 10, handle: 'lognormal', ahtCv: 0.6, patience: 200 });
  assert.deepEqual(a, b);
  assert.notEqual(a.day.serviceLevel.mean, c.day.serviceLevel.mean);
});

// Handle times with CV 1e-9 are deterministic for all purposes: exact bookkeeping checks.
const fixed = { handle: 'lognormal' as const, ahtCv: 1e-9, within: 0, seed: 1, detail: true };

test('a reduction releases agents only after their call; released agents take no new call', () => {
  const res = simulate({ ...fixed, plan: [1, 0, 0], scenarios: [[1, 1, 0]], intervalSeconds: 60, aht: 100 });
  const d = res.detail as SimDetail;
  assert.equal(d.answered[0][0], 1);
  assert.equal(d.answeredWithin[0][0], 1, 'first call is answered at once');
  assert.ok(Math.abs(d.busy[0].reduce((a, b) => a + b, 0) - 100) < 1e-6, 'the call runs its full 100 s past the boundary');
  assert.equal(res.perInterval[1].occupancy.mean, 1, 'the released agent is busy, not idle, until done');
  assert.equal(d.answered[0][1], 0, 'no agent on duty in interval 1');
  assert.equal(res.unanswered, 1);
});

test('an increase at a boundary serves waiting callers in order', () => {
  const res = simulate({ ...fixed, plan: [0, 1], scenarios: [[3, 0]], intervalSeconds: 60, aht: 10 });
  const d = res.detail as SimDetail;
  assert.equal(d.answered[0][0], 3);
  assert.equal(d.answeredWithin[0][0], 0);
  assert.ok(Math.abs(d.busy[0][1] - 30) < 1e-6 && Math.abs(d.staffed[0][1] - 60) < 1e-6);
  assert.ok(Math.abs(res.perInterval[1].occupancy.mean - 0.5) < 1e-9);
  // callers start at 60, 70, 80 s: total wait 210 − Σ arrival times, each arrival in [0, 60)
  assert.ok(d.waitAnswered[0][0] > 30 && d.waitAnswered[0][0] <= 210);
  const impatient = simulate({ ...fixed, plan: [0, 1], scenarios: [[3, 0]], intervalSeconds: 60, aht: 10, patience: 1e-3 });
  assert.equal(impatient.detail?.abandoned[0][0], 3);
  assert.equal(impatient.day.pooled.abandonRate, 1);
});

test('simulate: bad inputs are typed errors', () => {
  const ok = { ...base, plan: [1, 1], scenarios: [[1, 2]], seed: 1 };
  const code = (c: string) => (e: unknown) => e instanceof MixcastError && e.code === c;
  assert.throws(() => simulate({ ...ok, plan: [1] }), code('BAD_INPUT'));
  assert.throws(() => simulate({ ...ok, plan: [1, 1.5] }), code('BAD_OPTION'));
  assert.throws(() => simulate({ ...ok, scenarios: [[1, -2]] }), code('BAD_INPUT'));
  assert.throws(() => simulate({ ...ok, ahtCv: 2 }), code('BAD_OPTION'));
  assert.throws(() => simulate({ ...ok, patience: -1 }), code('BAD_OPTION'));
});
