/**
 * The training loop: seeded batches, Adam with linear warm-up and cosine decay, global-norm
 * gradient clipping, EMA weights (used for sampling), optional validation split with early
 * stopping on the EMA validation loss, and progress events.
 */
import * as tf from '@tensorflow/tfjs';
import { rng } from '../core/random.js';
import { Denoiser, type DenoiserConfig } from '../nn/denoiser.js';
import { FlatAdam } from '../nn/optimizer.js';
import { ShardedGradients, availableCores } from './parallel.js';
import {
  checkTrainingDays,
  drawBatch,
  legacyPreconditioner,
  Preconditioner,
  type Process,
  type SkipBasis,
  type TrainBatch,
  type TrainingDays,
} from '../diffusion/index.js';

export interface TrainLoopOptions {
  steps: number;
  batch: number;
  lr: number;
  warmup: number;
  /** Final learning rate as a fraction of lr (cosine decay). */
  lrFloor: number;
  clip: number;
  emaDecay: number;
  seed: number;
  /** Share of days held out for validation (0 = none). */
  validation: number;
  /** Evaluate validation loss every this many steps. */
  evalEvery: number;
  /** Stop after this many evaluations without improvement (0 = never). */
  patience: number;
  onProgress?: (e: ProgressEvent) => void;
  /** Emit a progress event every this many steps. */
  progressEvery: number;
  /**
   * Data-parallel shards per batch (src/train/parallel.ts): the gradient is the size-weighted sum
   * of the shards' gradients. Results depend on the seed and this number only.
   */
  workers: number;
  /**
   * Run shards 2.. on worker threads: `auto` when there is more than one core and the run has at
   * least 200 steps. Threads change the speed, never the numbers.
   */
  threads: boolean | 'auto';
  /** Steps after which `onCheckpoint` sees the current EMA network (for steps-vs-quality curves). */
  checkpoints?: number[];
  onCheckpoint?: (step: number, ema: Denoiser) => void;
  /**
   * Former interface only (`trainDenoiser(config, process, z, assign, centers, …)`): the
   * Gaussian-skip basis, used when `config.skip` is set. The current interface takes a Preconditioner.
   */
  skipBasis?: SkipBasis | null;
  /**
   * Warm start: the network's weights start as a copy of this one's (same configuration) instead
   * of a seeded draw; the schedule (warm-up, cosine decay, EMA) is as for a fresh start.
   */
  init?: Denoiser;
}

export interface ProgressEvent {
  step: number;
  steps: number;
  loss: number;
  valLoss: number | null;
  stepsPerSec: number;
  etaSeconds: number;
}

export interface TrainResult {
  /** The EMA network (the one to sample from). */
  net: Denoiser;
  steps: number;
  seconds: number;
  stepsPerSec: number;
  finalLoss: number;
  finalValLoss: number | null;
  bestValLoss: number | null;
  stoppedEarly: boolean;
  trainDays: number;
  valDays: number;
  lossCurve: { step: number; loss: number; valLoss: number | null }[];
  /** How the batches were split: shards, worker threads ready at the end, shards they computed. */
  parallel?: { shards: number; threads: number; offloadedShards: number };
}

export const defaultTrainLoopOptions: TrainLoopOptions = {
  steps: 3000,
  batch: 256,
  lr: 2e-3,
  warmup: 100,
  lrFloor: 0.05,
  clip: 1,
  emaDecay: 0.995,
  seed: 0,
  validation: 0,
  evalEvery: 250,
  patience: 0,
  progressEvery: 50,
  workers: 2,
  threads: 'auto',
};

/** The first field in which two network configurations differ (`name a → b`), or null when they match. */
export function networkDifference(a: DenoiserConfig, b: DenoiserConfig): string | null {
  const fields = ['d', 'hidden', 'blocks', 'timeDim', 'components', 'condition', 'contextDim'] as const;
  for (const f of fields) {
    const x = a[f] ?? 0;
    const y = b[f] ?? 0;
    if (x !== y) return `${f} ${String(y)} → ${String(x)}`;
  }
  return null;
}

/** Split day indices into train/validation deterministically (every ⌈1/share⌉-th day held out). */
export function splitDays(n: number, share: number): { train: number[]; val: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!(share > 0) || n < 4) return { train: all, val: [] };
  const every = Math.max(2, Math.round(1 / share));
  return { train: all.filter((i) => i % every !== every - 1), val: all.filter((i) => i % every === every - 1) };
}

/**
 * Train a denoiser on `days` (one row per training day: clean day, component label, center,
 * optional context) with the loss of the Preconditioner `pre` (centring on each row's center,
 * Gaussian skip, c_in). Returns the EMA network.
 *
 * The second form is the former interface (component-indexed centers, the skip from
 * `config.skip` and `options.skipBasis`), kept for the benchmarks.
 */
export function trainDenoiser(config: DenoiserConfig, pre: Preconditioner, days: TrainingDays, options?: Partial<TrainLoopOptions>): TrainResult;
export function trainDenoiser(config: DenoiserConfig, p: Process, z: number[][], assign: number[], centers: number[][], options?: Partial<TrainLoopOptions>): TrainResult;
export function trainDenoiser(
  config: DenoiserConfig,
  preOrProcess: Preconditioner | Process,
  daysOrZ: TrainingDays | number[][],
  a?: number[] | Partial<TrainLoopOptions>,
  b?: number[][],
  c?: Partial<TrainLoopOptions>,
): TrainResult {
  if (preOrProcess instanceof Preconditioner) return train(config, preOrProcess, daysOrZ as TrainingDays, (a as Partial<TrainLoopOptions> | undefined) ?? {});
  const assign = a as number[];
  const o = c ?? {};
  const pre = legacyPreconditioner(preOrProcess, config.skip, o.skipBasis);
  return train(config, pre, { z: daysOrZ as number[][], components: assign, centers: assign.map((k) => b![k]) }, o);
}

