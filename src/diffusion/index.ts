/**
 * The one diffusion code path: forward noising, the ε-prediction loss inputs and sampling, all in
 * coordinates centred on the assigned mixture component. A prior with one zero center is the
 * standard DDPM/SGM; nothing below branches on it.
 */
import * as tf from '@tensorflow/tfjs';
import { optionError } from '../errors.js';
import { rng, type Rng } from '../random.js';
import type { Denoiser } from '../nn/denoiser.js';
import { inputScale, skipScale, type Process } from './process.js';
import { runSampler, type Inpaint, type SamplerName, type SamplerSpec } from './samplers.js';

export * from './process.js';
export { runSampler, timeGrid, type SamplerSpec, type SamplerName, type EpsFn } from './samplers.js';

/** A training batch built on the JS side (deterministic for a seeded stream). */
export interface NoisedBatch {
  /** Network input x_t · c_in(t), [B·d]. */
  xin: Float32Array;
  /** Times in [0, 1], [B]. */
  t: Float32Array;
  /** Component of each row, [B]. */
  k: Int32Array;
  /** Target noise ε, [B·d]. */
  eps: Float32Array;
  /** Gaussian-skip term skipScale(t)·(x_t − c), [B·d] (added to the network output when the network uses it). */
  base: Float32Array;
}

/**
 * Forward process for a batch: x_t = c + α(t)(x_0 − c) + σ(t) ε with c the center of each day's
 * component. `rows` are indices into `z`.
 */
export function noiseBatch(
  p: Process,
  z: number[][],
  assign: number[],
  centers: number[][],
  rows: number[],
  r: Rng,
): NoisedBatch {
  const B = rows.length;
  const d = z[0].length;
  const xin = new Float32Array(B * d);
  const eps = new Float32Array(B * d);
  const t = new Float32Array(B);
  const k = new Int32Array(B);
  const base = new Float32Array(B * d);
  for (let b = 0; b < B; b++) {
    const i = rows[b];
    const tt = p.trainTime(r.next());
    const a = p.alpha(tt);
    const s = p.sigma(tt);
    const cin = inputScale(p, tt);
    const sk = skipScale(p, tt);
    const c = centers[assign[i]];
    const x0 = z[i];
    t[b] = tt;
    k[b] = assign[i];
    for (let q = 0; q < d; q++) {
      const e = r.normal();
      const y = a * (x0[q] - c[q]) + s * e;
      eps[b * d + q] = e;
      xin[b * d + q] = (c[q] + y) * cin;
      base[b * d + q] = sk * y;
    }
  }
  return { xin, t, k, eps, base };
}

/** Mean squared ε-prediction error of the network on a batch (a scalar tensor). */
export function epsLoss(net: Denoiser, batch: NoisedBatch, d: number): tf.Scalar {
  return tf.tidy(() => {
    const B = batch.t.length;
    const x = tf.tensor2d(batch.xin, [B, d]);
    const t = tf.tensor1d(batch.t);
    const k = tf.tensor1d(batch.k, 'int32');
    // With the Gaussian skip the network fits the residual ε − skip·(x_t − c).
    const target = net.config.skip ? tf.tensor2d(batch.eps.map((e, i) => e - batch.base[i]), [B, d]) : tf.tensor2d(batch.eps, [B, d]);
    return tf.mean(tf.squaredDifference(net.apply(x, t, k), target)) as tf.Scalar;
  });
}

export function parseSampler(spec: string, p: Process): SamplerSpec {
  const m = /^(ddpm|ddim|em|pc|ode)(?::(\d+))?(?::(\d*\.?\d+))?$/.exec(spec.trim());
  if (!m) throw optionError(`unknown sampler "${spec}"; use ddpm, ddim:STEPS[:ETA], em:STEPS, pc:STEPS or ode:STEPS`);
  const name = m[1] as SamplerName;
  const defaultSteps = p.discrete ? p.config.T : 1000;
  const steps = m[2] ? Number(m[2]) : name === 'ddpm' ? defaultSteps : 50;
  if (!(steps >= 1 && steps <= 100000)) throw optionError(`sampler steps must be between 1 and 100000 (got ${m[2]})`);
  if (name === 'ddpm' && m[2] && p.discrete && steps !== p.config.T) {
    throw optionError(`ddpm ancestral sampling runs all ${p.config.T} steps; use ddim:${steps} for fewer`);
  }
  const eta = m[3] !== undefined ? Number(m[3]) : 0;
  if (m[3] !== undefined && name !== 'ddim') throw optionError(`only ddim takes an η (got "${spec}")`);
  if (!(eta >= 0 && eta <= 1)) throw optionError(`ddim η must be in [0, 1] (got ${m[3]})`);
  return { name, steps, eta };
}

