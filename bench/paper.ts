/**
 * `npm run bench:paper [-- flags]`: the paper's claims measured (not part of CI).
 *
 *   --only synthetic,calls,misspec,quality   sections to run (default: all)
 *   --datasets bank,anon                     call-center datasets (default: both)
 *   --quick                                  tiny version (few steps, 1 seed) to check the plumbing
 *   --jobs N                                 jobs in parallel, one process each (default: 2, capped by cores)
 *   --resume                                 keep runs already saved in bench/results/shards/ and skip them
 *   --seed N                                 base seed (default 0)
 *   --max-steps N                            longest real-data run (default 2000)
 *   --hidden N --blocks N --batch N          real-data network (default 128, 3, 256)
 *   --count N                                scenarios per calendar key when scoring (default 200)
 *   --width-check                            also train the bank weekday model at hidden 256
 *   --defaults prior=weekday,condition=component,skip=covariance,steps=500,sampler=ddim:50
 *                                            defaults for section 6 (default: chosen from section 2)
 *   --report-only                            rebuild paper.json / paper.md / charts from the shards
 *
 * Every job runs in its own child process (tfjs holds one global backend) and saves its results
 * after every training run (bench/results/shards/<job>.json), so a crash loses nothing done; rerun
 * with --resume to continue.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, RESULTS, environment, log, readShards } from './lib/common.js';
import { jobNames, runJob, type Defaults, type PaperFlags } from './lib/jobs.js';
import { FALLBACK_DEFAULTS, buildReport, chooseDefaults } from './lib/paper-report.js';
import { SKIP_MODES, type SkipMode } from '../src/train/fit.js';

const SECTIONS = ['synthetic', 'calls', 'misspec', 'quality'];

function parseArgs(argv: string[]) {
  const a: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    const name = k.slice(2);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      a[name] = next;
      i++;
    } else a[name] = true;
  }
  return a;
}

const args = parseArgs(process.argv.slice(2));
const num = (k: string, d: number) => {
  if (args[k] === undefined) return d;
  const v = Number(args[k]);
  if (!Number.isFinite(v)) throw new Error(`--${k} must be a number`);
  return v;
};
const quick = Boolean(args.quick);
const flags: PaperFlags & { datasets: ('bank' | 'anon')[] } = {
  quick,
  seed: num('seed', 0),
  hidden: num('hidden', 128),
  blocks: num('blocks', 3),
  batch: num('batch', 256),
  lr: num('lr', 2e-3),
  maxSteps: num('max-steps', quick ? 400 : 2000),
  count: num('count', quick ? 100 : 200),
  resume: Boolean(args.resume),
  shardDir: path.join(RESULTS, 'shards'),
  datasets: String(args.datasets ?? 'bank,anon').split(',').map((s) => s.trim()) as ('bank' | 'anon')[],
};
for (const d of flags.datasets) if (d !== 'bank' && d !== 'anon') throw new Error(`unknown dataset ${d}; use bank, anon`);

function parseDefaults(text: string): Defaults {
  const d: Defaults = { ...FALLBACK_DEFAULTS, hidden: flags.hidden, blocks: flags.blocks };
  for (const part of text.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (k === 'prior' || k === 'sampler') d[k] = v;
    else if (k === 'condition') d.condition = v as Defaults['condition'];
    else if (k === 'skip') {
      if (!SKIP_MODES.includes(v as SkipMode)) throw new Error(`--defaults: skip must be one of ${SKIP_MODES.join(', ')}`);
      d.skip = v as SkipMode;
    }
    else if (k === 'steps' || k === 'hidden' || k === 'blocks') d[k] = Number(v);
    else throw new Error(`--defaults: unknown key ${k}`);
  }
  return d;
}

if (typeof args.child === 'string') {
  // child: run one job
  const defaults = typeof args['defaults-json'] === 'string' ? (JSON.parse(args['defaults-json']) as Defaults) : null;
  await runJob(args.child, flags, defaults);
  process.exit(0);
}

const only = new Set(String(args.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim()));
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; use ${SECTIONS.join(', ')}`);
const jobsN = Math.max(1, Math.min(num('jobs', 2), os.cpus().length));
fs.mkdirSync(flags.shardDir, { recursive: true });

function childArgs(job: string, extra: string[] = []): string[] {
  const pass: string[] = [];
  for (const [k, v] of Object.entries(args)) {
    if (['only', 'jobs', 'report-only', 'defaults', 'width-check', 'child', 'defaults-json'].includes(k)) continue;
    pass.push(`--${k}`);
    if (v !== true) pass.push(String(v));
  }
  return ['--import', 'tsx', path.join(ROOT, 'bench', 'paper.ts'), '--child', job, ...pass, ...extra];
}

function runChild(job: string, extra: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    log(`▶ ${job}`);
    const child = spawn(process.execPath, childArgs(job, extra), { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => {
      if (code === 0) {
        log(`✔ ${job} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        resolve();
      } else reject(new Error(`job ${job} failed with exit code ${code}`));
    });
  });
}

async function pool(jobs: string[], n: number, extra: (job: string) => string[] = () => []): Promise<string[]> {
  const failed: string[] = [];
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: Math.min(n, queue.length) }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        try {
          await runChild(job, extra(job));
        } catch (e) {
          failed.push(job);
          log(`✘ ${(e as Error).message}`);
        }
      }
    }),
  );
  return failed;
}

const started = Date.now();
const failed: string[] = [];
if (!args['report-only']) {
  if (!flags.resume) {
    // a fresh run: drop the shards of the jobs about to run
    const planned = [...jobNames(only, flags.datasets, Boolean(args['width-check'])), ...(only.has('quality') ? flags.datasets.map((d) => `quality-${d}`) : [])];
    for (const j of planned) fs.rmSync(path.join(flags.shardDir, `${j}.json`), { force: true });
  }
  failed.push(...(await pool(jobNames(only, flags.datasets, Boolean(args['width-check'])), jobsN)));
}

let defaultsInfo: { defaults: Defaults; evidence: string[]; source: string } | null = null;
{
  const shards = readShards(flags.shardDir);
  if (typeof args.defaults === 'string') {
    defaultsInfo = { defaults: parseDefaults(args.defaults), evidence: [], source: 'given with --defaults' };
  } else {
    const chosen = chooseDefaults(shards, flags.datasets, flags);
    defaultsInfo = chosen
      ? { ...chosen, source: 'chosen by the rule below from section 2 on the selection window' }
      : { defaults: { ...FALLBACK_DEFAULTS, hidden: flags.hidden, blocks: flags.blocks }, evidence: [], source: 'fallback: section 2 results missing' };
  }
}
if (!args['report-only'] && only.has('quality')) {
  log(`defaults for section 6: ${JSON.stringify(defaultsInfo.defaults)}`);
  failed.push(...(await pool(flags.datasets.map((d) => `quality-${d}`), jobsN, () => ['--defaults-json', JSON.stringify(defaultsInfo!.defaults)])));
}
const shards = readShards(flags.shardDir);
const files = await buildReport(shards, flags, environment(process.env.MIXCAST_BACKEND ?? 'auto (wasm here)'), defaultsInfo);
log(`wrote ${files.length} files to ${path.relative(ROOT, RESULTS)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (failed.length) {
  log(`failed jobs: ${failed.join(', ')} (rerun with --resume)`);
  process.exitCode = 1;
}
