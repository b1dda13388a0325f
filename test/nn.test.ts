import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import fs from 'node:fs';
import { dense, denseConst, denseReference, silu, siluReference } from '../src/nn/dense.js';
import { Denoiser, type DenoiserConfig, type NamedWeight } from '../src/nn/denoiser.js';
import { rng } from '../src/core/random.js';

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

test('custom SiLU and constant-input dense give the built-in gradients', () => {
  const r = rng(2);
  const x = randn(r, [6, 4]);
  const w = randn(r, [4, 3]);
  const b = tf.tensor1d([0.3, -0.1, 0.2]);
  const y = randn(r, [6, 3]);
  const close = (a: tf.Tensor, e: tf.Tensor, what: string) => {
    assert.deepEqual(a.shape, e.shape, what);
    const av = a.dataSync();
    const ev = e.dataSync();
    av.forEach((v, j) => assert.ok(Math.abs(v - ev[j]) < 1e-5, `${what}[${j}]: ${v} vs ${ev[j]}`));
  };
  const gs = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(silu(xx as tf.Tensor2D), y.slice([0, 0], [6, 3]).pad([[0, 0], [0, 1]]))))([x]);
  const gr = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(siluReference(xx as tf.Tensor2D), y.slice([0, 0], [6, 3]).pad([[0, 0], [0, 1]]))))([x]);
  close(gs[0], gr[0], 'silu dx');
  close(silu(x), siluReference(x), 'silu value');
  const xt = tf.transpose(x) as tf.Tensor2D;
  for (const withT of [false, true]) {
    const fast = tf.grads((ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.sin(denseConst(x, ww as tf.Tensor2D, bb as tf.Tensor1D, withT ? xt : undefined)), y)))([w, b]);
    const ref = tf.grads((ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.sin(denseReference(x, ww as tf.Tensor2D, bb as tf.Tensor1D)), y)))([w, b]);
    close(fast[0], ref[0], `denseConst dW (xt ${withT})`);
    close(fast[1], ref[1], `denseConst db (xt ${withT})`);
    tf.dispose([...fast, ...ref]);
  }
  tf.dispose([x, w, b, y, xt, ...gs, ...gr]);
});

interface LegacyCase {
  config: DenoiserConfig;
  layout: NamedWeight[];
  weights: number[];
  input: { x: number[]; t: number[]; k: number[]; u: number[] | null };
  output: number[][];
}
const legacy = JSON.parse(fs.readFileSync(new URL('./helpers/denoiser-layout-v1.json', import.meta.url), 'utf8')) as { cases: LegacyCase[] };

const run = (net: Denoiser, c: LegacyCase) =>
  tf.tidy(() => {
    const n = c.input.t.length;
    const u = c.input.u ? tf.tensor2d(c.input.u, [n, c.config.contextDim!]) : undefined;
    return net.apply(tf.tensor2d(c.input.x, [n, c.config.d]), tf.tensor1d(c.input.t), tf.tensor1d(c.input.k, 'int32'), u).arraySync();
  });
const assertClose = (a: number[][], e: number[][], tol: number, what: string) =>
  a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - e[i][j]) < tol, `${what} [${i}][${j}]: ${v} vs ${e[i][j]}`)));

test('denoiser: weights in the former layout (bundles of schema 1) load and give the same outputs', () => {
  for (const [i, c] of legacy.cases.entries()) {
    const net = new Denoiser(c.config, 99);
    net.importWeights(Float32Array.from(c.weights), c.layout);
    assertClose(run(net, c), c.output, 1e-5, `case ${i} (former weights)`);
    // The same seed draws the same network as the former code.
    const seeded = new Denoiser(c.config, 7 + i);
    assertClose(run(seeded, c), c.output, 1e-5, `case ${i} (seed ${7 + i})`);
    // A former layout that does not fit the config is refused.
    const other = new Denoiser({ ...c.config, hidden: c.config.hidden * 2 }, 1);
    assert.throws(() => other.importWeights(Float32Array.from(c.weights), c.layout));
    [net, seeded, other].forEach((n) => n.dispose());
  }
});