export interface SampleRequest {
  /** Component of each sample. */
  components: number[];
  /** Centers (K × d) in model space. */
  centers: number[][];
  /** Prior scale: x_T = c + scale·ε. */
  scale: number;
  sampler: SamplerSpec;
  seed: number;
  /**
   * Per-interval bounds (model space) for the denoised estimate x̂_0: the network's ε̂ is replaced
   * by the ε implied by the clipped x̂_0 (as diffusers' `clip_sample`, per interval). Keeps
   * few-step and early-training samplers from diverging where α(t) is tiny.
   */
  bounds?: { lo: number[]; hi: number[] };
  /** Observed slots (model space, not centred) for intraday updating. */
  observed?: { values: (number | null)[]; jumps?: number };
}

/**
 * Draw samples in model space: start at c_k + scale·ε, run the sampler in centred coordinates
 * with the network seeing x = y + c, add c_k back. Returns n × d numbers.
 */
export function sample(net: Denoiser, p: Process, req: SampleRequest): number[][] {
  const n = req.components.length;
  const d = net.config.d;
  if (n === 0) return [];
  const r = rng(req.seed);
  const noise = (): tf.Tensor2D => {
    const a = new Float32Array(n * d);
    for (let i = 0; i < a.length; i++) a[i] = r.normal();
    return tf.tensor2d(a, [n, d]);
  };
  const cflat = new Float32Array(n * d);
  req.components.forEach((k, i) => cflat.set(req.centers[k], i * d));
  const C = tf.tensor2d(cflat, [n, d]);
  const K = tf.tensor1d(Int32Array.from(req.components), 'int32');
  let inpaint: Inpaint | undefined;
  if (req.observed) {
    const vals = req.observed.values;
    if (vals.length !== d) throw optionError(`observed values must have ${d} slots (got ${vals.length})`);
    const m = new Float32Array(d);
    const v = new Float32Array(d);
    vals.forEach((x, q) => {
      if (x !== null && Number.isFinite(x)) {
        m[q] = 1;
        v[q] = x;
      }
    });
    const y0 = tf.tidy(() => tf.sub(tf.tensor2d(v, [1, d]), C) as tf.Tensor2D);
    inpaint = { y0, mask: tf.tensor2d(m, [1, d]), jumps: req.observed.jumps ?? 4 };
  }
  const lo = req.bounds ? tf.tensor2d(req.bounds.lo, [1, d]) : null;
  const hi = req.bounds ? tf.tensor2d(req.bounds.hi, [1, d]) : null;
  const eps = (y: tf.Tensor2D, t: number) =>
    tf.tidy(() => {
      const x = tf.add(y, C) as tf.Tensor2D;
      const raw = net.apply(tf.mul(x, inputScale(p, t)) as tf.Tensor2D, tf.fill([n], t) as tf.Tensor1D, K);
      const e = net.config.skip ? (tf.add(raw, tf.mul(y, skipScale(p, t))) as tf.Tensor2D) : raw;
      const a = p.alpha(t);
      const s = p.sigma(t);
      if (!lo || !hi || s <= 0) return e;
      // x̂0 = c + (y − σ ε̂)/α, clipped per interval; then ε = (y − α(x̂0 − c))/σ.
      const x0 = tf.minimum(tf.maximum(tf.add(C, tf.div(tf.sub(y, tf.mul(e, s)), a)), lo), hi);
      return tf.div(tf.sub(y, tf.mul(tf.sub(x0, C), a)), s) as tf.Tensor2D;
    });
  try {
    const yT = tf.tidy(() => tf.mul(noise(), req.scale) as tf.Tensor2D);
    const y0 = runSampler(req.sampler, eps, yT, { process: p, noise, inpaint });
    yT.dispose();
    const x0 = tf.add(y0, C);
    y0.dispose();
    const flat = x0.dataSync() as Float32Array;
    x0.dispose();
    const out: number[][] = [];
    for (let i = 0; i < n; i++) out.push(Array.from(flat.subarray(i * d, (i + 1) * d)));
    return out;
  } finally {
    C.dispose();
    K.dispose();
    lo?.dispose();
    hi?.dispose();
    inpaint?.y0.dispose();
    inpaint?.mask.dispose();
  }
}
