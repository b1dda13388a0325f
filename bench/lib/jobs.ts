/**
 * The paper benchmark's jobs. Each job runs in its own process (tfjs holds one global backend)
 * and saves its shard after every run; `bench/paper.ts` schedules them and builds the report.
 */
import path from 'node:path';
import type { DaySeries } from '../../adapters/types.js';
import { initBackend, requestedBackend } from '../../src/backend.js';
import { backtest, type BacktestEvent, type MethodSummary } from '../../src/eval/backtest.js';
import { writeBacktestReport } from '../../src/eval/report.js';
import type { Family } from '../../src/diffusion/index.js';
import { defaultFitOptions, type FitOptions, type SkipMode } from '../../src/train/fit.js';
import { DATASETS, RESULTS, Shard, loadDataset, log, splitDays } from './common.js';
import { runSynthetic, type SyntheticConfig, type SyntheticRun } from './synthetic.js';
import { baselineReference, runCalls, type CallsConfig, type CallsRun } from './calls.js';

export interface PaperFlags {
  quick: boolean;
  seed: number;
  /** Real-data network width and depth. */
  hidden: number;
  blocks: number;
  batch: number;
  lr: number;
  /** Longest real-data training run (the last checkpoint). */
  maxSteps: number;
  count: number;
  resume: boolean;
  shardDir: string;
}

export interface Defaults {
  prior: string;
  condition: 'none' | 'component';
  skip: SkipMode;
  steps: number;
  sampler: string;
  hidden: number;
  blocks: number;
}

export const SYNTHETIC_FAMILIES: { family: Family; sampler: string }[] = [
  { family: 'ddpm', sampler: 'ddpm' },
  { family: 'sgm-vp', sampler: 'em:200' },
  { family: 'sgm-ve', sampler: 'em:200' },
];

/** Short skip names used in run ids: none, identity, cov. */
export const SKIP_ID: Record<SkipMode, string> = { none: 'none', identity: 'identity', covariance: 'cov' };

export function realCheckpoints(f: PaperFlags): number[] {
  if (f.quick) return [25, 100, Math.max(200, Math.min(f.maxSteps, 400))];
  return [25, 50, 100, 250, 500, 1000, 2000, 3000, 4000, 5000].filter((s) => s < f.maxSteps).concat([f.maxSteps]);
}

/** Run id of a real-data configuration: `prior[|label]|skip`, the control `control|skip`. */
export function callsId(prior: string, condition: 'none' | 'component', skip: SkipMode): string {
  return `${prior}${condition === 'component' ? '|label' : ''}|${SKIP_ID[skip]}`;
}

/** The configuration the library ships as its default (prior weekday, the label, covariance skip). */
export const DEFAULT_ID = callsId('weekday', 'component', 'covariance');
/** The paper's setting: the mixture prior alone (no label, no skip). */
export const isPaperSetting = (id: string) => /^(weekday|daytype|weekday\*season|kmeans:\d+)\|none$/.test(id);

/**
 * Section 2 configurations of a dataset, in report order, each with its job part (the sweep is
 * split in three jobs per dataset so that two processes share the work evenly). Every
 * configuration states its skip mode.
 *
 * - skip dimension: none (skip none / identity / covariance); weekday without label (none, cov);
 *   weekday + label (none, identity, cov); kmeans:3 without label (none) and + label (none, cov)
 * - the other priors (daytype, weekday*season, kmeans:2/5/8) in the new default setting
 *   (label + covariance) and in the paper's setting (no label, skip none)
 * - the DDPM-with-label control (centers 0, weekday label) with skip none and covariance
 */
