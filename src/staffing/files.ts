/**
 * Reading staffing inputs from CSV text: a plan (column `agents`, optional `interval` or
 * `interval_start`; `staff plan --out` writes one) and scenario days, either the generator's long
 * table (`date`, `scenario`, `interval` or `interval_start`, `value`; one day per date + scenario,
 * intervals in time order) or a wide table with one row per scenario and columns v0..v{d−1}.
 */
import { DateTime } from 'luxon';
import * as aq from 'arquero';
import { inputError } from '../core/errors.js';
import { parseCsv } from '../core/csv.js';

type Row = Record<string, string>;

/** The CSV's rows as trimmed strings (src/core/csv.ts reads it); at least one data row. */
function readCsv(text: string, source: string): { columns: string[]; rows: Row[] } {
  const t = parseCsv(text, source);
  if (t.rows.length === 0) throw inputError(`${source}: no data rows after the header`);
  const rows = t.rows.map((o) => {
    const r: Row = {};
    for (const [k, v] of Object.entries(o)) r[k] = v === null || v === undefined ? '' : String(v).trim();
    return r;
  });
  return { columns: t.columns, rows };
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
  throw inputError(`${source}: interval "${v}" is neither an ISO date-time nor a clock time like 07:30`);
}

export interface PlanFile {
  agents: number[];
  intervalStarts: string[] | null;
}

/** The interval column of a table: `interval` (the output naming scheme) or the older `interval_start`. */
const intervalColumn = (columns: string[]): string | null => (columns.includes('interval') ? 'interval' : columns.includes('interval_start') ? 'interval_start' : null);

/** A plan CSV: column `agents` (whole numbers ≥ 0), one row per interval; ordered by `interval` (or `interval_start`) when present. */
export function parsePlanCsv(text: string, source = 'plan'): PlanFile {
  const { columns, rows } = readCsv(text, source);
  if (!columns.includes('agents')) throw inputError(`${source}: needs a column 'agents' with one row per interval (the plan table that mixcast staff plan writes has it); found ${columns.join(', ')}`, { columns });
  const tcol = intervalColumn(columns);
  const items = rows.map((r, i) => {
    const a = numberAt(source, i, 'agents', r.agents);
    if (a < 0 || !Number.isInteger(a)) throw inputError(`${source}: data row ${i + 1}: agents must be a whole number ≥ 0 (got ${r.agents})`);
    return { a, start: tcol ? r[tcol] : null };
  });
  if (tcol) {
    const keyed = items.map((it) => ({ ...it, k: timeKey(source, it.start as string) }));
    keyed.sort((x, y) => x.k - y.k);
    for (let i = 1; i < keyed.length; i++) {
      if (keyed[i].k === keyed[i - 1].k) throw inputError(`${source}: interval ${keyed[i].start} appears twice`);
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

const LONG = ['date', 'scenario', 'value'];

/** Scenario days from the generator's long CSV or a wide CSV with columns v0..v{d−1}. */
export function parseScenariosCsv(text: string, source = 'scenarios'): ScenarioFile {
  const { columns, rows } = readCsv(text, source);
  const tcol = intervalColumn(columns);
  if (tcol && LONG.every((c) => columns.includes(c))) return parseLong(rows, source, tcol);
  if (columns.includes('v0')) return parseWide(columns, rows, source);
  throw inputError(
    `${source}: expected the long scenario table (columns date, scenario, interval, value, as mixcast generate writes) ` +
      `or a wide table with columns v0..v{d-1}; found ${columns.join(', ')}`,
  );
}

function parseLong(rows: Row[], source: string, tcol: string): ScenarioFile {
  const allNumeric = rows.every((r) => r.scenario !== '' && Number.isFinite(Number(r.scenario)));
  const keyed = rows.map((r, i) => ({
    date: r.date,
    scenario: r.scenario,
    s: allNumeric ? Number(r.scenario) : 0,
    t: timeKey(source, r[tcol]),
    start: r[tcol],
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
      if (day[i].t === day[i - 1].t) throw inputError(`${source}: day ${day[i].date} scenario ${day[i].scenario} has interval ${day[i].start} twice`);
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

/**
 * The scenario days of one date. With `date`, keep that date's rows (an error lists the dates the
 * file holds when it is not among them); without it, a file holding several dates is an error:
 * pooling different days would mix their call volumes into one plan check.
 */
export function scenariosForDate(file: ScenarioFile, date: string | undefined, source = 'scenarios'): ScenarioFile {
  const dates = [...new Set(file.labels.map((l) => l.date).filter((d): d is string => d !== null && d !== ''))];
  const list = (ds: string[]) => (ds.length > 5 ? `${ds.slice(0, 5).join(', ')}, … (${ds.length} dates)` : ds.join(', '));
  if (date === undefined) {
    if (dates.length > 1) throw inputError(`${source} holds scenarios for ${dates.length} dates (${list(dates)}); choose one with \`date\` (YYYY-MM-DD)`, { field: 'date', dates });
    return file;
  }
  if (dates.length === 0) throw inputError(`${source} has no date column, so \`date\` ${date} cannot select rows; leave \`date\` out`, { field: 'date' });
  const keep = file.labels.map((l, i) => (l.date === date ? i : -1)).filter((i) => i >= 0);
  if (keep.length === 0) throw inputError(`${source} has no scenarios for \`date\` ${date}; it holds ${list(dates)}`, { field: 'date', dates });
  return { ...file, scenarios: keep.map((i) => file.scenarios[i]), labels: keep.map((i) => file.labels[i]) };
}
