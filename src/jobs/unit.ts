/**
 * Running one unit of a batch: load the series' model (checking it is the version the batch was
 * planned against) and call the library's `runScenarios` (staffing: `staffFromModel`, which uses
 * it) — the one path the CLI and the routes take, so a unit's numbers are those of `mixcast
 * generate/forecast/whatif/staff plan` with the same request and seed, wherever it runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MixcastError } from '../core/errors.js';
import { ingest, ingestMany, trainingCovariates } from '../../adapters/index.js';
import { defaultCalendarOptions } from '../calendar/index.js';
import { fitModel, type FitOptions } from '../train/fit.js';
import { loadGlobalModel, loadModel, readManifest, saveModel, writeGlobalModel } from '../model/index.js';
import type { GlobalModel, MixcastModel } from '../model/index.js';
import { fitGlobalModel } from '../train/global.js';
import { runScenarios, DEFAULT_FORECAST_COUNT } from '../scenarios/index.js';
import { staffFromModel } from '../staffing/index.js';
import type { UnitSpec } from './plan.js';

export interface UnitResult {
  index: number;
  series: string;
  version: string;
  /** The library's result for this series (ScenarioResult, ForecastResult, WhatIfResult, ModelStaffingResult, or a train summary). */
  result: unknown;
}

/**
 * Loaded models by bundle folder and version; the oldest is disposed past `size`. The series of
 * a global model share one entry (one network in memory for all of them).
 */
export class ModelCache {
  private readonly models = new Map<string, MixcastModel | GlobalModel>();
  constructor(private readonly size = 8) {}

  private touch(key: string): MixcastModel | GlobalModel | undefined {
    const hit = this.models.get(key);
    if (hit) {
      this.models.delete(key);
      this.models.set(key, hit);
    }
    return hit;
  }

  private put(key: string, m: MixcastModel | GlobalModel): void {
    this.models.set(key, m);
    while (this.models.size > this.size) {
      const [k, old] = this.models.entries().next().value as [string, MixcastModel | GlobalModel];
      this.models.delete(k);
      old.dispose();
    }
  }

  get(dir: string, version: string): MixcastModel {
    const hit = this.touch(`${dir}@${version}`);
    if (hit) return hit as MixcastModel;
    const manifest = readManifest(dir);
    const now = manifest.weights.sha256;
    if (now !== version) {
      throw new MixcastError('UNPROCESSABLE', `the model at ${dir} changed since the batch was planned (weights ${now.slice(0, 12)}…, planned ${version.slice(0, 12)}…); submit the batch again`);
    }
    if (manifest.shared) {
      const root = path.resolve(dir, '..', '..');
      const key = `global:${root}@${version}`;
      let g = this.touch(key) as GlobalModel | undefined;
      if (!g) {
        g = loadGlobalModel(root);
        this.put(key, g);
      }
      return g.series(manifest.data.series!);
    }
    const m = loadModel(dir);
    this.put(`${dir}@${version}`, m);
    return m;
  }

  clear(): void {
    for (const m of this.models.values()) m.dispose();
    this.models.clear();
  }
}

export async function runUnit(u: UnitSpec, root: string, cache: ModelCache): Promise<UnitResult> {
  const r = u.request;
  const bundle = path.join(path.resolve(root), u.bundle);
  if (u.kind === 'train') return trainUnit(u, root, bundle, cache);
  const model = cache.get(bundle, u.version);
  const sel = { dates: r.dates, start: r.start, end: r.end, seed: r.seed, sampler: r.sampler, fallback: r.fallback, quantiles: r.quantiles };
  let result: unknown;
  switch (u.kind) {
    case 'scenarios':
      result = await runScenarios(model, { ...sel, count: r.count!, output: r.output, shape: 'scenarios' });
      break;
    case 'forecast':
      result = await runScenarios(model, { ...sel, count: r.count ?? DEFAULT_FORECAST_COUNT, output: r.output, shape: 'forecast' });
      break;
    case 'whatif':
      result = await runScenarios(model, { ...sel, count: r.count!, output: r.output, shape: 'whatif', cases: u.cases!.map((i) => r.cases![i]) });
      break;
    case 'staffing': {
      const s = r.staffing!;
      result = await staffFromModel({
        model,
        ...sel,
        count: r.count ?? 500,
        staffing: { aht: s.aht, target: s.target, within: s.within, coverage: s.coverage, patience: s.patience, shrinkage: s.shrinkage, maxOccupancy: s.maxOccupancy, model: s.patience === undefined ? 'erlang-c' : 'erlang-a' },
      });
      break;
    }
  }
  return { index: u.index, series: u.series, version: u.version, result };
}

