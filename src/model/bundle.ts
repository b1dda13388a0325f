/**
 * Model bundles on disk: a directory with `manifest.json` and `weights.bin` (float32, little
 * endian, in the manifest's layout order) whose sha256 is in the manifest. Saving writes a
 * sibling temp directory and renames it into place, so a reader never sees half a bundle;
 * loading checks the format, schema version and checksum and refuses anything else.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { modelError, MixcastError } from '../errors.js';
import { Denoiser } from '../nn/denoiser.js';
import { FORMAT, SCHEMA_VERSION, manifestSchema, type Manifest } from './manifest.js';
import { MixcastModel } from './model.js';

export const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

export async function saveModel(model: MixcastModel, dir: string): Promise<Manifest> {
  const weights = await model.net.exportWeights();
  const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  const manifest: Manifest = {
    ...model.manifest,
    weights: { file: 'weights.bin', bytes: bytes.length, sha256: sha256(bytes), layout: model.net.layout() },
  };
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new MixcastError('BAD_OPTION', `--out ${dir} exists and is not a directory`);
  }
  const tmp = `${target}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  fs.mkdirSync(tmp);
  try {
    fs.writeFileSync(path.join(tmp, 'weights.bin'), bytes);
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    if (fs.existsSync(target)) {
      const old = `${target}.old-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
      fs.renameSync(target, old);
      fs.renameSync(tmp, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, target);
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return manifest;
}

/** Read and validate a manifest without loading weights. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new MixcastError('NOT_FOUND', `no model at ${dir}: ${file} does not exist (train one with \`mixcast train --out ${dir}\`)`);
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
  const net = new Denoiser(manifest.network, 0);
  try {
    net.importWeights(weights, manifest.weights.layout);
  } catch (e) {
    net.dispose();
    throw modelError(`${wfile} does not fit the network in the manifest: ${(e as Error).message}`);
  }
  return new MixcastModel(manifest, net);
}
