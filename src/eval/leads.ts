/**
 * Evaluation by lead (`mixcast evaluate --leads 1,7,14 --origins N`, `npm run bench:context`):
 * mixcast is trained once on the days before the test window (the last `testShare` of the days)
 * with and without context; then for every origin in the window (its day and all days before it
 * are observed; nothing after it is used) and every lead, `count` scenarios of the target day
 * from every method are scored: mixcast (through the scenario runner, with the history up to the
 * origin as the request's `history`), mixcast without context, the weekday bootstrap,
 * bootstrap-level, ets, the per-weekday gaussian (refitted at each origin on the days up to it),
 * seasonal-naive (the last observed day of the target's weekday, a point forecast scored as one
 * scenario) and plain DDPM (prior none, no skip, no context, trained once like mixcast). Then multi-day paths: the spread of 5-day totals of generated paths
 * against the data's. All draws are seeded.
 */
import { addDays, weekdayName, weekdayOf } from '../core/dates.js';
import type { Day, DaySeries } from '../../adapters/index.js';
import { fitModel, type FitOptions } from '../train/fit.js';
import { runScenarios } from '../scenarios/index.js';
import type { MixcastModel } from '../model/index.js';
import { MixcastError, optionError } from '../core/errors.js';
import { levelWeights, type LevelWeight } from '../context/index.js';
import { bootstrapBaseline, bootstrapLevelBaseline, etsBaseline, gaussianBaseline, type TrainingDay } from './baselines.js';
import { defaultTransform, fitTransform, fromModelSpace, toModelSpace } from '../transform/index.js';
import { quantileLinear, sortedCopy } from '../core/quantiles.js';
import { energyScore, crpsDay, coverage, pitValues, pitHistogram } from './scores.js';

export const LEAD_METHODS = ['mixcast', 'mixcast (no context)', 'bootstrap', 'bootstrap-level', 'ets', 'gaussian', 'seasonal-naive', 'ddpm'] as const;
/** Methods that give one point forecast: no intervals, no PIT. */
export const POINT_METHODS: readonly LeadMethodName[] = ['seasonal-naive'];
export type LeadMethodName = (typeof LEAD_METHODS)[number];

export interface LeadEvalOptions {
  leads: number[];
  /** Most origins scored (evenly spread over the test window). */
  origins: number;
  count: number;
  seed: number;
  /** Share of the last days that form the test window. */
  testShare: number;
  fit: Partial<FitOptions>;
  /**
   * Retrain the models (mixcast with and without context, and plain DDPM) on every day up to the
   * origin once every this many test-window days, as a user who retrains on a schedule would
   * (0 or absent: train once, on the days before the test window). The other baselines refit at
   * every origin.
   */
  refitEvery?: number;
  /**
   * Steps of each retraining after the first, warm-started from the models it replaces (the
   * first training always runs `fit.steps` from a seeded draw). Absent: every training is from
   * scratch with `fit.steps`.
   */
  refitSteps?: number;
  /** Leads at which the fitted weight of the level is reported. */
  weightLeads?: number[];
  onProgress?: (msg: string) => void;
}

export interface LeadSummary {
  lead: number;
  origins: number;
  methods: Record<LeadMethodName, { energy: number; energyVsBootstrap: number; crps: number; coverage80: number; pit: number[] }>;
}

export interface LeadEvaluation {
  days: number;
  d: number;
  testDays: number;
  trainDays: number;
  /** Trainings of each model over the test window (1 = trained once). */
  fits: number;
  seconds: number;
  summary: LeadSummary[];
  paths: { generatedF: number; generatedFRange: number[]; empiricalF: number; windows: number };
  levelWeights: LevelWeight[];
  selection: { group: string; penalty: number | null }[];
  /**
   * How the test window differs from the training days: the log daily total minus the median log
   * total of its weekday over the days before the test window, as mean and standard deviation over
   * the training days and over the test days. A test mean above the training one is a level the
   * training days never showed; a wider test spread is volatility they never showed.
   */
  shift: { trainMean: number; trainSd: number; testMean: number; testSd: number };
  /** Per-seed summaries when this evaluation averages several seeds (`mergeSeeds`). */
  seedRuns?: { seed: number; summary: LeadSummary[] }[];
}

