/**
 * The parent's work: put the units' results together in plan order (series by series; a
 * series' what-if case chunks merged back into one table — they share the base scenarios, so
 * the merge equals the unsplit run), finish a train batch (index + swap the collection into
 * place), and write the result as JSON or as one CSV table with a leading `series` column.
 */
import path from 'node:path';
import { forecastTable, scenarioRows, SCENARIO_HEADER, whatIfTable, BASELINE } from '../scenarios/index.js';
import type { ForecastResult, ScenarioResult, WhatIfResult } from '../scenarios/index.js';
import { scenarioStaffingTable, type ModelStaffingResult } from '../staffing/index.js';
import { commitCollection } from '../model/index.js';
import type { BatchPlan } from './plan.js';
import type { JobKind } from './request.js';
import type { UnitResult } from './unit.js';

export interface SeriesResult {
  series: string;
  /** The model version (weights sha256) the result came from; for train, the new model's. */
  version: string;
  result: unknown;
}

export interface BatchResult {
  id: string;
  kind: JobKind;
  model: string;
  seed: number;
  series: string[];
  results: SeriesResult[];
}

function mergeWhatIf(parts: WhatIfResult[]): WhatIfResult {
  if (parts.length === 1) return parts[0];
  const cases = [BASELINE, ...parts.flatMap((p) => p.cases.filter((c) => c !== BASELINE))];
  // whatIfBatch orders rows case by case; keep the baseline rows once (from the first chunk)
  const rows = [...parts[0].rows.filter((r) => r.case === BASELINE), ...parts.flatMap((p) => p.rows.filter((r) => r.case !== BASELINE))];
  return { ...parts[0], cases, rows };
}

/** The batch result from every unit's output (any order); for train, commits the collection. */
export function assembleBatch(plan: Pick<BatchPlan, 'id' | 'kind' | 'model' | 'series' | 'request' | 'staging' | 'seriesCol' | 'global'>, units: UnitResult[], root: string): BatchResult {
  const sorted = [...units].sort((a, b) => a.index - b.index);
  if (plan.kind === 'train') {
    const index = commitCollection(path.join(path.resolve(root), plan.staging!), path.join(path.resolve(root), plan.model), plan.series, plan.seriesCol ?? null, plan.global ? 'global' : 'per-series');
    // a global model's one unit reports every series
    const resultOf = (s: string) => (plan.global ? (sorted[0].result as { perSeries: Record<string, unknown> }).perSeries[s] : sorted.find((u) => u.series === s)!.result);
    const results = plan.series.map((s) => ({ series: s, version: index.series.find((e) => e.id === s)!.sha256, result: resultOf(s) }));
    return { id: plan.id, kind: plan.kind, model: plan.model, seed: plan.request.seed, series: plan.series, results };
  }
  const results: SeriesResult[] = plan.series.map((s) => {
    const mine = sorted.filter((u) => u.series === s);
    const result = plan.kind === 'whatif' ? mergeWhatIf(mine.map((u) => u.result as WhatIfResult)) : mine[0].result;
    return { series: s, version: mine[0].version, result };
  });
  return { id: plan.id, kind: plan.kind, model: plan.model, seed: plan.request.seed, series: plan.series, results };
}

/** One CSV table for the whole batch: the kind's usual table with a leading `series` column. */
export function batchTable(r: BatchResult): { header: string[]; rows: (string | number)[][] } {
  let header: string[] = [];
  const rows: (string | number)[][] = [];
  for (const s of r.results) {
    let t: { header: string[]; rows: (string | number)[][] };
    switch (r.kind) {
      case 'scenarios':
        t = { header: [...SCENARIO_HEADER], rows: [...scenarioRows(s.result as ScenarioResult)] };
        break;
      case 'forecast':
        t = forecastTable(s.result as ForecastResult);
        break;
      case 'whatif':
        t = whatIfTable(s.result as WhatIfResult);
        break;
      case 'staffing': {
        const st = s.result as ModelStaffingResult;
        const tables = st.dates.map((d) => ({ date: d.date, t: scenarioStaffingTable(d.result, st.labels) }));
        t = { header: ['date', ...(tables[0]?.t.header ?? [])], rows: tables.flatMap((x) => x.t.rows.map((row) => [x.date, ...row])) };
        break;
      }
      case 'train': {
        const x = s.result as { days: number; K: number; prior: string; steps: number; seconds: number; finalLoss: number };
        t = { header: ['days', 'K', 'prior', 'steps', 'seconds', 'final_loss', 'version'], rows: [[x.days, x.K, x.prior, x.steps, Number(x.seconds.toFixed(2)), Number(x.finalLoss.toFixed(6)), s.version]] };
        break;
      }
    }
    // tables that already lead with a series column get this series' id there; others get one
    const has = t.header[0] === 'series';
    header = has ? t.header : ['series', ...t.header];
    for (const row of t.rows) rows.push(has ? [s.series, ...row.slice(1)] : [s.series, ...row]);
  }
  return { header, rows };
}
