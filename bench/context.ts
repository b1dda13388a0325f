/**
 * `npm run bench:context`: context-aware scenarios against the baselines a forecaster tries
 * first, by lead, on rolling origins over the last 20 % of days of five real series.
 *
 * For each dataset: train mixcast on the first 80 % of days twice — with context (the default)
 * and without — then for every origin in the test window (the origin's own day and all before it
 * are observed; nothing after it is used) and each lead 1, 7, 14, score `count` scenarios of the
 * target day from every method: mixcast, mixcast without context, the weekday bootstrap,
 * bootstrap-level and ets (MSTL on daily totals × bootstrapped shapes). mixcast gets the history
 * through the same request field (`history`) the CLI and the API use. Then multi-day paths:
 * the spread of 5-day totals of generated paths against the data's. Everything runs in this one
 * run; nothing is read from stored results.
 *
 * Flags: --quick (fewer origins, steps, scenarios), --datasets a,b, --steps N, --count N,
 * --origins N (max origins per dataset), --seed N.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ingest } from '../adapters/index.js';
import type { Day, DaySeries, IngestOptions } from '../adapters/types.js';
import { initBackend } from '../src/backend.js';
import { fitModel } from '../src/train/fit.js';
import { runScenarios } from '../src/scenarios/run.js';
import type { MixcastModel } from '../src/model/model.js';
import { bootstrapBaseline, bootstrapLevelBaseline, etsBaseline, type TrainingDay } from '../src/eval/baselines.js';
import { energyScore, crpsDay, coverage, pitValues, pitHistogram } from '../src/eval/scores.js';
import { levelWeights } from '../src/context/report.js';
import { writeFileAtomic } from '../src/io.js';
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

const LEADS = [1, 7, 14];
const METHODS = ['mixcast', 'mixcast (no context)', 'bootstrap', 'bootstrap-level', 'ets'] as const;
type Method = (typeof METHODS)[number];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const STEPS = Number(arg('steps') ?? (quick ? 150 : 500));
const COUNT = Number(arg('count') ?? (quick ? 50 : 100));
const MAX_ORIGINS = Number(arg('origins') ?? (quick ? 8 : 60));
const SEED = Number(arg('seed') ?? 1);
const only = arg('datasets')?.split(',');

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const weekdayKey = (date: string) => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(`${date}T00:00:00Z`).getUTCDay()];
const total = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
const mean = (a: readonly number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
const variance = (a: readonly number[]) => {
  const m = mean(a);
  return a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1);
};

interface Acc {
  es: number[];
  crps: number[];
  cover80: number[];
  pit: number[];
}
const acc = (): Acc => ({ es: [], crps: [], cover80: [], pit: [] });

async function scenariosOf(model: MixcastModel, history: Day[], dates: string[], seed: number): Promise<number[][][]> {
  const r = await runScenarios(model, { dates, count: COUNT, seed, history, output: 'continuous' });
  return r.dates.map((d) => d.values as number[][]);
}

/** Origins in the test window: days whose date + lead is also a day, evenly thinned to MAX_ORIGINS. */
function origins(days: Day[], testStart: number): number[] {
  const idx: number[] = [];
  for (let i = testStart - 1; i < days.length - 1; i++) idx.push(i);
  if (idx.length <= MAX_ORIGINS) return idx;
  const step = idx.length / MAX_ORIGINS;
  return Array.from({ length: MAX_ORIGINS }, (_, j) => idx[Math.floor(j * step)]);
}

