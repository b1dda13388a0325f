/**
 * Choosing the tfjs backend once per process.
 *
 * `auto` tries @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (both optional peer
 * dependencies, imported dynamically because their install downloads libtensorflow), then the
 * WebAssembly backend (the working default), then pure-JS cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MixcastError } from './core/errors.js';
import { BACKENDS } from './core/choices.js';

export { BACKENDS };
export type BackendChoice = (typeof BACKENDS)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** What was asked for. */
  requested: BackendChoice;
  /** What runs. */
  name: BackendName;
  /** tfjs' own backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why earlier candidates were skipped (auto) — empty when the first one worked. */
  skipped: { name: BackendName; reason: string }[];
}

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;

export function parseBackend(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto').trim().toLowerCase();
  if ((BACKENDS as readonly string[]).includes(v)) return v as BackendChoice;
  throw new MixcastError('BAD_OPTION', `unknown backend "${value}"; use one of ${BACKENDS.join(', ')}`);
}

/** The backend chosen by `--backend`, else `MIXCAST_BACKEND`, else `auto`. */
export function requestedBackend(cliValue?: string): BackendChoice {
  return parseBackend(cliValue ?? process.env.MIXCAST_BACKEND ?? 'auto');
}

async function tryNode(pkg: string): Promise<void> {
  // Dynamic import through a variable so bundlers and tsc do not require the package.
  const mod: string = pkg;
  await import(mod);
  if (!tf.engine().registryFactory.tensorflow) throw new Error(`${pkg} loaded but registered no backend`);
  const ok = await tf.setBackend('tensorflow');
  if (!ok) throw new Error(`${pkg}: backend failed to initialise`);
  if (pkg.endsWith('-gpu')) {
    // tfjs-node-gpu falls back to CPU kernels silently when CUDA is missing; a matmul works
    // either way, so we accept it but the user sees the CUDA log lines from TensorFlow.
  }
}

/**
 * The Emscripten glue of tfjs-backend-wasm adds process listeners for `uncaughtException` and
 * `unhandledRejection` that rethrow from inside its minified source, so Node prints ~20 kB of that
 * source line before any uncaught error of the user's program. Remove the listeners it added.
 */
async function withoutAddedProcessListeners<T>(fn: () => Promise<T>): Promise<T> {
  const emitter = process as NodeJS.EventEmitter;
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((ev) => new Set(emitter.listeners(ev)));
  try {
    return await fn();
  } finally {
    events.forEach((ev, i) => {
      for (const l of emitter.listeners(ev)) if (!before[i].has(l)) emitter.removeListener(ev, l as (...args: unknown[]) => void);
    });
  }
}

async function tryWasm(): Promise<void> {
  await withoutAddedProcessListeners(initWasm);
}

async function initWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  // In Node the threaded build cannot start (its worker comes from a blob URL); use SIMD.
  wasm.setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep, false);
  wasm.setThreadsCount?.(1);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('wasm backend failed to initialise');
}

async function tryCpu(): Promise<void> {
  const ok = await tf.setBackend('cpu');
  if (!ok) throw new Error('cpu backend failed to initialise');
}

const ATTEMPT: Record<BackendName, () => Promise<void>> = {
  'tensorflow-gpu': () => tryNode('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => tryNode('@tensorflow/tfjs-node'),
  wasm: tryWasm,
  cpu: tryCpu,
};

/** A short reason without install paths: `not installed`, or the error's first line with paths cut. */
function errText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  const noPaths = first.replace(/(?:file:\/\/)?(?:\/[^\s'"():]+)+/g, (p) => path.basename(p));
  return noPaths.length > 120 ? `${noPaths.slice(0, 120)}…` : noPaths;
}

/**
 * One short line naming the backend that runs and why faster ones were skipped, without paths:
 * `backend wasm (tensorflow, tensorflow-gpu not installed)`.
 */
export function backendLine(info: BackendInfo): string {
  const byReason = new Map<string, BackendName[]>();
  for (const s of info.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.name]);
  const parts = [...byReason].map(([reason, names]) => {
    const list = names.sort().join(', ');
    return reason === 'not installed' ? `${list} not installed` : `${list} failed: ${reason}`;
  });
  return `backend ${info.name}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/**
 * Initialise the backend once. A second call with a different request is an error, since
 * tfjs holds one global engine; calls with the same request return the same info.
 */
export async function initBackend(choice: BackendChoice = requestedBackend()): Promise<BackendInfo> {
  if (current) {
    if (choice !== current.requested && choice !== 'auto' && choice !== current.name) {
      throw new MixcastError('BAD_OPTION', `backend already initialised as ${current.name}; cannot switch to ${choice} in one process`);
    }
    return current;
  }
  if (pending) return pending;
  pending = (async () => {
    const order: BackendName[] = choice === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [choice];
    const skipped: BackendInfo['skipped'] = [];
    for (const name of order) {
      try {
        await ATTEMPT[name]();
        await tf.ready();
        current = { requested: choice, name, tfBackend: tf.getBackend(), skipped };
        return current;
      } catch (e) {
        skipped.push({ name, reason: errText(e) });
      }
    }
    pending = null;
    throw new MixcastError(
      'BACKEND_UNAVAILABLE',
      `backend "${choice}" is not available: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
      { skipped },
    );
  })();
  return pending;
}

/** The initialised backend, or null before `initBackend`. */
export function backendInfo(): BackendInfo | null {
  return current;
}
