/**
 * Rolling-origin backtest: the last `folds × horizon` days of a series are cut into `folds`
 * consecutive blocks of `horizon` days. For fold f the model (and every baseline) is fitted on all
 * days before the block's first day (the cutoff) and scored on the block's days.
 *
 * Every method goes through the same scenario interface (`ScenarioMethod`), so every score
 * compares like with like:
 *
 * - `model`: the mixcast model fitted with the given options; the scenarios of a held-out date are
 *   drawn as the scenario service draws them — the date's calendar key (`resolveKey` against the
 *   fold's training keys) gives its component distribution (`componentDistribution`), components
 *   are drawn from it with a seeded stream, then `sampleDays`.
 * - `bootstrap`: training days with the same calendar key, resampled (the planner's method).
 * - `gaussian`: a per-key shrinkage MVN in the model's transformed space.
 * - `ddpm`: the same network, steps and sampler with prior `none` (standard DDPM/SGM).
 * - `seasonal-naive`: the most recent training day with the same weekday (point forecast; scored
 *   by MAE and pinball only). The held-out block is never used, so for a horizon over a week it
 *   is "the last week before the cutoff", as a planner would have it.
 *
 * All draws are seeded; a day's seed depends on (seed, fold, day) only, so every method sees the
 * same seed for the same day, and reruns give the same numbers.
 */
import { DateTime } from 'luxon';
import type { DaySeries } from '../../adapters/types.js';
import { assignKeys, defaultCalendarOptions, resolveKey } from '../calendar/index.js';
import type { CalendarOptions, KeyAssignment } from '../calendar/types.js';
import { fitModel, defaultFitOptions, type FitOptions, type FitSummary } from '../train/fit.js';
import type { ProgressEvent } from '../train/index.js';
import type { MixcastModel } from '../model/model.js';
import { componentDistribution } from '../prior/index.js';
import { defaultTransform, fitTransform, fromModelSpace, toModelSpace } from '../transform/index.js';
import { optionError, unprocessable } from '../errors.js';
import { drawIndex, rng, type Rng } from '../random.js';
import { bootstrapBaseline, gaussianBaseline, seasonalNaive, type PointMethod, type ScenarioMethod, type TrainingDay } from './baselines.js';
import {
  aggregateScores,
  DEFAULT_LEVELS,
  DEFAULT_QUANTILES,
  intervalQuantiles,
  levelKey,
  scoreDay,
  scorePoint,
  type AggregateScores,
  type DayScores,
  type ScalarScores,
} from './scores.js';

