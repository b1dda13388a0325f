/**
 * A trained mixcast model in memory: the EMA denoiser, the diffusion process, the mixture prior,
 * the value transform and the manifest. Sampling goes through the one diffusion code path.
 */
import { Denoiser } from '../nn/denoiser.js';
import { makeProcess, parseSampler, sample as diffusionSample, type Process } from '../diffusion/index.js';
import { fromModelSpace, toModelSpace, type TransformParams } from '../transform/index.js';
import { parsePrior, type MixturePrior } from '../prior/index.js';
import { optionError } from '../errors.js';
import type { Manifest } from './manifest.js';

export interface SampleDaysOptions {
  /** Component of each sample (its length is the sample count). */
  components: number[];
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
  readonly prior: MixturePrior;
  readonly transform: TransformParams;

  constructor(manifest: Manifest, net: Denoiser) {
    this.manifest = manifest;
    this.net = net;
    this.process = makeProcess(manifest.process);
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
    const K = this.prior.centers.length;
    for (const k of o.components) {
      if (!Number.isInteger(k) || k < 0 || k >= K) throw optionError(`component ${k} does not exist (the model has ${K}: 0..${K - 1})`);
    }
    const sampler = parseSampler(o.sampler ?? this.manifest.sampling.sampler, this.process);
    let observed: { values: (number | null)[]; jumps: number } | undefined;
    if (o.observed) {
      if (o.observed.length !== this.d) throw optionError(`observed values must have ${this.d} slots (got ${o.observed.length})`);
      // Map observed slots into model space (validated like training data); free slots stay null.
      const zObs = toModelSpace(this.transform, [o.observed.map((v) => (v === null || !Number.isFinite(v) ? 0 : v))])[0];
      observed = {
        values: o.observed.map((v, q) => (v === null || !Number.isFinite(v) ? null : zObs[q])),
        jumps: o.jumps ?? this.manifest.sampling.inpaintJumps,
      };
    }
    const z = diffusionSample(this.net, this.process, {
      components: o.components,
      centers: this.prior.centers,
      scale: this.prior.scale,
      sampler,
      seed: o.seed,
      bounds: this.manifest.data.bounds,
      skipBasis: this.manifest.network.skipBasis ?? null,
      observed,
    });
    return o.modelSpace ? z : fromModelSpace(this.transform, z);
  }

  dispose(): void {
    this.net.dispose();
  }
}
