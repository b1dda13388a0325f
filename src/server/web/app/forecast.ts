/// <reference lib="dom" />
/** Fan chart per day and the distribution of daily (and range) totals, from POST /v1/scenarios. */
import { observedBefore, scenarioFanSpec, totalsSpec } from '../../../eval/charts.js';
import { api } from './api.js';
import { downloadButtons } from './download.js';
import { fillTable } from './format.js';
import { baseRequest, modelName, state, yTitle } from './state.js';
import type { ScenariosAnswer } from './types.js';
import { draw, viewOf } from './vega.js';

export const FAN_LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];
const rowSum = (r: number[]) => r.reduce((a, b) => a + b, 0);

export async function showScenarios(): Promise<ScenariosAnswer> {
  const r = await api<ScenariosAnswer>('/v1/scenarios', { ...baseRequest(), quantiles: FAN_LEVELS });
  state.scenarios = r;
  const span = r.dates.length === 1 ? r.dates[0].date : `${r.dates[0].date} … ${r.dates[r.dates.length - 1].date}`;
  await draw(
    'fan-chart',
    scenarioFanSpec({
      title: `${modelName()}: scenarios ${span} (${r.count} per day, seed ${r.seed})`,
      labels: r.labels,
      yTitle: yTitle(),
      days: r.dates.map((d) => ({ date: `${d.date} ${d.weekday}`, quantiles: d.summary.quantiles, paths: d.values.slice(0, state.paths) })),
      observed: observedBefore(state.model?.recent ?? [], r.dates[0].date),
    }),
  );
  downloadButtons('fan', {
    csv: [{ label: 'CSV quantiles', file: 'fan', table: () => fanTable(r) }, { label: 'CSV scenarios', file: 'scenarios', table: () => scenarioTable(r) }],
    view: () => viewOf('fan-chart'),
  });

  const totals = r.dates.map((d) => ({ date: `${d.date} ${d.weekday}`, totals: d.values.map(rowSum) }));
  const rangeTotals = r.dates.length > 1 ? Array.from({ length: r.count }, (_, s) => r.dates.reduce((a, d) => a + rowSum(d.values[s]), 0)) : undefined;
  await draw('totals-chart', totalsSpec({ title: `${modelName()}: totals ${span}`, dates: totals, rangeTotals, yTitle: 'daily total' }));
  const levels = ['0.1', '0.5', '0.9'];
  fillTable(
    'totals-table',
    'Daily total per date: mean and quantiles over the scenarios',
    ['date', 'mean', 'p10', 'median', 'p90', 'peak interval (median)'],
    r.dates.map((d) => [`${d.date} ${d.weekday}`, d.summary.total.mean, ...levels.map((l) => d.summary.total.quantiles[l] ?? NaN), d.summary.peak.quantiles['0.5'] ?? NaN]),
  );
  downloadButtons('totals', {
    csv: [{ label: 'CSV totals', file: 'totals', table: () => ({ header: ['date', 'scenario', 'total'], rows: r.dates.flatMap((d) => d.values.map((v, s) => [d.date, s, rowSum(v)])) }) }],
    view: () => viewOf('totals-chart'),
  });
  return r;
}

function fanTable(r: ScenariosAnswer) {
  const levels = FAN_LEVELS.map(String);
  return {
    header: ['date', 'interval_start', 'mean', ...levels.map((l) => `q${l}`)],
    rows: r.dates.flatMap((d) => r.labels.map((label, i) => [d.date, label, d.summary.mean[i], ...levels.map((l) => d.summary.quantiles[l]?.[i] ?? null)])),
  };
}

function scenarioTable(r: ScenariosAnswer) {
  return {
    header: ['date', 'scenario', 'interval_start', 'value'],
    rows: r.dates.flatMap((d) => d.values.flatMap((v, s) => r.labels.map((label, i) => [d.date, s, label, v[i]]))),
  };
}