test('denoiser: rows sharing (t, k) through the shared path equal rows computed alone', () => {
  const cfg: DenoiserConfig = { d: 5, hidden: 12, blocks: 3, timeDim: 8, components: 3, condition: 'component' };
  const net = new Denoiser(cfg, 5);
  const r = rng(6);
  const n = 12;
  const x = Array.from({ length: n * 5 }, () => r.normal());
  const k = Array.from({ length: n }, (_, i) => i % 2);
  const together = tf.tidy(() => net.apply(tf.tensor2d(x, [n, 5]), new Float32Array(n).fill(0.25), k).arraySync());
  for (let i = 0; i < n; i++) {
    const alone = tf.tidy(() => net.apply(tf.tensor2d(x.slice(i * 5, i * 5 + 5), [1, 5]), [0.25], [k[i]]).arraySync());
    assertClose(alone, [together[i]], 1e-5, `row ${i}`);
  }
  net.dispose();
});

for (const shared of [false, true]) test(`denoiser: gradients through the fused layers equal those of the plain formula (${shared ? 'shared' : 'per-row'} conditioning path)`, () => {
  const cfg: DenoiserConfig = { d: 4, hidden: 8, blocks: 2, timeDim: 6, components: 3, condition: 'component', contextDim: 2 };
  const net = new Denoiser(cfg, 11);
  const r = rng(12);
  const n = 12;
  const x = tf.tensor2d(Array.from({ length: n * 4 }, () => r.normal()), [n, 4]);
  // shared: 3 distinct (t, k, u) rows among 12, so the conditioning path runs on 3 rows.
  const t = Array.from({ length: n }, (_, i) => (shared ? 0.5 : (i + 1) / (n + 1)));
  const k = Array.from({ length: n }, (_, i) => i % 3);
  const u = tf.tensor2d(Array.from({ length: n * 2 }, () => (shared ? 0.3 : r.normal())), [n, 2]);
  const target = tf.tensor2d(Array.from({ length: n * 4 }, () => r.normal()), [n, 4]);
  const V = new Map(net.names.map((name, i) => [name, net.vars[i] as unknown as tf.Tensor2D]));
  const plain = () => {
    const h = cfg.hidden;
    const f = (a: tf.Tensor, w: string, b?: string) => (b ? tf.add(tf.matMul(a as tf.Tensor2D, V.get(w)!), V.get(b)!) : tf.matMul(a as tf.Tensor2D, V.get(w)!));
    const sl = (a: tf.Tensor) => tf.mul(a, tf.sigmoid(a));
    const half = cfg.timeDim / 2;
    const freqs = tf.tensor2d(Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / (half - 1))), [1, half]);
    const arg = tf.matMul(tf.reshape(tf.mul(tf.tensor1d(t), 1000), [-1, 1]) as tf.Tensor2D, freqs);
    const feat = tf.concat([tf.sin(arg), tf.cos(arg)], 1);
    const cond = tf.concat([tf.oneHot(tf.tensor1d(k, 'int32'), 3).toFloat(), u], 1);
    const c = tf.add(f(sl(f(feat, 'time.w1', 'time.b1')), 'time.w2', 'time.b2'), f(cond, 'cond.w'));
    const p = f(sl(c), 'temb.w', 'temb.b');
    let hh = f(x, 'in.w', 'in.b');
    for (let i = 0; i < cfg.blocks; i++) {
      const a = tf.add(f(sl(hh), `block${i}.w1`), p.slice([0, i * h], [n, h]));
      hh = tf.add(hh, f(sl(a), `block${i}.w2`, `block${i}.b2`));
    }
    return f(sl(hh), 'out.w', 'out.b');
  };
  const loss = (fn: () => tf.Tensor) => () => tf.mean(tf.squaredDifference(fn(), target)) as tf.Scalar;
  const fast = tf.variableGrads(loss(() => net.apply(x, t, k, u)), net.vars);
  const ref = tf.variableGrads(loss(plain), net.vars);
  assert.ok(Math.abs(fast.value.dataSync()[0] - ref.value.dataSync()[0]) < 1e-5);
  for (const v of net.vars) {
    const a = fast.grads[v.name].dataSync();
    const e = ref.grads[v.name].dataSync();
    a.forEach((g, j) => assert.ok(Math.abs(g - e[j]) < 1e-5, `${v.name}[${j}]: ${g} vs ${e[j]}`));
  }
  tf.dispose([x, u, target, fast.value, ref.value, ...Object.values(fast.grads), ...Object.values(ref.grads)]);
  net.dispose();
});
