/**
 * The CLI over the scenario library, as a user runs it: generate / forecast (with an observed
 * file) / whatif writing files, typed errors with exit code 2, and `serve` shutting down
 * gracefully on SIGTERM (the in-flight request completes, exit code 0).
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { cli } from './helpers/cli.js';

let dir: string;
let modelDir: string;

before(async () => {
  await initBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-cli-scen-'));
  modelDir = path.join(dir, 'bank');
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 150, hidden: 64, blocks: 2, seed: 1 });
  await saveModel(model, modelDir);
  model.dispose();
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const csv = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));

describe('mixcast generate / forecast / whatif', () => {
  it('generate writes the long CSV, deterministic for a seed', async () => {
    const out = path.join(dir, 'gen.csv');
    const r = await cli(['generate', '--model', modelDir, '--start', '2003-10-27', '--end', '2003-10-28', '--count', '20', '--seed', '4', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /backend wasm/);
    const rows = csv(out);
    assert.deepEqual(rows[0], ['series', 'timestamp', 'date', 'interval', 'scenario', 'component', 'value']);
    assert.equal(rows.length, 1 + 2 * 20 * 28);
    assert.deepEqual([rows[1][2], rows[1][5], rows[1][4], rows[1][3]], ['2003-10-27', 'Mon', '0', '07:00']);
    assert.match(rows[1][1], /^2003-10-27T07:00:00(Z|[+-]\d\d:\d\d)$/, 'timestamp: ISO 8601 with the offset');
    assert.ok(rows.slice(1).every((x) => Number.isInteger(Number(x[6])) && Number(x[6]) >= 0));
    const again = await cli(['generate', '--model', modelDir, '--start', '2003-10-27', '--end', '2003-10-28', '--count', '20', '--seed', '4', '--format', 'json']);
    assert.equal(again.code, 0, again.stderr);
    const j = JSON.parse(again.stdout) as { dates: { values: number[][] }[] };
    assert.equal(Number(rows[1 + 28 * 20 + 5][6]), j.dates[1].values[0][5], 'CSV and JSON hold the same scenarios');
  });

  it('forecast with an observed-slots file; whatif writes the case table', async () => {
    const obs = path.join(dir, 'obs.csv');
    fs.writeFileSync(obs, 'timestamp,value\n2003-10-27T07:00,321\n2003-10-27T07:30,444\n');
    const out = path.join(dir, 'fc.csv');
    const r = await cli(['forecast', '--model', modelDir, '--start', '2003-10-27', '--end', '2003-10-28', '--count', '100', '--observed', obs, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = csv(out);
    assert.deepEqual(rows[0], ['series', 'timestamp', 'date', 'interval', 'mean', 'q0.1', 'q0.5', 'q0.9']);
    assert.equal(rows.length, 1 + 2 * 28);
    assert.deepEqual(rows[1].slice(2), ['2003-10-27', '07:00', '321', '321', '321', '321']);
    assert.deepEqual(rows[2].slice(4), ['444', '444', '444', '444']);
    assert.notEqual(rows[29][4], '321', 'the next date is not conditioned');

    const wout = path.join(dir, 'whatif.csv');
    const w = await cli(['whatif', '--model', modelDir, '--cases', 'fixtures/whatif-cases.json', '--start', '2003-10-27', '--end', '2003-10-28', '--count', '50', '--seed', '1', '--out', wout]);
    assert.equal(w.code, 0, w.stderr);
    const t = csv(wout);
    assert.deepEqual(t[0], ['series', 'case', 'date', 'total_mean', 'total_q0.1', 'total_q0.5', 'total_q0.9', 'peak_mean', 'peak_q0.1', 'peak_q0.5', 'peak_q0.9']);
    const cases = JSON.parse(fs.readFileSync('fixtures/whatif-cases.json', 'utf8')).cases as { name: string }[];
    assert.equal(t.length, 1 + (cases.length + 1) * 2);
    assert.deepEqual(t[1].slice(0, 3), ['', 'baseline', '2003-10-27']);
    const total = (c: string, d: string) => Number(t.find((x) => x[1] === c && x[2] === d)![3]);
    assert.ok(Math.abs(total('campaign-morning', '2003-10-28') - (total('baseline', '2003-10-28') + 1200)) < 0.01, 'the campaign adds 1200 calls to the mean daily total');
  });

  it('typed errors exit with code 2 and no stack', async () => {
    const r = await cli(['generate', '--model', modelDir, '--start', '2003-10-26', '--count', '5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\[UNPROCESSABLE\].*Sunday/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const bad = await cli(['whatif', '--model', modelDir, '--cases', path.join(dir, 'missing.json'), '--start', '2003-10-27', '--count', '5']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /does not exist/);
    // library errors name request fields; the CLI reports them with the flag
    const date = await cli(['forecast', '--model', modelDir, '--start', '2003-02-30', '--count', '5']);
    assert.equal(date.code, 2);
    assert.match(date.stderr, /\[BAD_OPTION\]: --start 2003-02-30 is not a calendar date/);
  });
});

describe('mixcast serve', () => {
  it('finishes the in-flight request on SIGTERM and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--models', modelDir, '--port', '0', '--workers', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
      child.stderr.on('data', (b) => {
        stderr += b;
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    assert.match(stderr, /backend wasm \(1 worker threads\)/);
    const inflight = fetch(`${url}/v1/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ start: '2003-10-27', end: '2003-10-28', count: 1000, seed: 1 }),
    });
    // wait until the request is being worked on, then ask the server to stop
    for (;;) {
      const h = (await (await fetch(`${url}/healthz`)).json()) as { inFlight: number; workers: { threads: { busy: boolean }[] } };
      if (h.workers.threads.some((t) => t.busy)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    const res = await inflight;
    assert.equal(res.status, 200);
    const body = (await res.json()) as { dates: { values: number[][] }[] };
    assert.equal(body.dates.length, 2);
    assert.equal(body.dates[1].values.length, 1000);
    assert.equal(await exited, 0);
    assert.match(stderr, /SIGTERM: finishing 1 in-flight/);
    await assert.rejects(fetch(`${url}/healthz`), 'no longer accepting connections');
  });
});
