/**
 * `npm run bench:global [-- --steps 500 --seeds 2 --count 200]`: one global model against one
 * model per series on the 4 Melbourne pedestrian sensors (fixtures/melbourne_pedestrian_4_sensors.csv),
 * with the weekday bootstrap (what a planner does by hand) as the floor.
 *
 * Protocol: train on 2016-08-01 … 2016-12-03; forecast the 28 days 2016-12-04 … 12-31 from four
 * weekly origins (12-03, 12-10, 12-17, 12-24), each for the next 7 days, with the days observed
 * up to the origin given as history (context-aware models) or added to the bootstrap's pool. Per
 * sensor: the energy score of `count` scenarios per test day, averaged over days and training
 * seeds. Training time: the global model (one network, every series' rows) against the four
 * per-series models trained one after the other in this process. Methods:
 *   - global:         fitGlobalModel, `steps` steps in all;
 *   - global ×4 steps: the same with as many steps as the four per-series models together;
 *   - per-series:     fitModel per sensor, `steps` steps each (4 × steps in all);
 *   - bootstrap:      resample past days of the same weekday (training + observed days).
 * Every model uses the library defaults otherwise (prior weekday, context on, hidden 128).
 * Results: bench/results/global.md and global.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingestMany, type DaySeries } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { fitGlobalModel } from '../src/train/global.js';
import { runScenarios, type Predictor } from '../src/scenarios/index.js';
import { bootstrapBaseline } from '../src/eval/baselines.js';
import { energyScore } from '../src/eval/index.js';
import { addDays } from '../src/core/dates.js';
import { weekdayLong } from '../src/scenarios/dates.js';
import { ROOT, RESULTS, log, positiveArg as arg } from './lib/common.js';

const STEPS = arg('steps', 500);
const SEEDS = arg('seeds', 2);
const COUNT = arg('count', 200);
const FIXTURE = path.join(ROOT, 'fixtures', 'melbourne_pedestrian_4_sensors.csv');
const ORIGINS = ['2016-12-03', '2016-12-10', '2016-12-17', '2016-12-24'];
const HORIZON = 7;
const CALENDAR = { hemisphere: 'south' as const };

type Method = 'global' | 'global ×4 steps' | 'per-series' | 'bootstrap';
const METHODS: Method[] = ['global', 'global ×4 steps', 'per-series', 'bootstrap'];

interface Run {
  seed: number;
  method: Method;
  trainSeconds: number | null;
  /** Energy score per sensor, mean over the test days. */
  energy: Record<string, number>;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

/** Energy score of a scenario source over the four origins × 7 days, per sensor. */
async function score(series: DaySeries[], test: Map<string, Map<string, number[]>>, draw: (id: string, origin: string, dates: string[], history: { date: string; values: number[] }[]) => Promise<number[][][]>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const ds of series) {
    const id = ds.series!;
    const truth = test.get(id)!;
    const es: number[] = [];
    for (const origin of ORIGINS) {
      const dates = Array.from({ length: HORIZON }, (_, h) => addDays(origin, h + 1)).filter((d) => truth.has(d));
      const history = [...truth.entries()].filter(([d]) => d <= origin).map(([date, values]) => ({ date, values }));
      const samples = await draw(id, origin, dates, history);
      dates.forEach((d, i) => es.push(energyScore(samples[i], truth.get(d)!)));
    }
    out[id] = mean(es);
  }
  return out;
}

