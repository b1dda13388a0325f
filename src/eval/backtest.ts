/**
 * Rolling-origin backtest: the last `folds × horizon` days of a series are cut into `folds`
 * consecutive blocks of `horizon` days. For fold f the model (and every baseline) is fitted on all
 * days before the block's first day (the cutoff) and scored on the block's days.
 *
 * Every method goes through the same scenario interface (`ScenarioMethod`), so every score
 * compares like with like:
 *
 * - `model`: the mixcast model fitted with the given options; the scenarios of a fold's held-out
 *   dates come from the scenario runner (`runScenarios`) with the request `backtestRequest`
 *   (those dates, `count`, `seed`, the sampler, continuous output, fallback mixture): the very
 *   scenarios `generateScenarios`, the CLI and the server give for that request and seed.
 * - `bootstrap`: training days with the same calendar key, resampled (the planner's method).
 * - `gaussian`: a per-key shrinkage MVN in the model's transformed space.
 * - `ddpm`: the same network, steps and sampler with prior `none` (standard DDPM/SGM), drawn
 *   through the runner like the model.
 * - `seasonal-naive`: the most recent training day with the same weekday (point forecast; scored
 *   by MAE and pinball only). The held-out block is never used, so for a horizon over a week it
 *   is "the last week before the cutoff", as a planner would have it.
 *
 * All draws are seeded and reruns give the same numbers: the runner's draws depend on (seed, date)
 * only; a baseline's draws of a day on (seed, fold, day) only (`daySeed`).
 */
import { DateTime } from 'luxon';
import { seriesShape, type DaySeries } from '../../adapters/index.js';
import { assignKeys, defaultCalendarOptions, resolveKey } from '../calendar/index.js';
import type { CalendarOptions, KeyAssignment } from '../calendar/index.js';
import { fitModel, defaultFitOptions, type FitOptions, type FitSummary } from '../train/fit.js';
import type { ProgressEvent } from '../train/index.js';
import { planScenarios, rowsByDate, runScenarios, runUnitsNow, type Predictor, type ScenariosRun } from '../scenarios/index.js';
import { defaultTransform, fitTransform, fromModelSpace, toModelSpace } from '../transform/index.js';
import { optionError, unprocessable } from '../core/errors.js';
import { rng, type Rng } from '../core/random.js';
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
  /** Called (and awaited) with the scenarios of each runner-drawn method (model, ddpm) per fold, before scoring. */
  onSamples?: (e: BacktestSamples) => void | Promise<void>;
}

