import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  scenarioStaffing, scenarioStaffingTable, evaluatePlan, erlangC, erlangCMetrics, erlangA,
} from '../src/staffing/index.js';
import { MixcastError } from '../src/core/errors.js';
import { rng } from '../src/core/random.js';

const opts = { intervalSeconds: 1800, aht: 180, target: 0.8, within: 20 };
const need = (calls: number) => erlangC({ ...opts, calls }).agents;
const isCode = (code: string) => (e: unknown) => e instanceof MixcastError && e.code === code;

test('identical scenarios: every plan equals the per-interval Erlang C staffing and never misses', () => {
  const day = [0, 40, 100, 250, 180];
  const scenarios = Array.from({ length: 25 }, () => [...day]);
  const r = scenarioStaffing(scenarios, { ...opts, shrinkage: 0.3, costUnder: 3, costOver: 1 });
  const expected = day.map(need);
  assert.deepEqual(r.plans.mean.agents, expected);
  assert.deepEqual(r.plans.coverage.agents, expected);
  assert.deepEqual(r.plans.newsvendor?.agents, expected);
  for (const q of r.requiredQuantiles) assert.deepEqual(q.agents, expected);
  assert.deepEqual(r.plans.mean.missShare, day.map(() => 0));
  assert.equal(r.plans.coverage.day.missShare, 0);
  assert.equal(r.plans.mean.day.allIntervalsMetShare, 1);
  r.plans.mean.expectedServiceLevel.forEach((sl, i) => {
    assert.ok(Math.abs(sl - erlangCMetrics({ ...opts, calls: day[i] }, expected[i]).serviceLevel) < 1e-12);
  });
  assert.equal(r.plans.mean.day.agentIntervals, expected.reduce((a, b) => a + b, 0));
  assert.deepEqual(r.plans.mean.scheduled, expected.map((a) => (a === 0 ? 0 : Math.ceil(a / 0.7 - 1e-9))));
  assert.equal(r.plans.mean.day.agentHours, r.plans.mean.day.agentIntervals * 0.5);
  assert.deepEqual(r.requiredQuantiles.map((q) => q.level), [0.1, 0.5, 0.9]);
});

test('spread-out scenarios: the coverage plan covers ≥ 90% of scenarios, the mean plan misses in many', () => {
  const r0 = rng(11);
  const base = [60, 120, 200, 160];
  // each scenario scales the whole day by a level between 0.6 and 1.4, plus noise
  const scenarios = Array.from({ length: 200 }, () => {
    const level = 0.6 + 0.8 * r0.next();
    return base.map((b) => Math.round(b * level * (1 + 0.05 * r0.normal())));
  });
  const r = scenarioStaffing(scenarios, { ...opts, coverage: 0.9, costUnder: 1, costOver: 1 });
  const required = scenarios.map((row) => row.map(need));
  for (let i = 0; i < base.length; i++) {
    const col = required.map((row) => row[i]).sort((a, b) => a - b);
    // type-1 quantile: the 180th of 200 sorted values
    assert.equal(r.plans.coverage.agents[i], col[179]);
    assert.equal(r.plans.newsvendor?.agents[i], col[99], 'equal costs → median of required agents');
    assert.ok(r.plans.coverage.agents[i] >= r.plans.mean.agents[i]);
    assert.ok(r.plans.coverage.missShare[i] <= 0.1 + 1e-12);
    assert.ok(r.plans.mean.missShare[i] > 0.2, `mean plan misses in interval ${i}: ${r.plans.mean.missShare[i]}`);
    const missed = required.filter((row) => row[i] > r.plans.mean.agents[i]).length / 200;
    assert.ok(Math.abs(r.plans.mean.missShare[i] - missed) < 1e-12);
    assert.ok(r.plans.coverage.expectedServiceLevel[i] > r.plans.mean.expectedServiceLevel[i]);
    const meanCalls = scenarios.reduce((s, row) => s + row[i], 0) / 200;
    assert.ok(Math.abs(r.meanCalls[i] - meanCalls) < 1e-9);
    assert.equal(r.plans.mean.agents[i], need(meanCalls));
  }
  assert.ok(r.plans.coverage.day.agentIntervals > r.plans.mean.day.agentIntervals);
  assert.ok(r.plans.mean.day.allIntervalsMetShare < r.plans.coverage.day.allIntervalsMetShare);
  const cr = scenarioStaffing(scenarios, { ...opts, costUnder: 9, costOver: 1 });
  assert.ok(Math.abs((cr.criticalRatio ?? 0) - 0.9) < 1e-12);
  assert.deepEqual(cr.plans.newsvendor?.agents, r.plans.coverage.agents, 'critical ratio 0.9 = 90% coverage plan');
  const t = scenarioStaffingTable(r);
  assert.equal(t.rows.length, base.length);
  assert.ok(t.header.includes('coverage_agents') && t.header.includes('newsvendor_miss_share') && t.header.includes('required_q0.9') && t.header[1] === 'agents');
});

test('Erlang A scenario staffing uses Erlang A requirements', () => {
  const scenarios = Array.from({ length: 5 }, () => [80, 160]);
  const r = scenarioStaffing(scenarios, { ...opts, model: 'erlang-a', patience: 120 });
  assert.equal(r.model, 'erlang-a');
  assert.deepEqual(r.plans.mean.agents, [80, 160].map((calls) => erlangA({ ...opts, calls, patience: 120 }).agents));
  assert.ok(r.plans.mean.expectedAbandon.every((a) => a > 0 && a < 0.2));
});

test('evaluatePlan: which actual intervals a plan meets', () => {
  const plan = [need(100), need(200)];
  const actual = [[90, 190], [110, 200], [100, 260]];
  const e = evaluatePlan(plan, actual, opts);
  assert.deepEqual(e.meets, [[true, true], [need(110) <= plan[0], true], [true, false]]);
  assert.ok(need(110) > plan[0], 'ten more calls need more agents here');
  assert.equal(e.metShare, 4 / 6);
  assert.deepEqual(e.metShareByInterval.map((x) => Math.round(x * 3)), [2, 2]);
  assert.ok(e.serviceLevel[0][0] > 0.8 && e.serviceLevel[2][1] < 0.8);
  assert.equal(e.agentIntervals, plan[0] + plan[1]);
});

test('bad scenario data and options are typed errors', () => {
  assert.throws(() => scenarioStaffing([], opts), isCode('BAD_INPUT'));
  assert.throws(() => scenarioStaffing([[1, 2], [3]], opts), isCode('BAD_INPUT'));
  assert.throws(() => scenarioStaffing([[1, -2]], opts), isCode('BAD_INPUT'));
  assert.throws(() => scenarioStaffing([[1, NaN]], opts), isCode('BAD_INPUT'));
  assert.throws(() => scenarioStaffing([[1, 2]], { ...opts, costUnder: 2 }), isCode('BAD_OPTION'));
  assert.throws(() => scenarioStaffing([[1, 2]], { ...opts, coverage: 1.5 }), isCode('BAD_OPTION'));
  assert.throws(() => scenarioStaffing([[1, 2]], { ...opts, patience: 60 }), isCode('BAD_OPTION'));
  assert.throws(() => scenarioStaffing([[1, 2]], { ...opts, model: 'erlang-a' }), isCode('BAD_OPTION'));
  assert.throws(() => evaluatePlan([1], [[1, 2]], opts), isCode('BAD_INPUT'));
});
