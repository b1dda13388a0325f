/**
 * The HTTP service under a large request: wall time of one 10,000-scenario request (one date)
 * with the generation on the request thread (workers 0) and on pools of 1 and 2 workers, and the
 * /healthz latency measured every 20 ms while it runs.
 *
 *   npx tsx bench/service.ts [--model DIR] [--count 10000] [--workers 0,1,2] [--sampler ddim:50]
 *
 * Without --model a model with the default architecture (hidden 256, 3 blocks) is trained for a
 * few steps on bank_calls_2003 (30 min): sampling cost depends on the network and the sampler,
 * not on how long it was trained.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { startServer } from '../src/server/index.js';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string' },
    count: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '0,1,2' },
    sampler: { type: 'string' },
    date: { type: 'string', default: '2003-10-27' },
  },
});

await initBackend('wasm');
let modelDir = a.model;
let tmp: string | null = null;
if (!modelDir) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-bench-service-'));
  modelDir = path.join(tmp, 'bank');
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 20, seed: 0 });
  await saveModel(model, modelDir);
  model.dispose();
}

console.log(`cores ${os.availableParallelism()}, ${a.count} scenarios of ${a.date}, sampler ${a.sampler ?? "(model's)"}`);
console.log('workers  wall s   healthz probes  median ms  p95 ms  max ms');
for (const w of a.workers.split(',').map(Number)) {
  const s = await startServer({ models: modelDir, port: 0, workers: w, token: null, limits: { maxCount: Math.max(10000, Number(a.count)), timeoutMs: 600_000 } });
  const post = (count: number) =>
    fetch(`${s.url}/v1/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dates: [a.date], count, seed: 1, sampler: a.sampler }),
    }).then((r) => r.text());
  await post(256); // warm-up
  let done = false;
  const t0 = performance.now();
  const big = post(Number(a.count)).then((t) => {
    done = true;
    return t.length;
  });
  const lat: number[] = [];
  while (!done) {
    const t = performance.now();
    await (await fetch(`${s.url}/healthz`)).json();
    lat.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  await big;
  const wall = (performance.now() - t0) / 1000;
  await s.close();
  lat.sort((x, y) => x - y);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  console.log(
    `${String(w).padStart(7)}  ${wall.toFixed(1).padStart(6)}  ${String(lat.length).padStart(14)}  ${q(0.5).toFixed(1).padStart(9)}  ${q(0.95).toFixed(1).padStart(6)}  ${lat[lat.length - 1].toFixed(1).padStart(6)}`,
  );
}
if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
