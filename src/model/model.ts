/**
 * A trained mixcast model in memory: the EMA denoiser, the diffusion process, its
 * Preconditioner (skip, clipping bounds), the mixture prior, the value transform and the
 * manifest. Sampling goes through the one diffusion code path.
 */
import type { Denoiser } from '../nn/denoiser.js';
import { makeProcess, parseSampler, Preconditioner, sample as diffusionSample, type Process } from '../diffusion/index.js';
import { fromModelSpace, toModelSpace, type TransformParams } from '../transform/index.js';
import { parsePrior, type MixturePrior } from '../prior/index.js';
import { modelError, optionError } from '../core/errors.js';
import type { Manifest } from './manifest.js';

export interface SampleDaysOptions {
  /** Component of each sample (its length is the sample count). */
  components: number[];
  /**
   * Center of each sample in model space (n × d), e.g. a conditional center c(k, u); default:
   * the prior's center of the sample's component.
   */
  centers?: number[][];
  /** Context of each sample (n × contextDim), for a network trained with a context input. */
  context?: number[][];
  seed: number;
  /** Sampler spec, e.g. `ddim:50`; default from the manifest. */
  sampler?: string;
  /** Observed slots in original units (null = free), for intraday updating. */
  observed?: (number | null)[];
  /** RePaint resampling rounds when `observed` is given. */
  jumps?: number;
  /** Return model-space values instead of original units. */
  modelSpace?: boolean;
}

export class MixcastModel {
  readonly manifest: Manifest;
  readonly net: Denoiser;
  readonly process: Process;
  readonly preconditioner: Preconditioner;
  readonly prior: MixturePrior;
  readonly transform: TransformParams;

  constructor(manifest: Manifest, net: Denoiser) {
    this.manifest = manifest;
    this.net = net;
    this.process = makeProcess(manifest.process);
    this.preconditioner = preconditionerOf(manifest, this.process);
    this.prior = parsePrior(manifest.prior);
    this.transform = manifest.transform;
  }

  get d(): number {
    return this.manifest.network.d;
  }

  get labels(): string[] {
    return this.manifest.data.labels;
  }

  /** Continuous samples, n × d, in original units (non-negative for counts). */
  sampleDays(o: SampleDaysOptions): number[][] {
    const n = o.components.length;
    const K = this.prior.centers.length;
    for (const k of o.components) {
      if (!Number.isInteger(k) || k < 0 || k >= K) throw optionError(`component ${k} does not exist (the model has ${K}: 0..${K - 1})`);
    }
    const centers = o.centers ?? o.components.map((k) => this.prior.centers[k]);
    if (centers.length !== n || centers.some((c) => c.length !== this.d)) {
      throw optionError(`centers must have one row of ${this.d} values per sample (${n} samples)`, { field: 'centers' });
    }
    // A series of a global model: the network's input starts with the series' one-hot.
    const shared = this.manifest.shared;
    const contextDim = (this.manifest.network.contextDim ?? 0) - (shared?.seriesCount ?? 0);
    // A context-aware model asked without context: ũ = 0, i.e. the recent level as the calendar
    // expects and covariates at their training mean — with the component centers, the calendar-only prior.
    if (contextDim > 0 && !o.context) o = { ...o, context: Array.from({ length: n }, () => new Array<number>(contextDim).fill(0)) };
    if (o.context && (o.context.length !== n || o.context.some((u) => u.length !== contextDim))) {
      throw optionError(`context must have one row of ${contextDim} values per sample (${n} samples)`, { field: 'context' });
    }
    const sampler = parseSampler(o.sampler ?? this.manifest.sampling.sampler, this.process);
    const net = shared ? sharedNetInputs(shared, o.components, contextDim > 0 ? o.context! : null) : { components: o.components, context: contextDim > 0 ? o.context! : null };
    const z = diffusionSample(this.net, this.preconditioner, {
      components: net.components,
      centers,
      context: net.context,
      scale: this.prior.scale,
      sampler,
      seed: o.seed,
      observed: this.observedInModelSpace(o),
    });
    return o.modelSpace ? z : fromModelSpace(this.transform, z);
  }

  /** Observed slots mapped into model space (validated like training data); free slots stay null. */
  private observedInModelSpace(o: SampleDaysOptions): { values: (number | null)[]; jumps: number } | undefined {
    if (!o.observed) return undefined;
    if (o.observed.length !== this.d) throw optionError(`observed values must have ${this.d} slots (got ${o.observed.length})`, { field: 'observed' });
    const free = (v: number | null): v is null => v === null || !Number.isFinite(v);
    const zObs = toModelSpace(this.transform, [o.observed.map((v) => (free(v) ? 0 : v))])[0];
    return { values: o.observed.map((v, q) => (free(v) ? null : zObs[q])), jumps: o.jumps ?? this.manifest.sampling.inpaintJumps };
  }

  dispose(): void {
    this.net.dispose();
  }
}

/**
 * The shared network's inputs for a series of a global model: its components shifted to the
 * series' place among all components, and the context prefixed with the series' one-hot.
 */
export function sharedNetInputs(
  shared: NonNullable<Manifest['shared']>,
  components: readonly number[],
  context: readonly (readonly number[])[] | null,
): { components: number[]; context: number[][] } {
  const onehot = new Array<number>(shared.seriesCount).fill(0);
  onehot[shared.series] = 1;
  return {
    components: components.map((k) => k + shared.componentOffset),
    context: components.map((_, i) => (context ? [...onehot, ...context[i]] : onehot.slice())),
  };
}

/**
 * The Preconditioner a bundle was trained with: its `preconditioner` section, or for bundles
 * written before that section existed, the former `network.skip` flag and `network.skipBasis`.
 */
export function preconditionerOf(manifest: Manifest, process: Process): Preconditioner {
  const saved = manifest.preconditioner;
  const net = manifest.network;
  const skip = saved ? saved.skip : !net.skip ? 'none' : net.skipBasis ? 'covariance' : 'identity';
  const basis = saved ? saved.basis : net.skipBasis;
  if (skip === 'covariance' && !basis) throw modelError('the manifest asks for the covariance skip but has no covariance basis; the bundle is corrupt — retrain it');
  return new Preconditioner(process, { skip, basis: basis ?? null, bounds: manifest.data.bounds });
}
