/**
 * A global model: one denoiser shared by several series, each series with its own transform,
 * mixture prior over its own calendar keys (the (series, key) components; sparse keys merged
 * into the series' parent key), its own conditional centers and clipping bounds. The network
 * sees the component label among all series' components and, in its context input, a one-hot
 * of the series (src/model/model.ts `sharedNetInputs`).
 *
 * Each series is an ordinary MixcastModel (a Predictor) whose manifest has a `shared` block, so
 * it goes through the one scenario runner and the one diffusion sampler like any other model.
 *
 * On disk a global model is a collection (collection.ts) of kind `global`:
 *
 *   DIR/collection.json               index: kind global, the shared weights file, the series
 *   DIR/weights-<sha16>.bin           the shared network's weights
 *   DIR/series/<slug>/manifest.json   the series' manifest (weights.file ../../weights-<sha16>.bin)
 *
 * so `loadModel(DIR/series/<slug>)` loads one series (with its own copy of the network), and
 * `loadGlobalModel(DIR)` loads every series sharing one network in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MixcastError, modelError } from '../core/errors.js';
import { Denoiser } from '../nn/denoiser.js';
import { MixcastModel } from './model.js';
import { manifestSchema, type Manifest } from './manifest.js';
import { checkManifestConsistency, loadModel, readManifest, sha256 } from './bundle.js';
import { checkCollectionTarget, commitCollection, isCollection, readCollection, resolveSeries, seriesSlug, stagingDir, type CollectionIndex } from './collection.js';
import { writeFileDurable } from './store.js';

/** One series of a GlobalModel: shares the GlobalModel's network, so disposing it does nothing. */
class SeriesView extends MixcastModel {
  override dispose(): void {
    /* the GlobalModel owns the network */
  }
}

export class GlobalModel {
  /** Series ids, in the order of the network's series one-hot. */
  readonly ids: string[];
  readonly net: Denoiser;
  /** Each series' manifest (same order as `ids`). */
  readonly manifests: Manifest[];
  private readonly views: MixcastModel[];

  constructor(manifests: Manifest[], net: Denoiser) {
    if (manifests.length < 2) throw new MixcastError('BAD_OPTION', 'a global model needs at least 2 series');
    manifests.forEach((m, i) => {
      if (!m.shared || m.shared.series !== i || m.shared.seriesCount !== manifests.length) throw modelError(`series ${i} of the global model is not its series ${i} of ${manifests.length}`);
    });
    this.ids = manifests.map((m, i) => m.data.series ?? String(i));
    this.net = net;
    this.manifests = manifests;
    this.views = manifests.map((m) => new SeriesView(m, net));
  }

  /** The model of one series (a Predictor sharing the network; do not dispose it, dispose the GlobalModel). */
  series(id: string): MixcastModel {
    const i = this.ids.indexOf(id);
    if (i < 0) throw new MixcastError('NOT_FOUND', `unknown series "${id}"; this global model holds ${this.ids.map((s) => `"${s}"`).join(', ')}`, { series: this.ids });
    return this.views[i];
  }

  dispose(): void {
    this.net.dispose();
  }
}

const sharedFile = (digest: string) => `weights-${digest.slice(0, 16)}.bin`;

/**
 * Write a global model's files into `folder` (new or empty): the shared weights and one manifest
 * per series. Validated first: nothing is written for a model that would not load.
 */
export async function writeGlobalModel(model: GlobalModel, folder: string): Promise<Manifest[]> {
  const weights = await model.net.exportWeights();
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i])) throw modelError('the trained network has non-finite weights (training diverged; try a lower learning rate); nothing was saved');
  }
  const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  const digest = sha256(bytes);
  const layout = model.net.layout();
  const manifests = model.manifests.map((m) => ({ ...m, weights: { file: `../../${sharedFile(digest)}`, bytes: bytes.length, sha256: digest, layout } }));
  for (const m of manifests) {
    const parsed = manifestSchema.safeParse(m);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw modelError(`the trained global model is not valid at ${first.path.join('.')} (series "${m.data.series}"): ${first.message}; nothing was saved`);
    }
    checkManifestConsistency(m, `the trained global model, series "${m.data.series}" (nothing was saved)`);
  }
  const check = new Denoiser(manifests[0].network, 0);
  try {
    check.importWeights(weights, layout);
  } finally {
    check.dispose();
  }
  fs.mkdirSync(path.join(folder, 'series'), { recursive: true });
  writeFileDurable(path.join(folder, sharedFile(digest)), bytes, 'weights');
  model.ids.forEach((id, i) => {
    const dir = path.join(folder, 'series', seriesSlug(id));
    fs.mkdirSync(dir, { recursive: true });
    writeFileDurable(path.join(dir, 'manifest.json'), JSON.stringify(manifests[i], null, 1) + '\n', 'manifest');
  });
  return manifests;
}

