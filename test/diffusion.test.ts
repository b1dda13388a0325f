/**
 * The one diffusion code path, on synthetic data with a known answer: a 1-D bimodal Gaussian
 * mixture 0.3·N(−3, 0.5²) + 0.7·N(3, 0.5²) — the paper's Figure 2 in miniature.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { rng } from '../src/core/random.js';
import {
  alphaBars,
  defaultProcessConfig,
  drawBatch,
  makeProcess,
  parseSampler,
  Preconditioner,
  sample,
  timeGrid,
  veSigmaMax,
  type Family,
  type ProcessConfig,
} from '../src/diffusion/index.js';
import { MixcastError } from '../src/core/errors.js';
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
  const pre = new Preconditioner(p, { skip: 'none', bounds: { lo: [-8], hi: [8] } });
  const centersOf = (ks: number[]) => ks.map((k) => prior.centers[k]);
  const res = trainDenoiser(
    { d: 1, hidden: 64, blocks: 2, timeDim: 32, components: prior.centers.length, condition: 'none' },
    pre, { z: data, components: assign, centers: centersOf(assign) }, { steps, batch: 128, seed },
  );
  const r = rng(seed + 7);
  const comps = Array.from({ length: 800 }, () => (r.next() < prior.weights[0] ? 0 : 1) % prior.centers.length);
  const s = sample(res.net, pre, { components: comps, centers: centersOf(comps), scale: 1, sampler: parseSampler(sampler, p), seed });
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
  const net = new Denoiser({ d: 2, hidden: 8, blocks: 1, timeDim: 8, components: 1, condition: 'none' }, 3);
  const pre = new Preconditioner(p, { skip: 'none' });
  // Forward (Ho et al. Algorithm 1): the loss is ‖ε − ε_θ(sqrt(ᾱ) x0 + sqrt(1 − ᾱ) ε, t)‖² when
  // the only center is 0 — written out here with the batch's own draws.
  const b = drawBatch(p, { z, components: [0, 0], centers: [[0, 0], [0, 0]] }, [0, 1, 1], rng(5));
  const xt = [0, 1, 2].map((i) => {
    const step = Math.round(b.t[i] * 20);
    assert.ok(Math.abs(b.t[i] * 20 - step) < 1e-9, 'training times are on the grid');
    return [0, 1].map((q) => Math.sqrt(ab[step]) * b.x0[i * 2 + q] + Math.sqrt(1 - ab[step]) * b.eps[i * 2 + q]);
  });
  const manual = tf.tidy(() => {
    const e = net.apply(tf.tensor2d(xt), tf.tensor1d(Array.from(b.t)), tf.zeros([3], 'int32') as tf.Tensor1D);
    return tf.mean(tf.squaredDifference(e, tf.tensor2d(Array.from(b.eps), [3, 2]))).dataSync()[0];
  });
  const l = pre.loss(net, b);
  assert.ok(Math.abs(l.dataSync()[0] - manual) < 1e-6, `${l.dataSync()[0]} vs ${manual}`);
  l.dispose();
  // Reverse: the textbook ancestral loop with posterior variance β̃, written out here with the
  // same network and the same noise stream, gives the same samples as sample() with prior none.
  const got = sample(net, pre, { components: [0, 0, 0], centers: [[0, 0], [0, 0], [0, 0]], scale: 1, sampler: parseSampler('ddpm', p), seed: 11 });
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
  const pre = new Preconditioner(p, { skip: 'none' });
  const res = trainDenoiser({ d: 2, hidden: 64, blocks: 2, timeDim: 32, components: 1, condition: 'none' }, pre, { z, components: assign, centers: assign.map(() => prior.centers[0]) }, { steps: 400, batch: 128, seed: 2 });
  const s = sample(res.net, pre, { components: Array(200).fill(0), centers: Array(200).fill(prior.centers[0]), scale: 1, sampler: parseSampler('ddim:50', p), seed: 4, observed: { values: [2, null], jumps: 3 } });
  res.net.dispose();
  assert.ok(s.every((row) => Math.abs(row[0] - 2) < 1e-5), 'observed slot equals the observation');
  const mean = s.reduce((a, row) => a + row[1], 0) / s.length;
  assert.ok(mean > 1.2, `free slot mean ${mean.toFixed(2)} should follow the observed cluster (+2)`);
});

test('training and sampling leave the tensor count where it started', () => {
  const before = tf.memory().numTensors;
  const z = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i), i % 3]);
  const p = makeProcess(defaultProcessConfig('sgm-vp'));
  const pre = new Preconditioner(p, { skip: 'identity', bounds: { lo: [-5, -5, -5], hi: [5, 5, 5] } });
  const k = z.map((_, i) => i % 2);
  const res = trainDenoiser({ d: 3, hidden: 16, blocks: 1, timeDim: 8, components: 2, condition: 'component' }, pre, { z, components: k, centers: k.map((j) => [j, j, j]) }, { steps: 100, batch: 16, seed: 1, validation: 0.2, evalEvery: 25 });
  for (const sampler of ['ddim:5', 'em:5', 'pc:5', 'ode:5']) {
    sample(res.net, pre, { components: [0, 1, 1], centers: [[0, 0, 0], [1, 1, 1], [1, 1, 1]], scale: 1, sampler: parseSampler(sampler, p), seed: 1, observed: { values: [0.5, null, null] } });
  }
  res.net.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('an unknown family, schedule or out-of-range T is a typed error that names the field', () => {
  const bad = (c: Partial<ProcessConfig>, field: string) =>
    assert.throws(
      () => makeProcess({ ...defaultProcessConfig('ddpm'), ...c } as ProcessConfig),
      (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION' && e.message.startsWith(`${field} must`),
    );
  bad({ family: 'sgm-subvp' as Family }, 'family');
  bad({ schedule: 'quadratic' as ProcessConfig['schedule'] }, 'schedule');
  bad({ T: 1 }, 'T');
  assert.throws(() => defaultProcessConfig('ve' as Family), (e: unknown) => e instanceof MixcastError && /family must be one of ddpm, sgm-vp, sgm-ve/.test(e.message));
});

test('closed-form SDE coefficients: f = d log α/dt and g² = dσ²/dt − 2fσ² (checked by central differences)', () => {
  const h = 1e-6;
  for (const family of ['ddpm', 'sgm-vp', 'sgm-ve'] as const) {
    const p = makeProcess(defaultProcessConfig(family, { sigmaMax: 30 }));
    // Off the ddpm grid points (its log ᾱ is piecewise linear in t).
    for (const t of [0.0123, 0.2507, 0.5003, 0.7777, 0.9901]) {
      const { f, g2 } = p.sde(t);
      const fd = (Math.log(p.alpha(t + h)) - Math.log(p.alpha(t - h))) / (2 * h);
      const ds2 = (p.sigma(t + h) ** 2 - p.sigma(t - h) ** 2) / (2 * h);
      const g2d = ds2 - 2 * fd * p.sigma(t) ** 2;
      assert.ok(Math.abs(f - fd) <= 1e-4 * Math.max(1, Math.abs(f)), `${family} t=${t}: f ${f} vs ${fd}`);
      assert.ok(Math.abs(g2 - g2d) <= 1e-4 * Math.max(1, Math.abs(g2)), `${family} t=${t}: g² ${g2} vs ${g2d}`);
    }
  }
  // VP: f = −β(t)/2 and g² = β(t) exactly (Song et al. 2021, eq. 11).
  const vp = makeProcess(defaultProcessConfig('sgm-vp'));
  assert.deepEqual(vp.sde(0.5), { f: -0.5 * (0.1 + 0.5 * 19.9), g2: 0.1 + 0.5 * 19.9 });
});

test('the Langevin corrector uses α_i = 1 − β_i (Song et al. 2021, Algorithm 5), not the signal scale', () => {
  // For the ddpm family on its own 1000-step grid, exp(2 f Δt) is exactly ᾱ_i/ᾱ_{i−1} = 1 − β_i.
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const ab = alphaBars(1000, 'linear');
  for (const i of [10, 500, 990]) {
    const alphaI = Math.exp(2 * p.sde(i / 1000).f * (1 / 1000));
    assert.ok(Math.abs(alphaI - ab[i] / ab[i - 1]) < 1e-12);
    assert.ok(alphaI > 0.97, 'close to 1 at every level, unlike α(t)² (ᾱ)');
  }
  assert.ok(p.alpha(0.99) ** 2 < 1e-3, 'the signal scale squared is tiny at high noise');
  // VE: f = 0, so α_i = 1 (Algorithm 4).
  assert.equal(makeProcess(defaultProcessConfig('sgm-ve')).sde(0.5).f, 0);
});

test('addNoise, timesteps and step follow the diffusers contract', () => {
  const p = makeProcess(defaultProcessConfig('sgm-vp'));
  const t = 0.4;
  const row = p.addNoise([1, -2], [0.5, 0.25], t);
  assert.deepEqual(Array.from(row), [p.alpha(t) * 1 + p.sigma(t) * 0.5, p.alpha(t) * -2 + p.sigma(t) * 0.25]);
  const ts = p.timesteps(4);
  assert.equal(ts.length, 5);
  assert.equal(ts[0], 1);
  assert.equal(ts[4], 0);
  // With the true ε, a deterministic step recovers x̂0 exactly and lands on the forward marginal at s.
  tf.tidy(() => {
    const y0 = tf.tensor2d([[1.5], [-0.5]]);
    const e = tf.tensor2d([[0.3], [-1.2]]);
    const yt = p.addNoise(y0, e, 0.8);
    const out = p.step(e, 0.8, 0.3, yt, 0, () => { throw new Error('η = 0 draws no noise'); });
    const want = p.addNoise(y0, e, 0.3);
    const close = (a: tf.Tensor, b: tf.Tensor) => assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-5);
    close(out.x0, y0);
    close(out.prev, want);
  });
});

test('per-row centers and a context input reach the network: training and sampling', () => {
  // 1-D days x = u + 0.2·noise with context u ∈ {−2, 2} and one center at 0: only the context
  // tells the two apart, so samples given u = ±2 must follow it.
  const r = rng(8);
  const u = Array.from({ length: 400 }, () => [r.next() < 0.5 ? -2 : 2]);
  const z = u.map(([v]) => [v + 0.2 * r.normal()]);
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const pre = new Preconditioner(p, { skip: 'identity' });
  const cfg = { d: 1, hidden: 32, blocks: 1, timeDim: 16, components: 1, condition: 'none' as const, contextDim: 1 };
  const res = trainDenoiser(cfg, pre, { z, components: z.map(() => 0), centers: z.map(() => [0]), context: u }, { steps: 300, batch: 128, seed: 3 });
  const mean = (v: number) => {
    const s = sample(res.net, pre, { components: Array(200).fill(0), centers: Array(200).fill([0]), context: Array(200).fill([v]), scale: 1, sampler: parseSampler('ddim:20', p), seed: 2 });
    return s.reduce((a, x) => a + x[0], 0) / s.length;
  };
  const hi = mean(2);
  const lo = mean(-2);
  assert.ok(hi > 1 && lo < -1, `context +2 → mean ${hi.toFixed(2)}, −2 → ${lo.toFixed(2)}`);
  // Without its context the network is not called.
  assert.throws(() => sample(res.net, pre, { components: [0], centers: [[0]], scale: 1, sampler: parseSampler('ddim:5', p), seed: 1 }), /context must have 1 values per row/);
  res.net.dispose();
});

test('the former interface (component-indexed centers, skip from the network flag) gives the same numbers', () => {
  const z = Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const k = z.map((_, i) => i % 2);
  const centers = [[0.2, -0.1], [-0.3, 0.4]];
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const basis = { U: [[Math.SQRT1_2, -Math.SQRT1_2], [Math.SQRT1_2, Math.SQRT1_2]], lambda: [1.5, 0.5] };
  const cfg = { d: 2, hidden: 16, blocks: 1, timeDim: 8, components: 2, condition: 'component' as const };
  const old = trainDenoiser({ ...cfg, skip: true }, p, z, k, centers, { steps: 20, batch: 16, seed: 4, skipBasis: basis });
  const pre = new Preconditioner(p, { skip: 'covariance', basis, bounds: { lo: [-3, -3], hi: [3, 3] } });
  const now = trainDenoiser(cfg, pre, { z, components: k, centers: k.map((j) => centers[j]) }, { steps: 20, batch: 16, seed: 4 });
  const spec = parseSampler('ddim:10', p);
  const a = sample(old.net, p, { components: [0, 1, 1], centers, scale: 1, sampler: spec, seed: 3, bounds: { lo: [-3, -3], hi: [3, 3] }, skipBasis: basis });
  const b = sample(now.net, pre, { components: [0, 1, 1], centers: [centers[0], centers[1], centers[1]], scale: 1, sampler: spec, seed: 3 });
  assert.deepEqual(a, b);
  old.net.dispose();
  now.net.dispose();
});
