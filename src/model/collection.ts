/**
 * Per-series model collections: one model bundle per series of a multi-series input, in one
 * folder with an index.
 *
 *   DIR/collection.json        { format, schemaVersion, createdAt, seriesCol, series: [{ id, dir, sha256, … }] }
 *   DIR/series/<slug>/          an ordinary model bundle (manifest.json + weights.bin) per series
 *
 * A series' version is its bundle's weights sha256 (also in the index), so a job can tell that
 * the model it was planned against is the one it runs. A collection is written to a sibling
 * staging folder and swapped into place with renames, like a bundle: readers never see half of
 * one. Only a new or empty folder or an existing collection may be replaced.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { MixcastError, modelError, optionError } from '../core/errors.js';
import { readManifest } from './bundle.js';
import type { Manifest } from './manifest.js';

export const COLLECTION_FILE = 'collection.json';
export const COLLECTION_FORMAT = 'mixcast-collection';
export const COLLECTION_SCHEMA_VERSION = 1;

const seriesEntrySchema = z.object({
  id: z.string(),
  dir: z.string().regex(/^series\/[A-Za-z0-9._-]+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  days: z.number().int().nonnegative(),
  firstDate: z.string(),
  lastDate: z.string(),
});

/** How a collection's series are modelled: one bundle each, or one shared (global) denoiser. */
export const COLLECTION_KINDS = ['per-series', 'global'] as const;
export type CollectionKind = (typeof COLLECTION_KINDS)[number];

