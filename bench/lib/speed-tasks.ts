/**
 * Speed-benchmark measurements, each run in its own child process (tfjs holds one global backend,
 * and the child's peak RSS is then the measurement's own). Everything runs on the default backend
 * (wasm). The PyTorch peer's side is bench/peer/peer.py; `prepare` and `ttq-data` write the data
 * files it reads, so both sides train on the same days.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.js';
import { dense } from '../../src/nn/dense.js';
import { FlatAdam } from '../../src/nn/optimizer.js';
import { parameterCount } from '../../src/nn/denoiser.js';
import { defaultTrainLoopOptions } from '../../src/train/index.js';
import { fitModel, defaultFitOptions } from '../../src/train/fit.js';
import { saveModel, loadModel } from '../../src/model/bundle.js';
import type { MixcastModel } from '../../src/model/model.js';
import { fromModelSpace, toModelSpace } from '../../src/transform/index.js';
import { defaultCalendarOptions } from '../../src/calendar/index.js';
import { rng } from '../../src/core/random.js';
import { WorkerPool } from '../../src/server/executor.js';
import { startServer } from '../../src/server/index.js';
import { planScenarios } from '../../src/scenarios/plan.js';
import { runUnitsNow } from '../../src/scenarios/run.js';
import { backtestRequest, modelMethod, scoreMethod, scoreSamples } from '../../src/eval/backtest.js';
import { heldOutDays } from './calls.js';
import { DATASETS, loadDataset, splitDays } from './common.js';

export type SpeedTask =
  | { kind: 'prepare'; dir: string; peerData: string }
  | { kind: 'train'; shape: 'reference-mlp' | 'default-model'; steps: number; shards?: number; threads?: boolean }
  | { kind: 'sample'; dir: string; sampler: string; workers: number; count: number }
  | { kind: 'api'; dir: string; workers: number; requests: number; count: number }
  | { kind: 'profile'; what: 'train' | 'sample'; dir: string }
  | { kind: 'ttq-data'; file: string }
  | { kind: 'ttq'; peerSamples: string | null; checkpoints: number[]; count: number };

const rssMiB = () => +(process.resourceUsage().maxRSS / 1024).toFixed(1);
const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const SAMPLE_DATE = '2003-10-27'; // a Monday after the training data

/**
 * The peer's reference shape: 128 → 256 → 256 → 256 → 48 (ReLU), MSE, Adam, batch 256, with the
 * project's dense op and flat Adam (one thread: the data-parallel shards belong to the denoiser).
 */
function referenceMlp(steps: number, batch = 256) {
  const r = rng(1);
  const init = (a: number, b: number) => tf.variable(tf.tensor2d(Float32Array.from({ length: a * b }, () => r.normal() * Math.sqrt(2 / (a + b))), [a, b]));
  const sizes = [128, 256, 256, 256, 48];
  const W = sizes.slice(0, -1).map((s, i) => init(s, sizes[i + 1]));
  const B = sizes.slice(1).map((s) => tf.variable(tf.zeros([s])));
  const vars = [...W, ...B];
  const opt = new FlatAdam(vars);
  const x = tf.tensor2d(Float32Array.from({ length: batch * 128 }, () => r.normal()), [batch, 128]);
  const y = tf.tensor2d(Float32Array.from({ length: batch * 48 }, () => r.normal()), [batch, 48]);
  const step = () => {
    opt.zeroGrad();
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        let h = x as tf.Tensor2D;
        for (let i = 0; i < W.length; i++) {
          h = dense(h, W[i] as unknown as tf.Tensor2D, B[i] as unknown as tf.Tensor1D);
          if (i < W.length - 1) h = tf.relu(h);
        }
        return tf.mean(tf.squaredDifference(h, y)) as tf.Scalar;
      }, vars);
      vars.forEach((v, i) => opt.addGrad(i, grads[v.name].dataSync()));
      value.dataSync();
    });
    opt.step(1e-3, 0);
  };
  for (let i = 0; i < 5; i++) step(); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const params = vars.reduce((a, v) => a + v.size, 0);
  return { stepsPerSec: steps / seconds, seconds, cpuSeconds: cpu, steps, params, shape: 'MLP 128 → 256 → 256 → 256 → 48, ReLU, MSE, Adam, batch 256 (project dense op, flat Adam, 1 thread)' };
}

