/**
 * Staffing on a held-out week of bank_calls_2003: the mean-forecast plan vs the 90%-scenario
 * plan, judged on the actual arrivals of that week (Erlang C, AHT 180 s, 80% within 20 s).
 *
 *   npx tsx bench/staffing.ts [--steps N (default: the library default)] [--count 1000] [--seed 1]
 *
 * Writes bench/results/staffing.json and bench/results/staffing.md.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel, defaultFitOptions } from '../src/train/fit.js';
import { staffFromModel, evaluatePlan } from '../src/staffing/index.js';
import { writeFileAtomic } from '../src/core/io.js';

const { values: a } = parseArgs({ options: { steps: { type: 'string', default: String(defaultFitOptions.steps) }, count: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } } });
const backend = await initBackend();
const all = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
const testDates = all.days.slice(-5).map((d) => d.date); // the last week: 2003-10-20 … 10-24
const train = { ...all, days: all.days.slice(0, -5) };
const t0 = performance.now();
const { model } = fitModel(train, { steps: Number(a.steps), seed: Number(a.seed) });
const trainSeconds = (performance.now() - t0) / 1000;
const staffing = { aht: 180, target: 0.8, within: 20, coverage: 0.9 };
const r = await staffFromModel({ model, dates: testDates, count: Number(a.count), seed: Number(a.seed), staffing });
const rows = r.dates.map((d) => {
  const actual = [all.days.find((x) => x.date === d.date)!.values];
  const opts = { intervalSeconds: r.intervalSeconds, aht: staffing.aht, target: staffing.target, within: staffing.within };
  const mean = evaluatePlan(d.result.plans.mean.agents, actual, opts);
  const cov = evaluatePlan(d.result.plans.coverage.agents, actual, opts);
  return {
    date: d.date,
    key: d.key,
    meanAgentIntervals: mean.agentIntervals,
    coverageAgentIntervals: cov.agentIntervals,
    meanMetShare: mean.metShare,
    coverageMetShare: cov.metShare,
    meanServiceLevel: mean.serviceLevelOverall,
    coverageServiceLevel: cov.serviceLevelOverall,
  };
});
const tot = (k: keyof (typeof rows)[0]) => rows.reduce((s, x) => s + (x[k] as number), 0);
const md = [
  `# Staffing a held-out week of bank_calls_2003`,
  ``,
  `Model: default fit options, ${a.steps} steps, trained on ${train.days.length} days before ${testDates[0]} (${trainSeconds.toFixed(0)} s on ${backend.name}).`,
  `${a.count} scenarios per date, seed ${a.seed}. Erlang C, 30-minute intervals, AHT 180 s, target 80% answered within 20 s.`,
  `"Meets" = share of the day's 28 actual intervals where the plan has at least the agents the actual arrivals required.`,
  ``,
  `| date | key | mean-forecast plan: agent-intervals | meets | SL | 90%-scenario plan: agent-intervals | meets | SL |`,
  `|---|---|---|---|---|---|---|---|`,
  ...rows.map((x) => `| ${x.date} | ${x.key} | ${x.meanAgentIntervals} | ${(100 * x.meanMetShare).toFixed(0)}% | ${x.meanServiceLevel.toFixed(3)} | ${x.coverageAgentIntervals} | ${(100 * x.coverageMetShare).toFixed(0)}% | ${x.coverageServiceLevel.toFixed(3)} |`),
  `| week | | ${tot('meanAgentIntervals')} | ${((100 * tot('meanMetShare')) / rows.length).toFixed(0)}% | | ${tot('coverageAgentIntervals')} | ${((100 * tot('coverageMetShare')) / rows.length).toFixed(0)}% | |`,
  ``,
  `Command: \`npx tsx bench/staffing.ts --steps ${a.steps} --count ${a.count} --seed ${a.seed}\``,
  ``,
].join('\n');
writeFileAtomic('bench/results/staffing.json', JSON.stringify({ backend: backend.name, trainSeconds, args: a, rows }, null, 1) + '\n');
writeFileAtomic('bench/results/staffing.md', md);
process.stdout.write(md);
model.dispose();
