/**
 * Context: what is known at the forecast origin about a target day, as a feature vector u.
 *
 * The origin is the last complete observed day of the history. For a target day at lead
 * h = target − origin (calendar days, h ≥ 1) u holds
 *   - the recent level: the median (bundles before it: mean) deviation of the log daily total
 *     from what the calendar expects for those days (the training median of log totals of days
 *     with the same calendar key), over
 *     the last 1, 7 and 28 observed days, placed in the slot of the lead's band (1, 2–3, 4–7,
 *     8–14 days; leads past the last band use it), zeros in the other bands' slots: 3 × 4 = 12
 *     features, so a linear map learns a separate weight — possibly zero — for each band of leads;
 *   - the target day's known covariates (numeric, or 0/1 flags), as given.
 * Only days up to the origin enter: never the target day or after.
 */

/** One observed (or simulated) day of history: its date and its daily total. */
export interface HistoryDay {
  date: string;
  total: number;
}

/** How context is built; stored in the model bundle. */
export interface ContextSpec {
  /** Windows (in observed days) of the recent-level features. */
  windows: number[];
  /** Upper ends (days, increasing) of the lead bands; the first band starts at lead 1. */
  leadBands: number[];
  /** Training pairs use leads 1…maxLead. */
  maxLead: number;
  /** Names of the target-day covariates appended to u (in order). */
  covariates: string[];
  /**
   * How a window's daily deviations make its level, and the calendar's expectation: `median`
   * (the default: a holiday or an outage in the window moves it little) or `mean` (bundles
   * before the field; absent = `mean`).
   */
  level?: LevelStatistic;
}

/** The statistics a level can use: the one list behind the type and the manifest schema. */
export const LEVEL_STATISTICS = ['mean', 'median'] as const;
export type LevelStatistic = (typeof LEVEL_STATISTICS)[number];

export const DEFAULT_CONTEXT_SPEC: ContextSpec = { windows: [1, 7, 28], leadBands: [1, 3, 7, 14], maxLead: 14, covariates: [], level: 'median' };

/** Mean or median (the type-7 quantile at 0.5 of src/core/quantiles.ts) of a non-empty list. */
export function centralValue(kind: LevelStatistic, v: readonly number[]): number {
  return kind === 'mean' ? v.reduce((a, b) => a + b, 0) / v.length : quantileLinear(sortedCopy(v), 0.5);
}

import { quantileLinear, sortedCopy } from '../core/quantiles.js';

/** Days between two ISO dates (b − a): src/core/dates.ts's, re-exported for the context code. */
export { daysBetween } from '../core/dates.js';

export const logTotal = (total: number): number => Math.log1p(Math.max(0, total));

/** Index of the band of lead h (leads past the last band use it). */
export function leadBand(spec: ContextSpec, h: number): number {
  const b = spec.leadBands.findIndex((end) => h <= end);
  return b < 0 ? spec.leadBands.length - 1 : b;
}

/** Human name of band b, e.g. `2–3`. */
export function bandName(spec: ContextSpec, b: number): string {
  const lo = b === 0 ? 1 : spec.leadBands[b - 1] + 1;
  const hi = spec.leadBands[b];
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

/** Number of level features (windows × bands). */
export const levelWidth = (spec: ContextSpec): number => spec.windows.length * spec.leadBands.length;

/** Number of features in u. */
export const contextWidth = (spec: ContextSpec): number => levelWidth(spec) + spec.covariates.length;

/** Feature names, in u's order (for reports and errors). */
export function contextNames(spec: ContextSpec): string[] {
  const names: string[] = [];
  spec.leadBands.forEach((_, b) => spec.windows.forEach((w) => names.push(`level${w}@lead${bandName(spec, b)}`)));
  return [...names, ...spec.covariates.map((c) => `cov:${c}`)];
}

/**
 * The recent levels at the end of `history` (chronological; the last day is the origin):
 * median (or mean, per the spec) of log total − expected log total over each window. `expected(date)` is the calendar's
 * expectation for that date's log total.
 */
export function recentLevels(spec: ContextSpec, history: readonly HistoryDay[], expected: (date: string) => number, clip = Infinity): number[] {
  const dev: number[] = [];
  const need = Math.max(...spec.windows);
  for (let j = history.length - 1; j >= 0 && dev.length < need; j--) dev.push(Math.max(-clip, Math.min(clip, logTotal(history[j].total) - expected(history[j].date))));
  return spec.windows.map((w) => {
    const n = Math.min(w, dev.length);
    return n === 0 ? 0 : centralValue(spec.level ?? 'mean', dev.slice(0, n));
  });
}

/** Raw (unstandardised) u for a target at lead h, from the levels at the origin and the target's covariates. */
export function contextVector(spec: ContextSpec, levels: readonly number[], h: number, covariates: readonly number[] = []): number[] {
  if (covariates.length !== spec.covariates.length) throw new Error(`context needs ${spec.covariates.length} covariates (got ${covariates.length})`);
  const u = new Array<number>(levelWidth(spec)).fill(0);
  const b = leadBand(spec, h);
  const W = spec.windows.length;
  levels.forEach((l, i) => (u[b * W + i] = l));
  return [...u, ...covariates];
}
