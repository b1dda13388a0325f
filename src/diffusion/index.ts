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
  /** Centred input y = x_t − c, [B·d] (for the Gaussian skip). */
  y: Float32Array;
  /** Gaussian-skip gains σ/(α²λ_j + σ²) per row and eigen-direction j, [B·d]. */
  gain: Float32Array;
}

/**
 * The basis of the Gaussian skip: Σ = U diag(λ) Uᵀ (the pooled within-component covariance),
 * or null for Σ = I. The skip term is ε*(y) = U diag(σ/(α²λ + σ²)) Uᵀ y, the exact ε when the
 * centred data are N(0, Σ).
 */
export interface SkipBasis {
  U: number[][];
  lambda: number[];
}

/** ε* = ((y U) ⊙ gain) Uᵀ, or y ⊙ gain without a basis. */
function skipTerm(y: tf.Tensor2D, gain: tf.Tensor2D, U: tf.Tensor2D | null): tf.Tensor2D {
  if (!U) return tf.mul(y, gain);
  return tf.matMul(tf.mul(tf.matMul(y, U), gain), U, false, true);
}

export function skipGains(p: Process, t: number, basis: SkipBasis | null, d: number): Float32Array {
  const a = p.alpha(t);
  const s = p.sigma(t);
  const g = new Float32Array(d);
  for (let j = 0; j < d; j++) g[j] = basis ? s / (a * a * basis.lambda[j] + s * s) : skipScale(p, t);
  return g;
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
  basis: SkipBasis | null = null,
): NoisedBatch {
  const B = rows.length;
  const d = z[0].length;
  const xin = new Float32Array(B * d);
  const eps = new Float32Array(B * d);
  const t = new Float32Array(B);
  const k = new Int32Array(B);
  const ys = new Float32Array(B * d);
  const gain = new Float32Array(B * d);
  for (let b = 0; b < B; b++) {
    const i = rows[b];
    const tt = p.trainTime(r.next());
    const a = p.alpha(tt);
    const s = p.sigma(tt);
    const cin = inputScale(p, tt);
    gain.set(skipGains(p, tt, basis, d), b * d);
    const c = centers[assign[i]];
    const x0 = z[i];
    t[b] = tt;
    k[b] = assign[i];
    for (let q = 0; q < d; q++) {
      const e = r.normal();
      const y = a * (x0[q] - c[q]) + s * e;
      eps[b * d + q] = e;
      xin[b * d + q] = (c[q] + y) * cin;
      ys[b * d + q] = y;
    }
  }
  return { xin, t, k, eps, y: ys, gain };
}

/**
 * Mean squared ε-prediction error on a batch (a scalar tensor). With the Gaussian skip the
 * prediction is net + ε*(y); `U` is the skip basis as a tensor (null for Σ = I).
 */
export function epsLoss(net: Denoiser, batch: NoisedBatch, d: number, U: tf.Tensor2D | null = null): tf.Scalar {
  return tf.tidy(() => {
    const B = batch.t.length;
    const x = tf.tensor2d(batch.xin, [B, d]);
    const t = tf.tensor1d(batch.t);
    const k = tf.tensor1d(batch.k, 'int32');
    const target = tf.tensor2d(batch.eps, [B, d]);
    let pred = net.apply(x, t, k);
    if (net.config.skip) pred = tf.add(pred, skipTerm(tf.tensor2d(batch.y, [B, d]), tf.tensor2d(batch.gain, [B, d]), U));
    return tf.mean(tf.squaredDifference(pred, target)) as tf.Scalar;
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
  /** Gaussian-skip basis (when the network was trained with the skip); null/absent = Σ = I. */
  skipBasis?: SkipBasis | null;
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
  const basis = req.skipBasis ?? null;
  const U = net.config.skip && basis ? tf.tensor2d(basis.U) : null;
  const lo = req.bounds ? tf.tensor2d(req.bounds.lo, [1, d]) : null;
  const hi = req.bounds ? tf.tensor2d(req.bounds.hi, [1, d]) : null;
  const eps = (y: tf.Tensor2D, t: number) =>
    tf.tidy(() => {
      const x = tf.add(y, C) as tf.Tensor2D;
      const raw = net.apply(tf.mul(x, inputScale(p, t)) as tf.Tensor2D, tf.fill([n], t) as tf.Tensor1D, K);
      const e = net.config.skip ? (tf.add(raw, skipTerm(y, tf.tensor2d(skipGains(p, t, basis, d), [1, d]), U)) as tf.Tensor2D) : raw;
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
    U?.dispose();
    inpaint?.y0.dispose();
    inpaint?.mask.dispose();
  }
}
