/**
 * The Preconditioner (k-diffusion `layers.py` Denoiser style): everything between the raw
 * network and the diffusion maths, in one place, for both training and sampling.
 *
 * - centring: the sampler and the loss work in y = x − c with c the row's center (the prior's
 *   c_k, or a conditional center c(k, u)); the network sees x = y + c;
 * - input scaling: the network input is x·c_in(t), c_in = 1/sqrt(α² + σ²);
 * - the Gaussian skip: ε̂ = net + ε*(y), where ε*(y) = U diag(σ/(α²λ + σ²)) Uᵀ y is the exact ε
 *   of data distributed N(c, Σ), Σ = U diag(λ) Uᵀ (`covariance`) or I (`identity`); the network
 *   learns the departure from it, so at initialisation the model already is the prior;
 * - x̂0 clipping: x̂0 = c + (y − σε̂)/α is clipped to per-interval bounds and ε̂ replaced by the ε
 *   it implies (diffusers' `clip_sample`, per interval);
 * - per-row context u, passed to a network that takes one.
 *
 * `loss` (training) and `bind(...).eps` (sampling) are the only ways the network is called.
 */
import * as tf from '@tensorflow/tfjs';
import { optionError } from '../core/errors.js';
import type { Denoiser, LabelInput, TimeInput } from '../nn/denoiser.js';
import { inputScale, type Process } from './process.js';

/** Gaussian skip modes: the one list behind the type, `--skip` and the manifest schema. */
export const SKIP_MODES = ['covariance', 'identity', 'none'] as const;
export type SkipMode = (typeof SKIP_MODES)[number];

/** Σ = U diag(λ) Uᵀ; U's column j is the j-th eigenvector. */
export interface SkipBasis {
  U: number[][];
  lambda: number[];
}

export interface PreconditionerOptions {
  skip: SkipMode;
  /** Required for `covariance`. */
  basis?: SkipBasis | null;
  /** Per-interval bounds (model space) for x̂0 while sampling. */
  bounds?: { lo: number[]; hi: number[] } | null;
}

/** Per-row inputs besides y and t: center (model space), component label, optional context. */
export interface RowInputs {
  centers: number[][];
  components: number[];
  context?: number[][] | null;
}

/** Random draws of one training batch (float64 so the noised inputs are computed exactly once). */
export interface TrainBatch {
  /** Clean days x0, [B·d]. */
  x0: Float64Array;
  /** Each row's center c, [B·d]. */
  c: Float64Array;
  /** Target noise ε, [B·d]. */
  eps: Float64Array;
  /** Times in (0, 1], [B]. */
  t: Float64Array;
  /** Component labels, [B]. */
  k: Int32Array;
  /** Context rows, [B·m] (m = 0: none). */
  u: Float32Array;
  m: number;
}