const weekdayKey = (date: string) => weekdayName(weekdayOf(date));
const total = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
const mean = (a: readonly number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
const variance = (a: readonly number[]) => {
  const m = mean(a);
  return a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1);
};

interface Acc {
  es: number[];
  crps: number[];
  cover80: number[];
  pit: number[];
}
const acc = (): Acc => ({ es: [], crps: [], cover80: [], pit: [] });

async function scenariosOf(model: MixcastModel, history: Day[], dates: string[], count: number, seed: number): Promise<number[][][]> {
  const r = await runScenarios(model, { dates, count, seed, history, output: 'continuous', fallback: 'mixture' });
  return r.dates.map((d) => d.values as number[][]);
}

/** Origins in the test window (the day before it to the second-last day), evenly thinned to `max`. */
function originIndices(n: number, testStart: number, max: number): number[] {
  const idx: number[] = [];
  for (let i = testStart - 1; i < n - 1; i++) idx.push(i);
  if (idx.length <= max) return idx;
  const step = idx.length / max;
  return Array.from({ length: max }, (_, j) => idx[Math.floor(j * step)]);
}

/**
 * How many days the models at origin index `orig` (the last observed day) are trained on: the
 * days before the test window, plus the test days of every whole refit period up to the origin
 * (never a day after it). `refitEvery` 0: always the days before the test window.
 */
export function refitCutoff(testStart: number, refitEvery: number, orig: number): number {
  return refitEvery > 0 ? testStart + refitEvery * Math.floor((orig + 1 - testStart) / refitEvery) : testStart;
}

