/**
 * The one diffusion code path, in coordinates centred on each row's center c (the mixture
 * component's center, or a conditional center): training batches, and sampling as named steps
 * (seeded noise → inpainting mask → sampler over the Preconditioner's ε → back to rows). A prior
 * with one zero center is the standard DDPM/SGM; nothing below branches on it.
 *
 * - process.ts: the schedule (addNoise, timesteps, step; closed-form SDE coefficients);
 * - samplers.ts: ddpm, ddim[:η], em, pc, ode as free functions over an ε-function;
 * - precondition.ts: centring, the Gaussian skip, c_in and x̂0 clipping; the loss and the ε.
 */
import * as tf from '@tensorflow/tfjs';
import { optionError } from '../core/errors.js';
import { rng, type Rng } from '../core/random.js';
import type { Denoiser } from '../nn/denoiser.js';
import type { Process } from './process.js';
import { Preconditioner, type BoundDenoiser, type RowInputs, type SkipBasis, type TrainBatch } from './precondition.js';
import { runSampler, type Inpaint, type SamplerName, type SamplerSpec } from './samplers.js';

export * from './process.js';
export * from './precondition.js';
export {
  runSampler,
  timeGrid,
  sampleDdim,
  sampleDdpm,
  sampleEm,
  samplePc,
  sampleOde,
  SAMPLERS,
  LANGEVIN_SNR,
  type SamplerSpec,
  type SamplerName,
  type EpsFn,
  type SampleContext,
} from './samplers.js';

/** Training days as rows: the clean day, its component label, its center and (optionally) its context. */
export interface TrainingDays {
  /** Model-space days, n × d. */
  z: number[][];
  /** Component of each day (the network's label), n. */
  components: number[];
  /** Center of each day in model space, n × d: the prior's c_k, or a conditional center c(k, u). */
  centers: number[][];
  /** Context of each day, n × m (absent or m = 0: the network takes none). */
  context?: number[][] | null;
}

/** Check that the per-day arrays line up (n rows; centers of length d; one context width). */
export function checkTrainingDays(days: TrainingDays): { n: number; d: number; m: number } {
  const n = days.z.length;
  if (n === 0) throw optionError('training needs at least one day');
  const d = days.z[0].length;
  if (days.components.length !== n) throw optionError(`components must have one entry per day (${n}; got ${days.components.length})`);
  if (days.centers.length !== n) throw optionError(`centers must have one row per day (${n}; got ${days.centers.length})`);
  if (days.centers.some((c) => c.length !== d)) throw optionError(`every center must have ${d} values`);
  const m = days.context?.[0]?.length ?? 0;
  if (days.context && (days.context.length !== n || days.context.some((u) => u.length !== m))) {
    throw optionError(`context must have one row of ${m} values per day (${n} days)`);
  }
  return { n, d, m };
}

/**
 * The random draws of a training batch: for each of `rows` (indices into `days`) a time
 * t = trainTime(U) and ε ~ N(0, I) (in that order from `r`, so a seeded stream gives the same
 * batch). The Preconditioner's `loss` turns it into y_t = α(t)(x0 − c) + σ(t) ε and the network input.
 */
export function drawBatch(p: Process, days: TrainingDays, rows: number[], r: Rng): TrainBatch {
  const B = rows.length;
  const d = days.z[0].length;
  const m = days.context?.[0]?.length ?? 0;
  const b: TrainBatch = {
    x0: new Float64Array(B * d),
    c: new Float64Array(B * d),
    eps: new Float64Array(B * d),
    t: new Float64Array(B),
    k: new Int32Array(B),
    u: new Float32Array(B * m),
    m,
  };
  rows.forEach((i, j) => {
    b.t[j] = p.trainTime(r.next());
    b.k[j] = days.components[i];
    b.x0.set(days.z[i], j * d);
    b.c.set(days.centers[i], j * d);
    for (let q = 0; q < d; q++) b.eps[j * d + q] = r.normal();
    if (m > 0) b.u.set(days.context![i], j * m);
  });
  return b;
}

export function parseSampler(spec: string, p: Process): SamplerSpec {
  const m = /^(ddpm|ddim|em|pc|ode)(?::(\d+))?(?::(\d*\.?\d+))?$/.exec(spec.trim());
  if (!m) throw optionError(`unknown sampler "${spec}"; use ddpm, ddim:STEPS[:ETA], em:STEPS, pc:STEPS or ode:STEPS`, { field: 'sampler' });
  const name = m[1] as SamplerName;
  const defaultSteps = p.discrete ? p.config.T : 1000;
  const steps = m[2] ? Number(m[2]) : name === 'ddpm' ? defaultSteps : 50;
  if (!(steps >= 1 && steps <= 100000)) throw optionError(`sampler steps must be between 1 and 100000 (got ${m[2]})`, { field: 'sampler' });
  if (name === 'ddpm' && m[2] && p.discrete && steps !== p.config.T) {
    throw optionError(`ddpm ancestral sampling runs all ${p.config.T} steps; use ddim:${steps} for fewer`, { field: 'sampler' });
  }
  const eta = m[3] !== undefined ? Number(m[3]) : 0;
  if (m[3] !== undefined && name !== 'ddim') throw optionError(`only ddim takes an η (got "${spec}")`, { field: 'sampler' });
  if (!(eta >= 0 && eta <= 1)) throw optionError(`ddim η must be in [0, 1] (got ${m[3]})`, { field: 'sampler' });
  return { name, steps, eta };
}