/**
 * Save a global model as the collection `dir` (a new or empty folder, or a collection, which is
 * replaced): written beside it, then swapped into place.
 */
export async function saveGlobalModel(model: GlobalModel, dir: string, seriesCol: string | null): Promise<CollectionIndex> {
  checkCollectionTarget(dir);
  const staging = stagingDir(dir, `${process.pid}-${Date.now().toString(36)}`);
  try {
    await writeGlobalModel(model, staging);
    return commitCollection(staging, dir, model.ids, seriesCol, 'global');
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Every series of the global model at `dir`, sharing one network (call `dispose()` when done). */
export function loadGlobalModel(dir: string): GlobalModel {
  const c = readCollection(dir);
  const shared = c.index.shared;
  if (c.index.kind !== 'global' || !shared) throw new MixcastError('BAD_OPTION', `${dir} is a per-series collection, not a global model; load its series with loadModel(${path.join(dir, 'series', '…')})`);
  const file = path.join(c.dir, shared.file);
  if (!fs.existsSync(file)) throw modelError(`${file} is missing; the global model is incomplete`);
  const buf = fs.readFileSync(file);
  if (sha256(buf) !== shared.sha256 || buf.length !== shared.bytes) throw modelError(`${file} fails its checksum; the global model is corrupt — retrain or restore it`);
  const manifests = c.index.series.map((s) => readManifest(path.join(c.dir, s.dir)));
  manifests.forEach((m, i) => {
    if (m.weights.sha256 !== shared.sha256) throw modelError(`series "${c.index.series[i].id}" of ${dir} names other weights than the collection; the global model is corrupt — retrain it`);
  });
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  const net = new Denoiser(manifests[0].network, 0);
  try {
    net.importWeights(new Float32Array(copy.buffer, 0, copy.length / 4), manifests[0].weights.layout);
  } catch (e) {
    net.dispose();
    throw modelError(`${file} does not fit the global model's network: ${(e as Error).message}`);
  }
  return new GlobalModel(manifests, net);
}

/** The models a request names: one per series (in the request's order), and how to free them. */
export interface SeriesModels {
  /** The folder is a collection (per-series or global) rather than one bundle. */
  collection: boolean;
  models: { series: string | null; model: MixcastModel }[];
  dispose(): void;
}

/**
 * Load the models of `dir` for the series `want` names: a bundle (its one series; `want` must
 * name it or be absent/'all'), a per-series collection (one bundle per series) or a global model
 * (one shared network). A collection with several series needs `want` (a name, a list or 'all').
 */
export function loadSeriesModels(dir: string, want: 'all' | string | string[] | undefined): SeriesModels {
  if (!isCollection(dir)) {
    const model = loadModel(dir);
    const name = model.manifest.data.series;
    const asked = want === undefined || want === 'all' ? [] : Array.isArray(want) ? want : [want];
    const other = asked.filter((s) => s !== name);
    if (other.length) {
      model.dispose();
      throw new MixcastError('NOT_FOUND', `${dir} is a single-series model${name ? ` (series "${name}")` : ''}; it has no series ${other.map((s) => `"${s}"`).join(', ')}`, { field: 'series' });
    }
    return { collection: false, models: [{ series: name, model }], dispose: () => model.dispose() };
  }
  const c = readCollection(dir);
  if (want === undefined && c.index.series.length > 1) {
    const names = c.index.series.map((s) => `"${s.id}"`).join(', ');
    throw new MixcastError('BAD_OPTION', `series is required: ${dir} is a ${c.index.kind ?? 'per-series'} model of ${c.index.series.length} series (${names}); name one, several, or all`, {
      field: 'series',
      series: c.index.series.map((s) => s.id),
    });
  }
  const entries = resolveSeries(c, want);
  if (c.index.kind === 'global') {
    const g = loadGlobalModel(dir);
    return { collection: true, models: entries.map((e) => ({ series: e.id, model: g.series(e.id) })), dispose: () => g.dispose() };
  }
  const models: { series: string; model: MixcastModel }[] = [];
  try {
    for (const e of entries) models.push({ series: e.id, model: loadModel(path.join(c.dir, e.dir)) });
  } catch (err) {
    for (const m of models) m.model.dispose();
    throw err;
  }
  return { collection: true, models, dispose: () => models.forEach((m) => m.model.dispose()) };
}