export function callsConfigs(dataset: 'bank' | 'anon', f: PaperFlags): (CallsConfig & { part: number })[] {
  const checkpoints = realCheckpoints(f);
  const max = checkpoints[checkpoints.length - 1];
  const base = { dataset, checkpoints, hidden: f.hidden, blocks: f.blocks, batch: f.batch, lr: f.lr, seed: f.seed, sampler: 'ddim:50', count: f.count };
  const samplers = f.quick ? ['ode:50'] : ['ode:50', 'ddim:50:1', 'ddim:20', 'ddpm'];
  const grid: [string, 'none' | 'component', SkipMode, number][] = f.quick
    ? [
        ['none', 'none', 'none', 1],
        ['none', 'none', 'covariance', 1],
        ['weekday', 'component', 'none', 2],
        ['weekday', 'component', 'covariance', 2],
        ['kmeans:3', 'component', 'covariance', 3],
      ]
    : [
        ['none', 'none', 'none', 1],
        ['none', 'none', 'identity', 1],
        ['none', 'none', 'covariance', 1],
        ['weekday', 'none', 'none', 1],
        ['weekday', 'none', 'covariance', 1],
        ['weekday', 'component', 'none', 1],
        ['weekday', 'component', 'identity', 1],
        ['weekday', 'component', 'covariance', 1],
        ['kmeans:3', 'none', 'none', 2],
        ['kmeans:3', 'component', 'none', 2],
        ['kmeans:3', 'component', 'covariance', 2],
        ...DATASETS[dataset].calendarPriors
          .filter((p) => p !== 'weekday')
          .flatMap((p): [string, 'none' | 'component', SkipMode, number][] => [
            [p, 'component', 'covariance', 2],
            [p, 'none', 'none', 2],
          ]),
        ...['kmeans:2', 'kmeans:5', 'kmeans:8'].flatMap((p): [string, 'none' | 'component', SkipMode, number][] => [
          [p, 'component', 'covariance', 3],
          [p, 'none', 'none', 3],
        ]),
      ];
  const out: (CallsConfig & { part: number })[] = grid.map(([prior, condition, skip, part]) => {
    const id = callsId(prior, condition, skip);
    const extra =
      id === DEFAULT_ID
        ? { samplers, samplerSteps: f.quick ? [max] : [50, 500, max] }
        : id === 'none|none'
          ? { samplers, samplerSteps: [max] }
          : {};
    return { ...base, id, prior, condition, skip, part, ...extra };
  });
  for (const skip of (f.quick ? ['covariance'] : ['none', 'covariance']) as SkipMode[]) {
    out.push({ ...base, id: `control|${SKIP_ID[skip]}`, prior: 'none', condition: 'component', skip, control: 'label', part: 3 });
  }
  return out;
}

export const CALLS_PARTS = 3;

/**
 * Section 3: deliberately wrong priors in the new default setting (the label + covariance skip).
 * Wrong K is kmeans:2 / kmeans:8 against kmeans:3, all three in section 2 (label + covariance).
 */
export function misspecConfigs(dataset: 'bank' | 'anon', f: PaperFlags): CallsConfig[] {
  const base = { dataset, checkpoints: realCheckpoints(f), hidden: f.hidden, blocks: f.blocks, batch: f.batch, lr: f.lr, seed: f.seed, sampler: 'ddim:50', count: f.count, condition: 'component' as const, skip: 'covariance' as const };
  const list: CallsConfig[] = [
    { ...base, id: `${DEFAULT_ID}|random-centers`, prior: 'weekday', misspecify: 'random-centers' },
    { ...base, id: `${DEFAULT_ID}|shift`, prior: 'weekday', misspecify: 'shift' },
  ];
  if (!f.quick) list.push({ ...base, id: 'kmeans:3|label|cov|shift', prior: 'kmeans:3', misspecify: 'shift' });
  return list;
}

/** Section 1 rows: DDPM / SGM (prior none, skip none), mix (kmeans:2, skip none), mix + skip (identity, covariance). */
export const SYNTHETIC_ROWS: { prior: 'none' | 'kmeans:2'; skip: SkipMode }[] = [
  { prior: 'none', skip: 'none' },
  { prior: 'kmeans:2', skip: 'none' },
  { prior: 'kmeans:2', skip: 'identity' },
  { prior: 'kmeans:2', skip: 'covariance' },
];

export function syntheticConfigs(family: Family, f: PaperFlags): SyntheticConfig[] {
  const sampler = SYNTHETIC_FAMILIES.find((x) => x.family === family)!.sampler;
  const seeds = f.quick ? [f.seed] : [f.seed, f.seed + 1, f.seed + 2];
  const checkpoints = f.quick ? [25, 100, 200, 500] : [25, 50, 100, 200, 500, 1000, 2000, 5000];
  const out: SyntheticConfig[] = [];
  for (const row of SYNTHETIC_ROWS) {
    for (const seed of seeds) {
      out.push({ family, prior: row.prior, skip: row.skip, seed, sampler, checkpoints, trainSize: 1000, sampleSize: 1000, hidden: 64, blocks: 2, batch: 128, timeDim: 32 });
    }
  }
  return out;
}

