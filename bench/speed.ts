/**
 * `npm run bench:speed` (also `npm run bench`): mixcast's speed against a PyTorch peer measured in
 * the same run, not part of CI.
 *
 * The peer (bench/peer/peer.py: the same denoiser, batch, optimizer and DDIM sampler) runs when
 * a python3 with torch is found (`MIXCAST_PEER_PYTHON`, else `python3`, else `/usr/bin/python3`;
 * Debian: `apt-get install -y python3-torch libopenblas0-pthread`). Peer and mixcast alternate
 * (`--alternations`, default 3), each measurement in its own process, and every figure is reported
 * as a ratio to the peer's figure from the same alternation — as a range over the alternations.
 * Without torch the report says so and gives no ratios. Nothing is compared with stored numbers.
 *
 * Figures: training steps/s (reference MLP 128 → 3×256 → 48; the default model on one thread and
 * on two data-parallel shards/threads; the peer on 1 and 2 threads), also per CPU-second (robust to
 * other load on a shared machine); 1,000 scenarios with ddim:50 (2 workers / 2 threads, and one
 * thread); POST /v1/scenarios p50 for 100 scenarios next to the same request through the worker
 * pool without HTTP; kernels per training step and per sampler step (tf.profile); time to quality:
 * the seconds mixcast's default model needs to reach the held-out energy score that the peer's
 * plain DDPM reaches after 2,000 steps on bank_calls_2003 (both trained in this run).
 *
 * Flags: --quick (fewer steps, 1 alternation), --alternations N, --no-ttq, --no-peer.
 * Writes bench/results/speed.json and speed.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, RESULTS, environment, log } from './lib/common.js';
import { cores, runTask, tmpDir, type SpeedTask } from './lib/speed-tasks.js';
import { writeFileAtomic } from '../src/core/io.js';
import { mdTable } from '../src/eval/report.js';

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
const ai = argv.indexOf('--alternations');
const alternations = ai >= 0 ? Math.max(1, Number(argv[ai + 1])) : quick ? 1 : 3;
const withTtq = !argv.includes('--no-ttq');
const n = cores();

type Result = Record<string, unknown> & { ok: boolean; error?: string; wallSeconds: number };

function child(task: SpeedTask, timeoutMs = 15 * 60_000): Result {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'speed.ts'), '--child', JSON.stringify(task)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallSeconds = (Date.now() - t0) / 1000;
  const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status === 0 && line) return { ok: true, ...JSON.parse(line.slice(7)), wallSeconds };
  const errLine = r.stdout?.split('\n').find((l) => l.startsWith('ERROR '));
  const error = errLine ? (JSON.parse(errLine.slice(6)) as string) : r.error ? r.error.message : `exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0]}`;
  return { ok: false, error, wallSeconds };
}

// ───────────── the peer
interface Peer {
  python: string;
  torch: string;
}
function findPeer(): { peer: Peer | null; why: string } {
  if (argv.includes('--no-peer')) return { peer: null, why: '--no-peer was given' };
  const tried: string[] = [];
  for (const python of [...new Set([process.env.MIXCAST_PEER_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p))]) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) return { peer: { python, torch: r.stdout.trim() }, why: '' };
    tried.push(`${python}: ${r.error ? r.error.message : (r.stderr ?? '').trim().split('\n').slice(-1)[0]}`);
  }
  return { peer: null, why: tried.join('; ') };
}
const { peer, why } = findPeer();
const PEER_SCRIPT = path.join(ROOT, 'bench', 'peer', 'peer.py');
function runPeer(args: string[], threads: number): Result {
  if (!peer) return { ok: false, error: 'no peer', wallSeconds: 0 };
  const t0 = Date.now();
  // PASSIVE: idle OpenMP threads sleep instead of spinning, which on a busy shared machine
  // otherwise costs the 2-thread peer more than the second thread gains.
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' };
  const r = spawnSync(peer.python, [PEER_SCRIPT, ...args, '--threads', String(threads)], { encoding: 'utf8', env, timeout: 15 * 60_000, maxBuffer: 256 * 1024 * 1024 });
  const wallSeconds = (Date.now() - t0) / 1000;
  const line = r.stdout?.trim().split('\n').slice(-1)[0];
  if (r.status === 0 && line?.startsWith('{')) return { ok: true, ...JSON.parse(line), wallSeconds };
  return { ok: false, error: `peer exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0]}`, wallSeconds };
}
log(peer ? `PyTorch peer: ${peer.python} (torch ${peer.torch})` : `PyTorch peer not available (${why}); no ratios will be reported. Install: apt-get install -y python3-torch libopenblas0-pthread`);

// ───────────── set-up
const tmp = tmpDir();
const dir = path.join(tmp, 'model');
const peerData = path.join(tmp, 'peer-data.json');
const prep = child({ kind: 'prepare', dir, peerData });
if (!prep.ok) throw new Error(`could not prepare the model: ${prep.error}`);

const REF_STEPS = quick ? 50 : 300;
/** Scenarios per held-out day in the time-to-quality scores (the same for both sides). */
const TTQ_COUNT = 100;
const MODEL_STEPS = quick ? 60 : 300;
const say = (what: string, r: Result) => log(r.ok ? `${what}: ${JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !['kernels', 'samples', 'curve'].includes(k))))}` : `${what}: failed (${r.error})`);

