/**
 * Planning a scenario request: validate it, resolve its dates, pick each date's component
 * distribution and split the work into units. A unit is a chunk of ≤ CHUNK_SIZE scenario
 * indices × an ORDERED list of dates; it is executed date by date and carries each scenario's
 * simulated path (its values on the unit's earlier dates) from one date to the next.
 *
 * The split: a model that does not read the path (`needsPaths` false — every model today) gets
 * one unit per (date, chunk), so dates run in parallel; a model that does gets one unit per
 * chunk spanning all dates, so scenario s on Tuesday continues scenario s on Monday.
 *
 * Every unit carries everything it needs — per date its scenarios' components (drawn here), a
 * sampling seed, the observed slots and the compiled what-if — and both seeds of a (date, chunk)
 * are derived from (request seed, date, chunk index) only. So the numbers do not depend on the
 * split, on which thread runs a unit or on how many run at once: the same request and seed give
 * the same scenarios in-process, on a worker pool of any size, per date or spanning dates.
 *
 * Planning needs no tensors: only the manifest, the prior and the transform (`ModelInfo`), so
 * the server plans on its request thread while workers own the networks.
 */
import crypto from 'node:crypto';
import { optionError, unprocessable } from '../core/errors.js';
import { drawIndex, rng } from '../core/random.js';
import { resolveKey, keyChain } from '../calendar/index.js';
import { componentDistribution, parsePrior, type MixturePrior } from '../prior/index.js';
import { toModelSpace, type TransformParams } from '../transform/index.js';
import { makeProcess, parseSampler } from '../diffusion/index.js';
import type { Manifest } from '../model/manifest.js';
import type { SampleDaysOptions } from '../model/model.js';
import { resolveDates, weekdayLong, type DateSelection } from './dates.js';
import { compileWhatIf, type SlotOp, type WhatIfTransform } from './whatif.js';
import { originHistory } from './origin.js';
import type { HistoryDay } from '../context/features.js';

/** What planning needs from a model (a loaded MixcastModel is one). */
export interface ModelInfo {
  manifest: Manifest;
  prior: MixturePrior;
  transform: TransformParams;
}

/**
 * A fitted model as the scenario runner sees it (GluonTS's Predictor): manifest-derived info
 * plus `sampleDays`. A loaded or freshly fitted MixcastModel is one; save/load it with
 * `savePredictor` / `loadPredictor` (src/scenarios/predictor.ts).
 */
export interface Predictor extends ModelInfo {
  sampleDays(o: SampleDaysOptions): number[][];
}

/** The former name of `Predictor`. */
export type ScenarioModel = Predictor;

/**
 * Does the model read each scenario's simulated path when sampling a date? A context-aware model
 * (conditional centers from the recent level, src/context) does: then the planner keeps a
 * chunk's dates in one unit, so each scenario carries its own history from date to date.
 */
export function needsPaths(predictor: ModelInfo): boolean {
  return !!predictor.manifest.context;
}

/** ModelInfo from a manifest alone (no weights, no tensors). */
export function modelInfo(manifest: Manifest): ModelInfo {
  return { manifest, prior: parsePrior(manifest.prior), transform: manifest.transform };
}

export interface ScenarioLimits {
  /** Scenarios per date. */
  maxCount: number;
  /** Dates per request. */
  maxDates: number;
  /** count × dates × intervals per request. */
  maxValues: number;
}

export const DEFAULT_LIMITS: ScenarioLimits = { maxCount: 100_000, maxDates: 366, maxValues: 20_000_000 };

/** Scenarios per work unit; part of the determinism contract (do not make it depend on the pool). */
export const CHUNK_SIZE = 256;

export const DEFAULT_SCENARIO_QUANTILES: readonly number[] = [0.05, 0.1, 0.5, 0.9, 0.95];

/** Output kinds and fallback modes: the one list each behind the types, the CLI and the HTTP schemas. */
export const OUTPUT_KINDS = ['counts', 'continuous'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];
export const FALLBACK_MODES = ['error', 'mixture'] as const;
export type FallbackMode = (typeof FALLBACK_MODES)[number];

/** Observed slots of one day in original units: the first m slots, or any mask (null = not seen). */
export interface ObservedDay {
  date: string;
  values: (number | null)[];
}

