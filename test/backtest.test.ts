/**
 * The rolling-origin backtest: fold splits, scoring plumbing (a method that returns the truth
 * scores exactly 0 / full coverage), seasonal naive through gaps, and a small, fast smoke run of the
 * whole backtest (library and `mixcast evaluate`) with tiny training.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { initBackend } from '../src/backend.js';
import { MixcastError } from '../src/core/errors.js';
import { rng } from '../src/core/random.js';
import type { DaySeries } from '../adapters/types.js';
import { backtest, daySeed, parseBaselines, rollingFolds, scoreMethod, seasonalNaivePoint, summarise, type FoldResult, type TestDay } from '../src/eval/backtest.js';
import { seasonalNaive, type ScenarioMethod } from '../src/eval/baselines.js';
import { writeBacktestReport } from '../src/eval/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

before(async () => {
  await initBackend('wasm');
});

/** n consecutive days from 2024-01-01 with a weekday level × intraday shape and Poisson-like noise (seeded). */
function synthSeries(n: number, seed = 1): DaySeries {
  const r = rng(seed);
  const labels = ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00'];
  const shape = [0.6, 1, 1.3, 1.1, 0.9, 0.7];
  const level = [60, 50, 48, 47, 52, 20, 15]; // Mon … Sun
  const d0 = DateTime.fromISO('2024-01-01', { zone: 'UTC' });
  const days = Array.from({ length: n }, (_, i) => {
    const dt = d0.plus({ days: i });
    const lam = level[dt.weekday - 1];
    return { date: dt.toISODate()!, values: shape.map((s) => Math.max(0, Math.round(lam * s + Math.sqrt(lam * s) * r.normal()))) };
  });
  return {
    zone: 'UTC',
    intervalMinutes: 60,
    open: '09:00',
    close: '15:00',
    labels,
    days,
    valueKind: 'counts',
    series: null,
    holidays: [],
    weekdays: [1, 2, 3, 4, 5, 6, 7],
    report: {
      rowsRead: n * labels.length,
      rowsOutsideWindow: 0,
      daysRead: n,
      daysKept: n,
      dropped: [],
      repaired: [],
      windowInferred: false,
      sourceIntervalMinutes: 60,
      absentDates: [],
      notes: [],
    },
  };
}

const tiny = { steps: 40, hidden: 16, blocks: 1, batch: 32, seed: 3 };

