/** The Gaussian skip: eigenbasis, the exact-ε identity, and a structured prior that is useful at step 0. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { rng } from '../src/random.js';
import { symmetricEigen, pooledCovarianceBasis } from '../src/prior/covariance.js';
import { defaultProcessConfig, makeProcess, noiseBatch, skipGains, epsLoss } from '../src/diffusion/index.js';
import { Denoiser } from '../src/nn/denoiser.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';

before(async () => {
  await initBackend('wasm');
});

test('symmetricEigen reconstructs a symmetric matrix; the pooled basis is orthonormal', () => {
  const r = rng(1);
  const d = 6;
  const B = Array.from({ length: d }, () => Array.from({ length: d }, () => r.normal()));
  const A = B.map((_, p) => B.map((_, q) => B[p].reduce((s, _, k) => s + B[p][k] * B[q][k], 0)));
  const { U, lambda } = symmetricEigen(A);
  for (let p = 0; p < d; p++) {
    for (let q = 0; q < d; q++) {
      const rec = U[p].reduce((s, _, j) => s + U[p][j] * lambda[j] * U[q][j], 0);
      assert.ok(Math.abs(rec - A[p][q]) < 1e-8);
      const dot = U.reduce((s, row) => s + row[p] * row[q], 0);
      assert.ok(Math.abs(dot - (p === q ? 1 : 0)) < 1e-9);
    }
  }
  const z = Array.from({ length: 50 }, () => { const a = r.normal(); return [a, a + 0.1 * r.normal(), r.normal()]; });
  const basis = pooledCovarianceBasis(z, z.map(() => 0), [[0, 0, 0]]);
  assert.ok(Math.max(...basis.lambda) > 1.5, 'the correlated pair shows up as a large eigenvalue');
  assert.ok(basis.shrinkage > 0 && basis.shrinkage < 0.1);
});

test('with Gaussian data around the centers, the skip term alone is the optimal ε-predictor', () => {
  // Data exactly N(c_k, Σ): a zero network plus the covariance skip should beat a zero network
  // plus the identity skip, which should beat the bare zero network.
  const r = rng(2);
  const L = [[1, 0], [0.9, 0.3]];
  const centers = [[-2, 1], [2, -1]];
  const assign = Array.from({ length: 400 }, (_, i) => i % 2);
  const z = assign.map((k) => { const e = [r.normal(), r.normal()]; return [centers[k][0] + L[0][0] * e[0], centers[k][1] + L[1][0] * e[0] + L[1][1] * e[1]]; });
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const basis = pooledCovarianceBasis(z, assign, centers);
  const cfg = { d: 2, hidden: 8, blocks: 1, timeDim: 8, components: 2, condition: 'none' as const };
  const zero = (skip: boolean) => {
    const n = new Denoiser({ ...cfg, skip }, 1);
    n.vars.forEach((v) => v.assign(tf.zerosLike(v)));
    return n;
  };
  const rows = Array.from({ length: 4000 }, (_, i) => i % 400);
  const loss = (net: Denoiser, withBasis: boolean) => {
    const b = noiseBatch(p, z, assign, centers, rows, rng(3), withBasis ? basis : null);
    const U = withBasis ? tf.tensor2d(basis.U) : null;
    const l = epsLoss(net, b, 2, U);
    const v = l.dataSync()[0];
    l.dispose();
    U?.dispose();
    return v;
  };
  const bare = zero(false), skip = zero(true);
  const lBare = loss(bare, false), lId = loss(skip, false), lCov = loss(skip, true);
  assert.ok(Math.abs(lBare - 1) < 0.05, `zero network: loss ≈ E‖ε‖²/d = 1 (got ${lBare})`);
  assert.ok(lId < lBare * 0.8, `identity skip ${lId} < bare ${lBare}`);
  assert.ok(lCov < lId * 0.9, `covariance skip ${lCov} < identity skip ${lId}`);
  // Gains: σ/(α²λ + σ²) per eigen-direction; Σ = I gives σ/(α² + σ²) = σ for VP.
  const g = skipGains(p, 0.5, null, 2);
  assert.ok(Math.abs(g[0] - p.sigma(0.5)) < 1e-6);
  bare.dispose();
  skip.dispose();
});

test('bank_calls_2003: with the covariance skip, a weekday model is useful after 25 steps; without it, not', async () => {
  const bank = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const meanErr = (skip: 'covariance' | 'none') => {
    const { model } = fitModel(bank, { prior: 'weekday', steps: 25, hidden: 64, blocks: 2, seed: 1, skip });
    const dayComp = new Map(model.manifest.data.dayComponents);
    let worst = 0;
    model.prior.components.forEach((c, k) => {
      const s = model.sampleDays({ components: Array(100).fill(k), seed: 2 });
      const m = s.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0) / s.length;
      const tr = bank.days.filter((d) => dayComp.get(d.date) === k).map((d) => d.values.reduce((x, y) => x + y, 0));
      worst = Math.max(worst, Math.abs(m / (tr.reduce((a, b) => a + b) / tr.length) - 1));
    });
    model.dispose();
    return worst;
  };
  const withSkip = meanErr('covariance');
  const without = meanErr('none');
  assert.ok(withSkip < 0.05, `covariance skip: worst weekday mean error ${withSkip.toFixed(3)} after 25 steps`);
  assert.ok(without > withSkip * 2, `no skip: ${without.toFixed(3)} vs ${withSkip.toFixed(3)}`);
});
