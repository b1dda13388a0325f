/**
 * Intraday backtest: on held-out days, does conditioning on the morning improve the scenarios
 * of the rest of the day? For each day, scenarios are generated twice with the same seed —
 * unconditional, and with the slots before `until` observed (both through `runScenarios`) — and
 * the fair CRPS (src/eval) of every remaining slot is averaged over those slots.
 */
import { crps } from '../eval/scores.js';
import { optionError } from '../core/errors.js';
import type { Predictor } from './plan.js';
import { runScenarios } from './run.js';

export interface IntradayOptions {
  /** Slots whose start label is before this local time are observed ("HH:MM"). */
  until: string;
  count: number;
  seed: number;
  sampler?: string;
  fallback?: 'error' | 'mixture';
}

export interface IntradayDay {
  date: string;
  /** Number of observed (morning) slots and scored (remaining) slots. */
  observed: number;
  scored: number;
  /** Mean CRPS over the remaining slots. */
  unconditional: number;
  conditional: number;
}

export interface IntradayReport {
  days: IntradayDay[];
  unconditional: number;
  conditional: number;
  /** 1 − conditional / unconditional. */
  improvement: number;
  /** Days on which conditioning lowered the CRPS. */
  better: number;
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function intradayBacktest(model: Predictor, days: { date: string; values: number[] }[], o: IntradayOptions): Promise<IntradayReport> {
  const labels = model.manifest.data.labels;
  const m = labels.filter((l) => l < o.until).length;
  if (m < 1 || m >= labels.length) throw optionError(`until ${o.until} must leave at least one observed and one remaining slot (slots ${labels[0]} … ${labels[labels.length - 1]})`);
  if (!days.length) throw optionError('days must hold at least one test day');
  const out: IntradayDay[] = [];
  for (const day of days) {
    const common = { dates: [day.date], count: o.count, seed: o.seed, sampler: o.sampler, output: 'continuous' as const, fallback: o.fallback };
    const un = (await runScenarios(model, common)).dates[0].values;
    const observed = day.values.map((v, q) => (q < m ? v : null));
    const co = (await runScenarios(model, { ...common, observed: { date: day.date, values: observed } })).dates[0].values;
    const score = (rows: number[][]) => {
      const per: number[] = [];
      for (let q = m; q < labels.length; q++) per.push(crps(rows.map((r) => r[q]), day.values[q]));
      return meanOf(per);
    };
    out.push({ date: day.date, observed: m, scored: labels.length - m, unconditional: score(un), conditional: score(co) });
  }
  const unconditional = meanOf(out.map((d) => d.unconditional));
  const conditional = meanOf(out.map((d) => d.conditional));
  return { days: out, unconditional, conditional, improvement: 1 - conditional / unconditional, better: out.filter((d) => d.conditional < d.unconditional).length };
}
