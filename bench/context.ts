/**
 * `npm run bench:context`: context-aware scenarios against the baselines a forecaster tries
 * first, by lead, on rolling origins over the last 20 % of days of five real series (the
 * evaluation itself is the library's `evaluateByLead`, as `mixcast evaluate --leads` runs it).
 * Everything runs in this one run; nothing is read from stored results.
 *
 * Flags: --quick (fewer origins, steps, scenarios), --datasets a,b, --steps N, --count N,
 * --origins N (max origins per dataset), --seed N or --seeds a,b,c (each seed trains and draws
 * anew; the report averages them and shows the spread), --sampler S (the models' default sampler),
 * --refit-every N (retrain the models every N test-window days; 0 = once; default 7, 0 with
 * --quick), --refit-steps M (steps of each retraining after the first, warm-started from the
 * models it replaces; default 150 when retraining), --name NAME (write
 * bench/results/NAME.{md,json} instead of context, or context-quick with --quick).
 *
 * The default protocol is the one the README recommends to users: weekly retraining on every day
 * up to the origin, warm-started (measured against training once on the Israeli bank, seed 1,
 * 20 origins: leads 1 / 7 / 14 at 0.965 / 0.986 / 1.039 of the bootstrap against 1.002 / 1.026 /
 * 1.070, and against 0.974 / 1.003 / 1.055 for weekly retraining from scratch, which took 1.7×
 * as long as the warm-started retraining).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ingest } from '../adapters/index.js';
import type { IngestOptions } from '../adapters/types.js';
import { initBackend } from '../src/backend.js';
import { bestBaseline, evaluateByLead, leadReport, mergeSeeds, type LeadEvaluation } from '../src/eval/leads.js';
import { writeFileAtomic } from '../src/core/io.js';
import { ROOT, RESULTS, log } from './lib/common.js';

interface Dataset {
  id: string;
  title: string;
  ingest: IngestOptions;
  calendar?: { weekend?: number[] };
}

const FIX = (f: string) => path.join(ROOT, 'fixtures', f);
const DATASETS: Dataset[] = [
  { id: 'bank', title: 'bank_calls_2003 (30 min, weekdays)', ingest: { input: FIX('bank_calls_2003.csv'), interval: '30m', close: '21:00' } },
  { id: 'anon', title: 'anonymous_bank_calls_1999 (30 min, all days)', ingest: { input: FIX('anonymous_bank_calls_1999.csv'), interval: '30m', tz: 'Asia/Jerusalem' }, calendar: { weekend: [5, 6] } },
  { id: 'taylor', title: 'taylor_electricity_2000 (30 min)', ingest: { input: FIX('taylor_electricity_2000.csv'), interval: '30m', valueKind: 'measurements' } },
  {
    id: 'sx',
    title: 'Melbourne pedestrians, Southern Cross Station (1 h)',
    ingest: { input: FIX('melbourne_pedestrian_2015_2016_reduced.csv'), seriesCol: 'sensor', series: 'Southern Cross Station', tz: 'Australia/Melbourne' },
  },
  {
    id: 'bm',
    title: 'Melbourne pedestrians, Birrarung Marr (1 h)',
    ingest: { input: FIX('melbourne_pedestrian_2015_2016_reduced.csv'), seriesCol: 'sensor', series: 'Birrarung Marr', tz: 'Australia/Melbourne' },
  },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const STEPS = Number(arg('steps') ?? (quick ? 150 : 500));
const COUNT = Number(arg('count') ?? (quick ? 50 : 100));
const MAX_ORIGINS = Number(arg('origins') ?? (quick ? 8 : 60));
// Three seeds by default: one run's scores move by up to ±3 % with the seed (the Israeli bank at
// lead 1, 20 origins: 1.002, 0.967, 0.972), more than many of the gaps this benchmark judges.
const SEEDS = (arg('seeds') ?? arg('seed') ?? '1,2,3').split(',').map(Number);
if (!SEEDS.length || SEEDS.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`--seeds must be whole numbers ≥ 0 (got ${arg('seeds') ?? arg('seed')})`);
const ARGS = process.argv.slice(2);
const SAMPLER = arg('sampler');
const REFIT = Number(arg('refit-every') ?? (quick ? 0 : 7));
const REFIT_STEPS = arg('refit-steps') !== undefined ? Number(arg('refit-steps')) : REFIT > 0 ? 150 : undefined;
const only = arg('datasets')?.split(',');

await initBackend('wasm');
type Result = LeadEvaluation & { id: string; title: string };
const results: Result[] = [];
for (const spec of DATASETS) {
  if (only && !only.includes(spec.id)) continue;
  const ds = await ingest(spec.ingest);
  log(`${spec.id}: ${ds.days.length} days × ${ds.labels.length}`);
  const runs = [];
  for (const seed of SEEDS) {
    const result = await evaluateByLead(ds, {
      leads: [1, 7, 14],
      origins: MAX_ORIGINS,
      count: COUNT,
      seed,
      testShare: 0.2,
      refitEvery: REFIT,
      ...(REFIT_STEPS !== undefined ? { refitSteps: REFIT_STEPS } : {}),
      fit: { steps: STEPS, seed, calendar: spec.calendar, ...(SAMPLER ? { sampler: SAMPLER } : {}) },
      onProgress: (m) => log(`${spec.id} (seed ${seed}): ${m}`),
    });
    runs.push({ seed, result });
  }
  const r = mergeSeeds(runs);
  results.push({ id: spec.id, title: spec.title, ...r });
  log(`${spec.id}: done in ${r.seconds} s`);
}
const header = [
  '# Context-aware scenarios: mixcast against the baselines, by lead',
  '',
  `Command: \`npm run bench:context${ARGS.length ? ` -- ${ARGS.join(' ')}` : ''}\` (${STEPS} training steps, ${COUNT} scenarios per target, up to ${MAX_ORIGINS} origins per dataset, ${SEEDS.length > 1 ? `seeds ${SEEDS.join(', ')}, averaged` : `seed ${SEEDS[0]}`}).`,
  REFIT > 0
    ? `Each dataset: trained on the first 80 % of days, then retrained on every day up to the origin once every ${REFIT} test days${REFIT_STEPS !== undefined ? ` (${REFIT_STEPS} steps, warm-started from the models it replaces)` : ''} (mixcast with and without context and plain DDPM; the other baselines refit at every origin); origins in the last 20 %; at each origin only the days up to it are used.`
    : 'Each dataset: trained on the first 80 % of days; origins in the last 20 %; at each origin only the days up to it are used.',
  '',
  ...results.map((r) => `- ${r.id}: ${r.title} — ${r.days} days (${r.trainDays} train, ${r.testDays} test), d = ${r.d}`),
];
fs.mkdirSync(RESULTS, { recursive: true });
const name = arg('name') ?? (quick ? 'context-quick' : 'context');
writeFileAtomic(path.join(RESULTS, `${name}.json`), JSON.stringify({ steps: STEPS, count: COUNT, maxOrigins: MAX_ORIGINS, seeds: SEEDS, refitEvery: REFIT, refitSteps: REFIT_STEPS ?? null, results }, null, 1) + '\n');
const md = leadReport(results, header) + targets(results);
writeFileAtomic(path.join(RESULTS, `${name}.md`), md);
process.stdout.write(md);

/** The targets of the context issue, checked on this run's numbers. */
function targets(rs: Result[]): string {
  const L = ['', '## Targets', ''];
  const lead1 = [
    { id: 'sx', max: 0.8 },
    { id: 'anon', max: 0.97 },
  ];
  for (const t of lead1) {
    const s = rs.find((r) => r.id === t.id)?.summary.find((x) => x.lead === 1);
    if (s) L.push(`- ${t.id}, lead 1: mixcast ÷ bootstrap ${s.methods.mixcast.energyVsBootstrap.toFixed(3)} (target ≤ ${t.max}): ${s.methods.mixcast.energyVsBootstrap <= t.max ? 'met' : 'not met'}.`);
  }
  const rows = rs.flatMap((r) => r.summary.map((s) => ({ id: r.id, s })));
  const behind = rows.flatMap(({ id, s }) => {
    const best = bestBaseline(s);
    const gap = 100 * (s.methods.mixcast.energy / s.methods[best].energy - 1);
    return gap > 1 ? [`${id} lead ${s.lead} (${best} better by ${gap.toFixed(1)} %, ${s.origins} origins)`] : [];
  });
  L.push(`- No baseline more than 1 % better: ${rows.length - behind.length} of ${rows.length} rows${behind.length ? `; not met in ${behind.join(', ')}` : ''}.`);
  const cover = rows.filter(({ s }) => s.methods.mixcast.coverage80 < 0.75 || s.methods.mixcast.coverage80 > 0.85);
  L.push(`- 80 % intervals cover 75–85 %: ${rows.length - cover.length} of ${rows.length} rows${cover.length ? `; outside in ${cover.map(({ id, s }) => `${id} lead ${s.lead} (${s.methods.mixcast.coverage80.toFixed(3)})`).join(', ')}` : ''}.`);
  L.push(`- Week totals of paths: ${rs.map((r) => `${r.id} F ${r.paths.generatedF.toFixed(2)} (data ${r.paths.empiricalF.toFixed(2)}, independent days 1)`).join('; ')}.`);
  return L.join('\n') + '\n';
}
