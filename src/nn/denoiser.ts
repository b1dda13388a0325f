/**
 * The denoiser ε_θ(x_t, t[, k][, u]): an MLP with residual blocks, SiLU, a sinusoidal time
 * embedding, an optional component label and an optional context vector. Weights are plain
 * tf.Variables initialised from a seeded JS stream, so the same seed gives the same network on
 * every backend.
 *
 *   s     = silu(feat(t)·W₁ + b₁)                       feat: sin/cos of 1000·t (JS table)
 *   c     = s·W₂ + b₂ + [onehot(k), u]·W_cond             (the conditioning vector)
 *   P     = silu(c)·[T₀ | T₁ | …] + [b₀ | b₁ | …]         (every block's time term, one matMul)
 *   h     = x·W_in + b_in
 *   h    += dense(silu(silu(h)·W1ᵢ + Pᵢ), W2ᵢ, b2ᵢ)         for each block i
 *   ε̂     = silu(h)·W_out + b_out
 *
 * Kernel economy (the wasm backend pays a fixed cost per kernel): the time features, the
 * one-hot/context block and their transposes are built on the JS side (no sin/cos/oneHot/cast
 * kernels); inputs that need no gradient get no dX product; every block's time projection is
 * one matMul; and when many rows share their (t, k, u) — every sampler step — the conditioning
 * path runs once per distinct row and is broadcast.
 *
 * Weight layout: `cond.w` stacks the former `comp.emb` and `ctx.w`; `temb.w`/`temb.b` hold the
 * former `block{i}.temb`/`block{i}.b1` side by side. `importWeights` still reads the former
 * layout (model bundles written before), and the same seed draws the same numbers as before.
 */
import * as tf from '@tensorflow/tfjs';
import { rng } from '../core/random.js';
import { dense, denseConst, matMul, silu } from './dense.js';
import { flatten } from './flat.js';

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
  condition: ConditionMode;
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

/** Whether the network sees the component label: the one list behind the type, `--condition` and the manifest schema. */
export const CONDITION_MODES = ['component', 'none'] as const;
export type ConditionMode = (typeof CONDITION_MODES)[number];

let variableCounter = 0;

export interface NamedWeight {
  name: string;
  shape: number[];
}

/** Times as a tensor [n] or plain numbers (plain numbers avoid a read-back). */
export type TimeInput = tf.Tensor1D | Float32Array | number[];
export type LabelInput = tf.Tensor1D | Int32Array | number[];

const values = (v: tf.Tensor | Float32Array | Int32Array | number[]): ArrayLike<number> => (v instanceof tf.Tensor ? v.dataSync() : v);

/** sin/cos features of 1000·t, in float32 arithmetic as the former tensor code; cached per t. */
const featureTables = new Map<number, { freqs: Float32Array; rows: Map<number, Float32Array> }>();
function timeFeatures(timeDim: number, t: number): Float32Array {
  let table = featureTables.get(timeDim);
  if (!table) {
    const half = timeDim / 2;
    const freqs = new Float32Array(half);
    for (let i = 0; i < half; i++) freqs[i] = Math.exp((-Math.log(10000) * i) / Math.max(1, half - 1));
    table = { freqs, rows: new Map() };
    featureTables.set(timeDim, table);
  }
  let row = table.rows.get(t);
  if (!row) {
    const half = timeDim / 2;
    row = new Float32Array(timeDim);
    const t1000 = Math.fround(Math.fround(t) * 1000);
    for (let i = 0; i < half; i++) {
      const arg = Math.fround(t1000 * table.freqs[i]);
      row[i] = Math.sin(arg);
      row[half + i] = Math.cos(arg);
    }
    // Discrete-time training visits T values; continuous times are computed once per batch.
    if (table.rows.size > 20000) table.rows.clear();
    table.rows.set(t, row);
  }
  return row;
}

/** A [rows, cols] matrix and its transpose, built on the JS side. */
function withTranspose(a: Float32Array, rows: number, cols: number): [tf.Tensor2D, tf.Tensor2D] {
  const at = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) at[c * rows + r] = a[r * cols + c];
  return [tf.tensor2d(a, [rows, cols]), tf.tensor2d(at, [cols, rows])];
}

export class Denoiser {
  readonly config: DenoiserConfig;
  readonly names: string[] = [];
  readonly vars: tf.Variable[] = [];
  private readonly byName = new Map<string, tf.Variable>();