export const BASELINES = ['bootstrap', 'gaussian', 'ddpm', 'seasonal-naive'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** Name of the fitted mixcast model in results. */
export const MODEL = 'model';

/** Quantiles kept for the fan chart of the chart day. */
export const FAN_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

export interface BacktestOptions {
  folds: number;
  horizon: number;
  /** Scenarios per held-out day. */
  count: number;
  /** Sampler for the model and the ddpm baseline (default: the fit's `sampler`). */
  sampler?: string;
  baselines: BaselineName[];
  /** Options of the model; the ddpm baseline uses the same with prior none. */
  fit: Partial<FitOptions>;
  /** Fewest training days the first fold may have. */
  minTrain: number;
  /** Base seed of every scenario draw (the fit's seed is `fit.seed`). */
  seed: number;
  quantiles?: readonly number[];
  levels?: readonly number[];
  onProgress?: (e: BacktestEvent) => void;
}

export const defaultBacktestOptions: BacktestOptions = {
  folds: 2,
  horizon: 14,
  count: 200,
  baselines: ['bootstrap', 'gaussian', 'seasonal-naive'],
  fit: {},
  minTrain: 28,
  seed: 0,
};

export type BacktestEvent =
  | { type: 'fold'; fold: number; folds: number; cutoff: string; trainDays: number; testDays: number }
  | { type: 'train'; fold: number; method: string; progress: ProgressEvent }
  | { type: 'method'; fold: number; method: string; seconds: number; energy: number | null; crps: number | null; mae: number };

/** One fold's day ranges, as indices into `ds.days` (end exclusive). */
export interface FoldSplit {
  fold: number;
  /** Training days are 0 … trainEnd − 1. */
  trainEnd: number;
  testStart: number;
  testEnd: number;
}

/** The flat score names used in summaries and reports. */
export type ScoreName = string;

export interface DayResult {
  date: string;
  /** Calendar key the day was resolved to (null: unseen in training). */
  key: string | null;
  /** Flat scores, e.g. `{ energy, crps, crpsTotal, mae, 'pinball@0.1', 'coverage@0.8' }`. */
  scores: Record<ScoreName, number>;
}

export interface MethodFold {
  method: string;
  kind: 'scenarios' | 'point';
  days: DayResult[];
  /** Mean over this fold's days of every flat score. */
  mean: Record<ScoreName, number>;
  /** PIT histogram over every interval of every day (scenario methods). */
  pitHistogram: number[] | null;
  /** Mean per-interval CRPS (scenario methods). */
  crpsPerInterval: number[] | null;
  seconds: { fit: number; sample: number; score: number };
  notes: string[];
  /** Training summary (model and ddpm). */
  fit: FitSummary | null;
}

export interface FoldResult {
  fold: number;
  cutoff: string;
  trainDays: number;
  trainFirst: string;
  trainLast: string;
  testDates: string[];
  methods: MethodFold[];
}

export interface MethodSummary {
  method: string;
  kind: 'scenarios' | 'point';
  folds: number;
  days: number;
  /** Mean over folds of the fold means. */
  mean: Record<ScoreName, number>;
  /** Sample standard deviation of the fold means (0 with one fold). */
  sdOverFolds: Record<ScoreName, number>;
  /** Standard deviation over all held-out days. */
  sdOverDays: Record<ScoreName, number>;
  foldMeans: Record<ScoreName, number[]>;
  /**
   * Relative improvement over bootstrap, (bootstrap − method) / bootstrap, for loss scores
   * (positive = better than bootstrap); coverage gets null (see `coverageError`).
   */
  vsBootstrap: Record<ScoreName, number | null>;
  /** |coverage − nominal| per level, in probability units. */
  coverageError: Record<string, number>;
  pitHistogram: number[] | null;
}

export interface FanChartData {
  method: string;
  date: string;
  key: string | null;
  fold: number;
  quantiles: Record<string, number[]>;
  truth: number[];
}

export interface BacktestResult {
  createdAt: string;
  data: {
    source: string | null;
    zone: string;
    intervalMinutes: number;
    open: string;
    close: string;
    labels: string[];
    valueKind: DaySeries['valueKind'];
    days: number;
    firstDate: string;
    lastDate: string;
  };
  config: {
    folds: number;
    horizon: number;
    count: number;
    sampler: string;
    baselines: BaselineName[];
    minTrain: number;
    seed: number;
    keySpec: string;
    quantiles: number[];
    levels: number[];
    fit: Omit<FitOptions, 'onProgress' | 'onCheckpoint' | 'checkpoints'>;
  };
  backend: string;
  folds: FoldResult[];
  summary: MethodSummary[];
  /** Fan-chart data for the first held-out day of the last fold, per scenario method. */
  fan: FanChartData[];
  timings: { totalSeconds: number; perMethod: Record<string, { fit: number; sample: number; score: number }> };
}

/** A held-out day with its resolved calendar key. */
export interface TestDay {
  date: string;
  key: string | null;
  values: number[];
}

// ───────────────────────────── folds ─────────────────────────────

/**
 * Rolling-origin folds over `n` days: the last `folds·horizon` days in `folds` consecutive blocks;
 * fold f trains on every day before its block. Unprocessable when the first fold would have fewer
 * than `minTrain` training days.
 */
export function rollingFolds(n: number, folds: number, horizon: number, minTrain: number): FoldSplit[] {
  if (!Number.isInteger(folds) || folds < 1) throw optionError(`--folds must be a positive integer (got ${folds})`);
  if (!Number.isInteger(horizon) || horizon < 1) throw optionError(`--horizon must be a positive integer number of days (got ${horizon})`);
  if (!Number.isInteger(minTrain) || minTrain < 2) throw optionError(`--min-train must be an integer ≥ 2 (got ${minTrain})`);
  const need = folds * horizon + minTrain;
  if (n < need) {
    throw unprocessable(
      `not enough days for the backtest: ${folds} fold${folds === 1 ? '' : 's'} × ${horizon} days + at least ${minTrain} training days = ${need} days, ` +
        `but the series has ${n}; use fewer --folds, a shorter --horizon or a smaller --min-train`,
      { days: n, folds, horizon, minTrain, need },
    );
  }
  const out: FoldSplit[] = [];
  for (let f = 0; f < folds; f++) {
    const testStart = n - (folds - f) * horizon;
    out.push({ fold: f, trainEnd: testStart, testStart, testEnd: testStart + horizon });
  }
  return out;
}

/** The seed of held-out day `day` of fold `fold` (the same for every method). */
export function daySeed(seed: number, fold: number, day: number): number {
  const r = rng((seed >>> 0) ^ Math.imul(fold + 1, 0x9e3779b1) ^ Math.imul(day + 1, 0x85ebca77));
  return r.seed32();
}

// ───────────────────────────── methods ─────────────────────────────

/**
 * A fitted model behind the scenario interface: the date's key gives the component distribution
 * (`componentDistribution`); components are drawn from it (seeded), then `sampleDays`. A key the
 * model never saw (null) falls back to the prior weights, noted once per key.
 */
export function modelMethod(model: MixcastModel, opts: { name?: string; sampler?: string } = {}): ScenarioMethod {
  const notes: string[] = [];
  const noted = new Set<string | null>();
  return {
    name: opts.name ?? MODEL,
    notes,
    sample(date, key, count, seed) {
      let dist = componentDistribution(model.prior, key);
      if (!dist) {
        dist = model.prior.weights.slice();
        if (!noted.has(key)) {
          noted.add(key);
          notes.push(
            `${opts.name ?? MODEL}: ${key === null ? `no calendar key for ${date}` : `key '${key}' (first asked for ${date}) was never seen in training`}; components drawn from the prior weights`,
          );
        }
      }
      const r = rng(seed ^ 0x5bd1e995);
      const components = Array.from({ length: count }, () => drawIndex(r, dist!));
      return model.sampleDays({ components, seed, sampler: opts.sampler });
    },
  };
}

/**
 * Seasonal naive through the most recent training day with the same weekday: `seasonalNaive`
 * looks one week back; this keeps stepping back a week while that day is not a training day
 * (e.g. a holiday gap, or a horizon beyond a week). Null when no earlier same weekday exists.
 */
export function seasonalNaivePoint(naive: PointMethod, firstTrainDate: string): (date: string) => number[] | null {
  const first = DateTime.fromISO(firstTrainDate, { zone: 'UTC' });
  return (date) => {
    for (let dt = DateTime.fromISO(date, { zone: 'UTC' }); dt.minus({ days: 7 }) >= first; dt = dt.minus({ days: 7 })) {
      const p = naive.point(dt.toISODate()!);
      if (p) return p;
    }
    return null;
  };
}

/** Flat score record of one day: energy, crps, crpsTotal, mae, pinball@q, coverage@level. */
export function flatScores(s: Pick<DayScores, 'energy' | 'crps' | 'crpsTotal' | 'mae' | 'pinball' | 'coverage'>): Record<ScoreName, number> {
  const out: Record<ScoreName, number> = { energy: s.energy, crps: s.crps, crpsTotal: s.crpsTotal, mae: s.mae };
  for (const [q, v] of Object.entries(s.pinball)) out[`pinball@${q}`] = v;
  for (const [l, v] of Object.entries(s.coverage)) out[`coverage@${l}`] = v;
  return out;
}

function flatScalar(s: ScalarScores): Record<ScoreName, number> {
  return flatScores(s);
}

export interface ScoredMethod {
  perDay: DayScores[];
  aggregate: AggregateScores;
  /** Samples of the days listed in `keep` (by index). */
  kept: Map<number, number[][]>;
  sampleSeconds: number;
  scoreSeconds: number;
}

/**
 * Draw `count` scenarios per held-out day from `method` (seed `seeds(i)` for day i) and score them
 * against the day's values. The randomised PIT of a method uses one seeded stream across days.
 */
export function scoreMethod(
  method: ScenarioMethod,
  days: readonly TestDay[],
  opts: { count: number; seeds: (i: number) => number; quantiles?: readonly number[]; levels?: readonly number[]; keep?: number[]; pitSeed?: number },
): ScoredMethod {
  if (days.length === 0) throw optionError('scoreMethod: no held-out days to score');
  const pit: Rng = rng(opts.pitSeed ?? 0x9172);
  const perDay: DayScores[] = [];
  const kept = new Map<number, number[][]>();
  let sampleSeconds = 0;
  let scoreSeconds = 0;
  days.forEach((day, i) => {
    const t0 = performance.now();
    const samples = method.sample(day.date, day.key, opts.count, opts.seeds(i));
    const t1 = performance.now();
    perDay.push(scoreDay(samples, day.values, { quantiles: opts.quantiles, levels: opts.levels, seed: pit }));
    scoreSeconds += (performance.now() - t1) / 1000;
    sampleSeconds += (t1 - t0) / 1000;
    if (opts.keep?.includes(i)) kept.set(i, samples);
  });
  return { perDay, aggregate: aggregateScores(perDay), kept, sampleSeconds, scoreSeconds };
}

// ───────────────────────────── the backtest ─────────────────────────────

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sdOf = (v: readonly number[]) => {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1));
};