export function jobNames(only: Set<string>, datasets: ('bank' | 'anon')[], width: boolean): string[] {
  const jobs: string[] = [];
  // longest first, so two processes finish together
  if (only.has('calls')) for (let part = 1; part <= CALLS_PARTS; part++) for (const d of datasets) jobs.push(`calls-${d}-${part}`);
  if (only.has('synthetic')) for (const s of SYNTHETIC_FAMILIES) jobs.push(`synthetic-${s.family}`);
  if (only.has('misspec')) for (const d of datasets) jobs.push(`misspec-${d}`);
  if (width) jobs.push('width-bank');
  return jobs;
}

export function runId(c: { id: string; dataset?: string } | SyntheticConfig): string {
  if ('family' in c) return `${c.family}|${c.prior}|${SKIP_ID[c.skip]}|seed${c.seed}`;
  return c.id;
}

interface Split {
  ds: DaySeries;
  train: DaySeries;
  held: DaySeries['days'];
}

async function split(dataset: 'bank' | 'anon'): Promise<Split> {
  const ds = await loadDataset(DATASETS[dataset]);
  const s = splitDays(ds.days.length);
  return { ds, train: { ...ds, days: ds.days.slice(0, s.train) }, held: ds.days.slice(s.train, s.selectionEnd) };
}

