/**
 * Running one unit of a batch: load the series' model (checking it is the version the batch was
 * planned against) and call the library's `runScenarios` (staffing: `staffFromModel`, which uses
 * it) — the one path the CLI and the routes take, so a unit's numbers are those of `mixcast
 * generate/forecast/whatif/staff plan` with the same request and seed, wherever it runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MixcastError } from '../core/errors.js';
import { ingest, trainingCovariates } from '../../adapters/index.js';
import { defaultCalendarOptions } from '../calendar/index.js';
import { fitModel, type FitOptions } from '../train/fit.js';
import { loadModel, readManifest, saveModel } from '../model/index.js';
import type { MixcastModel } from '../model/index.js';
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

/** Loaded models by bundle folder and version; the oldest is disposed past `size`. */
export class ModelCache {
  private readonly models = new Map<string, MixcastModel>();
  constructor(private readonly size = 8) {}

  get(dir: string, version: string): MixcastModel {
    const key = `${dir}@${version}`;
    const hit = this.models.get(key);
    if (hit) {
      this.models.delete(key);
      this.models.set(key, hit);
      return hit;
    }
    const now = readManifest(dir).weights.sha256;
    if (now !== version) {
      throw new MixcastError('UNPROCESSABLE', `the model at ${dir} changed since the batch was planned (weights ${now.slice(0, 12)}…, planned ${version.slice(0, 12)}…); submit the batch again`);
    }
    const m = loadModel(dir);
    this.models.set(key, m);
    while (this.models.size > this.size) {
      const [k, old] = this.models.entries().next().value as [string, MixcastModel];
      this.models.delete(k);
      old.dispose();
    }
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
  if (u.kind === 'train') return trainUnit(u, root, bundle);
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

async function trainUnit(u: UnitSpec, root: string, bundle: string): Promise<UnitResult> {
  const t = u.request.train!;
  const inRoot = (f: string) => path.join(path.resolve(root), f);
  const ds = await ingest({
    input: inRoot(t.input),
    seriesCol: t.seriesCol,
    series: u.series,
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
  });
  const covariates = trainingCovariates(
    { input: inRoot(t.input), covariates: t.covariates, events: t.events === undefined ? undefined : inRoot(t.events), timeCol: t.timeCol, tz: t.tz, seriesCol: t.seriesCol, series: u.series },
    ds.days.map((d) => d.date),
  );
  const { model, summary } = fitModel(ds, {
    ...(t.fit as Partial<FitOptions> | undefined),
    seed: u.request.seed,
    ...(t.prior !== undefined && { prior: t.prior }),
    ...(t.steps !== undefined && { steps: t.steps }),
    ...(t.hidden !== undefined && { hidden: t.hidden }),
    ...(t.blocks !== undefined && { blocks: t.blocks }),
    ...(t.batch !== undefined && { batch: t.batch }),
    ...(covariates && { covariates }),
    calendar: defaultCalendarOptions({ holidays: ds.holidays, hemisphere: t.hemisphere, ...(t.weekend && { weekend: t.weekend }), ...(t.minDays && { minDays: t.minDays }) }),
  });
  try {
    fs.mkdirSync(path.dirname(bundle), { recursive: true });
    const m = await saveModel(model, bundle);
    const { days, K, prior, steps, seconds, finalLoss } = summary;
    return { index: u.index, series: u.series, version: m.weights.sha256, result: { days, K, prior, steps, seconds, finalLoss } };
  } finally {
    model.dispose();
  }
}

/** Errors that a retry cannot fix (the request or the model is wrong): fail the unit at once. */
export function isPermanent(e: unknown): boolean {
  return e instanceof MixcastError && ['BAD_REQUEST', 'BAD_OPTION', 'BAD_INPUT', 'UNPROCESSABLE'].includes(e.code);
}
