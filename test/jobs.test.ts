/**
 * Batch jobs against the real Redis at 127.0.0.1:6379 (MIXCAST_TEST_REDIS to point elsewhere),
 * on the 4 Melbourne pedestrian sensors (fixtures/melbourne_pedestrian_4_sensors.csv):
 * per-series training as a batch (small models, trained once here), a what-if flow (4 sensors ×
 * 3 cases × 7 dates) equal to the embedded run for the same seed, idempotency, cancel, retry with
 * backoff after an injected failure (a bundle's weights file missing, then restored), and two
 * `mixcast worker` processes: the batch they run equals the in-process one, and when one of them
 * is SIGKILLed mid-batch the other recovers its stalled unit (short stalled interval) and the
 * batch completes with the same result. Every test run uses its own key prefix and removes only
 * its own keys.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { Queue, QueueEvents } from 'bullmq';
import { initBackend } from '../src/backend.js';
import { readCollection } from '../src/model/collection.js';
import {
  BullEngine,
  EmbeddedEngine,
  InlineRunner,
  startWorker,
  waitFor,
  batchRequestSchema,
  BATCH_QUEUE,
  UNIT_QUEUE,
  type BatchRequestInput,
  type RunningWorker,
} from '../src/jobs/index.js';

const REDIS = process.env.MIXCAST_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const PREFIX = `mixcast-test-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
const FIXTURE = path.resolve('fixtures/melbourne_pedestrian_4_sensors.csv');
const SERIES = ['Birrarung Marr', 'Bourke Street Mall (North)', 'QV Market-Elizabeth St (West)', 'Southern Cross Station'];
let root: string;
let embedded: EmbeddedEngine;
let bull: BullEngine;
const workers: RunningWorker[] = [];
const children: ChildProcess[] = [];

const req = (o: Partial<BatchRequestInput> = {}) =>
  batchRequestSchema.parse({
    kind: 'whatif',
    model: 'ped',
    series: 'all',
    start: '2017-01-02',
    end: '2017-01-08',
    count: 40,
    seed: 7,
    cases: [
      { name: 'up10', transforms: [{ type: 'scale', factor: 1.1 }] },
      { name: 'down20', transforms: [{ type: 'scale', factor: 0.8 }] },
      { name: 'event', transforms: [{ type: 'add', amount: 500, intervals: '10:00-14:00' }] },
    ],
    ...o,
  });

async function done(engine: BullEngine | EmbeddedEngine, id: string) {
  const s = await waitFor(engine, id, undefined, 100);
  assert.equal(s.state, 'completed', `batch ${id}: ${s.state} ${s.error ?? ''}`);
  return engine.result(id);
}

before(async () => {
  await initBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-jobs-'));
  embedded = new EmbeddedEngine(new InlineRunner(root), { root, inputAnywhere: true, backoffMs: 200 });
  bull = new BullEngine({ url: REDIS, prefix: PREFIX }, { root, inputAnywhere: true, attempts: 4, backoffMs: 500, ttlSeconds: 600 });
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const w of workers) await w.close();
  await embedded?.close();
  await bull?.close();
  for (const name of [BATCH_QUEUE, UNIT_QUEUE]) {
    const q = new Queue(name, { connection: { url: REDIS }, prefix: PREFIX });
    await q.obliterate({ force: true });
    const client = await q.getBackend().client;
    const left = await (client as unknown as { keys(p: string): Promise<string[]> }).keys(`${PREFIX}:*`);
    if (left.length) await client.del(...left);
    await q.close();
  }
  fs.rmSync(root, { recursive: true, force: true });
});

test('per-series training as a batch: one bundle per sensor in one collection with an index', async () => {
  const train = batchRequestSchema.parse({
    kind: 'train',
    model: 'ped',
    seed: 1,
    train: { input: FIXTURE, seriesCol: 'sensor', tz: 'Australia/Melbourne', hemisphere: 'south', steps: 30, hidden: 32, blocks: 1, batch: 64, perSeries: true },
  });
  const sub = await embedded.submit(train);
  const r = await done(embedded, sub.id);
  assert.deepEqual(r.series, SERIES);
  const c = readCollection(path.join(root, 'ped'));
  assert.deepEqual(c.index.series.map((s) => s.id), SERIES);
  assert.equal(c.index.seriesCol, 'sensor');
  for (const s of c.index.series) {
    const m = JSON.parse(fs.readFileSync(path.join(root, 'ped', s.dir, 'manifest.json'), 'utf8'));
    assert.equal(m.data.series, s.id);
    assert.equal(m.weights.sha256, s.sha256);
    assert.equal(m.training.steps, 30);
  }
  // Birrarung Marr has a month-long gap (2016-10-29 … 11-28); the other sensors are whole
  assert.deepEqual(c.index.series.map((s) => [s.firstDate, s.lastDate, s.days]), [
    ['2016-08-01', '2016-12-31', 122],
    ['2016-08-01', '2016-12-31', 153],
    ['2016-08-01', '2016-12-31', 153],
    ['2016-08-01', '2016-12-31', 153],
  ]);
  assert.equal(fs.readdirSync(root).filter((f) => f.startsWith('.')).length, 0, 'no staging folder left');
});

test('a scheduled retraining as a batch: train.warmStart starts each series from its model in a collection', async () => {
  const trainOpts = { input: FIXTURE, seriesCol: 'sensor', tz: 'Australia/Melbourne', hemisphere: 'south', steps: 10, hidden: 32, blocks: 1, batch: 64, perSeries: true };
  const sub = await embedded.submit(batchRequestSchema.parse({ kind: 'train', model: 'ped-next', seed: 2, train: { ...trainOpts, warmStart: 'ped' } }));
  const r = await done(embedded, sub.id);
  const from = readCollection(path.join(root, 'ped'));
  for (const [i, s] of from.index.series.entries()) {
    const old = JSON.parse(fs.readFileSync(path.join(root, 'ped', s.dir, 'manifest.json'), 'utf8'));
    const next = JSON.parse(fs.readFileSync(path.join(root, 'ped-next', s.dir, 'manifest.json'), 'utf8'));
    assert.equal(next.training.warmStart.fingerprint, old.data.fingerprint, s.id);
    assert.equal(next.training.warmStart.steps, 30);
    assert.equal((r.results[i].result as { warmStart: string }).warmStart, s.sha256, 'the result names the weights it started from');
  }
  // A global model (several series, not per series) cannot be warm-started: refused before any work.
  await assert.rejects(embedded.submit(batchRequestSchema.parse({ kind: 'train', model: 'ped-global', seed: 2, train: { ...trainOpts, perSeries: false, warmStart: 'ped' } })), /train\.warmStart needs perSeries/);
  await assert.rejects(embedded.submit(batchRequestSchema.parse({ kind: 'train', model: 'ped-x', seed: 2, train: { ...trainOpts, warmStart: 'nope' } })), /unknown model "nope"/);
  assert.ok(!fs.existsSync(path.join(root, 'ped-global')) && !fs.existsSync(path.join(root, 'ped-x')));
});

test('a flow over the 4 sensors on BullMQ gives the embedded result for the same seed; resubmitting returns the stored batch', async () => {
  workers.push(await startWorker({ url: REDIS, prefix: PREFIX, root, units: new InlineRunner(root), lockDurationMs: 30_000 }));
  const r = req();
  const a = await embedded.submit(r);
  const b = await bull.submit(r);
  assert.equal(a.id, b.id, 'the batch id depends on the request and model versions only');
  const ra = await done(embedded, a.id);
  const rb = await done(bull, b.id);
  assert.deepEqual(rb, ra);
  assert.deepEqual(rb.series, SERIES);
  const w = rb.results[0].result as { cases: string[]; rows: { case: string; date: string }[] };
  assert.deepEqual(w.cases, ['baseline', 'up10', 'down20', 'event']);
  assert.equal(w.rows.length, 4 * 7);
  // the cases differ from the baseline, and the sensors differ
  const tot = (res: unknown, c: string) => (res as { rows: { case: string; total: { mean: number } }[] }).rows.filter((x) => x.case === c).reduce((s, x) => s + x.total.mean, 0);
  assert.ok(tot(w, 'up10') > tot(w, 'baseline'));
  assert.equal(new Set(rb.results.map((x) => tot(x.result, 'baseline'))).size, 4);
  const again = await bull.submit(req());
  assert.equal(again.id, b.id);
  assert.equal(again.existing, true);
  assert.equal(again.status.state, 'completed');
  const other = await bull.submit(req({ seed: 8 }));
  assert.notEqual(other.id, b.id);
  assert.deepEqual((await done(bull, other.id)).seed, 8);
});

test('a global model trained by a BullMQ worker (one unit); its what-if flow over the 4 sensors equals the embedded run', async () => {
  const train = batchRequestSchema.parse({
    kind: 'train',
    model: 'ped-global',
    seed: 1,
    train: { input: FIXTURE, seriesCol: 'sensor', tz: 'Australia/Melbourne', hemisphere: 'south', steps: 30, hidden: 32, blocks: 1, batch: 64 },
  });
  const sub = await bull.submit(train);
  assert.equal(sub.status.progress.total, 1, 'one unit trains every series');
  const t = await done(bull, sub.id);
  assert.deepEqual(t.series, SERIES);
  const c = readCollection(path.join(root, 'ped-global'));
  assert.equal(c.index.kind, 'global');
  assert.ok(t.results.every((x) => x.version === c.index.shared!.sha256));
  const r = req({ model: 'ped-global', seed: 11 });
  const rb = await done(bull, (await bull.submit(r)).id);
  const ra = await done(embedded, (await embedded.submit(r)).id);
  assert.deepEqual(rb, ra);
  assert.deepEqual(rb.series, SERIES);
});

test('cancel: a queued batch is cancelled, its waiting units removed, and it has no result', async () => {
  for (const w of workers.splice(0)) await w.close(); // nobody consumes
  const s = await bull.submit(req({ seed: 21 }));
  assert.equal(s.status.state, 'queued');
  const c = await bull.cancel(s.id);
  assert.equal(c.state, 'cancelled');
  const units = new Queue(UNIT_QUEUE, { connection: { url: REDIS }, prefix: PREFIX });
  assert.equal(await units.getJob(`${s.id}-u0`), undefined);
  await units.close();
  await assert.rejects(bull.result(s.id), /cancelled/);
  // embedded: same API
  const e = await embedded.submit(req({ seed: 21, count: 400 }));
  assert.equal((await embedded.cancel(e.id)).state, 'cancelled');
  await assert.rejects(embedded.result(e.id), /cancelled/);
});

test('retry with backoff: a unit whose model file is missing fails, waits, and succeeds once the file is back', async () => {
  workers.push(await startWorker({ url: REDIS, prefix: PREFIX, root, units: new InlineRunner(root) }));
  const c = readCollection(path.join(root, 'ped'));
  const bundle = path.join(root, 'ped', c.index.series[1].dir);
  const weights = path.join(bundle, JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8')).weights.file);
  fs.renameSync(weights, `${weights}.away`);
  const r = req({ seed: 31 });
  const s = await bull.submit(r);
  const units = new Queue(UNIT_QUEUE, { connection: { url: REDIS }, prefix: PREFIX });
  let sawBackoff = false;
  for (let i = 0; i < 200 && !sawBackoff; i++) {
    const j = await units.getJob(`${s.id}-u1`);
    if (j && (await j.getState()) === 'delayed' && j.attemptsMade >= 1) sawBackoff = true;
    else await new Promise((res) => setTimeout(res, 50));
  }
  await units.close();
  assert.ok(sawBackoff, 'the failed unit waited in the delayed set (backoff) before its retry');
  fs.renameSync(`${weights}.away`, weights);
  const rb = await done(bull, s.id);
  const ra = await done(embedded, (await embedded.submit(r)).id);
  assert.deepEqual(rb, ra);
});

/** A `mixcast worker` process on this test's prefix (concurrency 1, 2 s locks, stalled check every second). */
function workerProcess() {
  const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--redis', REDIS, '--models', root, '--prefix', PREFIX, '--concurrency', '1', '--lock-ms', '2000', '--stalled-ms', '1000', '--backend', 'wasm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d) => (err += d));
  children.push(p);
  return { p, log: () => err };
}