export interface SampleRequest extends RowInputs {
  /** Prior scale: x_T = c + scale·σ_T·ε (σ_T = 1 for ddpm/sgm-vp, σ_max for sgm-ve). */
  scale: number;
  sampler: SamplerSpec;
  seed: number;
  /** Observed slots (model space, not centred) for intraday updating. */
  observed?: { values: (number | null)[]; jumps?: number };
}

/** The former request: component-indexed centers (K × d) and the skip from the network flag. */
export interface LegacySampleRequest {
  components: number[];
  /** K × d, indexed by `components`. */
  centers: number[][];
  scale: number;
  sampler: SamplerSpec;
  seed: number;
  bounds?: { lo: number[]; hi: number[] };
  /** Used when the network's config has `skip` set; null/absent = Σ = I. */
  skipBasis?: SkipBasis | null;
  observed?: { values: (number | null)[]; jumps?: number };
}

/** Standard normal [n, d] tensors from one seeded stream (the only random source of a sample call). */
function seededNoise(seed: number, n: number, d: number): () => tf.Tensor2D {
  const r = rng(seed);
  return () => {
    const a = new Float32Array(n * d);
    for (let i = 0; i < a.length; i++) a[i] = r.normal();
    return tf.tensor2d(a, [n, d]);
  };
}

/** The inpainting mask and the centred observation for observed slots. */
function inpaintMask(observed: NonNullable<SampleRequest['observed']>, bound: BoundDenoiser, d: number): Inpaint {
  const vals = observed.values;
  if (vals.length !== d) throw optionError(`observed values must have ${d} slots (got ${vals.length})`, { field: 'observed' });
  const mask = new Float32Array(d);
  const v = new Float32Array(d);
  vals.forEach((x, q) => {
    if (x !== null && Number.isFinite(x)) {
      mask[q] = 1;
      v[q] = x;
    }
  });
  const y0 = tf.tidy(() => bound.centre(tf.tensor2d(v, [1, d])));
  return { y0, mask: tf.tensor2d(mask, [1, d]), jumps: observed.jumps ?? 4 };
}

/** A [n, d] tensor as n plain rows (disposes it). */
function toRows(x: tf.Tensor2D): number[][] {
  const [n, d] = x.shape;
  const flat = x.dataSync() as Float32Array;
  x.dispose();
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d)));
}

/**
 * Draw samples in model space: start at c + scale·σ_T·ε, run the sampler in centred
 * coordinates over the preconditioned ε, add c back. Returns n × d numbers.
 *
 * The second form (a Process and component-indexed centers, the skip taken from the network's
 * config flag) is the former interface, kept for the benchmarks.
 */
export function sample(net: Denoiser, pre: Preconditioner, req: SampleRequest): number[][];
export function sample(net: Denoiser, p: Process, req: LegacySampleRequest): number[][];
export function sample(net: Denoiser, pre: Preconditioner | Process, req: SampleRequest | LegacySampleRequest): number[][] {
  if (!(pre instanceof Preconditioner)) return sampleLegacy(net, pre, req as LegacySampleRequest);
  const n = req.components.length;
  const d = net.config.d;
  if (n === 0) return [];
  const noise = seededNoise(req.seed, n, d);
  const bound = pre.bind(net, req as SampleRequest);
  const observed = (req as SampleRequest).observed;
  let inpaint: Inpaint | undefined;
  try {
    inpaint = observed ? inpaintMask(observed, bound, d) : undefined;
    const yT = tf.tidy(() => tf.mul(noise(), req.scale * pre.process.terminalStd) as tf.Tensor2D);
    const y0 = runSampler(req.sampler, bound.eps, yT, { process: pre.process, noise, inpaint });
    yT.dispose();
    const x0 = bound.uncentre(y0);
    y0.dispose();
    return toRows(x0);
  } finally {
    bound.dispose();
    inpaint?.y0.dispose();
    inpaint?.mask.dispose();
  }
}

/** The skip a network of the former interface was trained with: its config flag and an optional basis. */
export function legacyPreconditioner(p: Process, skipFlag: boolean | undefined, basis: SkipBasis | null | undefined, bounds?: { lo: number[]; hi: number[] } | null): Preconditioner {
  return new Preconditioner(p, { skip: !skipFlag ? 'none' : basis ? 'covariance' : 'identity', basis, bounds });
}

function sampleLegacy(net: Denoiser, p: Process, req: LegacySampleRequest): number[][] {
  const pre = legacyPreconditioner(p, net.config.skip, req.skipBasis, req.bounds);
  const centers = req.components.map((k) => req.centers[k]);
  return sample(net, pre, { components: req.components, centers, scale: req.scale, sampler: req.sampler, seed: req.seed, observed: req.observed });
}