interface Alternation {
  peerRef?: Result;
  ref: Result;
  peerModel1?: Result;
  peerModel2?: Result;
  model1: Result;
  model2: Result;
  peerSample1?: Result;
  peerSample2?: Result;
  sampleMain: Result;
  samplePool: Result;
}
const runs: Alternation[] = [];
for (let a = 0; a < alternations; a++) {
  log(`— alternation ${a + 1}/${alternations} (load average ${os.loadavg().map((x) => x.toFixed(1)).join(', ')})`);
  const alt = {} as Alternation;
  const peerFirst = a % 2 === 0;
  const pair = (mine: () => void, theirs: () => void) => (peerFirst ? (theirs(), mine()) : (mine(), theirs()));
  pair(
    () => say('mixcast reference MLP', (alt.ref = child({ kind: 'train', shape: 'reference-mlp', steps: REF_STEPS }))),
    () => peer && say('peer reference MLP, 1 thread', (alt.peerRef = runPeer(['ref', '--steps', String(REF_STEPS)], 1))),
  );
  pair(
    () => {
      say('mixcast default model, 1 shard, 1 thread', (alt.model1 = child({ kind: 'train', shape: 'default-model', steps: MODEL_STEPS, shards: 1, threads: false })));
      say('mixcast default model, 2 shards on 2 threads', (alt.model2 = child({ kind: 'train', shape: 'default-model', steps: MODEL_STEPS, shards: 2, threads: true })));
    },
    () => {
      if (!peer) return;
      say('peer default model, 1 thread', (alt.peerModel1 = runPeer(['train', '--data', peerData, '--steps', String(MODEL_STEPS)], 1)));
      say('peer default model, 2 threads', (alt.peerModel2 = runPeer(['train', '--data', peerData, '--steps', String(MODEL_STEPS)], 2)));
    },
  );
  pair(
    () => {
      say('mixcast 1,000 scenarios ddim:50, main thread', (alt.sampleMain = child({ kind: 'sample', dir, sampler: 'ddim:50', workers: 0, count: 1000 })));
      say(`mixcast 1,000 scenarios ddim:50, ${n} workers`, (alt.samplePool = child({ kind: 'sample', dir, sampler: 'ddim:50', workers: n, count: 1000 })));
    },
    () => {
      if (!peer) return;
      say('peer 1,000 scenarios ddim:50, 1 thread', (alt.peerSample1 = runPeer(['sample', '--data', peerData, '--count', '1000', '--sampler-steps', '50'], 1)));
      say(`peer 1,000 scenarios ddim:50, ${n} threads`, (alt.peerSample2 = runPeer(['sample', '--data', peerData, '--count', '1000', '--sampler-steps', '50'], n)));
    },
  );
  runs.push(alt);
}

