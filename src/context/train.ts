/**
 * Training rows for a context-aware model: every (day, origin) pair with lead 1…maxLead becomes
 * one row — the day's vector, its conditional center c(k, u) and its standardised context ũ —
 * so one network learns every lead. Also the manifest's context block.
 */
import { fitConditionalCenters, conditionalCenter, type ConditionalCenters } from './centers.js';
import { contextWidth, type ContextSpec } from './features.js';

export interface ContextRows {
  /** Training day of each row (rows of one day share its x0). */
  day: number[];
  /** Conditional center of each row (model space). */
  centers: number[][];
  /** Standardised context of each row. */
  context: number[][];
}

export interface ContextTrainingInput {
  dates: string[];
  /** Day vectors in original units (for totals and the stored history tail). */
  values: number[][];
  /** Calendar key of each day. */
  keys: string[];
  /** Model-space vectors and each day's component center. */
  z: number[][];
  centers: number[][];
  /** Target-day covariates (n × spec.covariates.length). */
  covariates?: number[][];
}

/** How many trailing training days the bundle keeps (totals for the context; vectors for charts). */
export const HISTORY_DAYS = 35;

export type ContextBlock = ConditionalCenters & { history: { date: string; total: number; values?: number[] }[] };

export function contextTraining(input: ContextTrainingInput, spec: ContextSpec): { block: ContextBlock; rows: ContextRows } {
  const totals = input.values.map((v) => v.reduce((a, b) => a + b, 0));
  const { cc, pairs } = fitConditionalCenters({ dates: input.dates, totals, keys: input.keys, z: input.z, centers: input.centers, covariates: input.covariates }, spec);
  const rows: ContextRows = { day: [], centers: [], context: [] };
  for (const p of pairs) {
    rows.day.push(p.day);
    rows.context.push(p.u);
    rows.centers.push(conditionalCenter(cc, input.centers[p.day], p.u));
  }
  const n = input.dates.length;
  const history = input.dates.slice(Math.max(0, n - HISTORY_DAYS)).map((date, j) => {
    const i = Math.max(0, n - HISTORY_DAYS) + j;
    return { date, total: totals[i], values: input.values[i].slice() };
  });
  if (cc.B.length !== contextWidth(spec)) throw new Error('context: B does not match the spec');
  return { block: { ...cc, history }, rows };
}
