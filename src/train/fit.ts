/**
 * From a DaySeries to a trained MixcastModel: calendar keys → transform → mixture prior →
 * denoiser training, with everything the manifest records (reverse effort, merges, fingerprint).
 */
import crypto from 'node:crypto';
import type { DaySeries } from '../../adapters/types.js';
import { seriesShape } from '../../adapters/shape.js';
import { assignKeys, defaultCalendarOptions } from '../calendar/index.js';
import type { CalendarOptions } from '../calendar/types.js';
import { defaultTransform, fitTransform, toModelSpace, type TransformKind } from '../transform/index.js';
import { pooledCovarianceBasis } from '../prior/covariance.js';
import { buildPrior, parsePriorSpec, reverseEffort, serialisePrior, type MixturePrior, type ReverseEffort } from '../prior/index.js';
import {
  defaultProcessConfig,
  makeProcess,
  parseSampler,
  Preconditioner,
  SKIP_MODES,
  veSigmaMax,
  type Family,
  type ScheduleName,
  type SkipMode,
} from '../diffusion/index.js';
import type { DenoiserConfig, NamedWeight } from '../nn/denoiser.js';
import { backendInfo } from '../backend.js';
import { optionError, inputError } from '../core/errors.js';
import { MixcastModel } from '../model/model.js';
import { FORMAT, SCHEMA_VERSION, type Manifest } from '../model/manifest.js';
import { networkDifference, trainDenoiser, type ProgressEvent, type TrainResult } from './index.js';
import { VERSION } from '../version.js';
import { contextTraining } from '../context/train.js';
import { levelWeights, type LevelWeight } from '../context/report.js';
import { DEFAULT_CONTEXT_SPEC, contextWidth, type ContextSpec } from '../context/features.js';

type TrainStats = Omit<TrainResult, 'net'>;
const partialStats: TrainStats = {
  steps: 0, seconds: 0, stepsPerSec: 0, finalLoss: NaN, finalValLoss: null, bestValLoss: null, stoppedEarly: false, trainDays: 0, valDays: 0, lossCurve: [],
};

const pkg = { version: VERSION };

/** Context on or off: the one list behind the type, `--context` and the request schemas. */
export const CONTEXT_MODES = ['on', 'off'] as const;
export type ContextMode = (typeof CONTEXT_MODES)[number];

/** A change to the fitted prior before training: `apply(prior, days in model space, their components, seed)`. */
export interface PriorAdjustment {
  name: string;
  apply(prior: MixturePrior, z: number[][], assign: number[], seed: number): MixturePrior;
}

export interface FitOptions {
  /** `none` | a calendar key spec (`weekday`, `weekday*season`, …) | `kmeans:K` | `kmeans:auto`. */
  prior: string;
  family: Family;
  steps: number;
  batch: number;
  seed: number;
  condition: 'component' | 'none';
  schedule: ScheduleName;
  T: number;
  hidden: number;
  blocks: number;
  lr: number;
  /** Share of days held out for validation / early stopping (0 = none). */
  validation: number;
  patience: number;
  transform?: TransformKind;
  /** Calendar key spec used for dates (k-means per-key component distributions, unseen-key checks). */
  keySpec?: string;
  calendar?: Partial<CalendarOptions>;
  /**
   * Gaussian skip: the network learns the departure from the exact ε of data distributed
   * N(c_k, Σ) — `covariance`: Σ = the pooled within-component covariance (shrunk);
   * `identity`: Σ = I; `none`: plain ε-prediction.
   */
  skip: SkipMode;
  /** Prior scale (x_T = c + scale·ε). */
  scale: number;
  /** Default sampler recorded in the manifest. */
  sampler: string;
  /**
   * Context-aware prior (src/context): `on` fits conditional centers c(k, u) = c_k + B·u on what
   * was known at origins 1…maxLead days before each training day and feeds u to the network;
   * `off` is the calendar-only prior. Needs at least 30 days; fewer days train without context.
   */
  context: ContextMode;
  /** Longest lead (days) of the training pairs. */
  maxLead: number;
  /** Known daily covariates of the training days: names, and each date's values (spec order). */
  covariates?: { names: string[]; byDate: Map<string, number[]> };
  /**
   * Replaces the fitted prior before training (a benchmark's deliberate mis-specification, see
   * bench/lib/misspecify.ts); `name` is reported with the fit.
   */
  priorAdjustment?: PriorAdjustment;
  /**
   * Warm start: the network starts from this model's weights instead of a seeded draw (for a
   * scheduled retraining on more days with fewer steps). The transform, the prior and the
   * context are fitted anew on `ds`; the model must have the same network, diffusion process and
   * mixture components (a typed error names what differs). Its provenance is recorded in the
   * manifest (`training.warmStart`).
   */
  warmStart?: MixcastModel;
  onProgress?: (e: ProgressEvent) => void;
  /** Steps at which `onCheckpoint` receives a model sharing the current EMA weights (valid only during the call). */
  checkpoints?: number[];
  onCheckpoint?: (step: number, model: MixcastModel) => void;
}

