/**
 * Multi-series input and per-series models: the unique_id/ds/y convention, every series read
 * as `--series NAME` reads it, `train` refusing several series without --per-series, `train
 * --per-series` writing one bundle per sensor with an index, `batch` over the collection (in
 * process) with series ids in the output, and the server's /v1/jobs routes on the collection.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ingestRows, ingestRowsMany } from '../adapters/index.js';
import { readCollection } from '../src/model/collection.js';
import { startServer } from '../src/server/index.js';

const FIXTURE = 'fixtures/melbourne_pedestrian_2015_2016_reduced.csv';
const SENSORS = ['Birrarung Marr', 'Southern Cross Station'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-ms-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, MIXCAST_BACKEND: 'wasm' } });

test('unique_id, ds, y: every series read, each as --series reads it', () => {
  const rows: Record<string, unknown>[] = [];
  for (const [id, base] of [['a', 10], ['b', 50]] as const) {
    for (let d = 1; d <= 3; d++) for (let h = 0; h < 4; h++) rows.push({ unique_id: id, ds: `2024-01-0${d}T0${h}:00:00`, y: base + d + h });
  }
  const set = ingestRowsMany(rows, { interval: '1h' });
  assert.equal(set.seriesCol, 'unique_id');
  assert.deepEqual(set.series.map((s) => s.series), ['a', 'b']);
  assert.deepEqual(set.series[1].days, ingestRows(rows, { series: 'b', interval: '1h' }).days);
  assert.deepEqual(set.series[1].days[0].values, [51, 52, 53, 54]);
  assert.throws(() => ingestRows(rows, {}), /holds 2 series/);
  assert.throws(() => ingestRowsMany(rows, { only: ['c'] }), /series 'c' not found/);
});

test('train: several series without --per-series train one global model; --per-series writes one model per series', () => {
  const common = ['--input', FIXTURE, '--series-col', 'sensor', '--tz', 'Australia/Melbourne', '--hemisphere', 'south', '--steps', '20', '--hidden', '32', '--blocks', '1', '--batch', '64', '--seed', '3'];
  const g = cli('train', ...common, '--out', path.join(tmp, 'glob'));
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stderr, /training one global model for 2 series/);
  const gs = JSON.parse(g.stdout) as { model: string; series: { series: string; version: string }[] };
  assert.equal(gs.model, 'global');
  const gc = readCollection(path.join(tmp, 'glob'));
  assert.equal(gc.index.kind, 'global');
  assert.deepEqual(gc.index.series.map((s) => s.id), SENSORS);
  assert.ok(fs.existsSync(path.join(gc.dir, gc.index.shared!.file)));
  for (const [i, s] of gc.index.series.entries()) {
    const m = JSON.parse(fs.readFileSync(path.join(gc.dir, s.dir, 'manifest.json'), 'utf8'));
    assert.equal(m.data.series, s.id);
    assert.equal(m.shared.series, i);
    assert.equal(m.weights.file, `../../${gc.index.shared!.file}`);
  }
  const r = cli('train', ...common, '--per-series', '--threads', '2', '--out', path.join(tmp, 'ped'));
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { model: string; series: { series: string; steps: number; version: string }[] };
  assert.equal(summary.model, 'per-series');
  assert.deepEqual(summary.series.map((s) => s.series), SENSORS);
  const c = readCollection(path.join(tmp, 'ped'));
  assert.equal(c.index.kind, 'per-series');
  assert.deepEqual(c.index.series.map((s) => [s.id, s.sha256]), summary.series.map((s) => [s.series, s.version]));
  assert.ok(summary.series.every((s) => s.steps === 20));
});

test('generate/forecast/whatif/staff plan on the global model name the series: one, several or all; a series dir is an ordinary bundle with the same numbers', () => {
  const glob = path.join(tmp, 'glob');
  const base = ['--start', '2017-01-02', '--count', '40', '--seed', '5'];
  const missing = cli('forecast', '--model', glob, ...base);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--series is required: .* global model of 2 series \("Birrarung Marr", "Southern Cross Station"\)/);
  const one = cli('forecast', '--model', glob, '--series', 'Southern Cross Station', ...base, '--format', 'json');
  assert.equal(one.status, 0, one.stderr);
  const c = readCollection(glob);
  const bundle = cli('forecast', '--model', path.join(glob, c.index.series[1].dir), ...base, '--format', 'json');
  assert.equal(bundle.status, 0, bundle.stderr);
  assert.deepEqual(JSON.parse(one.stdout), JSON.parse(bundle.stdout));
  assert.equal(JSON.parse(one.stdout).series, 'Southern Cross Station');
  const all = cli('whatif', '--model', glob, '--series', 'all', '--cases', 'fixtures/whatif-cases.json', ...base);
  assert.equal(all.status, 0, all.stderr);
  const lines = all.stdout.trim().split('\n');
  assert.equal(lines[0].split(',')[0], 'series');
  assert.deepEqual([...new Set(lines.slice(1).map((l) => l.split(',')[0]))], SENSORS);
  const both = cli('generate', '--model', glob, '--series', 'Birrarung Marr', '--series', 'Southern Cross Station', ...base, '--format', 'json');
  assert.equal(both.status, 0, both.stderr);
  const j = JSON.parse(both.stdout) as { series: string[]; results: { series: string; result: { series: string } }[] };
  assert.deepEqual(j.series, SENSORS);
  assert.deepEqual(j.results.map((x) => x.result.series), SENSORS);
  const staff = cli('staff', 'plan', '--model', glob, '--series', 'Birrarung Marr', '--date', '2017-01-02', '--count', '40', '--seed', '1', '--aht', '60s', '--target', '0.8', '--within', '20s', '--format', 'json');
  assert.equal(staff.status, 0, staff.stderr);
  const unknown = cli('generate', '--model', glob, '--series', 'Nowhere', ...base);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown series "Nowhere"/);
});

test('train --per-series passes --holidays and --covariates/--events to every series', () => {
  const events = path.join(tmp, 'events.csv');
  fs.writeFileSync(events, 'date,name\n2015-11-03,cup\n2016-11-01,cup\n');
  const r = cli('train', '--input', FIXTURE, '--series-col', 'sensor', '--tz', 'Australia/Melbourne', '--hemisphere', 'south', '--steps', '5', '--hidden', '16', '--blocks', '1', '--batch', '32', '--seed', '3', '--holidays', 'AU-VIC', '--events', events, '--per-series', '--threads', '1', '--out', path.join(tmp, 'ped-hol'));
  assert.equal(r.status, 0, r.stderr);
  const c = readCollection(path.join(tmp, 'ped-hol'));
  for (const s of c.index.series) {
    const m = JSON.parse(fs.readFileSync(path.join(c.dir, s.dir, 'manifest.json'), 'utf8'));
    assert.ok(m.calendar.options.holidays.includes('2015-11-03'), `${s.id}: Melbourne Cup 2015 among the calendar's holidays`);
    assert.deepEqual(m.context.spec.covariates, ['event:cup'], `${s.id}: the events file became a covariate`);
  }
});

test('batch (in process) over the collection: one table with the series ids; one series by name', () => {
  const out = path.join(tmp, 'fc.csv');
  const r = cli('batch', '--kind', 'forecast', '--model', path.join(tmp, 'ped'), '--start', '2017-01-02', '--end', '2017-01-03', '--count', '50', '--seed', '5', '--threads', '0', '--quiet', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0].split(',')[0], 'series');
  const ids = new Set(lines.slice(1).map((l) => l.split(',')[0]));
  assert.deepEqual([...ids].sort(), SENSORS);
  assert.equal(lines.length - 1, 2 * 2 * 24);
  const one = cli('batch', '--kind', 'forecast', '--model', path.join(tmp, 'ped'), '--series', 'Southern Cross Station', '--start', '2017-01-02', '--count', '50', '--seed', '5', '--threads', '0', '--quiet', '--format', 'json');
  assert.equal(one.status, 0, one.stderr);
  assert.deepEqual(JSON.parse(one.stdout).series, ['Southern Cross Station']);
  const bad = cli('batch', '--kind', 'forecast', '--model', path.join(tmp, 'ped'), '--series', 'Nowhere', '--start', '2017-01-02', '--threads', '0', '--quiet');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown series "Nowhere"; this collection holds "Birrarung Marr", "Southern Cross Station"/);
});

test('/v1/jobs on the embedded engine: 202, progress, CSV result, idempotent resubmit, 404 and 400', async () => {
  const srv = await startServer({ models: tmp, port: 0, workers: 0, backend: 'wasm', redis: null, jobThreads: 0 });
  try {
    const body = { kind: 'forecast', model: 'ped', series: 'all', start: '2017-01-02', count: 50, seed: 5 };
    const post = await fetch(`${srv.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(post.status, 202);
    const { id } = (await post.json()) as { id: string };
    let state = '';
    for (let i = 0; i < 600 && state !== 'completed' && state !== 'failed'; i++) {
      const s = (await (await fetch(`${srv.url}/v1/jobs/${id}`)).json()) as { state: string; progress: { done: number; total: number } };
      state = s.state;
      assert.equal(s.progress.total, 2);
      if (state !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, 'completed');
    const csv = await (await fetch(`${srv.url}/v1/jobs/${id}/result`, { headers: { accept: 'text/csv' } })).text();
    assert.equal(csv.split('\n')[0].split(',')[0], 'series');
    const again = await fetch(`${srv.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { id: string; existing: boolean }).existing, true);
    assert.equal((await fetch(`${srv.url}/v1/jobs/bnope`)).status, 404);
    const invalid = await fetch(`${srv.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'whatif', model: 'ped', start: '2017-01-02', count: 5 }) });
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: { message: string } }).error.message, /cases/);
  } finally {
    await srv.close();
  }
});

test('HTTP on models of several series: GET /v1/models lists them with their series; the scenario routes take one series; a train job (global by default) shows up in the list', async () => {
  fs.copyFileSync(FIXTURE, path.join(tmp, 'ped-data.csv'));
  const srv = await startServer({ models: tmp, port: 0, workers: 0, backend: 'wasm', redis: null, jobThreads: 0 });
  const post = (route: string, body: unknown) => fetch(`${srv.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    const list = (await (await fetch(`${srv.url}/v1/models`)).json()) as { collections: { id: string; kind: string; series: { id: string; version: string }[] }[] };
    const glob = list.collections.find((c) => c.id === 'glob')!;
    assert.equal(glob.kind, 'global');
    assert.deepEqual(glob.series.map((s) => s.id), SENSORS);
    assert.equal(list.collections.find((c) => c.id === 'ped')!.kind, 'per-series');
    // one series per request, the same numbers as the CLI
    const body = { model: 'glob', series: 'Southern Cross Station', start: '2017-01-02', count: 40, seed: 5, quantiles: [0.1, 0.5, 0.9] };
    const fc = await post('/v1/forecast', body);
    assert.equal(fc.status, 200);
    const got = (await fc.json()) as { model: string; series: string; dates: unknown[] };
    assert.equal(got.model, 'glob');
    assert.equal(got.series, 'Southern Cross Station');
    const viaCli = cli('forecast', '--model', path.join(tmp, 'glob'), '--series', 'Southern Cross Station', '--start', '2017-01-02', '--count', '40', '--seed', '5', '--format', 'json');
    assert.deepEqual(got.dates, JSON.parse(viaCli.stdout).dates);
    const noSeries = await post('/v1/forecast', { ...body, series: undefined });
    assert.equal(noSeries.status, 400);
    assert.match(((await noSeries.json()) as { error: { message: string } }).error.message, /series is required: model "glob" holds 2 series/);
    assert.equal((await post('/v1/whatif', { ...body, series: 'Nowhere', cases: [{ name: 'up', transforms: [{ type: 'scale', factor: 1.1 }] }] })).status, 404);
    const summary = (await (await fetch(`${srv.url}/v1/models/glob/series/${encodeURIComponent('Birrarung Marr')}`)).json()) as { id: string; series: string };
    assert.deepEqual([summary.id, summary.series], ['glob', 'Birrarung Marr']);
    // a train job over HTTP: the input lies in the models folder; several series → one global model
    const outside = await post('/v1/jobs', { kind: 'train', model: 'glob2', train: { input: path.resolve(FIXTURE), seriesCol: 'sensor' } });
    assert.equal(outside.status, 400);
    // no series column: the library's `seriesCol` is said as its place in the job body
    const noCol = await post('/v1/jobs', { kind: 'train', model: 'glob3', train: { input: 'ped-data.csv' } });
    assert.equal(noCol.status, 400);
    const noColError = ((await noCol.json()) as { error: { message: string; details: { field: string; path: string } } }).error;
    assert.match(noColError.message, /ped-data\.csv: name the column that holds the series with `train\.seriesCol` \(available columns: /);
    assert.deepEqual([noColError.details.field, noColError.details.path], ['seriesCol', 'train.seriesCol']);
    const train = await post('/v1/jobs', { kind: 'train', model: 'glob2', seed: 4, train: { input: 'ped-data.csv', seriesCol: 'sensor', tz: 'Australia/Melbourne', hemisphere: 'south', steps: 5, hidden: 16, blocks: 1, batch: 32 } });
    assert.equal(train.status, 202);
    const { id } = (await train.json()) as { id: string };
    let state = '';
    for (let i = 0; i < 600 && state !== 'completed' && state !== 'failed'; i++) {
      state = ((await (await fetch(`${srv.url}/v1/jobs/${id}`)).json()) as { state: string }).state;
      if (state !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, 'completed');
    const after = (await (await fetch(`${srv.url}/v1/models`)).json()) as { collections: { id: string; kind: string; series: { id: string }[] }[] };
    const g2 = after.collections.find((c) => c.id === 'glob2');
    assert.equal(g2?.kind, 'global');
    assert.deepEqual(g2?.series.map((s) => s.id), SENSORS);
    const batch = await post('/v1/jobs', { kind: 'forecast', model: 'glob2', series: 'all', start: '2017-01-02', count: 20, seed: 1 });
    assert.equal(batch.status, 202);
  } finally {
    await srv.close();
  }
});