/** fitModel with the library defaults on bank_calls_2003 (the default model). */
async function defaultModel(steps: number, shards?: number, threads?: boolean) {
  const ds = await loadDataset(DATASETS.bank);
  if (shards !== undefined) defaultTrainLoopOptions.workers = shards;
  if (threads !== undefined) defaultTrainLoopOptions.threads = threads;
  fitModel(ds, { steps: 5 }).model.dispose(); // warm-up
  const c0 = process.cpuUsage();
  const { model, summary } = fitModel(ds, { steps });
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const params = parameterCount(model.net);
  model.dispose();
  const f = defaultFitOptions;
  return {
    stepsPerSec: summary.stepsPerSec,
    seconds: summary.seconds,
    cpuSeconds: cpu,
    steps,
    params,
    shards: defaultTrainLoopOptions.workers,
    threads: defaultTrainLoopOptions.threads,
    shape: `fitModel on bank_calls_2003 30-min (d = ${summary.d}, K = ${summary.K}): prior ${f.prior}, condition ${f.condition}, skip ${f.skip}, hidden ${f.hidden}, blocks ${f.blocks}, batch ${f.batch}`,
  };
}

/** The peer's data file for the default model: model-space days, labels, centers, skip basis, bounds. */
function peerData(model: MixcastModel, values: number[][]) {
  const z = toModelSpace(model.transform, values);
  // One row per training day (a context-aware model trains on (day, origin) rows; the peer gets
  // the days with a context of the same width, which is all the time per step depends on).
  const components = model.manifest.data.dayComponents.map((e) => e[1]);
  const pre = model.preconditioner;
  return {
    z,
    components,
    centers: components.map((k) => model.prior.centers[k]),
    componentCenters: model.prior.centers,
    label: model.net.config.condition === 'component',
    contextDim: model.net.config.contextDim ?? 0,
    U: pre.skip === 'covariance' ? pre.basis!.U : null,
    lambda: pre.skip === 'covariance' ? pre.basis!.lambda : null,
    bounds: pre.bounds,
    net: { hidden: model.net.config.hidden, blocks: model.net.config.blocks, timeDim: model.net.config.timeDim, batch: defaultFitOptions.batch, lr: defaultFitOptions.lr },
  };
}

