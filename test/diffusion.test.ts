/**
 * The one diffusion code path, on synthetic data with a known answer: a 1-D bimodal Gaussian
 * mixture 0.3·N(−3, 0.5²) + 0.7·N(3, 0.5²) — the paper's Figure 2 in miniature.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { rng } from '../src/random.js';
import {
  alphaBars,
  defaultProcessConfig,
  makeProcess,
  noiseBatch,
  parseSampler,
  sample,
  timeGrid,
  veSigmaMax,
  type Family,
} from '../src/diffusion/index.js';
import { trainDenoiser } from '../src/train/index.js';
import { buildPrior } from '../src/prior/index.js';
import { Denoiser } from '../src/nn/denoiser.js';
import { wasserstein1 } from '../src/eval/scores.js';

before(async () => {
  await initBackend('wasm');
});

const mixture = (seed: number, n: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r.next() < 0.3 ? -3 : 3) + 0.5 * r.normal());
};

function run1d(family: Family, spec: string, seed: number, steps: number, sampler: string): number {
  const data = mixture(100 + seed, 1000).map((v) => [v]);
  const truth = mixture(900 + seed, 4000);
  const { prior, assign } = buildPrior(data, data.map(() => 'all'), { spec, seed });
  const over: Record<string, number> = {};
  if (family === 'sgm-ve') over.sigmaMax = veSigmaMax(data.map((x, i) => [x[0] - prior.centers[assign[i]][0]]), assign);
  const p = makeProcess(defaultProcessConfig(family, over));
  const res = trainDenoiser(
    { d: 1, hidden: 64, blocks: 2, timeDim: 32, components: prior.centers.length, condition: 'none' },
    p, data, assign, prior.centers, { steps, batch: 128, seed },
  );
  const r = rng(seed + 7);
  const comps = Array.from({ length: 800 }, () => (r.next() < prior.weights[0] ? 0 : 1) % prior.centers.length);
  const s = sample(res.net, p, { components: comps, centers: prior.centers, scale: 1, sampler: parseSampler(sampler, p), seed, bounds: { lo: [-8], hi: [8] } });
  res.net.dispose();
  return wasserstein1(s.map((x) => x[0]), truth);
}

for (const [family, sampler] of [['ddpm', 'ddpm'], ['sgm-vp', 'em:200']] as const) {
  test(`${family}: mixture prior (kmeans:2) beats the standard prior after 200 steps, 3 seeds`, () => {
    const mix: number[] = [];
    const std: number[] = [];
    for (const seed of [1, 2, 3]) {
      mix.push(run1d(family, 'kmeans:2', seed, 200, sampler));
      std.push(run1d(family, 'none', seed, 200, sampler));
    }
    // Threshold: W1 < 0.4 (the modes are 6 apart, each with sd 0.5) for the mixture prior.
    for (let i = 0; i < 3; i++) {
      assert.ok(mix[i] < 0.4, `seed ${i + 1}: mix W1 ${mix[i].toFixed(3)} should be < 0.4`);
      assert.ok(mix[i] < std[i], `seed ${i + 1}: mix W1 ${mix[i].toFixed(3)} should beat none ${std[i].toFixed(3)}`);
    }
  });
}

test('prior none is exactly the standard DDPM forward process and ancestral sampler', () => {
  const p = makeProcess(defaultProcessConfig('ddpm', { T: 20 }));
  const ab = alphaBars(20, 'linear');
  const z = [[0.5, -1], [2, 0.25]];
  // Forward: x_t = sqrt(ᾱ) x0 + sqrt(1 − ᾱ) ε when the only center is 0.
  const b = noiseBatch(p, z, [0, 0], [[0, 0]], [0, 1, 1], rng(5));
  for (let i = 0; i < 3; i++) {
    const step = Math.round(b.t[i] * 20);
    const x0 = z[i === 0 ? 0 : 1];
    for (let q = 0; q < 2; q++) {
      const expect = Math.sqrt(ab[step]) * x0[q] + Math.sqrt(1 - ab[step]) * b.eps[i * 2 + q];
      assert.ok(Math.abs(b.xin[i * 2 + q] - expect) < 1e-5);
    }
  }
  // Reverse: the textbook ancestral loop with posterior variance β̃, written out here with the
  // same network and the same noise stream, gives the same samples as sample() with prior none.
  const net = new Denoiser({ d: 2, hidden: 8, blocks: 1, timeDim: 8, components: 1, condition: 'none' }, 3);
  const got = sample(net, p, { components: [0, 0, 0], centers: [[0, 0]], scale: 1, sampler: parseSampler('ddpm', p), seed: 11 });
  const r = rng(11);
  const noise = () => tf.tensor2d(Float32Array.from({ length: 6 }, () => r.normal()), [3, 2]);
  let x = noise();
  for (let i = 20; i >= 1; i--) {
    const beta = 1 - ab[i] / ab[i - 1];
    const e = net.apply(x, tf.fill([3], i / 20) as tf.Tensor1D, tf.zeros([3], 'int32') as tf.Tensor1D);
    const mean = tf.mul(tf.sub(x, tf.mul(e, beta / Math.sqrt(1 - ab[i]))), 1 / Math.sqrt(1 - beta));
    if (i > 1) {
      const varT = (beta * (1 - ab[i - 1])) / (1 - ab[i]);
      x = tf.add(mean, tf.mul(noise(), Math.sqrt(varT))) as tf.Tensor2D;
    } else x = mean as tf.Tensor2D;
  }
  const ref = x.arraySync();
  for (let i = 0; i < 3; i++) for (let q = 0; q < 2; q++) assert.ok(Math.abs(got[i][q] - ref[i][q]) <= 1e-4 * Math.max(1, Math.abs(ref[i][q])), `${got[i][q]} vs ${ref[i][q]}`);
  net.dispose();
});

test('time grids and sampler specs', () => {
  const p = makeProcess(defaultProcessConfig('ddpm'));
  assert.deepEqual(timeGrid(p, 4), [1, 0.75, 0.5, 0.25, 0]);
  assert.equal(parseSampler('ddpm', p).steps, 1000);
  assert.deepEqual(parseSampler('ddim:50:0.5', p), { name: 'ddim', steps: 50, eta: 0.5 });
  assert.throws(() => parseSampler('ddim:x', p), /unknown sampler/);
  assert.throws(() => parseSampler('em:10:0.5', p), /only ddim takes/);
  const ve = makeProcess(defaultProcessConfig('sgm-ve', { sigmaMax: 5 }));
  assert.equal(ve.sigma(0), 0);
  assert.ok(Math.abs(ve.sigma(1) - 5) < 1e-9);
});

test('inpainting keeps observed slots and moves the free ones toward the observation', () => {
  // 2-D data: x2 = x1 exactly (perfect correlation); two clusters at ±2.
  const r = rng(3);
  const z = Array.from({ length: 600 }, () => {
    const v = (r.next() < 0.5 ? -2 : 2) + 0.3 * r.normal();
    return [v, v];
  });
  const { prior, assign } = buildPrior(z, z.map(() => 'all'), { spec: 'none', seed: 1 });
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const res = trainDenoiser({ d: 2, hidden: 64, blocks: 2, timeDim: 32, components: 1, condition: 'none' }, p, z, assign, prior.centers, { steps: 400, batch: 128, seed: 2 });
  const s = sample(res.net, p, { components: Array(200).fill(0), centers: prior.centers, scale: 1, sampler: parseSampler('ddim:50', p), seed: 4, observed: { values: [2, null], jumps: 3 } });
  res.net.dispose();
  assert.ok(s.every((row) => Math.abs(row[0] - 2) < 1e-5), 'observed slot equals the observation');
  const mean = s.reduce((a, row) => a + row[1], 0) / s.length;
  assert.ok(mean > 1.2, `free slot mean ${mean.toFixed(2)} should follow the observed cluster (+2)`);
});

test('training and sampling leave the tensor count where it started', () => {
  const before = tf.memory().numTensors;
  const z = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i), i % 3]);
  const p = makeProcess(defaultProcessConfig('sgm-vp'));
  const res = trainDenoiser({ d: 3, hidden: 16, blocks: 1, timeDim: 8, components: 2, condition: 'component' }, p, z, z.map((_, i) => i % 2), [[0, 0, 0], [1, 1, 1]], { steps: 100, batch: 16, seed: 1, validation: 0.2, evalEvery: 25 });
  for (const sampler of ['ddim:5', 'em:5', 'pc:5', 'ode:5']) {
    sample(res.net, p, { components: [0, 1, 1], centers: [[0, 0, 0], [1, 1, 1]], scale: 1, sampler: parseSampler(sampler, p), seed: 1, bounds: { lo: [-5, -5, -5], hi: [5, 5, 5] }, observed: { values: [0.5, null, null] } });
  }
  res.net.dispose();
  assert.equal(tf.memory().numTensors, before);
});
