/**
 * Diffusion processes as (α(t), σ(t)) on t ∈ [0, 1], in coordinates centred on the day's
 * mixture component c:  x_t = c + α(t)(x_0 − c) + σ(t) ε.
 *
 * - `ddpm`: discrete T steps (linear or cosine β schedule); α(t) = sqrt(ᾱ) interpolated in
 *   log space between the grid points t = i/T, so continuous-time samplers also apply.
 * - `sgm-vp`: variance-preserving SDE, β(t) = β_min + t(β_max − β_min).
 * - `sgm-ve`: variance-exploding SDE, α = 1, σ(t) = σ_min (σ_max/σ_min)^t.
 *
 * The prior only decides c (and the start x_T = c + scale·ε); standard DDPM/SGM is the case
 * of one component with c = 0. Nothing here knows which.
 */
import { optionError } from '../errors.js';

export type Family = 'ddpm' | 'sgm-vp' | 'sgm-ve';
export type ScheduleName = 'linear' | 'cosine';
export const FAMILIES: Family[] = ['ddpm', 'sgm-vp', 'sgm-ve'];

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

export interface Process {
  config: ProcessConfig;
  alpha(t: number): number;
  sigma(t: number): number;
  /** Smallest time used in training and sampling (0 for discrete, ε for SDEs). */
  tMin: number;
  /** Training times: discrete grid for ddpm, uniform on [tMin, 1] otherwise. */
  trainTime(u: number): number;
  /** Whether training uses a discrete grid of T points. */
  discrete: boolean;
}

export function defaultProcessConfig(family: Family, over: Partial<ProcessConfig> = {}): ProcessConfig {
  if (!FAMILIES.includes(family)) throw optionError(`unknown family "${family}"; use one of ${FAMILIES.join(', ')}`);
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

/** Cumulative ᾱ_i for i = 0..T (ᾱ_0 = 1). */
export function alphaBars(T: number, schedule: ScheduleName): Float64Array {
  const ab = new Float64Array(T + 1);
  ab[0] = 1;
  if (schedule === 'linear') {
    const b0 = 1e-4 * (1000 / T);
    const b1 = 0.02 * (1000 / T);
    for (let i = 1; i <= T; i++) {
      const beta = Math.min(0.999, b0 + ((b1 - b0) * (i - 1)) / Math.max(1, T - 1));
      ab[i] = ab[i - 1] * (1 - beta);
    }
  } else if (schedule === 'cosine') {
    const s = 0.008;
    const f = (i: number) => Math.cos((((i / T) + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    for (let i = 1; i <= T; i++) {
      const beta = Math.min(0.999, 1 - f(i) / f(i - 1));
      ab[i] = ab[i - 1] * (1 - beta);
    }
  } else {
    throw optionError(`unknown schedule "${schedule}"; use linear or cosine`);
  }
  return ab;
}

export function makeProcess(config: ProcessConfig): Process {
  if (config.family === 'ddpm') {
    const T = config.T;
    if (!Number.isInteger(T) || T < 2) throw optionError(`--T must be an integer ≥ 2 (got ${T})`);
    const ab = alphaBars(T, config.schedule);
    const logAb = Array.from(ab, (v) => Math.log(v));
    const logAbAt = (t: number) => {
      const x = Math.min(T, Math.max(0, t * T));
      const i = Math.min(T - 1, Math.floor(x));
      const w = x - i;
      return logAb[i] * (1 - w) + logAb[i + 1] * w;
    };
    return {
      config,
      discrete: true,
      tMin: 0,
      alpha: (t) => Math.exp(0.5 * logAbAt(t)),
      sigma: (t) => Math.sqrt(Math.max(0, 1 - Math.exp(logAbAt(t)))),
      // Discrete training times 1/T … T/T.
      trainTime: (u) => (Math.min(T - 1, Math.floor(u * T)) + 1) / T,
    };
  }
  if (config.family === 'sgm-vp') {
    const { betaMin: b0, betaMax: b1 } = config;
    const logAlpha = (t: number) => -0.25 * t * t * (b1 - b0) - 0.5 * t * b0;
    const tMin = 1e-3;
    return {
      config,
      discrete: false,
      tMin,
      alpha: (t) => Math.exp(logAlpha(t)),
      sigma: (t) => Math.sqrt(Math.max(0, 1 - Math.exp(2 * logAlpha(t)))),
      trainTime: (u) => tMin + u * (1 - tMin),
    };
  }
  const { sigmaMin: s0, sigmaMax: s1 } = config;
  if (!(s1 > s0 && s0 > 0)) throw optionError(`sgm-ve needs 0 < sigmaMin < sigmaMax (got ${s0}, ${s1})`);
  const tMin = 1e-5;
  return {
    config,
    discrete: false,
    tMin,
    alpha: () => 1,
    // σ(0) = 0 so the last sampler step lands on the data; σ(t) = σ_min (σ_max/σ_min)^t for t > 0.
    sigma: (t) => (t <= 0 ? 0 : s0 * Math.pow(s1 / s0, t)),
    trainTime: (u) => tMin + u * (1 - tMin),
  };
}

/** Network input scale 1/sqrt(α² + σ²): 1 for ddpm and sgm-vp, keeps sgm-ve inputs O(1). */
export function inputScale(p: Process, t: number): number {
  const a = p.alpha(t);
  const s = p.sigma(t);
  return 1 / Math.sqrt(a * a + s * s);
}

/**
 * The ε that is exact when the centred data are standard normal: ε* = σ (x_t − c)/(α² + σ²).
 * With `skip`, the network predicts the residual ε − skipScale(t)·(x_t − c): at initialisation
 * the model *is* the prior N(c_k, I) (per component), so what the prior knows — the component
 * centers — is there from step 0 and training only learns the departure from it.
 */
export function skipScale(p: Process, t: number): number {
  const a = p.alpha(t);
  const s = p.sigma(t);
  return s / (a * a + s * s);
}

/**
 * σ_max for sgm-ve from the centred data: the largest distance between two training days of the
 * same component (Song & Ermon's "technique 1"), at least 1.
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