export async function evaluateByLead(ds: DaySeries, o: LeadEvalOptions): Promise<LeadEvaluation> {
  if (!o.leads.length || o.leads.some((h) => !Number.isInteger(h) || h < 1 || h > 366)) throw optionError('leads must be whole numbers of days from 1 to 366', { field: 'leads' });
  if (!Number.isInteger(o.origins) || o.origins < 1) throw optionError('origins must be a positive whole number', { field: 'origins' });
  if (!(o.testShare > 0 && o.testShare < 1)) throw optionError('testShare must be between 0 and 1', { field: 'testShare' });
  const t0 = Date.now();
  const days = ds.days;
  const n = days.length;
  const testStart = n - Math.round(o.testShare * n);
  if (testStart < 30) throw optionError(`evaluation by lead needs at least 30 training days before the test window (got ${testStart} of ${n} days)`, { field: 'origins' });
  const refitEvery = o.refitEvery ?? 0;
  if (!Number.isInteger(refitEvery) || refitEvery < 0) throw optionError('refitEvery must be a whole number of days (0 = train once)', { field: 'refitEvery' });
  if (o.refitSteps !== undefined && !(Number.isInteger(o.refitSteps) && o.refitSteps >= 1 && o.refitSteps <= 1_000_000)) {
    throw optionError('refitSteps must be a whole number of steps from 1 to 1,000,000', { field: 'refitSteps' });
  }
  const say = o.onProgress ?? (() => {});
  const cutoffOf = (orig: number) => refitCutoff(testStart, refitEvery, orig);
  let models: { cutoff: number; withCtx: MixcastModel; noCtx: MixcastModel; ddpm: MixcastModel } | null = null;
  let fits = 0;
  let weights = null as { levelWeights: LevelWeight[]; selection: LeadEvaluation['selection'] } | null;
  const disposeModels = () => {
    if (!models) return;
    models.withCtx.dispose();
    models.noCtx.dispose();
    models.ddpm.dispose();
    models = null;
  };
  const modelsFor = (orig: number) => {
    const cutoff = cutoffOf(orig);
    if (models?.cutoff === cutoff) return models;
    const train: DaySeries = { ...ds, days: days.slice(0, cutoff) };
    const warm = models && o.refitSteps !== undefined ? models : null;
    say(`training on ${cutoff} days, with and without context${warm ? ` (${o.refitSteps} steps from the previous models)` : ''}`);
    // A warm start the new days do not allow (e.g. a calendar key first seen in them changes the
    // components) trains that model from scratch instead, and says so.
    const fit = (options: Partial<FitOptions>, from: MixcastModel | undefined, name: string) => {
      if (!warm) return fitModel(train, options).model;
      try {
        return fitModel(train, { ...options, warmStart: from, steps: o.refitSteps }).model;
      } catch (e) {
        if (!(e instanceof MixcastError && (e.details as { field?: string } | undefined)?.field === 'warmStart')) throw e;
        say(`${name}: ${e.message}; trained from scratch`);
        return fitModel(train, options).model;
      }
    };
    const next = {
      cutoff,
      withCtx: fit({ ...o.fit, context: 'on' }, warm?.withCtx, 'mixcast'),
      noCtx: fit({ ...o.fit, context: 'off' }, warm?.noCtx, 'mixcast (no context)'),
      ddpm: fit({ ...o.fit, context: 'off', prior: 'none', condition: 'none', skip: 'none', priorAdjustment: undefined }, warm?.ddpm, 'ddpm'),
    };
    disposeModels();
    models = next;
    fits++;
    // The reported weights are those of the first training (on the days before the test window).
    weights ??= {
      levelWeights: levelWeights(models.withCtx, o.weightLeads ?? [1, 2, 3, 5, 7, 10, 14]),
      selection: models.withCtx.manifest.context?.selection.map((s) => ({ group: s.group, penalty: s.penalty })) ?? [],
    };
    return models;
  };
  const counts = ds.valueKind === 'counts';
  try {
    const COUNT = o.count;
    const byDate = new Map(days.map((d, i) => [d.date, i]));
    const res: Record<number, Record<LeadMethodName, Acc>> = {};
    for (const h of o.leads) res[h] = Object.fromEntries(LEAD_METHODS.map((m) => [m, acc()])) as Record<LeadMethodName, Acc>;
    const bl = bootstrapLevelBaseline();
    const ets = etsBaseline();
    const os = originIndices(n, testStart, o.origins);
    // Multi-day paths: the 5 days after an origin (the data's calendar), every third origin.
    const F: number[] = [];
    for (const [oi, orig] of os.entries()) {
      if (oi % 10 === 0) say(`origin ${oi + 1}/${os.length} (${days[orig].date})`);
      const { withCtx, noCtx, ddpm } = modelsFor(orig);
      const history = days.slice(0, orig + 1);
      const hist: TrainingDay[] = history.map((d) => ({ date: d.date, key: weekdayKey(d.date), values: d.values }));
      const boot = bootstrapBaseline(hist);
      const tp = fitTransform(hist.map((t) => t.values), o.fit.transform ?? defaultTransform(counts), counts);
      const gauss = gaussianBaseline(hist, { forward: (v) => toModelSpace(tp, v), inverse: (z) => fromModelSpace(tp, z) });
      for (const h of o.leads) {
        const target = addDays(days[orig].date, h);
        const ti = byDate.get(target);
        if (ti === undefined) continue;
        const truth = days[ti].values;
        const seed = o.seed * 1_000_003 + oi * 31 + h;
        const samples: Record<LeadMethodName, number[][]> = {
          mixcast: (await scenariosOf(withCtx, history, [target], COUNT, seed))[0],
          'mixcast (no context)': (await scenariosOf(noCtx, history, [target], COUNT, seed))[0],
          bootstrap: boot.sample(target, weekdayKey(target), COUNT, seed),
          'bootstrap-level': bl.sampleAt({ history: hist, origin: days[orig].date, lead: h, key: weekdayKey(target), count: COUNT, seed }),
          ets: ets.sampleAt({ history: hist, origin: days[orig].date, lead: h, key: weekdayKey(target), count: COUNT, seed }),
          gaussian: gauss.sample(target, weekdayKey(target), COUNT, seed),
          'seasonal-naive': [lastSameWeekday(history, target)],
          ddpm: (await scenariosOf(ddpm, history, [target], COUNT, seed))[0],
        };
        for (const m of LEAD_METHODS) {
          const a = res[h][m];
          a.es.push(energyScore(samples[m], truth));
          a.crps.push(crpsDay(samples[m], truth).meanOverIntervals);
          if (POINT_METHODS.includes(m)) continue;
          a.cover80.push(coverage(samples[m], truth, [0.8])['0.8']);
          a.pit.push(...pitValues(samples[m], truth, seed));
        }
      }
      if (oi % 3 !== 0 || orig + 5 >= n) continue;
      const dates = days.slice(orig + 1, orig + 6).map((d) => d.date);
      const paths = await scenariosOf(withCtx, history, dates, COUNT, o.seed + oi);
      const sums = Array.from({ length: COUNT }, (_, s) => dates.reduce((a, _d, j) => a + total(paths[j][s]), 0));
      const perDay = dates.map((_, j) => variance(paths[j].map(total)));
      F.push(variance(sums) / perDay.reduce((a, b) => a + b, 0));
    }
    // The data's: 5 consecutive days (within a week) of daily totals minus their weekday means.
    const tot = days.map((d) => total(d.values));
    const byKey = byWeekday(days, tot);
    const resid = days.map((d, i) => tot[i] - mean(byKey.get(weekdayKey(d.date))!));
    const windows: number[] = [];
    for (let i = 0; i + 4 < n; i++) if (days[i + 4].date <= addDays(days[i].date, 6)) windows.push(resid.slice(i, i + 5).reduce((a, b) => a + b, 0));
    const shift = windowShift(days, testStart);
    const summary: LeadSummary[] = o.leads.map((h) => {
      const bootEs = mean(res[h].bootstrap.es);
      return {
        lead: h,
        origins: res[h].bootstrap.es.length,
        methods: Object.fromEntries(
          LEAD_METHODS.map((m) => {
            const a = res[h][m];
            return [m, { energy: mean(a.es), energyVsBootstrap: mean(a.es) / bootEs, crps: mean(a.crps), coverage80: mean(a.cover80), pit: pitHistogram(a.pit, 10) }];
          }),
        ) as LeadSummary['methods'],
      };
    });
    return {
      days: n,
      d: ds.labels.length,
      testDays: n - testStart,
      trainDays: testStart,
      fits,
      seconds: Math.round((Date.now() - t0) / 1000),
      summary,
      paths: { generatedF: mean(F), generatedFRange: F.length ? [Math.min(...F), Math.max(...F)] : [], empiricalF: variance(windows) / (5 * variance(resid)), windows: F.length },
      levelWeights: weights?.levelWeights ?? [],
      selection: weights?.selection ?? [],
      shift,
    };
  } finally {
    disposeModels();
  }
}