test('rolling folds: the last folds × horizon days in consecutive blocks, each training on everything before it', () => {
  assert.deepEqual(rollingFolds(20, 2, 3, 5), [
    { fold: 0, trainEnd: 14, testStart: 14, testEnd: 17 },
    { fold: 1, trainEnd: 17, testStart: 17, testEnd: 20 },
  ]);
  assert.deepEqual(rollingFolds(11, 1, 6, 5), [{ fold: 0, trainEnd: 5, testStart: 5, testEnd: 11 }]);
  assert.throws(
    () => rollingFolds(10, 2, 3, 5),
    (e: unknown) => e instanceof MixcastError && e.code === 'UNPROCESSABLE' && /2 folds × 3 days \+ at least 5 training days = 11 days, but the series has 10/.test(e.message),
  );
  assert.throws(() => rollingFolds(100, 0, 3, 5), (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION' && /^folds must/.test(e.message));
  assert.throws(() => rollingFolds(100, 2, 1.5, 5), /: horizon must/);
});

test('a method that returns the truth itself scores 0 (energy, CRPS, MAE, pinball) with full coverage', () => {
  const days: TestDay[] = synthSeries(5, 9).days.map((d) => ({ date: d.date, key: 'k', values: d.values }));
  const byDate = new Map(days.map((d) => [d.date, d.values]));
  const perfect: ScenarioMethod = { name: 'perfect', sample: (date, _key, count) => Array.from({ length: count }, () => byDate.get(date)!.slice()) };
  const s = scoreMethod(perfect, days, { count: 12, seeds: (i) => daySeed(0, 0, i) });
  assert.equal(s.perDay.length, 5);
  for (const d of s.perDay) {
    assert.equal(d.energy, 0);
    assert.equal(d.crps, 0);
    assert.equal(d.crpsTotal, 0);
    assert.equal(d.mae, 0);
    for (const v of Object.values(d.pinball)) assert.equal(v, 0);
    assert.deepEqual(d.coverage, { '0.5': 1, '0.8': 1, '0.9': 1 });
  }
  // the same method shifted by one day (the wrong truth) is not perfect: the pairing of days matters
  const dates = days.map((d) => d.date);
  const shifted: ScenarioMethod = {
    name: 'shifted',
    sample: (date, _key, count) => Array.from({ length: count }, () => byDate.get(dates[(dates.indexOf(date) + 1) % dates.length])!.slice()),
  };
  const w = scoreMethod(shifted, days, { count: 12, seeds: () => 1 });
  assert.ok(w.aggregate.mean.energy > 1, `shifted energy ${w.aggregate.mean.energy}`);
});

test('seasonal naive steps back whole weeks over gaps in the training days', () => {
  const all = synthSeries(28).days.map((d) => ({ date: d.date, key: 'k', values: d.values }));
  // drop 2024-01-15 (a Monday): the forecast for Mon 2024-01-22 comes from Mon 2024-01-08
  const train = all.filter((d) => d.date !== '2024-01-15');
  const naive = seasonalNaivePoint(seasonalNaive(train), train[0].date);
  assert.deepEqual(naive('2024-01-22'), all.find((d) => d.date === '2024-01-08')!.values);
  assert.deepEqual(naive('2024-02-05'), all.find((d) => d.date === '2024-01-22')!.values);
  assert.equal(naive('2024-01-03'), null); // no earlier Wednesday
});

test('baseline lists parse; unknown names are option errors', () => {
  assert.deepEqual(parseBaselines('bootstrap, gaussian,ddpm'), ['bootstrap', 'gaussian', 'ddpm']);
  assert.deepEqual(parseBaselines('none'), []);
  assert.throws(() => parseBaselines('bootstrap,arima'), (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION' && /arima/.test(e.message));
});

test('summaries: mean and spread over folds and the improvement over bootstrap', () => {
  const fold = (f: number, model: number, boot: number): FoldResult => ({
    fold: f,
    cutoff: '2024-01-01',
    trainDays: 10,
    trainFirst: '2023-12-01',
    trainLast: '2023-12-31',
    testDates: ['2024-01-01'],
    methods: [
      { method: 'model', kind: 'scenarios', days: [{ date: 'x', key: null, scores: { energy: model } }], mean: { energy: model }, pitHistogram: [1, 2], crpsPerInterval: null, seconds: { fit: 0, sample: 0, score: 0 }, notes: [], fit: null },
      { method: 'bootstrap', kind: 'scenarios', days: [{ date: 'x', key: null, scores: { energy: boot } }], mean: { energy: boot }, pitHistogram: [3, 0], crpsPerInterval: null, seconds: { fit: 0, sample: 0, score: 0 }, notes: [], fit: null },
    ],
  });
  const s = summarise([fold(0, 8, 10), fold(1, 6, 10)]);
  const m = s.find((x) => x.method === 'model')!;
  assert.equal(m.mean.energy, 7);
  assert.ok(Math.abs(m.sdOverFolds.energy - Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(m.vsBootstrap.energy! - 0.3) < 1e-12);
  assert.deepEqual(m.pitHistogram, [2, 4]);
  assert.equal(s.find((x) => x.method === 'bootstrap')!.vsBootstrap.energy, 0);
});

test('smoke: a 1-fold backtest with tiny training writes results.json, report.md and charts with finite scores', async () => {
  const ds = synthSeries(42);
  const r = await backtest(ds, {
    folds: 1,
    horizon: 7,
    count: 40,
    minTrain: 21,
    seed: 5,
    sampler: 'ddim:10',
    baselines: ['bootstrap', 'gaussian', 'ddpm', 'seasonal-naive'],
    fit: { ...tiny, prior: 'weekday' },
  });
  assert.equal(r.folds.length, 1);
  assert.equal(r.folds[0].trainDays, 35);
  assert.equal(r.folds[0].cutoff, ds.days[35].date);
  assert.deepEqual(r.folds[0].testDates, ds.days.slice(35).map((d) => d.date));
  const names = r.summary.map((m) => m.method);
  assert.deepEqual(names, ['model', 'bootstrap', 'gaussian', 'ddpm', 'seasonal-naive']);
  for (const m of r.summary) {
    for (const [k, v] of Object.entries(m.mean)) assert.ok(Number.isFinite(v), `${m.method} ${k} = ${v}`);
    assert.equal(m.days, 7);
  }
  const model = r.summary.find((m) => m.method === 'model')!;
  assert.ok(model.mean.energy > 0 && model.mean.crps > 0);
  assert.equal(r.summary.find((m) => m.method === 'bootstrap')!.vsBootstrap.energy, 0);
  assert.deepEqual(Object.keys(r.summary.find((m) => m.method === 'seasonal-naive')!.mean).sort(), ['mae', 'pinball@0.1', 'pinball@0.5', 'pinball@0.9']);
  // the same options and seeds give the same numbers
  const again = await backtest(ds, { folds: 1, horizon: 7, count: 40, minTrain: 21, seed: 5, sampler: 'ddim:10', baselines: ['bootstrap'], fit: { ...tiny, prior: 'weekday' } });
  assert.equal(again.summary[0].mean.energy, model.mean.energy);
  assert.equal(again.summary[1].mean.energy, r.summary[1].mean.energy);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-backtest-'));
  try {
    const files = await writeBacktestReport(r, dir);
    for (const f of ['results.json', 'report.md', 'fan-model.svg', 'fan-bootstrap.svg', 'pit-model.svg', 'pit-bootstrap.svg']) {
      assert.ok(files.includes(path.join(dir, f)), `${f} written`);
    }
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
    assert.equal(json.folds[0].methods[0].days.length, 7);
    assert.equal(json.config.fit.prior, 'weekday');
    const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    assert.match(md, /### Energy score/);
    assert.match(md, /\| bootstrap \| [0-9.]+ \|/);
    assert.match(fs.readFileSync(path.join(dir, 'fan-model.svg'), 'utf8'), /^<svg/);
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mixcast evaluate: end to end on a CSV, and a typed error (exit 2, no stack) when there are too few days', () => {
  const ds = synthSeries(35, 4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-evaluate-'));
  try {
    const csv = path.join(dir, 'calls.csv');
    const rows = ['timestamp,calls'];
    for (const d of ds.days) d.values.forEach((v, j) => rows.push(`${d.date}T${ds.labels[j]}:00,${v}`));
    fs.writeFileSync(csv, rows.join('\n') + '\n');
    const cli = (extra: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'evaluate', '--input', csv, '--backend', 'wasm', '--quiet', ...extra], { cwd: ROOT, encoding: 'utf8' });
    const out = path.join(dir, 'out');
    const ok = cli(['--folds', '1', '--horizon', '7', '--min-train', '21', '--steps', '30', '--hidden', '16', '--blocks', '1', '--batch', '32', '--count', '30', '--sampler', 'ddim:10', '--baselines', 'bootstrap,seasonal-naive', '--out', out]);
    assert.equal(ok.status, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout);
    assert.deepEqual(summary.summary.map((m: { method: string }) => m.method), ['model', 'bootstrap', 'seasonal-naive']);
    for (const f of ['results.json', 'report.md', 'fan-model.svg', 'pit-bootstrap.svg']) assert.ok(fs.existsSync(path.join(out, f)), f);
    const bad = cli(['--folds', '3', '--horizon', '7', '--out', path.join(dir, 'bad')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /mixcast: error \[UNPROCESSABLE\]: not enough days for the backtest: 3 folds × 7 days \+ at least 28 training days = 49 days, but the series has 35/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    assert.ok(!fs.existsSync(path.join(dir, 'bad')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
