/**
 * Sections 2–4 on the call-center data: one training run per configuration with checkpoints,
 * each checkpoint scored on the selection window (energy score, CRPS, coverage) — so one run gives
 * the whole steps curve — plus the reverse effort of the prior.
 *
 * The DDPM-with-label control (`control: 'label'`): the diffusion uses the standard prior (every
 * center 0) while the network gets the weekday label, so the effect of the label is separated from
 * the effect of the prior. fitModel does not expose zero centers with a calendar assignment, so it
 * is built here from the same lower-level pieces fitModel uses (keys → transform → buildPrior →
 * centers set to 0 → trainDenoiser), with the same network, seeds, bounds and samplers.
 */
import type { DaySeries } from '../../adapters/types.js';
import { assignKeys, defaultCalendarOptions, resolveKey } from '../../src/calendar/index.js';
import type { CalendarOptions } from '../../src/calendar/types.js';
import { fitModel, type SkipMode } from '../../src/train/fit.js';
import { pooledCovarianceBasis } from '../../src/prior/covariance.js';
import { trainDenoiser } from '../../src/train/index.js';
import { buildPrior, componentDistribution, reverseEffort, type ReverseEffort } from '../../src/prior/index.js';
import { defaultProcessConfig, makeProcess, parseSampler, sample, type Process, type SkipBasis } from '../../src/diffusion/index.js';
import type { Denoiser } from '../../src/nn/denoiser.js';
import { defaultTransform, fitTransform, fromModelSpace, toModelSpace, type TransformParams } from '../../src/transform/index.js';
import { drawIndex, rng } from '../../src/core/random.js';
import { bootstrapBaseline, gaussianBaseline, type ScenarioMethod, type TrainingDay } from '../../src/eval/baselines.js';
import { modelMethod, scoreMethod, type TestDay } from '../../src/eval/backtest.js';
import type { MixcastModel } from '../../src/model/model.js';
import { misspecification } from './misspecify.js';

export interface CallsConfig {
  /** Run id, e.g. `weekday|none`, `weekday|label|cov`, `control|cov`, `weekday|label|cov|shift`. */
  id: string;
  dataset: 'bank' | 'anon';
  prior: string;
  condition: 'none' | 'component';
  /** Gaussian skip, always explicit (never the fitModel default). */
  skip: SkipMode;
  control?: 'label';
  misspecify?: 'random-centers' | 'shift';
  checkpoints: number[];
  hidden: number;
  blocks: number;
  batch: number;
  lr: number;
  seed: number;
  sampler: string;
  count: number;
  /** Extra samplers, scored at `samplerSteps` (default: the last checkpoint). */
  samplers?: string[];
  samplerSteps?: number[];
}

export interface CurvePoint {
  step: number;
  energy: number;
  crps: number;
  crpsTotal: number;
  mae: number;
  coverage50: number;
  coverage80: number;
  coverage90: number;
  sampleSeconds: number;
}

export interface CallsRun {
  config: CallsConfig;
  K: number;
  components: { name: string; days: number }[];
  effort: ReverseEffort;
  curve: CurvePoint[];
  /** Extra samplers; `step` = the checkpoint they were scored at. */
  samplers: (CurvePoint & { sampler: string })[];
  trainDays: number;
  selectionDays: number;
  trainSeconds: number;
  stepsPerSec: number;
  notes: string[];
}

/**
 * Scenarios shared by every held-out day with the same key: the methods' distributions depend on
 * the key only, so one set per key (seeded by the key) is scored against each of its days. Cuts
 * sampling by the number of days per key.
 */
export function sharedByKey(method: ScenarioMethod, seed: number): ScenarioMethod {
  const cache = new Map<string, number[][]>();
  return {
    name: method.name,
    notes: method.notes,
    sample(date, key, count) {
      const id = `${key}\u0000${count}`;
      let s = cache.get(id);
      if (!s) {
        let h = seed >>> 0;
        for (const ch of String(key)) h = (Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0) ^ (h >>> 13);
        s = method.sample(date, key, count, h >>> 0);
        cache.set(id, s);
      }
      return s;
    },
  };
}

