/**
 * Speed-benchmark measurements, each run in its own child process (tfjs holds one global backend,
 * and the child's peak RSS is then the measurement's own).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/backend.js';
import { dense } from '../../src/nn/dense.js';
import { Denoiser, parameterCount, type DenoiserConfig } from '../../src/nn/denoiser.js';
import { defaultProcessConfig, makeProcess } from '../../src/diffusion/index.js';
import { trainDenoiser } from '../../src/train/index.js';
import { fitModel, defaultFitOptions, type FitOptions } from '../../src/train/fit.js';
import { pooledCovarianceBasis } from '../../src/prior/covariance.js';
import { saveModel, loadModel } from '../../src/model/bundle.js';
import { rng } from '../../src/random.js';
import { WorkerPool } from '../../src/server/executor.js';
import { startServer } from '../../src/server/index.js';
import type { ScenarioUnit } from '../../src/scenarios/plan.js';
import { CHUNK_SIZE } from '../../src/scenarios/plan.js';
import { DATASETS, loadDataset } from './common.js';

export type SpeedTask =
  | { kind: 'train'; backend: BackendName; shape: TrainShape; steps: number }
  | { kind: 'prepare'; dir: string; hidden: number }
  | { kind: 'sample'; backend: BackendName; dir: string; hidden: number; sampler: string; workers: number; count: number }
  | { kind: 'api'; backend: BackendName; dir: string; workers: number; requests: number; count: number }
  | { kind: 'profile'; backend: BackendName; steps: number };

/**
 * reference-mlp: the PyTorch reference's shape; denoiser-48: the project's Denoiser at d = 48,
 * hidden 256 (the reference's nearest equivalent); default-model: fitModel with the library
 * defaults (hidden 128, covariance skip); default-skip-none: the same with skip none (the skip's
 * cost); hidden-256-model: the defaults at the previous width 256.
 */
export type TrainShape = 'reference-mlp' | 'denoiser-48' | 'default-model' | 'default-skip-none' | 'hidden-256-model';

const rssMiB = () => +(process.resourceUsage().maxRSS / 1024).toFixed(1);

/** The PyTorch reference's exact shape: input 128 → 256 → 256 → 256 → 48 (ReLU), MSE, Adam, batch 256. */
function referenceMlp(steps: number, batch = 256) {
  const r = rng(1);
  const init = (a: number, b: number) => tf.variable(tf.tensor2d(Float32Array.from({ length: a * b }, () => r.normal() * Math.sqrt(2 / (a + b))), [a, b]));
  const sizes = [128, 256, 256, 256, 48];
  const W = sizes.slice(0, -1).map((s, i) => init(s, sizes[i + 1]));
  const B = sizes.slice(1).map((s) => tf.variable(tf.zeros([s])));
  const vars = [...W, ...B];
  const opt = tf.train.adam(1e-3);
  const x = tf.tensor2d(Float32Array.from({ length: batch * 128 }, () => r.normal()), [batch, 128]);
  const y = tf.tensor2d(Float32Array.from({ length: batch * 48 }, () => r.normal()), [batch, 48]);
  const step = () => {
    const loss = opt.minimize(
      () => {
        let h = x as tf.Tensor2D;
        for (let i = 0; i < W.length; i++) {
          h = dense(h, W[i] as unknown as tf.Tensor2D, B[i] as unknown as tf.Tensor1D);
          if (i < W.length - 1) h = tf.relu(h);
        }
        return tf.mean(tf.squaredDifference(h, y)) as tf.Scalar;
      },
      true,
      vars,
    );
    loss!.dataSync();
    loss!.dispose();
  };
  for (let i = 0; i < 5; i++) step(); // warm-up (kernel compilation)
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  const params = vars.reduce((a, v) => a + v.size, 0);
  return { stepsPerSec: steps / seconds, seconds, steps, params, shape: 'MLP 128 → 256 → 256 → 256 → 48, ReLU, MSE, Adam, batch 256 (project dense op)' };
}

