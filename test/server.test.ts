/**
 * The HTTP service against real servers on 127.0.0.1 (ephemeral ports), global fetch:
 * every route in JSON and CSV, the error contract (400/401/404/413/422/503), same seed → same
 * body (and the same as the in-process library), /healthz latency during a 10,000-scenario
 * request on the worker pool, tensor hygiene (workers and in-process), OpenAPI from zod.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel, loadModel } from '../src/model/bundle.js';
import { generateScenarios } from '../src/scenarios/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import {
  errorSchema,
  forecastResponseSchema,
  healthSchema,
  modelSummarySchema,
  scenariosRequestSchema,
  scenariosResponseSchema,
  whatIfResponseSchema,
} from '../src/server/schemas.js';

let dir: string;
let pool: RunningServer; // two models, worker pool of 2
let local: RunningServer; // one model, in-process, token, short timeout

before(async () => {
  await initBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-server-'));
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 150, hidden: 64, blocks: 2, seed: 1 });
  await saveModel(model, path.join(dir, 'models', 'bank'));
  model.dispose();
  fs.cpSync(path.join(dir, 'models', 'bank'), path.join(dir, 'models', 'bank-copy'), { recursive: true });
  pool = await startServer({ models: path.join(dir, 'models'), port: 0, workers: 2, token: null, limits: { bodyLimit: '16kb' } });
  local = await startServer({ models: path.join(dir, 'models', 'bank'), port: 0, workers: 0, token: 'sesame', limits: { timeoutMs: 300, maxCount: 2000 } });
});

after(async () => {
  await pool?.close();
  await local?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function expectError(r: Response, status: number, code: string, re?: RegExp) {
  assert.equal(r.status, status);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  const body = errorSchema.parse(await r.json());
  assert.equal(body.error.code, code);
  if (re) assert.match(body.error.message, re);
  assert.ok(!/\bat .*\.ts:\d+/.test(body.error.message), 'no stack in the body');
  return body;
}

describe('routes', () => {
  it('GET /healthz, /v1/models, /v1/models/:id', async () => {
    const h = healthSchema.parse(await (await fetch(`${pool.url}/healthz`)).json());
    assert.equal(h.status, 'ok');
    assert.equal(h.backend, 'wasm');
    assert.deepEqual(h.models, ['bank', 'bank-copy']);
    assert.equal(h.workers.mode, 'workers');
    assert.equal(h.workers.threads.length, 2);
    const list = (await (await fetch(`${pool.url}/v1/models`)).json()) as { models: { id: string; K: number }[] };
    assert.deepEqual(list.models.map((m) => [m.id, m.K]), [['bank', 5], ['bank-copy', 5]]);
    const s = modelSummarySchema.parse(await (await fetch(`${pool.url}/v1/models/bank`)).json());
    assert.equal(s.intervals.count, 28);
    assert.equal(s.intervals.minutes, 30);
    assert.equal(s.zone, 'UTC');
    assert.deepEqual(s.components.map((c) => c.name).sort(), ['Fri', 'Mon', 'Thu', 'Tue', 'Wed']);
    assert.ok(Math.abs(s.components.reduce((a, c) => a + c.weight, 0) - 1) < 1e-9);
    assert.ok(s.training.reverseEffort.mixture < s.training.reverseEffort.standard);
    assert.equal(s.training.steps, 150);
    await expectError(await fetch(`${pool.url}/v1/models/nope`), 404, 'NOT_FOUND', /unknown model "nope"/);
    await expectError(await fetch(`${pool.url}/v2/whatever`), 404, 'NOT_FOUND');
  });

  it('GET /openapi.json is built from the zod schemas', async () => {
    const doc = (await (await fetch(`${pool.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/healthz', '/v1/models', '/v1/models/{id}', '/v1/scenarios', '/v1/forecast', '/v1/whatif']) assert.ok(doc.paths[p], p);
    // the request body from zod, with its named parts (observed, whatIf transforms) as component references
    const fromZod = z.toJSONSchema(scenariosRequestSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(doc.components.schemas.ScenariosRequest.properties ?? {}), Object.keys(fromZod.properties));
    assert.deepEqual(doc.components.schemas.ScenariosRequest.properties?.observed, { $ref: '#/components/schemas/Observed' });
    const { $schema: _s, ...observed } = fromZod.properties.observed as Record<string, unknown>;
    assert.deepEqual(doc.components.schemas.Observed, observed);
    assert.deepEqual(doc.components.schemas.ScenariosRequest.required, ['count']);
    assert.ok(doc.components.schemas.WhatIfRequest.properties?.cases);
  });

  it('POST /v1/scenarios: JSON and CSV; same seed → same body, identical to the in-process library', async () => {
    const req = { model: 'bank', start: '2003-10-27', end: '2003-10-28', count: 300, seed: 21 };
    const r1 = await fetch(`${pool.url}/v1/scenarios`, json(req));
    assert.equal(r1.status, 200);
    const t1 = await r1.text();
    const t2 = await (await fetch(`${pool.url}/v1/scenarios`, json(req))).text();
    assert.equal(t1, t2);
    const body = scenariosResponseSchema.parse(JSON.parse(t1));
    assert.equal(body.dates.length, 2);
    assert.equal(body.dates[0].values.length, 300);
    const model = loadModel(path.join(dir, 'models', 'bank'));
    try {
      const lib = await generateScenarios({ model, start: req.start, end: req.end, count: req.count, seed: req.seed });
      assert.equal(t1, JSON.stringify({ model: 'bank', ...lib }));
    } finally {
      model.dispose();
    }
    const other = (await (await fetch(`${pool.url}/v1/scenarios`, json({ ...req, seed: 22 }))).json()) as typeof body;
    assert.notDeepEqual(other.dates[0].values, body.dates[0].values);
    const csv = await fetch(`${pool.url}/v1/scenarios`, json({ ...req, count: 3 }, { accept: 'text/csv' }));
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    assert.equal(lines[0], 'series,timestamp,date,interval,scenario,component,value');
    assert.equal(lines.length, 1 + 2 * 3 * 28);
    assert.equal(lines[1], `,2003-10-27T07:00:00Z,2003-10-27,07:00,0,Mon,${body.dates[0].values[0][0]}`);
  });

  it('POST /v1/forecast (with observed slots) and /v1/whatif, JSON and CSV', async () => {
    const f = await fetch(`${pool.url}/v1/forecast`, json({ model: 'bank', start: '2003-10-27', count: 200, observed: { date: '2003-10-27', values: [300, 450] } }));
    assert.equal(f.status, 200);
    const fb = forecastResponseSchema.parse(await f.json());
    assert.deepEqual(fb.quantiles, [0.1, 0.5, 0.9]);
    assert.equal(fb.dates[0].summary.quantiles['0.5'][1], 450);
    const fc = await (await fetch(`${pool.url}/v1/forecast`, json({ model: 'bank', start: '2003-10-27', count: 200, observed: { date: '2003-10-27', values: [300, 450] } }, { accept: 'text/csv' }))).text();
    const fl = fc.trim().split('\n');
    assert.equal(fl[0], 'series,timestamp,date,interval,mean,q0.1,q0.5,q0.9');
    assert.equal(fl[1], ',2003-10-27T07:00:00Z,2003-10-27,07:00,300,300,300,300');
    assert.equal(fl.length, 29);

    const cases = [{ name: 'plus10', transforms: [{ type: 'scale', factor: 1.1 }] }];
    const w = await fetch(`${pool.url}/v1/whatif`, json({ model: 'bank', start: '2003-10-27', end: '2003-10-28', count: 100, seed: 3, cases, output: 'continuous' }));
    assert.equal(w.status, 200);
    const wb = whatIfResponseSchema.parse(await w.json());
    assert.deepEqual(wb.cases, ['baseline', 'plus10']);
    assert.equal(wb.rows.length, 4);
    assert.ok(Math.abs(wb.rows[2].total.mean - 1.1 * wb.rows[0].total.mean) < 1e-3);
    const wc = (await (await fetch(`${pool.url}/v1/whatif`, json({ model: 'bank', start: '2003-10-27', count: 100, cases }, { accept: 'text/csv' }))).text()).trim().split('\n');
    assert.equal(wc[0], 'series,case,date,total_mean,total_q0.1,total_q0.5,total_q0.9,peak_mean,peak_q0.1,peak_q0.5,peak_q0.9');
    assert.deepEqual(wc.slice(1).map((l) => l.split(',')[1]), ['baseline', 'plus10']);
  });
});

describe('errors', () => {
  const url = () => `${pool.url}/v1/scenarios`;
  it('400: malformed JSON, bad fields, unknown fields, no model when several', async () => {
    await expectError(await fetch(url(), json('{"start": "2003-10-27",')), 400, 'BAD_REQUEST', /malformed JSON/);
    const b = await expectError(await fetch(url(), json({ model: 'bank', start: '2003-10-27', count: 'many' })), 400, 'BAD_REQUEST', /count/);
    assert.ok(Array.isArray((b.error.details as { issues: unknown[] }).issues));
    await expectError(await fetch(url(), json({ model: 'bank', start: '2003-10-27', count: 5, cout: 5 })), 400, 'BAD_REQUEST', /cout/);
    await expectError(await fetch(url(), json({ model: 'bank', start: '2003-02-30', count: 5 })), 400, 'BAD_REQUEST', /calendar date/);
    await expectError(await fetch(url(), json({ start: '2003-10-27', count: 5 })), 400, 'BAD_REQUEST', /model is required/);
    await expectError(await fetch(url(), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }), 400, 'BAD_REQUEST', /JSON object/);
    await expectError(await fetch(url(), json({ model: 'bank', start: '2003-10-27', count: 5, sampler: 'warp:9' })), 400, 'BAD_OPTION', /sampler/);
  });

  it('404 unknown model, 413 body too large', async () => {
    await expectError(await fetch(url(), json({ model: 'ghost', start: '2003-10-27', count: 5 })), 404, 'NOT_FOUND', /ghost/);
    const big = { model: 'bank', start: '2003-10-27', count: 5, whatIf: Array.from({ length: 99 }, () => ({ type: 'scale', factor: 1, dates: Array(20).fill('2003-10-27') })) };
    await expectError(await fetch(url(), json(big)), 413, 'TOO_LARGE', /16kb/);
  });

  it('422: reversed dates, unseen weekday (200 and flagged with fallback), count over the limit', async () => {
    await expectError(await fetch(url(), json({ model: 'bank', start: '2003-10-28', end: '2003-10-27', count: 5 })), 422, 'UNPROCESSABLE', /reversed/);
    const sun = await expectError(await fetch(url(), json({ model: 'bank', start: '2003-10-26', count: 5 })), 422, 'UNPROCESSABLE', /Sunday/);
    assert.deepEqual((sun.error.details as { knownKeys: string[] }).knownKeys, ['Fri', 'Mon', 'Thu', 'Tue', 'Wed']);
    const ok = await fetch(url(), json({ model: 'bank', start: '2003-10-26', count: 5, fallback: 'mixture' }));
    assert.equal(ok.status, 200);
    const body = scenariosResponseSchema.parse(await ok.json());
    assert.equal(body.dates[0].fallback, true);
    assert.equal(body.dates[0].key, null);
    await expectError(await fetch(url(), json({ model: 'bank', start: '2003-10-27', count: 10001 })), 422, 'UNPROCESSABLE', /limit of 10000/);
    await expectError(await fetch(`${local.url}/v1/forecast`, json({ start: '2003-10-27', count: 2001 }, { authorization: 'Bearer sesame' })), 422, 'UNPROCESSABLE', /limit of 2000/);
  });

  it('401 without the bearer token when one is set; /healthz stays open', async () => {
    await expectError(await fetch(`${local.url}/v1/models`), 401, 'UNAUTHORIZED', /Bearer/);
    await expectError(await fetch(`${local.url}/v1/models`, { headers: { authorization: 'Bearer nope' } }), 401, 'UNAUTHORIZED');
    await expectError(await fetch(`${local.url}/v1/scenarios`, json({ start: '2003-10-27', count: 1 })), 401, 'UNAUTHORIZED');
    const r = await fetch(`${local.url}/v1/models`, { headers: { authorization: 'Bearer sesame' } });
    assert.equal(r.status, 200);
    const h = healthSchema.parse(await (await fetch(`${local.url}/healthz`)).json());
    assert.deepEqual(h.models, ['bank'], 'a --models DIR that is itself a bundle is served under its basename');
    assert.equal(h.workers.mode, 'in-process');
    assert.equal((await fetch(`${pool.url}/v1/models`)).status, 200, 'no token configured → open');
  });

  it('503 with the error body when a request runs past the time limit', async () => {
    const r = await fetch(`${local.url}/v1/scenarios`, json({ start: '2003-10-27', end: '2003-10-31', count: 2000 }, { authorization: 'Bearer sesame' }));
    await expectError(r, 503, 'TIMEOUT', /300 ms/);
  });
});

describe('service behaviour', () => {
  it('/healthz keeps answering while a 10,000-scenario request runs on the workers (timing goals: npm run bench:*)', async () => {
    await fetch(`${pool.url}/healthz`); // warm connection
    let done = false;
    const started = Date.now();
    const big = fetch(`${pool.url}/v1/scenarios`, json({ model: 'bank', start: '2003-10-27', count: 10000, seed: 1 })).then(async (r) => {
      const text = await r.text();
      done = true;
      return { status: r.status, bytes: text.length };
    });
    const lat: number[] = [];
    let sawBusy = false;
    while (!done) {
      const t = performance.now();
      const h = healthSchema.parse(await (await fetch(`${pool.url}/healthz`)).json());
      lat.push(performance.now() - t);
      if (h.workers.threads.some((w) => w.busy)) sawBusy = true;
      await new Promise((r) => setTimeout(r, 25));
    }
    const res = await big;
    assert.equal(res.status, 200);
    assert.ok(sawBusy, 'the probes ran while workers were busy');
    assert.ok(lat.length >= 5, `${lat.length} probes in ${Date.now() - started} ms`);
    const sorted = [...lat].sort((a, b) => a - b);
    const max = sorted[sorted.length - 1];
    process.stderr.write(`healthz during 10k request: ${lat.length} probes, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${max.toFixed(1)} ms, request ${Date.now() - started} ms\n`);
  });

  it('tensor counts do not grow across requests (worker pool and in-process)', async () => {
    const counts = async (s: RunningServer) => {
      const h = healthSchema.parse(await (await fetch(`${s.url}/healthz`)).json());
      return [h.numTensors, ...h.workers.threads.map((t) => t.numTensors)];
    };
    const req = { model: 'bank', start: '2003-10-27', count: 600, seed: 2, observed: { date: '2003-10-27', values: [300] } };
    await fetch(`${pool.url}/v1/forecast`, json(req));
    const p0 = await counts(pool);
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${pool.url}/v1/forecast`, json({ ...req, seed: i }))).status, 200);
    assert.deepEqual(await counts(pool), p0);
    const auth = { authorization: 'Bearer sesame' };
    await fetch(`${local.url}/v1/scenarios`, json({ start: '2003-10-27', count: 50 }, auth));
    const l0 = await counts(local);
    assert.ok(l0[0] > 0, 'the in-process server holds the model on the request thread');
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${local.url}/v1/forecast`, json({ start: '2003-10-27', count: 50, seed: i, observed: { date: '2003-10-27', values: [300] } }, auth))).status, 200);
    assert.deepEqual(await counts(local), l0);
  });
});
