/**
 * One scenario pipeline: every way of asking for scenarios goes through `runScenarios`, so the
 * same request and seed give the same numbers — the backtest's samples are generateScenarios',
 * HTTP (worker pool) is the library's, and splitting a request into one unit per date or one
 * unit per chunk spanning all dates changes nothing for a model without context.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import type { DaySeries } from '../adapters/types.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import type { MixcastModel } from '../src/model/model.js';
import { backtest, backtestRequest, modelMethod, type BacktestSamples } from '../src/eval/backtest.js';
import {
  CHUNK_SIZE,
  forecast,
  generateScenarios,
  needsPaths,
  planScenarios,
  runScenarios,
  whatIfBatch,
  type ScenarioUnit,
} from '../src/scenarios/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';

const CUTOFF = '2003-10-08';
let ds: DaySeries;
let model: MixcastModel;

before(async () => {
  await initBackend('wasm');
  ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  model = fitModel({ ...ds, days: ds.days.filter((d) => d.date < CUTOFF) }, { prior: 'weekday', steps: 60, hidden: 32, blocks: 1, seed: 1, context: 'off' }).model;
});
after(() => model?.dispose());

describe('units: a chunk of scenarios × an ordered list of dates', () => {
  const req = { start: '2003-10-27', end: '2003-10-29', count: CHUNK_SIZE + 44, seed: 7, sampler: 'ddim:8' };

  it('the planner splits per (date, chunk) for a context-free model, or per chunk spanning every date', () => {
    assert.equal(needsPaths(model), false);
    const perDate = planScenarios(model, req).units;
    const spanning = planScenarios(model, req, { spanDates: true }).units;
    const shape = (us: ScenarioUnit[]) => us.map((u) => [u.chunk, u.offset, u.n, u.dates.map((d) => d.date).join(' ')].join('|'));
    assert.deepEqual(shape(perDate), [
      `0|0|${CHUNK_SIZE}|2003-10-27`,
      `1|${CHUNK_SIZE}|44|2003-10-27`,
      `0|0|${CHUNK_SIZE}|2003-10-28`,
      `1|${CHUNK_SIZE}|44|2003-10-28`,
      `0|0|${CHUNK_SIZE}|2003-10-29`,
      `1|${CHUNK_SIZE}|44|2003-10-29`,
    ]);
    assert.deepEqual(shape(spanning), [`0|0|${CHUNK_SIZE}|2003-10-27 2003-10-28 2003-10-29`, `1|${CHUNK_SIZE}|44|2003-10-27 2003-10-28 2003-10-29`]);
    // seeds and components come from (request seed, date, chunk) only: the same in both splits
    const key = (us: ScenarioUnit[]) =>
      us
        .flatMap((u) => u.dates.map((d) => `${d.date}/${u.chunk}:${d.seed}:${d.components.join(',')}`))
        .sort();
    assert.deepEqual(key(spanning), key(perDate));
  });

  it('one unit per date and one unit spanning the dates give identical scenarios, forecasts and what-if tables', async () => {
    const observed = { date: '2003-10-28', values: [400, 520, null, 610] };
    const whatIf = [{ type: 'scale' as const, factor: 1.2, weekdays: ['wed' as const] }];
    const a = await runScenarios(model, { ...req, observed, whatIf }, undefined, { spanDates: false });
    const b = await runScenarios(model, { ...req, observed, whatIf }, undefined, { spanDates: true });
    assert.deepEqual(b, a);
    assert.equal(a.dates[2].values.length, CHUNK_SIZE + 44);
    const fa = await runScenarios(model, { ...req, shape: 'forecast' }, undefined, { spanDates: false });
    const fb = await runScenarios(model, { ...req, shape: 'forecast' }, undefined, { spanDates: true });
    assert.deepEqual(fb, fa);
    const cases = [{ name: 'plus', transforms: whatIf }];
    const wa = await runScenarios(model, { ...req, count: 60, shape: 'whatif', cases }, undefined, { spanDates: false });
    const wb = await runScenarios(model, { ...req, count: 60, shape: 'whatif', cases }, undefined, { spanDates: true });
    assert.deepEqual(wb, wa);
    // the library functions are the runner with the default split
    assert.deepEqual(await generateScenarios({ model, ...req, observed, whatIf }), a);
    assert.deepEqual(await forecast({ model, ...req }), fa);
    assert.deepEqual(await whatIfBatch({ model, ...req, count: 60, cases }), wa);
  });
});

describe('the backtest draws through the runner', () => {
  it("the backtest's model samples equal generateScenarios' for the same request and seed", async () => {
    const series: DaySeries = { ...ds, days: ds.days.slice(0, 30) };
    const seen: { e: BacktestSamples; lib: number[][][] }[] = [];
    const r = await backtest(series, {
      folds: 1,
      horizon: 5,
      count: 30,
      minTrain: 20,
      seed: 13,
      sampler: 'ddim:6',
      baselines: ['bootstrap'],
      fit: { prior: 'weekday', steps: 30, hidden: 16, blocks: 1, batch: 32, seed: 2 },
      onSamples: async (e) => {
        const lib = await generateScenarios({ model: e.predictor, ...e.request });
        seen.push({ e, lib: lib.dates.map((d) => d.values) });
      },
    });
    assert.equal(seen.length, 1);
    const { e, lib } = seen[0];
    assert.equal(e.method, 'model');
    assert.deepEqual(e.request.dates, r.folds[0].testDates);
    assert.equal(e.request.seed, 13);
    assert.equal(e.request.count, 30);
    assert.equal(e.request.sampler, 'ddim:6');
    assert.equal(e.samples.length, 5);
    assert.deepEqual(e.samples, lib);
    // and the per-day door (the paper benchmark's checkpoints) gives the same numbers as the runner
    const date = '2003-10-27';
    const viaRunner = await runScenarios(model, backtestRequest([date], { count: 20, seed: 5, sampler: 'ddim:6' }));
    assert.deepEqual(modelMethod(model, { sampler: 'ddim:6' }).sample(date, 'Mon', 20, 5), viaRunner.dates[0].values);
  });
});

describe('HTTP goes through the runner', () => {
  let dir: string;
  let server: RunningServer;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-pipeline-'));
    await saveModel(model, path.join(dir, 'bank'));
    server = await startServer({ models: path.join(dir, 'bank'), port: 0, workers: 1, token: null });
  });
  after(async () => {
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const post = async (route: string, body: unknown) => {
    const r = await fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, await r.clone().text());
    return r.json();
  };

  it('POST /v1/scenarios, /v1/forecast and /v1/whatif on the worker pool equal the library for the same request and seed', async () => {
    const req = { dates: ['2003-10-27', '2003-10-29'], count: CHUNK_SIZE + 10, seed: 31, sampler: 'ddim:8' };
    const observed = { date: '2003-10-29', values: [450, 500] };
    assert.deepEqual(await post('/v1/scenarios', { ...req, observed }), JSON.parse(JSON.stringify({ model: 'bank', ...(await generateScenarios({ model, ...req, observed })) })));
    assert.deepEqual(await post('/v1/forecast', req), JSON.parse(JSON.stringify({ model: 'bank', ...(await forecast({ model, ...req })) })));
    const cases = [{ name: 'campaign', transforms: [{ type: 'add' as const, amount: 300, intervals: '09:00-11:00' }] }];
    assert.deepEqual(await post('/v1/whatif', { ...req, cases }), JSON.parse(JSON.stringify({ model: 'bank', ...(await whatIfBatch({ model, ...req, cases })) })));
  });
});