const api = child({ kind: 'api', dir, workers: n, requests: quick ? 10 : 40, count: 100 });
say(`API 100 scenarios, ${n} workers`, api);
const profTrain = child({ kind: 'profile', what: 'train', dir });
say('kernels per training step', profTrain);
const profSample = child({ kind: 'profile', what: 'sample', dir });
say('kernels per sampler step', profSample);

// ───────────── time to quality
let ttq: Result | null = null;
let peerDdpm: Result | null = null;
if (withTtq) {
  const ttqData = path.join(tmp, 'ttq-data.json');
  const d = child({ kind: 'ttq-data', file: ttqData });
  if (!d.ok) throw new Error(`could not prepare the time-to-quality data: ${d.error}`);
  const peerSamples = path.join(tmp, 'ttq-peer.json');
  if (peer) {
    peerDdpm = runPeer(['ddpm', '--data', ttqData, '--steps', quick ? '500' : '2000', '--count', String(TTQ_COUNT)], 1);
    say('peer plain DDPM (time-to-quality reference)', peerDdpm);
    if (peerDdpm.ok) fs.writeFileSync(peerSamples, JSON.stringify({ samples: peerDdpm.samples, seconds: peerDdpm.seconds, steps: peerDdpm.steps }));
  }
  ttq = child({ kind: 'ttq', peerSamples: peerDdpm?.ok ? peerSamples : null, checkpoints: quick ? [25, 50, 100] : [25, 50, 100, 250, 500], count: TTQ_COUNT });
  say('mixcast default model time to quality', ttq);
}
fs.rmSync(tmp, { recursive: true, force: true });

// ───────────── report
const num = (r: Result | undefined, k: string): number | null => (r?.ok && typeof r[k] === 'number' ? (r[k] as number) : null);
const perCpu = (r: Result | undefined) => {
  const s = num(r, 'steps');
  const c = num(r, 'cpuSeconds');
  return s !== null && c ? s / c : null;
};
const range = (v: (number | null)[], digits = 1) => {
  const xs = v.filter((x): x is number => x !== null && Number.isFinite(x));
  if (!xs.length) return '—';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo.toFixed(digits) === hi.toFixed(digits) ? lo.toFixed(digits) : `${lo.toFixed(digits)}–${hi.toFixed(digits)}`;
};
const ratios = (mine: (a: Alternation) => number | null, theirs: (a: Alternation) => number | null, invert = false) =>
  runs.map((a) => {
    const m = mine(a);
    const p = theirs(a);
    if (m === null || p === null || !peer) return null;
    return invert ? p / m : m / p;
  });

