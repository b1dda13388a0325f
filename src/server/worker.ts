/**
 * A generation worker: initialises its own tfjs backend, loads every model, then runs tasks
 * (scenario units, day summaries, what-if case summaries) sent by the pool. Every reply reports
 * the worker's tf.memory().numTensors so /healthz can show that it does not grow.
 * Compiled: started as dist/src/server/worker.js. From sources: through worker.mjs, which registers tsx first.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend, requestedBackend } from '../backend.js';
import { toWire } from '../core/errors.js';
import { loadModel } from '../model/index.js';
import type { MixcastModel } from '../model/index.js';
import { caseSummaries, executeUnit, summariseDay } from '../scenarios/index.js';
import { scenarioStaffing } from '../staffing/index.js';
import type { WorkerReply, WorkerRequest } from './executor.js';

const port = parentPort!;
const data = workerData as { models: { id: string; dir: string }[]; backend?: string };



const post = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const rowsOf = (flat: Float64Array, n: number, d: number) => Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));

/**
 * Run this thread at a lower scheduling priority (nice +5) than the request thread, so that
 * /healthz and small requests stay responsive when the workers keep every core busy. Linux
 * only: setpriority(PRIO_PROCESS, tid) applies to one thread; elsewhere nothing changes.
 */
function lowerPriority(): void {
  try {
    const tid = Number(fs.readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + 5));
  } catch {
    // not Linux (or not permitted): keep the default priority
  }
}

lowerPriority();
const models = new Map<string, MixcastModel>();
try {
  const info = await initBackend(requestedBackend(data.backend));
  for (const m of data.models) models.set(m.id, loadModel(m.dir));
  post({ type: 'ready', backend: info.name, numTensors: tf.memory().numTensors });
} catch (e) {
  post({ type: 'fatal', error: toWire(e) });
  process.exit(1);
}

port.on('message', (msg: WorkerRequest) => {
  try {
    if (msg.type === 'unit') {
      const model = models.get(msg.model);
      if (!model) throw new Error(`worker has no model ${msg.model}`);
      const rows = executeUnit(model, msg.unit);
      const n = rows.length;
      const d = n ? rows[0].length : 0;
      const flat = new Float64Array(n * d);
      rows.forEach((r, i) => flat.set(r, i * d));
      post({ type: 'done', id: msg.id, numTensors: tf.memory().numTensors, result: null, flat, n, d }, [flat.buffer as ArrayBuffer]);
    } else if (msg.type === 'summary') {
      const result = summariseDay(rowsOf(msg.flat, msg.n, msg.d), msg.quantiles);
      post({ type: 'done', id: msg.id, numTensors: tf.memory().numTensors, result });
    } else if (msg.type === 'cases') {
      const result = caseSummaries(rowsOf(msg.flat, msg.n, msg.d), msg.caseOps, msg.observed, msg.clamp, msg.round, msg.quantiles);
      post({ type: 'done', id: msg.id, numTensors: tf.memory().numTensors, result });
    } else if (msg.type === 'staff') {
      const rows = Array.from({ length: msg.n }, (_, i) => Array.from(msg.flat.subarray(i * msg.d, (i + 1) * msg.d)));
      const result = scenarioStaffing(rows, msg.options);
      post({ type: 'done', id: msg.id, numTensors: tf.memory().numTensors, result });
    }
  } catch (e) {
    post({ type: 'error', id: (msg as { id: number }).id, numTensors: tf.memory().numTensors, error: toWire(e) });
  }
});