function checkOptions(o: BacktestOptions): void {
  if (!Number.isInteger(o.count) || o.count < 2) throw optionError(`--count must be an integer ≥ 2 scenarios per day (got ${o.count})`);
  if (o.count > 100000) throw optionError(`--count must be at most 100000 (got ${o.count})`);
  for (const b of o.baselines) {
    if (!(BASELINES as readonly string[]).includes(b)) throw optionError(`unknown baseline "${b}"; use any of ${BASELINES.join(', ')}`);
  }
  if (new Set(o.baselines).size !== o.baselines.length) throw optionError(`a baseline is listed twice in ${o.baselines.join(',')}`);
}

/** Parse `bootstrap,gaussian,…` (or `none`) into baseline names; optionError on unknown names. */
export function parseBaselines(text: string): BaselineName[] {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return [];
  const list = t.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const b of list) {
    if (!(BASELINES as readonly string[]).includes(b)) throw optionError(`unknown baseline "${b}"; use a comma list of ${BASELINES.join(', ')} (or none)`);
  }
  if (new Set(list).size !== list.length) throw optionError(`a baseline is listed twice in "${text}"`);
  return list as BaselineName[];
}

/**
 * Run the rolling-origin backtest of the model given by `opts.fit` and the chosen baselines on
 * `ds`. Synchronous (training is); `opts.onProgress` reports folds, training and per-method
 * scores. Needs the tfjs backend initialised.
 */
