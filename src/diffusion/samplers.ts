/**
 * Samplers, each one short free function over an ε-function (k-diffusion `sampling.py` style):
 * `eps(y, t)` returns ε̂ for centred inputs y = x − c at time t (the Preconditioner builds it);
 * the sampler walks the process's time grid from t = 1 down to t = 0 and returns the denoised ŷ0.
 * The process (scheduler) never calls the network; the samplers do.
 *
 * Inpainting (intraday updating) is RePaint-style *replacement* (Lugmayr et al. 2022), shared by
 * every sampler through `walk`: after every step to time s the observed slots are overwritten
 * with a fresh forward-noised copy of the observation at level s (α_s·y_obs + σ_s·z), optionally
 * with `jumps` − 1 resampling rounds (re-noise s → t and redo the step) so the free slots
 * harmonise with the observed ones. At the end the observed slots equal the observation exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { Process } from './process.js';

export type EpsFn = (y: tf.Tensor2D, t: number) => tf.Tensor2D;

export interface Inpaint {
  /** Observed values in centred model coordinates, [n, d] (rows broadcast per sample). */
  y0: tf.Tensor2D;
  /** 1 where observed, 0 where free, [n, d] or [1, d]. */
  mask: tf.Tensor2D;
  /** RePaint resampling rounds per step (1 = plain replacement). */
  jumps: number;
}

export interface SampleContext {
  process: Process;
  /** Standard normal noise of the sample batch's shape (seeded by the caller). */
  noise: () => tf.Tensor2D;
  inpaint?: Inpaint;
}

export type SamplerName = 'ddpm' | 'ddim' | 'em' | 'pc' | 'ode';
export const SAMPLERS: SamplerName[] = ['ddpm', 'ddim', 'em', 'pc', 'ode'];
export interface SamplerSpec {
  name: SamplerName;
  steps: number;
  eta: number;
}

/** Signal-to-noise ratio r of the Langevin corrector (Song et al. 2021, Algorithms 4–5; their CIFAR-10 value). */
export const LANGEVIN_SNR = 0.16;

/** Time grid 1 → 0 with `steps` steps (the process's `timesteps`). */
export function timeGrid(p: Process, steps: number): number[] {
  return p.timesteps(steps);
}

// ---- shared helpers -------------------------------------------------------------------------

/** Score ∇ log p_t(y) = −ε̂/σ(t). */
const toScore = (e: tf.Tensor2D, sigma: number): tf.Tensor2D => tf.div(e, -sigma);

/** Mean over rows of the per-row Euclidean norm (as score_sde's corrector). */
const meanNorm = (x: tf.Tensor2D): tf.Scalar => tf.mean(tf.norm(x, 'euclidean', 1));

/** Overwrite observed slots with the observation noised to level s (or exactly at s = 0). */
function replace(ctx: SampleContext, y: tf.Tensor2D, s: number): tf.Tensor2D {
  const ip = ctx.inpaint;
  if (!ip) return y;
  return tf.tidy(() => {
    const level = s <= 0 ? ip.y0 : tf.add(tf.mul(ip.y0, ctx.process.alpha(s)), tf.mul(ctx.noise(), ctx.process.sigma(s)));
    return tf.add(tf.mul(y, tf.sub(1, ip.mask)), tf.mul(level, ip.mask)) as tf.Tensor2D;
  });
}

/** Forward transition y_s → y_t (t > s), for RePaint jumps: y_t = (α_t/α_s) y_s + sqrt(σ_t² − (α_t/α_s)² σ_s²) z. */
function renoise(ctx: SampleContext, y: tf.Tensor2D, s: number, t: number): tf.Tensor2D {
  const p = ctx.process;
  const r = p.alpha(t) / p.alpha(s);
  const v = Math.max(0, p.sigma(t) ** 2 - r * r * p.sigma(s) ** 2);
  return tf.tidy(() => tf.add(tf.mul(y, r), tf.mul(ctx.noise(), Math.sqrt(v))) as tf.Tensor2D);
}

type Update = (y: tf.Tensor2D, t: number, s: number) => tf.Tensor2D;

/** Walk the grid `ts` with `update` (one step t → s), inpainting replacement and jumps; disposes intermediates. */
function walk(ctx: SampleContext, yT: tf.Tensor2D, ts: number[], update: Update): tf.Tensor2D {
  let y = tf.tidy(() => replace(ctx, tf.clone(yT), ts[0]));
  const jumps = ctx.inpaint ? Math.max(1, ctx.inpaint.jumps) : 1;
  for (let i = 0; i + 1 < ts.length; i++) {
    const t = ts[i];
    const s = ts[i + 1];
    for (let j = 0; j < jumps; j++) {
      const next = tf.tidy(() => replace(ctx, update(y, t, s), s));
      y.dispose();
      y = next;
      if (j + 1 < jumps && s > 0) {
        const back = renoise(ctx, y, s, t);
        y.dispose();
        y = back;
      }
    }
  }
  return y;
}