  constructor(config: DenoiserConfig, seed: number) {
    this.config = config;
    const r = rng(seed);
    const { d, hidden, blocks, timeDim, components } = config;
    const contextDim = config.contextDim ?? 0;
    // Draws in the order of the former layout, so a seed gives the same numbers as before.
    const legacy = new Map<string, Float32Array>();
    const glorot = (name: string, rows: number, cols: number, gain = 1) => {
      const std = gain * Math.sqrt(2 / (rows + cols));
      const a = new Float32Array(rows * cols);
      for (let i = 0; i < a.length; i++) a[i] = r.normal() * std;
      legacy.set(name, a);
    };
    glorot('in.w', d, hidden);
    glorot('time.w1', timeDim, hidden);
    glorot('time.w2', hidden, hidden);
    if (config.condition === 'component') glorot('comp.emb', components, hidden, 0.5);
    if (contextDim > 0) glorot('ctx.w', contextDim, hidden, 0.5);
    for (let i = 0; i < blocks; i++) {
      glorot(`block${i}.w1`, hidden, hidden);
      glorot(`block${i}.temb`, hidden, hidden);
      glorot(`block${i}.w2`, hidden, hidden, 0.5);
    }
    glorot('out.w', hidden, d, 0.1);
    const zeros = (name: string, n: number) => legacy.set(name, new Float32Array(n));
    zeros('in.b', hidden);
    zeros('time.b1', hidden);
    zeros('time.b2', hidden);
    for (let i = 0; i < blocks; i++) {
      zeros(`block${i}.b1`, hidden);
      zeros(`block${i}.b2`, hidden);
    }
    zeros('out.b', d);
    for (const { name, shape, data } of this.assemble(legacy)) {
      const t = tf.tensor(data, shape);
      const v = tf.variable(t, true, `mixcast_${++variableCounter}_${name}`);
      t.dispose();
      this.names.push(name);
      this.vars.push(v);
      this.byName.set(name, v);
    }
  }

  /** Rows of the conditioning input [onehot(k), u] (0 when the network takes neither). */
  private get condRows(): number {
    return (this.config.condition === 'component' ? this.config.components : 0) + (this.config.contextDim ?? 0);
  }

  /** The current layout's weights from the former layout's named arrays. */
  private assemble(w: Map<string, Float32Array>): { name: string; shape: number[]; data: Float32Array }[] {
    const { d, hidden: h, blocks, timeDim } = this.config;
    const get = (name: string, size: number) => {
      const a = w.get(name);
      if (!a) throw new Error(`weight ${name} is missing`);
      if (a.length !== size) throw new Error(`weight ${name} has ${a.length} numbers, expected ${size}`);
      return a;
    };
    const out: { name: string; shape: number[]; data: Float32Array }[] = [
      { name: 'in.w', shape: [d, h], data: get('in.w', d * h) },
      { name: 'in.b', shape: [h], data: get('in.b', h) },
      { name: 'time.w1', shape: [timeDim, h], data: get('time.w1', timeDim * h) },
      { name: 'time.b1', shape: [h], data: get('time.b1', h) },
      { name: 'time.w2', shape: [h, h], data: get('time.w2', h * h) },
      { name: 'time.b2', shape: [h], data: get('time.b2', h) },
    ];
    const rows = this.condRows;
    if (rows > 0) {
      const cond = new Float32Array(rows * h);
      let o = 0;
      if (this.config.condition === 'component') {
        cond.set(get('comp.emb', this.config.components * h), 0);
        o = this.config.components * h;
      }
      if ((this.config.contextDim ?? 0) > 0) cond.set(get('ctx.w', this.config.contextDim! * h), o);
      out.push({ name: 'cond.w', shape: [rows, h], data: cond });
    }
    if (blocks > 0) {
      const tw = new Float32Array(h * blocks * h);
      const tb = new Float32Array(blocks * h);
      for (let i = 0; i < blocks; i++) {
        const wi = get(`block${i}.temb`, h * h);
        for (let r = 0; r < h; r++) tw.set(wi.subarray(r * h, (r + 1) * h), r * blocks * h + i * h);
        tb.set(get(`block${i}.b1`, h), i * h);
      }
      out.push({ name: 'temb.w', shape: [h, blocks * h], data: tw }, { name: 'temb.b', shape: [blocks * h], data: tb });
    }
    for (let i = 0; i < blocks; i++) {
      out.push(
        { name: `block${i}.w1`, shape: [h, h], data: get(`block${i}.w1`, h * h) },
        { name: `block${i}.w2`, shape: [h, h], data: get(`block${i}.w2`, h * h) },
        { name: `block${i}.b2`, shape: [h], data: get(`block${i}.b2`, h) },
      );
    }
    out.push({ name: 'out.w', shape: [h, d], data: get('out.w', h * d) }, { name: 'out.b', shape: [d], data: get('out.b', d) });
    return out;
  }

