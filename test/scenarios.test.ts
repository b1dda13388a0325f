/**
 * The scenario library on a tiny model trained on the bundled bank_calls_2003 data (30 min,
 * 07:00–21:00, weekdays): determinism and the (date, chunk) unit contract, unseen keys and the
 * mixture fallback, date/limit errors, output kinds, summaries, intraday conditioning, what-if
 * transforms and batches, tensor hygiene.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import type { DaySeries } from '../adapters/types.js';
import { fitModel } from '../src/train/fit.js';
import type { MixcastModel } from '../src/model/model.js';
import { MixcastError } from '../src/core/errors.js';
import {
  CHUNK_SIZE,
  forecast,
  forecastTable,
  generateScenarios,
  observedPosterior,
  parseCases,
  parseObservedRows,
  parseWhatIf,
  scenarioRows,
  whatIfBatch,
  whatIfTable,
  type ModelInfo,
} from '../src/scenarios/index.js';

const CUTOFF = '2003-10-08';
let ds: DaySeries;
let model: MixcastModel;

before(async () => {
  await initBackend('wasm');
  ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const train = { ...ds, days: ds.days.filter((d) => d.date < CUTOFF) };
  model = fitModel(train, { prior: 'weekday', steps: 150, hidden: 64, blocks: 2, seed: 1, context: 'off' }).model;
});
after(() => model?.dispose());

const code = (c: string, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof MixcastError, `expected a MixcastError, got ${String(e)}`);
  assert.equal(e.code, c, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

describe('generateScenarios', () => {
  it('is deterministic for a seed, and a date/chunk does not depend on the rest of the request', async () => {
    const a = await generateScenarios({ model, start: '2003-10-27', end: '2003-10-28', count: 300, seed: 11 });
    const b = await generateScenarios({ model, start: '2003-10-27', end: '2003-10-28', count: 300, seed: 11 });
    assert.deepEqual(a, b);
    const c = await generateScenarios({ model, start: '2003-10-27', count: 300, seed: 12 });
    assert.notDeepEqual(c.dates[0].values, a.dates[0].values);
    // the same date asked alone, and fewer scenarios: the first chunk is the same work unit
    const alone = await generateScenarios({ model, dates: ['2003-10-28'], count: CHUNK_SIZE, seed: 11 });
    assert.deepEqual(alone.dates[0].values, a.dates[1].values.slice(0, CHUNK_SIZE));
    assert.deepEqual(alone.dates[0].components, a.dates[1].components.slice(0, CHUNK_SIZE));
  });

  it('returns labels, keys, components and integer counts in original units', async () => {
    const r = await generateScenarios({ model, start: '2003-10-27', end: '2003-10-31', count: 40, seed: 3 });
    assert.deepEqual(r.labels, ds.labels);
    assert.equal(r.labels[0], '07:00');
    assert.equal(r.output, 'counts');
    assert.deepEqual(r.dates.map((d) => d.key), ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']);
    for (const d of r.dates) {
      assert.equal(d.fallback, false);
      assert.equal(d.values.length, 40);
      assert.ok(d.components.every((c) => c === d.key), 'the weekday prior is structural');
      for (const row of d.values) for (const v of row) assert.ok(Number.isInteger(v) && v >= 0);
    }
    // the level is the data's: the mean daily total is within a factor 1.5 of the training mean
    const trainMean = ds.days.reduce((s, d) => s + d.values.reduce((a, b) => a + b, 0), 0) / ds.days.length;
    for (const d of r.dates) assert.ok(d.summary.total.mean > trainMean / 1.5 && d.summary.total.mean < trainMean * 1.5, `${d.date}: ${d.summary.total.mean} vs ${trainMean}`);
    const cont = await generateScenarios({ model, start: '2003-10-27', count: 40, seed: 3, output: 'continuous' });
    assert.ok(cont.dates[0].values.flat().some((v) => !Number.isInteger(v)));
    assert.deepEqual(cont.dates[0].values.map((r) => r.map(Math.round)), r.dates[0].values, 'counts are the rounded continuous values');
  });

  it('summaries: quantiles ordered, mean/total/peak consistent with the scenarios', async () => {
    const r = await generateScenarios({ model, start: '2003-10-29', count: 200, seed: 5 });
    const d = r.dates[0];
    assert.deepEqual(Object.keys(d.summary.quantiles), ['0.05', '0.1', '0.5', '0.9', '0.95']);
    for (let j = 0; j < r.labels.length; j++) {
      const q = ['0.05', '0.1', '0.5', '0.9', '0.95'].map((k) => d.summary.quantiles[k][j]);
      for (let i = 1; i < q.length; i++) assert.ok(q[i] >= q[i - 1]);
      const m = d.values.reduce((s, row) => s + row[j], 0) / d.values.length;
      assert.ok(Math.abs(d.summary.mean[j] - m) < 1e-5);
    }
    const totals = d.values.map((row) => row.reduce((a, b) => a + b, 0));
    const peaks = d.values.map((row) => Math.max(...row));
    assert.ok(Math.abs(d.summary.total.mean - totals.reduce((a, b) => a + b, 0) / totals.length) < 1e-5);
    assert.ok(Math.abs(d.summary.peak.mean - peaks.reduce((a, b) => a + b, 0) / peaks.length) < 1e-5);
    assert.equal(d.summary.peak.quantiles['0.95'] <= Math.max(...peaks), true);
    assert.equal(d.summary.total.quantiles['0.05'] >= Math.min(...totals), true);
    const rows = [...scenarioRows(r)];
    assert.equal(rows.length, 200 * r.labels.length);
    assert.deepEqual(rows[1].slice(2), ['2003-10-29', '07:30', 0, 'Wed', d.values[0][1]]);
  });

  it('refuses a date whose weekday the model never saw, unless fallback is mixture', async () => {
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-24', end: '2003-10-27', count: 5, seed: 1 }), code('UNPROCESSABLE', /2003-10-25 is a Saturday.*Fri, Mon, Thu, Tue, Wed/));
    const r = await generateScenarios({ model, start: '2003-10-26', end: '2003-10-27', count: 300, seed: 1, fallback: 'mixture' });
    assert.equal(r.dates[0].fallback, true);
    assert.equal(r.dates[0].key, null);
    assert.deepEqual(Object.values(r.dates[0].probabilities), model.prior.weights.map((w) => Math.round(w * 1e6) / 1e6));
    assert.ok(new Set(r.dates[0].components).size >= 4, 'components drawn by the prior weights');
    assert.equal(r.dates[1].fallback, false);
    assert.equal(r.dates[1].key, 'Mon');
  });

  it('typed errors for bad dates, reversed ranges and limits', async () => {
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-31', end: '2003-10-27', count: 5, seed: 1 }), code('UNPROCESSABLE', /reversed/));
    await assert.rejects(() => generateScenarios({ model, start: '2003-02-30', count: 5, seed: 1 }), code('BAD_OPTION', /not a calendar date/));
    await assert.rejects(() => generateScenarios({ model, start: '27/10/2003', count: 5, seed: 1 }), code('BAD_OPTION', /YYYY-MM-DD/));
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-27', count: 0, seed: 1 }), code('BAD_OPTION'));
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-27', count: 11, seed: 1, limits: { maxCount: 10 } }), code('UNPROCESSABLE', /over the limit of 10/));
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-27', end: '2003-12-31', count: 1, seed: 1, limits: { maxDates: 30 } }), code('UNPROCESSABLE', /limit is 30/));
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-27', count: 100, seed: 1, limits: { maxValues: 1000 } }), code('UNPROCESSABLE', /values/));
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-27', count: 1, seed: 1, sampler: 'magic' }), code('BAD_OPTION', /sampler/));
    await assert.rejects(() => generateScenarios({ model, dates: ['2003-10-27', '2003-10-27'], count: 1, seed: 1 }), code('BAD_OPTION', /twice/));
  });

  it('does not grow the number of tensors', async () => {
    await generateScenarios({ model, start: '2003-10-27', count: 20, seed: 1 });
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await generateScenarios({ model, start: '2003-10-27', count: 20, seed: i });
      await forecast({ model, start: '2003-10-27', count: 20, seed: i, observed: { date: '2003-10-27', values: [500, 600] } });
    }
    assert.equal(tf.memory().numTensors, n0);
  });
});

describe('intraday updating', () => {
  it('observed slots equal the observation and the rest of the day follows the level seen', async () => {
    const day = ds.days.find((d) => d.date === '2003-10-09')!;
    const m = 10;
    const low = day.values.map((v, q) => (q < m ? Math.round(v * 0.6) : null));
    const high = day.values.map((v, q) => (q < m ? Math.round(v * 1.4) : null));
    const rl = await forecast({ model, dates: [day.date], count: 150, seed: 2, observed: { date: day.date, values: low } });
    const rh = await forecast({ model, dates: [day.date], count: 150, seed: 2, observed: { date: day.date, values: high } });
    for (let q = 0; q < m; q++) {
      for (const k of ['0.1', '0.5', '0.9']) assert.equal(rl.dates[0].summary.quantiles[k][q], low[q]);
    }
    assert.deepEqual(rl.dates[0].observed, low);
    const rest = (r: typeof rl) => r.dates[0].summary.mean.slice(m).reduce((a, b) => a + b, 0);
    assert.ok(rest(rh) > rest(rl) * 1.2, `a busy morning raises the afternoon: ${rest(rh)} vs ${rest(rl)}`);
    const s = await generateScenarios({ model, dates: [day.date], count: 20, seed: 2, observed: { date: day.date, values: low.slice(0, m) } });
    for (const row of s.dates[0].values) assert.deepEqual(row.slice(0, m), low.slice(0, m));
  });

  it('rejects observed slots that do not fit the request', async () => {
    const base = { model, dates: ['2003-10-27'], count: 5, seed: 1 };
    await assert.rejects(() => generateScenarios({ ...base, observed: { date: '2003-10-28', values: [1] } }), code('UNPROCESSABLE', /not among the requested dates/));
    await assert.rejects(() => generateScenarios({ ...base, observed: { date: '2003-10-27', values: new Array(29).fill(1) } }), code('BAD_OPTION', /28/));
    await assert.rejects(() => generateScenarios({ ...base, observed: { date: '2003-10-27', values: [-1] } }), code('BAD_OPTION', /≥ 0/));
    await assert.rejects(() => generateScenarios({ ...base, observed: { date: '2003-10-27', values: [null] } }), code('BAD_OPTION', /no value/));
  });

  it('k-means posterior: components are re-weighted by how well their centers fit the observed slots', async () => {
    const d = 4;
    const info = {
      prior: { centers: [[-2, -2, -2, -2], [2, 2, 2, 2]], scale: 1, weights: [0.5, 0.5] },
      transform: { kind: 'none', mean: new Array(d).fill(0), std: new Array(d).fill(1), counts: false },
    } as unknown as ModelInfo;
    const p = observedPosterior(info, [0.5, 0.5], [1.8, 2.1, null, null]);
    assert.ok(p[1] > 0.999 && Math.abs(p[0] + p[1] - 1) < 1e-12);
    const flat = observedPosterior(info, [0.9, 0.1], [0, 0, null, null]);
    assert.ok(Math.abs(flat[0] - 0.9) < 1e-12, 'equidistant: the prior probabilities stay');
    assert.deepEqual(observedPosterior(info, [1, 0], [3, 3, 3, 3]), [1, 0], 'a zero-probability component stays at zero');
  });

  it('conditioning on the morning lowers the CRPS of the remaining slots on held-out days (bank 2003 and anonymous bank 1999)', async () => {
    const { intradayBacktest } = await import('../src/scenarios/intraday.js');
    const bank = await intradayBacktest(model, ds.days.filter((d) => d.date >= CUTOFF).slice(0, 5), { until: '12:00', count: 64, seed: 0 });
    assert.ok(bank.conditional < bank.unconditional, `bank 2003: ${bank.conditional} vs ${bank.unconditional}`);
    assert.ok(bank.better >= 4, `better on ${bank.better}/5 days`);

    const anon = await ingest({ input: 'fixtures/anonymous_bank_calls_1999.csv', interval: '1h', tz: 'Asia/Jerusalem' });
    const cut = '1999-12-01';
    const m2 = fitModel({ ...anon, days: anon.days.filter((d) => d.date < cut) }, { prior: 'weekday', steps: 150, hidden: 64, blocks: 2, seed: 1, calendar: { weekend: [5, 6] } }).model;
    try {
      const r = await intradayBacktest(m2, anon.days.filter((d) => d.date >= cut).slice(0, 5), { until: '12:00', count: 64, seed: 0 });
      assert.ok(r.conditional < r.unconditional, `anonymous 1999: ${r.conditional} vs ${r.unconditional}`);
    } finally {
      m2.dispose();
    }
  });

  it('reads an observed-slots file (timestamp,value) for one date', async () => {
    const cols = ['timestamp', 'calls'];
    const o = parseObservedRows(
      [
        { timestamp: '2003-10-27T07:00:00', calls: '512' },
        { timestamp: '2003-10-27T07:30', calls: '601' },
        { timestamp: '2003-10-27T09:00', calls: '1400' },
      ],
      cols,
      { labels: model.labels, zone: 'UTC' },
    );
    assert.equal(o.date, '2003-10-27');
    assert.deepEqual(o.values.slice(0, 5), [512, 601, null, null, 1400]);
    assert.equal(o.values.length, model.labels.length);
    assert.throws(() => parseObservedRows([{ timestamp: '2003-10-27T07:10', calls: '5' }], cols, { labels: model.labels, zone: 'UTC' }), code('BAD_INPUT', /not the start of a slot/));
    assert.throws(
      () => parseObservedRows([{ timestamp: '2003-10-27T07:00', calls: '5' }, { timestamp: '2003-10-28T07:30', calls: '5' }], cols, { labels: model.labels, zone: 'UTC' }),
      code('BAD_INPUT', /one date/),
    );
  });
});

describe('what-if', () => {
  it('scale / add / shock on generated scenarios, never on observed slots', async () => {
    const base = await generateScenarios({ model, start: '2003-10-27', end: '2003-10-28', count: 50, seed: 4, output: 'continuous' });
    const w = await generateScenarios({
      model,
      start: '2003-10-27',
      end: '2003-10-28',
      count: 50,
      seed: 4,
      output: 'continuous',
      whatIf: parseWhatIf([
        { type: 'scale', factor: 1.1, weekdays: ['mon'] },
        { type: 'add', amount: 300, intervals: '09:00-10:30' },
        { type: 'shock', factor: 2, start: '2003-10-28', intervals: '20:00-24:00' },
      ]),
    });
    const j9 = model.labels.indexOf('09:00');
    const j20 = model.labels.indexOf('20:00');
    const mon0 = base.dates[0].values[0];
    const mon1 = w.dates[0].values[0];
    assert.ok(Math.abs(mon1[0] - mon0[0] * 1.1) < 1e-9);
    assert.ok(Math.abs(mon1[j9] - (mon0[j9] * 1.1 + 100)) < 1e-9);
    assert.ok(Math.abs(mon1[j20] - mon0[j20] * 1.1) < 1e-9, 'the shock is on Tuesday only');
    const tue0 = base.dates[1].values[0];
    const tue1 = w.dates[1].values[0];
    assert.equal(tue1[0], tue0[0]);
    assert.ok(Math.abs(tue1[j20] - tue0[j20] * 2) < 1e-9 && Math.abs(tue1[j20 + 1] - tue0[j20 + 1] * 2) < 1e-9);
    const sum = (r: number[]) => r.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum(tue1) - sum(tue0) - 300 - tue0[j20] - tue0[j20 + 1]) < 1e-6);
    // integer adds stay exact for count output
    const c0 = await generateScenarios({ model, start: '2003-10-29', count: 30, seed: 4 });
    const c1 = await generateScenarios({ model, start: '2003-10-29', count: 30, seed: 4, whatIf: [{ type: 'add', amount: 1000, intervals: '09:00-12:00' }] });
    c0.dates[0].values.forEach((r, i) => assert.equal(sum(c1.dates[0].values[i]), sum(r) + 1000));
    // observed slots are facts
    const obs = { date: '2003-10-29', values: [400, 500, 600] };
    const o1 = await generateScenarios({ model, start: '2003-10-29', count: 10, seed: 4, observed: obs, whatIf: [{ type: 'scale', factor: 3 }] });
    for (const r of o1.dates[0].values) assert.deepEqual(r.slice(0, 3), [400, 500, 600]);
  });

  it('validates transforms and cases', async () => {
    assert.throws(() => parseWhatIf([{ type: 'scale', factor: -1 }]), code('BAD_OPTION', /factor/));
    assert.throws(() => parseWhatIf([{ type: 'add', amount: 5 }]), code('BAD_OPTION', /intervals/));
    assert.throws(() => parseWhatIf([{ type: 'scale', factor: 1, weekdays: ['funday'] }]), code('BAD_OPTION'));
    assert.throws(() => parseWhatIf([{ type: 'shock', factor: 1, start: '2003-13-01' }]), code('BAD_OPTION'));
    assert.throws(() => parseWhatIf([{ type: 'boost', factor: 1 }]), code('BAD_OPTION'));
    await assert.rejects(() => generateScenarios({ model, start: '2003-10-27', count: 2, seed: 1, whatIf: [{ type: 'add', amount: 5, intervals: '22:00-23:00' }] }), code('UNPROCESSABLE', /selects no slot/));
    assert.throws(() => parseCases({ cases: [{ name: 'baseline', transforms: [] }] }), code('BAD_OPTION', /reserved/));
    assert.throws(() => parseCases({ cases: [{ name: 'a', transforms: [] }, { name: 'a', transforms: [] }] }), code('BAD_OPTION', /twice/));
    const example = parseCases(JSON.parse(fs.readFileSync('fixtures/whatif-cases.json', 'utf8')));
    assert.equal(example[0].name, 'baseline');
    assert.ok(example.length >= 4);
  });

  it('batch: one table on common random numbers; the baseline equals plain scenarios', async () => {
    const cases = [
      { name: 'plus10', transforms: parseWhatIf([{ type: 'scale', factor: 1.1 }]) },
      { name: 'campaign', transforms: parseWhatIf([{ type: 'add', amount: 1200, intervals: '09:00-12:00', weekdays: ['tue'] }]) },
    ];
    const r = await whatIfBatch({ model, start: '2003-10-27', end: '2003-10-28', count: 120, seed: 9, cases, output: 'continuous' });
    assert.deepEqual(r.cases, ['baseline', 'plus10', 'campaign']);
    assert.equal(r.rows.length, 6);
    const plain = await generateScenarios({ model, start: '2003-10-27', end: '2003-10-28', count: 120, seed: 9, output: 'continuous', quantiles: [0.1, 0.5, 0.9] });
    const row = (c: string, d: string) => r.rows.find((x) => x.case === c && x.date === d)!;
    assert.deepEqual(row('baseline', '2003-10-27').total, plain.dates[0].summary.total);
    assert.deepEqual(row('baseline', '2003-10-28').peak, plain.dates[1].summary.peak);
    assert.ok(Math.abs(row('plus10', '2003-10-27').total.mean - 1.1 * row('baseline', '2003-10-27').total.mean) < 1e-3);
    assert.ok(Math.abs(row('campaign', '2003-10-28').total.mean - row('baseline', '2003-10-28').total.mean - 1200) < 1e-3);
    assert.deepEqual(row('campaign', '2003-10-27'), { ...row('baseline', '2003-10-27'), case: 'campaign' });
    const t = whatIfTable(r);
    assert.deepEqual(t.header, ['series', 'case', 'date', 'total_mean', 'total_q0.1', 'total_q0.5', 'total_q0.9', 'peak_mean', 'peak_q0.1', 'peak_q0.5', 'peak_q0.9']);
    assert.equal(t.rows.length, 6);
    const f = forecastTable(await forecast({ model, start: '2003-10-27', count: 50, seed: 1 }));
    assert.deepEqual(f.header, ['series', 'timestamp', 'date', 'interval', 'mean', 'q0.1', 'q0.5', 'q0.9']);
    assert.equal(f.rows.length, model.labels.length);
  });
});