export interface BacktestSamples {
  fold: number;
  method: string;
  /** The fold's fitted model (disposed after the fold: use it during the call only). */
  predictor: Predictor;
  /** The request the scenarios were drawn with (`backtestRequest`). */
  request: ScenariosRun;
  /** Per held-out date (request order): count × intervals. */
  samples: number[][][];
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
  if (!Number.isInteger(folds) || folds < 1) throw optionError(`folds must be a positive integer (got ${folds})`, { field: 'folds', value: folds });
  if (!Number.isInteger(horizon) || horizon < 1) throw optionError(`horizon must be a positive integer number of days (got ${horizon})`, { field: 'horizon', value: horizon });
  if (!Number.isInteger(minTrain) || minTrain < 2) throw optionError(`minTrain must be an integer ≥ 2 (got ${minTrain})`, { field: 'minTrain', value: minTrain });
  const need = folds * horizon + minTrain;
  if (n < need) {
    throw unprocessable(
      `not enough days for the backtest: ${folds} fold${folds === 1 ? '' : 's'} × ${horizon} days + at least ${minTrain} training days = ${need} days, ` +
        `but the series has ${n}; use fewer folds, a shorter horizon or a smaller minTrain`,
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
 * The scenario request the backtest makes of a fitted model for held-out `dates`: continuous
 * output (scores compare continuous scenarios), unseen calendar keys drawn by the prior weights.
 */
export function backtestRequest(dates: readonly string[], o: { count: number; seed: number; sampler?: string }): ScenariosRun {
  return {
    shape: 'scenarios',
    dates: [...dates],
    count: o.count,
    seed: o.seed,
    sampler: o.sampler,
    output: 'continuous',
    fallback: 'mixture',
    limits: { maxDates: Math.max(366, dates.length), maxValues: Number.MAX_SAFE_INTEGER },
  };
}

/**
 * A fitted model behind the per-day scenario interface (`ScenarioMethod`), for callers that
 * score one day at a time synchronously (the paper benchmark's training checkpoints): the
 * scenarios of `backtestRequest([date], { count, seed })`, planned and executed by the runner's
 * own steps in the calling thread — the same numbers `runScenarios` gives for that request. The
 * key argument is not used: the model resolves the date's key itself.
 */
export function modelMethod(model: Predictor, opts: { name?: string; sampler?: string } = {}): ScenarioMethod {
  const name = opts.name ?? MODEL;
  const notes: string[] = [];
  const noted = new Set<string | null>();
  return {
    name,
    notes,
    sample(date, key, count, seed) {
      const plan = planScenarios(model, backtestRequest([date], { count, seed, sampler: opts.sampler }));
      if (plan.dates[0].fallback && !noted.has(key)) {
        noted.add(key);
        notes.push(fallbackNote(name, date, key));
      }
      return rowsByDate(plan, runUnitsNow(model, plan.units))[0];
    },
  };
}

const fallbackNote = (name: string, date: string, key: string | null) =>
  `${name}: ${key === null ? `no calendar key for ${date}` : `key '${key}' (first asked for ${date}) was never seen in training`}; components drawn from the prior weights`;

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

export interface ScoreOptions {
  quantiles?: readonly number[];
  levels?: readonly number[];
  /** Days (by index) whose samples are kept in the result. */
  keep?: number[];
  pitSeed?: number;
}

/**
 * Score each held-out day's scenarios (`samples[i]` for `days[i]`) against the day's values. The
 * randomised PIT uses one seeded stream across days.
 */
export function scoreSamples(samples: readonly number[][][], days: readonly TestDay[], opts: ScoreOptions): ScoredMethod {
  if (days.length === 0) throw optionError('days must hold at least one held-out day to score');
  if (samples.length !== days.length) throw new Error(`scoreSamples: ${samples.length} days of samples for ${days.length} days`);
  const pit: Rng = rng(opts.pitSeed ?? 0x9172);
  const perDay: DayScores[] = [];
  const kept = new Map<number, number[][]>();
  const t0 = performance.now();
  days.forEach((day, i) => {
    perDay.push(scoreDay(samples[i], day.values, { quantiles: opts.quantiles, levels: opts.levels, seed: pit }));
    if (opts.keep?.includes(i)) kept.set(i, samples[i]);
  });
  return { perDay, aggregate: aggregateScores(perDay), kept, sampleSeconds: 0, scoreSeconds: (performance.now() - t0) / 1000 };
}

/** Draw `count` scenarios per held-out day from `method` (seed `seeds(i)` for day i) and score them. */
export function scoreMethod(method: ScenarioMethod, days: readonly TestDay[], opts: ScoreOptions & { count: number; seeds: (i: number) => number }): ScoredMethod {
  if (days.length === 0) throw optionError('days must hold at least one held-out day to score');
  const t0 = performance.now();
  const samples = days.map((day, i) => method.sample(day.date, day.key, opts.count, opts.seeds(i)));
  const sampleSeconds = (performance.now() - t0) / 1000;
  return { ...scoreSamples(samples, days, opts), sampleSeconds };
}

// ───────────────────────────── the backtest ─────────────────────────────

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sdOf = (v: readonly number[]) => {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1));
};

function checkOptions(o: BacktestOptions): void {
  if (!Number.isInteger(o.count) || o.count < 2) throw optionError(`count must be an integer ≥ 2 scenarios per day (got ${o.count})`, { field: 'count', value: o.count });
  if (o.count > 100000) throw optionError(`count must be at most 100000 (got ${o.count})`, { field: 'count', value: o.count });
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
 * `ds`. Training runs synchronously; the model's scenarios come from `runScenarios` (in-process).
 * `opts.onProgress` reports folds, training and per-method scores. Needs the tfjs backend
 * initialised.
 */
export async function backtest(ds: DaySeries, options: Partial<BacktestOptions> & Pick<BacktestOptions, 'folds' | 'horizon'>): Promise<BacktestResult> {
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
  const ddpmIsModel = priorSpec.toLowerCase() === 'none' && fitO.condition === 'none' && fitO.skip === 'none' && !fitO.priorAdjustment;
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

    const record = (name: string, notes: string[], s: ScoredMethod, fitSeconds: number, fit: FitSummary | null) => {
      const days = test.map((d, i) => ({ date: d.date, key: d.key, scores: flatScores(s.perDay[i]) }));
      const m: MethodFold = {
        method: name,
        kind: 'scenarios',
        days,
        mean: flatScalar(s.aggregate.mean),
        pitHistogram: s.aggregate.pitHistogram,
        crpsPerInterval: s.aggregate.crpsPerInterval,
        seconds: { fit: fitSeconds, sample: s.sampleSeconds, score: s.scoreSeconds },
        notes,
        fit,
      };
      methods.push(m);
      const samples = s.kept.get(0);
      if (samples) {
        fanHere.push({ method: name, date: test[0].date, key: test[0].key, fold: split.fold, quantiles: intervalQuantiles(samples, FAN_QUANTILES), truth: test[0].values.slice() });
      }
      o.onProgress?.({ type: 'method', fold: split.fold, method: name, seconds: fitSeconds + s.sampleSeconds + s.scoreSeconds, energy: m.mean.energy, crps: m.mean.crps, mae: m.mean.mae });
    };
    const scoreOpts: ScoreOptions = { quantiles, levels, keep, pitSeed: daySeed(o.seed ^ 0x417, split.fold, 0) };
    const runScenarioMethod = (method: ScenarioMethod, fitSeconds: number, fit: FitSummary | null) => {
      const s = scoreMethod(method, test, { ...scoreOpts, count: o.count, seeds });
      record(method.name, [...(method.notes ?? [])], s, fitSeconds, fit);
    };
    /** A fitted model: the fold's held-out dates in one request through the scenario runner. */
    const runPredictor = async (name: string, predictor: Predictor, fitSeconds: number, fit: FitSummary | null, notes: string[] = []) => {
      const request = backtestRequest(test.map((d) => d.date), { count: o.count, seed: o.seed, sampler });
      const t0 = performance.now();
      const r = await runScenarios(predictor, request);
      const sampleSeconds = (performance.now() - t0) / 1000;
      const samples = r.dates.map((d) => d.values);
      await o.onSamples?.({ fold: split.fold, method: name, predictor, request, samples });
      const noted = new Set<string | null>();
      r.dates.forEach((d, i) => {
        if (d.fallback && !noted.has(test[i].key)) {
          noted.add(test[i].key);
          notes.push(fallbackNote(name, d.date, test[i].key));
        }
      });
      record(name, notes, { ...scoreSamples(samples, test, scoreOpts), sampleSeconds }, fitSeconds, fit);
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
      await runPredictor(MODEL, fitted.model, fitted.seconds, fitted.summary);
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
            await runPredictor('ddpm', fitted.model, 0, fitted.summary, ['ddpm: the model already has prior none without conditioning; the ddpm baseline is the same model']);
          } else {
            const ddpm = fitOne('ddpm', { prior: 'none', condition: 'none', skip: 'none', priorAdjustment: undefined });
            try {
              await runPredictor('ddpm', ddpm.model, ddpm.seconds, ddpm.summary);
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
      ...seriesShape(ds),
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
    const per = folds.map((f) => f.methods.find((m) => m.method === name)).filter((m): m is MethodFold => Boolean(m?.days.length));
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
