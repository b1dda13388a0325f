/**
 * Intraday updating on held-out days: CRPS of the remaining slots with and without conditioning
 * on the morning (src/scenarios/intraday.ts), for bank_calls_2003 and anonymous_bank_calls_1999.
 *
 *   npx tsx bench/intraday.ts [--steps N] [--hidden N] [--blocks N] (default: the library defaults) [--count 500] [--seed 0]
 *                             [--sampler ddim:50] [--only bank2003|anon1999] [--test-days 10]
 *
 * Each dataset: train on the days before the cutoff, test on the first --test-days days from it.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import type { IngestOptions } from '../adapters/types.js';
import { fitModel, defaultFitOptions } from '../src/train/fit.js';
import { intradayBacktest } from '../src/scenarios/intraday.js';
import { parseWeekdays } from '../src/calendar/index.js';

const { values: a } = parseArgs({
  options: {
    steps: { type: 'string', default: String(defaultFitOptions.steps) },
    hidden: { type: 'string', default: String(defaultFitOptions.hidden) },
    blocks: { type: 'string', default: String(defaultFitOptions.blocks) },
    count: { type: 'string', default: '500' },
    seed: { type: 'string', default: '0' },
    sampler: { type: 'string', default: 'ddim:50' },
    only: { type: 'string' },
    'test-days': { type: 'string', default: '10' },
    backend: { type: 'string' },
  },
});

interface Setup {
  name: string;
  ingest: IngestOptions;
  weekend: string;
  prior: string;
  cutoff: string;
  until: string;
}

const SETUPS: Setup[] = [
  {
    name: 'bank2003',
    ingest: { input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' },
    weekend: 'sat,sun',
    prior: 'weekday',
    cutoff: '2003-10-08',
    until: '12:00',
  },
  {
    name: 'anon1999',
    ingest: { input: 'fixtures/anonymous_bank_calls_1999.csv', interval: '1h', tz: 'Asia/Jerusalem' },
    weekend: 'fri,sat',
    prior: 'weekday',
    cutoff: '1999-12-01',
    until: '12:00',
  },
];

const backend = await initBackend((a.backend as 'wasm') ?? 'wasm');
console.error(`backend ${backend.name}`);
for (const s of SETUPS) {
  if (a.only && a.only !== s.name) continue;
  const ds = await ingest(s.ingest);
  const train = { ...ds, days: ds.days.filter((d) => d.date < s.cutoff) };
  const test = ds.days.filter((d) => d.date >= s.cutoff).slice(0, Number(a['test-days']));
  const t0 = Date.now();
  const { model } = fitModel(train, {
    prior: s.prior,
    steps: Number(a.steps),
    hidden: Number(a.hidden),
    blocks: Number(a.blocks),
    seed: Number(a.seed),
    calendar: { weekend: parseWeekdays(s.weekend, 'weekend') },
  });
  const fitS = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const rep = await intradayBacktest(model, test, { until: s.until, count: Number(a.count), seed: Number(a.seed), sampler: a.sampler });
  const evalS = (Date.now() - t1) / 1000;
  console.log(`\n## ${s.name}: ${ds.intervalMinutes}m × ${ds.labels.length} slots, train ${train.days.length} days (< ${s.cutoff}), test ${test.length} days, observed before ${s.until}`);
  console.log(`fit ${a.steps} steps hidden ${a.hidden} blocks ${a.blocks}: ${fitS.toFixed(1)} s; scenarios ${a.count}/day, ${a.sampler}: ${evalS.toFixed(1)} s`);
  console.log('date        uncond CRPS   cond CRPS');
  for (const d of rep.days) console.log(`${d.date}  ${d.unconditional.toFixed(2).padStart(11)}  ${d.conditional.toFixed(2).padStart(10)}`);
  console.log(`mean        ${rep.unconditional.toFixed(2).padStart(11)}  ${rep.conditional.toFixed(2).padStart(10)}   (${(100 * rep.improvement).toFixed(1)}% lower; better on ${rep.better}/${rep.days.length} days)`);
  model.dispose();
}
