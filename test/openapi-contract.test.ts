/**
 * The OpenAPI document against the server that serves it: every JSON answer of the main routes
 * (successes and errors) validates with ajv against the schema the document gives for that route
 * and status, and `redocly lint` (recommended rules) finds no errors in the document.
 */
import { before, after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { openApiDocument, ERROR_CODES } from '../src/server/openapi.js';

type Doc = {
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
  info: { license?: { name: string } };
};

const root = path.join(import.meta.dirname, '..');
const BASE = 'https://mixcast.invalid/openapi.json';
let dir: string;
let server: RunningServer;
let doc: Doc;
let ajv: InstanceType<typeof Ajv2020>;

before(async () => {
  await initBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-contract-'));
  const ds = await ingest({ input: path.join(root, 'fixtures/bank_calls_2003.csv'), interval: '1h', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 20, hidden: 16, blocks: 1, seed: 1 });
  await saveModel(model, path.join(dir, 'bank'));
  model.dispose();
  server = await startServer({ models: path.join(dir, 'bank'), port: 0, workers: 0, token: null });
  doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: BASE, components: doc.components });
});

after(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The document's JSON schema for (route, method, status); fails when the status is undocumented. */
function validatorFor(route: string, method: string, status: number) {
  const op = doc.paths[route]?.[method];
  assert.ok(op, `${method.toUpperCase()} ${route} is not in the document`);
  const resp = op.responses[String(status)];
  assert.ok(resp, `${method.toUpperCase()} ${route} answered ${status}, which the document does not list`);
  const schema = resp.content?.['application/json']?.schema;
  assert.ok(schema, `${method.toUpperCase()} ${route} ${status}: no application/json schema`);
  return ajv.compile(schema.$ref ? { $ref: BASE + schema.$ref } : schema);
}

async function call(route: string, method: 'get' | 'post', url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${server.url}${url}`, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.match(r.headers.get('content-type') ?? '', /application\/json/, `${url}: ${r.status}`);
  const json = await r.json();
  const validate = validatorFor(route, method, r.status);
  assert.ok(validate(json), `${method.toUpperCase()} ${url} ${r.status}: ${ajv.errorsText(validate.errors)}`);
  return { status: r.status, body: json };
}

const day = { start: '2003-10-27', end: '2003-10-28', seed: 3 };

it('the JSON answers of the main routes match the document', async () => {
  assert.equal((await call('/healthz', 'get', '/healthz')).status, 200);
  assert.equal((await call('/openapi.json', 'get', '/openapi.json')).status, 200);
  assert.equal((await call('/v1/models', 'get', '/v1/models')).status, 200);
  assert.equal((await call('/v1/models/{id}', 'get', '/v1/models/bank')).status, 200);
  assert.equal((await call('/v1/scenarios', 'post', '/v1/scenarios', { ...day, count: 5, whatIf: [{ type: 'scale', factor: 1.1 }] })).status, 200);
  const observed = { date: '2003-10-27', values: [100, 120, null] };
  assert.equal((await call('/v1/forecast', 'post', '/v1/forecast', { ...day, count: 20, observed })).status, 200);
  const cases = [{ name: 'plus10', transforms: [{ type: 'scale', factor: 1.1 }] }];
  assert.equal((await call('/v1/whatif', 'post', '/v1/whatif', { ...day, count: 20, cases })).status, 200);
  assert.equal((await call('/v1/staffing', 'post', '/v1/staffing', { ...day, count: 20, aht: '180s', target: 0.8, within: 20, coverage: 0.9 })).status, 200);
});

it('error answers match the document: 400, 404, 422 with a listed code', async () => {
  const bad = await call('/v1/scenarios', 'post', '/v1/scenarios', { ...day, count: 'many' });
  assert.equal(bad.status, 400);
  const unknown = await call('/v1/models/{id}', 'get', '/v1/models/nope');
  assert.equal(unknown.status, 404);
  const reversed = await call('/v1/forecast', 'post', '/v1/forecast', { start: '2003-10-28', end: '2003-10-27', count: 10 });
  assert.equal(reversed.status, 422);
  for (const r of [bad, unknown, reversed]) assert.ok(ERROR_CODES.includes((r.body as { error: { code: never } }).error.code));
});

/** A request fetch() will not send: `method` with a body (fetch refuses one on GET). */
function rawRequest(method: string, url: string, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('GET and DELETE routes do not parse bodies: garbage or oversized JSON gets the documented answer', async () => {
  const garbage = '{"count": tw';
  const oversized = JSON.stringify({ pad: 'x'.repeat(400 * 1024) }); // over the default 256kb limit
  for (const body of [garbage, oversized]) {
    for (const [route, url, status] of [['/v1/models', '/v1/models', 200], ['/v1/models/{id}', '/v1/models/bank', 200], ['/v1/models/{id}', '/v1/models/nope', 404]] as const) {
      const r = await rawRequest('GET', url, body);
      assert.equal(r.status, status, `GET ${url} with a ${body.length}-byte body: ${JSON.stringify(r.json)}`);
      const validate = validatorFor(route, 'get', r.status);
      assert.ok(validate(r.json), `GET ${url}: ${ajv.errorsText(validate.errors)}`);
    }
    const job = await rawRequest('DELETE', '/v1/jobs/no-such-job', body);
    assert.equal(job.status, 404, JSON.stringify(job.json));
    assert.ok(validatorFor('/v1/jobs/{id}', 'delete', 404)(job.json));
  }
  // POST still parses: the same garbage is a documented 400, the oversized body a documented 413.
  const bad = await rawRequest('POST', '/v1/scenarios', garbage);
  assert.equal(bad.status, 400);
  assert.ok(validatorFor('/v1/scenarios', 'post', 400)(bad.json));
  const big = await rawRequest('POST', '/v1/scenarios', oversized);
  assert.equal(big.status, 413);
  assert.ok(validatorFor('/v1/scenarios', 'post', 413)(big.json));
});

it('the document is strict enough to fail: a wrong error code or a missing field does not validate', () => {
  const err = validatorFor('/v1/scenarios', 'post', 400);
  assert.ok(err({ error: { code: 'BAD_REQUEST', message: 'x', details: null } }));
  assert.ok(!err({ error: { code: 'SOMETHING_ELSE', message: 'x', details: null } }));
  const health = validatorFor('/healthz', 'get', 200);
  assert.ok(!health({ status: 'ok', models: [] }));
});

it('every operation has an operationId and declares its security; /v1 token optional without MIXCAST_API_TOKEN; named components', () => {
  const ids = new Set<string>();
  for (const [route, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(op.operationId, `${method} ${route}: no operationId`);
      assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      assert.ok(Array.isArray(op.security), `${method} ${route}: no security`);
      if (route.startsWith('/v1')) assert.deepEqual(op.security, [{}, { bearer: [] }]);
    }
  }
  const withToken = openApiDocument('0.0.0', { tokenRequired: true }) as unknown as Doc;
  assert.deepEqual(withToken.paths['/v1/forecast'].post.security, [{ bearer: [] }]);
  assert.equal(doc.info.license?.name, 'MIT');
  for (const name of ['Transform', 'Observed', 'WhatIfCase', 'StaffingPlan', 'ScenarioResult', 'DaySummary', 'Error']) assert.ok(doc.components.schemas[name], name);
  const text = JSON.stringify(doc.components.schemas);
  assert.ok(text.includes('"$ref":"#/components/schemas/Transform"'));
  assert.ok(text.includes('"$ref":"#/components/schemas/StaffingPlan"'));
});

it('redocly lint (recommended rules) finds no errors in /openapi.json', () => {
  const file = path.join(dir, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc, null, 1));
  const r = spawnSync('npx', ['--no', 'redocly', 'lint', file, '--extends', 'recommended', '--format', 'json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(r.stdout) as { totals: { errors: number; warnings: number } };
  assert.equal(report.totals.errors, 0, r.stdout);
});
