/**
 * Model bundles on disk: a directory with `manifest.json` and a weights file (float32, little
 * endian, in the manifest's layout order, named after its sha256) whose checksum is in the
 * manifest. Loading checks the format, schema version, consistency and checksum and refuses
 * anything else.
 *
 * Saving never loses a model and never touches anything else (see store.ts): a new bundle is
 * built in a temp folder beside the target and renamed into place; an existing bundle is
 * updated in place by writing the new weights file, then swapping manifest.json with one atomic
 * rename, then removing the previous weights file. A crash at any point leaves either the
 * previous bundle or the new one, complete. A model that would not load is never written.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { modelError, MixcastError } from '../core/errors.js';
import { Denoiser } from '../nn/denoiser.js';
import { FORMAT, SCHEMA_VERSION, manifestSchema, type Manifest } from './manifest.js';
import { MixcastModel } from './model.js';
import { checkBundleTarget, cleanLeftovers, faultPoint, fsyncDir, lockBundle, tempDirBeside, writeFileDurable, type BundleLock } from './store.js';

export { checkBundleTarget, lockBundle, cleanLeftovers, type BundleLock } from './store.js';

export const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** The first non-finite number in a JSON-like value, as a path, or null. */
function nonFinite(v: unknown, at: string): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : at;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = nonFinite(v[i], `${at}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const r = nonFinite(x, at ? `${at}.${k}` : k);
      if (r) return r;
    }
  }
  return null;
}

/**
 * Everything a loader checks beyond the schema: finite numbers, one label and one transform/bound
 * entry per interval, centers of length d. Throws BAD_MODEL naming the first problem.
 */
export function checkManifestConsistency(m: Manifest, where: string): void {
  const bad = nonFinite(m, '');
  if (bad) throw modelError(`${where}: ${bad} is not a finite number`);
  const d = m.network.d;
  const lens: [string, number][] = [
    ['data.labels', m.data.labels.length],
    ['transform.mean', m.transform.mean.length],
    ['transform.std', m.transform.std.length],
    ['data.bounds.lo', m.data.bounds.lo.length],
    ['data.bounds.hi', m.data.bounds.hi.length],
  ];
  for (const [name, n] of lens) if (n !== d) throw modelError(`${where}: ${name} has ${n} entries but the model has d = ${d} intervals`);
  if (m.shared) {
    const K = Array.isArray((m.prior as { centers?: unknown }).centers) ? ((m.prior as { centers: unknown[] }).centers.length) : 0;
    const sh = m.shared;
    if (sh.series >= sh.seriesCount) throw modelError(`${where}: shared.series ${sh.series} is not below seriesCount ${sh.seriesCount}`);
    if ((m.network.contextDim ?? 0) < sh.seriesCount) throw modelError(`${where}: the shared network's context (${m.network.contextDim ?? 0}) has no room for the ${sh.seriesCount}-series one-hot`);
    if (sh.componentOffset + K > m.network.components) throw modelError(`${where}: components ${sh.componentOffset}…${sh.componentOffset + K - 1} are outside the shared network's ${m.network.components}`);
    if (!/^\.\.\/\.\.\/weights-[0-9a-f]{16}\.bin$/.test(m.weights.file)) throw modelError(`${where}: a global model's series must name the shared weights as ../../weights-….bin (got ${m.weights.file})`);
  } else if (!/^weights(-[0-9a-f]{16})?\.bin$/.test(m.weights.file)) {
    throw modelError(`${where}: weights.file ${m.weights.file} is not a weights file of the bundle (weights-….bin)`);
  }
  const cc = m.context;
  if (cc?.ignored?.some((j) => j >= cc.B.length)) throw modelError(`${where}: context.ignored names a feature past the context's ${cc.B.length}`);
  if (cc?.clip !== undefined && !(cc.clip > 0)) throw modelError(`${where}: context.clip must be a positive bound (got ${cc.clip})`);
  if (cc?.levelSd && (cc.levelSd.length !== cc.spec.leadBands.length || cc.levelSd.some((v) => !(v >= 0 && v < 5)))) {
    throw modelError(`${where}: context.levelSd needs one standard deviation in [0, 5) per lead band (${cc.spec.leadBands.length})`);
  }
  const centers = (m.prior as { centers?: unknown }).centers;
  if (Array.isArray(centers)) {
    centers.forEach((c, k) => {
      if (!Array.isArray(c) || c.length !== d) throw modelError(`${where}: prior center ${k} does not have d = ${d} entries`);
    });
  }
}

/** The network of a manifest with the given weights, or a BAD_MODEL error saying why not. */
function buildNet(manifest: Manifest, weights: Float32Array, where: string): Denoiser {
  let net: Denoiser | undefined;
  try {
    net = new Denoiser(manifest.network, 0);
    net.importWeights(weights, manifest.weights.layout);
    return net;
  } catch (e) {
    net?.dispose();
    throw modelError(`${where} does not fit the network in the manifest: ${(e as Error).message}`);
  }
}

export interface SaveOptions {
  /** A lock already held for this folder (e.g. taken before training); otherwise one is taken here. */
  lock?: BundleLock;
}

