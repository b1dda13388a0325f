/**
 * Training a global model (src/model/global.ts): one denoiser for several series.
 *
 * Each series is prepared exactly as `fitModel` prepares one: its calendar keys (keys with
 * fewer than minDays training days merge into the series' parent key), its transform, its
 * mixture prior — so the components are (series, key) pairs — its conditional centers when
 * context is on, and its clipping bounds. The rows of every series then train one network
 * through the one training loop: the label is the component's index among all series'
 * components, and the context input is the series' one-hot followed by the row's own context
 * (zeros for a series without context). The Gaussian skip's Σ is pooled over every series'
 * residuals (each series is standardised per interval by its transform, so they share a scale).
 */
import type { DaySeries } from '../../adapters/types.js';
import { seriesShape } from '../../adapters/shape.js';
import { pooledCovarianceBasis } from '../prior/covariance.js';
import { serialisePrior, type ReverseEffort } from '../prior/index.js';
import { makeProcess, parseSampler, Preconditioner, SKIP_MODES } from '../diffusion/index.js';
import type { DenoiserConfig } from '../nn/denoiser.js';
import { backendInfo } from '../backend.js';
import { inputError, optionError } from '../core/errors.js';
import { GlobalModel } from '../model/global.js';
import { FORMAT, SCHEMA_VERSION, type Manifest } from '../model/manifest.js';
import { VERSION } from '../version.js';
import { trainDenoiser } from './index.js';
import { checkFitOptions, clipBounds, contextRowsFor, defaultFitOptions, fingerprint, prepareSeries, processConfigFor, type FitOptions } from './fit.js';

export interface GlobalFitOptions extends Partial<FitOptions> {
  /** Known daily covariates of each series' training days, by series id (the same names for every series). */
  covariatesBySeries?: Record<string, { names: string[]; byDate: Map<string, number[]> }>;
}

export interface GlobalSeriesSummary {
  series: string;
  days: number;
  K: number;
  /** The series' components among the network's: componentOffset … componentOffset + K − 1. */
  componentOffset: number;
  components: { name: string; keys: string[]; days: number; weight: number }[];
  merges: { from: string; to: string; days: number; reason: string }[];
  reverseEffort: ReverseEffort;
  /** Context-aware: training pairs; null without context (off, or fewer than 30 days). */
  context: null | { pairs: number; width: number };
}

export interface GlobalFitSummary {
  model: 'global';
  series: string[];
  /** Training days over all series. */
  days: number;
  d: number;
  /** Components over all series. */
  K: number;
  prior: string;
  family: FitOptions['family'];
  condition: string;
  /** Width of the network's context input: the series one-hot plus each series' context u. */
  contextDim: number;
  steps: number;
  seconds: number;
  stepsPerSec: number;
  backend: string;
  finalLoss: number;
  finalValLoss: number | null;
  stoppedEarly: boolean;
  perSeries: GlobalSeriesSummary[];
}

/** One series prepared as fitModel prepares a series, with its context rows and sampling bounds. */
function prepare(ds: DaySeries, o: FitOptions, covariates: FitOptions['covariates']) {
  const id = ds.series!;
  if (ds.days.length < 2) throw inputError(`series "${id}" has ${ds.days.length} day(s); every series of a global model needs at least 2 (train it on its own, or leave it out)`, { series: id });
  const p = prepareSeries(ds, o);
  const ctx = contextRowsFor({ ...o, covariates }, ds, p.keys.keys, p.z, p.assign, p.prior);
  return { id, ds, ...p, ctx, bounds: clipBounds(p.z) };
}

/**
 * Fit one global model on `series` (two or more DaySeries with distinct `series` ids and the same
 * intervals). Options are fitModel's; `checkpoints`/`onCheckpoint` are not supported here.
 */
