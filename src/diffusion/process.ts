/**
 * The diffusion process — the "scheduler" in diffusers' sense (`schedulers/scheduling_ddim.py`):
 * one object built from a saved config, with three verbs and no knowledge of the network.
 *
 * - `addNoise(x0, noise, t)`: the forward marginal, for training;
 * - `timesteps(n)`: the time grid 1 → 0 a sampler walks;
 * - `step(eps, t, s, y)`: one DDIM/DDPM transition t → s, returning the previous sample and x̂0.
 *
 * Everything is on t ∈ [0, 1] in coordinates centred on the day's mixture component c:
 * y_t = x_t − c = α(t) (x_0 − c) + σ(t) ε. The prior only decides c (and the start
 * x_T = c + scale·σ_T·ε); standard DDPM/SGM is the case of one component with c = 0.
 *
 * Families (each with closed-form α, σ and SDE coefficients f = d log α/dt, g² = dσ²/dt − 2fσ²):
 * - `ddpm`: discrete T steps, linear or cosine β (Ho et al. 2020; Nichol & Dhariwal 2021);
 *   α(t) = sqrt(ᾱ) interpolated in log space between the grid points t = i/T, so the
 *   continuous-time samplers apply too.
 * - `sgm-vp`: variance-preserving SDE, β(t) = β_min + t(β_max − β_min) (Song et al. 2021, eq. 11).
 * - `sgm-ve`: variance-exploding SDE, α = 1, σ(t) = σ_min (σ_max/σ_min)^t (Song et al. 2021, eq. 9).
 */
import * as tf from '@tensorflow/tfjs';
import { optionError } from '../core/errors.js';