function summarisePoint(method: ScenarioMethod, days: TestDay[], count: number, seed: number): Omit<CurvePoint, 'step'> {
  const t0 = performance.now();
  const s = scoreMethod(sharedByKey(method, seed), days, { count, seeds: () => 0, pitSeed: seed });
  const m = s.aggregate.mean;
  return {
    energy: m.energy,
    crps: m.crps,
    crpsTotal: m.crpsTotal,
    mae: m.mae,
    coverage50: m.coverage['0.5'],
    coverage80: m.coverage['0.8'],
    coverage90: m.coverage['0.9'],
    sampleSeconds: (performance.now() - t0) / 1000,
  };
}

function calendarOf(ds: DaySeries, cal: Partial<CalendarOptions>): CalendarOptions {
  return defaultCalendarOptions({ holidays: ds.holidays, ...cal });
}

/** The selection-window days with their keys resolved against the training days under `keySpec`. */
export function heldOutDays(train: DaySeries, held: DaySeries['days'], keySpec: string, cal: CalendarOptions): TestDay[] {
  const a = assignKeys(
    train.days.map((d) => d.date),
    keySpec,
    cal,
  );
  return held.map((d) => ({ date: d.date, key: resolveKey(d.date, a, cal), values: d.values }));
}

export function baselineReference(train: DaySeries, held: DaySeries['days'], cal: Partial<CalendarOptions>, count: number, seed: number) {
  const c = calendarOf(train, cal);
  const a = assignKeys(
    train.days.map((d) => d.date),
    'weekday',
    c,
  );
  const training: TrainingDay[] = train.days.map((d, i) => ({ date: d.date, key: a.keys[i], values: d.values }));
  const days = heldOutDays(train, held, 'weekday', c);
  const counts = train.valueKind === 'counts';
  const tp = fitTransform(
    training.map((t) => t.values),
    defaultTransform(counts),
    counts,
  );
  return {
    bootstrap: summarisePoint(bootstrapBaseline(training), days, count, seed),
    gaussian: summarisePoint(gaussianBaseline(training, { forward: (v) => toModelSpace(tp, v), inverse: (z) => fromModelSpace(tp, z) }), days, count, seed),
  };
}

/** One configuration on one dataset: train on `train`, score every checkpoint on `held`. */
export function runCalls(c: CallsConfig, train: DaySeries, held: DaySeries['days'], cal: Partial<CalendarOptions>, onLine: (s: string) => void): CallsRun {
  const calOpts = calendarOf(train, cal);
  const curve: CurvePoint[] = [];
  const samplers: CallsRun['samplers'] = [];
  const maxStep = Math.max(...c.checkpoints);
  let days: TestDay[] | null = null;
  let sampleSeconds = 0;
  const atCheckpoint = (step: number, method: (sampler: string) => ScenarioMethod, keySpec: string) => {
    days ??= heldOutDays(train, held, keySpec, calOpts);
    const p = summarisePoint(method(c.sampler), days, c.count, c.seed + 17);
    sampleSeconds += p.sampleSeconds;
    curve.push({ step, ...p });
    onLine(`${c.dataset} ${c.id} step ${step}: energy ${p.energy.toFixed(1)} CRPS ${p.crps.toFixed(2)} cov80 ${p.coverage80.toFixed(3)} (${p.sampleSeconds.toFixed(1)} s)`);
    if ((c.samplerSteps ?? [maxStep]).includes(step)) {
      for (const s of c.samplers ?? []) {
        const q = summarisePoint(method(s), days, c.count, c.seed + 17);
        sampleSeconds += q.sampleSeconds;
        samplers.push({ sampler: s, step, ...q });
        onLine(`${c.dataset} ${c.id} step ${step} sampler ${s}: energy ${q.energy.toFixed(1)} CRPS ${q.crps.toFixed(2)} cov80 ${q.coverage80.toFixed(3)} (${q.sampleSeconds.toFixed(1)} s)`);
      }
    }
  };
  const t0 = performance.now();
  if (c.control === 'label') {
    const r = fitLabelControl(train, c, calOpts, maxStep, (step, m) => atCheckpoint(step, m, 'weekday'));
    const seconds = (performance.now() - t0) / 1000 - sampleSeconds;
    return { config: c, ...r, curve, samplers, trainDays: train.days.length, selectionDays: held.length, trainSeconds: seconds, stepsPerSec: maxStep / seconds, notes: [] };
  }
  const { model, summary } = fitModel(train, {
    prior: c.prior,
    condition: c.condition,
    skip: c.skip,
    priorAdjustment: c.misspecify ? misspecification(c.misspecify) : undefined,
    steps: maxStep,
    hidden: c.hidden,
    blocks: c.blocks,
    batch: c.batch,
    lr: c.lr,
    seed: c.seed,
    sampler: c.sampler,
    calendar: calOpts,
    keySpec: 'weekday',
    checkpoints: c.checkpoints,
    onCheckpoint: (step, m: MixcastModel) => atCheckpoint(step, (s) => modelMethod(m, { sampler: s }), m.manifest.calendar.keySpec),
  });
  model.dispose();
  const seconds = (performance.now() - t0) / 1000 - sampleSeconds;
  return {
    config: c,
    K: summary.K,
    components: summary.components.map((x) => ({ name: x.name, days: x.days })),
    effort: summary.reverseEffort,
    curve,
    samplers,
    trainDays: train.days.length,
    selectionDays: held.length,
    trainSeconds: seconds,
    stepsPerSec: maxStep / seconds,
    notes: summary.merges.map((m) => `merged ${m.from} → ${m.to} (${m.reason})`),
  };
}

