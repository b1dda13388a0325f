/**
 * Section 1: a 1-D bimodal Gaussian mixture with a known distribution,
 * p(x) = 0.3·N(−3, 0.5²) + 0.7·N(3, 0.5²).
 * One training run per (family, prior, seed) with checkpoints; at each checkpoint the EMA network
 * draws samples, scored by the exact Wasserstein-1 distance to the true mixture CDF.
 */
import { buildPrior, reverseEffort } from '../../src/prior/index.js';
import { defaultProcessConfig, makeProcess, parseSampler, sample, veSigmaMax, type Family, type SkipBasis } from '../../src/diffusion/index.js';
import { pooledCovarianceBasis } from '../../src/prior/covariance.js';
import type { SkipMode } from '../../src/train/fit.js';
import { trainDenoiser } from '../../src/train/index.js';
import { rng } from '../../src/core/random.js';

export const MIXTURE = { weights: [0.3, 0.7], means: [-3, 3], sds: [0.5, 0.5] } as const;

export interface SyntheticConfig {
  family: Family;
  prior: 'none' | 'kmeans:2';
  /** Gaussian skip (explicit): none = plain ε-prediction; identity: Σ = I; covariance: pooled within-component. */
  skip: SkipMode;
  seed: number;
  sampler: string;
  checkpoints: number[];
  trainSize: number;
  sampleSize: number;
  hidden: number;
  blocks: number;
  batch: number;
  timeDim: number;
}

export interface SyntheticRun {
  config: SyntheticConfig;
  curve: { step: number; w1: number; sampleSeconds: number }[];
  /** W1 of a fresh sample of the true mixture (same size): the sampling-noise floor. */
  floor: number;
  effort: { standard: number; mixture: number };
  sigmaMax: number | null;
  trainSeconds: number;
  stepsPerSec: number;
}

export function drawMixture(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const k = r.next() < MIXTURE.weights[0] ? 0 : 1;
    return MIXTURE.means[k] + MIXTURE.sds[k] * r.normal();
  });
}

/** Standard normal CDF (erf by Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export function mixtureCdf(x: number): number {
  let s = 0;
  for (let k = 0; k < 2; k++) s += MIXTURE.weights[k] * normalCdf((x - MIXTURE.means[k]) / MIXTURE.sds[k]);
  return s;
}

/** W1 = ∫|F_n(x) − F(x)|dx between a sample's empirical CDF and the true mixture CDF (midpoint rule, dx = 0.001). */
export function w1ToTruth(samples: readonly number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  const lo = Math.min(-8, s[0]) - 0.5;
  const hi = Math.max(8, s[s.length - 1]) + 0.5;
  const dx = 1e-3;
  let i = 0;
  let acc = 0;
  for (let x = lo + dx / 2; x < hi; x += dx) {
    while (i < s.length && s[i] <= x) i++;
    acc += Math.abs(i / s.length - mixtureCdf(x)) * dx;
  }
  return acc;
}

export function runSynthetic(c: SyntheticConfig, onLine: (s: string) => void = () => {}): SyntheticRun {
  const data = drawMixture(1000 + c.seed, c.trainSize).map((v) => [v]);
  const { prior, assign } = buildPrior(
    data,
    data.map(() => 'all'),
    { spec: c.prior, seed: c.seed },
  );
  let sigmaMax: number | null = null;
  const over: Record<string, number> = {};
  if (c.family === 'sgm-ve') {
    sigmaMax = veSigmaMax(
      data.map((x, i) => [x[0] - prior.centers[assign[i]][0]]),
      assign,
    );
    over.sigmaMax = sigmaMax;
  }
  const p = makeProcess(defaultProcessConfig(c.family, over));
  const spec = parseSampler(c.sampler, p);
  const lo = Math.min(...data.map((x) => x[0]));
  const hi = Math.max(...data.map((x) => x[0]));
  const margin = Math.max(1, 0.25 * (hi - lo));
  const bounds = { lo: [lo - margin], hi: [hi + margin] };
  const curve: SyntheticRun['curve'] = [];
  const maxStep = Math.max(...c.checkpoints);
  const skipBasis: SkipBasis | null = c.skip === 'covariance' ? pooledCovarianceBasis(data, assign, prior.centers) : null;
  const res = trainDenoiser(
    { d: 1, hidden: c.hidden, blocks: c.blocks, timeDim: c.timeDim, components: prior.centers.length, condition: 'none', skip: c.skip !== 'none' },
    p,
    data,
    assign,
    prior.centers,
    {
      steps: maxStep,
      batch: c.batch,
      seed: c.seed,
      skipBasis,
      checkpoints: c.checkpoints,
      onCheckpoint: (step, ema) => {
        const t0 = performance.now();
        const r = rng(c.seed * 7919 + step);
        const comps = Array.from({ length: c.sampleSize }, () => (r.next() < prior.weights[0] ? 0 : 1) % prior.centers.length);
        const s = sample(ema, p, { components: comps, centers: prior.centers, scale: prior.scale, sampler: spec, seed: c.seed * 104729 + step, bounds, skipBasis });
        const w1 = w1ToTruth(s.map((x) => x[0]));
        curve.push({ step, w1, sampleSeconds: (performance.now() - t0) / 1000 });
        onLine(`${c.family} ${c.prior} skip ${c.skip} seed ${c.seed} step ${step}: W1 ${w1.toFixed(3)}`);
      },
    },
  );
  res.net.dispose();
  const eff = reverseEffort(data, prior, assign);
  return {
    config: c,
    curve,
    floor: w1ToTruth(drawMixture(5000 + c.seed, c.sampleSize)),
    effort: { standard: eff.standard, mixture: eff.mixture },
    sigmaMax,
    // the checkpoint sampling ran inside the training loop; leave it out of the training time
    trainSeconds: res.seconds - curve.reduce((a, x) => a + x.sampleSeconds, 0),
    stepsPerSec: res.steps / Math.max(1e-9, res.seconds - curve.reduce((a, x) => a + x.sampleSeconds, 0)),
  };
}
