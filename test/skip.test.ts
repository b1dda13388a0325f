/**
 * The Gaussian skip in the Preconditioner: eigenbasis, the exact-ε identity, a structured prior
 * that is useful at step 0, and where a bundle keeps it.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { rng } from '../src/core/random.js';
import { symmetricEigen, pooledCovarianceBasis } from '../src/prior/covariance.js';
import { defaultProcessConfig, drawBatch, makeProcess, parseSampler, Preconditioner, sample, type Family } from '../src/diffusion/index.js';
import { Denoiser } from '../src/nn/denoiser.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { loadModel, saveModel } from '../src/model/bundle.js';
import { preconditionerOf } from '../src/model/model.js';

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
  const net = new Denoiser({ d: 2, hidden: 8, blocks: 1, timeDim: 8, components: 2, condition: 'none' }, 1);
  net.vars.forEach((v) => v.assign(tf.zerosLike(v)));
  const days = { z, components: assign, centers: assign.map((k) => centers[k]) };
  const rows = Array.from({ length: 4000 }, (_, i) => i % 400);
  const loss = (pre: Preconditioner) => {
    const l = pre.loss(net, drawBatch(p, days, rows, rng(3)));
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  };
  const lBare = loss(new Preconditioner(p, { skip: 'none' }));
  const lId = loss(new Preconditioner(p, { skip: 'identity' }));
  const lCov = loss(new Preconditioner(p, { skip: 'covariance', basis }));
  assert.ok(Math.abs(lBare - 1) < 0.05, `zero network: loss ≈ E‖ε‖²/d = 1 (got ${lBare})`);
  assert.ok(lId < lBare * 0.8, `identity skip ${lId} < bare ${lBare}`);
  assert.ok(lCov < lId * 0.9, `covariance skip ${lCov} < identity skip ${lId}`);
  // Gains: σ/(α²λ + σ²) per eigen-direction; Σ = I gives σ/(α² + σ²) = σ for VP.
  const g = new Preconditioner(p, { skip: 'identity' }).skipGains(0.5, 2)!;
  assert.ok(Math.abs(g[0] - p.sigma(0.5)) < 1e-6);
  net.dispose();
});

/** Solve A x = b (small, SPD) by Gaussian elimination. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (M[r][n] - M[r].slice(r + 1, n).reduce((s, v, j) => s + v * x[r + 1 + j], 0)) / M[r][r];
  return x;
}

test('at step 0 (network output zero) the ε the samplers get is the exact ε of N(c, Σ), per row', () => {
  // Σ = L Lᵀ (d = 3); per-row centers that are not rows of a component table.
  const L = [[1.2, 0, 0], [0.6, 0.5, 0], [-0.3, 0.2, 0.4]];
  const Sigma = L.map((_, i) => L.map((_, j) => L[i].reduce((s, _, k) => s + L[i][k] * L[j][k], 0)));
  const { U, lambda } = symmetricEigen(Sigma);
  const C = [[0, 0, 0], [1, -2, 0.5], [3, 3, 3], [-1, 0.25, 2]];
  const Y = [[0.3, -0.2, 1], [2, 0.1, -0.5], [-1, -1, 0.7], [0.05, 0.4, -0.3]];
  const net = new Denoiser({ d: 3, hidden: 8, blocks: 1, timeDim: 8, components: 2, condition: 'component' }, 1);
  net.vars.forEach((v) => v.assign(tf.zerosLike(v)));
  for (const family of ['ddpm', 'sgm-vp', 'sgm-ve'] as Family[]) {
    const p = makeProcess(defaultProcessConfig(family));
    for (const [skip, S] of [['covariance', Sigma], ['identity', [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]] as const) {
      const pre = new Preconditioner(p, { skip, basis: { U, lambda } });
      const bound = pre.bind(net, { centers: C, components: [0, 1, 1, 0] });
      for (const t of [0.05, 0.5, 0.95]) {
        const a = p.alpha(t);
        const s = p.sigma(t);
        // y_t = α(x0 − c) + σε with x0 ~ N(c, Σ): E[ε | y_t] = σ (α²Σ + σ²I)⁻¹ y_t.
        const want = Y.map((y) => solve(S.map((row, i) => row.map((v, j) => a * a * v + (i === j ? s * s : 0))), y).map((v) => s * v));
        const e = bound.eps(tf.tensor2d(Y), t);
        const got = e.arraySync();
        e.dispose();
        for (let i = 0; i < 4; i++) for (let q = 0; q < 3; q++) {
          assert.ok(Math.abs(got[i][q] - want[i][q]) < 1e-4 * Math.max(1, Math.abs(want[i][q])), `${family} ${skip} t=${t} row ${i}: ${got[i][q]} vs ${want[i][q]}`);
        }
      }
      bound.dispose();
    }
  }
  // Sampling from the untrained (zero) model is sampling the prior N(c, Σ). (Probability-flow
  // ODE: deterministic DDIM with few steps shrinks Gaussian variance, by 7–20 % at 50 steps.)
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const pre = new Preconditioner(p, { skip: 'covariance', basis: { U, lambda } });
  const n = 4000;
  const xs = sample(net, pre, { components: Array(n).fill(1), centers: Array(n).fill(C[1]), scale: 1, sampler: parseSampler('ode:100', p), seed: 6 });
  const mean = [0, 1, 2].map((q) => xs.reduce((acc, x) => acc + x[q], 0) / n);
  for (let q = 0; q < 3; q++) assert.ok(Math.abs(mean[q] - C[1][q]) < 0.06, `mean ${mean[q]} vs ${C[1][q]}`);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    const cov = xs.reduce((acc, x) => acc + (x[i] - mean[i]) * (x[j] - mean[j]), 0) / (n - 1);
    assert.ok(Math.abs(cov - Sigma[i][j]) < 0.06 * Math.sqrt(Sigma[i][i] * Sigma[j][j]), `Σ[${i}][${j}] ${cov.toFixed(3)} vs ${Sigma[i][j].toFixed(3)}`);
  }
  net.dispose();
});

test('bank_calls_2003: with the covariance skip, a weekday model is useful after 25 steps; without it, not', async () => {
  const bank = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const meanErr = (skip: 'covariance' | 'none') => {
    const { model } = fitModel(bank, { prior: 'weekday', steps: 25, hidden: 64, blocks: 2, seed: 1, skip });
    const dayComp = new Map(model.manifest.data.dayComponents);
    let worst = 0;
    model.prior.components.forEach((_c, k) => {
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

test('the skip lives in the bundle\'s preconditioner section; bundles with the former network.skip fields load the same', async () => {
  const bank = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = fitModel(bank, { prior: 'weekday', steps: 10, hidden: 16, blocks: 1, seed: 1, skip: 'covariance', context: 'off' });
  assert.equal(model.manifest.preconditioner?.skip, 'covariance');
  assert.equal(model.manifest.network.skip, undefined);
  assert.equal(model.manifest.network.skipBasis, undefined);
  const req = { components: [0, 1, 2, 3, 4], seed: 4 };
  const base = model.sampleDays(req);
  // Per-row centers equal to the component centers give the same numbers as the default.
  assert.deepEqual(model.sampleDays({ ...req, centers: req.components.map((k) => model.prior.centers[k]) }), base);
  assert.throws(() => model.sampleDays({ ...req, centers: [[1, 2]] }), /centers must have one row of 28 values per sample/);
  assert.throws(() => model.sampleDays({ ...req, context: req.components.map(() => [1]) }), /context must have one row of 0 values/);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-skip-')), 'm');
  await saveModel(model, dir);
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { preconditioner, ...rest } = m;
  fs.writeFileSync(file, JSON.stringify({ ...rest, network: { ...m.network, skip: true, skipBasis: preconditioner.basis } }));
  const legacy = loadModel(dir);
  assert.equal(legacy.preconditioner.skip, 'covariance');
  assert.deepEqual(legacy.sampleDays(req), base);
  const withFlag = (skip: boolean | undefined) => preconditionerOf({ ...legacy.manifest, network: { ...legacy.manifest.network, skip, skipBasis: undefined } }, legacy.process).skip;
  assert.equal(withFlag(true), 'identity');
  assert.equal(withFlag(false), 'none');
  assert.equal(withFlag(undefined), 'none');
  [model, legacy].forEach((x) => x.dispose());
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});
