/**
 * Bad-input corpus, HTTP: one shared server (request thread, bearer token) over one tiny model;
 * every case asserts the status and `error.code`, that the message is short (no echo of huge or
 * binary fields, no stack), and that no file under the models folder changed.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { startServer, type RunningServer } from '../src/server/index.js';

const TOKEN = 'corpus-token';
let dir: string;
let srv: RunningServer;

function snapshot(root: string): string {
  const h = crypto.createHash('sha1');
  const walk = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    else h.update(p).update(fs.readFileSync(p));
  };
  walk(root);
  return h.digest('hex');
}

/** A raw request (so that bodies, encodings and paths go out exactly as written). */
function request(o: { method: string; path: string; body?: string | Buffer; headers?: Record<string, string>; auth?: string | null }): Promise<{ status: number; body: string }> {
  const url = new URL(srv.url);
  const headers: Record<string, string> = { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(o.headers ?? {}) };
  if (o.auth !== null) headers.authorization = o.auth ?? `Bearer ${TOKEN}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: o.method, path: o.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  auth?: string | null;
  status: number;
  code: string;
  match?: string | RegExp;
}

const day = { start: '2003-10-27' };
const sc = (o: Record<string, unknown>) => ({ ...day, count: 5, ...o });
const st = (o: Record<string, unknown>) => ({ ...day, count: 5, aht: 180, target: 0.8, within: 20, ...o });
const wi = (o: Record<string, unknown>) => ({ ...day, count: 5, cases: [{ name: 'a', transforms: [{ type: 'scale', factor: 1.1 }] }], ...o });
const scale1000 = Array.from({ length: 100 }, () => ({ type: 'scale', factor: 1000 }));

const CASES: Case[] = [
  // auth
  { name: 'no token', path: '/v1/models', auth: null, status: 401, code: 'UNAUTHORIZED' },
  { name: 'wrong token', path: '/v1/models', auth: 'Bearer nope', status: 401, code: 'UNAUTHORIZED' },
  { name: 'basic auth instead of bearer', path: '/v1/models', auth: 'Basic ' + Buffer.from('a:b').toString('base64'), status: 401, code: 'UNAUTHORIZED' },
  { name: 'token with binary garbage', path: '/v1/models', auth: 'Bearer \u00ff\u00fe', status: 401, code: 'UNAUTHORIZED' },
  // routes, models, traversal
  { name: 'unknown route', path: '/v1/teleport', status: 404, code: 'NOT_FOUND' },
  { name: 'unknown model', path: '/v1/models/nope', status: 404, code: 'NOT_FOUND' },
  { name: 'model traversal (encoded)', path: '/v1/models/..%2F..%2Fetc%2Fpasswd', status: 404, code: 'NOT_FOUND' },
  { name: 'model traversal (dots)', path: '/v1/models/..', status: 404, code: 'NOT_FOUND' },
  { name: 'malformed percent-encoding in the path', path: '/v1/models/%E0%A4%A', status: 400, code: 'BAD_REQUEST', match: 'percent-encoding' },
  { name: 'lone percent in the path', path: '/v1/models/%', status: 400, code: 'BAD_REQUEST' },
  { name: 'scenarios: traversal model id', method: 'POST', path: '/v1/scenarios', body: sc({ model: '../../etc/passwd' }), status: 404, code: 'NOT_FOUND' },
  { name: 'scenarios: 100 kB model id is not echoed whole', method: 'POST', path: '/v1/scenarios', body: sc({ model: 'x'.repeat(100_000) }), status: 404, code: 'NOT_FOUND', match: 'more characters' },
  { name: 'scenarios: binary model id', method: 'POST', path: '/v1/scenarios', body: sc({ model: '\u0000\u0001\u0002\u00ff' }), status: 404, code: 'NOT_FOUND' },
  // bodies
  { name: 'malformed JSON', method: 'POST', path: '/v1/scenarios', raw: '{"count": ', status: 400, code: 'BAD_REQUEST', match: 'malformed JSON' },
  { name: 'JSON array body', method: 'POST', path: '/v1/scenarios', raw: '[1,2]', status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON string body', method: 'POST', path: '/v1/scenarios', raw: '"hello"', status: 400, code: 'BAD_REQUEST' },
  { name: 'no body', method: 'POST', path: '/v1/scenarios', status: 400, code: 'BAD_REQUEST' },
  { name: 'text/plain body', method: 'POST', path: '/v1/scenarios', raw: 'count=5', headers: { 'content-type': 'text/plain' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'body over the limit', method: 'POST', path: '/v1/scenarios', raw: JSON.stringify({ ...sc({}), pad: 'x'.repeat(300_000) }), status: 413, code: 'TOO_LARGE' },
  { name: 'undecodable gzip body', method: 'POST', path: '/v1/scenarios', raw: Buffer.from('this is not gzip at all'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 400, code: 'BAD_REQUEST', match: 'could not be decoded' },
  { name: 'undecodable br body', method: 'POST', path: '/v1/scenarios', raw: zlib.brotliCompressSync(JSON.stringify(sc({}))).subarray(0, 12), headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, status: 400, code: 'BAD_REQUEST', match: 'could not be decoded' },
  { name: 'truncated gzip body', method: 'POST', path: '/v1/scenarios', raw: zlib.gzipSync(JSON.stringify(sc({}))).subarray(0, 20), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'unknown content-encoding', method: 'POST', path: '/v1/scenarios', raw: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-ish' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'binary garbage body', method: 'POST', path: '/v1/scenarios', raw: crypto.randomBytes(2048), status: 400, code: 'BAD_REQUEST' },
  { name: 'prototype pollution (__proto__)', method: 'POST', path: '/v1/scenarios', raw: '{"start":"2003-10-27","count":5,"__proto__":{"polluted":true}}', status: 400, code: 'BAD_REQUEST' },
  { name: 'prototype pollution (constructor)', method: 'POST', path: '/v1/scenarios', raw: '{"start":"2003-10-27","count":5,"constructor":{"prototype":{"polluted":true}}}', status: 400, code: 'BAD_REQUEST' },
  { name: 'unknown field', method: 'POST', path: '/v1/scenarios', body: sc({ teleport: true }), status: 400, code: 'BAD_REQUEST' },
  // scenarios fields
  { name: 'count missing', method: 'POST', path: '/v1/scenarios', body: { start: '2003-10-27' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'count 0', method: 'POST', path: '/v1/scenarios', body: sc({ count: 0 }), status: 400, code: 'BAD_REQUEST' },
  { name: 'count -1', method: 'POST', path: '/v1/scenarios', body: sc({ count: -1 }), status: 400, code: 'BAD_REQUEST' },
  { name: 'count 1.5', method: 'POST', path: '/v1/scenarios', body: sc({ count: 1.5 }), status: 400, code: 'BAD_REQUEST' },
  { name: 'count as a string', method: 'POST', path: '/v1/scenarios', body: sc({ count: '5' }), status: 400, code: 'BAD_REQUEST' },
  { name: 'count over the limit', method: 'POST', path: '/v1/scenarios', body: sc({ count: 10_001, sampler: 'ddim:2' }), status: 422, code: 'UNPROCESSABLE' },
  { name: 'count 1e300', method: 'POST', path: '/v1/scenarios', body: sc({ count: 1e300 }), status: 413, code: 'TOO_LARGE' },
  { name: 'bad date', method: 'POST', path: '/v1/scenarios', body: sc({ start: '2003-02-30' }), status: 400, code: 'BAD_REQUEST' },
  { name: 'date garbage', method: 'POST', path: '/v1/scenarios', body: sc({ start: 'tomorrow' }), status: 400, code: 'BAD_REQUEST' },
  { name: 'reversed range', method: 'POST', path: '/v1/scenarios', body: sc({ end: '2003-10-01' }), status: 422, code: 'UNPROCESSABLE' },
  { name: 'too many dates', method: 'POST', path: '/v1/scenarios', body: sc({ count: 1, sampler: 'ddim:1', end: '2004-10-27' }), status: 422, code: 'UNPROCESSABLE' },
  { name: 'dates and start both', method: 'POST', path: '/v1/scenarios', body: sc({ dates: ['2003-10-27'] }), status: 400, code: 'BAD_OPTION' },
  { name: 'unknown sampler', method: 'POST', path: '/v1/scenarios', body: sc({ sampler: 'bogus' }), status: 400, code: 'BAD_OPTION' },
  { name: 'sampler ode:100000 (over the step limit)', method: 'POST', path: '/v1/scenarios', body: sc({ sampler: 'ode:100000', count: 512 }), status: 422, code: 'UNPROCESSABLE', match: 'at most 1000' },
  { name: 'count × dates × steps over the work limit', method: 'POST', path: '/v1/scenarios', body: sc({ sampler: 'ddim:1000', count: 10_000, end: '2003-10-31' }), status: 413, code: 'TOO_LARGE', match: 'network evaluations' },
  { name: 'quantile 1.5', method: 'POST', path: '/v1/scenarios', body: sc({ quantiles: [1.5] }), status: 400, code: 'BAD_REQUEST' },
  { name: 'unseen weekday without fallback', method: 'POST', path: '/v1/scenarios', body: sc({ start: '2003-10-26' }), status: 422, code: 'UNPROCESSABLE' },
  { name: 'what-if: 100 chained ×1000 scales', method: 'POST', path: '/v1/scenarios', body: sc({ whatIf: scale1000 }), status: 422, code: 'UNPROCESSABLE', match: 'the limit is 1000000' },
  { name: 'forecast: 100 chained ×1000 scales', method: 'POST', path: '/v1/forecast', body: sc({ whatIf: scale1000 }), status: 422, code: 'UNPROCESSABLE' },
  { name: 'forecast: count 0', method: 'POST', path: '/v1/forecast', body: sc({ count: 0 }), status: 400, code: 'BAD_REQUEST' },
  { name: 'forecast: default count with ddim:1000 over 92 dates', method: 'POST', path: '/v1/forecast', body: { start: '2003-10-27', end: '2004-01-26', sampler: 'ddim:1000' }, status: 413, code: 'TOO_LARGE' },
  // what-if
  { name: 'whatif: 100 chained ×1000 scales in a case', method: 'POST', path: '/v1/whatif', body: wi({ cases: [{ name: 'boom', transforms: scale1000 }] }), status: 422, code: 'UNPROCESSABLE', match: 'cases[0]' },
  { name: 'whatif: case named baseline', method: 'POST', path: '/v1/whatif', body: wi({ cases: [{ name: 'baseline', transforms: [] }] }), status: 400, code: 'BAD_OPTION' },
  { name: 'whatif: no cases', method: 'POST', path: '/v1/whatif', body: wi({ cases: [] }), status: 400, code: 'BAD_REQUEST' },
  { name: 'whatif: factor 1e9', method: 'POST', path: '/v1/whatif', body: wi({ cases: [{ name: 'a', transforms: [{ type: 'scale', factor: 1e9 }] }] }), status: 422, code: 'UNPROCESSABLE', match: 'the limit is 1000000' },
  { name: 'whatif: unknown transform', method: 'POST', path: '/v1/whatif', body: wi({ cases: [{ name: 'a', transforms: [{ type: 'teleport' }] }] }), status: 400, code: 'BAD_REQUEST' },
  // staffing
  { name: 'staffing: aht 1e7', method: 'POST', path: '/v1/staffing', body: st({ aht: 1e7 }), status: 422, code: 'UNPROCESSABLE', match: 'aht 10000000 s is over the limit' },
  { name: 'staffing: aht 0', method: 'POST', path: '/v1/staffing', body: st({ aht: 0 }), status: 400, code: 'BAD_REQUEST' },
  { name: 'staffing: aht missing', method: 'POST', path: '/v1/staffing', body: { ...day, target: 0.8, within: 20 }, status: 400, code: 'BAD_REQUEST' },
  { name: 'staffing: target 1.5', method: 'POST', path: '/v1/staffing', body: st({ target: 1.5 }), status: 400, code: 'BAD_REQUEST' },
  { name: 'staffing: within -1', method: 'POST', path: '/v1/staffing', body: st({ within: -1 }), status: 400, code: 'BAD_REQUEST' },
  { name: 'staffing: maxAbandon without patience', method: 'POST', path: '/v1/staffing', body: st({ maxAbandon: 0.1 }), status: 400, code: 'BAD_OPTION' },
  { name: 'staffing: costUnder without costOver', method: 'POST', path: '/v1/staffing', body: st({ costUnder: 2 }), status: 400, code: 'BAD_OPTION' },
  { name: 'staffing: load over the limit (aht one day)', method: 'POST', path: '/v1/staffing', body: st({ aht: 86_400 }), status: 422, code: 'UNPROCESSABLE', match: 'Erlangs; the limit is 20000' },
];

before(async () => {
  await initBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-bad-http-'));
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 5, hidden: 8, blocks: 1, seed: 1 });
  await saveModel(model, path.join(dir, 'models', 'bank'));
  model.dispose();
  srv = await startServer({ models: path.join(dir, 'models'), port: 0, workers: 0, backend: 'wasm', token: TOKEN });
});

after(async () => {
  await srv?.close();
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was not polluted');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('bad input, HTTP (one shared server)', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const before = snapshot(path.join(dir, 'models'));
      const raw = c.raw ?? (c.body !== undefined ? JSON.stringify(c.body) : undefined);
      const r = await request({ method: c.method ?? 'GET', path: c.path, body: raw, headers: c.headers, auth: c.auth });
      assert.equal(r.status, c.status, r.body.slice(0, 500));
      const j = JSON.parse(r.body) as { error: { code: string; message: string } };
      assert.equal(j.error.code, c.code, j.error.message);
      if (typeof c.match === 'string') assert.ok(j.error.message.includes(c.match), j.error.message.slice(0, 500));
      else if (c.match) assert.match(j.error.message, c.match);
      assert.ok(r.body.length < 12_000, `error body is ${r.body.length} characters`);
      assert.doesNotMatch(j.error.message, /\n\s+at /, 'no stack');
      assert.equal(snapshot(path.join(dir, 'models')), before, 'no file changed');
    });
  }
  it('the server still answers and holds no extra tensors afterwards', async () => {
    const r = await request({ method: 'GET', path: '/healthz' });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { inFlight: number }).inFlight, 1);
  });
});