/** One Euler–Maruyama step of the reverse SDE dy = [f y − g² ∇log p] dt + g dw̄ (Song et al. 2021, eq. 6). */
function eulerMaruyamaStep(eps: EpsFn, ctx: SampleContext, y: tf.Tensor2D, t: number, s: number): tf.Tensor2D {
  const p = ctx.process;
  const e = eps(y, t);
  if (s <= 0) return p.denoised(y, e, t);
  const { f, g2 } = p.sde(t);
  const dt = s - t;
  const mean = tf.add(y, tf.mul(tf.sub(tf.mul(y, f), tf.mul(toScore(e, p.sigma(t)), g2)), dt));
  return tf.add(mean, tf.mul(ctx.noise(), Math.sqrt(g2 * -dt))) as tf.Tensor2D;
}

// ---- samplers -------------------------------------------------------------------------------

/** DDIM with η (Song, Meng & Ermon 2021): the process's `step` on `steps` grid points. */
export function sampleDdim(eps: EpsFn, yT: tf.Tensor2D, ctx: SampleContext, steps: number, eta = 0): tf.Tensor2D {
  const p = ctx.process;
  return walk(ctx, yT, p.timesteps(steps), (y, t, s) => p.step(eps(y, t), t, s, y, eta, ctx.noise).prev);
}

/** DDPM ancestral sampling (Ho et al. 2020, Algorithm 2) = DDIM with η = 1 on every grid step. */
export function sampleDdpm(eps: EpsFn, yT: tf.Tensor2D, ctx: SampleContext, steps: number): tf.Tensor2D {
  return sampleDdim(eps, yT, ctx, steps, 1);
}

/** Euler–Maruyama on the reverse SDE; the last step (to t = 0) returns x̂0. */
export function sampleEm(eps: EpsFn, yT: tf.Tensor2D, ctx: SampleContext, steps: number): tf.Tensor2D {
  return walk(ctx, yT, ctx.process.timesteps(steps), (y, t, s) => eulerMaruyamaStep(eps, ctx, y, t, s));
}

/**
 * Predictor–corrector (Song et al. 2021, Algorithms 4 (VE) and 5 (VP)): an Euler–Maruyama
 * predictor, then one Langevin corrector step at s with
 *   step size ε_L = 2 α_i (r ‖z‖ / ‖∇log p‖)²,  y ← y + ε_L ∇log p + sqrt(2 ε_L) z,
 * norms per row, averaged over rows (as in score_sde's LangevinCorrector). In Algorithm 5,
 * α_i = 1 − β_i is the per-step signal retention of the VP discretisation, *not* the signal
 * scale α(t); for VE (Algorithm 4) it is 1. Both are exp(2 f(s) Δt) with the closed-form drift
 * f = d log α/dt and the grid spacing Δt (1 − β(s)Δt to first order for VP, exactly 1 for VE).
 */
export function samplePc(eps: EpsFn, yT: tf.Tensor2D, ctx: SampleContext, steps: number, snr = LANGEVIN_SNR): tf.Tensor2D {
  const p = ctx.process;
  return walk(ctx, yT, p.timesteps(steps), (y, t, s) => {
    const pred = eulerMaruyamaStep(eps, ctx, y, t, s);
    if (s <= 0) return pred;
    const score = toScore(eps(pred, s), p.sigma(s));
    const z = ctx.noise();
    const alphaI = Math.exp(2 * p.sde(s).f * (t - s));
    const stepSize = tf.mul(tf.square(tf.div(tf.mul(meanNorm(z), snr), tf.add(meanNorm(score), 1e-8))), 2 * alphaI);
    return tf.add(tf.add(pred, tf.mul(score, stepSize)), tf.mul(z, tf.sqrt(tf.mul(stepSize, 2)))) as tf.Tensor2D;
  });
}

/**
 * Probability-flow ODE dy/dt = f y − ½ g² ∇log p (Song et al. 2021, eq. 13), Heun's method
 * (Karras et al. 2022, Algorithm 1); the last step (to t = 0) returns x̂0.
 */
export function sampleOde(eps: EpsFn, yT: tf.Tensor2D, ctx: SampleContext, steps: number): tf.Tensor2D {
  const p = ctx.process;
  const slope = (y: tf.Tensor2D, t: number): tf.Tensor2D => {
    const { f, g2 } = p.sde(t);
    return tf.sub(tf.mul(y, f), tf.mul(toScore(eps(y, t), p.sigma(t)), 0.5 * g2)) as tf.Tensor2D;
  };
  return walk(ctx, yT, p.timesteps(steps), (y, t, s) => {
    if (s <= 0) return p.denoised(y, eps(y, t), t);
    const dt = s - t;
    const d1 = slope(y, t);
    const d2 = slope(tf.add(y, tf.mul(d1, dt)) as tf.Tensor2D, s);
    return tf.add(y, tf.mul(tf.add(d1, d2), 0.5 * dt)) as tf.Tensor2D;
  });
}

/** Run a sampler from y_T (centred) to ŷ0 (centred). */
export function runSampler(spec: SamplerSpec, eps: EpsFn, yT: tf.Tensor2D, ctx: SampleContext): tf.Tensor2D {
  switch (spec.name) {
    case 'ddpm':
      return sampleDdpm(eps, yT, ctx, spec.steps);
    case 'ddim':
      return sampleDdim(eps, yT, ctx, spec.steps, spec.eta);
    case 'em':
      return sampleEm(eps, yT, ctx, spec.steps);
    case 'pc':
      return samplePc(eps, yT, ctx, spec.steps);
    case 'ode':
      return sampleOde(eps, yT, ctx, spec.steps);
  }
}