export const collectionIndexSchema = z.object({
  format: z.literal(COLLECTION_FORMAT),
  schemaVersion: z.literal(COLLECTION_SCHEMA_VERSION),
  /** Absent in collections written before global models: per-series. */
  kind: z.enum(COLLECTION_KINDS).optional(),
  /** Global model: the shared weights file at the collection's top (every series manifest points to it). */
  shared: z.object({ file: z.string().regex(/^weights-[0-9a-f]{16}\.bin$/), bytes: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  createdAt: z.string(),
  seriesCol: z.string().nullable(),
  series: z.array(seriesEntrySchema).min(1),
});

export type CollectionIndex = z.infer<typeof collectionIndexSchema>;
export type CollectionSeries = z.infer<typeof seriesEntrySchema>;

export interface Collection {
  /** Absolute path of the collection folder. */
  dir: string;
  index: CollectionIndex;
}

/** A file-system-safe folder name for a series id (readable part + hash, so ids never collide). */
export function seriesSlug(id: string): string {
  const readable = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 60) || 'series';
  return `${readable}-${crypto.createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

export function isCollection(dir: string): boolean {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(dir, COLLECTION_FILE), 'utf8')) as { format?: unknown };
    return !!j && j.format === COLLECTION_FORMAT;
  } catch {
    return false;
  }
}

export function readCollection(dir: string): Collection {
  const root = path.resolve(dir);
  const file = path.join(root, COLLECTION_FILE);
  if (!fs.existsSync(file)) throw new MixcastError('NOT_FOUND', `no per-series model collection at ${dir}: ${file} does not exist (train one per series and save them there first)`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw modelError(`${file} is not valid JSON (${(e as Error).message}); the collection is corrupt — retrain it`);
  }
  const parsed = collectionIndexSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw modelError(`${file} is not a mixcast collection index (at ${first.path.join('.') || 'top level'}: ${first.message}); retrain it with this version`);
  }
  return { dir: root, index: parsed.data };
}

/** The series a request names: 'all', one id, or a list (in the collection's order for 'all', else as given). */
export function resolveSeries(c: Collection, want: 'all' | string | string[] | undefined): CollectionSeries[] {
  const all = c.index.series;
  if (want === undefined || want === 'all') return all;
  const list = Array.isArray(want) ? want : [want];
  if (!list.length) throw optionError('series must name at least one series (or "all")');
  if (new Set(list).size !== list.length) throw optionError('series lists a series twice');
  const unknown = list.filter((s) => !all.some((e) => e.id === s));
  if (unknown.length) {
    const names = all.map((e) => `"${e.id}"`).join(', ');
    throw new MixcastError('NOT_FOUND', `unknown series ${unknown.map((s) => `"${s}"`).join(', ')}; this collection holds ${names}`, { series: all.map((e) => e.id) });
  }
  return list.map((s) => all.find((e) => e.id === s)!);
}

export const seriesBundleDir = (c: Collection, s: CollectionSeries) => path.join(c.dir, s.dir);

/** Index entry for a series bundle already written under `root` (reads its manifest). */
export function indexEntry(root: string, id: string): CollectionSeries {
  const dir = `series/${seriesSlug(id)}`;
  const m: Manifest = readManifest(path.join(root, dir));
  return { id, dir, sha256: m.weights.sha256, days: m.data.days, firstDate: m.data.firstDate, lastDate: m.data.lastDate };
}

/** A global model's shared weights file, as every series manifest in `root` names it (`../../weights-….bin`). */
function sharedWeights(root: string, ids: string[]): NonNullable<CollectionIndex['shared']> {
  let shared: NonNullable<CollectionIndex['shared']> | null = null;
  for (const id of ids) {
    const m = readManifest(path.join(root, 'series', seriesSlug(id)));
    const file = /^\.\.\/\.\.\/(weights-[0-9a-f]{16}\.bin)$/.exec(m.weights.file)?.[1];
    if (!file || !m.shared) throw modelError(`series "${id}" of the global model does not point to shared weights (weights.file ${m.weights.file}); retrain it`);
    if (shared && shared.sha256 !== m.weights.sha256) throw modelError(`series "${id}" names other shared weights than the first series; retrain the global model`);
    shared ??= { file, bytes: m.weights.bytes, sha256: m.weights.sha256 };
  }
  if (!shared || !fs.existsSync(path.join(root, shared.file))) throw modelError(`the global model's weights file ${shared?.file ?? '(none)'} is missing`);
  return shared;
}

/**
 * Refuse a target that is not new, empty, or a collection (nothing is touched). Returns whether
 * it already exists.
 */
export function checkCollectionTarget(dir: string): 'new' | 'empty' | 'collection' {
  const target = path.resolve(dir);
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (!st) return 'new';
  if (!st.isDirectory()) throw optionError(`out ${dir} exists and is not a directory; choose a folder for the per-series models`, { field: 'out' });
  if (isCollection(target)) return 'collection';
  if (fs.readdirSync(target).length === 0) return 'empty';
  throw optionError(`out ${dir} exists and is neither empty nor a per-series model collection (no ${COLLECTION_FILE}); mixcast will not replace it — choose another folder`, { field: 'out' });
}

/** The staging folder beside `target` where a collection is assembled (`tag` makes it unique per writer, e.g. a job id). */
export function stagingDir(target: string, tag: string): string {
  const t = path.resolve(target);
  return path.join(path.dirname(t), `.${path.basename(t)}.mixcast-collection-${tag.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

/**
 * Write `collection.json` for the series bundles in `staging/series/…` and swap staging into
 * `target` (the previous collection, if any, is removed after the swap).
 */
export function commitCollection(staging: string, target: string, ids: string[], seriesCol: string | null, kind: CollectionKind = 'per-series'): CollectionIndex {
  checkCollectionTarget(target);
  const series = ids.map((id) => indexEntry(staging, id));
  const index: CollectionIndex = {
    format: COLLECTION_FORMAT,
    schemaVersion: COLLECTION_SCHEMA_VERSION,
    kind,
    ...(kind === 'global' && { shared: sharedWeights(staging, ids) }),
    createdAt: new Date().toISOString(),
    seriesCol,
    series,
  };
  const tmpFile = path.join(staging, `${COLLECTION_FILE}.tmp-${process.pid}`);
  fs.writeFileSync(tmpFile, JSON.stringify(index, null, 1) + '\n');
  fs.renameSync(tmpFile, path.join(staging, COLLECTION_FILE));
  // keep only the bundles this index names (a retried job may have left others)
  const keep = new Set(index.series.map((s) => path.basename(s.dir)));
  for (const e of fs.readdirSync(path.join(staging, 'series'))) if (!keep.has(e)) fs.rmSync(path.join(staging, 'series', e), { recursive: true, force: true });
  for (const e of fs.readdirSync(staging)) if (/^weights-[0-9a-f]{16}\.bin$/.test(e) && e !== index.shared?.file) fs.rmSync(path.join(staging, e), { force: true });
  const t = path.resolve(target);
  fs.mkdirSync(path.dirname(t), { recursive: true });
  if (fs.existsSync(t)) {
    const old = `${stagingDir(t, 'old')}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    fs.renameSync(t, old);
    try {
      fs.renameSync(staging, t);
    } catch (e) {
      fs.renameSync(old, t);
      throw e;
    }
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(staging, t);
  }
  return index;
}