/** Kernels per training step (fitModel, one shard) or per sampler step (256 rows), by kernel name. */
async function profile(what: 'train' | 'sample', dir: string) {
  const kernelsOf = async (f: () => void) => {
    const info = await tf.profile(f);
    // Counts only: kernel times under tf.profile on a shared machine say little.
    const by = new Map<string, { calls: number }>();
    for (const k of info.kernels) {
      const e = by.get(k.name) ?? { calls: 0 };
      e.calls++;
      by.set(k.name, e);
    }
    return by;
  };
  let a: Map<string, { calls: number }>;
  let b: Map<string, { calls: number }>;
  let steps: number;
  let network: string;
  if (what === 'train') {
    const ds = await loadDataset(DATASETS.bank);
    defaultTrainLoopOptions.workers = 1;
    defaultTrainLoopOptions.threads = false;
    fitModel(ds, { steps: 3 }).model.dispose();
    // The difference between 20 and 10 steps is 10 steps' kernels, without the set-up around them.
    a = await kernelsOf(() => fitModel(ds, { steps: 10 }).model.dispose());
    b = await kernelsOf(() => fitModel(ds, { steps: 20 }).model.dispose());
    steps = 10;
    network = `default model (hidden ${defaultFitOptions.hidden}, label, skip ${defaultFitOptions.skip}), batch ${defaultFitOptions.batch}, one shard`;
  } else {
    const model = loadModel(dir);
    const plan = (sampler: string, count: number) => planScenarios(model, backtestRequest([SAMPLE_DATE], { count, seed: 1, sampler })).units;
    runUnitsNow(model, plan('ddim:5', 8));
    a = await kernelsOf(() => void runUnitsNow(model, plan('ddim:10', 256)));
    b = await kernelsOf(() => void runUnitsNow(model, plan('ddim:20', 256)));
    steps = 10;
    network = `default model, ddim, one unit of 256 scenarios`;
    model.dispose();
  }
  const names = new Set([...a.keys(), ...b.keys()]);
  const kernels = [...names]
    .map((name) => {
      const x = a.get(name) ?? { calls: 0 };
      const y = b.get(name) ?? { calls: 0 };
      return { name, calls: (y.calls - x.calls) / steps };
    })
    .filter((k) => k.calls > 0)
    .sort((p, q) => q.calls - p.calls);
  return { what, network, kernelsPerStep: kernels.reduce((s, k) => s + k.calls, 0), kernels };
}

