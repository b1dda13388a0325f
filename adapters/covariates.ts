/**
 * Known covariates per local calendar day, for context-aware scenarios:
 *
 * - `covariates` (`name[:mean|max|min|sum],…`): numeric or 0/1 columns of the input file, read from
 *   the same rows as ingest and aggregated per local date (`dailyCovariates`);
 * - `events` (a file): rows `date,name`, each name a 0/1 flag `event:NAME` (`readEvents`, `eventFlags`);
 * - `futureCovariates` (a file): a `date` column and one column per covariate, the values for the
 *   dates to generate (`readFutureCovariates`, `missingFutureCovariates`).
 *
 * Timestamps become local dates exactly as ingest makes them (same time column detection, series
 * selection, zone rules and messages: the helpers are ingest's own). Nothing is dropped silently.
 */
import { inputError, optionError, snippet } from '../src/core/errors.js';
import { isIsoDate } from '../src/core/dates.js';
import { readTable } from './read.js';
import { MAX_ABS_VALUE, columnsOf, defaultTimeCol, parseValue, pickSeries, toLong, withLongConvention } from './ingest.js';
import { WallClock, resolveZone } from './time.js';
import type { InputFormat } from './types.js';

export const AGGREGATIONS = ['mean', 'max', 'min', 'sum'] as const;
export type CovariateAggregation = (typeof AGGREGATIONS)[number];

/** One `covariates` entry: an input column and how its rows are combined into one value per day. */
export interface CovariateSpec {
  name: string;
  aggregation: CovariateAggregation;
}

/**
 * `temperature:max,campaign` → `[{ name: 'temperature', aggregation: 'max' }, { name: 'campaign',
 * aggregation: 'mean' }]`. The name is everything before the last `:` that is followed by an
 * aggregation; a column may be named once.
 */
export function parseCovariateSpec(text: string): CovariateSpec[] {
  const raw = String(text ?? '');
  if (raw.trim() === '') throw optionError('`covariates` is empty; list input columns, each name[:mean|max|min|sum], e.g. temperature:max,campaign', { field: 'covariates' });
  const out: CovariateSpec[] = [];
  raw.split(',').forEach((part, i) => {
    const item = part.trim();
    const colon = item.lastIndexOf(':');
    const name = (colon >= 0 ? item.slice(0, colon) : item).trim();
    const agg = colon >= 0 ? item.slice(colon + 1).trim().toLowerCase() : 'mean';
    if (name === '') {
      throw optionError(`\`covariates\` entry ${i + 1} ('${snippet(item, 40)}') has no column name; write name[:mean|max|min|sum], separated by commas`, { field: 'covariates', entry: i + 1 });
    }
    if (!(AGGREGATIONS as readonly string[]).includes(agg)) {
      throw optionError(`\`covariates\` '${snippet(item, 60)}': unknown aggregation '${snippet(agg, 20)}'; use one of ${AGGREGATIONS.join(', ')} (default mean)`, { field: 'covariates', entry: i + 1 });
    }
    if (out.some((s) => s.name === name)) {
      throw optionError(`\`covariates\` names column '${snippet(name, 60)}' twice; name each column once (one aggregation per column)`, { field: 'covariates', column: name });
    }
    out.push({ name, aggregation: agg as CovariateAggregation });
  });
  return out;
}

export interface DailyCovariatesOptions {
  specs: CovariateSpec[];
  /** As ingest's `timeCol` (default: ingest's detection). */
  timeCol?: string;
  /** As ingest's `tz` (default UTC). */
  tz?: string;
  seriesCol?: string;
  series?: string;
  /** 1-based file line of each row (from `readTable`), for messages. */
  lineNumbers?: number[];
  /** Name used in messages (e.g. the file path). */
  source?: string;
  /** Input shape, for the default time column (`wide` looks for `date` first). Default counts. */
  format?: InputFormat;
}

export interface DailyCovariates {
  /** Covariate names, in the order of the specs (the column names). */
  names: string[];
  /** Local date → one value per name (NaN where that day has no value for the column; listed in `missing`). */
  byDate: Map<string, number[]>;
  /** Days on which a column was empty on every row: those dates have no value for it. */
  missing: { date: string; column: string }[];
}

/**
 * Aggregate covariate columns per local calendar date of the chosen series. Every row of a date
 * counts (also rows outside the ingest window). A value must be a finite number, 0/1 or
 * true/false; an empty cell is an error unless the column is empty on every row of that date
 * (then the date has no value for it, reported in `missing`).
 */