  private w(name: string): tf.Tensor2D {
    const v = this.byName.get(name);
    if (!v) throw new Error(`denoiser has no weight ${name}`);
    return v as unknown as tf.Tensor2D;
  }

  /**
   * ε̂ for inputs x [n, d], times t [n] in [0, 1], components k [n] (int32; ignored when the
   * network is unconditional) and context u [n, contextDim] (required when contextDim > 0,
   * ignored otherwise). No gradient flows to x, t, k or u.
   */
  apply(x: tf.Tensor2D, t: TimeInput, k?: LabelInput, u?: tf.Tensor2D): tf.Tensor2D {
    const { blocks, components, condition, timeDim } = this.config;
    const contextDim = this.config.contextDim ?? 0;
    const n = x.shape[0];
    const tv = values(t);
    if (tv.length !== n) throw new Error(`denoiser got ${tv.length} times for ${n} rows`);
    let kv: ArrayLike<number> | null = null;
    if (condition === 'component') {
      if (!k) throw new Error('component-conditioned denoiser needs component labels');
      kv = values(k);
    }
    let uv: ArrayLike<number> | null = null;
    if (contextDim > 0) {
      if (!u || u.shape[1] !== contextDim) {
        throw new Error(`context-conditioned denoiser needs a context of width ${contextDim} (got ${u ? u.shape[1] : 'none'})`);
      }
      uv = u.dataSync();
    }
    // Distinct conditioning rows (t, k, u): every row in training, a handful per sampler step.
    const index = new Int32Array(n);
    const firstOf: number[] = [];
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      let key = String(tv[i]);
      if (kv) key += `|${kv[i]}`;
      if (uv) for (let j = 0; j < contextDim; j++) key += `|${uv[i * contextDim + j]}`;
      let at = seen.get(key);
      if (at === undefined) {
        at = firstOf.length;
        seen.set(key, at);
        firstOf.push(i);
      }
      index[i] = at;
    }
    const shared = firstOf.length * 4 <= n;
    const rows = shared ? firstOf : null;
    const m = rows ? rows.length : n;
    const rowOf = (j: number) => (rows ? rows[j] : j);

