/**
 * Samplers, each one short function over (eps, y, ts) in centred coordinates y = x − c
 * (k-diffusion style). `eps(y, t)` returns the network's ε̂ for centred inputs at time t; the
 * caller adds c back at the end. All samplers run from t = 1 down to t = 0 on the time grid
 * `ts` and finish with the denoised estimate ŷ_0.
 *
 * Inpainting (intraday updating) is RePaint-style *replacement*: after every step to time s the
 * observed slots are overwritten with a fresh forward-noised copy of the observation at level s
 * (α_s·y_obs + σ_s·z), optionally with `jumps` − 1 resampling rounds (re-noise s → t and redo the
 * step) so the free slots harmonise with the observed ones. At the end the observed slots equal
 * the observation exactly.
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
export interface SamplerSpec {
  name: SamplerName;
  steps: number;
  eta: number;
}

/** Time grid 1 → 0 with `steps` steps. For the discrete family it lands on multiples of 1/T. */
export function timeGrid(p: Process, steps: number): number[] {
  const ts: number[] = [];
  if (p.discrete) {
    const T = p.config.T;
    for (let i = 0; i <= steps; i++) ts.push(Math.round((T * (steps - i)) / steps) / T);
  } else {
    for (let i = 0; i < steps; i++) ts.push(1 - ((1 - p.tMin) * i) / Math.max(1, steps - 1));
    ts.push(0);
  }
  return ts;
}

const denoised = (p: Process, y: tf.Tensor2D, e: tf.Tensor2D, t: number): tf.Tensor2D =>
  tf.div(tf.sub(y, tf.mul(e, p.sigma(t))), p.alpha(t));

/** d log α / dt and g² = dσ²/dt − 2 (dlogα/dt) σ² by central differences. */
function drift(p: Process, t: number): { f: number; g2: number } {
  const h = 1e-4;
  const a = Math.max(0, t - h);
  const b = Math.min(1, t + h);
  const f = (Math.log(p.alpha(b)) - Math.log(p.alpha(a))) / (b - a);
  const ds2 = (p.sigma(b) ** 2 - p.sigma(a) ** 2) / (b - a);
  return { f, g2: Math.max(0, ds2 - 2 * f * p.sigma(t) ** 2) };
}

/** Overwrite observed slots with the observation noised to level s (or exactly at s = 0). */
function replace(ctx: SampleContext, y: tf.Tensor2D, s: number): tf.Tensor2D {
  const ip = ctx.inpaint;
  if (!ip) return y;
  return tf.tidy(() => {
    const level = s <= 0 ? ip.y0 : tf.add(tf.mul(ip.y0, ctx.process.alpha(s)), tf.mul(ctx.noise(), ctx.process.sigma(s)));
    return tf.add(tf.mul(y, tf.sub(1, ip.mask)), tf.mul(level, ip.mask)) as tf.Tensor2D;
  });
}

/** Forward transition y_s → y_t (t > s), for RePaint jumps. */
function renoise(ctx: SampleContext, y: tf.Tensor2D, s: number, t: number): tf.Tensor2D {
  const p = ctx.process;
  const r = p.alpha(t) / p.alpha(s);
  const v = Math.max(0, p.sigma(t) ** 2 - r * r * p.sigma(s) ** 2);
  return tf.tidy(() => tf.add(tf.mul(y, r), tf.mul(ctx.noise(), Math.sqrt(v))) as tf.Tensor2D);
}

type Step = (eps: EpsFn, y: tf.Tensor2D, t: number, s: number, ctx: SampleContext) => tf.Tensor2D;