/** The values of the days (values[i] belongs to days[i]) grouped by weekday. */
function byWeekday(days: readonly Day[], values: readonly number[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  days.forEach((d, i) => {
    const k = weekdayKey(d.date);
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(values[i]);
  });
  return out;
}

/** Log daily totals against the training days' weekday medians: their mean and spread before and in the test window. */
export function windowShift(days: readonly Day[], testStart: number): LeadEvaluation['shift'] {
  const logs = days.map((d) => Math.log1p(Math.max(0, total(d.values))));
  const median = new Map([...byWeekday(days.slice(0, testStart), logs)].map(([k, v]) => [k, quantileLinear(sortedCopy(v), 0.5)]));
  const dev = (from: number, to: number) => days.slice(from, to).flatMap((d, j) => (median.has(weekdayKey(d.date)) ? [logs[from + j] - median.get(weekdayKey(d.date))!] : []));
  const train = dev(0, testStart);
  const test = dev(testStart, days.length);
  return { trainMean: mean(train), trainSd: Math.sqrt(variance(train)), testMean: mean(test), testSd: Math.sqrt(variance(test)) };
}

/** Seasonal naive at any lead: the last observed day (up to the origin) with the target's weekday. */
function lastSameWeekday(history: readonly Day[], target: string): number[] {
  const wd = weekdayOf(target);
  for (let i = history.length - 1; i >= 0; i--) if (weekdayOf(history[i].date) === wd) return history[i].values.slice();
  return history[history.length - 1].values.slice();
}

const normalise = (h: number[]) => {
  const t = h.reduce((a, b) => a + b, 0);
  return h.map((v) => v / Math.max(1e-12, t));
};

/** The baseline with the lowest energy score at a lead (every method but mixcast, with or without context). */
export function bestBaseline(s: LeadSummary): LeadMethodName {
  return LEAD_METHODS.filter((m) => m !== 'mixcast' && m !== 'mixcast (no context)').reduce((a, m) => (s.methods[m].energy < s.methods[a].energy ? m : a), 'bootstrap' as LeadMethodName);
}

/**
 * One evaluation from runs of the same data with different seeds (network initialisation,
 * batches and scenario draws): energies, CRPS and coverage are averaged over the runs (every
 * run has the same origins), PIT counts are added, and each run's summary is kept for the
 * report's spread. The fitted weights come from the first run (the ridge fit has no seed).
 */
export function mergeSeeds(runs: { seed: number; result: LeadEvaluation }[]): LeadEvaluation {
  if (!runs.length) throw new Error('mergeSeeds needs at least one run');
  const first = runs[0].result;
  const avg = (f: (r: LeadEvaluation) => number) => runs.reduce((a, r) => a + f(r.result), 0) / runs.length;
  const summary: LeadSummary[] = first.summary.map((s0, i) => {
    const at = (r: LeadEvaluation) => r.summary[i];
    const bootEnergy = avg((r) => at(r).methods.bootstrap.energy);
    const methods = Object.fromEntries(
      LEAD_METHODS.map((m) => {
        const energy = avg((r) => at(r).methods[m].energy);
        const pit = s0.methods[m].pit.map((_, b) => runs.reduce((a, r) => a + at(r.result).methods[m].pit[b], 0));
        return [m, { energy, energyVsBootstrap: energy / bootEnergy, crps: avg((r) => at(r).methods[m].crps), coverage80: avg((r) => at(r).methods[m].coverage80), pit }];
      }),
    ) as LeadSummary['methods'];
    return { lead: s0.lead, origins: s0.origins, methods };
  });
  const ranges = runs.flatMap((r) => r.result.paths.generatedFRange);
  return {
    ...first,
    seconds: runs.reduce((a, r) => a + r.result.seconds, 0),
    fits: runs.reduce((a, r) => a + r.result.fits, 0),
    summary,
    paths: { ...first.paths, generatedF: avg((r) => r.paths.generatedF), generatedFRange: ranges.length ? [Math.min(...ranges), Math.max(...ranges)] : [] },
    seedRuns: runs.map((r) => ({ seed: r.seed, summary: r.result.summary })),
  };
}

/** Markdown report of evaluations by lead (one per dataset). */
export function leadReport(results: (LeadEvaluation & { id: string; title: string })[], header: string[]): string {
  const METHODS = LEAD_METHODS;
  const L: string[] = [...header, ''];
  L.push('## Energy score relative to the weekday bootstrap (lower is better)', '');
  L.push('The last two columns: the best baseline (every method but mixcast, with or without context) and how much better (−) or worse (+) mixcast is than it.', '');
  L.push(`| dataset | lead | origins | ${METHODS.join(' | ')} | best baseline | mixcast vs best |`, `|---|---|---|${METHODS.map(() => '---').join('|')}|---|---|`);
  for (const r of results) {
    for (const s of r.summary) {
      const best = bestBaseline(s);
      const gap = 100 * (s.methods.mixcast.energy / s.methods[best].energy - 1);
      L.push(`| ${r.id} | ${s.lead} | ${s.origins} | ${METHODS.map((m) => s.methods[m].energyVsBootstrap.toFixed(3)).join(' | ')} | ${best} | ${gap >= 0 ? '+' : '−'}${Math.abs(gap).toFixed(1)} % |`);
    }
  }
  if (results.some((r) => r.seedRuns && r.seedRuns.length > 1)) {
    L.push('', '## Spread over seeds', '');
    L.push('Each seed trains its own networks and draws its own scenarios and bootstrap days; the tables above average them. Per seed: mixcast ÷ bootstrap, and mixcast against the best baseline of that seed.', '');
    L.push('| dataset | lead | mixcast per seed | mixcast vs best per seed | seeds with a baseline > 1 % better |', '|---|---|---|---|---|');
    for (const r of results) {
      if (!r.seedRuns || r.seedRuns.length < 2) continue;
      r.summary.forEach((s, i) => {
        const per = r.seedRuns!.map((run) => run.summary[i]);
        const gaps = per.map((p) => 100 * (p.methods.mixcast.energy / p.methods[bestBaseline(p)].energy - 1));
        L.push(
          `| ${r.id} | ${s.lead} | ${per.map((p) => p.methods.mixcast.energyVsBootstrap.toFixed(3)).join(' / ')} | ${gaps.map((g) => `${g >= 0 ? '+' : '−'}${Math.abs(g).toFixed(1)} %`).join(' / ')} | ${gaps.filter((g) => g > 1).length} of ${gaps.length} |`,
        );
      });
    }
  }
  L.push('', '## 80 % interval coverage (per interval, target 0.80)', '');
  L.push(`| dataset | lead | ${METHODS.join(' | ')} |`, `|---|---|${METHODS.map(() => '---').join('|')}|`);
  for (const r of results) for (const s of r.summary) L.push(`| ${r.id} | ${s.lead} | ${METHODS.map((m) => (Number.isFinite(s.methods[m].coverage80) ? s.methods[m].coverage80.toFixed(3) : '—')).join(' | ')} |`);
  L.push('', '## CRPS (mean over intervals, original units)', '');
  L.push(`| dataset | lead | ${METHODS.join(' | ')} |`, `|---|---|${METHODS.map(() => '---').join('|')}|`);
  for (const r of results) for (const s of r.summary) L.push(`| ${r.id} | ${s.lead} | ${METHODS.map((m) => s.methods[m].crps.toFixed(2)).join(' | ')} |`);
  L.push('', '## PIT histograms of mixcast (10 bins, share of PIT values per bin; 0.10 each = calibrated)', '');
  for (const r of results) for (const s of r.summary) L.push(`- ${r.id}, lead ${s.lead}: ${normalise(s.methods.mixcast.pit).map((v) => v.toFixed(2)).join(' ')}`);
  L.push('', '## How the test window differs from the training days', '');
  L.push(
    'Log daily total minus the median log total of its weekday over the days before the test window: mean and standard deviation over the training days and over the test days. A test mean above (or below) the training one is a level the training days never showed; a larger test spread is volatility they never showed. Neither can be learnt from the days before the window; where they are large, the scores at long leads (where the recent level is weak evidence) depend on it more than on the model.',
    '',
  );
  L.push('| dataset | training mean | test mean | shift | training sd | test sd | sd ratio |', '|---|---|---|---|---|---|---|');
  for (const r of results) {
    const s = r.shift;
    const d = s.testMean - s.trainMean;
    L.push(`| ${r.id} | ${s.trainMean.toFixed(3)} | ${s.testMean.toFixed(3)} | ${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(3)} | ${s.trainSd.toFixed(3)} | ${s.testSd.toFixed(3)} | ${(s.testSd / s.trainSd).toFixed(2)} |`);
  }
  L.push('', '## Multi-day paths: spread of 5-day totals', '');
  L.push('F = Var(5-day total) / Σ Var(daily totals): 1 for independent days, above 1 when days move together.', '');
  L.push('| dataset | F of generated paths (mean, range over origins) | F of the data (weekday-adjusted totals) |', '|---|---|---|');
  for (const r of results) {
    const range = r.paths.generatedFRange.length ? `${r.paths.generatedFRange.map((v) => v.toFixed(2)).join('–')}, ` : '';
    L.push(`| ${r.id} | ${r.paths.generatedF.toFixed(2)} (${range}${r.paths.windows} origins) | ${r.paths.empiricalF.toFixed(2)} |`);
  }
  const wl = results[0]?.levelWeights.map((w) => w.lead) ?? [];
  L.push('', '## Where context helps: the fitted weight of the recent level, by lead', '');
  L.push('Change of the expected log daily total per unit change of the 7-day level (1 = follow the recent level fully, 0 = ignore it), and the penalty chosen per group (out = left out).', '');
  L.push(`| dataset | ${wl.map((h) => `lead ${h}`).join(' | ')} | penalties |`, `|---|${wl.map(() => '---').join('|')}|---|`);
  for (const r of results) {
    L.push(`| ${r.id} | ${r.levelWeights.map((w) => (w.level7 ?? 0).toFixed(2)).join(' | ')} | ${r.selection.map((s) => `${s.group}: ${s.penalty ?? 'out'}`).join('; ')} |`);
  }
  L.push('', `Seconds per dataset: ${results.map((r) => `${r.id} ${r.seconds}`).join(', ')}.`);
  return L.join('\n') + '\n';
}