/** Scenarios from a model: one request per origin (the days observed since training as history). */
const fromModel = (modelOf: (id: string) => Predictor, seed: number) => async (id: string, origin: string, dates: string[], history: { date: string; values: number[] }[]) => {
  const r = await runScenarios(modelOf(id), { dates, count: COUNT, seed: seed * 1000 + ORIGINS.indexOf(origin), history, origin, output: 'continuous', shape: 'scenarios' });
  return r.dates.map((d) => d.values);
};

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  const t0 = Date.now();
  const loadStart = load();
  const set = await ingestMany({ input: FIXTURE, seriesCol: 'sensor', tz: 'Australia/Melbourne' });
  const testStart = addDays(ORIGINS[0], 1);
  const train = set.series.map((ds) => ({ ...ds, days: ds.days.filter((d) => d.date < testStart) }));
  const test = new Map(set.series.map((ds) => [ds.series!, new Map(ds.days.filter((d) => d.date >= testStart).map((d) => [d.date, d.values]))]));
  const ids = set.series.map((s) => s.series!);
  log(`bench:global: ${ids.length} sensors, train ${train.map((t) => t.days.length).join('/')} days, test ${[...test.values()].map((t) => t.size).join('/')} days; steps ${STEPS}, seeds ${SEEDS}, count ${COUNT}; load ${loadStart}`);
  const runs: Run[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    for (const steps of [STEPS, STEPS * ids.length]) {
      const t = performance.now();
      const { model, summary } = fitGlobalModel(train, { steps, seed, calendar: CALENDAR });
      const secs = (performance.now() - t) / 1000;
      const method: Method = steps === STEPS ? 'global' : 'global ×4 steps';
      log(`seed ${seed} ${method}: ${steps} steps in ${secs.toFixed(1)} s (K ${summary.K}, context ${summary.contextDim})`);
      try {
        runs.push({ seed, method, trainSeconds: secs, energy: await score(train, test, fromModel((id) => model.series(id), seed)) });
      } finally {
        model.dispose();
      }
    }
    const t = performance.now();
    const models = new Map(train.map((ds) => [ds.series!, fitModel(ds, { steps: STEPS, seed, calendar: CALENDAR }).model]));
    const secs = (performance.now() - t) / 1000;
    log(`seed ${seed} per-series: 4 × ${STEPS} steps in ${secs.toFixed(1)} s`);
    try {
      runs.push({ seed, method: 'per-series', trainSeconds: secs, energy: await score(train, test, fromModel((id) => models.get(id)!, seed)) });
    } finally {
      for (const m of models.values()) m.dispose();
    }
    const boot = async (id: string, origin: string, dates: string[], history: { date: string; values: number[] }[]) => {
      const days = [...train.find((ds) => ds.series === id)!.days.map((d) => ({ date: d.date, values: d.values })), ...history];
      const b = bootstrapBaseline(days.map((d) => ({ date: d.date, key: weekdayLong(d.date), values: d.values })));
      return dates.map((d, i) => b.sample(d, weekdayLong(d), COUNT, seed * 1000 + ORIGINS.indexOf(origin) * 10 + i));
    };
    runs.push({ seed, method: 'bootstrap', trainSeconds: null, energy: await score(train, test, boot) });
    log(`seed ${seed} done; load ${load()}`);
  }
  const loadEnd = load();

  const agg = (m: Method) => {
    const rs = runs.filter((r) => r.method === m);
    const energy = Object.fromEntries(ids.map((id) => [id, mean(rs.map((r) => r.energy[id]))]));
    return { method: m, energy, meanEnergy: mean(ids.map((id) => energy[id])), trainSeconds: rs[0].trainSeconds === null ? null : mean(rs.map((r) => r.trainSeconds!)) };
  };
  const summary = METHODS.map(agg);
  const by = Object.fromEntries(summary.map((s) => [s.method, s])) as Record<Method, (typeof summary)[number]>;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const date = new Date().toISOString().slice(0, 10);
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines = [
    '# bench:global — one global model against one model per series (4 pedestrian sensors)',
    '',
    `Run: \`npm run bench:global -- --steps ${STEPS} --seeds ${SEEDS} --count ${COUNT}\` on ${date} (${os.cpus().length} × ${cpu}, Node ${process.version}, tfjs backend ${backend.name}), ${((Date.now() - t0) / 60000).toFixed(1)} min.`,
    `**Load:** this machine's ${os.cpus().length} cores are shared with other processes (other agents' tests and benchmarks may run at the same time): load average (1/5/15 min) ${loadStart} at the start, ${loadEnd} at the end (above ${os.cpus().length}, this process got less than the cores). Training times are wall-clock under that load; all methods ran in the same process, interleaved by seed, so they saw similar load, but the time ratios carry noise.`,
    '',
    `Data: \`fixtures/melbourne_pedestrian_4_sensors.csv\`, hourly (d = 24). Training: 2016-08-01 … 2016-12-03 (${train.map((t) => `${t.series} ${t.days.length}`).join(', ')} days). Test: the 28 days 2016-12-04 … 12-31 (Christmas included), forecast from the weekly origins ${ORIGINS.join(', ')}, 7 days each, with the days observed up to the origin given as history (models) or added to the resampling pool (bootstrap). ${COUNT} scenarios per day; energy score (lower is better) per sensor, mean over the test days and ${SEEDS} training seed(s). Library defaults (prior weekday, context on, hidden 128, 3 blocks, ddim:50).`,
    '',
    '| method | steps (in all) | training s | ' + ids.map((id) => id).join(' | ') + ' | mean |',
    '|---|---:|---:|' + ids.map(() => '---:').join('|') + '|---:|',
    ...summary.map(
      (s) =>
        `| ${s.method} | ${s.method === 'bootstrap' ? '—' : s.method === 'global' ? STEPS : STEPS * ids.length} | ${s.trainSeconds === null ? '—' : s.trainSeconds.toFixed(1)} | ${ids.map((id) => f(s.energy[id])).join(' | ')} | ${f(s.meanEnergy)} |`,
    ),
    '',
    `- global / per-series, mean energy score: **${(by.global.meanEnergy / by['per-series'].meanEnergy).toFixed(3)}** (global ×4 steps: ${(by['global ×4 steps'].meanEnergy / by['per-series'].meanEnergy).toFixed(3)}); per sensor: ${ids.map((id) => `${id} ${(by.global.energy[id] / by['per-series'].energy[id]).toFixed(3)}`).join(', ')}.`,
    `- training time, global / per-series: **${(by.global.trainSeconds! / by['per-series'].trainSeconds!).toFixed(2)}** (${by.global.trainSeconds!.toFixed(1)} s against ${by['per-series'].trainSeconds!.toFixed(1)} s; global ×4 steps ${by['global ×4 steps'].trainSeconds!.toFixed(1)} s).`,
    `- against the weekday bootstrap, mean energy score: global ${(by.global.meanEnergy / by.bootstrap.meanEnergy).toFixed(3)}, per-series ${(by['per-series'].meanEnergy / by.bootstrap.meanEnergy).toFixed(3)} (below 1: better than resampling past days of the same weekday).`,
    '',
    'Per seed:',
    '',
    '| seed | method | training s | ' + ids.join(' | ') + ' |',
    '|---:|---|---:|' + ids.map(() => '---:').join('|') + '|',
    ...runs.map((r) => `| ${r.seed} | ${r.method} | ${r.trainSeconds === null ? '—' : r.trainSeconds.toFixed(1)} | ${ids.map((id) => f(r.energy[id])).join(' | ')} |`),
    '',
  ];
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'global.md'), lines.join('\n'));
  fs.writeFileSync(path.join(RESULTS, 'global.json'), JSON.stringify({ date, steps: STEPS, seeds: SEEDS, count: COUNT, origins: ORIGINS, loadStart, loadEnd, cpus: os.cpus().length, summary, runs }, null, 1) + '\n');
  log(lines.join('\n'));
}

await main();