/** Run `step` over the grid with replacement/jumps; disposes intermediates. */
function loop(step: Step, eps: EpsFn, y0: tf.Tensor2D, ts: number[], ctx: SampleContext): tf.Tensor2D {
  let y = tf.tidy(() => replace(ctx, tf.clone(y0), ts[0]));
  const jumps = ctx.inpaint ? Math.max(1, ctx.inpaint.jumps) : 1;
  for (let i = 0; i + 1 < ts.length; i++) {
    const t = ts[i];
    const s = ts[i + 1];
    for (let j = 0; j < jumps; j++) {
      const next = tf.tidy(() => replace(ctx, step(eps, y, t, s, ctx), s));
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

/**
 * DDIM step (Song et al. 2021) for any (α, σ): ŷ0 = (y − σ_t ε̂)/α_t,
 * y_s = α_s ŷ0 + sqrt(σ_s² − ς²) ε̂ + ς z, ς = η σ_s sqrt(1 − (α_t σ_s / (α_s σ_t))²).
 * With η = 1 and every grid step this is DDPM ancestral sampling with the posterior variance.
 */
const ddimStep =
  (eta: number): Step =>
  (eps, y, t, s, ctx) => {
    const p = ctx.process;
    const e = eps(y, t);
    const y0 = denoised(p, y, e, t);
    if (s <= 0) return y0;
    const at = p.alpha(t), st = p.sigma(t), as = p.alpha(s), ss = p.sigma(s);
    const ratio = (at * ss) / (as * st);
    const sig = eta * ss * Math.sqrt(Math.max(0, 1 - ratio * ratio));
    const dir = Math.sqrt(Math.max(0, ss * ss - sig * sig));
    let out = tf.add(tf.mul(y0, as), tf.mul(e, dir)) as tf.Tensor2D;
    if (sig > 0) out = tf.add(out, tf.mul(ctx.noise(), sig));
    return out;
  };

/** Euler–Maruyama on the reverse SDE dy = [f y − g² ∇log p] dt + g dw̄, with ∇log p = −ε̂/σ. */
const emStep: Step = (eps, y, t, s, ctx) => {
  const p = ctx.process;
  const e = eps(y, t);
  if (s <= 0) return denoised(p, y, e, t);
  const { f, g2 } = drift(p, t);
  const dt = s - t;
  const mean = tf.add(y, tf.mul(tf.add(tf.mul(y, f), tf.mul(e, g2 / p.sigma(t))), dt));
  return tf.add(mean, tf.mul(ctx.noise(), Math.sqrt(g2 * -dt))) as tf.Tensor2D;
};

/** Predictor–corrector: an EM predictor, then one Langevin corrector step at s (snr 0.16). */
const pcStep: Step = (eps, y, t, s, ctx) => {
  const pred = emStep(eps, y, t, s, ctx);
  if (s <= 0) return pred;
  const p = ctx.process;
  const e = eps(pred, s);
  const score = tf.div(e, -p.sigma(s));
  const z = ctx.noise();
  const snr = 0.16;
  const gn = tf.mean(tf.norm(score, 'euclidean', 1));
  const zn = tf.mean(tf.norm(z, 'euclidean', 1));
  const step = tf.mul(tf.square(tf.div(tf.mul(zn, snr), tf.add(gn, 1e-8))), 2 * p.alpha(s) ** 2);
  return tf.add(tf.add(pred, tf.mul(score, step)), tf.mul(z, tf.sqrt(tf.mul(step, 2)))) as tf.Tensor2D;
};

/** Probability-flow ODE dy/dt = f y + ½ g² ε̂/σ, Heun's method (Euler on the last step). */
const odeStep: Step = (eps, y, t, s, ctx) => {
  const p = ctx.process;
  const slope = (yy: tf.Tensor2D, tt: number) => {
    const { f, g2 } = drift(p, tt);
    return tf.add(tf.mul(yy, f), tf.mul(eps(yy, tt), (0.5 * g2) / p.sigma(tt))) as tf.Tensor2D;
  };
  if (s <= 0) return denoised(p, y, eps(y, t), t);
  const dt = s - t;
  const d1 = slope(y, t);
  const yE = tf.add(y, tf.mul(d1, dt)) as tf.Tensor2D;
  const d2 = slope(yE, s);
  return tf.add(y, tf.mul(tf.add(d1, d2), 0.5 * dt)) as tf.Tensor2D;
};

/** Run a sampler from y_T (centred) to ŷ_0 (centred). */
export function runSampler(spec: SamplerSpec, eps: EpsFn, yT: tf.Tensor2D, ctx: SampleContext): tf.Tensor2D {
  const ts = timeGrid(ctx.process, spec.steps);
  switch (spec.name) {
    case 'ddpm':
      return loop(ddimStep(1), eps, yT, ts, ctx);
    case 'ddim':
      return loop(ddimStep(spec.eta), eps, yT, ts, ctx);
    case 'em':
      return loop(emStep, eps, yT, ts, ctx);
    case 'pc':
      return loop(pcStep, eps, yT, ts, ctx);
    case 'ode':
      return loop(odeStep, eps, yT, ts, ctx);
  }
}