/** The preconditioned ε-function over a fixed set of rows; `dispose` frees its tensors. */
export interface BoundDenoiser {
  eps: (y: tf.Tensor2D, t: number) => tf.Tensor2D;
  /** y = x − C. */
  centre(x: tf.Tensor2D): tf.Tensor2D;
  /** x = y + C. */
  uncentre(y: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

const contextDim = (net: Denoiser): number => net.config.contextDim ?? 0;

/** The network on scaled inputs, with the context when the network takes one. Times and labels as plain arrays (no read-back). */
function callNet(net: Denoiser, x: tf.Tensor2D, t: TimeInput, k: LabelInput, u: tf.Tensor2D | null): tf.Tensor2D {
  return contextDim(net) > 0 ? net.apply(x, t, k, u ?? undefined) : net.apply(x, t, k);
}

function checkContext(net: Denoiser, m: number, rows: number): void {
  const want = contextDim(net);
  if (rows > 0 && m !== want) throw optionError(`context must have ${want} values per row (got ${m})`, { field: 'context', expected: want, got: m });
}

/** ε*(y) = ((y U) ⊙ gain) Uᵀ, or y ⊙ gain without a basis. */
function skipTerm(y: tf.Tensor2D, gain: tf.Tensor2D, U: tf.Tensor2D | null): tf.Tensor2D {
  if (!U) return tf.mul(y, gain);
  return tf.matMul(tf.mul(tf.matMul(y, U), gain), U, false, true);
}

export class Preconditioner {
  readonly process: Process;
  readonly skip: SkipMode;
  readonly basis: SkipBasis | null;
  readonly bounds: { lo: number[]; hi: number[] } | null;

  constructor(process: Process, o: PreconditionerOptions) {
    if (!(SKIP_MODES as readonly string[]).includes(o.skip)) throw optionError(`skip must be one of ${SKIP_MODES.join(', ')} (got "${String(o.skip)}")`, { field: 'skip' });
    if (o.skip === 'covariance' && !o.basis) throw optionError('skip covariance needs a covariance basis', { field: 'skip' });
    this.process = process;
    this.skip = o.skip;
    this.basis = o.skip === 'covariance' ? o.basis! : null;
    this.bounds = o.bounds ?? null;
  }

  /** Skip gains σ/(α²λ_j + σ²) per eigen-direction (λ = 1 for Σ = I); null without the skip. */
  skipGains(t: number, d: number): Float32Array | null {
    if (this.skip === 'none') return null;
    const a = this.process.alpha(t);
    const s = this.process.sigma(t);
    const g = new Float32Array(d);
    for (let j = 0; j < d; j++) g[j] = this.basis ? s / (a * a * this.basis.lambda[j] + s * s) : s / (a * a + s * s);
    return g;
  }

  /** Network inputs of a training batch on the JS side: y = addNoise(x0 − c, ε, t), x·c_in, gains. */
  private trainInputs(b: TrainBatch, d: number): { xin: Float32Array; y: Float32Array; gain: Float32Array | null } {
    const B = b.t.length;
    const p = this.process;
    const xin = new Float32Array(B * d);
    const y = new Float32Array(B * d);
    const gain = this.skip === 'none' ? null : new Float32Array(B * d);
    const y0 = new Float64Array(d);
    for (let i = 0; i < B; i++) {
      const o = i * d;
      for (let q = 0; q < d; q++) y0[q] = b.x0[o + q] - b.c[o + q];
      const yt = p.addNoise(y0, b.eps.subarray(o, o + d), b.t[i]);
      const cin = inputScale(p, b.t[i]);
      for (let q = 0; q < d; q++) xin[o + q] = (b.c[o + q] + yt[q]) * cin;
      y.set(yt, o);
      if (gain) gain.set(this.skipGains(b.t[i], d)!, o);
    }
    return { xin, y, gain };
  }

  /** Mean squared ε-prediction error on a batch (Ho et al. 2020, eq. 14), with the skip added to the network. */
  loss(net: Denoiser, b: TrainBatch): tf.Scalar {
    const d = net.config.d;
    const B = b.t.length;
    checkContext(net, b.m, B);
    const { xin, y, gain } = this.trainInputs(b, d);
    return tf.tidy(() => {
      const u = b.m > 0 ? tf.tensor2d(b.u, [B, b.m]) : null;
      let pred = callNet(net, tf.tensor2d(xin, [B, d]), Float32Array.from(b.t), b.k, u);
      if (gain) pred = tf.add(pred, skipTerm(tf.tensor2d(y, [B, d]), tf.tensor2d(gain, [B, d]), this.basis ? tf.tensor2d(this.basis.U) : null));
      return tf.mean(tf.squaredDifference(pred, tf.tensor2d(Float32Array.from(b.eps), [B, d]))) as tf.Scalar;
    });
  }

  /** The ε-function the samplers call, for fixed rows (centers, labels, context). */
  bind(net: Denoiser, rows: RowInputs): BoundDenoiser {
    const n = rows.components.length;
    const d = net.config.d;
    const m = rows.context?.[0]?.length ?? 0;
    checkContext(net, m, n);
    const p = this.process;
    const cflat = flatRows(rows.centers, n, d);
    const uflat = m > 0 ? flatRows(rows.context!, n, m) : null;
    const C = tf.tensor2d(cflat, [n, d]);
    const K = Int32Array.from(rows.components);
    const u = uflat ? tf.tensor2d(uflat, [n, m]) : null;
    const U = this.basis ? tf.tensor2d(this.basis.U) : null;
    const lo = this.bounds ? tf.tensor2d(this.bounds.lo, [1, d]) : null;
    const hi = this.bounds ? tf.tensor2d(this.bounds.hi, [1, d]) : null;
    const eps = (y: tf.Tensor2D, t: number) =>
      tf.tidy(() => {
        const x = tf.add(y, C) as tf.Tensor2D;
        const raw = callNet(net, tf.mul(x, inputScale(p, t)) as tf.Tensor2D, new Float32Array(n).fill(t), K, u);
        const gain = this.skipGains(t, d);
        const e = gain ? (tf.add(raw, skipTerm(y, tf.tensor2d(gain, [1, d]), U)) as tf.Tensor2D) : raw;
        const a = p.alpha(t);
        const s = p.sigma(t);
        if (!lo || !hi || s <= 0) return e;
        // x̂0 = c + (y − σ ε̂)/α, clipped per interval; then ε = (y − α(x̂0 − c))/σ.
        const x0 = tf.minimum(tf.maximum(tf.add(C, tf.div(tf.sub(y, tf.mul(e, s)), a)), lo), hi);
        return tf.div(tf.sub(y, tf.mul(tf.sub(x0, C), a)), s) as tf.Tensor2D;
      });
    return {
      eps,
      centre: (x) => tf.sub(x, C),
      uncentre: (y) => tf.add(y, C),
      dispose: () => [C, u, U, lo, hi].forEach((t) => t?.dispose()),
    };
  }
}

/** n rows of length d as one Float32Array (row-major), checking the shape. */
export function flatRows(rows: number[][], n: number, d: number): Float32Array {
  if (rows.length !== n) throw optionError(`expected ${n} rows (got ${rows.length})`);
  const out = new Float32Array(n * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw optionError(`row ${i} has ${r.length} values; expected ${d}`);
    out.set(r, i * d);
  });
  return out;
}