export function dailyCovariates(rows: Record<string, unknown>[], o: DailyCovariatesOptions): DailyCovariates {
  if (!o || !Array.isArray(o.specs) || o.specs.length === 0) throw optionError('no covariates given: list input columns in `covariates`, each name[:mean|max|min|sum]', { field: 'covariates' });
  const source = o.source ?? 'input';
  if (!Array.isArray(rows) || rows.length === 0) throw inputError(`${source}: no data rows`);
  const format = o.format ?? 'counts';
  const clock = new WallClock(resolveZone(o.tz ?? 'UTC'));
  const columns = columnsOf(rows);
  const opts = withLongConvention(columns, { timeCol: o.timeCol, seriesCol: o.seriesCol, series: o.series, format });
  const need = (name: string, field: string) => {
    if (!columns.includes(name)) {
      throw inputError(`${source}: unknown column '${snippet(name, 60)}' (\`${field}\`); available columns: ${columns.join(', ')}`, { field, column: name, columns });
    }
  };
  if (opts.timeCol) need(opts.timeCol, 'timeCol');
  if (opts.seriesCol) need(opts.seriesCol, 'seriesCol');
  for (const s of o.specs) need(s.name, 'covariates');
  const timeCol = opts.timeCol ?? defaultTimeCol(rows, columns, format, clock, source);
  const { keep } = pickSeries(rows, columns, timeCol, opts, source);
  const where = (i: number) => (o.lineNumbers ? `row ${i + 1} (line ${o.lineNumbers[i]})` : `row ${i + 1}`);
  const long = toLong(rows, keep, timeCol, null, clock, where, source);

  interface Acc { n: number; sum: number; min: number; max: number; firstEmpty: number }
  const acc = new Map<string, Acc[]>();
  for (let k = 0; k < keep.length; k++) {
    const i = keep[k];
    const date = long.date[k];
    let a = acc.get(date);
    if (!a) {
      a = o.specs.map(() => ({ n: 0, sum: 0, min: Infinity, max: -Infinity, firstEmpty: -1 }));
      acc.set(date, a);
    }
    o.specs.forEach((s, j) => {
      const v = covariateValue(rows[i][s.name]);
      const x = a[j];
      if (v === undefined) {
        if (x.firstEmpty < 0) x.firstEmpty = i;
        return;
      }
      if (Number.isNaN(v)) throw badValue(source, where(i), s.name, rows[i][s.name], { row: i + 1, line: o.lineNumbers?.[i], column: s.name });
      x.n++;
      x.sum += v;
      if (v < x.min) x.min = v;
      if (v > x.max) x.max = v;
    });
  }

  const byDate = new Map<string, number[]>();
  const missing: DailyCovariates['missing'] = [];
  for (const date of [...acc.keys()].sort()) {
    const a = acc.get(date)!;
    byDate.set(
      date,
      o.specs.map((s, j) => {
        const x = a[j];
        if (x.n === 0) {
          missing.push({ date, column: s.name });
          return NaN;
        }
        if (x.firstEmpty >= 0) {
          throw inputError(
            `${source}: ${where(x.firstEmpty)}, column '${s.name}': empty covariate value on ${date}, which has ${x.n} other value${x.n === 1 ? '' : 's'} for it; fill it in (or leave the column empty on every row of that day)`,
            { row: x.firstEmpty + 1, line: o.lineNumbers?.[x.firstEmpty], column: s.name, date },
          );
        }
        return s.aggregation === 'sum' ? x.sum : s.aggregation === 'max' ? x.max : s.aggregation === 'min' ? x.min : x.sum / x.n;
      }),
    );
  }
  return { names: o.specs.map((s) => s.name), byDate, missing };
}

// ───────────────────────────── events ─────────────────────────────

export interface Events {
  /** Flag names, `event:NAME`, sorted. */
  names: string[];
  /** Date → the flags (`event:NAME`) set on it. */
  byDate: Map<string, Set<string>>;
}

/**
 * An events file: a header with `date` and `name`, one row per (date, event); every name becomes a
 * 0/1 covariate `event:NAME`. Dates are ISO (YYYY-MM-DD); names must not be empty. A (date, name)
 * pair given twice is the same flag.
 */