    const feat = new Float32Array(m * timeDim);
    for (let j = 0; j < m; j++) feat.set(timeFeatures(timeDim, tv[rowOf(j)]), j * timeDim);
    const [ft, ftT] = withTranspose(feat, m, timeDim);
    let c = dense(silu(denseConst(ft, this.w('time.w1'), this.w('time.b1') as unknown as tf.Tensor1D, ftT)), this.w('time.w2'), this.w('time.b2') as unknown as tf.Tensor1D);
    const cr = this.condRows;
    if (cr > 0) {
      const a = new Float32Array(m * cr);
      for (let j = 0; j < m; j++) {
        const i = rowOf(j);
        if (kv) {
          const kk = kv[i];
          if (!(kk >= 0 && kk < components)) throw new Error(`component label ${kk} is outside 0..${components - 1}`);
          a[j * cr + kk] = 1;
        }
        if (uv) for (let q = 0; q < contextDim; q++) a[j * cr + cr - contextDim + q] = uv[i * contextDim + q];
      }
      const [ct, ctT] = withTranspose(a, m, cr);
      c = tf.add(c, denseConst(ct, this.w('cond.w'), undefined, ctT));
    }
    let h = denseConst(x, this.w('in.w'), this.w('in.b') as unknown as tf.Tensor1D);
    if (blocks > 0) {
      let p = dense(silu(c), this.w('temb.w'), this.w('temb.b') as unknown as tf.Tensor1D);
      if (rows && m > 1) {
        const e = new Float32Array(n * m);
        for (let i = 0; i < n; i++) e[i * m + index[i]] = 1;
        const [et, etT] = withTranspose(e, n, m);
        p = expandRows(et, etT, p);
      }
      const parts = blocks > 1 ? tf.split(p, blocks, 1) : [p];
      for (let i = 0; i < blocks; i++) {
        // With one shared row, p broadcasts over the n rows of h.
        const a = tf.add(matMul(silu(h), this.w(`block${i}.w1`)), parts[i]) as tf.Tensor2D;
        h = tf.add(h, dense(silu(a), this.w(`block${i}.w2`), this.w(`block${i}.b2`) as unknown as tf.Tensor1D));
      }
    }
    return dense(silu(h), this.w('out.w'), this.w('out.b') as unknown as tf.Tensor1D);
  }

  /** Weight layout for serialisation. */
  layout(): NamedWeight[] {
    return this.names.map((name, i) => ({ name, shape: this.vars[i].shape.slice() }));
  }

  /** All weights concatenated (float32) in `layout()` order. */
  async exportWeights(): Promise<Float32Array> {
    return flatten(await Promise.all(this.vars.map((v) => v.data() as Promise<Float32Array>)));
  }

  /**
   * Load weights written by exportWeights: in this layout, or in the former one (separate
   * `comp.emb`, `ctx.w`, `block{i}.temb`, `block{i}.b1`), which is converted.
   */
  importWeights(data: Float32Array, layout: NamedWeight[]): void {
    const total = layout.reduce((s, l) => s + l.shape.reduce((a, b) => a * b, 1), 0);
    if (total > data.length) throw new Error('weights file is too short');
    if (total < data.length) throw new Error('weights file is longer than the network');
    const current = layout.length === this.names.length && layout.every((l, i) => l.name === this.names[i]);
    const byName = new Map<string, Float32Array>();
    let o = 0;
    for (const l of layout) {
      const size = l.shape.reduce((a, b) => a * b, 1);
      byName.set(l.name, data.subarray(o, o + size));
      o += size;
    }
    if (current) {
      layout.forEach((l, i) => {
        if (l.shape.join('x') !== this.vars[i].shape.join('x')) throw new Error(`weight ${l.name} ${l.shape} does not match ${this.names[i]} ${this.vars[i].shape}`);
      });
      this.names.forEach((name, i) => this.assign(i, byName.get(name)!));
      return;
    }
    const legacyNames = new Set(this.legacyNames());
    for (const l of layout) if (!legacyNames.has(l.name)) throw new Error(`weight ${l.name} does not belong to this network`);
    if (layout.length !== legacyNames.size) throw new Error('weight layout does not match the network');
    const built = this.assemble(byName);
    built.forEach((b, i) => this.assign(i, b.data));
  }

  private legacyNames(): string[] {
    const { blocks, condition } = this.config;
    const out = ['in.w', 'in.b', 'time.w1', 'time.b1', 'time.w2', 'time.b2'];
    if (condition === 'component') out.push('comp.emb');
    if ((this.config.contextDim ?? 0) > 0) out.push('ctx.w');
    for (let i = 0; i < blocks; i++) out.push(`block${i}.w1`, `block${i}.b1`, `block${i}.temb`, `block${i}.w2`, `block${i}.b2`);
    out.push('out.w', 'out.b');
    return out;
  }

  private assign(i: number, data: Float32Array): void {
    const t = tf.tensor(data, this.vars[i].shape);
    this.vars[i].assign(t);
    t.dispose();
  }

  /** Copy weights from another denoiser of the same config (e.g. EMA → model). */
  copyFrom(other: Denoiser): void {
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(other.vars[i])));
  }

  dispose(): void {
    this.vars.forEach((v) => v.dispose());
  }
}

/** y = E·P for a constant row-selection matrix E (with its transpose Eᵀ): dP = Eᵀ·dy. */
function expandRows(e: tf.Tensor2D, et: tf.Tensor2D, p: tf.Tensor2D): tf.Tensor2D {
  if (!tapeOn()) return tf.matMul(e, p);
  const op = tf.customGrad(((pp: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([et]);
    return { value: tf.matMul(e, pp), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(saved[0] as tf.Tensor2D, dy as tf.Tensor2D)] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(p) as tf.Tensor2D;
}

function tapeOn(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return state?.gradientDepth === undefined || state.gradientDepth > 0;
}

export function parameterCount(d: Denoiser): number {
  return d.vars.reduce((s, v) => s + v.size, 0);
}
