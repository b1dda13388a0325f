/**
 * `npm run bench:load [-- --seconds N --concurrency C --workers W]`: a bounded load test of
 * `mixcast serve` on loopback. The server runs as its own process (as users run it); this process
 * only sends requests. Mixed traffic — scenarios, forecast, staffing, healthz — from C concurrent
 * clients for N seconds (default 16 for 120 s); reported: throughput, p50/p95/p99 per route,
 * errors, the server's RSS and tensor counts (request thread and every worker) at start and end.
 * Then the heavy-staffing probe: aht = 1e7 (refused up front?) and the largest AHT the server
 * accepts for this model, with /healthz latencies measured while that request runs.
 * Results: bench/results/load.md and load.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { quantileInverseCdf } from '../src/core/quantiles.js';
import { positiveArg } from './lib/common.js';

const arg = (name: string, dflt: number): number => positiveArg(name, dflt, false);
const SECONDS = arg('seconds', 120);
const CONCURRENCY = arg('concurrency', 16);
const WORKERS = arg('workers', Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Health {
  numTensors: number;
  inFlight: number;
  workers: { threads: { id: number; busy: boolean; tasks: number; numTensors: number }[]; restarting: number };
}

function rssMb(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)![1]) / 1024;
}

/** Latency percentile: the type-1 (inverse-CDF) quantile of the sample; NaN when empty. */
function quantile(xs: number[], q: number): number {
  return xs.length ? quantileInverseCdf([...xs].sort((a, b) => a - b), q) : NaN;
}

const ROUTES: { name: string; method: 'GET' | 'POST'; path: string; body?: (i: number) => unknown }[] = [
  { name: 'scenarios', method: 'POST', path: '/v1/scenarios', body: (i) => ({ start: '2003-10-27', count: 100, sampler: 'ddim:20', seed: i }) },
  { name: 'forecast', method: 'POST', path: '/v1/forecast', body: (i) => ({ start: '2003-10-27', end: '2003-10-28', count: 200, sampler: 'ddim:20', seed: i }) },
  { name: 'staffing', method: 'POST', path: '/v1/staffing', body: (i) => ({ start: '2003-10-27', count: 100, sampler: 'ddim:20', seed: i, aht: 180, target: 0.8, within: 20 }) },
  { name: 'healthz', method: 'GET', path: '/healthz' },
];

async function call(url: string, r: (typeof ROUTES)[number], i: number): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url + r.path, {
    method: r.method,
    headers: r.body ? { 'content-type': 'application/json' } : undefined,
    body: r.body ? JSON.stringify(r.body(i)) : undefined,
  });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

