/**
 * `npm run bench:batch [-- --count 400 --rounds 2 --steps 200]`: throughput of a what-if batch
 * (4 pedestrian sensors × 3 cases + baseline × 7 dates) run by 1 and by 2 `mixcast worker`
 * processes (one unit thread each) through the real Redis at MIXCAST_REDIS_URL (default
 * redis://127.0.0.1:6379), with their own key prefix, removed afterwards.
 *
 * Each round runs the batch once with 1 worker and once with 2 (fresh processes and a fresh
 * prefix each time, so nothing is cached and idempotency does not return a stored result); the
 * time is from submitting to the batch completed (worker start-up excluded: workers are ready
 * first). Reported: scenarios per second (sensors × dates × count; the cases reuse the same
 * base scenarios) and the ratio 2 workers / 1 worker, per round and overall, the load average,
 * and whether every run gave the identical result. Results: bench/results/batch.md and batch.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Queue } from 'bullmq';
import { initBackend } from '../src/backend.js';
import { BATCH_QUEUE, BullEngine, EmbeddedEngine, InlineRunner, UNIT_QUEUE, batchRequestSchema, waitFor } from '../src/jobs/index.js';
import { ROOT, RESULTS, log, positiveArg as arg } from './lib/common.js';

const COUNT = arg('count', 400);
const ROUNDS = arg('rounds', 2);
const STEPS = arg('steps', 200);
const REDIS = process.env.MIXCAST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FIXTURE = path.join(ROOT, 'fixtures', 'melbourne_pedestrian_4_sensors.csv');
const DATES = 7;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

const REQUEST = batchRequestSchema.parse({
  kind: 'whatif',
  model: 'ped',
  series: 'all',
  start: '2017-01-02',
  end: '2017-01-08',
  count: COUNT,
  seed: 7,
  cases: [
    { name: 'up10', transforms: [{ type: 'scale', factor: 1.1 }] },
    { name: 'down20', transforms: [{ type: 'scale', factor: 0.8 }] },
    { name: 'event', transforms: [{ type: 'add', amount: 500, intervals: '10:00-14:00' }] },
  ],
});

/** Start `n` worker processes on `prefix`; resolves when every one says it is ready. */
async function startWorkers(n: number, root: string, prefix: string): Promise<ChildProcess[]> {
  const procs: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: n }, () => {
      const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'worker', '--redis', REDIS, '--models', root, '--prefix', prefix, '--concurrency', '1', '--backend', 'wasm'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        cwd: ROOT,
      });
      procs.push(p);
      let err = '';
      return new Promise<void>((resolve, reject) => {
        p.stderr!.on('data', (d) => {
          err += d;
          if (/worker ready/.test(err)) resolve();
        });
        p.on('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready: ${err}`)));
      });
    }),
  );
  return procs;
}