function denoiserConfig(d: number): DenoiserConfig {
  return { d, hidden: 256, blocks: 3, timeDim: 64, components: 1, condition: 'none' };
}

/** The project's training loop (noising in JS, Adam, clipping, EMA) on the Denoiser with d = 48. */
function denoiser48(steps: number) {
  const r = rng(2);
  const z = Array.from({ length: 200 }, () => Array.from({ length: 48 }, () => r.normal()));
  const assign = z.map(() => 0);
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const cfg = denoiserConfig(48);
  trainDenoiser(cfg, p, z, assign, [new Array(48).fill(0)], { steps: 5, batch: 256, seed: 1 }).net.dispose(); // warm-up
  const res = trainDenoiser(cfg, p, z, assign, [new Array(48).fill(0)], { steps, batch: 256, seed: 1 });
  const params = parameterCount(res.net);
  res.net.dispose();
  return {
    stepsPerSec: res.stepsPerSec,
    seconds: res.seconds,
    steps,
    params,
    shape: 'Denoiser d = 48: in 48 → 256, time embedding 64 → 256 → 256, 3 residual blocks (256 → 256 twice + time 256 → 256), out 256 → 48; SiLU; batch 256; trainDenoiser (Adam, clipping, EMA)',
  };
}

async function defaultModel(steps: number, over: Partial<FitOptions> = {}) {
  const ds = await loadDataset(DATASETS.bank);
  fitModel(ds, { steps: 5, ...over }).model.dispose(); // warm-up
  const { model, summary } = fitModel(ds, { steps, ...over });
  const params = parameterCount(model.net);
  model.dispose();
  const f = { ...defaultFitOptions, ...over };
  return {
    stepsPerSec: summary.stepsPerSec,
    seconds: summary.seconds,
    steps,
    params,
    shape: `fitModel on bank_calls_2003 30-min (d = ${summary.d}): prior ${f.prior}, condition ${f.condition}, skip ${f.skip}, hidden ${f.hidden}, blocks ${f.blocks}, batch ${f.batch}`,
  };
}

/**
 * Time per kernel type over `steps` training steps of the default network (tf.profile): d = 28,
 * the library's default width, 5 components with the label, covariance skip.
 */
async function profile(steps: number) {
  const r = rng(3);
  const d = 28;
  const K = 5;
  const z = Array.from({ length: 150 }, () => Array.from({ length: d }, () => r.normal()));
  const assign = z.map((_, i) => i % K);
  const centers = Array.from({ length: K }, () => new Array(d).fill(0));
  const p = makeProcess(defaultProcessConfig('ddpm'));
  const cfg: DenoiserConfig = { d, hidden: defaultFitOptions.hidden, blocks: defaultFitOptions.blocks, timeDim: 64, components: K, condition: 'component', skip: true };
  const skipBasis = pooledCovarianceBasis(z, assign, centers);
  trainDenoiser(cfg, p, z, assign, centers, { steps: 3, batch: 256, seed: 1, skipBasis }).net.dispose();
  let t0 = 0;
  const info = await tf.profile(() => {
    t0 = performance.now();
    trainDenoiser(cfg, p, z, assign, centers, { steps, batch: 256, seed: 1, skipBasis }).net.dispose();
  });
  const wall = (performance.now() - t0) / 1000;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    byKernel.set(k.name, e);
  }
  const kernels = [...byKernel.entries()].map(([name, v]) => ({ name, ms: +v.ms.toFixed(1), calls: v.calls, msPerStep: +(v.ms / steps).toFixed(2) })).sort((a, b) => b.ms - a.ms);
  const kernelMs = kernels.reduce((a, k) => a + k.ms, 0);
  return { steps, network: `d ${d}, hidden ${cfg.hidden}, blocks ${cfg.blocks}, K ${K} + label, covariance skip, batch 256`, wallSeconds: wall, kernelSeconds: kernelMs / 1000, kernelsPerStep: Math.round(info.kernels.length / steps), kernels };
}