/**
 * The DDPM-with-label control: weekday components for the network's label, but every center 0
 * (the standard Gaussian prior), so x_T ~ N(0, I) exactly as in DDPM. With `skip` ≠ none the
 * network gets the Gaussian skip around the zero centers (`covariance`: Σ pooled around 0, i.e.
 * the second moment of the days; `identity`: Σ = I), as fitModel would build it for prior none.
 */
function fitLabelControl(
  train: DaySeries,
  c: CallsConfig,
  calOpts: CalendarOptions,
  steps: number,
  onCheckpoint: (step: number, method: (sampler: string) => ScenarioMethod) => void,
): Pick<CallsRun, 'K' | 'components' | 'effort'> {
  const dates = train.days.map((d) => d.date);
  const keys = assignKeys(dates, 'weekday', calOpts);
  const counts = train.valueKind === 'counts';
  const transform = fitTransform(
    train.days.map((d) => d.values),
    defaultTransform(counts),
    counts,
  );
  const z = toModelSpace(
    transform,
    train.days.map((d) => d.values),
  );
  const d = z[0].length;
  const { prior, assign } = buildPrior(z, keys.keys, { spec: 'weekday', seed: c.seed });
  const zero = prior.centers.map((row) => row.map(() => 0));
  const standard = { ...prior, centers: zero };
  const p = makeProcess(defaultProcessConfig('ddpm', { T: 1000, schedule: 'linear' }));
  const lo: number[] = [];
  const hi: number[] = [];
  for (let q = 0; q < d; q++) {
    const col = z.map((row) => row[q]);
    const a = Math.min(...col);
    const b = Math.max(...col);
    const margin = Math.max(1, 0.25 * (b - a));
    lo.push(a - margin);
    hi.push(b + margin);
  }
  const skipBasis: SkipBasis | null = c.skip === 'covariance' ? pooledCovarianceBasis(z, assign, zero) : null;
  const method = (net: Denoiser, sampler: string): ScenarioMethod =>
    labelMethod(net, p, transform, standard.centers, (key) => componentDistribution(prior, key) ?? prior.weights, sampler, { lo, hi }, skipBasis);
  trainDenoiser({ d, hidden: c.hidden, blocks: c.blocks, timeDim: 64, components: prior.centers.length, condition: 'component', skip: c.skip !== 'none' }, p, z, assign, zero, {
    steps,
    batch: c.batch,
    seed: c.seed,
    lr: c.lr,
    skipBasis,
    checkpoints: c.checkpoints,
    onCheckpoint: (step, ema) => onCheckpoint(step, (s) => method(ema, s)),
  }).net.dispose();
  return {
    K: prior.centers.length,
    components: prior.components.map((x) => ({ name: x.name, days: x.days })),
    effort: reverseEffort(z, standard, assign),
  };
}

function labelMethod(
  net: Denoiser,
  p: Process,
  transform: TransformParams,
  centers: number[][],
  dist: (key: string | null) => number[],
  sampler: string,
  bounds: { lo: number[]; hi: number[] },
  skipBasis: SkipBasis | null,
): ScenarioMethod {
  const spec = parseSampler(sampler, p);
  return {
    name: 'control',
    sample(_date, key, count, seed) {
      const r = rng(seed ^ 0x5bd1e995);
      const w = dist(key);
      const components = Array.from({ length: count }, () => drawIndex(r, w));
      const z = sample(net, p, { components, centers, scale: 1, sampler: spec, seed, bounds, skipBasis });
      return fromModelSpace(transform, z);
    },
  };
}