export { SKIP_MODES, type SkipMode };
/** The choice lists of the fit options, for the CLI and the request schemas (one constant each). */
export { FAMILIES, SCHEDULES, type Family, type ScheduleName } from '../diffusion/index.js';
export { TRANSFORM_KINDS, type TransformKind } from '../transform/index.js';
export { CONDITION_MODES, type ConditionMode } from '../nn/denoiser.js';

export const defaultFitOptions: FitOptions = {
  prior: 'weekday',
  family: 'ddpm',
  steps: 500,
  batch: 256,
  seed: 0,
  condition: 'component',
  schedule: 'linear',
  T: 1000,
  hidden: 128,
  blocks: 3,
  lr: 2e-3,
  validation: 0,
  patience: 0,
  scale: 1,
  skip: 'covariance',
  sampler: 'ddim:50',
  context: 'on',
  maxLead: 14,
};

/** Fewest training days for a context-aware model (the context needs a history of its own). */
export const MIN_CONTEXT_DAYS = 30;

export interface FitSummary {
  days: number;
  d: number;
  K: number;
  prior: string;
  family: Family;
  condition: string;
  components: { name: string; keys: string[]; days: number; weight: number }[];
  merges: { from: string; to: string; days: number; reason: string }[];
  reverseEffort: ReverseEffort;
  sigmaMax: number | null;
  steps: number;
  seconds: number;
  stepsPerSec: number;
  backend: string;
  finalLoss: number;
  finalValLoss: number | null;
  stoppedEarly: boolean;
  selection: MixturePrior['selection'];
  /** Context-aware prior: training pairs, width of u, reverse effort around c_k and c(k, u), penalties chosen. */
  context: null | {
    pairs: number;
    width: number;
    effort: { mixture: number; conditional: number };
    selection: { group: string; penalty: number | null }[];
    /** How much of the recent level the centers use at leads 1, 7 and 14 (src/context/report.ts). */
    levelWeights: LevelWeight[];
  };
}

export function fingerprint(ds: DaySeries): string {
  const h = crypto.createHash('sha256');
  h.update(`${ds.zone}|${ds.intervalMinutes}|${ds.open}|${ds.close}|${ds.series ?? ''}\n`);
  for (const day of ds.days) h.update(`${day.date}:${day.values.join(',')}\n`);
  return h.digest('hex');
}

/** Accepted ranges of the numeric fit options (the CLI flags use the same ones). */
export const FIT_RANGES = {
  steps: [1, 1_000_000],
  batch: [1, 65_536],
  T: [2, 100_000],
  hidden: [1, 4096],
  blocks: [1, 64],
  patience: [0, 1_000_000],
} as const;

/** Every numeric option in range before any work: a typed error naming the field (`details.field`) and its range. */
export function checkFitOptions(o: FitOptions): void {
  for (const [k, [lo, hi]] of Object.entries(FIT_RANGES) as [keyof typeof FIT_RANGES, readonly [number, number]][]) {
    const v = o[k];
    if (!Number.isInteger(v) || v < lo || v > hi) throw optionError(`${k} must be an integer from ${lo} to ${hi} (got ${String(v)})`, { field: k, value: v ?? null });
  }
  if (!(Number.isFinite(o.lr) && o.lr > 0 && o.lr <= 1)) throw optionError(`lr must be a number > 0 and ≤ 1 (got ${String(o.lr)})`, { field: 'lr', value: o.lr ?? null });
  if (!(Number.isFinite(o.validation) && o.validation >= 0 && o.validation <= 0.9)) throw optionError(`validation must be a share ≥ 0 and ≤ 0.9 (got ${String(o.validation)})`, { field: 'validation', value: o.validation ?? null });
  if (!(Number.isFinite(o.scale) && o.scale > 0 && o.scale <= 1000)) throw optionError(`scale must be a number > 0 and ≤ 1000 (got ${String(o.scale)})`, { field: 'scale', value: o.scale ?? null });
}