export function fitGlobalModel(series: DaySeries[], options: GlobalFitOptions = {}): { model: GlobalModel; summary: GlobalFitSummary } {
  const { covariatesBySeries, ...rest } = options;
  const o: FitOptions = { ...defaultFitOptions, ...rest };
  checkFitOptions(o);
  if (series.length < 2) throw optionError(`a global model needs at least 2 series (got ${series.length}); train a single series with fitModel`, { field: 'series' });
  const ids = series.map((s) => s.series);
  if (ids.some((id) => !id)) throw optionError('every series of a global model needs its id (DaySeries.series)', { field: 'series' });
  if (new Set(ids).size !== ids.length) throw optionError('the series of a global model must have distinct ids', { field: 'series' });
  const first = series[0];
  for (const s of series.slice(1)) {
    if (s.labels.join(',') !== first.labels.join(',') || s.intervalMinutes !== first.intervalMinutes) {
      throw inputError(
        `series "${s.series}" has intervals ${s.open}–${s.close} every ${s.intervalMinutes} min (${s.labels.length}), "${first.series}" ${first.open}–${first.close} every ${first.intervalMinutes} min (${first.labels.length}); a global model needs the same intervals for every series — set \`open\`, \`close\` and \`interval\`, or train one model per series (\`perSeries\`)`,
        { series: s.series },
      );
    }
  }
  const prepared = series.map((ds) => prepare(ds, o, covariatesBySeries?.[ds.series!]));
  const widths = new Set(prepared.filter((p) => p.ctx).map((p) => p.ctx!.rows.context[0].length));
  if (widths.size > 1) throw inputError('the series have different context widths (different covariates); give every series the same covariates', { field: 'covariates' });
  const S = series.length;
  const w = widths.size ? [...widths][0] : 0;
  const d = first.labels.length;

  // Rows of every series: the component among all components, the one-hot + own context.
  const offsets: number[] = [];
  let K = 0;
  for (const p of prepared) {
    offsets.push(K);
    K += p.prior.centers.length;
  }
  const rows = { z: [] as number[][], components: [] as number[], centers: [] as number[][], context: [] as number[][] };
  prepared.forEach((p, s) => {
    const onehot = new Array<number>(S).fill(0);
    onehot[s] = 1;
    if (p.ctx) {
      p.ctx.rows.z.forEach((zr, r) => {
        rows.z.push(zr);
        rows.components.push(offsets[s] + p.ctx!.rows.components[r]);
        rows.centers.push(p.ctx!.rows.centers[r]);
        rows.context.push([...onehot, ...p.ctx!.rows.context[r]]);
      });
    } else {
      p.z.forEach((zr, i) => {
        rows.z.push(zr);
        rows.components.push(offsets[s] + p.assign[i]);
        rows.centers.push(p.prior.centers[p.assign[i]]);
        rows.context.push([...onehot, ...new Array<number>(w).fill(0)]);
      });
    }
  });

  const { processConfig } = processConfigFor(o, () => ({
    centred: prepared.flatMap((p) => p.z.map((row, i) => row.map((v, q) => v - p.prior.centers[p.assign[i]][q]))),
    assign: prepared.flatMap((p, s) => p.assign.map((k) => offsets[s] + k)),
  }));
  const proc = makeProcess(processConfig);
  parseSampler(o.sampler, proc);
  if (!(SKIP_MODES as readonly string[]).includes(o.skip)) throw optionError(`skip must be one of ${SKIP_MODES.join(', ')} (got ${String(o.skip)})`, { field: 'skip', value: o.skip ?? null });
  const skipBasis = o.skip === 'covariance' ? pooledCovarianceBasis(rows.z, rows.z.map((_, i) => i), rows.centers) : undefined;
  const netConfig: DenoiserConfig = {
    d,
    hidden: o.hidden,
    blocks: o.blocks,
    timeDim: 64,
    components: K,
    condition: K > 1 ? o.condition : 'none',
    contextDim: S + w,
  };
  const pre = new Preconditioner(proc, { skip: o.skip, basis: skipBasis });
  const result = trainDenoiser(netConfig, pre, rows, {
    steps: o.steps,
    batch: o.batch,
    seed: o.seed,
    lr: o.lr,
    validation: o.validation,
    patience: o.patience,
    onProgress: o.onProgress,
  });
  const backend = backendInfo()?.name ?? 'unknown';
  const createdAt = new Date().toISOString();
  const layout = result.net.layout();
  const manifests: Manifest[] = prepared.map((p, s) => ({
    format: FORMAT,
    schemaVersion: SCHEMA_VERSION,
    packageVersion: VERSION,
    createdAt,
    process: processConfig,
    network: netConfig,
    preconditioner: { skip: o.skip, ...(skipBasis ? { basis: skipBasis } : {}) },
    weights: { file: 'weights.bin', bytes: 0, sha256: '0'.repeat(64), layout },
    transform: p.transform,
    prior: serialisePrior(p.prior),
    calendar: { options: p.calOpts, keySpec: p.keySpec, keyMap: p.keys.keyMap, merges: p.keys.merges, counts: p.keys.counts },
    data: {
      ...seriesShape(p.ds),
      series: p.id,
      weekdays: p.ds.weekdays,
      days: p.ds.days.length,
      firstDate: p.dates[0],
      lastDate: p.dates[p.dates.length - 1],
      fingerprint: fingerprint(p.ds),
      bounds: p.bounds,
      dayComponents: p.dates.map((dt, i) => [dt, p.assign[i]] as [string, number]),
    },
    sampling: { sampler: o.sampler, inpaintJumps: 4 },
    ...(p.ctx ? { context: p.ctx.block } : {}),
    shared: { kind: 'global' as const, series: s, seriesCount: S, componentOffset: offsets[s] },
    training: {
      steps: result.steps,
      requestedSteps: o.steps,
      batch: o.batch,
      lr: o.lr,
      seed: o.seed,
      seconds: result.seconds,
      stepsPerSec: result.stepsPerSec,
      backend,
      finalLoss: result.finalLoss,
      finalValLoss: result.finalValLoss,
      bestValLoss: result.bestValLoss,
      stoppedEarly: result.stoppedEarly,
      trainDays: result.trainDays,
      valDays: result.valDays,
      reverseEffort: p.effort,
      lossCurve: result.lossCurve,
    },
  }));
  const model = new GlobalModel(manifests, result.net);
  const summary: GlobalFitSummary = {
    model: 'global',
    series: ids as string[],
    days: prepared.reduce((a, p) => a + p.dates.length, 0),
    d,
    K,
    prior: o.prior,
    family: o.family,
    condition: netConfig.condition,
    contextDim: S + w,
    steps: result.steps,
    seconds: result.seconds,
    stepsPerSec: result.stepsPerSec,
    backend,
    finalLoss: result.finalLoss,
    finalValLoss: result.finalValLoss,
    stoppedEarly: result.stoppedEarly,
    perSeries: prepared.map((p, s) => ({
      series: p.id,
      days: p.dates.length,
      K: p.prior.centers.length,
      componentOffset: offsets[s],
      components: p.prior.components.map((c, k) => ({ name: c.name, keys: c.keys, days: c.days, weight: p.prior.weights[k] })),
      merges: p.keys.merges,
      reverseEffort: p.effort,
      context: p.ctx ? { pairs: p.ctx.block.pairs, width: p.ctx.rows.context[0].length } : null,
    })),
  };
  return { model, summary };
}