test('two worker processes: the 4 sensors × 3 cases × 7 dates equal the in-process run; one SIGKILLed mid-batch, the other recovers its unit, same result', { timeout: 300_000 }, async () => {
  for (const w of workers.splice(0)) await w.close();
  const events = new QueueEvents(UNIT_QUEUE, { connection: { url: REDIS }, prefix: PREFIX });
  await events.waitUntilReady();
  const stalled: string[] = [];
  events.on('stalled', ({ jobId }) => stalled.push(jobId));
  const units = new Queue(UNIT_QUEUE, { connection: { url: REDIS }, prefix: PREFIX });
  const a = workerProcess();
  const b = workerProcess();
  const logs = () => `worker A: ${a.log()}\nworker B: ${b.log()}`;

  // 1. both workers up: the batch is the embedded one, unit for unit
  const r1 = req({ seed: 41 });
  const s1 = await bull.submit(r1);
  const f1 = await waitFor(bull, s1.id, undefined, 200);
  assert.equal(f1.state, 'completed', `${f1.error ?? ''} ${logs()}`);
  const e1 = await done(embedded, (await embedded.submit(r1)).id);
  const got1 = await bull.result(s1.id);
  assert.deepEqual(got1, e1);
  assert.deepEqual(got1.series, SERIES);
  for (const x of got1.results) assert.equal((x.result as { rows: unknown[] }).rows.length, 4 * 7, `${x.series}: baseline + 3 cases × 7 dates`);

  // 2. a new seed; once both workers hold a unit, SIGKILL worker A
  const r2 = req({ seed: 42, count: 200 });
  const s2 = await bull.submit(r2);
  let active: string[] = [];
  for (let i = 0; i < 2400 && active.length < 2; i++) {
    active = (await units.getActive()).map((j) => j.id!).filter((id) => id.startsWith(s2.id));
    if (active.length < 2) await new Promise((res) => setTimeout(res, 25));
  }
  assert.equal(active.length, 2, `both workers (concurrency 1 each) hold a unit before the kill: ${logs()}`);
  a.p.kill('SIGKILL');
  const f2 = await waitFor(bull, s2.id, undefined, 200);
  assert.equal(f2.state, 'completed', `${f2.error ?? ''} ${logs()}`);
  assert.ok(active.some((id) => stalled.includes(id)), `the killed worker's unit (one of ${active.join(', ')}) was reported stalled and run again (stalled: ${stalled.join(', ')})`);
  const e2 = await done(embedded, (await embedded.submit(r2)).id);
  assert.deepEqual(await bull.result(s2.id), e2);
  b.p.kill('SIGTERM');
  await events.close();
  await units.close();
});