export function fitModel(ds: DaySeries, options: Partial<FitOptions> = {}): { model: MixcastModel; summary: FitSummary } {
  const o: FitOptions = { ...defaultFitOptions, ...options };
  checkFitOptions(o);
  if (ds.days.length < 2) throw inputError(`need at least 2 days to train (got ${ds.days.length}); check the ingest summary for dropped days`);
  const { calOpts, dates, keySpec, keys, transform, z, prior, assign, effort } = prepareSeries(ds, o);
  const d = z[0].length;
  const { processConfig, sigmaMax } = processConfigFor(o, () => ({ centred: z.map((row, i) => row.map((v, q) => v - prior.centers[assign[i]][q])), assign }));
  const p = makeProcess(processConfig);
  parseSampler(o.sampler, p);
  if (!(SKIP_MODES as readonly string[]).includes(o.skip)) throw optionError(`skip must be one of ${SKIP_MODES.join(', ')} (got ${String(o.skip)})`, { field: 'skip', value: o.skip ?? null });
  const ctx = contextRowsFor(o, ds, keys.keys, z, assign, prior);
  // The skip's Σ: the residual covariance around each row's (conditional) center.
  const skipBasis = o.skip === 'covariance' ? (ctx ? pooledCovarianceBasis(ctx.rows.z, ctx.rows.z.map((_, i) => i), ctx.rows.centers) : pooledCovarianceBasis(z, assign, prior.centers)) : undefined;
  const netConfig: DenoiserConfig = {
    d,
    hidden: o.hidden,
    blocks: o.blocks,
    timeDim: 64,
    components: prior.centers.length,
    // One component carries no label information: the network is unconditional then.
    condition: prior.centers.length > 1 ? o.condition : 'none',
    ...(ctx ? { contextDim: ctx.rows.context[0].length } : {}),
  };
  if (o.warmStart) checkWarmStart(o.warmStart, netConfig, processConfig, prior);
  const { lo, hi } = clipBounds(z);
  const pre = new Preconditioner(p, { skip: o.skip, basis: skipBasis, bounds: { lo, hi } });
  const backend = backendInfo()?.name ?? 'unknown';
  const manifestFor = (layout: NamedWeight[], r: TrainStats): Manifest => ({
    format: FORMAT,
    schemaVersion: SCHEMA_VERSION,
    packageVersion: pkg.version,
    createdAt: new Date().toISOString(),
    process: processConfig,
    network: netConfig,
    preconditioner: { skip: o.skip, ...(skipBasis ? { basis: skipBasis } : {}) },
    weights: { file: 'weights.bin', bytes: 0, sha256: '0'.repeat(64), layout },
    transform,
    prior: serialisePrior(prior),
    calendar: { options: calOpts, keySpec, keyMap: keys.keyMap, merges: keys.merges, counts: keys.counts },
    data: {
      ...seriesShape(ds),
      series: ds.series,
      weekdays: ds.weekdays,
      days: ds.days.length,
      firstDate: dates[0],
      lastDate: dates[dates.length - 1],
      fingerprint: fingerprint(ds),
      bounds: { lo, hi },
      dayComponents: dates.map((dt, i) => [dt, assign[i]] as [string, number]),
    },
    sampling: { sampler: o.sampler, inpaintJumps: 4 },
    ...(ctx ? { context: ctx.block } : {}),
    training: {
      steps: r.steps,
      requestedSteps: o.steps,
      batch: o.batch,
      lr: o.lr,
      seed: o.seed,
      seconds: r.seconds,
      stepsPerSec: r.stepsPerSec,
      backend,
      finalLoss: r.finalLoss,
      finalValLoss: r.finalValLoss,
      bestValLoss: r.bestValLoss,
      stoppedEarly: r.stoppedEarly,
      trainDays: r.trainDays,
      valDays: r.valDays,
      reverseEffort: effort,
      lossCurve: r.lossCurve,
      ...(o.warmStart ? { warmStart: warmStartRecord(o.warmStart) } : {}),
    },
  });
  // One row per training day with its component's center, or with context one row per
  // (day, origin) pair with its conditional center and context.
  const days = ctx ? ctx.rows : { z, components: assign, centers: assign.map((k) => prior.centers[k]) };
  const result = trainDenoiser(netConfig, pre, days, {
    steps: o.steps,
    batch: o.batch,
    seed: o.seed,
    lr: o.lr,
    validation: o.validation,
    patience: o.patience,
    onProgress: o.onProgress,
    ...(o.warmStart ? { init: o.warmStart.net } : {}),
    checkpoints: o.checkpoints,
    onCheckpoint: o.onCheckpoint
      ? (step, ema) => o.onCheckpoint!(step, new MixcastModel(manifestFor(ema.layout(), { ...partialStats, steps: step }), ema))
      : undefined,
  });
  const model = new MixcastModel(manifestFor(result.net.layout(), result), result.net);
  const summary: FitSummary = {
    days: ds.days.length,
    d,
    K: prior.centers.length,
    prior: o.prior,
    family: o.family,
    condition: netConfig.condition,
    components: prior.components.map((c, k) => ({ name: c.name, keys: c.keys, days: c.days, weight: prior.weights[k] })),
    merges: keys.merges,
    reverseEffort: effort,
    sigmaMax,
    steps: result.steps,
    seconds: result.seconds,
    stepsPerSec: result.stepsPerSec,
    backend,
    finalLoss: result.finalLoss,
    finalValLoss: result.finalValLoss,
    stoppedEarly: result.stoppedEarly,
    selection: prior.selection,
    context: ctx
      ? {
          pairs: ctx.block.pairs,
          width: ctx.rows.context[0].length,
          effort: ctx.block.effort,
          selection: ctx.block.selection.map((g) => ({ group: g.group, penalty: g.penalty })),
          levelWeights: levelWeights(model, [1, 7, 14]),
        }
      : null,
  };
  return { model, summary };
}

