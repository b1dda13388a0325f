/**
 * A unit thread: initialises its own tfjs backend, then runs batch units (src/jobs/unit.ts) sent
 * by the UnitPool, one at a time, keeping the models it loaded (by version) for the next ones.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, requestedBackend } from '../backend.js';
import { toWire } from '../core/errors.js';
import { ModelCache, runUnit } from './unit.js';
import type { UnitSpec } from './plan.js';

const port = parentPort!;
const data = workerData as { root: string; backend?: string };
const cache = new ModelCache();

try {
  const info = await initBackend(requestedBackend(data.backend));
  port.postMessage({ type: 'ready', backend: info.name });
} catch (e) {
  port.postMessage({ type: 'fatal', error: { code: null, message: (e as Error).message } });
}

port.on('message', async (m: { id: number; unit: UnitSpec }) => {
  try {
    const result = await runUnit(m.unit, data.root, cache);
    port.postMessage({ type: 'done', id: m.id, result });
  } catch (e) {
    port.postMessage({ type: 'error', id: m.id, error: toWire(e) });
  }
});
