/**
 * Multi-day paths on real data (fixtures): from several origins, 5-day totals of generated paths
 * spread like the data's 5-day totals, and clearly more than independent days do — on the
 * Melbourne pedestrian sensor at Southern Cross Station (days strongly correlated) and on
 * anonymous_bank_calls_1999.
 *
 * F = Var(5-day total) / Σ Var(daily totals): 1 for independent days, above 1 when days move
 * together. The data's F uses weekday-adjusted daily totals over 5 consecutive days.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import type { DaySeries } from '../adapters/types.js';
import { fitModel } from '../src/train/fit.js';
import { generateScenarios } from '../src/scenarios/index.js';
import { weekdayOf } from '../src/core/dates.js';

const FIX = (f: string) => path.join(import.meta.dirname, '..', 'fixtures', f);
const total = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const variance = (a: readonly number[]) => {
  const m = mean(a);
  return a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1);
};

/** The data's F: 5 consecutive days (within 7 calendar days) of weekday-adjusted totals. */
function empiricalF(ds: DaySeries): number {
  const tot = ds.days.map((d) => total(d.values));
  const wd = ds.days.map((d) => weekdayOf(d.date));
  const wdMean = new Map<number, number>();
  for (const k of new Set(wd)) wdMean.set(k, mean(tot.filter((_, i) => wd[i] === k)));
  const resid = tot.map((t, i) => t - wdMean.get(wd[i])!);
  const sums: number[] = [];
  for (let i = 0; i + 4 < ds.days.length; i++) {
    const span = (Date.parse(ds.days[i + 4].date) - Date.parse(ds.days[i].date)) / 86_400_000;
    if (span <= 6) sums.push(resid.slice(i, i + 5).reduce((a, b) => a + b, 0));
  }
  return variance(sums) / (5 * variance(resid));
}

/** Mean F of generated 5-day paths over origins spread through the last half of the data. */
async function generatedF(ds: DaySeries, context: 'on' | 'off', origins: number[]): Promise<number> {
  const train: DaySeries = { ...ds, days: ds.days.slice(0, origins[0] + 1) };
  const model = fitModel(train, { steps: 200, hidden: 64, blocks: 2, seed: 2, sampler: 'ddim:20', context }).model;
  try {
    const F: number[] = [];
    for (const [j, o] of origins.entries()) {
      const dates = ds.days.slice(o + 1, o + 6).map((d) => d.date);
      const r = await generateScenarios({ model, dates, count: 300, seed: 100 + j, history: ds.days.slice(0, o + 1), output: 'continuous' });
      const perDay = r.dates.map((d) => (d.values as number[][]).map(total));
      const sums = perDay[0].map((_, s) => perDay.reduce((a, day) => a + day[s], 0));
      F.push(variance(sums) / perDay.reduce((a, day) => a + variance(day), 0));
    }
    return mean(F);
  } finally {
    model.dispose();
  }
}

before(async () => {
  await initBackend('wasm');
});

const CASES = [
  {
    name: 'Southern Cross Station (1 h)',
    ingest: { input: FIX('melbourne_pedestrian_2015_2016_reduced.csv'), seriesCol: 'sensor', series: 'Southern Cross Station', tz: 'Australia/Melbourne' },
    clearlyAbove: 1.2,
  },
  {
    name: 'anonymous_bank_calls_1999 (30 min)',
    ingest: { input: FIX('anonymous_bank_calls_1999.csv'), interval: '30m', tz: 'Asia/Jerusalem' },
    clearlyAbove: 1.1,
  },
];

describe('multi-day paths on fixtures: 5-day totals spread like the data', () => {
  for (const c of CASES) {
    it(c.name, async (t) => {
      const ds = await ingest(c.ingest);
      const n = ds.days.length;
      // 6 origins in the last 40 % of days, each with 5 observed days after it.
      const origins = Array.from({ length: 6 }, (_, j) => Math.floor(0.6 * n) + Math.floor((j * (0.4 * n - 6)) / 6));
      const data = empiricalF(ds);
      const paths = await generatedF(ds, 'on', origins);
      const independent = await generatedF(ds, 'off', origins);
      t.diagnostic(`F: data ${data.toFixed(2)}, paths ${paths.toFixed(2)}, independent days ${independent.toFixed(2)}`);
      assert.ok(data > 1.5, `the data's days move together (F = ${data.toFixed(2)})`);
      assert.ok(paths > c.clearlyAbove * independent, `paths (F = ${paths.toFixed(2)}) spread more than independent days (F = ${independent.toFixed(2)})`);
      assert.ok(paths > data / 2.5 && paths < data * 2.5, `paths F = ${paths.toFixed(2)} within a factor 2.5 of the data's ${data.toFixed(2)}`);
    });
  }
});
