/** Staffing from a model's scenarios (the library path behind `staff plan` and POST /v1/staffing). */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { staffFromModel, evaluatePlan } from '../src/staffing/index.js';
import type { MixcastModel } from '../src/model/model.js';

let model: MixcastModel;
before(async () => {
  await initBackend('wasm');
  const bank = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  model = fitModel({ ...bank, days: bank.days.slice(0, -5) }, { steps: 300, hidden: 64, blocks: 2, seed: 1 }).model;
});

test('staffFromModel: per-date plans from scenarios; the coverage plan dominates the mean plan', async () => {
  const staffing = { aht: 180, target: 0.8, within: 20, coverage: 0.9 };
  const r = await staffFromModel({ model, dates: ['2003-10-20', '2003-10-21'], count: 200, seed: 3, staffing });
  assert.equal(r.intervalSeconds, 1800);
  assert.equal(r.labels.length, 28);
  assert.deepEqual(r.dates.map((d) => d.key), ['Mon', 'Tue']);
  for (const d of r.dates) {
    const { mean, coverage } = d.result.plans;
    assert.equal(mean.agents.length, 28);
    coverage.agents.forEach((a, i) => assert.ok(a >= mean.agents[i] - 1, `interval ${i}: coverage ${a} vs mean ${mean.agents[i]}`));
    assert.ok(coverage.day.missShare < mean.day.missShare, 'the 90% plan misses less often across scenarios');
    assert.ok(coverage.day.missShare <= 0.1 + 1e-9);
    // Judged on a scenario-like day (the scenarios' mean), the plans are valid plans.
    const check = evaluatePlan(coverage.agents, [d.result.meanCalls.map(Math.round)], { intervalSeconds: 1800, aht: 180, target: 0.8, within: 20 });
    assert.equal(check.metShare, 1);
  }
  // Same request + seed → same plans.
  const again = await staffFromModel({ model, dates: ['2003-10-20', '2003-10-21'], count: 200, seed: 3, staffing });
  assert.deepEqual(again.dates.map((d) => d.result.plans.coverage.agents), r.dates.map((d) => d.result.plans.coverage.agents));
});

test('staffFromModel refuses a date the model never saw', async () => {
  await assert.rejects(() => staffFromModel({ model, dates: ['2003-10-26'], count: 10, seed: 1, staffing: { aht: 180, target: 0.8, within: 20 } }), /Sun|never saw|unseen/i);
});