export function backtest(ds: DaySeries, options: Partial<BacktestOptions> & Pick<BacktestOptions, 'folds' | 'horizon'>): BacktestResult {
  const started = performance.now();
  const o: BacktestOptions = { ...defaultBacktestOptions, ...options };
  checkOptions(o);
  const splits = rollingFolds(ds.days.length, o.folds, o.horizon, o.minTrain);
  const fitO: FitOptions = { ...defaultFitOptions, ...o.fit };
  const sampler = o.sampler ?? fitO.sampler;
  const quantiles = o.quantiles ?? DEFAULT_QUANTILES;
  const levels = o.levels ?? DEFAULT_LEVELS;
  const counts = ds.valueKind === 'counts';
  const calOpts: CalendarOptions = defaultCalendarOptions({ holidays: ds.holidays, ...fitO.calendar });
  // The key the model gives dates: the prior's calendar spec, or keySpec under kmeans/none.
  const priorSpec = fitO.prior.trim();
  const isCalendarPrior = priorSpec.toLowerCase() !== 'none' && !priorSpec.toLowerCase().startsWith('kmeans');
  const keySpec = isCalendarPrior ? priorSpec : (fitO.keySpec ?? 'weekday');
  const ddpmIsModel = priorSpec.toLowerCase() === 'none' && fitO.condition === 'none' && fitO.skip === 'none' && !fitO.misspecify;
  let backend = 'unknown';

  const folds: FoldResult[] = [];
  let fan: FanChartData[] = [];
  for (const split of splits) {
    const trainDays = ds.days.slice(0, split.trainEnd);
    const testSlice = ds.days.slice(split.testStart, split.testEnd);
    const cutoff = testSlice[0].date;
    o.onProgress?.({ type: 'fold', fold: split.fold, folds: splits.length, cutoff, trainDays: trainDays.length, testDays: testSlice.length });
    const trainSeries: DaySeries = { ...ds, days: trainDays };
    const assignment: KeyAssignment = assignKeys(
      trainDays.map((d) => d.date),
      keySpec,
      calOpts,
    );
    const test: TestDay[] = testSlice.map((d) => ({ date: d.date, key: resolveKey(d.date, assignment, calOpts), values: d.values }));
    const training: TrainingDay[] = trainDays.map((d, i) => ({ date: d.date, key: assignment.keys[i], values: d.values }));
    const seeds = (i: number) => daySeed(o.seed, split.fold, i);
    const isLast = split.fold === splits.length - 1;
    const keep = isLast ? [0] : [];
    const methods: MethodFold[] = [];
    const fanHere: FanChartData[] = [];

    const runScenarioMethod = (method: ScenarioMethod, fitSeconds: number, fit: FitSummary | null) => {
      const s = scoreMethod(method, test, { count: o.count, seeds, quantiles, levels, keep, pitSeed: daySeed(o.seed ^ 0x417, split.fold, 0) });
      const days = test.map((d, i) => ({ date: d.date, key: d.key, scores: flatScores(s.perDay[i]) }));
      const m: MethodFold = {
        method: method.name,
        kind: 'scenarios',
        days,
        mean: flatScalar(s.aggregate.mean),
        pitHistogram: s.aggregate.pitHistogram,
        crpsPerInterval: s.aggregate.crpsPerInterval,
        seconds: { fit: fitSeconds, sample: s.sampleSeconds, score: s.scoreSeconds },
        notes: [...(method.notes ?? [])],
        fit,
      };
      methods.push(m);
      const samples = s.kept.get(0);
      if (samples) {
        fanHere.push({ method: method.name, date: test[0].date, key: test[0].key, fold: split.fold, quantiles: intervalQuantiles(samples, FAN_QUANTILES), truth: test[0].values.slice() });
      }
      o.onProgress?.({ type: 'method', fold: split.fold, method: method.name, seconds: fitSeconds + s.sampleSeconds + s.scoreSeconds, energy: m.mean.energy, crps: m.mean.crps, mae: m.mean.mae });
    };

    const fitOne = (name: string, opts: Partial<FitOptions>) => {
      const t0 = performance.now();
      const r = fitModel(trainSeries, {
        ...fitO,
        ...opts,
        calendar: calOpts,
        keySpec,
        onProgress: (e) => o.onProgress?.({ type: 'train', fold: split.fold, method: name, progress: e }),
        checkpoints: undefined,
        onCheckpoint: undefined,
      });
      backend = r.summary.backend;
      return { ...r, seconds: (performance.now() - t0) / 1000 };
    };

    // the model
    const fitted = fitOne(MODEL, {});
    try {
      runScenarioMethod(modelMethod(fitted.model, { sampler }), fitted.seconds, fitted.summary);
      for (const b of o.baselines) {
        if (b === 'bootstrap') {
          runScenarioMethod(bootstrapBaseline(training), 0, null);
        } else if (b === 'gaussian') {
          const t0 = performance.now();
          const tp = fitTransform(training.map((t) => t.values), fitO.transform ?? defaultTransform(counts), counts);
          const g = gaussianBaseline(training, { forward: (v) => toModelSpace(tp, v), inverse: (z) => fromModelSpace(tp, z) });
          runScenarioMethod(g, (performance.now() - t0) / 1000, null);
        } else if (b === 'ddpm') {
          if (ddpmIsModel) {
            const m = modelMethod(fitted.model, { name: 'ddpm', sampler });
            m.notes!.push('ddpm: the model already has prior none without conditioning; the ddpm baseline is the same model');
            runScenarioMethod(m, 0, fitted.summary);
          } else {
            const ddpm = fitOne('ddpm', { prior: 'none', condition: 'none', skip: 'none', misspecify: undefined });
            try {
              runScenarioMethod(modelMethod(ddpm.model, { name: 'ddpm', sampler }), ddpm.seconds, ddpm.summary);
            } finally {
              ddpm.model.dispose();
            }
          }
        } else if (b === 'seasonal-naive') {
          const t0 = performance.now();
          const naive = seasonalNaivePoint(seasonalNaive(training), training[0].date);
          const notes: string[] = [];
          const days: DayResult[] = [];
          test.forEach((d) => {
            const p = naive(d.date);
            if (!p) {
              notes.push(`seasonal-naive: no training day with the weekday of ${d.date}; day not scored`);
              return;
            }
            const s = scorePoint(p, d.values, quantiles);
            const scores: Record<ScoreName, number> = { mae: s.mae };
            for (const [q, v] of Object.entries(s.pinball)) scores[`pinball@${q}`] = v;
            days.push({ date: d.date, key: d.key, scores });
          });
          const seconds = (performance.now() - t0) / 1000;
          const meanRec: Record<ScoreName, number> = {};
          if (days.length) for (const k of Object.keys(days[0].scores)) meanRec[k] = mean(days.map((x) => x.scores[k]));
          methods.push({ method: 'seasonal-naive', kind: 'point', days, mean: meanRec, pitHistogram: null, crpsPerInterval: null, seconds: { fit: 0, sample: 0, score: seconds }, notes, fit: null });
          o.onProgress?.({ type: 'method', fold: split.fold, method: 'seasonal-naive', seconds, energy: null, crps: null, mae: meanRec.mae ?? NaN });
        }
      }
    } finally {
      fitted.model.dispose();
    }
    if (fanHere.length) fan = fanHere;
    folds.push({
      fold: split.fold,
      cutoff,
      trainDays: trainDays.length,
      trainFirst: trainDays[0].date,
      trainLast: trainDays[trainDays.length - 1].date,
      testDates: test.map((d) => d.date),
      methods,
    });
  }

  const summary = summarise(folds, levels);
  const perMethod: BacktestResult['timings']['perMethod'] = {};
  for (const f of folds) {
    for (const m of f.methods) {
      const t = (perMethod[m.method] ??= { fit: 0, sample: 0, score: 0 });
      t.fit += m.seconds.fit;
      t.sample += m.seconds.sample;
      t.score += m.seconds.score;
    }
  }
  const { onProgress: _p, onCheckpoint: _c, checkpoints: _k, ...fitConfig } = fitO;
  return {
    createdAt: new Date().toISOString(),
    data: {
      source: ds.report?.source ?? null,
      zone: ds.zone,
      intervalMinutes: ds.intervalMinutes,
      open: ds.open,
      close: ds.close,
      labels: ds.labels,
      valueKind: ds.valueKind,
      days: ds.days.length,
      firstDate: ds.days[0].date,
      lastDate: ds.days[ds.days.length - 1].date,
    },
    config: {
      folds: o.folds,
      horizon: o.horizon,
      count: o.count,
      sampler,
      baselines: o.baselines,
      minTrain: o.minTrain,
      seed: o.seed,
      keySpec,
      quantiles: [...quantiles],
      levels: [...levels],
      fit: { ...fitConfig, calendar: calOpts, keySpec },
    },
    backend,
    folds,
    summary,
    fan,
    timings: { totalSeconds: (performance.now() - started) / 1000, perMethod },
  };
}

