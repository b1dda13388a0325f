/**
 * Reading staffing inputs from CSV text: a plan (column `agents`, optional `interval_start`)
 * and scenario days, either the generator's long table
 * `date,component,scenario,interval_start,value` (one day per date + scenario, intervals in
 * interval_start order) or a wide table with one row per scenario and columns v0..v{d−1}.
 */
import * as aq from 'arquero';
import { DateTime } from 'luxon';
import { inputError } from '../errors.js';

type Row = Record<string, string>;

function readCsv(text: string, source: string): { columns: string[]; rows: Row[] } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw inputError(`${source}: the file is empty; expected a header row and data rows`);
  let t: aq.ColumnTable;
  try {
    t = aq.fromCSV(body, { autoType: false });
  } catch (e) {
    throw inputError(`${source}: not a readable CSV (${(e as Error).message})`);
  }
  const columns = t.columnNames().map((c) => c.trim());
  if (t.numRows() === 0) throw inputError(`${source}: no data rows after the header`);
  const rows = (t.objects() as Record<string, unknown>[]).map((o) => {
    const r: Row = {};
    for (const [k, v] of Object.entries(o)) r[k.trim()] = v === null || v === undefined ? '' : String(v).trim();
    return r;
  });
  return { columns, rows };
}

function numberAt(source: string, row: number, column: string, v: string): number {
  const x = v === '' ? NaN : Number(v);
  if (!Number.isFinite(x)) throw inputError(`${source}: data row ${row + 1}, column '${column}' is "${v}", not a number`);
  return x;
}

/**
 * Sort key for an interval start, in seconds: an ISO date-time (offset honoured; a wall-clock
 * time without offset is read as UTC, which keeps clock slots evenly spaced) or a clock
 * time HH:MM[:SS] (seconds since midnight).
 */
function timeKey(source: string, v: string): number {
  const iso = DateTime.fromISO(v, { setZone: true, zone: 'utc' });
  if (iso.isValid) return iso.toMillis() / 1000;
  for (const f of ['H:mm', 'H:mm:ss']) {
    const c = DateTime.fromFormat(v, f, { zone: 'utc' });
    if (c.isValid) return c.hour * 3600 + c.minute * 60 + c.second;
  }
  throw inputError(`${source}: interval_start "${v}" is neither an ISO date-time nor a clock time like 07:30`);
}

export interface PlanFile {
  agents: number[];
  intervalStarts: string[] | null;
}

/** A plan CSV: column `agents` (whole numbers ≥ 0), one row per interval; ordered by `interval_start` when present. */
export function parsePlanCsv(text: string, source = 'plan'): PlanFile {
  const { columns, rows } = readCsv(text, source);
  if (!columns.includes('agents')) throw inputError(`${source}: needs a column 'agents' (one row per interval); found ${columns.join(', ')}`);
  const items = rows.map((r, i) => {
    const a = numberAt(source, i, 'agents', r.agents);
    if (a < 0 || !Number.isInteger(a)) throw inputError(`${source}: data row ${i + 1}: agents must be a whole number ≥ 0 (got ${r.agents})`);
    return { a, start: columns.includes('interval_start') ? r.interval_start : null };
  });
  if (columns.includes('interval_start')) {
    const keyed = items.map((it) => ({ ...it, k: timeKey(source, it.start as string) }));
    keyed.sort((x, y) => x.k - y.k);
    for (let i = 1; i < keyed.length; i++) {
      if (keyed[i].k === keyed[i - 1].k) throw inputError(`${source}: interval_start ${keyed[i].start} appears twice`);
    }
    return { agents: keyed.map((x) => x.a), intervalStarts: keyed.map((x) => x.start as string) };
  }
  return { agents: items.map((x) => x.a), intervalStarts: null };
}

export interface ScenarioFile {
  format: 'long' | 'wide';
  /** Scenario days × intervals. */
  scenarios: number[][];
  /** Date and scenario id of each row of `scenarios` (long format), or the row number (wide). */
  labels: { date: string | null; scenario: string }[];
  /** interval_start of the first day's intervals (long format), else null. */
  intervalStarts: string[] | null;
  /** Interval length read from evenly spaced interval_start values (long format), else null. */
  intervalSeconds: number | null;
}