function units(components: number, count: number, sampler: string): ScenarioUnit[] {
  const out: ScenarioUnit[] = [];
  for (let offset = 0, chunk = 0; offset < count; offset += CHUNK_SIZE, chunk++) {
    const n = Math.min(CHUNK_SIZE, count - offset);
    out.push({ chunk, offset, n, dates: [{ dateIndex: 0, date: '2000-01-03', components: new Array(n).fill(components), seed: 100 + chunk, observed: null, ops: [] }], sampler, clamp: true, round: true });
  }
  return out;
}

export async function runTask(t: SpeedTask): Promise<Record<string, unknown>> {
  if (t.kind === 'prepare') {
    await initBackend('wasm');
    const ds = await loadDataset(DATASETS.bank);
    // the default network; a few steps only — sampling time does not depend on the weights
    const { model } = fitModel(ds, { steps: 20, hidden: t.hidden });
    await saveModel(model, t.dir);
    model.dispose();
    return { dir: t.dir };
  }
  const info = await initBackend(t.backend);
  const base = { backend: info.name };
  if (t.kind === 'train') {
    const r =
      t.shape === 'reference-mlp'
        ? referenceMlp(t.steps)
        : t.shape === 'denoiser-48'
          ? denoiser48(t.steps)
          : await defaultModel(t.steps, t.shape === 'hidden-256-model' ? { hidden: 256 } : t.shape === 'default-skip-none' ? { skip: 'none' } : {});
    return { ...base, ...r, peakRssMiB: rssMiB() };
  }
  if (t.kind === 'profile') return { ...base, ...(await profile(t.steps)) };
  if (t.kind === 'sample') {
    const list = units(0, t.count, t.sampler);
    if (t.workers === 0) {
      const model = loadModel(t.dir);
      model.sampleDays({ components: [0, 0], seed: 1, sampler: 'ddim:5' }); // warm-up
      const t0 = performance.now();
      for (const u of list) model.sampleDays({ components: u.dates[0].components, seed: u.dates[0].seed, sampler: u.sampler });
      const seconds = (performance.now() - t0) / 1000;
      model.dispose();
      return { ...base, seconds, workers: 0, units: list.length, peakRssMiB: rssMiB() };
    }
    const pool = await WorkerPool.start({ models: [{ id: 'm', dir: t.dir }], size: t.workers, backend: t.backend });
    try {
      await pool.runUnits('m', units(0, 2 * t.workers, 'ddim:5').map((u) => ({ ...u, n: 1, dates: [{ ...u.dates[0], components: [0] }] })), { cancelled: false }); // warm-up every worker
      const t0 = performance.now();
      const rows = await pool.runUnits('m', list, { cancelled: false });
      const seconds = (performance.now() - t0) / 1000;
      return { ...base, seconds, workers: t.workers, units: list.length, rows: rows.reduce((a, r) => a + r.length, 0), peakRssMiB: rssMiB() };
    } finally {
      await pool.close();
    }
  }
  // api
  const server = await startServer({ models: t.dir, port: 0, workers: t.workers, backend: t.backend, token: null });
  try {
    const date = '2003-10-27'; // a Monday after the training data
    const body = JSON.stringify({ dates: [date], count: t.count, seed: 0 });
    const call = async () => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/v1/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`POST /v1/scenarios → ${res.status}: ${text.slice(0, 300)}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 3; i++) await call();
    const ms: number[] = [];
    for (let i = 0; i < t.requests; i++) ms.push(await call());
    ms.sort((a, b) => a - b);
    const q = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)];
    return { ...base, workers: t.workers, requests: t.requests, count: t.count, p50ms: +q(0.5).toFixed(1), p95ms: +q(0.95).toFixed(1), meanMs: +(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(1), peakRssMiB: rssMiB() };
  } finally {
    await server.close();
  }
}

export const cores = () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

export function tmpModelDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-speed-')), 'model');
}