export function readEvents(file: string): Events {
  const table = readTable(file);
  const where = (i: number) => (table.lineNumbers ? `row ${i + 1} (line ${table.lineNumbers[i]})` : `row ${i + 1}`);
  const lacking = ['date', 'name'].filter((c) => !table.columns.includes(c));
  if (lacking.length) {
    throw inputError(
      `${file}: an events file needs a header row with columns date,name (missing: ${lacking.join(', ')}); found: ${table.columns.map((c) => snippet(c, 40)).join(', ')}`,
      { missing: lacking, columns: table.columns },
    );
  }
  if (table.rows.length === 0) throw inputError(`${file}: the events file has a header but no rows`);
  const byDate = new Map<string, Set<string>>();
  const names = new Set<string>();
  table.rows.forEach((r, i) => {
    const date = isoDate(r.date);
    if (!date) throw inputError(`${file}: ${where(i)}, column 'date': '${snippet(r.date, 40)}' is not a date; use ISO dates such as 2003-12-25`, { row: i + 1, column: 'date' });
    const name = r.name == null ? '' : String(r.name).trim();
    if (name === '') throw inputError(`${file}: ${where(i)}, column 'name': the event name is empty; name every event`, { row: i + 1, column: 'name' });
    const flag = `event:${name}`;
    names.add(flag);
    let s = byDate.get(date);
    if (!s) byDate.set(date, (s = new Set()));
    s.add(flag);
  });
  return { names: [...names].sort(), byDate };
}

/** One row per date: a 0/1 value per `events.names` entry. */
export function eventFlags(events: Events, dates: readonly string[]): number[][] {
  return dates.map((d) => {
    const on = events.byDate.get(d);
    return events.names.map((n) => (on?.has(n) ? 1 : 0));
  });
}

// ───────────────────────────── future covariates ─────────────────────────────

/**
 * A future-covariates file: a `date` column plus one column per name (numbers, 0/1 or
 * true/false). Returns date → values in the order of `names`; an empty cell is NaN (see
 * `missingFutureCovariates`). Other columns are ignored; a date may appear once.
 */
export function readFutureCovariates(file: string, names: string[]): Map<string, number[]> {
  const table = readTable(file);
  const where = (i: number) => (table.lineNumbers ? `row ${i + 1} (line ${table.lineNumbers[i]})` : `row ${i + 1}`);
  const lacking = ['date', ...names].filter((c) => !table.columns.includes(c));
  if (lacking.length) {
    throw inputError(
      `${file}: missing column${lacking.length === 1 ? '' : 's'} ${lacking.map((c) => `'${snippet(c, 60)}'`).join(', ')}; a future-covariates file needs a date column and one column per covariate (${names.join(', ')}); found: ${table.columns.map((c) => snippet(c, 40)).join(', ')}`,
      { missing: lacking, columns: table.columns },
    );
  }
  const out = new Map<string, number[]>();
  const firstRow = new Map<string, number>();
  table.rows.forEach((r, i) => {
    const date = isoDate(r.date);
    if (!date) throw inputError(`${file}: ${where(i)}, column 'date': '${snippet(r.date, 40)}' is not a date; use ISO dates such as 2003-12-25`, { row: i + 1, column: 'date' });
    const prev = firstRow.get(date);
    if (prev !== undefined) throw inputError(`${file}: date ${date} appears twice (${where(prev)} and ${where(i)}); give one row per date`, { row: i + 1, column: 'date' });
    firstRow.set(date, i);
    out.set(
      date,
      names.map((c) => {
        const v = covariateValue(r[c]);
        if (v === undefined) return NaN;
        if (Number.isNaN(v)) throw badValue(file, where(i), c, r[c], { row: i + 1, line: table.lineNumbers?.[i], column: c });
        return v;
      }),
    );
  });
  return new Map([...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/**
 * What the requested dates lack: for each date, the names with no value (the whole list when the
 * date is absent). Dates with everything present are left out; `[]` means nothing is missing.
 */
export function missingFutureCovariates(map: Map<string, number[]>, dates: readonly string[], names: readonly string[]): { date: string; columns: string[] }[] {
  const out: { date: string; columns: string[] }[] = [];
  for (const date of dates) {
    const v = map.get(date);
    const columns = v ? names.filter((_, j) => !Number.isFinite(v[j])) : names.slice();
    if (columns.length) out.push({ date, columns });
  }
  return out;
}

// ───────────────────────────── values ─────────────────────────────

/** A covariate cell: a number (true/false → 1/0), undefined when empty, NaN when not a usable number. */
function covariateValue(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return 1;
    if (s === 'false') return 0;
  }
  const x = parseValue(v);
  if (x === undefined || Number.isNaN(x)) return x;
  return Math.abs(x) <= MAX_ABS_VALUE ? x : NaN;
}

function badValue(source: string, at: string, column: string, raw: unknown, details: Record<string, unknown>) {
  return inputError(
    `${source}: ${at}, column '${column}': '${snippet(raw, 40)}' is not a covariate value; use finite numbers (at most ${MAX_ABS_VALUE} in magnitude), 0/1 or true/false`,
    details,
  );
}

/** `YYYY-MM-DD` that is a real date, else null. */
function isoDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return isIsoDate(s) ? s : null;
}