const LONG = ['date', 'scenario', 'interval_start', 'value'];

/** Scenario days from the generator's long CSV or a wide CSV with columns v0..v{d−1}. */
export function parseScenariosCsv(text: string, source = 'scenarios'): ScenarioFile {
  const { columns, rows } = readCsv(text, source);
  if (LONG.every((c) => columns.includes(c))) return parseLong(columns, rows, source);
  if (columns.includes('v0')) return parseWide(columns, rows, source);
  throw inputError(
    `${source}: expected the long scenario table (columns date,component,scenario,interval_start,value) ` +
      `or a wide table with columns v0..v{d-1}; found ${columns.join(', ')}`,
  );
}

function parseLong(columns: string[], rows: Row[], source: string): ScenarioFile {
  const allNumeric = rows.every((r) => r.scenario !== '' && Number.isFinite(Number(r.scenario)));
  const keyed = rows.map((r, i) => ({
    date: r.date,
    scenario: r.scenario,
    s: allNumeric ? Number(r.scenario) : 0,
    t: timeKey(source, r.interval_start),
    start: r.interval_start,
    value: numberAt(source, i, 'value', r.value),
  }));
  // arquero: order days by date then scenario, intervals by start time; count each day's intervals
  const table = aq.from(keyed)
    .orderby('date', allNumeric ? 's' : 'scenario', 't');
  const sizes = table.groupby('date', 'scenario').count().objects() as { date: string; scenario: string; count: number }[];
  const d = sizes[0].count;
  const odd = sizes.find((g) => g.count !== d);
  if (odd) {
    throw inputError(`${source}: day ${odd.date} scenario ${odd.scenario} has ${odd.count} intervals but day ${sizes[0].date} scenario ${sizes[0].scenario} has ${d}; every scenario day needs the same intervals`);
  }
  const ordered = table.objects() as typeof keyed;
  const scenarios: number[][] = [];
  const labels: { date: string | null; scenario: string }[] = [];
  for (let j = 0; j < ordered.length; j += d) {
    const day = ordered.slice(j, j + d);
    for (let i = 1; i < d; i++) {
      if (day[i].t === day[i - 1].t) throw inputError(`${source}: day ${day[i].date} scenario ${day[i].scenario} has interval_start ${day[i].start} twice`);
    }
    day.forEach((x) => {
      if (x.value < 0) throw inputError(`${source}: day ${x.date} scenario ${x.scenario} at ${x.start}: value ${x.value} is negative; call counts must be ≥ 0`);
    });
    scenarios.push(day.map((x) => x.value));
    labels.push({ date: day[0].date, scenario: day[0].scenario });
  }
  const first = ordered.slice(0, d);
  const gaps = first.slice(1).map((x, i) => x.t - first[i].t);
  const even = gaps.length > 0 && gaps.every((g) => Math.abs(g - gaps[0]) < 1e-6);
  return {
    format: 'long', scenarios, labels, intervalStarts: first.map((x) => x.start), intervalSeconds: even ? gaps[0] : null,
  };
}

function parseWide(columns: string[], rows: Row[], source: string): ScenarioFile {
  let d = 0;
  while (columns.includes(`v${d}`)) d++;
  const stray = columns.find((c) => /^v\d+$/.test(c) && Number(c.slice(1)) >= d);
  if (stray) throw inputError(`${source}: column ${stray} present but v${d} missing; a wide table needs v0..v{d-1} without gaps`);
  const scenarios = rows.map((r, s) =>
    Array.from({ length: d }, (_, i) => {
      const x = numberAt(source, s, `v${i}`, r[`v${i}`]);
      if (x < 0) throw inputError(`${source}: data row ${s + 1}, column v${i} is ${x}; call counts must be ≥ 0`);
      return x;
    }),
  );
  return {
    format: 'wide',
    scenarios,
    labels: rows.map((r, s) => ({ date: r.date ?? null, scenario: r.scenario ?? String(s) })),
    intervalStarts: null,
    intervalSeconds: null,
  };
}
