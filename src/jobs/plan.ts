/**
 * Planning a batch: resolve the model and its series under the models folder, fix each series'
 * version (its weights sha256), split the work into units (one per series, and per chunk of
 * what-if cases where there are many) and derive the batch id from the request and the
 * versions — the idempotency key: the same request and seed on the same models is the same job.
 *
 * Units carry paths relative to the models folder, so a worker on another machine that mounts
 * the same folder (`mixcast worker --models DIR`) runs them unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { MixcastError, optionError } from '../core/errors.js';
import { readManifest } from '../model/index.js';
import { checkCollectionTarget, isCollection, readCollection, resolveSeries, seriesSlug, stagingDir } from '../model/index.js';
import { readTable } from '../../adapters/index.js';
import { seriesNames } from '../../adapters/index.js';
import type { BatchRequest, JobKind } from './request.js';

/** What-if cases per unit: more cases than this split a series into several units (same base scenarios in each). */
export const CASES_PER_UNIT = 8;

export interface UnitSpec {
  index: number;
  kind: JobKind;
  series: string;
  /** The series' bundle, relative to the models folder. */
  bundle: string;
  /** The bundle's weights sha256 when planned ('' for train units). */
  version: string;
  /** whatif: indices into request.cases run by this unit. */
  cases?: number[];
  /** train of a global model: every series, trained together by this one unit into `bundle` (the staging folder). */
  global?: string[];
  /** train with `warmStart`: the series' model to start the network from (bundle relative to the models folder, weights sha256). */
  warmStart?: { bundle: string; version: string };
  request: BatchRequest;
}

export interface BatchPlan {
  id: string;
  kind: JobKind;
  model: string;
  series: string[];
  versions: Record<string, string>;
  /** train: the staging folder (relative to the models folder) and the series column. */
  staging?: string;
  seriesCol?: string | null;
  /** train: one global model (one unit) rather than one model per series. */
  global?: boolean;
  units: UnitSpec[];
  request: BatchRequest;
  createdAt: string;
}

export interface PlanContext {
  /** The models folder every worker can read (a shared mount). */
  root: string;
  /** Train inputs may lie outside the models folder (the CLI; HTTP requests may not). */
  inputAnywhere?: boolean;
}

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** JSON with sorted keys, so the id does not depend on the order fields were written in. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const sha = (s: string | Buffer) => crypto.createHash('sha256').update(s).digest('hex');

/** Where a model id lives under the models folder (ids are plain names: no path tricks). */
export function modelPath(root: string, id: string): string {
  if (!MODEL_ID.test(id)) throw optionError(`model "${id}" is not a model id (letters, digits, . _ - ; no slashes)`);
  return path.join(path.resolve(root), id);
}

/** The bundles (relative to the models folder) and weight versions of a model id's series: a per-series collection or a single-series bundle. */
function modelEntries(root: string, dir: string, model: string, series: BatchRequest['series']): { series: string; bundle: string; version: string }[] {
  if (isCollection(dir)) {
    const c = readCollection(dir);
    return resolveSeries(c, series).map((s) => ({ series: s.id, bundle: path.relative(root, path.join(c.dir, s.dir)), version: s.sha256 }));
  }
  if (fs.existsSync(path.join(dir, 'manifest.json'))) {
    const m = readManifest(dir);
    const name = m.data.series ?? model;
    const want = series === 'all' ? [name] : Array.isArray(series) ? series : [series];
    const other = want.filter((s) => s !== name);
    if (other.length) throw new MixcastError('NOT_FOUND', `model "${model}" is a single-series bundle (series "${name}"); it has no series ${other.map((s) => `"${s}"`).join(', ')}`);
    return [{ series: name, bundle: path.relative(root, dir), version: m.weights.sha256 }];
  }
  throw new MixcastError('NOT_FOUND', `unknown model "${model}": ${dir} is neither a per-series collection nor a model bundle`);
}

export function planBatch(req: BatchRequest, ctx: PlanContext): BatchPlan {
  const root = path.resolve(ctx.root);
  const dir = modelPath(root, req.model);
  const createdAt = new Date().toISOString();
  if (req.kind === 'train') return planTrain(req, ctx, root, dir, createdAt);

  const entries = modelEntries(root, dir, req.model, req.series);

  const units: UnitSpec[] = [];
  for (const e of entries) {
    if (req.kind === 'whatif' && req.cases && req.cases.length > CASES_PER_UNIT) {
      for (let c = 0; c < req.cases.length; c += CASES_PER_UNIT) {
        const cases = req.cases.slice(c, c + CASES_PER_UNIT).map((_, i) => c + i);
        units.push({ index: units.length, kind: req.kind, ...e, cases, request: req });
      }
    } else {
      units.push({ index: units.length, kind: req.kind, ...e, cases: req.kind === 'whatif' ? req.cases!.map((_, i) => i) : undefined, request: req });
    }
  }
  const versions = Object.fromEntries(entries.map((e) => [e.series, e.version]));
  const id = 'b' + sha(stableJson({ request: req, versions })).slice(0, 32);
  return { id, kind: req.kind, model: req.model, series: entries.map((e) => e.series), versions, units, request: req, createdAt };
}

