/**
 * Adam with global-norm clipping and an EMA copy, over all weights as one flat Float32Array on
 * the JS side.
 *
 * tfjs' optimizer runs ~10 small kernels per weight tensor per step (plus clipping and EMA), which
 * on the wasm backend cost more than the network's own forward and backward pass. Here the update
 * is one JS loop over the flat vector (float64 arithmetic, float32 storage, deterministic), and the
 * new weights are written back into the network's variables once per step. The EMA weights stay
 * on the JS side until they are needed (`writeEma`).
 *
 * The update is tfjs' AdamOptimizer's: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * w ← w − lr·(m/(1−β₁ᵗ)) / (sqrt(v/(1−β₂ᵗ)) + ε).
 */
import * as tf from '@tensorflow/tfjs';
import { flatLayout, flatten } from './flat.js';

export interface FlatAdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Global gradient-norm bound (0 or Infinity = no clipping). */
  clip: number;
}

export const defaultFlatAdamOptions: FlatAdamOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clip: Infinity };

export class FlatAdam {
  readonly size: number;
  /** Start of each variable in the flat vector. */
  readonly offsets: number[];
  readonly params: Float32Array;
  readonly ema: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly grad: Float64Array;
  private readonly o: FlatAdamOptions;
  private readonly vars: tf.Variable[];
  private accBeta1: number;
  private accBeta2: number;
  /** Global gradient norm of the last step (before clipping). */
  lastNorm = 0;

  constructor(vars: tf.Variable[], options: Partial<FlatAdamOptions> = {}) {
    this.o = { ...defaultFlatAdamOptions, ...options };
    this.vars = vars;
    const { offsets, size } = flatLayout(vars.map((v) => v.size));
    this.offsets = offsets;
    this.size = size;
    this.params = flatten(vars.map((v) => v.dataSync() as Float32Array));
    this.ema = Float32Array.from(this.params);
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.grad = new Float64Array(size);
    this.accBeta1 = this.o.beta1;
    this.accBeta2 = this.o.beta2;
  }

  /** Zero the gradient accumulator. */
  zeroGrad(): void {
    this.grad.fill(0);
  }

  /** Add `scale` × one variable's gradient (e.g. a shard's share of the batch). */
  addGrad(index: number, g: ArrayLike<number>, scale = 1): void {
    const o = this.offsets[index];
    const n = this.vars[index].size;
    if (g.length !== n) throw new Error(`gradient ${index} has ${g.length} numbers, expected ${n}`);
    const acc = this.grad;
    for (let j = 0; j < n; j++) acc[o + j] += scale * g[j];
  }

  /** Add a whole flat gradient (layout of `offsets`). */
  addFlatGrad(g: ArrayLike<number>, scale = 1): void {
    if (g.length !== this.size) throw new Error(`flat gradient has ${g.length} numbers, expected ${this.size}`);
    const acc = this.grad;
    for (let j = 0; j < acc.length; j++) acc[j] += scale * g[j];
  }

  /**
   * One Adam step with learning rate `lr` on the accumulated gradient (clipped to the global
   * norm bound), then EMA ← decay·EMA + (1 − decay)·w, and the new weights into the variables.
   */
  step(lr: number, emaDecay: number): void {
    const { beta1, beta2, epsilon, clip } = this.o;
    const g = this.grad;
    let ss = 0;
    for (let j = 0; j < g.length; j++) ss += g[j] * g[j];
    const norm = Math.sqrt(ss);
    this.lastNorm = norm;
    const factor = Number.isFinite(clip) && clip > 0 ? Math.min(1, clip / (norm + 1e-6)) : 1;
    const c1 = 1 - this.accBeta1;
    const c2 = 1 - this.accBeta2;
    const p = this.params;
    const m = this.m;
    const v = this.v;
    const e = this.ema;
    const keep = emaDecay;
    const take = 1 - emaDecay;
    for (let j = 0; j < p.length; j++) {
      const gj = g[j] * factor;
      const mj = beta1 * m[j] + (1 - beta1) * gj;
      const vj = beta2 * v[j] + (1 - beta2) * gj * gj;
      m[j] = mj;
      v[j] = vj;
      const w = p[j] - (lr * (mj / c1)) / (Math.sqrt(vj / c2) + epsilon);
      p[j] = w;
      e[j] = keep * e[j] + take * Math.fround(w);
    }
    this.accBeta1 *= beta1;
    this.accBeta2 *= beta2;
    this.writeInto(this.vars, p);
  }

  /** Write a flat vector (params or ema) into variables of the same layout. */
  writeInto(vars: tf.Variable[], flat: Float32Array = this.params): void {
    vars.forEach((v, i) => {
      // A copy: the cpu backend would otherwise keep a view of the flat vector.
      const t = tf.tensor(flat.slice(this.offsets[i], this.offsets[i] + v.size), v.shape);
      v.assign(t);
      t.dispose();
    });
  }

  /** Write the EMA weights into variables of the same layout (e.g. the EMA network). */
  writeEma(vars: tf.Variable[]): void {
    this.writeInto(vars, this.ema);
  }
}
