import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { Denoiser, type DenoiserConfig } from '../src/nn/denoiser.js';
import { FlatAdam } from '../src/nn/optimizer.js';
import { defaultProcessConfig, drawBatch, makeProcess, Preconditioner } from '../src/diffusion/index.js';
import { ShardedGradients, shardRanges, sliceBatch } from '../src/train/parallel.js';
import { trainDenoiser } from '../src/train/index.js';
import { rng } from '../src/core/random.js';

before(async () => {
  await initBackend('wasm');
});

const cfg: DenoiserConfig = { d: 6, hidden: 16, blocks: 2, timeDim: 8, components: 2, condition: 'component' };
const r0 = rng(1);
const z = Array.from({ length: 30 }, () => Array.from({ length: 6 }, () => r0.normal()));
const components = z.map((_, i) => i % 2);
const centers = components.map((k) => new Array(6).fill(k ? 0.5 : -0.5));

test('shards: ranges cover the batch; slicing keeps row-major widths', () => {
  assert.deepEqual(shardRanges(10, 3), [[0, 3], [3, 6], [6, 10]]);
  assert.deepEqual(shardRanges(2, 4), [[0, 1], [1, 2]]);
  const pre = new Preconditioner(makeProcess(defaultProcessConfig('ddpm')), { skip: 'none' });
  const b = drawBatch(pre.process, { z, components, centers }, [0, 1, 2, 3], rng(2));
  const s = sliceBatch(b, 1, 3);
  assert.deepEqual(Array.from(s.t), Array.from(b.t.slice(1, 3)));
  assert.deepEqual(Array.from(s.eps), Array.from(b.eps.slice(6, 18)));
  assert.deepEqual(Array.from(s.k), [1, 0]);
});

test('a shard gives bitwise the same gradient on a worker thread as on the main thread', async () => {
  const pre = new Preconditioner(makeProcess(defaultProcessConfig('ddpm')), { skip: 'identity' });
  const net = new Denoiser(cfg, 3);
  const rows = Array.from({ length: 16 }, (_, i) => (i * 7) % z.length);
  const batch = drawBatch(pre.process, { z, components, centers }, rows, rng(4));
  const here = new FlatAdam(net.vars, { clip: 1 });
  const there = new FlatAdam(net.vars, { clip: 1 });
  const whole = new FlatAdam(net.vars, { clip: 1 });
  const local = new ShardedGradients(net, pre, here, { shards: 2, threads: false, backend: 'wasm' });
  const threaded = new ShardedGradients(net, pre, there, { shards: 2, threads: true, backend: 'wasm' });
  const single = new ShardedGradients(net, pre, whole, { shards: 1, threads: false, backend: 'wasm' });
  try {
    const t0 = Date.now();
    while (!threaded.ready) {
      assert.ok(Date.now() - t0 < 120_000, 'worker did not start within 120 s');
      await new Promise((res) => setTimeout(res, 50));
    }
    [here, there, whole].forEach((o) => o.zeroGrad());
    const la = local.step(batch);
    const lb = threaded.step(batch);
    const lc = single.step(batch);
    assert.equal(threaded.offloaded, 1);
    assert.equal(local.offloaded, 0);
    assert.equal(la, lb);
    // Two half-batch means weighted ½ each are the batch mean (up to float32 rounding).
    assert.ok(Math.abs(la - lc) < 1e-5 * Math.max(1, Math.abs(lc)), `${la} vs ${lc}`);
    here.step(1e-2, 0.9);
    there.step(1e-2, 0.9);
    whole.step(1e-2, 0.9);
    assert.ok(here.params.every((v, i) => v === there.params[i]), 'threaded shard changed the numbers');
    let maxDiff = 0;
    here.params.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - whole.params[i]))));
    assert.ok(maxDiff < 1e-4, `2 shards vs 1: ${maxDiff}`);
  } finally {
    [local, threaded, single].forEach((s) => s.close());
    net.dispose();
  }
});

test('training: same seed and shard count give the same network; no tensors left behind', async () => {
  const before = tf.memory().numTensors;
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const uniq = [-0.5, 0.5].map((c) => new Array(6).fill(c));
  const run = async (workers: number) => {
    const res = trainDenoiser(cfg, p, z, components, uniq, { steps: 12, batch: 32, seed: 5, workers, threads: false });
    const w = await res.net.exportWeights();
    assert.equal(res.parallel?.shards, workers);
    res.net.dispose();
    return w;
  };
  const a = await run(2);
  const b = await run(2);
  const c = await run(1);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  let maxDiff = 0;
  a.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - c[i]))));
  assert.ok(maxDiff < 1e-3, `2 shards vs 1 after 12 steps: ${maxDiff}`);
  assert.equal(tf.memory().numTensors, before);
});