async function runDataset(spec: Dataset) {
  const t0 = Date.now();
  const ds: DaySeries = await ingest(spec.ingest);
  const days = ds.days;
  const n = days.length;
  const testStart = n - Math.round(0.2 * n);
  const train: DaySeries = { ...ds, days: days.slice(0, testStart) };
  const fitOpts = { steps: STEPS, seed: SEED, calendar: spec.calendar };
  log(`${spec.id}: ${n} days × ${ds.labels.length}; training on ${testStart} days (${STEPS} steps, with and without context)`);
  const withCtx = fitModel(train, { ...fitOpts, context: 'on' }).model;
  const noCtx = fitModel(train, { ...fitOpts, context: 'off' }).model;
  const byDate = new Map(days.map((d, i) => [d.date, i]));
  const res: Record<number, Record<Method, Acc>> = {};
  for (const h of LEADS) res[h] = Object.fromEntries(METHODS.map((m) => [m, acc()])) as Record<Method, Acc>;
  const bl = bootstrapLevelBaseline();
  const ets = etsBaseline();
  const os = origins(days, testStart);
  for (const [oi, o] of os.entries()) {
    const history = days.slice(0, o + 1);
    const hist: TrainingDay[] = history.map((d) => ({ date: d.date, key: weekdayKey(d.date), values: d.values }));
    const boot = bootstrapBaseline(hist);
    for (const h of LEADS) {
      const target = addDays(days[o].date, h);
      const ti = byDate.get(target);
      if (ti === undefined) continue;
      const truth = days[ti].values;
      const seed = SEED * 1_000_003 + oi * 31 + h;
      const samples: Record<Method, number[][]> = {
        mixcast: (await scenariosOf(withCtx, history, [target], seed))[0],
        'mixcast (no context)': (await scenariosOf(noCtx, history, [target], seed))[0],
        bootstrap: boot.sample(target, weekdayKey(target), COUNT, seed),
        'bootstrap-level': bl.sampleAt({ history: hist, origin: days[o].date, lead: h, key: weekdayKey(target), count: COUNT, seed }),
        ets: ets.sampleAt({ history: hist, origin: days[o].date, lead: h, key: weekdayKey(target), count: COUNT, seed }),
      };
      for (const m of METHODS) {
        const a = res[h][m];
        a.es.push(energyScore(samples[m], truth));
        a.crps.push(crpsDay(samples[m], truth).meanOverIntervals);
        a.cover80.push(coverage(samples[m], truth, [0.8])['0.8']);
        a.pit.push(...pitValues(samples[m], truth, seed));
      }
    }
  }
  // Multi-day paths: the 5 days after an origin, every third origin.
  const F: { generated: number[]; independent: number[] } = { generated: [], independent: [] };
  for (const [oi, o] of os.entries()) {
    if (oi % 3 !== 0 || o + 5 >= n) continue;
    // The next 5 days of the data's calendar (weekdays only where the data has only weekdays).
    const dates = days.slice(o + 1, o + 6).map((d) => d.date);
    const paths = await scenariosOf(withCtx, days.slice(0, o + 1), dates, SEED + oi);
    const sums = Array.from({ length: COUNT }, (_, s) => dates.reduce((acc2, _d, j) => acc2 + total(paths[j][s]), 0));
    const perDay = dates.map((_, j) => variance(paths[j].map(total)));
    F.generated.push(variance(sums) / perDay.reduce((a, b) => a + b, 0));
  }
  // The data's: 5-day windows of deviations of daily totals from their weekday means (test + train).
  const dev = days.map((d) => total(d.values));
  const byKey = new Map<string, number[]>();
  days.forEach((d, i) => byKey.set(weekdayKey(d.date), [...(byKey.get(weekdayKey(d.date)) ?? []), dev[i]]));
  const resid = days.map((d, i) => dev[i] - mean(byKey.get(weekdayKey(d.date))!));
  const windows: number[] = [];
  for (let i = 0; i + 4 < n; i++) if (days[i + 4].date <= addDays(days[i].date, 6)) windows.push(resid.slice(i, i + 5).reduce((a, b) => a + b, 0));
  const empiricalF = variance(windows) / (5 * variance(resid));
  const weights = levelWeights(withCtx, [1, 2, 3, 5, 7, 10, 14]);
  const summary = LEADS.map((h) => {
    const bootEs = mean(res[h].bootstrap.es);
    return {
      lead: h,
      origins: res[h].bootstrap.es.length,
      methods: Object.fromEntries(
        METHODS.map((m) => {
          const a = res[h][m];
          return [m, { energy: mean(a.es), energyVsBootstrap: mean(a.es) / bootEs, crps: mean(a.crps), coverage80: mean(a.cover80), pit: pitHistogram(a.pit, 10) }];
        }),
      ),
    };
  });
  withCtx.dispose();
  noCtx.dispose();
  return {
    id: spec.id,
    title: spec.title,
    days: n,
    d: ds.labels.length,
    testDays: n - testStart,
    seconds: Math.round((Date.now() - t0) / 1000),
    summary,
    paths: { generatedF: mean(F.generated), generatedFRange: [Math.min(...F.generated), Math.max(...F.generated)], empiricalF, windows: F.generated.length },
    levelWeights: weights,
    selection: withCtx.manifest.context?.selection.map((s) => ({ group: s.group, penalty: s.penalty })) ?? [],
  };
}