export async function runTask(t: SpeedTask): Promise<Record<string, unknown>> {
  const info = await initBackend('wasm');
  const base = { backend: info.name };
  if (t.kind === 'prepare') {
    const ds = await loadDataset(DATASETS.bank);
    // The default network; a few steps only — sampling time does not depend on the weights.
    const { model } = fitModel(ds, { steps: 20 });
    await saveModel(model, t.dir);
    fs.writeFileSync(t.peerData, JSON.stringify(peerData(model, ds.days.map((d) => d.values))));
    model.dispose();
    return { ...base, dir: t.dir };
  }
  if (t.kind === 'train') {
    const r = t.shape === 'reference-mlp' ? referenceMlp(t.steps) : await defaultModel(t.steps, t.shards, t.threads);
    return { ...base, ...r, peakRssMiB: rssMiB() };
  }
  if (t.kind === 'profile') return { ...base, ...(await profile(t.what, t.dir)) };
  if (t.kind === 'sample') {
    // Plans come from the loaded model (a context model's units carry the context it computes).
    const planner = loadModel(t.dir);
    const plan = planScenarios(planner, backtestRequest([SAMPLE_DATE], { count: t.count, seed: 1, sampler: t.sampler }));
    if (t.workers === 0) {
      const model = loadModel(t.dir);
      runUnitsNow(model, planScenarios(model, backtestRequest([SAMPLE_DATE], { count: 8, seed: 2, sampler: 'ddim:5' })).units); // warm-up
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      runUnitsNow(model, plan.units);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds(process.cpuUsage(c0));
      model.dispose();
      return { ...base, seconds, cpuSeconds: cpu, workers: 0, units: plan.units.length, peakRssMiB: rssMiB() };
    }
    const pool = await WorkerPool.start({ models: [{ id: 'm', dir: t.dir }], size: t.workers, backend: 'wasm' });
    try {
      const warm = planScenarios(planner, backtestRequest([SAMPLE_DATE], { count: 8 * t.workers, seed: 2, sampler: 'ddim:5' }), {});
      await pool.runUnits('m', warm.units, { cancelled: false });
      const t0 = performance.now();
      const rows = await pool.runUnits('m', plan.units, { cancelled: false });
      const seconds = (performance.now() - t0) / 1000;
      return { ...base, seconds, workers: t.workers, units: plan.units.length, rows: rows.reduce((a, r) => a + r.length, 0), peakRssMiB: rssMiB() };
    } finally {
      await pool.close();
    }
  }
  if (t.kind === 'api') {
    // The same request through the worker pool without HTTP, then over HTTP.
    const planner = loadModel(t.dir);
    const plan = planScenarios(planner, backtestRequest([SAMPLE_DATE], { count: t.count, seed: 0, sampler: 'ddim:50' }));
    planner.dispose();
    const q = (ms: number[], p: number) => {
      const s = [...ms].sort((a, b) => a - b);
      return +s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)].toFixed(1);
    };
    const pool = await WorkerPool.start({ models: [{ id: 'm', dir: t.dir }], size: t.workers, backend: 'wasm' });
    const lib: number[] = [];
    try {
      for (let i = 0; i < 3 + t.requests; i++) {
        const t0 = performance.now();
        await pool.runUnits('m', plan.units, { cancelled: false });
        if (i >= 3) lib.push(performance.now() - t0);
      }
    } finally {
      await pool.close();
    }
    const server = await startServer({ models: t.dir, port: 0, workers: t.workers, backend: 'wasm', token: null });
    try {
      const body = JSON.stringify({ dates: [SAMPLE_DATE], count: t.count, seed: 0 });
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
      return { ...base, workers: t.workers, requests: t.requests, count: t.count, p50ms: q(ms, 0.5), p95ms: q(ms, 0.95), libraryP50ms: q(lib, 0.5), libraryP95ms: q(lib, 0.95), peakRssMiB: rssMiB() };
    } finally {
      await server.close();
    }
  }
  // time to quality: the training split of bank_calls_2003 and its selection window
  const ds = await loadDataset(DATASETS.bank);
  const split = splitDays(ds.days.length);
  const train = { ...ds, days: ds.days.slice(0, split.train) };
  const held = ds.days.slice(split.train, split.selectionEnd);
  if (t.kind === 'ttq-data') {
    const { model } = fitModel(train, { steps: 1, prior: 'none', condition: 'none', skip: 'none' });
    const data = peerData(model, train.days.map((d) => d.values));
    fs.writeFileSync(t.file, JSON.stringify({ ...data, U: null, lambda: null, label: false }));
    model.dispose();
    return { ...base, trainDays: train.days.length, heldDays: held.length };
  }
  const cal = defaultCalendarOptions({ holidays: ds.holidays });
  const days = heldOutDays(train, held, 'weekday', cal);
  let peer: { energy: number; seconds: number; steps: number } | null = null;
  if (t.peerSamples) {
    const p = JSON.parse(fs.readFileSync(t.peerSamples, 'utf8')) as { samples: number[][]; seconds: number; steps: number };
    // The peer's samples are model-space days of the same transform (fitted on the same training days).
    const { model } = fitModel(train, { steps: 1, prior: 'none', condition: 'none', skip: 'none' });
    const original = fromModelSpace(model.transform, p.samples);
    model.dispose();
    peer = { energy: scoreSamples(days.map(() => original), days, {}).aggregate.mean.energy, seconds: p.seconds, steps: p.steps };
  }
  const curve: { step: number; trainSeconds: number; energy: number }[] = [];
  let scoring = 0;
  const t0 = performance.now();
  const max = Math.max(...t.checkpoints);
  fitModel(train, {
    steps: max,
    checkpoints: t.checkpoints,
    onCheckpoint: (step, model) => {
      const s0 = performance.now();
      const trainSeconds = (s0 - t0) / 1000 - scoring;
      const energy = scoreMethod(modelMethod(model), days, { count: t.count, seeds: (i) => 1000 + i }).aggregate.mean.energy;
      curve.push({ step, trainSeconds, energy });
      scoring += (performance.now() - s0) / 1000;
    },
  }).model.dispose();
  const reached = peer ? curve.find((c) => c.energy <= peer!.energy) ?? null : null;
  return { ...base, trainDays: train.days.length, heldDays: days.length, count: t.count, peer, curve, reached, speedUp: peer && reached ? peer.seconds / reached.trainSeconds : null };
}

export const cores = () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-speed-'));
}