/** Run one job in this process. */
export async function runJob(job: string, f: PaperFlags, defaults: Defaults | null): Promise<void> {
  const backend = await initBackend(requestedBackend());
  log(`[${job}] backend ${backend.name}`);
  const started = performance.now();
  if (job.startsWith('synthetic-')) {
    const family = job.slice('synthetic-'.length) as Family;
    const shard = new Shard<SyntheticRun>(f.shardDir, job, f.resume);
    for (const c of syntheticConfigs(family, f)) {
      const id = runId(c);
      if (shard.has(id)) continue;
      const r = runSynthetic(c, (s) => log(`[${job}] ${s}`));
      shard.put(id, r);
    }
  } else if (job.startsWith('calls-') || job.startsWith('misspec-') || job === 'width-bank') {
    const dataset = (job === 'width-bank' ? 'bank' : job.split('-')[1]) as 'bank' | 'anon';
    const { train, held } = await split(dataset);
    const shard = new Shard<CallsRun | ReturnType<typeof baselineReference>>(f.shardDir, job, f.resume);
    const part = job.startsWith('calls-') ? Number(job.split('-')[2]) : 0;
    if (job.startsWith('calls-') && !(part >= 1 && part <= CALLS_PARTS)) throw new Error(`unknown job ${job}; calls jobs are calls-<dataset>-<1..${CALLS_PARTS}>`);
    if (part === 1 && !shard.has('baselines')) {
      shard.put('baselines', baselineReference(train, held, DATASETS[dataset].calendar, f.count, f.seed + 17));
    }
    let configs: CallsConfig[];
    if (job.startsWith('calls-')) configs = callsConfigs(dataset, f).filter((c) => c.part === part);
    else if (job.startsWith('misspec-')) configs = misspecConfigs(dataset, f);
    else configs = [{ ...callsConfigs(dataset, f).find((c) => c.id === DEFAULT_ID)!, id: `${DEFAULT_ID}|hidden256`, hidden: 256, samplers: undefined, samplerSteps: undefined }];
    for (const c of configs) {
      const id = runId(c);
      if (shard.has(id)) continue;
      log(`[${job}] ${id}: training ${Math.max(...c.checkpoints)} steps on ${train.days.length} days, scoring ${held.length} days`);
      shard.put(id, runCalls(c, train, held, DATASETS[dataset].calendar, (s) => log(`[${job}] ${s}`)));
    }
  } else if (job.startsWith('quality-')) {
    const dataset = job.slice('quality-'.length) as 'bank' | 'anon';
    if (!defaults) throw new Error('quality job needs --defaults');
    const spec = DATASETS[dataset];
    const ds = await loadDataset(spec);
    const s = splitDays(ds.days.length);
    const testDays = ds.days.length - s.testStart;
    const horizon = Math.floor(testDays / 2);
    const shard = new Shard<unknown>(f.shardDir, job, f.resume);
    const fitOf = (d: Pick<Defaults, 'prior' | 'condition' | 'skip' | 'steps' | 'sampler' | 'hidden' | 'blocks'>): Partial<FitOptions> => ({
      prior: d.prior,
      condition: d.condition,
      skip: d.skip,
      steps: d.steps,
      sampler: d.sampler,
      hidden: d.hidden,
      blocks: d.blocks,
      batch: f.batch,
      lr: f.lr,
      seed: f.seed,
      calendar: spec.calendar,
    });
    const progress =
      (name: string) =>
      (e: BacktestEvent): void => {
        if (e.type === 'fold') log(`[${job}] ${name} fold ${e.fold + 1}/${e.folds}: train ${e.trainDays} days, test ${e.testDays} from ${e.cutoff}`);
        else if (e.type === 'method') log(`[${job}] ${name} fold ${e.fold + 1} ${e.method}: energy ${e.energy?.toFixed(1) ?? '—'} CRPS ${e.crps?.toFixed(2) ?? '—'} MAE ${e.mae.toFixed(2)} (${e.seconds.toFixed(1)} s)`);
        else if (e.progress.step % 500 === 0) log(`[${job}] ${name} fold ${e.fold + 1} ${e.method} step ${e.progress.step}/${e.progress.steps} (${e.progress.stepsPerSec.toFixed(1)} steps/s)`);
      };
    // The chosen defaults against the baselines. The backtest's `ddpm` baseline is prior none
    // with the model's other options, i.e. with the same skip mode.
    const result = await backtest(ds, {
      folds: 2,
      horizon,
      count: f.count,
      seed: f.seed,
      baselines: ['bootstrap', 'gaussian', 'ddpm', 'seasonal-naive'],
      fit: fitOf(defaults),
      onProgress: progress('chosen'),
    });
    const dir = path.join(RESULTS, `quality-${dataset}`);
    await writeBacktestReport(result, dir);
    const foldsOf = (r: typeof result) => r.folds.map((fo) => ({ fold: fo.fold, cutoff: fo.cutoff, trainDays: fo.trainDays, testDates: fo.testDates, fits: fo.methods.filter((m) => m.fit).map((m) => ({ method: m.method, seconds: m.seconds.fit, stepsPerSec: m.fit!.stepsPerSec })) }));
    // Extra rows on the same folds and seeds: plain DDPM (prior none, skip none, no label, the
    // same steps) and, when the choice differs from them, the library's shipped defaults.
    const extra: { name: string; fit: Partial<FitOptions> }[] = [];
    if (defaults.skip !== 'none') extra.push({ name: 'ddpm (skip none)', fit: fitOf({ ...defaults, prior: 'none', condition: 'none', skip: 'none' }) });
    const lib = defaultFitOptions;
    if (lib.prior !== defaults.prior || lib.condition !== defaults.condition || lib.skip !== defaults.skip || lib.steps !== defaults.steps || lib.sampler !== defaults.sampler) {
      extra.push({ name: `library defaults (${lib.prior}, ${lib.condition === 'component' ? 'label' : 'no label'}, skip ${lib.skip}, ${lib.steps} steps, ${lib.sampler})`, fit: fitOf({ prior: lib.prior, condition: lib.condition, skip: lib.skip, steps: lib.steps, sampler: lib.sampler, hidden: defaults.hidden, blocks: defaults.blocks }) });
    }
    const extraRows: { name: string; fit: Partial<FitOptions>; summary: MethodSummary; folds: unknown }[] = [];
    for (const x of extra) {
      const r = await backtest(ds, { folds: 2, horizon, count: f.count, seed: f.seed, baselines: ['bootstrap'], fit: x.fit, onProgress: progress(x.name) });
      const m = r.summary.find((q) => q.method === 'model')!;
      extraRows.push({ name: x.name, fit: x.fit, summary: { ...m, method: x.name }, folds: foldsOf(r) });
    }
    shard.put('backtest', { defaults, horizon, dir: path.relative(RESULTS, dir), summary: result.summary, extra: extraRows, folds: foldsOf(result), timings: result.timings });
  } else {
    throw new Error(`unknown job ${job}`);
  }
  log(`[${job}] done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