export interface ScenarioOptions extends DateSelection {
  /** Scenarios per date. */
  count: number;
  seed: number;
  /** Sampler spec (`ddim:50`, `ddpm`, …); default: the model's. */
  sampler?: string;
  observed?: ObservedDay | null;
  whatIf?: WhatIfTransform[];
  /** `counts` (default for count data: non-negative integers) or `continuous`. */
  output?: OutputKind;
  /** `error` (default): a date whose calendar key the model never saw is refused; `mixture`: draw its components by the prior weights. */
  fallback?: FallbackMode;
  /** Summary quantile levels (default 0.05, 0.1, 0.5, 0.9, 0.95). */
  quantiles?: number[];
  limits?: Partial<ScenarioLimits>;
  /**
   * Observed days after (or overlapping) the model's training data, in original units, for a
   * context-aware model: the context at the origin is computed from them (days overlapping the
   * bundle's stored history replace it). Ignored by models without context.
   */
  history?: readonly HistoryInput[];
  /** The forecast origin: history after it is not used. Default: the last day of `history`, else the end of the training data; moved back to the day before the first requested date when that is earlier. A requested date on or before an explicit origin is refused. */
  origin?: string;
  /** Known covariates of the requested dates: date → covariate name → value. */
  futureCovariates?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** One observed day: its date and one value per interval (original units). */
export interface HistoryInput {
  date: string;
  values: readonly number[];
}

export interface DatePlan {
  date: string;
  weekday: string;
  /** The calendar key the model resolved for the date (null: unseen, fallback used). */
  key: string | null;
  /** True when the components were drawn by the prior weights because the key was unseen. */
  fallback: boolean;
  /** Probability of each component used for the draws (after conditioning on observed slots). */
  probabilities: number[];
  /** Observed slots (length d, null = free) or null. */
  observed: (number | null)[] | null;
  ops: SlotOp[];
  /** Known covariates of the date (context-aware models with covariates). */
  covariates?: number[];
}

/** One date of a unit: what its chunk of scenarios needs on that date. */
export interface UnitDate {
  /** Index into the plan's dates. */
  dateIndex: number;
  date: string;
  /** Component of each of the unit's scenarios on this date (drawn at planning). */
  components: number[];
  /** Sampling seed, from (request seed, date, chunk). */
  seed: number;
  observed: (number | null)[] | null;
  ops: SlotOp[];
  /** The date's known covariates (the model's covariate order), for a context-aware model. */
  covariates?: number[];
}

/** A chunk of scenario indices × an ordered list of dates, executed date by date. */
export interface ScenarioUnit {
  chunk: number;
  /** Index of the unit's first scenario (the same on every date: scenario ids are consistent across dates). */
  offset: number;
  /** Scenarios in the chunk. */
  n: number;
  /** In date order; the unit's output is date-major: dates.length × n rows. */
  dates: UnitDate[];
  sampler: string;
  /** Clamp at 0 (count data). */
  clamp: boolean;
  /** Round to integers (count output). */
  round: boolean;
  /** Context-aware model: the observed history up to the origin (daily totals, the last weeks). */
  history?: HistoryDay[];
}

export interface PlanOptions {
  /** One unit per chunk spanning all dates (true) or one per (date, chunk); default `needsPaths(model)`. */
  spanDates?: boolean;
}

export interface ScenarioPlan {
  labels: string[];
  d: number;
  count: number;
  seed: number;
  sampler: string;
  output: OutputKind;
  quantiles: number[];
  componentNames: string[];
  dates: DatePlan[];
  units: ScenarioUnit[];
  /** Context-aware model: the forecast origin (last observed day used), else null. */
  origin: string | null;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Two 32-bit seeds for a unit, from (seed, date, chunk) only. */
export function unitSeeds(seed: number, date: string, chunk: number): { components: number; sampling: number } {
  const h = crypto.createHash('sha256').update(`mixcast-scenarios\u0000${seed}\u0000${date}\u0000${chunk}`).digest();
  return { components: h.readUInt32LE(0), sampling: h.readUInt32LE(4) };
}

export function checkQuantiles(qs: readonly number[] | undefined, fallback: readonly number[]): number[] {
  const list = qs ?? fallback;
  if (!Array.isArray(list) || list.length === 0 || list.length > 50) throw optionError('quantiles must be a list of 1 to 50 levels in [0, 1], e.g. 0.1,0.5,0.9', { field: 'quantiles' });
  for (const q of list) {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw optionError(`quantiles: level ${String(q)} is not in [0, 1]`, { field: 'quantiles', quantile: q });
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

function limitsOf(l: Partial<ScenarioLimits> | undefined): ScenarioLimits {
  return { ...DEFAULT_LIMITS, ...(l ?? {}) };
}

/**
 * Observed slots → posterior component probabilities. With prior probabilities p_k for the date
 * (the key's empirical component shares, or the prior weights under fallback), the posterior is
 *   P(k | observed) ∝ p_k · N(z_O; c_k,O, scale² I)
 * where z_O are the observed slots mapped to model space (toModelSpace) and c_k,O the same
 * slots of center k — the prior's own isotropic Gaussian around each center, restricted to the
 * observed slots. For structural (one-hot) distributions this changes nothing; for k-means
 * priors it picks the clusters whose shape fits the morning seen so far.
 */
export function observedPosterior(model: ModelInfo, p: readonly number[], observed: readonly (number | null)[]): number[] {
  const { prior, transform } = model;
  // free slots are filled with 0 (valid for every transform) and ignored below
  const filled = observed.map((v) => (v === null ? 0 : v));
  const z = toModelSpace(transform, [filled])[0];
  const s2 = prior.scale * prior.scale;
  const logw = p.map((pk, k) => {
    if (!(pk > 0)) return -Infinity;
    let ss = 0;
    observed.forEach((v, q) => {
      if (v === null) return;
      const e = z[q] - prior.centers[k][q];
      ss += e * e;
    });
    return Math.log(pk) - ss / (2 * s2);
  });
  const m = Math.max(...logw);
  const w = logw.map((l) => (l === -Infinity ? 0 : Math.exp(l - m)));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

function checkObserved(o: ObservedDay, d: number, counts: boolean, dates: readonly string[]): (number | null)[] {
  if (!o || typeof o !== 'object') throw optionError('observed must be { date, values }');
  if (!dates.includes(o.date)) {
    throw unprocessable(`observed date ${String(o.date)} is not among the requested dates (${dates[0]} … ${dates[dates.length - 1]})`, {
      observed: o.date,
    });
  }
  if (!Array.isArray(o.values) || o.values.length === 0) throw optionError('observed.values must be a non-empty list (numbers, null for slots not seen yet)');
  if (o.values.length > d) throw optionError(`observed.values has ${o.values.length} slots; the model's day has ${d}`, { got: o.values.length, d });
  const values = o.values.map((v, q) => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw optionError(`observed.values[${q}] is ${String(v)}: use a finite number or null`, { slot: q });
    if (counts && v < 0) throw optionError(`observed.values[${q}] is ${v}: counts must be ≥ 0`, { slot: q, value: v });
    return v;
  });
  while (values.length < d) values.push(null);
  if (values.every((v) => v === null)) throw optionError('observed.values holds no value (all null); leave observed out for unconditional scenarios');
  return values;
}

/** The output kind: as asked, else counts for count data and continuous for measurements. */
export function resolveOutput(model: ModelInfo, output: OutputKind | undefined): OutputKind {
  const counts = model.manifest.data.valueKind === 'counts';
  const out = output ?? (counts ? 'counts' : 'continuous');
  if (out !== 'counts' && out !== 'continuous') throw optionError(`output must be counts or continuous (got ${String(out)})`);
  if (out === 'counts' && !counts) throw optionError('output counts needs a count model; this model holds measurements — use continuous');
  return out;
}

export function planScenarios(model: ModelInfo, o: ScenarioOptions, planOptions: PlanOptions = {}): ScenarioPlan {
  const limits = limitsOf(o.limits);
  const m = model.manifest;
  const labels = m.data.labels;
  const d = labels.length;
  const counts = m.data.valueKind === 'counts';
  if (!isInt(o.count) || o.count < 1) throw optionError(`count must be a positive integer (got ${String(o.count)})`, { field: 'count', value: o.count ?? null });
  if (o.count > limits.maxCount) {
    throw unprocessable(`count ${o.count} is over the limit of ${limits.maxCount} scenarios per date`, { count: o.count, maxCount: limits.maxCount });
  }
  if (!isInt(o.seed)) throw optionError(`seed must be an integer (got ${String(o.seed)})`, { field: 'seed', value: o.seed ?? null });
  const output = resolveOutput(model, o.output);
  const fallback = o.fallback ?? 'error';
  if (fallback !== 'error' && fallback !== 'mixture') throw optionError(`fallback must be error or mixture (got ${String(fallback)})`, { field: 'fallback', value: fallback });
  const quantiles = checkQuantiles(o.quantiles, DEFAULT_SCENARIO_QUANTILES);
  const sampler = (o.sampler ?? m.sampling.sampler).trim();
  parseSampler(sampler, makeProcess(m.process));

  const dates = resolveDates(o, limits.maxDates);
  const values = o.count * dates.length * d;
  if (values > limits.maxValues) {
    throw unprocessable(
      `the request asks for ${o.count} scenarios × ${dates.length} dates × ${d} intervals = ${values} values; the limit is ${limits.maxValues} — ask for fewer scenarios or dates`,
      { values, maxValues: limits.maxValues },
    );
  }
  const observed = o.observed ? checkObserved(o.observed, d, counts, dates) : null;

  const cal = { spec: m.calendar.keySpec, keyMap: m.calendar.keyMap };
  const prior = model.prior;
  const known = [...new Set(Object.values(m.calendar.keyMap))].sort();
  const datePlans: DatePlan[] = dates.map((date) => {
    const key = resolveKey(date, cal, m.calendar.options);
    const weekday = weekdayLong(date);
    let p = key === null ? null : componentDistribution(prior, key);
    let fb = false;
    if (key === null || p === null) {
      if (fallback !== 'mixture') {
        const raw = keyChain(date, m.calendar.keySpec, m.calendar.options)[0];
        throw unprocessable(
          `${date} is a ${weekday} (calendar key ${raw} under ${m.calendar.keySpec}), which the model never saw in training; ` +
            `it knows ${known.join(', ')}. Ask for other dates, or pass fallback "mixture" to draw components by the prior weights`,
          { date, weekday, key: raw, keySpec: m.calendar.keySpec, knownKeys: known },
        );
      }
      p = [...prior.weights];
      fb = true;
    }
    const obs = observed && o.observed!.date === date ? observed : null;
    if (obs) p = observedPosterior(model, p, obs);
    const ops = o.whatIf?.length ? compileWhatIf(o.whatIf, date, labels, output === 'counts') : [];
    return { date, weekday, key: fb ? null : key, fallback: fb, probabilities: p, observed: obs, ops };
  });

  const ctx = m.context ? originHistory(model, o, dates) : null;
  if (ctx) datePlans.forEach((dp, i) => (dp.covariates = ctx.covariates[i]));

  const chunks = Math.ceil(o.count / CHUNK_SIZE);
  const unitDates = (chunk: number): UnitDate[] =>
    datePlans.map((dp, dateIndex) => {
      const n = Math.min(CHUNK_SIZE, o.count - chunk * CHUNK_SIZE);
      const seeds = unitSeeds(o.seed, dp.date, chunk);
      const r = rng(seeds.components);
      const components = Array.from({ length: n }, () => drawIndex(r, dp.probabilities));
      return { dateIndex, date: dp.date, components, seed: seeds.sampling, observed: dp.observed, ops: dp.ops, ...(dp.covariates ? { covariates: dp.covariates } : {}) };
    });
  const unit = (chunk: number, dates: UnitDate[]): ScenarioUnit => ({
    chunk,
    offset: chunk * CHUNK_SIZE,
    n: Math.min(CHUNK_SIZE, o.count - chunk * CHUNK_SIZE),
    dates,
    sampler,
    clamp: counts,
    round: output === 'counts',
    ...(ctx ? { history: ctx.history } : {}),
  });
  const perChunk = Array.from({ length: chunks }, (_, chunk) => unitDates(chunk));
  const units: ScenarioUnit[] = (planOptions.spanDates ?? needsPaths(model))
    ? perChunk.map((dates, chunk) => unit(chunk, dates))
    : datePlans.flatMap((_, i) => perChunk.map((dates, chunk) => unit(chunk, [dates[i]])));
  return {
    labels,
    d,
    count: o.count,
    seed: o.seed,
    sampler,
    output,
    quantiles,
    componentNames: prior.components.map((c) => c.name),
    dates: datePlans,
    units,
    origin: ctx?.origin ?? null,
  };
}
