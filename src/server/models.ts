/**
 * The models a server holds. `--models DIR`: DIR is one bundle (it has manifest.json; its id is
 * DIR's basename) or a folder of bundles (each subdirectory with a manifest.json; the id is the
 * subdirectory's name). Subdirectories without a manifest are skipped; a bundle that fails to
 * read is an error at startup, never a half-served model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MixcastError, optionError } from '../core/errors.js';
import { isCollection, readCollection, readManifest } from '../model/index.js';
import { isSaveLeftover } from '../model/index.js';
import { modelInfo, type ModelInfo } from '../scenarios/index.js';

export interface ModelEntry {
  id: string;
  dir: string;
  info: ModelInfo;
  /** A series of a collection (per-series or global): the collection's id and the series id. */
  collection?: string;
  series?: string;
}

/** The key a collection's series is held under (model ids have no slash, so it never collides with one). */
export const seriesEntryId = (collection: string, series: string) => `${collection}/${series}`;

/** What GET /v1/models says about a collection (read from disk at each call: new collections show up). */
export interface CollectionListing {
  id: string;
  kind: 'per-series' | 'global';
  seriesCol: string | null;
  createdAt: string;
  series: { id: string; version: string; days: number; firstDate: string; lastDate: string }[];
}

export const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Find the bundles under `dir` (see module doc). */
export function discoverModels(dir: string): { id: string; dir: string }[] {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw optionError(`models ${dir} is not a directory`, { field: 'models' });
  if (fs.existsSync(path.join(root, 'manifest.json'))) return [{ id: path.basename(root), dir: root }];
  if (isCollection(root)) return [];
  const found = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !isSaveLeftover(e.name) && fs.existsSync(path.join(root, e.name, 'manifest.json')))
    .map((e) => ({ id: e.name, dir: path.join(root, e.name) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (!found.length && !discoverCollections(root).length) throw optionError(`models ${dir} holds no model bundle (a subdirectory with manifest.json); save a trained model to ${path.join(dir, 'NAME')}`, { field: 'models' });
  for (const f of found) {
    if (!MODEL_ID.test(f.id)) throw optionError(`model directory name "${f.id}" cannot be a model id (letters, digits, . _ -)`);
  }
  return found;
}

/** The collections `--models DIR` holds: DIR itself when it is one, else its subdirectories that are. */
function collectionsOf(dir: string): { id: string; dir: string }[] {
  const root = path.resolve(dir);
  return isCollection(root) ? [{ id: path.basename(root), dir: root }] : discoverCollections(root);
}

/** Every collection under `dir` with its series, as GET /v1/models lists them. */
export function listCollections(dir: string): CollectionListing[] {
  const out: CollectionListing[] = [];
  for (const c of collectionsOf(dir)) {
    let idx: ReturnType<typeof readCollection>['index'];
    try {
      idx = readCollection(c.dir).index;
    } catch {
      continue; // being replaced, or corrupt: not listed
    }
    out.push({
      id: c.id,
      kind: idx.kind ?? 'per-series',
      seriesCol: idx.seriesCol,
      createdAt: idx.createdAt,
      series: idx.series.map((s) => ({ id: s.id, version: s.sha256, days: s.days, firstDate: s.firstDate, lastDate: s.lastDate })),
    });
  }
  return out;
}

/**
 * Read every bundle's manifest (no weights) for planning on the request thread; the series of
 * each collection are entries too (key `COLLECTION/SERIES`), served by the scenario routes with
 * `series`.
 */
export function readModels(dir: string): Map<string, ModelEntry> {
  const out = new Map<string, ModelEntry>();
  for (const c of collectionsOf(dir)) {
    if (!MODEL_ID.test(c.id)) continue;
    const idx = readCollection(c.dir).index;
    for (const s of idx.series) {
      const id = seriesEntryId(c.id, s.id);
      const sdir = path.join(c.dir, s.dir);
      try {
        out.set(id, { id, dir: sdir, info: modelInfo(readManifest(sdir)), collection: c.id, series: s.id });
      } catch (e) {
        if (e instanceof MixcastError) throw new MixcastError(e.code, `model ${c.id}, series "${s.id}": ${e.message}`, e.details);
        throw e;
      }
    }
  }
  for (const f of discoverModels(dir)) {
    try {
      out.set(f.id, { ...f, info: modelInfo(readManifest(f.dir)) });
    } catch (e) {
      if (e instanceof MixcastError) throw new MixcastError(e.code, `model ${f.id}: ${e.message}`, e.details);
      throw e;
    }
  }
  return out;
}

/** Per-series collections (subdirectories with collection.json) under `dir`: served by /v1/jobs. */
export function discoverCollections(dir: string): { id: string; dir: string }[] {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && fs.existsSync(path.join(root, e.name, 'collection.json')))
    .map((e) => ({ id: e.name, dir: path.join(root, e.name) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}
