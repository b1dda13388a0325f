/**
 * `npm run bench:speed` (also `npm run bench`): training and sampling speed, not part of CI.
 *
 * - Training steps/s and peak RSS per available backend (wasm, cpu, tensorflow, tensorflow-gpu;
 *   each in its own child process), for the PyTorch reference's exact MLP shape, for the
 *   project's Denoiser at d = 48 (its nearest equivalent), for the real default model (fitModel
 *   defaults: hidden 128, label, covariance skip), the same without the skip, and at width 256.
 * - 1,000 scenarios of one day with the default model: wall time with ddpm (1,000 steps), ddim:50
 *   and ode:50, in-process, on 1 worker and on all cores (the scenario service's WorkerPool,
 *   256-scenario units); ddim:50 also at width 256.
 * - API latency p50/p95 for 100 scenarios over loopback (startServer, bounded request count).
 * - Where the training time goes: time per kernel type (tf.profile) on the default network.
 *
 * Flags: --quick (fewer steps/requests), --backends wasm,cpu,… (default: all four).
 * Writes bench/results/speed.json and prints a table.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, RESULTS, environment, log } from './lib/common.js';
import { cores, runTask, tmpModelDir, type SpeedTask } from './lib/speed-tasks.js';
import { writeFileAtomic } from '../src/io.js';
import { mdTable } from '../src/eval/report.js';
import type { BackendName } from '../src/backend.js';
import { defaultFitOptions } from '../src/train/fit.js';

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const task = JSON.parse(argv[1]) as SpeedTask;
  try {
    const r = await runTask(task);
    process.stdout.write(`\nRESULT ${JSON.stringify(r)}\n`);
    process.exit(0);
  } catch (e) {
    process.stdout.write(`\nERROR ${JSON.stringify((e as Error).message.split('\n')[0])}\n`);
    process.exit(1);
  }
}

const quick = argv.includes('--quick');
const bi = argv.indexOf('--backends');
const backends = (bi >= 0 ? argv[bi + 1] : 'wasm,cpu,tensorflow,tensorflow-gpu').split(',') as BackendName[];

interface Measured {
  task: SpeedTask;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: string;
  wallSeconds: number;
}

function child(task: SpeedTask, timeoutMs = 15 * 60_000): Measured {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'speed.ts'), '--child', JSON.stringify(task)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = (Date.now() - t0) / 1000;
  const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status === 0 && line) return { task, ok: true, result: JSON.parse(line.slice(7)), wallSeconds };
  const errLine = r.stdout?.split('\n').find((l) => l.startsWith('ERROR '));
  const err = errLine ? (JSON.parse(errLine.slice(6)) as string) : r.error ? r.error.message : `exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0]}`;
  return { task, ok: false, error: err, wallSeconds };
}

const results: Measured[] = [];
const say = (m: Measured, what: string) => {
  results.push(m);
  log(m.ok ? `${what}: ${JSON.stringify(m.result)}` : `${what}: unavailable (${m.error})`);
};

// ───────────── training, per backend
const trainSteps = (b: BackendName, shape: string) => {
  if (quick) return b === 'cpu' ? 3 : 10;
  if (b === 'cpu') return shape === 'reference-mlp' ? 20 : 5;
  return shape === 'reference-mlp' ? 200 : 150;
};
const unavailable = new Set<BackendName>();
for (const b of backends) {
  for (const shape of ['reference-mlp', 'denoiser-48', 'default-model', 'default-skip-none', 'hidden-256-model'] as const) {
    if (unavailable.has(b)) continue;
    const m = child({ kind: 'train', backend: b, shape, steps: trainSteps(b, shape) });
    say(m, `train ${shape} on ${b}`);
    if (!m.ok) unavailable.add(b);
  }
}

// ───────────── sampling and API (default backend: wasm)
const DEFAULT_HIDDEN = defaultFitOptions.hidden;
const dir = tmpModelDir();
const dir256 = tmpModelDir();
for (const [d, hidden] of [[dir, DEFAULT_HIDDEN], [dir256, 256]] as const) {
  const prep = child({ kind: 'prepare', dir: d, hidden });
  if (!prep.ok) throw new Error(`could not prepare the model: ${prep.error}`);
}
const n = cores();
const samplers = quick ? ['ddim:50'] : ['ddim:50', 'ode:50', 'ddpm'];
for (const sampler of samplers) {
  for (const workers of [0, 1, n]) {
    say(child({ kind: 'sample', backend: 'wasm', dir, hidden: DEFAULT_HIDDEN, sampler, workers, count: 1000 }), `1000 scenarios ${sampler} on ${workers === 0 ? 'the main thread' : `${workers} worker(s)`}`);
  }
}
for (const workers of [1, n]) {
  say(child({ kind: 'sample', backend: 'wasm', dir: dir256, hidden: 256, sampler: 'ddim:50', workers, count: 1000 }), `1000 scenarios ddim:50 (hidden 256) on ${workers} worker(s)`);
}
say(child({ kind: 'api', backend: 'wasm', dir, workers: n, requests: quick ? 10 : 40, count: 100 }), `API 100 scenarios, ${n} workers`);
say(child({ kind: 'profile', backend: 'wasm', steps: quick ? 3 : 10 }), 'profile of the default network on wasm');
fs.rmSync(path.dirname(dir), { recursive: true, force: true });
fs.rmSync(path.dirname(dir256), { recursive: true, force: true });

// ───────────── report
const get = (pred: (t: SpeedTask) => boolean) => results.filter((m) => pred(m.task));
const trainRows = get((t) => t.kind === 'train').map((m) => {
  const t = m.task as Extract<SpeedTask, { kind: 'train' }>;
  return [t.backend, t.shape, m.ok ? Number(m.result!.stepsPerSec).toFixed(1) : 'unavailable', m.ok ? String(m.result!.params) : '—', m.ok ? String(m.result!.peakRssMiB) : '—', m.ok ? '' : (m.error ?? '').slice(0, 80)];
});
const sampleRows = get((t) => t.kind === 'sample').map((m) => {
  const t = m.task as Extract<SpeedTask, { kind: 'sample' }>;
  return [t.sampler, `hidden ${t.hidden}`, t.workers === 0 ? 'main thread' : `${t.workers} worker${t.workers > 1 ? 's' : ''}`, m.ok ? Number(m.result!.seconds).toFixed(2) : 'failed', m.ok ? String(m.result!.peakRssMiB) : '—'];
});
const api = get((t) => t.kind === 'api')[0];
const prof = get((t) => t.kind === 'profile')[0];
const wasmDefault = results.find((m) => m.task.kind === 'train' && m.task.backend === 'wasm' && m.task.shape === 'default-model' && m.ok);
const wasmRef = results.find((m) => m.task.kind === 'train' && m.task.backend === 'wasm' && m.task.shape === 'reference-mlp' && m.ok);
const ddim = results.find((m) => m.task.kind === 'sample' && m.task.sampler === 'ddim:50' && m.task.hidden === DEFAULT_HIDDEN && m.task.workers === n && m.ok);
const ddim256 = results.find((m) => m.task.kind === 'sample' && m.task.sampler === 'ddim:50' && m.task.hidden === 256 && m.task.workers === n && m.ok);
const wasmNoSkip = results.find((m) => m.task.kind === 'train' && m.task.backend === 'wasm' && m.task.shape === 'default-skip-none' && m.ok);
const wasm256 = results.find((m) => m.task.kind === 'train' && m.task.backend === 'wasm' && m.task.shape === 'hidden-256-model' && m.ok);
const ddpm1 = results.find((m) => m.task.kind === 'sample' && m.task.sampler === 'ddpm' && m.task.hidden === DEFAULT_HIDDEN && m.task.workers === 1 && m.ok);
const num = (m: Measured | undefined, k: string) => (m ? Number(m.result![k]) : null);
const targets = {
  trainDefaultStepsPerSec: { target: 75, measured: num(wasmDefault, 'stepsPerSec'), model: `fitModel defaults (hidden ${DEFAULT_HIDDEN}, skip ${defaultFitOptions.skip})` },
  trainDefaultSkipNoneStepsPerSec: { measured: num(wasmNoSkip, 'stepsPerSec') },
  trainHidden256StepsPerSec: { target: 75, measured: num(wasm256, 'stepsPerSec') },
  trainReferenceMlpStepsPerSec: { reference: 148, measured: num(wasmRef, 'stepsPerSec') },
  scenarios1000Ddim50AllCoresSeconds: { target: 1, measured: num(ddim, 'seconds'), model: `hidden ${DEFAULT_HIDDEN}` },
  scenarios1000Ddim50Hidden256AllCoresSeconds: { target: 1, measured: num(ddim256, 'seconds') },
  scenarios1000Ddpm1WorkerSeconds: { reference: 8.6, measured: num(ddpm1, 'seconds') },
};
const out = {
  createdAt: new Date().toISOString(),
  quick,
  environment: environment('per measurement'),
  loadAverageAtEnd: os.loadavg(),
  cores: n,
  reference: { pytorchCpuTrainStepsPerSec: 148, pytorchCpu1000x1000ReverseSeconds: 8.6, shape: 'MLP 128 → 3×256 → 48, batch 256, Adam' },
  targets,
  measurements: results,
};
writeFileAtomic(path.join(RESULTS, 'speed.json'), JSON.stringify(out, null, 1) + '\n');

const table = [
  mdTable(['backend', 'shape', 'train steps/s', 'parameters', 'peak RSS MiB', 'note'], trainRows),
  mdTable(['sampler', 'network', 'where', '1,000 scenarios (s)', 'peak RSS MiB'], sampleRows),
  api?.ok ? mdTable(['API', 'p50 ms', 'p95 ms', 'mean ms'], [[`POST /v1/scenarios, 100 scenarios, ${n} workers, ${api.result!.requests} requests`, String(api.result!.p50ms), String(api.result!.p95ms), String(api.result!.meanMs)]]) : `API: ${api?.error}\n`,
  prof?.ok
    ? mdTable(
        [`kernel (wasm, ${String(prof.result!.network ?? 'default network')})`, 'ms per step', 'calls'],
        (prof.result!.kernels as { name: string; msPerStep: number; calls: number }[]).slice(0, 12).map((k) => [k.name, k.msPerStep.toFixed(2), String(k.calls)]),
      )
    : '',
  mdTable(
    ['target', 'value'],
    [
      [`training ≥ 75 steps/s, default model (hidden ${DEFAULT_HIDDEN}, skip ${defaultFitOptions.skip}), default backend`, `${targets.trainDefaultStepsPerSec.measured?.toFixed(1) ?? '—'} steps/s`],
      ['same model with skip none (cost of the skip)', `${targets.trainDefaultSkipNoneStepsPerSec.measured?.toFixed(1) ?? '—'} steps/s`],
      ['training at the previous width 256', `${targets.trainHidden256StepsPerSec.measured?.toFixed(1) ?? '—'} steps/s`],
      ['reference MLP shape vs PyTorch CPU 148 steps/s', `${targets.trainReferenceMlpStepsPerSec.measured?.toFixed(1) ?? '—'} steps/s`],
      [`1,000 scenarios with ddim:50 on ${n} cores < 1 s (default model, hidden ${DEFAULT_HIDDEN})`, `${targets.scenarios1000Ddim50AllCoresSeconds.measured?.toFixed(2) ?? '—'} s`],
      [`1,000 scenarios with ddim:50 on ${n} cores (hidden 256)`, `${targets.scenarios1000Ddim50Hidden256AllCoresSeconds.measured?.toFixed(2) ?? '—'} s`],
      [`1,000 × 1,000 ddpm steps, 1 worker, default model (PyTorch 8.6 s for the 256-wide reference)`, `${targets.scenarios1000Ddpm1WorkerSeconds.measured?.toFixed(1) ?? '—'} s`],
    ],
  ),
].join('\n');
process.stdout.write(table + '\n');
writeFileAtomic(
  path.join(RESULTS, 'speed.md'),
  `# mixcast speed benchmark\n\n\`npm run bench:speed${quick ? ' -- --quick' : ''}\` on ${n} cores (${JSON.stringify(out.environment)}; load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}). ` +
    'Reference (PyTorch CPU, same machine kind, MLP 128 → 3×256 → 48, batch 256, Adam): 148 train steps/s; 8.6 s for 1,000 vectors × 1,000 reverse steps.\n\n' +
    table +
    '\n',
);
log(`wrote ${path.relative(ROOT, path.join(RESULTS, 'speed.json'))}`);