/** The fit options of a train request (besides covariates). */
function fitOptionsOf(u: UnitSpec, holidays: string[]): Partial<FitOptions> {
  const t = u.request.train!;
  return {
    ...(t.fit as Partial<FitOptions> | undefined),
    seed: u.request.seed,
    ...(t.prior !== undefined && { prior: t.prior }),
    ...(t.steps !== undefined && { steps: t.steps }),
    ...(t.hidden !== undefined && { hidden: t.hidden }),
    ...(t.blocks !== undefined && { blocks: t.blocks }),
    ...(t.batch !== undefined && { batch: t.batch }),
    calendar: defaultCalendarOptions({ holidays, hemisphere: t.hemisphere, ...(t.weekend && { weekend: t.weekend }), ...(t.minDays && { minDays: t.minDays }) }),
  };
}

/** The adapter settings of a train request (files resolved in the models folder); the caller picks the series. */
function ingestOptionsOf(t: NonNullable<UnitSpec['request']['train']>, inRoot: (f: string) => string) {
  return {
    input: inRoot(t.input),
    seriesCol: t.seriesCol,
    timeCol: t.timeCol,
    valueCol: t.valueCol,
    tz: t.tz,
    interval: t.interval,
    open: t.open,
    close: t.close,
    valueKind: t.valueKind,
    missing: t.missing,
    duplicates: t.duplicates,
    days: t.days,
    ...(t.holidays !== undefined && { holidays: fs.existsSync(inRoot(t.holidays)) ? inRoot(t.holidays) : t.holidays }),
  };
}

/** A global model's train unit: every series ingested, one model fitted, written to the batch's staging folder. */
async function trainGlobalUnit(u: UnitSpec, root: string, staging: string): Promise<UnitResult> {
  const t = u.request.train!;
  const inRoot = (f: string) => path.join(path.resolve(root), f);
  const set = await ingestMany({ ...ingestOptionsOf(t, inRoot), only: u.global });
  const covariatesBySeries: Record<string, NonNullable<FitOptions['covariates']>> = {};
  for (const ds of set.series) {
    const c = trainingCovariates(
      { input: inRoot(t.input), covariates: t.covariates, events: t.events === undefined ? undefined : inRoot(t.events), timeCol: t.timeCol, tz: t.tz, seriesCol: set.seriesCol, series: ds.series! },
      ds.days.map((d) => d.date),
    );
    if (c) covariatesBySeries[ds.series!] = c;
  }
  const { model, summary } = fitGlobalModel(set.series, { ...fitOptionsOf(u, set.series[0]?.holidays ?? []), covariatesBySeries });
  try {
    fs.rmSync(staging, { recursive: true, force: true }); // a retried unit starts afresh
    const manifests = await writeGlobalModel(model, staging);
    const perSeries = Object.fromEntries(
      summary.perSeries.map((p) => [p.series, { days: p.days, K: p.K, prior: summary.prior, steps: summary.steps, seconds: summary.seconds, finalLoss: summary.finalLoss, model: 'global' }]),
    );
    return { index: u.index, series: u.series, version: manifests[0].weights.sha256, result: { model: 'global', summary, perSeries } };
  } finally {
    model.dispose();
  }
}

async function trainUnit(u: UnitSpec, root: string, bundle: string, cache: ModelCache): Promise<UnitResult> {
  if (u.global) return trainGlobalUnit(u, root, bundle);
  const t = u.request.train!;
  const inRoot = (f: string) => path.join(path.resolve(root), f);
  const ds = await ingest({ ...ingestOptionsOf(t, inRoot), series: u.series });
  const covariates = trainingCovariates(
    { input: inRoot(t.input), covariates: t.covariates, events: t.events === undefined ? undefined : inRoot(t.events), timeCol: t.timeCol, tz: t.tz, seriesCol: t.seriesCol, series: u.series },
    ds.days.map((d) => d.date),
  );
  // The warm-start model (checked to be the version planned) stays in the cache, which owns it.
  const warmStart = u.warmStart ? cache.get(path.join(path.resolve(root), u.warmStart.bundle), u.warmStart.version) : undefined;
  const { model, summary } = fitModel(ds, { ...fitOptionsOf(u, ds.holidays), ...(covariates && { covariates }), ...(warmStart && { warmStart }) });
  try {
    fs.mkdirSync(path.dirname(bundle), { recursive: true });
    const m = await saveModel(model, bundle);
    const { days, K, prior, steps, seconds, finalLoss } = summary;
    return { index: u.index, series: u.series, version: m.weights.sha256, result: { days, K, prior, steps, seconds, finalLoss, warmStart: u.warmStart?.version ?? null } };
  } finally {
    model.dispose();
  }
}

/** Errors that a retry cannot fix (the request or the model is wrong): fail the unit at once. */
export function isPermanent(e: unknown): boolean {
  return e instanceof MixcastError && ['BAD_REQUEST', 'BAD_OPTION', 'BAD_INPUT', 'UNPROCESSABLE'].includes(e.code);
}
