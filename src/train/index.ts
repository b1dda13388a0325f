/**
 * The training loop: seeded batches, Adam with linear warm-up and cosine decay, global-norm
 * gradient clipping, EMA weights (used for sampling), optional validation split with early
 * stopping on the EMA validation loss, and progress events.
 */
import * as tf from '@tensorflow/tfjs';
import { rng } from '../random.js';
import { Denoiser, type DenoiserConfig } from '../nn/denoiser.js';
import { epsLoss, noiseBatch, type NoisedBatch, type Process, type SkipBasis } from '../diffusion/index.js';

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
  /** Steps after which `onCheckpoint` sees the current EMA network (for steps-vs-quality curves). */
  checkpoints?: number[];
  onCheckpoint?: (step: number, ema: Denoiser) => void;
  /** Gaussian-skip basis (used when config.skip). */
  skipBasis?: SkipBasis | null;
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
};

/** Split day indices into train/validation deterministically (every ⌈1/share⌉-th day held out). */
export function splitDays(n: number, share: number): { train: number[]; val: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!(share > 0) || n < 4) return { train: all, val: [] };
  const every = Math.max(2, Math.round(1 / share));
  return { train: all.filter((i) => i % every !== every - 1), val: all.filter((i) => i % every === every - 1) };
}

export function trainDenoiser(
  config: DenoiserConfig,
  p: Process,
  z: number[][],
  assign: number[],
  centers: number[][],
  options: Partial<TrainLoopOptions> = {},
): TrainResult {
  const o = { ...defaultTrainLoopOptions, ...options };
  const d = config.d;
  const r = rng(o.seed);
  const net = new Denoiser(config, r.seed32());
  const ema = new Denoiser(config, 0);
  ema.copyFrom(net);
  const { train, val } = splitDays(z.length, o.validation);
  const basis = config.skip ? (o.skipBasis ?? null) : null;
  const U = basis ? tf.tensor2d(basis.U) : null;
  const opt = tf.train.adam(o.lr, 0.9, 0.999, 1e-8);
  const setLr = (step: number) => {
    const warm = Math.min(1, (step + 1) / Math.max(1, o.warmup));
    const prog = Math.min(1, step / Math.max(1, o.steps));
    const cos = o.lrFloor + (1 - o.lrFloor) * 0.5 * (1 + Math.cos(Math.PI * prog));
    (opt as unknown as { learningRate: number }).learningRate = o.lr * warm * cos;
  };
  // A fixed validation set: each held-out day at 8 noise levels, drawn once.
  let valBatch: NoisedBatch | null = null;
  if (val.length) {
    const vr = rng(o.seed ^ 0x5eed);
    const rows = val.flatMap((i) => Array(8).fill(i) as number[]);
    valBatch = noiseBatch(p, z, assign, centers, rows, vr, basis);
  }
  const evalVal = (): number | null => {
    if (!valBatch) return null;
    const l = epsLoss(ema, valBatch, d, U);
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  };
  const names = net.vars.map((v) => v.name);
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
  for (step = 0; step < o.steps; step++) {
    setLr(step);
    const rows = Array.from({ length: o.batch }, () => train[r.int(train.length)]);
    const batch = noiseBatch(p, z, assign, centers, rows, r, basis);
    const lossT = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => epsLoss(net, batch, d, U), net.vars);
      const list = names.map((n) => grads[n]);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      const factor = tf.minimum(1, tf.div(o.clip, tf.add(norm, 1e-6)));
      const clipped: tf.NamedTensorMap = {};
      names.forEach((n, i) => (clipped[n] = tf.mul(list[i], factor)));
      opt.applyGradients(clipped as unknown as Parameters<typeof opt.applyGradients>[0]);
      const decay = Math.min(o.emaDecay, (1 + step) / (10 + step));
      ema.vars.forEach((v, i) => v.assign(tf.add(tf.mul(v, decay), tf.mul(net.vars[i], 1 - decay))));
      return value;
    });
    const lv = lossT.dataSync()[0];
    lossT.dispose();
    if (!Number.isFinite(lv)) throw new Error(`training diverged at step ${step + 1} (loss ${lv}); lower --lr`);
    lossAcc += lv;
    lossN++;
    const done = step + 1;
    const isEval = valBatch && (done % o.evalEvery === 0 || done === o.steps);
    if (isEval) {
      valLoss = evalVal();
      if (valLoss !== null && (best === null || valLoss < best.loss)) {
        best = { loss: valLoss, weights: ema.vars.length ? flatten(ema) : new Float32Array() };
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
    if (o.onCheckpoint && o.checkpoints?.includes(done)) o.onCheckpoint(done, ema);
    if (isEval && o.patience > 0 && sinceBest >= o.patience) {
      stoppedEarly = true;
      step++;
      break;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  if (best && (stoppedEarly || (valLoss !== null && best.loss < valLoss))) {
    ema.importWeights(best.weights, ema.layout());
  }
  opt.dispose();
  net.dispose();
  U?.dispose();
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
  };
}

function flatten(net: Denoiser): Float32Array {
  const parts = net.vars.map((v) => v.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((s, q) => s + q.length, 0));
  let o = 0;
  for (const q of parts) {
    out.set(q, o);
    o += q.length;
  }
  return out;
}