/**
 * A file a train unit reads besides the input (holidays, events): relative to the models folder,
 * and inside it unless `inputAnywhere`. `holidays` may also be a country code (not a file).
 */
function sharedFile(root: string, value: string, ctx: PlanContext, field: 'holidays' | 'events', mustExist: boolean): { value: string; file: boolean } {
  const abs = path.resolve(ctx.inputAnywhere ? process.cwd() : root, value);
  const inRoot = path.resolve(root, value);
  const at = fs.existsSync(abs) ? abs : fs.existsSync(inRoot) ? inRoot : null;
  if (!at) {
    if (mustExist) throw new MixcastError('BAD_INPUT', `train.${field} ${value} does not exist (resolved to ${abs})`, { field });
    return { value, file: false };
  }
  if (!ctx.inputAnywhere && path.relative(root, at).startsWith('..')) {
    throw optionError(`train.${field} must lie inside the model folder the workers share (${root}); got ${value}`, { field });
  }
  return { value: path.relative(root, at), file: true };
}

function planTrain(req: BatchRequest, ctx: PlanContext, root: string, dir: string, createdAt: string): BatchPlan {
  const t = req.train!;
  const input = path.resolve(root, t.input);
  if (!ctx.inputAnywhere && path.relative(root, input).startsWith('..')) {
    throw optionError(`train.input must lie inside the model folder the workers share (${root}); got ${t.input}`);
  }
  if (!fs.existsSync(input)) throw new MixcastError('BAD_INPUT', `train.input ${t.input} does not exist (resolved to ${input})`);
  checkCollectionTarget(dir);
  const { seriesCol, names } = seriesNames(readTable(input).rows, { seriesCol: t.seriesCol, source: t.input });
  const want = req.series === 'all' ? names : Array.isArray(req.series) ? req.series : [req.series];
  const unknown = want.filter((s) => !names.includes(s));
  if (unknown.length) throw new MixcastError('NOT_FOUND', `series ${unknown.map((s) => `"${s}"`).join(', ')} not in column '${seriesCol}' of ${t.input}; it holds ${names.map((s) => `"${s}"`).join(', ')}`);
  const fileHash = sha(fs.readFileSync(input));
  const holidays = t.holidays === undefined ? undefined : sharedFile(root, t.holidays, ctx, 'holidays', false);
  const events = t.events === undefined ? undefined : sharedFile(root, t.events, ctx, 'events', true);
  const extraHashes = [holidays, events].filter((f) => f?.file).map((f) => sha(fs.readFileSync(path.resolve(root, f!.value))));
  const request: BatchRequest = { ...req, train: { ...t, input: path.relative(root, input), seriesCol, ...(holidays && { holidays: holidays.value }), ...(events && { events: events.value }) } };
  // A warm start: each series' network starts from its model in that collection (none: from scratch).
  let warm: Map<string, { bundle: string; version: string }> | null = null;
  if (t.warmStart !== undefined) {
    if (!t.perSeries && want.length > 1) throw optionError('train.warmStart needs perSeries: true (or one series): a global model trains from scratch', { field: 'train.warmStart' });
    const all = modelEntries(root, modelPath(root, t.warmStart), t.warmStart, 'all');
    warm = new Map(all.filter((e) => want.includes(e.series)).map((e) => [e.series, { bundle: e.bundle, version: e.version }]));
  }
  const warmVersions = warm ? Object.fromEntries([...warm].map(([k, v]) => [k, v.version])) : undefined;
  const id = 'b' + sha(stableJson({ request, fileHash, extraHashes, warmVersions })).slice(0, 32);
  const staging = path.relative(root, stagingDir(dir, id));
  if (!t.perSeries && want.length > 1) {
    const unit: UnitSpec = { index: 0, kind: req.kind, series: want.join(', '), bundle: staging, version: '', global: want, request };
    return { id, kind: 'train', model: req.model, series: want, versions: {}, staging, seriesCol, global: true, units: [unit], request, createdAt };
  }
  const units = want.map((series, index) => ({ index, kind: req.kind, series, bundle: path.join(staging, 'series', seriesSlug(series)), version: '', request, ...(warm?.has(series) ? { warmStart: warm.get(series) } : {}) }));
  return { id, kind: 'train', model: req.model, series: want, versions: {}, staging, seriesCol, units, request, createdAt };
}