interface Row {
  figure: string;
  mixcast: (a: Alternation) => number | null;
  peer: (a: Alternation) => number | null;
  unit: string;
  /** Seconds (smaller is better): the ratio is peer/mixcast so that > 1 means mixcast is faster. */
  seconds?: boolean;
  digits?: number;
}
const rows: Row[] = [
  { figure: 'train steps/s, reference MLP (mixcast 1 thread vs peer 1 thread)', mixcast: (a) => num(a.ref, 'stepsPerSec'), peer: (a) => num(a.peerRef, 'stepsPerSec'), unit: 'steps/s' },
  { figure: 'train steps per CPU-second, reference MLP', mixcast: (a) => perCpu(a.ref), peer: (a) => perCpu(a.peerRef), unit: 'steps/CPU-s' },
  { figure: 'train steps/s, default model (mixcast 1 shard, 1 thread vs peer 1 thread)', mixcast: (a) => num(a.model1, 'stepsPerSec'), peer: (a) => num(a.peerModel1, 'stepsPerSec'), unit: 'steps/s' },
  { figure: 'train steps per CPU-second, default model (1 thread each)', mixcast: (a) => perCpu(a.model1), peer: (a) => perCpu(a.peerModel1), unit: 'steps/CPU-s' },
  { figure: `train steps/s, default model (mixcast 2 shards on 2 threads vs peer ${n} threads)`, mixcast: (a) => num(a.model2, 'stepsPerSec'), peer: (a) => num(a.peerModel2, 'stepsPerSec'), unit: 'steps/s' },
  { figure: 'train steps/s, default model (mixcast 2 shards on 2 threads vs peer 1 thread)', mixcast: (a) => num(a.model2, 'stepsPerSec'), peer: (a) => num(a.peerModel1, 'stepsPerSec'), unit: 'steps/s' },
  { figure: `1,000 scenarios ddim:50 (mixcast ${n} workers vs peer ${n} threads)`, mixcast: (a) => num(a.samplePool, 'seconds'), peer: (a) => num(a.peerSample2, 'seconds'), unit: 's', seconds: true, digits: 2 },
  { figure: '1,000 scenarios ddim:50 (mixcast main thread vs peer 1 thread)', mixcast: (a) => num(a.sampleMain, 'seconds'), peer: (a) => num(a.peerSample1, 'seconds'), unit: 's', seconds: true, digits: 2 },
];
const table = rows.map((r) => [
  r.figure,
  `${range(runs.map(r.mixcast), r.digits ?? 1)} ${r.unit}`,
  peer ? `${range(runs.map(r.peer), r.digits ?? 1)} ${r.unit}` : 'no peer',
  peer ? range(ratios(r.mixcast, r.peer, r.seconds), 2) : '—',
]);

const ttqR = ttq?.ok ? (ttq as unknown as { peer: { energy: number; seconds: number; steps: number } | null; curve: { step: number; trainSeconds: number; energy: number }[]; reached: { step: number; trainSeconds: number; energy: number } | null; speedUp: number | null }) : null;
const trainRatioRef = ratios((a) => num(a.ref, 'stepsPerSec'), (a) => num(a.peerRef, 'stepsPerSec'));
const trainRatioModel = ratios((a) => num(a.model2, 'stepsPerSec'), (a) => num(a.peerModel1, 'stepsPerSec'));
const ddim2 = runs.map((a) => num(a.samplePool, 'seconds'));
const verdict = (v: (number | null)[], ok: (x: number) => boolean) => {
  const xs = v.filter((x): x is number => x !== null);
  if (!xs.length) return 'not measured';
  return xs.every(ok) ? 'met in every alternation' : xs.some(ok) ? 'met in some alternations' : 'not met';
};
const targets = [
  ['training per step ≥ 0.5 × the peer, reference MLP', peer ? `${range(trainRatioRef, 2)} ×` : 'no peer', peer ? verdict(trainRatioRef, (x) => x >= 0.5) : '—'],
  ['training per step ≥ 0.5 × the peer (1 thread), default model (2 shards)', peer ? `${range(trainRatioModel, 2)} ×` : 'no peer', peer ? verdict(trainRatioModel, (x) => x >= 0.5) : '—'],
  [`1,000 scenarios ddim:50 < 0.5 s on ${n} cores`, `${range(ddim2, 2)} s`, verdict(ddim2, (x) => x < 0.5)],
  ['POST /v1/scenarios, 100 scenarios, p50 < 100 ms', api.ok ? `${String(api.p50ms)} ms` : 'failed', api.ok ? ((api.p50ms as number) < 100 ? 'met' : 'not met') : '—'],
  [
    'time to quality ≥ 10 × faster than the peer’s DDPM',
    ttqR?.speedUp ? `${ttqR.speedUp.toFixed(1)} ×` : ttqR?.peer ? 'target score not reached' : 'no peer',
    ttqR?.speedUp ? (ttqR.speedUp >= 10 ? 'met' : 'not met') : '—',
  ],
];

