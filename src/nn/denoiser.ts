/**
 * The denoiser ε_θ(x_t, t[, k]): an MLP with residual blocks, SiLU, a sinusoidal time embedding
 * and an optional component embedding (one-hot · matrix: tf.gather's gradient is missing on
 * wasm). Weights are plain tf.Variables initialised from a seeded JS stream, so the same seed
 * gives the same network on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { rng } from '../random.js';
import { dense, matMul, silu } from './dense.js';

export interface DenoiserConfig {
  /** Vector length (intervals per day). */
  d: number;
  /** Hidden width. */
  hidden: number;
  /** Residual blocks. */
  blocks: number;
  /** Sinusoidal time-embedding size (even). */
  timeDim: number;
  /** Number of mixture components (embedding rows). */
  components: number;
  /** Feed the component label to the network (`component`) or not (`none`, as in the paper). */
  condition: 'component' | 'none';
  /**
   * Gaussian skip: the network predicts ε − σ(x_t − c)/(α² + σ²), the residual from the exact
   * ε of data distributed as the prior component N(c_k, I) (see diffusion/process.ts).
   */
  skip?: boolean;
  /**
   * Length of the per-row context vector u (what is known at the forecast origin: recent level,
   * lead, covariates). u enters through the conditioning path (u·W added to the time embedding,
   * like the component embedding). 0 or absent: no context input, the network is as before.
   */
  contextDim?: number;
}

let variableCounter = 0;

export interface NamedWeight {
  name: string;
  shape: number[];
}

export class Denoiser {
  readonly config: DenoiserConfig;
  readonly names: string[] = [];
  readonly vars: tf.Variable[] = [];
  private readonly byName = new Map<string, tf.Variable>();
  private readonly freqs: tf.Tensor2D;

  constructor(config: DenoiserConfig, seed: number) {
    this.config = config;
    const r = rng(seed);
    const { d, hidden, blocks, timeDim, components } = config;
    const glorot = (rows: number, cols: number, gain = 1) => {
      const std = gain * Math.sqrt(2 / (rows + cols));
      const a = new Float32Array(rows * cols);
      for (let i = 0; i < a.length; i++) a[i] = r.normal() * std;
      return tf.tensor2d(a, [rows, cols]);
    };
    const add = (name: string, t: tf.Tensor) => {
      const v = tf.variable(t, true, `mixcast_${++variableCounter}_${name}`);
      t.dispose();
      this.names.push(name);
      this.vars.push(v);
      this.byName.set(name, v);
    };
    add('in.w', glorot(d, hidden));
    add('in.b', tf.zeros([hidden]));
    add('time.w1', glorot(timeDim, hidden));
    add('time.b1', tf.zeros([hidden]));
    add('time.w2', glorot(hidden, hidden));
    add('time.b2', tf.zeros([hidden]));
    if (config.condition === 'component') add('comp.emb', glorot(components, hidden, 0.5));
    if ((config.contextDim ?? 0) > 0) add('ctx.w', glorot(config.contextDim!, hidden, 0.5));
    for (let i = 0; i < blocks; i++) {
      add(`block${i}.w1`, glorot(hidden, hidden));
      add(`block${i}.b1`, tf.zeros([hidden]));
      add(`block${i}.temb`, glorot(hidden, hidden));
      add(`block${i}.w2`, glorot(hidden, hidden, 0.5));
      add(`block${i}.b2`, tf.zeros([hidden]));
    }
    add('out.w', glorot(hidden, d, 0.1));
    add('out.b', tf.zeros([d]));
    const half = timeDim / 2;
    const f = new Float32Array(half);
    for (let i = 0; i < half; i++) f[i] = Math.exp((-Math.log(10000) * i) / Math.max(1, half - 1));
    this.freqs = tf.keep(tf.tensor2d(f, [1, half]));
  }

  private w(name: string): tf.Variable {
    const v = this.byName.get(name);
    if (!v) throw new Error(`denoiser has no weight ${name}`);
    return v;
  }