/**
 * A warm-start model must fit this training: the same network (width, depth, components, label
 * conditioning, context width), the same diffusion process and the same mixture components in
 * the same order (label k must mean the same days). Otherwise a typed error naming the first
 * difference and what to do.
 */
export function checkWarmStart(from: MixcastModel, net: DenoiserConfig, proc: Manifest['process'], prior: MixturePrior): void {
  const fail = (what: string) => {
    throw optionError(`the warm-start model cannot start this training: ${what}; train from scratch, or with the same options as the warm-start model`, { field: 'warmStart' });
  };
  const diff = networkDifference(net, from.net.config);
  if (diff) fail(`its network differs (${diff})`);
  const p = from.manifest.process;
  for (const f of ['family', 'schedule', 'T'] as const) if (p[f] !== proc[f]) fail(`its diffusion ${f} is ${String(p[f])}, this training's ${String(proc[f])}`);
  const had = from.prior.components.map((c) => c.name).join(', ');
  const has = prior.components.map((c) => c.name).join(', ');
  if (had !== has) fail(`its mixture components are ${had}; this training's are ${has}`);
}

/** What the manifest records of a warm start: the model it started from. */
function warmStartRecord(from: MixcastModel) {
  const m = from.manifest;
  return { fingerprint: m.data.fingerprint, firstDate: m.data.firstDate, lastDate: m.data.lastDate, days: m.data.days, steps: m.training.steps };
}

/**
 * One series prepared for training, up to its rows: calendar keys, transform, model-space days,
 * the mixture prior (adjusted when asked) and the reverse effort. fitModel prepares its series
 * with it, a global model each of its series.
 */