const out = {
  createdAt: new Date().toISOString(),
  quick,
  alternations,
  environment: environment('wasm'),
  loadAverageAtEnd: os.loadavg(),
  cores: n,
  peer: peer ? { ...peer, script: 'bench/peer/peer.py' } : { available: false, why },
  runs,
  api,
  profiles: { train: profTrain, sample: profSample },
  timeToQuality: ttq ? { mixcast: ttq, peer: peerDdpm ? { ...peerDdpm, samples: undefined } : null } : null,
  targets: targets.map(([target, value, status]) => ({ target, value, status })),
};
writeFileAtomic(path.join(RESULTS, 'speed.json'), JSON.stringify(out, null, 1) + '\n');

const kernelTable = (p: Result, title: string) =>
  p.ok
    ? `${title}: ${String(p.kernelsPerStep)} kernels per step (${String(p.network)})\n\n` +
      mdTable(['kernel', 'calls per step'], (p.kernels as { name: string; calls: number }[]).map((k) => [k.name, String(k.calls)]))
    : `${title}: failed (${p.error})\n`;
const md = [
  mdTable([`figure (range over ${alternations} alternation${alternations > 1 ? 's' : ''})`, 'mixcast', peer ? `PyTorch ${peer.torch} peer` : 'PyTorch peer', 'ratio (mixcast ÷ peer speed)'], table),
  api.ok
    ? mdTable(['API', 'p50 ms', 'p95 ms'], [
        [`POST /v1/scenarios, 100 scenarios, ${n} workers, ${String(api.requests)} requests`, String(api.p50ms), String(api.p95ms)],
        ['the same request through the worker pool, no HTTP', String(api.libraryP50ms), String(api.libraryP95ms)],
      ])
    : `API: failed (${api.error})\n`,
  kernelTable(profTrain, 'Training'),
  kernelTable(profSample, 'Sampling'),
  ttqR
    ? `Time to quality (bank_calls_2003, 30 min: train on the first 60 % of days, energy score on the next 20 %, ${TTQ_COUNT} scenarios per day):\n\n` +
      (ttqR.peer ? `peer plain DDPM after ${ttqR.peer.steps} steps: energy ${ttqR.peer.energy.toFixed(1)} in ${ttqR.peer.seconds.toFixed(1)} s of training (1 thread)\n\n` : 'no peer: no target score\n\n') +
      mdTable(['mixcast default model, step', 'training seconds', 'energy score'], ttqR.curve.map((c) => [String(c.step), c.trainSeconds.toFixed(1), c.energy.toFixed(1)])) +
      (ttqR.reached ? `\nreached the peer's score at step ${ttqR.reached.step} after ${ttqR.reached.trainSeconds.toFixed(1)} s: ${ttqR.speedUp!.toFixed(1)} × faster\n` : ttqR.peer ? "\nthe peer's score was not reached within the checkpoints\n" : '')
    : withTtq
      ? `Time to quality: failed (${ttq?.error})\n`
      : '',
  mdTable(['target', 'measured', 'status'], targets),
].join('\n');
process.stdout.write(md + '\n');
const peerLine = peer
  ? `PyTorch peer: ${peer.python}, torch ${peer.torch} (bench/peer/peer.py; OMP/OpenBLAS threads as stated). `
  : `PyTorch peer: not available (${why}) — no ratios. Install it with \`apt-get install -y python3-torch libopenblas0-pthread\`. `;
writeFileAtomic(
  path.join(RESULTS, 'speed.md'),
  `# mixcast speed benchmark\n\n\`npm run bench:speed${quick ? ' -- --quick' : ''}\` on ${n} cores (${JSON.stringify(out.environment)}; load average at the end ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}). ${peerLine}Peer and mixcast alternate; each figure is a range over the alternations and each ratio compares the two sides of the same alternation. ` +
    'Steps per CPU-second divide by the process CPU time, which other load on a shared machine inflates far less than wall time.\n\n' +
    md +
    '\n',
);
log(`wrote ${path.relative(ROOT, path.join(RESULTS, 'speed.json'))} and speed.md`);