  /**
   * ε̂ for inputs x [n, d], times t [n] in [0, 1] and components k [n] (int32; ignored when
   * the network is unconditional) and context u [n, contextDim] (required when contextDim > 0,
   * ignored otherwise).
   */
  apply(x: tf.Tensor2D, t: tf.Tensor1D, k?: tf.Tensor1D, u?: tf.Tensor2D): tf.Tensor2D {
    const { blocks, components, condition } = this.config;
    const W = (n: string) => this.w(n) as unknown as tf.Tensor2D;
    const B = (n: string) => this.w(n) as unknown as tf.Tensor1D;
    // Sinusoidal embedding of 1000·t.
    const arg = tf.matMul(tf.reshape(tf.mul(t, 1000), [-1, 1]) as tf.Tensor2D, this.freqs);
    const temb0 = tf.concat([tf.sin(arg), tf.cos(arg)], 1) as tf.Tensor2D;
    let temb = dense(silu(dense(temb0, W('time.w1'), B('time.b1'))), W('time.w2'), B('time.b2'));
    if (condition === 'component') {
      if (!k) throw new Error('component-conditioned denoiser needs component labels');
      const oh = tf.oneHot(k, components).toFloat() as tf.Tensor2D;
      temb = tf.add(temb, matMul(oh, W('comp.emb')));
    }
    if ((this.config.contextDim ?? 0) > 0) {
      if (!u || u.shape[1] !== this.config.contextDim) {
        throw new Error(`context-conditioned denoiser needs a context of width ${this.config.contextDim} (got ${u ? u.shape[1] : 'none'})`);
      }
      temb = tf.add(temb, matMul(u, W('ctx.w')));
    }
    const tact = silu(temb);
    let h = dense(x, W('in.w'), B('in.b'));
    for (let i = 0; i < blocks; i++) {
      const a = dense(silu(h), W(`block${i}.w1`), B(`block${i}.b1`));
      const a2 = tf.add(a, matMul(tact, W(`block${i}.temb`))) as tf.Tensor2D;
      h = tf.add(h, dense(silu(a2), W(`block${i}.w2`), B(`block${i}.b2`)));
    }
    return dense(silu(h), W('out.w'), B('out.b'));
  }

  /** Weight layout for serialisation. */
  layout(): NamedWeight[] {
    return this.names.map((name, i) => ({ name, shape: this.vars[i].shape.slice() }));
  }

  /** All weights concatenated (float32) in `layout()` order. */
  async exportWeights(): Promise<Float32Array> {
    const parts = await Promise.all(this.vars.map((v) => v.data() as Promise<Float32Array>));
    const total = parts.reduce((s, p) => s + p.length, 0);
    const out = new Float32Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Load weights written by exportWeights (layouts must match). */
  importWeights(data: Float32Array, layout: NamedWeight[]): void {
    if (layout.length !== this.vars.length) throw new Error('weight layout does not match the network');
    let o = 0;
    layout.forEach((l, i) => {
      if (l.name !== this.names[i] || l.shape.join('x') !== this.vars[i].shape.join('x')) {
        throw new Error(`weight ${l.name} ${l.shape} does not match ${this.names[i]} ${this.vars[i].shape}`);
      }
      const size = l.shape.reduce((a, b) => a * b, 1);
      if (o + size > data.length) throw new Error('weights file is too short');
      const t = tf.tensor(data.subarray(o, o + size), l.shape);
      this.vars[i].assign(t);
      t.dispose();
      o += size;
    });
    if (o !== data.length) throw new Error('weights file is longer than the network');
  }

  /** Copy weights from another denoiser of the same config (e.g. EMA → model). */
  copyFrom(other: Denoiser): void {
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(other.vars[i])));
  }

  dispose(): void {
    this.vars.forEach((v) => v.dispose());
    this.freqs.dispose();
  }
}

export function parameterCount(d: Denoiser): number {
  return d.vars.reduce((s, v) => s + v.size, 0);
}
