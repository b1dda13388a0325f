import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { dense, denseReference } from '../src/nn/dense.js';
import { Denoiser } from '../src/nn/denoiser.js';
import { rng } from '../src/random.js';

before(async () => {
  await initBackend('wasm');
});

const randn = (r: ReturnType<typeof rng>, shape: [number, number]) =>
  tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => r.normal()), shape);

test('transpose-free dense backward equals the built-in gradient', () => {
  const r = rng(1);
  const x = randn(r, [7, 5]);
  const w = randn(r, [5, 3]);
  const b = tf.tensor1d([0.1, -0.2, 0.3]);
  const y = randn(r, [7, 3]);
  const loss = (f: typeof dense) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
    tf.sum(tf.mul(tf.sin(f(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D)), y));
  const gFast = tf.grads(loss(dense))([x, w, b]);
  const gRef = tf.grads(loss(denseReference))([x, w, b]);
  assert.equal(gFast.length, 3);
  for (let i = 0; i < 3; i++) {
    const a = gFast[i].dataSync();
    const e = gRef[i].dataSync();
    assert.deepEqual(gFast[i].shape, gRef[i].shape);
    for (let j = 0; j < a.length; j++) assert.ok(Math.abs(a[j] - e[j]) < 1e-5, `grad ${i}[${j}]: ${a[j]} vs ${e[j]}`);
  }
  // Forward values agree too.
  const f1 = dense(x, w, b).dataSync();
  const f2 = denseReference(x, w, b).dataSync();
  f1.forEach((v, j) => assert.ok(Math.abs(v - f2[j]) < 1e-6));
  tf.dispose([x, w, b, y, ...gFast, ...gRef]);
});

test('denoiser: same seed gives the same weights; component conditioning changes the output', async () => {
  const cfg = { d: 6, hidden: 16, blocks: 2, timeDim: 8, components: 3, condition: 'component' as const };
  const a = new Denoiser(cfg, 42);
  const b = new Denoiser(cfg, 42);
  const c = new Denoiser(cfg, 43);
  const wa = await a.exportWeights();
  assert.deepEqual(wa, await b.exportWeights());
  assert.notDeepEqual(wa, await c.exportWeights());
  const out = tf.tidy(() => {
    const x = tf.ones([2, 6]) as tf.Tensor2D;
    const t = tf.tensor1d([0.5, 0.5]);
    const y0 = a.apply(x, t, tf.tensor1d([0, 0], 'int32')).arraySync();
    const y1 = a.apply(x, t, tf.tensor1d([0, 2], 'int32')).arraySync();
    return { y0, y1 };
  });
  assert.deepEqual(out.y0[0], out.y1[0]);
  assert.notDeepEqual(out.y0[1], out.y1[1]);
  // Round trip through the flat weight format.
  c.importWeights(wa, a.layout());
  assert.deepEqual(await c.exportWeights(), wa);
  assert.throws(() => c.importWeights(wa.subarray(1), a.layout()));
  [a, b, c].forEach((n) => n.dispose());
});