export function prepareSeries(ds: DaySeries, o: FitOptions) {
  const spec = parsePriorSpec(o.prior);
  const calOpts = defaultCalendarOptions({ holidays: ds.holidays, ...o.calendar });
  const dates = ds.days.map((d) => d.date);
  const keySpec = spec.kind === 'calendar' ? spec.keySpec : (o.keySpec ?? 'weekday');
  const keys = assignKeys(dates, keySpec, calOpts);
  const counts = ds.valueKind === 'counts';
  const transform = fitTransform(ds.days.map((d) => d.values), o.transform ?? defaultTransform(counts), counts);
  const z = toModelSpace(transform, ds.days.map((d) => d.values));
  const built = buildPrior(z, keys.keys, { spec: o.prior, seed: o.seed, scale: o.scale });
  const assign = built.assign;
  const prior = o.priorAdjustment ? o.priorAdjustment.apply(built.prior, z, assign, o.seed) : built.prior;
  return { calOpts, dates, keySpec, keys, transform, z, prior, assign, effort: reverseEffort(z, prior, assign) };
}

/** The diffusion process of the fit options; for VE, σ_max from the spread of the days around their own centers (`centredOf`). */
export function processConfigFor(o: FitOptions, centredOf: () => { centred: number[][]; assign: number[] }) {
  let sigmaMax: number | null = null;
  const processOver: Record<string, unknown> = { T: o.T, schedule: o.schedule };
  if (o.family === 'sgm-ve') {
    const { centred, assign } = centredOf();
    sigmaMax = veSigmaMax(centred, assign);
    processOver.sigmaMax = sigmaMax;
  }
  return { processConfig: defaultProcessConfig(o.family, processOver), sigmaMax };
}

/** Per-interval bounds for clipping x̂0 while sampling: the training range in model space, widened by max(1, a quarter of it). */
export function clipBounds(z: number[][]): { lo: number[]; hi: number[] } {
  const lo: number[] = [];
  const hi: number[] = [];
  for (let q = 0; q < z[0].length; q++) {
    let a = Infinity;
    let b = -Infinity;
    for (const row of z) {
      a = Math.min(a, row[q]);
      b = Math.max(b, row[q]);
    }
    const margin = Math.max(1, 0.25 * (b - a));
    lo.push(a - margin);
    hi.push(b + margin);
  }
  return { lo, hi };
}

/** The context-aware training rows (null when context is off or there are too few days); global models call it per series. */
export function contextRowsFor(o: FitOptions, ds: DaySeries, keys: string[], z: number[][], assign: number[], prior: MixturePrior) {
  if (o.context === 'off') return null;
  if (o.context !== 'on') throw optionError(`context must be on or off (got ${String(o.context)})`);
  if (!(Number.isInteger(o.maxLead) && o.maxLead >= 1 && o.maxLead <= 366)) throw optionError(`maxLead must be a whole number of days from 1 to 366 (got ${String(o.maxLead)})`);
  if (ds.days.length < MIN_CONTEXT_DAYS) return null;
  const names = o.covariates?.names ?? [];
  let covariates: number[][] | undefined;
  if (names.length) {
    const missing = ds.days.filter((d) => !o.covariates!.byDate.has(d.date)).map((d) => d.date);
    if (missing.length) throw inputError(`covariates have no value for ${missing.length} training day(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, { missing: missing.slice(0, 50) });
    covariates = ds.days.map((d) => o.covariates!.byDate.get(d.date)!);
  }
  const spec: ContextSpec = { ...DEFAULT_CONTEXT_SPEC, maxLead: o.maxLead, leadBands: DEFAULT_CONTEXT_SPEC.leadBands.filter((b) => b < o.maxLead).concat([o.maxLead]), covariates: names };
  const { block, rows } = contextTraining(
    { dates: ds.days.map((d) => d.date), values: ds.days.map((d) => d.values), keys, z, centers: assign.map((k) => prior.centers[k]), covariates },
    spec,
  );
  if (rows.day.length === 0 || rows.context[0].length !== contextWidth(spec)) return null;
  // Reverse effort E‖x0 − c‖² around the component centers and around the conditional centers.
  let mix = 0;
  let cond = 0;
  rows.day.forEach((i, r) => {
    for (let q = 0; q < z[i].length; q++) {
      mix += (z[i][q] - prior.centers[assign[i]][q]) ** 2;
      cond += (z[i][q] - rows.centers[r][q]) ** 2;
    }
  });
  const effort = { mixture: mix / rows.day.length, conditional: cond / rows.day.length };
  return {
    block: { ...block, effort },
    rows: { z: rows.day.map((i) => z[i]), components: rows.day.map((i) => assign[i]), centers: rows.centers, context: rows.context },
  };
}