function train(config: DenoiserConfig, pre: Preconditioner, days: TrainingDays, options: Partial<TrainLoopOptions>): TrainResult {
  const o = { ...defaultTrainLoopOptions, ...options };
  const { n, d } = checkTrainingDays(days);
  if (d !== config.d) throw new Error(`training days have ${d} values; the network expects ${config.d}`);
  const p = pre.process;
  const r = rng(o.seed);
  const net = new Denoiser(config, r.seed32());
  if (o.init) {
    const diff = networkDifference(config, o.init.config);
    if (diff) throw new Error(`the warm-start network differs: ${diff}`);
    net.copyFrom(o.init);
  }
  const ema = new Denoiser(config, 0);
  ema.copyFrom(net);
  const { train, val } = splitDays(n, o.validation);
  // Adam, clipping and the EMA run on the JS side over one flat vector (src/nn/optimizer.ts).
  const opt = new FlatAdam(net.vars, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clip: o.clip });
  let lr = o.lr;
  const setLr = (step: number) => {
    const warm = Math.min(1, (step + 1) / Math.max(1, o.warmup));
    const prog = Math.min(1, step / Math.max(1, o.steps));
    const cos = o.lrFloor + (1 - o.lrFloor) * 0.5 * (1 + Math.cos(Math.PI * prog));
    lr = o.lr * warm * cos;
  };
  // A fixed validation set: each held-out day at 8 noise levels, drawn once.
  let valBatch: TrainBatch | null = null;
  if (val.length) {
    const vr = rng(o.seed ^ 0x5eed);
    const rows = val.flatMap((i) => Array(8).fill(i) as number[]);
    valBatch = drawBatch(p, days, rows, vr);
  }
  const evalVal = (): number | null => {
    if (!valBatch) return null;
    opt.writeEma(ema.vars);
    const l = pre.loss(ema, valBatch);
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  };
  const useThreads = o.threads === 'auto' ? availableCores() > 1 && o.steps >= 200 : o.threads;
  const shards = new ShardedGradients(net, pre, opt, { shards: Math.max(1, Math.floor(o.workers)), threads: useThreads, backend: tf.getBackend() });
  const start = performance.now();
  let lastLoss = NaN;
  let best: { loss: number; weights: Float32Array } | null = null;
  let sinceBest = 0;
  let stoppedEarly = false;
  let step = 0;
  let valLoss: number | null = null;
  const lossCurve: TrainResult['lossCurve'] = [];
  let lossAcc = 0;
  let lossN = 0;
  try {
    for (step = 0; step < o.steps; step++) {
      setLr(step);
      const rows = Array.from({ length: o.batch }, () => train[r.int(train.length)]);
      const batch = drawBatch(p, days, rows, r);
      opt.zeroGrad();
      const lv = shards.step(batch);
      opt.step(lr, Math.min(o.emaDecay, (1 + step) / (10 + step)));
      if (!Number.isFinite(lv)) throw new Error(`training diverged at step ${step + 1} (loss ${lv}); lower the learning rate (lr)`);
      lossAcc += lv;
      lossN++;
      const done = step + 1;
      const isEval = valBatch && (done % o.evalEvery === 0 || done === o.steps);
      if (isEval) {
        valLoss = evalVal();
        if (valLoss !== null && (best === null || valLoss < best.loss)) {
          best = { loss: valLoss, weights: Float32Array.from(opt.ema) };
          sinceBest = 0;
        } else {
          sinceBest++;
        }
      }
      if (done % o.progressEvery === 0 || done === o.steps || isEval) {
        lastLoss = lossAcc / lossN;
        lossCurve.push({ step: done, loss: lastLoss, valLoss: isEval ? valLoss : null });
        lossAcc = 0;
        lossN = 0;
        const secs = (performance.now() - start) / 1000;
        const sps = done / Math.max(secs, 1e-9);
        o.onProgress?.({ step: done, steps: o.steps, loss: lastLoss, valLoss, stepsPerSec: sps, etaSeconds: (o.steps - done) / sps });
      }
      if (o.onCheckpoint && o.checkpoints?.includes(done)) {
        opt.writeEma(ema.vars);
        o.onCheckpoint(done, ema);
      }
      if (isEval && o.patience > 0 && sinceBest >= o.patience) {
        stoppedEarly = true;
        step++;
        break;
      }
    }
  } finally {
    shards.close();
  }
  const seconds = (performance.now() - start) / 1000;
  opt.writeEma(ema.vars);
  if (best && (stoppedEarly || (valLoss !== null && best.loss < valLoss))) {
    ema.importWeights(best.weights, ema.layout());
  }
  const parallel = { shards: Math.max(1, Math.floor(o.workers)), threads: shards.threadsUsed, offloadedShards: shards.offloaded };
  net.dispose();
  return {
    net: ema,
    steps: step,
    seconds,
    stepsPerSec: step / Math.max(seconds, 1e-9),
    finalLoss: lastLoss,
    finalValLoss: valLoss,
    bestValLoss: best?.loss ?? null,
    stoppedEarly,
    trainDays: train.length,
    valDays: val.length,
    lossCurve,
    parallel,
  };
}