async function startServe(models: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--models', models, '--port', '0', '--workers', String(WORKERS), '--backend', 'wasm'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c) => (err += String(c)));
  for (let i = 0; i < 1200; i++) {
    const m = /listening on (http:\/\/\S+)/.exec(err);
    if (m) return { child, url: m[1] };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill();
  throw new Error(`mixcast serve did not start:\n${err}`);
}

async function snapshot(url: string, pid: number) {
  const h = (await (await fetch(`${url}/healthz`)).json()) as Health;
  return { rssMb: Math.round(rssMb(pid)), requestThreadTensors: h.numTensors, workerTensors: h.workers.threads.map((t) => t.numTensors) };
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-load-'));
  const models = path.join(dir, 'models');
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 100, hidden: 64, blocks: 2, seed: 1 });
  await saveModel(model, path.join(models, 'bank'));
  model.dispose();
  const { child, url } = await startServe(models);
  try {
    // Warm-up: one of each route.
    for (const r of ROUTES) await call(url, r, 0);
    const start = await snapshot(url, child.pid!);
    const lat = new Map<string, number[]>(ROUTES.map((r) => [r.name, []]));
    const errors = new Map<string, number>(ROUTES.map((r) => [r.name, 0]));
    const errorSamples: string[] = [];
    let n = 0;
    const t0 = Date.now();
    const deadline = t0 + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, c) => {
        // Client c cycles through the routes from its own offset, so every client sends the whole mix.
        for (let j = 0, k = c; Date.now() < deadline; j++, k += CONCURRENCY) {
          const r = ROUTES[(c + j) % ROUTES.length];
          try {
            const res = await call(url, r, k);
            n++;
            lat.get(r.name)!.push(res.ms);
            if (res.status !== 200) {
              errors.set(r.name, errors.get(r.name)! + 1);
              if (errorSamples.length < 5) errorSamples.push(`${r.name} ${res.status}`);
            }
          } catch (e) {
            errors.set(r.name, errors.get(r.name)! + 1);
            if (errorSamples.length < 5) errorSamples.push(`${r.name} ${(e as Error).message}`);
          }
        }
      }),
    );
    const elapsed = (Date.now() - t0) / 1000;
    await sleep(500);
    const end = await snapshot(url, child.pid!);

    // Heavy staffing: aht 1e7, then the largest AHT this server accepts for this model.
    const staffingBody = (aht: number) => ({ start: '2003-10-27', count: 500, sampler: 'ddim:20', seed: 1, aht, target: 0.8, within: 20 });
    const post = async (body: unknown) => {
      const t = performance.now();
      const r = await fetch(`${url}/v1/staffing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const j = (await r.json()) as { error?: { code: string; message: string } };
      return { status: r.status, ms: performance.now() - t, error: j.error ?? null };
    };
    const refused = await post(staffingBody(1e7));
    const heavy: { aht: number; status: number; ms: number; healthz: number[]; error: string | null }[] = [];
    for (const aht of [86_400, 43_200, 21_600, 10_800, 3_600]) {
      const healthz: number[] = [];
      let done = false;
      const probe = (async () => {
        while (!done) {
          const t = performance.now();
          await (await fetch(`${url}/healthz`)).arrayBuffer();
          healthz.push(performance.now() - t);
          await sleep(10);
        }
      })();
      const r = await post(staffingBody(aht));
      done = true;
      await probe;
      heavy.push({ aht, status: r.status, ms: r.ms, healthz, error: r.error ? `${r.error.code}: ${r.error.message}` : null });
      if (r.status === 200) break;
    }
    const allowed = heavy.find((h) => h.status === 200) ?? null;
    const after = await snapshot(url, child.pid!);

    const routes = ROUTES.map((r) => {
      const xs = lat.get(r.name)!;
      return { route: r.name, requests: xs.length, errors: errors.get(r.name)!, p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), p99: quantile(xs, 0.99) };
    });
    const totalErrors = routes.reduce((a, r) => a + r.errors, 0);
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
      seconds: Math.round(elapsed),
      concurrency: CONCURRENCY,
      workers: WORKERS,
      requests: n,
      throughput: n / elapsed,
      errors: totalErrors,
      errorSamples,
      routes,
      start,
      end,
      afterHeavyStaffing: after,
      staffing: {
        aht1e7: { status: refused.status, ms: refused.ms, error: refused.error },
        largestAllowed: allowed && { aht: allowed.aht, ms: allowed.ms, healthzSamples: allowed.healthz.length, healthzP50: quantile(allowed.healthz, 0.5), healthzP99: quantile(allowed.healthz, 0.99), healthzMax: Math.max(...allowed.healthz) },
        tried: heavy.map((h) => ({ aht: h.aht, status: h.status, ms: h.ms, error: h.error })),
      },
    };
    fs.mkdirSync('bench/results', { recursive: true });
    fs.writeFileSync('bench/results/load.json', JSON.stringify(result, null, 2) + '\n');
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
    const md = [
      '# bench:load — mixed traffic against `mixcast serve` on loopback',
      '',
      `Run: \`npm run bench:load -- --seconds ${SECONDS}\` on ${result.date.slice(0, 10)} (${result.machine}); server: \`mixcast serve --workers ${WORKERS} --backend wasm\`, one model (bank calls, 28 intervals, 100 training steps, hidden 64).`,
      '',
      `**${n} requests in ${result.seconds} s at concurrency ${CONCURRENCY}: ${result.throughput.toFixed(1)} requests/s, ${totalErrors} errors.**`,
      '',
      '| route | requests | errors | p50 ms | p95 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|',
      ...routes.map((r) => `| ${r.route} | ${r.requests} | ${r.errors} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} |`),
      '',
      'Mix (each client cycles through the four routes, closed loop): scenarios (count 100, ddim:20, 1 date), forecast (count 200, ddim:20, 2 dates), staffing (count 100, ddim:20, aht 180 s), healthz.',
      '',
      '| server | RSS MB | request-thread tensors | worker tensors |',
      '|---|---:|---:|---|',
      `| start (after warm-up) | ${start.rssMb} | ${start.requestThreadTensors} | ${start.workerTensors.join(', ')} |`,
      `| end of load | ${end.rssMb} | ${end.requestThreadTensors} | ${end.workerTensors.join(', ')} |`,
      `| after heavy staffing | ${after.rssMb} | ${after.requestThreadTensors} | ${after.workerTensors.join(', ')} |`,
      '',
      '## Heavy staffing and /healthz',
      '',
      `- aht = 1e7 s: HTTP ${refused.status} ${refused.error?.code ?? ''} in ${f(refused.ms)} ms — ${refused.error?.message ?? ''}`,
      ...heavy.filter((h) => h.status !== 200).map((h) => `- aht = ${h.aht} s: HTTP ${h.status} in ${f(h.ms)} ms — ${h.error ?? ''}`),
      allowed
        ? `- largest allowed tried, aht = ${allowed.aht} s (count 500): HTTP 200 in ${f(allowed.ms)} ms on the worker pool; /healthz during it: ${allowed.healthz.length} samples, p50 ${allowed.healthz.length ? quantile(allowed.healthz, 0.5).toFixed(1) : '–'} ms, p99 ${allowed.healthz.length ? quantile(allowed.healthz, 0.99).toFixed(1) : '–'} ms, max ${allowed.healthz.length ? Math.max(...allowed.healthz).toFixed(1) : '–'} ms`
        : '- no AHT in the tried list was accepted',
      '',
    ].join('\n');
    fs.writeFileSync('bench/results/load.md', md);
    process.stdout.write(md);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
