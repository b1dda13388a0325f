/** POST /v1/staffing against a real server: JSON and CSV, same as the library, error contract. */
import { before, after, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel, loadModel } from '../src/model/bundle.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { errorSchema, staffingResponseSchema } from '../src/server/schemas.js';
import { staffFromModel } from '../src/staffing/index.js';

let dir: string;
let server: RunningServer;

before(async () => {
  await initBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-staffing-'));
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 150, hidden: 64, blocks: 2, seed: 1 });
  await saveModel(model, path.join(dir, 'bank'));
  model.dispose();
  server = await startServer({ models: path.join(dir, 'bank'), port: 0, workers: 1, token: null });
});

after(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/staffing`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

it('POST /v1/staffing: plans per date, identical to the library; CSV table', async () => {
  const req = { start: '2003-10-27', end: '2003-10-28', count: 200, seed: 4, aht: 180, target: 0.8, within: 20, coverage: 0.9 };
  const r = await post(req);
  assert.equal(r.status, 200);
  const body = staffingResponseSchema.parse(await r.json());
  assert.equal(body.model, 'bank');
  assert.equal(body.intervalSeconds, 1800);
  assert.deepEqual(body.dates.map((d) => d.date), ['2003-10-27', '2003-10-28']);
  for (const d of body.dates) {
    assert.equal(d.result.model, 'erlang-c');
    assert.equal(d.result.plans.coverage.agents.length, 28);
    assert.ok(d.result.plans.coverage.day.missShare as number <= (d.result.plans.mean.day.missShare as number));
  }
  const model = loadModel(path.join(dir, 'bank'));
  const lib = await staffFromModel({ model, start: '2003-10-27', end: '2003-10-28', count: 200, seed: 4, staffing: { aht: 180, target: 0.8, within: 20, coverage: 0.9 } });
  model.dispose();
  assert.deepEqual(body.dates.map((d) => d.result.plans.coverage.agents), lib.dates.map((d) => d.result.plans.coverage.agents));
  const csv = await (await post(req, { accept: 'text/csv' })).text();
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^date,/);
  assert.equal(lines.length, 1 + 2 * 28);
  // Erlang A with patience.
  const a = staffingResponseSchema.parse(await (await post({ ...req, patience: 120, dates: ['2003-10-27'] , start: undefined, end: undefined })).json());
  assert.equal(a.dates[0].result.model, 'erlang-a');
});

it('POST /v1/staffing: error contract', async () => {
  let r = await post({ start: '2003-10-27', count: 10, seed: 1, target: 0.8, within: 20 });
  assert.equal(r.status, 400);
  assert.equal(errorSchema.parse(await r.json()).error.code, 'BAD_REQUEST');
  r = await post({ start: '2003-10-26', count: 10, seed: 1, aht: 180, target: 0.8, within: 20 });
  assert.equal(r.status, 422);
  assert.match(errorSchema.parse(await r.json()).error.message, /Sun/);
  r = await post({ start: '2003-10-27', count: 10, seed: 1, aht: 180, target: 1.5, within: 20 });
  assert.equal(r.status, 400);
});