function report(results: Awaited<ReturnType<typeof runDataset>>[]): string {
  const L: string[] = [];
  L.push('# Context-aware scenarios: mixcast against the baselines, by lead', '');
  L.push(`Command: \`npm run bench:context${quick ? ' -- --quick' : ''}\` (${STEPS} training steps, ${COUNT} scenarios per target, up to ${MAX_ORIGINS} origins per dataset, seed ${SEED}).`);
  L.push('Each dataset: trained on the first 80 % of days; origins in the last 20 %; at each origin only the days up to it are used.', '');
  L.push('## Energy score relative to the weekday bootstrap (lower is better)', '');
  L.push(`| dataset | lead | origins | ${METHODS.join(' | ')} |`, `|---|---|---|${METHODS.map(() => '---').join('|')}|`);
  for (const r of results) {
    for (const s of r.summary) L.push(`| ${r.id} | ${s.lead} | ${s.origins} | ${METHODS.map((m) => s.methods[m].energyVsBootstrap.toFixed(3)).join(' | ')} |`);
  }
  L.push('', '## 80 % interval coverage (per interval, target 0.80)', '');
  L.push(`| dataset | lead | ${METHODS.join(' | ')} |`, `|---|---|${METHODS.map(() => '---').join('|')}|`);
  for (const r of results) for (const s of r.summary) L.push(`| ${r.id} | ${s.lead} | ${METHODS.map((m) => s.methods[m].coverage80.toFixed(3)).join(' | ')} |`);
  L.push('', '## CRPS (mean over intervals, original units)', '');
  L.push(`| dataset | lead | ${METHODS.join(' | ')} |`, `|---|---|${METHODS.map(() => '---').join('|')}|`);
  for (const r of results) for (const s of r.summary) L.push(`| ${r.id} | ${s.lead} | ${METHODS.map((m) => s.methods[m].crps.toFixed(2)).join(' | ')} |`);
  L.push('', '## PIT histograms of mixcast (10 bins, share of PIT values per bin; 0.10 each = calibrated)', '');
  for (const r of results) for (const s of r.summary) L.push(`- ${r.id}, lead ${s.lead}: ${normalise(s.methods.mixcast.pit).map((v) => v.toFixed(2)).join(' ')}`);
  L.push('', '## Multi-day paths: spread of 5-day totals', '');
  L.push('F = Var(5-day total) / Σ Var(daily totals): 1 for independent days, above 1 when days move together.', '');
  L.push('| dataset | F of generated paths (mean, range over origins) | F of the data (weekday-adjusted totals) |', '|---|---|---|');
  for (const r of results) L.push(`| ${r.id} | ${r.paths.generatedF.toFixed(2)} (${r.paths.generatedFRange.map((v) => v.toFixed(2)).join('–')}, ${r.paths.windows} origins) | ${r.paths.empiricalF.toFixed(2)} |`);
  L.push('', '## Where context helps: the fitted weight of the recent level, by lead', '');
  L.push('Change of the expected log daily total per unit change of the 7-day level (1 = follow the recent level fully, 0 = ignore it), and the penalty chosen per group (null = left out).', '');
  L.push(`| dataset | ${[1, 2, 3, 5, 7, 10, 14].map((h) => `lead ${h}`).join(' | ')} | penalties |`, `|---|${[1, 2, 3, 5, 7, 10, 14].map(() => '---').join('|')}|---|`);
  for (const r of results) {
    L.push(`| ${r.id} | ${r.levelWeights.map((w) => w.level7.toFixed(2)).join(' | ')} | ${r.selection.map((s) => `${s.group}: ${s.penalty ?? 'out'}`).join('; ')} |`);
  }
  L.push('', `Seconds per dataset: ${results.map((r) => `${r.id} ${r.seconds}`).join(', ')}.`);
  return L.join('\n') + '\n';
}

await initBackend('wasm');
const results = [];
for (const spec of DATASETS) {
  if (only && !only.includes(spec.id)) continue;
  results.push(await runDataset(spec));
  log(`${spec.id}: done`);
}
const dir = RESULTS;
fs.mkdirSync(dir, { recursive: true });
const name = quick ? 'context-quick' : 'context';
writeFileAtomic(path.join(dir, `${name}.json`), JSON.stringify({ steps: STEPS, count: COUNT, maxOrigins: MAX_ORIGINS, seed: SEED, results }, null, 1) + '\n');
writeFileAtomic(path.join(dir, `${name}.md`), report(results));
process.stdout.write(report(results));

function normalise(h: number[]): number[] {
  const t = h.reduce((a, b) => a + b, 0);
  return h.map((v) => v / Math.max(1e-12, t));
}