/** Diffusion families: the one list behind the type, `--family` and the manifest schema. */
export const FAMILIES = ['ddpm', 'sgm-vp', 'sgm-ve'] as const;
export type Family = (typeof FAMILIES)[number];
/** DDPM noise schedules: the one list behind the type, `--schedule` and the manifest schema. */
export const SCHEDULES = ['linear', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export interface ProcessConfig {
  family: Family;
  /** ddpm: number of discrete steps. */
  T: number;
  schedule: ScheduleName;
  /** sgm-vp. */
  betaMin: number;
  betaMax: number;
  /** sgm-ve. */
  sigmaMin: number;
  sigmaMax: number;
}

const unknownFamily = (family: unknown) =>
  optionError(`family must be one of ${FAMILIES.join(', ')} (got "${String(family)}")`, { field: 'family', value: family });

export function defaultProcessConfig(family: Family, over: Partial<ProcessConfig> = {}): ProcessConfig {
  if (!(FAMILIES as readonly string[]).includes(family)) throw unknownFamily(family);
  return {
    family,
    T: 1000,
    schedule: 'linear',
    betaMin: 0.1,
    betaMax: 20,
    sigmaMin: 0.01,
    sigmaMax: 20,
    ...over,
  };
}

/** Cumulative ᾱ_i = Π_{j≤i} (1 − β_j) for i = 0..T (ᾱ_0 = 1). */
export function alphaBars(T: number, schedule: ScheduleName): Float64Array {
  const ab = new Float64Array(T + 1);
  ab[0] = 1;
  if (schedule === 'linear') {
    // Ho et al. 2020 §4: β from 1e-4 to 0.02 over 1000 steps (rescaled for other T).
    const b0 = 1e-4 * (1000 / T);
    const b1 = 0.02 * (1000 / T);
    for (let i = 1; i <= T; i++) {
      const beta = Math.min(0.999, b0 + ((b1 - b0) * (i - 1)) / Math.max(1, T - 1));
      ab[i] = ab[i - 1] * (1 - beta);
    }
  } else if (schedule === 'cosine') {
    // Nichol & Dhariwal 2021, eq. 17: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2).
    const s = 0.008;
    const f = (i: number) => Math.cos((((i / T) + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    for (let i = 1; i <= T; i++) {
      const beta = Math.min(0.999, 1 - f(i) / f(i - 1));
      ab[i] = ab[i - 1] * (1 - beta);
    }
  } else {
    throw optionError(`schedule must be one of ${SCHEDULES.join(', ')} (got "${String(schedule)}")`, { field: 'schedule', value: schedule });
  }
  return ab;
}

/** The closed-form coefficients of one family. */
interface Coefficients {
  alpha(t: number): number;
  sigma(t: number): number;
  /** Drift coefficient f(t) = d log α/dt of the forward SDE dy = f y dt + g dw. */
  f(t: number): number;
  /** Squared diffusion g²(t) = dσ²/dt − 2 f σ². */
  g2(t: number): number;
  tMin: number;
  discrete: boolean;
  trainTime(u: number): number;
  /** Standard deviation of y_1 around c (the prior's σ_T): 1 for variance-preserving families. */
  terminalStd: number;
}

function ddpmCoefficients(config: ProcessConfig): Coefficients {
  const T = config.T;
  if (!Number.isInteger(T) || T < 2) throw optionError(`T must be an integer ≥ 2 (got ${T})`, { field: 'T', value: T });
  const logAb = Array.from(alphaBars(T, config.schedule), (v) => Math.log(v));
  const logAbAt = (t: number) => {
    const x = Math.min(T, Math.max(0, t * T));
    const i = Math.min(T - 1, Math.floor(x));
    const w = x - i;
    return logAb[i] * (1 - w) + logAb[i + 1] * w;
  };
  // log ᾱ is piecewise linear, so d log α/dt = ½ T log(1 − β_i) on ((i−1)/T, i/T]; at a grid
  // point we take the segment below it (the one a reverse step from there crosses).
  const f = (t: number) => {
    const i = Math.min(T, Math.max(1, Math.ceil(t * T - 1e-9)));
    return 0.5 * T * (logAb[i] - logAb[i - 1]);
  };
  return {
    alpha: (t) => Math.exp(0.5 * logAbAt(t)),
    sigma: (t) => Math.sqrt(Math.max(0, 1 - Math.exp(logAbAt(t)))),
    f,
    // α² + σ² = 1, so g² = dσ²/dt − 2fσ² = −2f(α² + σ²) = −2f.
    g2: (t) => -2 * f(t),
    tMin: 0,
    discrete: true,
    // Discrete training times 1/T … T/T (Ho et al. 2020, Algorithm 1: t ~ Uniform{1..T}).
    trainTime: (u) => (Math.min(T - 1, Math.floor(u * T)) + 1) / T,
    terminalStd: 1,
  };
}

function vpCoefficients(config: ProcessConfig): Coefficients {
  const { betaMin: b0, betaMax: b1 } = config;
  if (!(b0 >= 0 && b1 >= b0 && b1 > 0)) throw optionError(`sgm-vp needs 0 ≤ betaMin ≤ betaMax, betaMax > 0 (got ${b0}, ${b1})`, { field: 'betaMin' });
  // Song et al. 2021, eq. 29 (VP perturbation kernel): log α(t) = −¼t²(β_max − β_min) − ½tβ_min.
  const logAlpha = (t: number) => -0.25 * t * t * (b1 - b0) - 0.5 * t * b0;
  const beta = (t: number) => b0 + t * (b1 - b0);
  const tMin = 1e-3;
  return {
    alpha: (t) => Math.exp(logAlpha(t)),
    sigma: (t) => Math.sqrt(Math.max(0, 1 - Math.exp(2 * logAlpha(t)))),
    // Eq. 11: dx = −½β(t) x dt + sqrt(β(t)) dw.
    f: (t) => -0.5 * beta(t),
    g2: beta,
    tMin,
    discrete: false,
    trainTime: (u) => tMin + u * (1 - tMin),
    terminalStd: 1,
  };
}

function veCoefficients(config: ProcessConfig): Coefficients {
  const { sigmaMin: s0, sigmaMax: s1 } = config;
  if (!(s1 > s0 && s0 > 0)) throw optionError(`sgm-ve needs 0 < sigmaMin < sigmaMax (got ${s0}, ${s1})`, { field: 'sigmaMax' });
  const tMin = 1e-5;
  const sigma = (t: number) => (t <= 0 ? 0 : s0 * (s1 / s0) ** t);
  return {
    alpha: () => 1,
    // σ(0) = 0 so the last sampler step lands on the data; σ(t) = σ_min (σ_max/σ_min)^t for t > 0.
    sigma,
    // Eq. 9: dx = sqrt(d[σ²(t)]/dt) dw, d σ²/dt = 2 σ² log(σ_max/σ_min).
    f: () => 0,
    g2: (t) => 2 * (s0 * (s1 / s0) ** t) ** 2 * Math.log(s1 / s0),
    tMin,
    discrete: false,
    trainTime: (u) => tMin + u * (1 - tMin),
    terminalStd: s1,
  };
}

function coefficients(config: ProcessConfig): Coefficients {
  switch (config.family) {
    case 'ddpm':
      return ddpmCoefficients(config);
    case 'sgm-vp':
      return vpCoefficients(config);
    case 'sgm-ve':
      return veCoefficients(config);
    default:
      throw unknownFamily((config as { family: unknown }).family);
  }
}

/** What `step` returns: the sample at the lower time and the denoised estimate (diffusers' `pred_original_sample`). */
export interface StepOutput {
  prev: tf.Tensor2D;
  x0: tf.Tensor2D;
}

export class Process {
  readonly config: ProcessConfig;
  /** Whether training uses a discrete grid of T points. */
  readonly discrete: boolean;
  /** Smallest time used in training and sampling (0 for discrete, ε for SDEs). */
  readonly tMin: number;
  /** Standard deviation of y_1 around c: the prior starts at x_T = c + scale·terminalStd·ε. */
  readonly terminalStd: number;
  private readonly c: Coefficients;

  constructor(config: ProcessConfig) {
    this.config = config;
    this.c = coefficients(config);
    this.discrete = this.c.discrete;
    this.tMin = this.c.tMin;
    this.terminalStd = this.c.terminalStd;
  }

  /** Signal scale α(t) (sqrt ᾱ for ddpm). */
  alpha(t: number): number {
    return this.c.alpha(t);
  }

  /** Noise scale σ(t). */
  sigma(t: number): number {
    return this.c.sigma(t);
  }

  /** Forward SDE coefficients in closed form: drift f(t) (dy = f y dt + g dw) and g²(t). */
  sde(t: number): { f: number; g2: number } {
    return { f: this.c.f(t), g2: this.c.g2(t) };
  }

  /** Training time for a uniform draw u ∈ [0, 1): the discrete grid for ddpm, uniform on [tMin, 1] otherwise. */
  trainTime(u: number): number {
    return this.c.trainTime(u);
  }

  /**
   * Forward marginal y_t = α(t) y_0 + σ(t) ε (Ho et al. 2020, eq. 4; Song et al. 2021, eq. 29),
   * on one row of numbers (float64, for training batches) or on a tensor.
   */
  addNoise(y0: ArrayLike<number>, noise: ArrayLike<number>, t: number): Float64Array;
  addNoise(y0: tf.Tensor2D, noise: tf.Tensor2D, t: number): tf.Tensor2D;
  addNoise(y0: ArrayLike<number> | tf.Tensor2D, noise: ArrayLike<number> | tf.Tensor2D, t: number): Float64Array | tf.Tensor2D {
    const a = this.alpha(t);
    const s = this.sigma(t);
    if (y0 instanceof tf.Tensor) return tf.tidy(() => tf.add(tf.mul(y0, a), tf.mul(noise as tf.Tensor2D, s)) as tf.Tensor2D);
    const e = noise as ArrayLike<number>;
    const out = new Float64Array(y0.length);
    for (let q = 0; q < y0.length; q++) out[q] = a * y0[q] + s * e[q];
    return out;
  }

  /** Time grid 1 → 0 with `n` steps. For the discrete family it lands on multiples of 1/T. */
  timesteps(n: number): number[] {
    const ts: number[] = [];
    if (this.discrete) {
      const T = this.config.T;
      for (let i = 0; i <= n; i++) ts.push(Math.round((T * (n - i)) / n) / T);
    } else {
      for (let i = 0; i < n; i++) ts.push(1 - ((1 - this.tMin) * i) / Math.max(1, n - 1));
      ts.push(0);
    }
    return ts;
  }

  /** x̂0 = (y_t − σ_t ε̂)/α_t (Ho et al. 2020, eq. 15; DDIM eq. 9). */
  denoised(y: tf.Tensor2D, eps: tf.Tensor2D, t: number): tf.Tensor2D {
    return tf.div(tf.sub(y, tf.mul(eps, this.sigma(t))), this.alpha(t));
  }

  /**
   * One generalised DDIM transition t → s < t for any (α, σ) (Song, Meng & Ermon 2021, eq. 12):
   * y_s = α_s x̂0 + sqrt(σ_s² − ς²) ε̂ + ς z with ς = η σ_s sqrt(1 − (α_t σ_s / (α_s σ_t))²)
   * (eq. 16, written so that it also holds for VE). η = 0 is deterministic DDIM; η = 1 on every
   * grid step is DDPM ancestral sampling with the posterior variance β̃ (Ho et al. eq. 7).
   * At s = 0 the step returns x̂0. `noise` is called only when ς > 0.
   */
  step(eps: tf.Tensor2D, t: number, s: number, y: tf.Tensor2D, eta: number, noise: () => tf.Tensor2D): StepOutput {
    const x0 = this.denoised(y, eps, t);
    if (s <= 0) return { prev: x0, x0 };
    const at = this.alpha(t), st = this.sigma(t), as = this.alpha(s), ss = this.sigma(s);
    const ratio = (at * ss) / (as * st);
    const sig = eta * ss * Math.sqrt(Math.max(0, 1 - ratio * ratio));
    const dir = Math.sqrt(Math.max(0, ss * ss - sig * sig));
    let prev = tf.add(tf.mul(x0, as), tf.mul(eps, dir)) as tf.Tensor2D;
    if (sig > 0) prev = tf.add(prev, tf.mul(noise(), sig));
    return { prev, x0 };
  }
}

export function makeProcess(config: ProcessConfig): Process {
  return new Process(config);
}

/** Network input scale c_in = 1/sqrt(α² + σ²): 1 for ddpm and sgm-vp, keeps sgm-ve inputs O(1). */
export function inputScale(p: Process, t: number): number {
  const a = p.alpha(t);
  const s = p.sigma(t);
  return 1 / Math.sqrt(a * a + s * s);
}

/**
 * σ_max for sgm-ve from the centred data: the largest distance between two training days of the
 * same component (Song & Ermon 2020, "technique 1"), at least 1.
 */
export function veSigmaMax(centred: number[][], assign: number[]): number {
  let best = 0;
  const n = centred.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (assign[i] !== assign[j]) continue;
      let s = 0;
      const a = centred[i];
      const b = centred[j];
      for (let q = 0; q < a.length; q++) s += (a[q] - b[q]) ** 2;
      if (s > best) best = s;
    }
  }
  return Math.max(1, Math.sqrt(best));
}
