/** Training on real data, the model bundle, and determinism. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import type { DaySeries } from '../adapters/types.js';
import { fitModel } from '../src/train/fit.js';
import { loadModel, saveModel, readManifest } from '../src/model/bundle.js';
import { MixcastError } from '../src/core/errors.js';

let bank: DaySeries;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-model-'));

before(async () => {
  await initBackend('wasm');
  bank = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
});

const small = { steps: 60, hidden: 32, blocks: 1, batch: 64, sampler: 'ddim:10' };

test('fit → save → load → sample is deterministic; same seed → same weights', async () => {
  const a = fitModel(bank, { ...small, prior: 'weekday', seed: 5 });
  const b = fitModel(bank, { ...small, prior: 'weekday', seed: 5 });
  assert.deepEqual(await a.model.net.exportWeights(), await b.model.net.exportWeights());
  const dir = path.join(tmp, 'm1');
  const manifest = await saveModel(a.model, dir);
  assert.equal(manifest.prior && (manifest.prior as { kind: string }).kind, 'calendar');
  assert.equal(manifest.data.labels.length, 28);
  assert.equal(manifest.data.labels[0], '07:00');
  assert.equal(manifest.training.steps, 60);
  assert.ok(manifest.training.reverseEffort.reduction > 0);
  const loaded = loadModel(dir);
  const req = { components: [0, 1, 2, 3, 4, 1], seed: 9 };
  assert.deepEqual(loaded.sampleDays(req), a.model.sampleDays(req));
  assert.notDeepEqual(loaded.sampleDays({ ...req, seed: 10 }), a.model.sampleDays(req));
  [a.model, b.model, loaded].forEach((m) => m.dispose());
});

test('a flipped byte in the weights file, a foreign manifest or a newer schema is refused', async () => {
  const { model } = fitModel(bank, { ...small, prior: 'none', seed: 1 });
  const dir = path.join(tmp, 'm2');
  await saveModel(model, dir);
  model.dispose();
  const w = path.join(dir, readManifest(dir).weights.file);
  const buf = fs.readFileSync(w);
  buf[100] ^= 0xff;
  fs.writeFileSync(w, buf);
  assert.throws(() => loadModel(dir), (e: unknown) => e instanceof MixcastError && e.code === 'BAD_MODEL' && /checksum/.test(e.message));
  const mfile = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(mfile, 'utf8'));
  fs.writeFileSync(mfile, JSON.stringify({ ...m, schemaVersion: 99 }));
  assert.throws(() => readManifest(dir), /schema version 99/);
  fs.writeFileSync(mfile, JSON.stringify({ hello: 'world' }));
  assert.throws(() => readManifest(dir), /not a mixcast model bundle/);
  assert.throws(() => loadModel(path.join(tmp, 'nope')), (e: unknown) => e instanceof MixcastError && e.code === 'NOT_FOUND');
});

test('k-means prior records per-weekday component distributions and the reverse-effort identity', () => {
  const { model, summary } = fitModel(bank, { ...small, prior: 'kmeans:3', seed: 2 });
  assert.equal(summary.K, 3);
  const re = summary.reverseEffort;
  assert.ok(Math.abs(re.reduction - re.sumPkCk2) < 1e-9 * Math.max(1, re.standard));
  const kc = model.prior.keyComponents;
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) {
    assert.ok(kc[day], `distribution for ${day}`);
    assert.ok(Math.abs(kc[day].reduce((s, x) => s + x, 0) - 1) < 1e-9);
  }
  model.dispose();
});

test('training and sampling through fitModel leave no tensors behind', () => {
  const start = tf.memory().numTensors;
  const { model } = fitModel(bank, { ...small, steps: 100, prior: 'weekday', condition: 'component', family: 'sgm-vp', sampler: 'em:10' });
  model.sampleDays({ components: [0, 1], seed: 1 });
  model.sampleDays({ components: [2], seed: 1, observed: [300, 320, ...Array(26).fill(null)] });
  model.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test('bank_calls_2003 (30m, close 21:00), prior weekday: samples are plausible per weekday', () => {
  const { model } = fitModel(bank, { prior: 'weekday', steps: 1000, hidden: 64, blocks: 2, seed: 1 });
  const dayComp = new Map(model.manifest.data.dayComponents);
  const means: Record<string, { sample: number; truth: number }> = {};
  model.prior.components.forEach((c, k) => {
    const s = model.sampleDays({ components: Array(200).fill(k), seed: 3 });
    for (const row of s) for (const v of row) assert.ok(v >= 0 && Number.isFinite(v));
    const tot = s.map((r) => r.reduce((a, b) => a + b, 0));
    const truth = bank.days.filter((d) => dayComp.get(d.date) === k).map((d) => d.values.reduce((a, b) => a + b, 0));
    means[c.name] = { sample: tot.reduce((a, b) => a + b) / tot.length, truth: truth.reduce((a, b) => a + b) / truth.length };
  });
  assert.deepEqual(Object.keys(means).sort(), ['Fri', 'Mon', 'Thu', 'Tue', 'Wed']);
  for (const [day, m] of Object.entries(means)) {
    assert.ok(Math.abs(m.sample / m.truth - 1) < 0.15, `${day}: sampled mean daily total ${m.sample.toFixed(0)} vs training ${m.truth.toFixed(0)}`);
  }
  assert.ok(means.Mon.sample > means.Wed.sample * 1.05, `Monday (${means.Mon.sample.toFixed(0)}) clearly above Wednesday (${means.Wed.sample.toFixed(0)})`);
  model.dispose();
});
