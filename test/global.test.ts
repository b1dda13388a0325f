/**
 * The global model (src/train/global.ts, src/model/global.ts) on the 4 pedestrian sensors: one
 * network shared by the series; components per (series, calendar key), sparse pairs merged into
 * the series' parent key; the series' one-hot in the network's context input; saved as a
 * collection whose series load as ordinary bundles and give the same scenarios as the model in
 * memory; each series sampled through its own transform and prior.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingestMany, type DaySeries } from '../adapters/index.js';
import { fitGlobalModel, type GlobalFitSummary } from '../src/train/global.js';
import { loadGlobalModel, loadModel, loadSeriesModels, readCollection, saveGlobalModel, type GlobalModel } from '../src/model/index.js';
import { runScenarios } from '../src/scenarios/index.js';

const SENSORS = ['Birrarung Marr', 'Bourke Street Mall (North)', 'QV Market-Elizabeth St (West)', 'Southern Cross Station'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-global-'));
let series: DaySeries[];
let model: GlobalModel;
let summary: GlobalFitSummary;

before(async () => {
  await initBackend('wasm');
  series = (await ingestMany({ input: 'fixtures/melbourne_pedestrian_4_sensors.csv', seriesCol: 'sensor', tz: 'Australia/Melbourne' })).series;
  ({ model, summary } = fitGlobalModel(series, { steps: 30, hidden: 32, blocks: 1, batch: 64, seed: 2, prior: 'weekday*season', calendar: { hemisphere: 'south', minDays: 12 } }));
});

after(() => {
  model?.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('one network; components per (series, key), sparse (series, key) pairs merged into the series parent key; series one-hot in the context input', () => {
  assert.deepEqual(model.ids, SENSORS);
  const cfg = model.net.config;
  assert.equal(cfg.components, summary.K);
  assert.equal(summary.K, summary.perSeries.reduce((a, p) => a + p.K, 0));
  assert.deepEqual(summary.perSeries.map((p) => p.componentOffset), [0, 7, 16, 25]);
  // context on: the 4-series one-hot, then each series' own u
  const own = summary.perSeries[0].context!.width;
  assert.equal(cfg.contextDim, 4 + own);
  model.manifests.forEach((m, s) => assert.deepEqual(m.shared, { kind: 'global', series: s, seriesCount: 4, componentOffset: summary.perSeries[s].componentOffset }));
  // Birrarung Marr misses most of November: its spring keys have < 12 days and merge into its
  // weekdays; the sensors with every day keep theirs
  const names = (s: number) => summary.perSeries[s].components.map((c) => c.name);
  assert.ok(!names(0).some((n) => n.endsWith('*spring')), names(0).join(' '));
  assert.ok(summary.perSeries[0].merges.some((m) => m.from === 'Mon*spring' && m.to === 'Mon'));
  for (const s of [1, 2, 3]) assert.ok(names(s).includes('Mon*spring'), names(s).join(' '));
  // each series keeps its own transform
  assert.notDeepEqual(model.manifests[1].transform.mean, model.manifests[3].transform.mean);
});

test('each series through its own transform and prior: Saturdays at Southern Cross (commuters) are far below Bourke Street (retail)', async () => {
  const sat = async (id: string) => (await runScenarios(model.series(id), { start: '2017-01-07', count: 100, seed: 4, shape: 'forecast' })).dates[0].summary.total.mean;
  const sc = await sat('Southern Cross Station');
  const bourke = await sat('Bourke Street Mall (North)');
  assert.ok(sc < 0.25 * bourke, `Southern Cross ${sc} vs Bourke Street ${bourke}`);
  const r = await runScenarios(model.series('QV Market-Elizabeth St (West)'), { start: '2017-01-02', end: '2017-01-03', count: 20, seed: 4, shape: 'scenarios' });
  assert.equal(r.series, 'QV Market-Elizabeth St (West)');
});

test('saved as a global collection: one shared weights file; the series load as bundles (or together) and give the same scenarios', async () => {
  const dir = path.join(tmp, 'ped-global');
  const index = await saveGlobalModel(model, dir, 'sensor');
  assert.equal(index.kind, 'global');
  assert.deepEqual(index.series.map((s) => s.id), SENSORS);
  assert.equal(new Set(index.series.map((s) => s.sha256)).size, 1);
  assert.deepEqual(fs.readdirSync(dir).sort(), [index.shared!.file, 'collection.json', 'series'].sort());
  assert.equal(readCollection(dir).index.kind, 'global');
  const req = { start: '2017-01-02', end: '2017-01-04', count: 30, seed: 9, shape: 'forecast' as const };
  const inMemory = await runScenarios(model.series('Southern Cross Station'), req);
  const one = loadModel(path.join(dir, index.series[3].dir));
  const all = loadGlobalModel(dir);
  const some = loadSeriesModels(dir, ['Southern Cross Station', 'Birrarung Marr']);
  try {
    assert.deepEqual(await runScenarios(one, req), inMemory);
    assert.deepEqual(await runScenarios(all.series('Southern Cross Station'), req), inMemory);
    assert.deepEqual(some.models.map((m) => m.series), ['Southern Cross Station', 'Birrarung Marr']);
    assert.deepEqual(await runScenarios(some.models[0].model, req), inMemory);
    assert.equal(all.series('Birrarung Marr').net, all.series('Southern Cross Station').net, 'the series share one network in memory');
  } finally {
    one.dispose();
    all.dispose();
    some.dispose();
  }
  assert.throws(() => loadSeriesModels(dir, undefined), /series is required/);
  assert.throws(() => loadSeriesModels(dir, 'Flinders St'), /unknown series "Flinders St"/);
});

test('refused: one series, or series with different intervals', () => {
  assert.throws(() => fitGlobalModel(series.slice(0, 1), { steps: 1 }), /at least 2 series/);
  const other = { ...series[1], labels: series[1].labels.slice(0, 12), close: '12:00', days: series[1].days.map((d) => ({ ...d, values: d.values.slice(0, 12) })) };
  assert.throws(() => fitGlobalModel([series[0], other], { steps: 1 }), /same intervals for every series .*`perSeries`/);
});
