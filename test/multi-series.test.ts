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

test('train: several series without --per-series is refused with the way out; --per-series writes a collection', () => {
  const common = ['--input', FIXTURE, '--series-col', 'sensor', '--tz', 'Australia/Melbourne', '--hemisphere', 'south', '--steps', '20', '--hidden', '32', '--blocks', '1', '--batch', '64', '--seed', '3'];
  const refused = cli('train', ...common, '--out', path.join(tmp, 'one'));
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /holds 2 series/);
  assert.match(refused.stderr, /--per-series/);
  assert.ok(!fs.existsSync(path.join(tmp, 'one')));
  const r = cli('train', ...common, '--per-series', '--threads', '2', '--out', path.join(tmp, 'ped'));
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { series: { series: string; steps: number; version: string }[] };
  assert.deepEqual(summary.series.map((s) => s.series), SENSORS);
  const c = readCollection(path.join(tmp, 'ped'));
  assert.deepEqual(c.index.series.map((s) => [s.id, s.sha256]), summary.series.map((s) => [s.series, s.version]));
  assert.ok(summary.series.every((s) => s.steps === 20));
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
