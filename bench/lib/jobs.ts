/**
 * The paper benchmark's jobs. Each job runs in its own process (tfjs holds one global backend)
 * and saves its shard after every run; `bench/paper.ts` schedules them and builds the report.
 */
import path from 'node:path';
import type { DaySeries } from '../../adapters/types.js';
import { initBackend, requestedBackend } from '../../src/backend.js';
import { backtest } from '../../src/eval/backtest.js';
import { writeBacktestReport } from '../../src/eval/report.js';
import type { Family } from '../../src/diffusion/index.js';
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

export function realCheckpoints(f: PaperFlags): number[] {
  if (f.quick) return [100, 200, Math.max(300, Math.min(f.maxSteps, 400))];
  return [100, 250, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000].filter((s) => s < f.maxSteps).concat([f.maxSteps]);
}

/** Section 2 (+ control and conditioning) configurations for a dataset. */
export function callsConfigs(dataset: 'bank' | 'anon', f: PaperFlags): CallsConfig[] {
  const base = { dataset, checkpoints: realCheckpoints(f), hidden: f.hidden, blocks: f.blocks, batch: f.batch, lr: f.lr, seed: f.seed, sampler: 'ddim:50', count: f.count };
  const samplers = f.quick ? ['ode:50'] : ['ode:50', 'ddim:50:1', 'ddim:20', 'ddpm'];
  const priors = f.quick ? ['none', 'weekday', 'kmeans:3'] : ['none', ...DATASETS[dataset].calendarPriors, 'kmeans:2', 'kmeans:3', 'kmeans:5', 'kmeans:8'];
  const out: CallsConfig[] = priors.map((prior) => ({
    ...base,
    id: prior,
    prior,
    condition: 'none' as const,
    samplers: prior === 'none' ? samplers : undefined,
  }));
  for (const prior of f.quick ? ['weekday'] : ['weekday', 'daytype', 'weekday*season', 'kmeans:3']) {
    out.push({ ...base, id: `${prior}|cond`, prior, condition: 'component', samplers: prior === 'weekday' ? samplers : undefined });
  }
  out.push({ ...base, id: 'none|label', prior: 'none', condition: 'component', control: 'label' });
  return out;
}

/**
 * Section 3: deliberately wrong priors, with the component label fed to the network (the setting
 * the defaults use; without it the mixture prior already trails none on these data). Wrong K is
 * kmeans:2 / kmeans:8 against kmeans:3 in section 2.
 */
export function misspecConfigs(dataset: 'bank' | 'anon', f: PaperFlags): CallsConfig[] {
  const base = { dataset, checkpoints: realCheckpoints(f), hidden: f.hidden, blocks: f.blocks, batch: f.batch, lr: f.lr, seed: f.seed, sampler: 'ddim:50', count: f.count };
  const list: CallsConfig[] = [
    { ...base, id: 'weekday|cond|random-centers', prior: 'weekday', condition: 'component', misspecify: 'random-centers' },
    { ...base, id: 'weekday|cond|shift', prior: 'weekday', condition: 'component', misspecify: 'shift' },
  ];
  if (!f.quick) list.push({ ...base, id: 'kmeans:3|cond|shift', prior: 'kmeans:3', condition: 'component', misspecify: 'shift' });
  return list;
}

export function syntheticConfigs(family: Family, f: PaperFlags): SyntheticConfig[] {
  const sampler = SYNTHETIC_FAMILIES.find((x) => x.family === family)!.sampler;
  const seeds = f.quick ? [f.seed] : [f.seed, f.seed + 1, f.seed + 2];
  const checkpoints = f.quick ? [100, 200, 500] : [100, 200, 500, 1000, 2000, 5000];
  const out: SyntheticConfig[] = [];
  for (const prior of ['none', 'kmeans:2'] as const) {
    for (const seed of seeds) {
      out.push({ family, prior, seed, sampler, checkpoints, trainSize: 1000, sampleSize: 1000, hidden: 64, blocks: 2, batch: 128, timeDim: 32 });
    }
  }
  return out;
}

export function jobNames(only: Set<string>, datasets: ('bank' | 'anon')[], width: boolean): string[] {
  const jobs: string[] = [];
  if (only.has('calls')) for (const d of datasets) jobs.push(`calls-${d}`);
  if (only.has('synthetic')) for (const s of SYNTHETIC_FAMILIES) jobs.push(`synthetic-${s.family}`);
  if (only.has('misspec')) for (const d of datasets) jobs.push(`misspec-${d}`);
  if (width) jobs.push('width-bank');
  return jobs;
}

export function runId(c: { id: string; dataset?: string } | SyntheticConfig): string {
  if ('family' in c) return `${c.family}|${c.prior}|seed${c.seed}`;
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
    if (job.startsWith('calls-') && !shard.has('baselines')) {
      shard.put('baselines', baselineReference(train, held, DATASETS[dataset].calendar, f.count, f.seed + 17));
    }
    let configs: CallsConfig[];
    if (job.startsWith('calls-')) configs = callsConfigs(dataset, f);
    else if (job.startsWith('misspec-')) configs = misspecConfigs(dataset, f);
    else configs = [{ ...callsConfigs(dataset, f).find((c) => c.id === 'weekday|cond')!, id: 'weekday|cond|hidden256', hidden: 256, samplers: undefined }];
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
    const result = backtest(ds, {
      folds: 2,
      horizon,
      count: f.count,
      seed: f.seed,
      baselines: ['bootstrap', 'gaussian', 'ddpm', 'seasonal-naive'],
      fit: {
        prior: defaults.prior,
        condition: defaults.condition,
        steps: defaults.steps,
        sampler: defaults.sampler,
        hidden: defaults.hidden,
        blocks: defaults.blocks,
        batch: f.batch,
        lr: f.lr,
        seed: f.seed,
        calendar: spec.calendar,
      },
      onProgress: (e) => {
        if (e.type === 'fold') log(`[${job}] fold ${e.fold + 1}/${e.folds}: train ${e.trainDays} days, test ${e.testDays} from ${e.cutoff}`);
        else if (e.type === 'method') log(`[${job}] fold ${e.fold + 1} ${e.method}: energy ${e.energy?.toFixed(1) ?? '—'} CRPS ${e.crps?.toFixed(2) ?? '—'} MAE ${e.mae.toFixed(2)} (${e.seconds.toFixed(1)} s)`);
        else if (e.progress.step % 500 === 0) log(`[${job}] fold ${e.fold + 1} ${e.method} step ${e.progress.step}/${e.progress.steps} (${e.progress.stepsPerSec.toFixed(1)} steps/s)`);
      },
    });
    const dir = path.join(RESULTS, `quality-${dataset}`);
    await writeBacktestReport(result, dir);
    shard.put('backtest', { defaults, horizon, dir: path.relative(RESULTS, dir), summary: result.summary, folds: result.folds.map((fo) => ({ fold: fo.fold, cutoff: fo.cutoff, trainDays: fo.trainDays, testDates: fo.testDates, fits: fo.methods.filter((m) => m.fit).map((m) => ({ method: m.method, seconds: m.seconds.fit, stepsPerSec: m.fit!.stepsPerSec })) })), timings: result.timings });
  } else {
    throw new Error(`unknown job ${job}`);
  }
  log(`[${job}] done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