/** Per method: mean and spread over folds, spread over days, improvement over bootstrap. */
export function summarise(folds: readonly FoldResult[], levels: readonly number[] = DEFAULT_LEVELS): MethodSummary[] {
  const names: string[] = [];
  for (const f of folds) for (const m of f.methods) if (!names.includes(m.method)) names.push(m.method);
  const out: MethodSummary[] = names.map((name) => {
    const per = folds.map((f) => f.methods.find((m) => m.method === name)).filter((m): m is MethodFold => Boolean(m && m.days.length));
    const scoreNames = per.length ? Object.keys(per[0].mean) : [];
    const foldMeans: Record<ScoreName, number[]> = {};
    const meanRec: Record<ScoreName, number> = {};
    const sdFolds: Record<ScoreName, number> = {};
    const sdDays: Record<ScoreName, number> = {};
    for (const s of scoreNames) {
      foldMeans[s] = per.map((m) => m.mean[s]);
      meanRec[s] = mean(foldMeans[s]);
      sdFolds[s] = sdOf(foldMeans[s]);
      sdDays[s] = sdOf(per.flatMap((m) => m.days.map((d) => d.scores[s])));
    }
    let pit: number[] | null = null;
    for (const m of per) {
      if (!m.pitHistogram) continue;
      pit = pit ? pit.map((c, i) => c + m.pitHistogram![i]) : m.pitHistogram.slice();
    }
    const coverageError: Record<string, number> = {};
    for (const l of levels) {
      const k = `coverage@${levelKey(l)}`;
      if (k in meanRec) coverageError[levelKey(l)] = Math.abs(meanRec[k] - l);
    }
    return {
      method: name,
      kind: per[0]?.kind ?? 'scenarios',
      folds: per.length,
      days: per.reduce((a, m) => a + m.days.length, 0),
      mean: meanRec,
      sdOverFolds: sdFolds,
      sdOverDays: sdDays,
      foldMeans,
      vsBootstrap: {},
      coverageError,
      pitHistogram: pit,
    };
  });
  const boot = out.find((m) => m.method === 'bootstrap');
  for (const m of out) {
    for (const s of Object.keys(m.mean)) {
      const b = boot?.mean[s];
      m.vsBootstrap[s] = s.startsWith('coverage@') || b === undefined || !(b > 0) ? null : (b - m.mean[s]) / b;
    }
  }
  return out;
}