/**
 * Save `model` to the folder `dir`: a new folder, an empty one, or an existing mixcast bundle
 * (replaced). Anything else is refused untouched. The model is validated first: a bundle that
 * would not load is never written.
 */
export async function saveModel(model: MixcastModel, dir: string, options: SaveOptions = {}): Promise<Manifest> {
  const weights = await model.net.exportWeights();
  const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  const digest = sha256(bytes);
  const manifest: Manifest = {
    ...model.manifest,
    weights: { file: `weights-${digest.slice(0, 16)}.bin`, bytes: bytes.length, sha256: digest, layout: model.net.layout() },
  };
  // Validate before touching the disk.
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw modelError(`the trained model is not valid at ${first.path.join('.')}: ${first.message}; nothing was saved`);
  }
  checkManifestConsistency(manifest, 'the trained model (nothing was saved)');
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i])) throw modelError('the trained network has non-finite weights (training diverged; try a lower learning rate); nothing was saved');
  }
  buildNet(manifest, weights, 'the trained model').dispose();

  const target = path.resolve(dir);
  const lock = options.lock ?? lockBundle(target);
  try {
    const state = checkBundleTarget(target);
    cleanLeftovers(target);
    if (state === 'bundle') replaceInPlace(target, manifest, bytes);
    else writeNew(target, manifest, bytes, state);
  } finally {
    if (!options.lock) lock.release();
  }
  return manifest;
}

function writeNew(target: string, manifest: Manifest, bytes: Uint8Array, state: 'new' | 'empty'): void {
  const tmp = tempDirBeside(target);
  try {
    writeFileDurable(path.join(tmp, manifest.weights.file), bytes, 'weights');
    writeFileDurable(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n', 'manifest');
    faultPoint('before rename');
    if (state === 'empty') fs.rmdirSync(target); // refuses if someone put a file there meanwhile
    fs.renameSync(tmp, target);
    fsyncDir(path.dirname(target));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (e instanceof MixcastError) throw e;
    throw writeError(target, e);
  }
}

function replaceInPlace(target: string, manifest: Manifest, bytes: Uint8Array): void {
  let previous: string | null = null;
  try {
    previous = (JSON.parse(fs.readFileSync(path.join(target, 'manifest.json'), 'utf8')) as { weights?: { file?: unknown } }).weights?.file as string;
  } catch {
    previous = null;
  }
  try {
    writeFileDurable(path.join(target, manifest.weights.file), bytes, 'weights');
    faultPoint('before manifest');
    writeFileDurable(path.join(target, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n', 'manifest');
    faultPoint('after manifest');
  } catch (e) {
    throw writeError(target, e);
  }
  // The previous weights file, only if it is one of ours and no longer referenced.
  if (typeof previous === 'string' && previous !== manifest.weights.file && /^weights(-[0-9a-f]{16})?\.bin$/.test(previous)) {
    fs.rmSync(path.join(target, previous), { force: true });
  }
}

function writeError(target: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new MixcastError('BAD_OPTION', `cannot write the model to ${target} (${code}: ${(e as Error).message}); choose a writable folder with free space`);
  }
  if (code === 'ENOTEMPTY' || code === 'EEXIST') {
    return new MixcastError('CONFLICT', `${target} changed while the model was being saved (another process wrote there); nothing was replaced`);
  }
  return e as Error;
}

/** Read and validate a manifest without loading weights. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new MixcastError('NOT_FOUND', `no model at ${dir}: ${file} does not exist (train a model and save it there first)`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw modelError(`${file} is not valid JSON (${(e as Error).message}); the bundle is corrupt — retrain it`);
  }
  const o = json as { format?: unknown; schemaVersion?: unknown };
  if (!o || o.format !== FORMAT) throw modelError(`${dir} is not a mixcast model bundle (manifest format is ${JSON.stringify(o?.format)})`);
  if (o.schemaVersion !== SCHEMA_VERSION) {
    throw modelError(`${dir} has model schema version ${String(o.schemaVersion)}; this mixcast reads version ${SCHEMA_VERSION} — retrain the model with this version`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw modelError(`${file} does not match the model schema at ${first.path.join('.')}: ${first.message}`, { issues: parsed.error.issues.slice(0, 5) });
  }
  checkManifestConsistency(parsed.data, file);
  return parsed.data;
}

export function loadModel(dir: string): MixcastModel {
  const manifest = readManifest(dir);
  const wfile = path.join(dir, manifest.weights.file);
  if (!fs.existsSync(wfile)) throw modelError(`${wfile} is missing; the bundle is incomplete`);
  const buf = fs.readFileSync(wfile);
  const digest = sha256(buf);
  if (digest !== manifest.weights.sha256 || buf.length !== manifest.weights.bytes) {
    throw modelError(`${wfile} fails its checksum (sha256 ${digest.slice(0, 12)}…, manifest says ${manifest.weights.sha256.slice(0, 12)}…); the bundle is corrupt — retrain or restore it`);
  }
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  const weights = new Float32Array(copy.buffer, 0, copy.length / 4);
  return new MixcastModel(manifest, buildNet(manifest, weights, wfile));
}