async function stopWorkers(procs: ChildProcess[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGTERM');
          setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
}

async function cleanup(prefix: string): Promise<void> {
  for (const name of [BATCH_QUEUE, UNIT_QUEUE]) {
    const q = new Queue(name, { connection: { url: REDIS }, prefix });
    await q.obliterate({ force: true });
    const client = await q.getBackend().client;
    const left = await (client as unknown as { keys(p: string): Promise<string[]> }).keys(`${prefix}:*`);
    if (left.length) await client.del(...left);
    await q.close();
  }
}

interface Run {
  round: number;
  workers: number;
  seconds: number;
  scenariosPerSecond: number;
  load: string;
}

async function runOnce(workers: number, root: string, round: number): Promise<{ run: Run; result: unknown }> {
  const prefix = `mixcast-bench-batch-${process.pid}-${round}-${workers}`;
  const procs = await startWorkers(workers, root, prefix);
  const engine = new BullEngine({ url: REDIS, prefix }, { root });
  try {
    const t = performance.now();
    const sub = await engine.submit(REQUEST);
    const s = await waitFor(engine, sub.id, undefined, 50);
    const seconds = (performance.now() - t) / 1000;
    if (s.state !== 'completed') throw new Error(`batch ${s.state}: ${s.error}`);
    const result = await engine.result(sub.id);
    const scenarios = result.series.length * DATES * COUNT;
    const run = { round, workers, seconds, scenariosPerSecond: scenarios / seconds, load: load() };
    log(`round ${round}, ${workers} worker(s): ${seconds.toFixed(1)} s, ${run.scenariosPerSecond.toFixed(0)} scenarios/s; load ${run.load}`);
    return { run, result };
  } finally {
    await engine.close();
    await stopWorkers(procs);
    await cleanup(prefix);
  }
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const t0 = Date.now();
  const loadStart = load();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-bench-batch-'));
  try {
    log(`bench:batch: training 4 per-series models (${STEPS} steps, default network) in ${root}; load ${loadStart}`);
    const trainer = new EmbeddedEngine(new InlineRunner(root), { root, inputAnywhere: true });
    const train = batchRequestSchema.parse({ kind: 'train', model: 'ped', seed: 1, train: { input: FIXTURE, seriesCol: 'sensor', tz: 'Australia/Melbourne', hemisphere: 'south', steps: STEPS, perSeries: true } });
    const ts = await waitFor(trainer, (await trainer.submit(train)).id, undefined, 200);
    if (ts.state !== 'completed') throw new Error(`training ${ts.state}: ${ts.error}`);
    await trainer.close();
    const runs: Run[] = [];
    let first: unknown = null;
    let identical = true;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const workers of [1, 2]) {
        const { run, result } = await runOnce(workers, root, round);
        runs.push(run);
        if (first === null) first = result;
        else identical &&= isDeepStrictEqual(first, result);
      }
    }
    const loadEnd = load();
    const sum = (w: number) => runs.filter((r) => r.workers === w).reduce((a, r) => a + r.seconds, 0);
    const scenarios = 4 * DATES * COUNT;
    const one = (scenarios * ROUNDS) / sum(1);
    const two = (scenarios * ROUNDS) / sum(2);
    const date = new Date().toISOString().slice(0, 10);
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const lines = [
      '# bench:batch — one what-if batch on 1 and on 2 `mixcast worker` processes (BullMQ, real Redis)',
      '',
      `Run: \`npm run bench:batch -- --count ${COUNT} --rounds ${ROUNDS} --steps ${STEPS}\` on ${date} (${os.cpus().length} × ${cpu}, Node ${process.version}, Redis ${REDIS.replace(/\/\/[^@]*@/, '//***@')}), ${((Date.now() - t0) / 60000).toFixed(1)} min.`,
      `**Load:** this machine has ${os.cpus().length} cores, shared with other processes (other agents' tests and benchmarks may run at the same time): load average (1/5/15 min) ${loadStart} at the start, ${loadEnd} at the end, and after each run in the table (this bench's own processes count in it: 1–2 workers and this one). Above ${os.cpus().length}, the workers got less than a core each. Two worker processes cannot scale past the cores that are free, so the ratio is a floor for a machine (or two machines) with the cores to spare.`,
      '',
      `Batch: what-if, 4 pedestrian sensors (per-series models of \`fixtures/melbourne_pedestrian_4_sensors.csv\`, ${STEPS} training steps, default network: hidden 128, 3 blocks, context on) × 3 cases + baseline × ${DATES} dates (2017-01-02 … 01-08), ${COUNT} scenarios per date, ddim:50: ${scenarios.toLocaleString('en-US')} scenarios (the cases reuse the base scenarios) in 4 units (one per sensor; a context-aware unit spans the 7 dates). Each worker: \`mixcast worker --concurrency 1\` (one unit thread). Time: submit → batch completed (workers started and ready before).`,
      '',
      '| round | workers | seconds | scenarios/s | load after |',
      '|---:|---:|---:|---:|---|',
      ...runs.map((r) => `| ${r.round} | ${r.workers} | ${r.seconds.toFixed(1)} | ${r.scenariosPerSecond.toFixed(0)} | ${r.load} |`),
      '',
      `**Throughput: 1 worker ${one.toFixed(0)} scenarios/s, 2 workers ${two.toFixed(0)} scenarios/s; scaling ratio ${(two / one).toFixed(2)}** (over ${ROUNDS} round(s); per round: ${Array.from({ length: ROUNDS }, (_, i) => (runs[2 * i].seconds / runs[2 * i + 1].seconds).toFixed(2)).join(', ')}).`,
      `Every run gave the identical result: ${identical ? 'yes' : 'NO'}.`,
      '',
    ];
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, 'batch.md'), lines.join('\n'));
    fs.writeFileSync(path.join(RESULTS, 'batch.json'), JSON.stringify({ date, count: COUNT, rounds: ROUNDS, steps: STEPS, scenarios, loadStart, loadEnd, cpus: os.cpus().length, runs, oneWorker: one, twoWorkers: two, ratio: two / one, identical }, null, 1) + '\n');
    log(lines.join('\n'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
