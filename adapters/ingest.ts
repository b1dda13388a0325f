/**
 * Rows → DaySeries. The pipeline, for every input shape:
 *
 *   rows ─ pick series ─ parse times to local wall-clock (luxon) ─ a long table
 *        (row, date, sec, value, off) ─ drop weekdays not in `days` ─ collapse rows that share
 *        a wall-clock time (DST repeated hour / `duplicates` sum) ─ source grid and window ─
 *        one vector of source slots per day ─ DST rule ─ missing-slot policy ─ sum source
 *        slots into target intervals.
 *
 * Event logs are counted into slots (arquero groupby/count) instead of collapsed; wide tables
 * are folded (arquero fold) into the long table first. See adapters/README.md for the rules.
 */
import * as aq from 'arquero';
import { inputError, optionError, snippet } from '../src/core/errors.js';
import { parseWeekdays, weekdayName } from '../src/core/dates.js';
import type { DayIssue, DaySeries, IngestOptions, IngestReport, InputFormat, MissingPolicy, SeriesSet } from './types.js';
import {
  DAY_SECONDS,
  WallClock,
  dateRange,
  dstChange,
  formatClock,
  formatInterval,
  formatOffset,
  parseClock,
  parseInterval,
  resolveZone,
  weekdayOf,
  type DstChange,
} from './time.js';
import { isHolidayCode, publicHolidays, readHolidays } from './holidays.js';

const { op } = aq;

const FORMATS: readonly InputFormat[] = ['counts', 'events', 'wide'];
const MISSING: readonly MissingPolicy[] = ['drop', 'zero', 'interpolate'];
const VALUE_KINDS = ['auto', 'counts', 'measurements'] as const;
const MISSING_TOKENS = new Set(['', 'na', 'nan', 'null', 'n/a', 'none']);

/** Options of ingestRows: IngestOptions without the file, plus where the rows came from. */
export type IngestRowsOptions = Omit<IngestOptions, 'input'> & {
  /** Name used in messages and the report (e.g. the file path). */
  source?: string;
  /** 1-based file line of each row (CSV), so messages can name the line as well as the row. */
  lineNumbers?: number[];
};

/** The long table every input shape is turned into (one entry per row or per wide cell). */
export interface Long {
  row: Int32Array; // index into the input rows
  date: string[];
  sec: Float64Array; // wall-clock seconds after midnight
  value: Float64Array; // NaN = missing
  off: (number | null)[]; // offset written in the source, minutes
  col?: string[]; // wide tables: the column each value came from
}

export function ingestRows(rows: Record<string, unknown>[], opts: IngestRowsOptions = {}): DaySeries {
  const source = opts.source ?? 'input';
  const format = (opts.format ?? 'counts') as InputFormat;
  if (!FORMATS.includes(format)) throw optionError(`\`format\` must be one of ${FORMATS.join(', ')}, got '${snippet(format, 40)}'`, { field: 'format' });
  const missing = (opts.missing ?? 'drop') as MissingPolicy;
  if (!MISSING.includes(missing)) throw optionError(`\`missing\` must be one of ${MISSING.join(', ')}, got '${snippet(missing, 40)}'`, { field: 'missing' });
  const dupPolicy = opts.duplicates ?? 'error';
  if (dupPolicy !== 'error' && dupPolicy !== 'sum') throw optionError(`\`duplicates\` must be error or sum, got '${snippet(dupPolicy, 40)}'`, { field: 'duplicates' });
  const kindOpt = opts.valueKind ?? 'auto';
  if (!VALUE_KINDS.includes(kindOpt)) throw optionError(`\`valueKind\` must be one of ${VALUE_KINDS.join(', ')}, got '${snippet(kindOpt, 40)}'`, { field: 'valueKind' });
  const zone = resolveZone(opts.tz ?? 'UTC');
  const clock = new WallClock(zone);
  const weekdays = opts.days?.length ? parseWeekdays(opts.days, 'days') : [1, 2, 3, 4, 5, 6, 7];
  // `holidays` FILE is read now; `holidays` US / AU-VIC is checked now and listed for the data's years below.
  const holidayCode = opts.holidays && isHolidayCode(opts.holidays) ? opts.holidays : undefined;
  if (holidayCode) publicHolidays(holidayCode, 1, 0);
  let holidays = opts.holidays && !holidayCode ? readHolidays(opts.holidays) : [];
  const where = (i: number) => (opts.lineNumbers ? `row ${i + 1} (line ${opts.lineNumbers[i]})` : `row ${i + 1}`);
  if (!Array.isArray(rows) || rows.length === 0) throw inputError(`${source}: no data rows`);

  const columns = columnsOf(rows);
  opts = withLongConvention(columns, opts);
  const need = (name: string, field: string) => {
    if (!columns.includes(name)) {
      throw inputError(`${source}: unknown column '${name}' (\`${field}\`); available columns: ${columns.join(', ')}`, { field, column: name, columns });
    }
  };
  if (opts.timeCol) need(opts.timeCol, 'timeCol');
  if (opts.seriesCol) need(opts.seriesCol, 'seriesCol');
  if (opts.valueCol) need(opts.valueCol, 'valueCol');
  if (format === 'events' && opts.valueCol) {
    throw optionError('`valueCol` does not apply to `format` events (each row is one arrival); leave it out, or set `format` to counts for rows that carry a value', { field: 'valueCol' });
  }
  const timeCol = opts.timeCol ?? defaultTimeCol(rows, columns, format, clock, source);

  // ---- series -------------------------------------------------------------------------------
  const { series, seriesCol, keep } = pickSeries(rows, columns, timeCol, opts, source);

  // ---- to the long table ---------------------------------------------------------------------
  const notes: string[] = [];
  let valueCol: string | null = null;
  let long: Long;
  let wideGrid: { open: number; close: number; step: number } | null = null;
  if (format === 'wide') {
    const w = wideToLong(rows, keep, columns, timeCol, seriesCol, opts, clock, where, source);
    long = w.long;
    wideGrid = w.grid;
  } else {
    if (format === 'counts') valueCol = opts.valueCol ?? defaultValueCol(rows, keep, columns, [timeCol, seriesCol], source);
    long = toLong(rows, keep, timeCol, valueCol, clock, where, source);
  }
  const emptyValues = countNaN(long.value);
  if (emptyValues && format !== 'events') notes.push(`${emptyValues} row${emptyValues === 1 ? '' : 's'} had an empty value (treated as missing slots)`);

  // ---- value kind ----------------------------------------------------------------------------
  let valueKind: DaySeries['valueKind'] = 'counts';
  const valueKindInferred = format !== 'events' && kindOpt === 'auto';
  if (format !== 'events') {
    valueKind = checkValueKind(long, kindOpt, valueCol ?? 'value', where, source);
  }

  // ---- days ----------------------------------------------------------------------------------
  const allDates = [...new Set(long.date)].sort();
  const rowsRead = format === 'wide' ? keep.length : long.row.length;
  const first = allDates[0];
  const last = allDates[allDates.length - 1];
  const present = new Set(allDates);
  const wantDay = (d: string) => weekdays.includes(weekdayOf(d));
  // a calendar code covers the data's years and the year after (dates a forecast asks for next)
  if (holidayCode) holidays = publicHolidays(holidayCode, Number(first.slice(0, 4)), Number(last.slice(0, 4)) + 1);
  const absentDates = dateRange(first, last).filter((d) => !present.has(d) && wantDay(d));
  const dropped: DayIssue[] = [];
  const repaired: DayIssue[] = [];
  const daysText = (opts.days ?? []).join(',');
  for (const d of allDates) {
    if (!wantDay(d)) {
      dropped.push({ date: d, reason: 'outside-days', detail: `${weekdayName(weekdayOf(d))} is not in \`days\` ${daysText}` });
    }
  }
  let table = aq.table({ row: long.row, date: long.date, sec: long.sec, value: long.value, off: long.off });
  let rowsOutsideWindow = 0;
  if (dropped.length) {
    const before = table.numRows();
    const out = new Set(dropped.map((x) => x.date));
    table = table.filter(aq.escape((d: { date: string }) => !out.has(d.date)));
    rowsOutsideWindow += format === 'wide' ? countWideRows(dropped, rows, keep, timeCol, clock) : before - table.numRows();
  }

  // ---- grid and window -----------------------------------------------------------------------
  const secs = table.array('sec') as Float64Array;
  if (secs.length === 0) {
    throw inputError(`${source}: no rows left on the chosen weekdays (\`days\` ${daysText})`, { field: 'days' });
  }
  let srcStep: number; // source slot length, seconds
  let anchor: number; // a source slot start
  let dataStart: number, dataEnd: number; // first slot start, last slot end seen in the data
  const requested = opts.interval ? Math.round(parseInterval(opts.interval) * 60) : null;
  if (format === 'events') {
    if (requested === null) throw optionError('`format` events needs `interval` (e.g. 15m): the interval the arrivals are counted into', { field: 'interval' });
    srcStep = requested;
    anchor = opts.open ? parseClock(opts.open, 'open') : 0;
    const [lo, hi] = minMax(secs);
    dataStart = anchor + Math.floor((lo - anchor) / srcStep) * srcStep;
    dataEnd = Math.min(DAY_SECONDS, anchor + (Math.floor((hi - anchor) / srcStep) + 1) * srcStep);
  } else if (wideGrid) {
    srcStep = wideGrid.step;
    anchor = wideGrid.open;
    dataStart = wideGrid.open;
    dataEnd = wideGrid.close;
  } else {
    srcStep = detectStep(secs, table.array('row') as Int32Array, where, source, requested);
    const [lo, hi] = minMax(secs);
    anchor = lo;
    dataStart = lo;
    dataEnd = Math.min(DAY_SECONDS, hi + srcStep);
  }
  const step = requested ?? srcStep;
  if (step < srcStep) {
    throw optionError(
      `\`interval\` ${opts.interval} is finer than the data's ${formatInterval(srcStep / 60)} slots: values cannot be split; use ${formatInterval(srcStep / 60)} or a multiple of it`,
      { field: 'interval' },
    );
  }
  if (step % srcStep !== 0) {
    throw optionError(
      `\`interval\` ${opts.interval} is not a whole number of the data's ${formatInterval(srcStep / 60)} slots; use a multiple of ${formatInterval(srcStep / 60)} (e.g. ${formatInterval((srcStep * Math.ceil(step / srcStep)) / 60)})`,
      { field: 'interval' },
    );
  }
  const windowInferred = !opts.open || !opts.close;
  const inferredText = !opts.open && !opts.close ? 'open and close' : !opts.open ? 'open' : !opts.close ? 'close' : null;
  let open: number, close: number;
  if (format === 'events' && opts.open && !opts.close) {
    open = parseClock(opts.open, 'open');
    close = Math.min(DAY_SECONDS, open + Math.ceil((dataEnd - open) / step) * step);
  } else if (format === 'events' && !opts.open && opts.close) {
    close = parseClock(opts.close, 'close');
    open = Math.max(0, close - Math.ceil((close - dataStart) / step) * step);
  } else {
    open = opts.open ? parseClock(opts.open, 'open') : dataStart;
    close = opts.close ? parseClock(opts.close, 'close') : format === 'events' ? Math.min(DAY_SECONDS, dataStart + Math.ceil((dataEnd - dataStart) / step) * step) : dataEnd;
  }
  if (open >= DAY_SECONDS) throw optionError(`\`open\` ${formatClock(open)} must be before 24:00`, { field: 'open' });
  if (close <= open) {
    throw optionError(`the window ${formatClock(open)}–${formatClock(close)} is empty: \`close\` must be after \`open\` (windows that cross midnight are not supported)`, { field: 'close' });
  }
  const offGrid = (t: number) => (((t - anchor) % srcStep) + srcStep) % srcStep !== 0;
  if (opts.open && offGrid(open)) {
    throw optionError(`\`open\` ${opts.open} is not a slot start of the data: its ${formatInterval(srcStep / 60)} slots start at ${formatClock(anchor % srcStep)}, ${formatClock((anchor % srcStep) + srcStep)}, …`, { field: 'open' });
  }
  if (opts.close && offGrid(close)) {
    throw optionError(`\`close\` ${opts.close} is not a slot boundary of the data: its ${formatInterval(srcStep / 60)} slots start at ${formatClock(anchor % srcStep)}, ${formatClock((anchor % srcStep) + srcStep)}, …`, { field: 'close' });
  }
  if ((close - open) % step !== 0) throw windowError(open, close, step, dataEnd, opts);
  const nSrc = (close - open) / srcStep;
  const per = step / srcStep;
  const nOut = nSrc / per;
  if (per > 1) notes.push(`re-aggregated ${formatInterval(srcStep / 60)} → ${formatInterval(step / 60)} by summing ${per} source slots per interval`);
  if (format === 'events') notes.push(`arrivals counted into ${formatInterval(step / 60)} intervals; intervals with no arrival hold 0`);

  const inWindow = table.filter(aq.escape((d: { sec: number }) => d.sec >= open && d.sec < close));
  const outsideRows = table.numRows() - inWindow.numRows();
  if (outsideRows) {
    rowsOutsideWindow += format === 'wide' ? 0 : outsideRows;
    if (format !== 'wide') notes.push(`${outsideRows} row${outsideRows === 1 ? '' : 's'} outside the window ${formatClock(open)}–${formatClock(close)} ignored`);
    else notes.push(`${outsideRows} value column cell${outsideRows === 1 ? '' : 's'} outside the window ${formatClock(open)}–${formatClock(close)} ignored`);
  }

  // ---- one vector of source slots per day ----------------------------------------------------
  const vectors = new Map<string, Float64Array>();
  const dstPairs = new Map<string, number>(); // date → slots where both occurrences were combined
  const summedDup = new Map<string, number>(); // date → timestamps summed under `duplicates` sum
  const occurrences = new Map<string, { first: number; second: number }>(); // fall-back rows by offset
  const slotOf = (sec: number) => Math.floor((sec - open) / srcStep);
  const vec = (date: string) => {
    let v = vectors.get(date);
    if (!v) {
      v = new Float64Array(nSrc).fill(format === 'events' ? 0 : NaN);
      vectors.set(date, v);
    }
    return v;
  };

  if (format === 'events') {
    const counted = inWindow
      .derive({ slot: aq.escape((d: { sec: number }) => slotOf(d.sec)) })
      .groupby('date', 'slot')
      .count({ as: 'n' });
    const cd = counted.array('date') as string[];
    const cs = counted.array('slot') as number[];
    const cn = counted.array('n') as number[];
    for (let i = 0; i < cd.length; i++) vec(cd[i])[cs[i]] = cn[i];
  } else {
    const groups = inWindow
      .groupby('date', 'sec')
      .rollup({
        n: op.count(),
        first: op.min('row'),
        last: op.max('row'),
        sum: op.sum('value'),
        mean: op.mean('value'),
        valid: op.valid('value'),
        offs: op.distinct('off'),
        off: op.min('off'),
      });
    const g = {
      date: groups.array('date') as string[],
      sec: groups.array('sec') as number[],
      n: groups.array('n') as number[],
      first: groups.array('first') as number[],
      last: groups.array('last') as number[],
      sum: groups.array('sum') as (number | undefined)[],
      mean: groups.array('mean') as (number | undefined)[],
      valid: groups.array('valid') as number[],
      offs: groups.array('offs') as number[],
      off: groups.array('off') as (number | null | undefined)[],
    };
    const trueDups: number[] = [];
    for (let i = 0; i < g.date.length; i++) {
      const ch = dstChange(g.date[i], zone);
      const inRepeat = !!ch && ch.kind === 'fall-back' && g.sec[i] >= ch.start && g.sec[i] < ch.end;
      if (g.n[i] > 1) {
        const hasOffsets = typeof g.off[i] === 'number';
        const dstPair = format !== 'wide' && inRepeat && g.n[i] === 2 && (!hasOffsets || g.offs[i] === 2);
        if (dstPair) dstPairs.set(g.date[i], (dstPairs.get(g.date[i]) ?? 0) + 1);
        else {
          trueDups.push(i);
          summedDup.set(g.date[i], (summedDup.get(g.date[i]) ?? 0) + 1);
        }
        const useMean = dstPair && valueKind === 'measurements';
        vec(g.date[i])[slotOf(g.sec[i])] = g.valid[i] ? (useMean ? g.mean[i]! : g.sum[i]!) : NaN;
      } else {
        vec(g.date[i])[slotOf(g.sec[i])] = g.valid[i] ? g.sum[i]! : NaN;
        if (inRepeat && typeof g.off[i] === 'number') {
          const o = occurrences.get(g.date[i]) ?? { first: 0, second: 0 };
          if (g.off[i] === ch!.offsetBefore) o.first++;
          else o.second++;
          occurrences.set(g.date[i], o);
        }
      }
    }
    if (trueDups.length && dupPolicy === 'error') {
      const candidates = seriesCol === null ? columns.filter((c) => c !== timeCol && c !== valueCol && Number.isNaN(parseValue(rows[keep[0]][c]) ?? 0)) : [];
      throw duplicatesError(trueDups, g, where, source, candidates);
    }
  }

  // days whose rows all fall outside the window
  for (const d of allDates) {
    if (!vectors.has(d) && wantDay(d)) {
      dropped.push({ date: d, reason: 'outside-window', detail: `no row inside the window ${formatClock(open)}–${formatClock(close)}` });
    }
  }

  // ---- per day: DST rule, missing policy, aggregation ----------------------------------------
  const days: DaySeries['days'] = [];
  const label = (s: number) => formatClock(open + s * srcStep);
  for (const date of [...vectors.keys()].sort()) {
    const v = vectors.get(date)!;
    const dayRepairs: DayIssue[] = [];
    const dstFilled = new Set<number>();
    const ch = dstChange(date, zone);
    if (ch && ch.start < close && ch.end > open) {
      const affected: number[] = [];
      for (let s = 0; s < nSrc; s++) {
        const a = open + s * srcStep;
        if (a < ch.end && a + srcStep > ch.start) affected.push(s);
      }
      const range = `${formatClock(Math.max(ch.start, open))}–${formatClock(Math.min(ch.end, close))}`;
      if (ch.kind === 'spring-forward') {
        if (format === 'events' && affected.every((s) => v[s] === 0)) for (const s of affected) v[s] = NaN;
        const empty = affected.filter((s) => Number.isNaN(v[s]));
        const held = affected.length - empty.length;
        for (const s of empty) dstFilled.add(s);
        const parts: string[] = [];
        if (empty.length) parts.push(`its ${empty.length} slot${empty.length === 1 ? '' : 's'} interpolated between neighbours`);
        if (held) parts.push(`the source holds values for ${held} of its slots (total ${sum(affected.filter((s) => !Number.isNaN(v[s])).map((s) => v[s]))}), kept as given`);
        dayRepairs.push({
          date,
          reason: 'dst-spring-forward',
          detail: `${range} does not exist on this day (clocks go forward, ${formatOffset(ch.offsetBefore)} → ${formatOffset(ch.offsetAfter)}): ${parts.join('; ')}`,
          slots: affected.length,
        });
      } else if (affected.some((s) => !Number.isNaN(v[s]))) {
        const pairs = dstPairs.get(date) ?? 0;
        const occ = occurrences.get(date);
        let what: string;
        if (format === 'events') what = 'arrivals of both occurrences fall into the same wall-clock slots (counted together)';
        else if (pairs) what = `${pairs} slot${pairs === 1 ? '' : 's'} had a row for each occurrence: ${valueKind === 'counts' ? 'summed' : 'averaged'}`;
        else if (occ) {
          what = occ.second === 0
            ? `the source has only the first occurrence (${formatOffset(ch.offsetBefore)}) of each slot; kept as given`
            : occ.first === 0
              ? `the source has only the second occurrence (${formatOffset(ch.offsetAfter)}) of each slot; kept as given`
              : `the source has one occurrence per slot (${occ.first} first, ${occ.second} second); kept as given`;
        } else what = 'the source has one row per slot and no UTC offsets, so the two occurrences cannot be told apart; kept as given (the slots may hold both)';
        dayRepairs.push({
          date,
          reason: 'dst-fall-back',
          detail: `${range} occurs twice on this day (clocks go back, ${formatOffset(ch.offsetBefore)} → ${formatOffset(ch.offsetAfter)}): ${what}`,
          slots: affected.length,
        });
      }
    }
    const gaps: number[] = [];
    for (let s = 0; s < nSrc; s++) if (Number.isNaN(v[s]) && !dstFilled.has(s)) gaps.push(s);
    if (gaps.length && missing === 'drop') {
      dropped.push({
        date,
        reason: 'missing-slots',
        detail: `${gaps.length} of ${nSrc} slots missing: ${slotRanges(gaps, label, srcStep, open)}`,
        slots: gaps.length,
      });
      continue;
    }
    if (gaps.length) {
      dayRepairs.push({
        date,
        reason: 'missing-slots',
        detail: `${gaps.length} of ${nSrc} slots missing, ${missing === 'zero' ? 'set to 0' : 'interpolated'}: ${slotRanges(gaps, label, srcStep, open)}`,
        slots: gaps.length,
      });
      if (missing === 'zero') for (const s of gaps) v[s] = 0;
    }
    const left = countNaN(v);
    if (left === nSrc) {
      dropped.push({ date, reason: 'missing-slots', detail: `all ${nSrc} slots missing (no value inside the window)`, slots: nSrc });
      continue;
    }
    if (left) interpolate(v, valueKind === 'counts');
    const dups = summedDup.get(date);
    if (dups) dayRepairs.push({ date, reason: 'duplicates', detail: `${dups} timestamp${dups === 1 ? '' : 's'} had several rows: summed (\`duplicates\` sum)`, slots: dups });
    repaired.push(...dayRepairs);
    const values = new Array<number>(nOut);
    for (let j = 0; j < nOut; j++) {
      let t = 0;
      for (let q = 0; q < per; q++) t += v[j * per + q];
      values[j] = t;
    }
    days.push({ date, values });
  }
  dropped.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  const labels = Array.from({ length: nOut }, (_, j) => formatClock(open + j * step));
  const report: IngestReport = {
    rowsRead,
    rowsOutsideWindow,
    daysRead: allDates.length,
    daysKept: days.length,
    dropped,
    repaired,
    windowInferred,
    windowInferredText: inferredText,
    sourceIntervalMinutes: srcStep / 60,
    absentDates,
    notes,
    source,
    format,
    valueKindInferred,
  };
  return {
    zone: zone.name,
    intervalMinutes: step / 60,
    open: formatClock(open),
    close: formatClock(close),
    labels,
    days,
    valueKind,
    series,
    holidays,
    weekdays,
    report,
  };
}

// ---------------------------------------------------------------------------------------------
// Columns

export function columnsOf(rows: Record<string, unknown>[]): string[] {
  const cols: string[] = [];
  const seen = new Set<string>();
  const scan = Math.min(rows.length, 1000);
  for (let i = 0; i < scan; i++) {
    const r = rows[i];
    if (r === null || typeof r !== 'object') throw inputError(`row ${i + 1} is not an object`);
    for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), cols.push(k));
  }
  return cols;
}

export function defaultTimeCol(rows: Record<string, unknown>[], columns: string[], format: InputFormat, clock: WallClock, source: string): string {
  const preferred = format === 'wide' ? ['date', 'day', 'timestamp'] : ['timestamp', 'time', 'datetime', 'date'];
  for (const p of preferred) if (columns.includes(p)) return p;
  const first = rows.find((r) => r && typeof r === 'object') ?? {};
  for (const c of columns) {
    const v = (first as Record<string, unknown>)[c];
    if (typeof v === 'string' && /\d{4}-\d{2}-\d{2}/.test(v) && clock.parse(v)) return c;
  }
  throw inputError(`${source}: no timestamp column found; name it with \`timeCol\` (available columns: ${columns.join(', ')})`, { field: 'timeCol', columns });
}

export function pickSeries(
  rows: Record<string, unknown>[],
  columns: string[],
  timeCol: string,
  opts: IngestRowsOptions,
  source: string,
): { series: string | null; seriesCol: string | null; keep: Int32Array } {
  let seriesCol = opts.seriesCol ?? null;
  const wanted = opts.series != null ? String(opts.series) : null;
  if (wanted !== null && !seriesCol) {
    seriesCol = columns.find((c) => c !== timeCol && rows.some((r) => r[c] != null && String(r[c]) === wanted)) ?? null;
    if (!seriesCol) {
      throw inputError(`${source}: no column holds the series '${wanted}'; name the column with \`seriesCol\` (available columns: ${columns.join(', ')})`, { field: 'seriesCol', columns });
    }
  }
  if (!seriesCol) return { series: null, seriesCol: null, keep: Int32Array.from(rows.keys()) };
  const t = aq.table({ i: Int32Array.from(rows.keys()), s: rows.map((r) => (r[seriesCol!] == null ? '' : String(r[seriesCol!]))) });
  const names = (t.groupby('s').count().array('s') as string[]).slice();
  const list = (xs: string[]) => xs.slice(0, 20).map((x) => `'${x}'`).join(', ') + (xs.length > 20 ? `, … (${xs.length} in all)` : '');
  let series = wanted;
  if (series === null) {
    if (names.length > 1) {
      throw inputError(`${source}: column '${seriesCol}' holds ${names.length} series (${list(names)}); choose one with \`series\``, { field: 'series', series: names });
    }
    series = names[0];
  } else if (!names.includes(series)) {
    throw inputError(`${source}: series '${series}' not found in column '${seriesCol}'; available: ${list(names)}`, { series: names });
  }
  const keep = t.params({ series }).filter((d: { s: string }, $: { series: string }) => d.s === $.series).array('i', Int32Array) as Int32Array;
  return { series, seriesCol, keep };
}

function defaultValueCol(rows: Record<string, unknown>[], keep: Int32Array, columns: string[], exclude: (string | null)[], source: string): string {
  // the first column whose first present value is a number (a bad value further down is then
  // reported with its row, rather than making the column invisible)
  for (const c of columns) {
    if (exclude.includes(c)) continue;
    for (let k = 0; k < keep.length && k < 1000; k++) {
      const v = parseValue(rows[keep[k]][c]);
      if (v === undefined) continue;
      if (!Number.isNaN(v)) return c;
      break;
    }
  }
  throw inputError(`${source}: no numeric value column found; name it with \`valueCol\` (available columns: ${columns.join(', ')})`, { field: 'valueCol', columns });
}

/**
 * Largest magnitude of one value: far above any count or measurement, and low enough that the
 * sums ingest makes (intervals, duplicates, a day) and the model's transforms stay finite.
 */
export const MAX_ABS_VALUE = 1e15;

/** A number, undefined for a missing value, NaN for something that is not a number. */
export function parseValue(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string') {
    const s = v.trim();
    if (MISSING_TOKENS.has(s.toLowerCase())) return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : NaN;
  }
  return NaN;
}

// ---------------------------------------------------------------------------------------------
// Long tables

export function toLong(
  rows: Record<string, unknown>[],
  keep: Int32Array,
  timeCol: string,
  valueCol: string | null,
  clock: WallClock,
  where: (i: number) => string,
  source: string,
): Long {
  const n = keep.length;
  const long: Long = { row: keep, date: new Array<string>(n), sec: new Float64Array(n), value: new Float64Array(n), off: new Array(n) };
  let firstWithOffset = -1, firstWithout = -1;
  for (let k = 0; k < n; k++) {
    const i = keep[k];
    const raw = rows[i][timeCol];
    const w = clock.parse(raw);
    if (!w) {
      throw inputError(
        `${source}: ${where(i)}, column '${timeCol}': '${String(raw)}' is not a timestamp; use ISO 8601 such as 2003-03-03T07:00:00 (optionally with an offset like +11:00)`,
        { row: i + 1, column: timeCol },
      );
    }
    if (w.sourceOffset === null) {
      if (firstWithout < 0) firstWithout = i;
      if (firstWithOffset >= 0) throw mixedOffsets(i, firstWithOffset, rows, timeCol, where, source, false);
    } else {
      if (firstWithOffset < 0) firstWithOffset = i;
      if (firstWithout >= 0) throw mixedOffsets(i, firstWithout, rows, timeCol, where, source, true);
    }
    long.date[k] = w.date;
    long.sec[k] = w.sec;
    long.off[k] = w.sourceOffset;
    if (valueCol === null) long.value[k] = 1;
    else {
      const v = parseValue(rows[i][valueCol]);
      if (v !== undefined && Number.isNaN(v)) {
        throw inputError(`${source}: ${where(i)}, column '${valueCol}': '${snippet(rows[i][valueCol])}' is not a number`, { row: i + 1, column: valueCol });
      }
      long.value[k] = v === undefined ? NaN : v;
    }
  }
  return long;
}

function mixedOffsets(i: number, other: number, rows: Record<string, unknown>[], timeCol: string, where: (i: number) => string, source: string, has: boolean) {
  return inputError(
    `${source}: ${where(i)}, column '${timeCol}': '${String(rows[i][timeCol])}' ${has ? 'has' : 'has no'} UTC offset but ${where(other)} ('${String(rows[other][timeCol])}') ${has ? 'has none' : 'has one'}; ` +
      `mixed timestamps are ambiguous: write an offset on every row or on none (rows without offset are local time in \`tz\`)`,
    { row: i + 1, column: timeCol },
  );
}

function wideToLong(
  rows: Record<string, unknown>[],
  keep: Int32Array,
  columns: string[],
  timeCol: string,
  seriesCol: string | null,
  opts: IngestRowsOptions,
  clock: WallClock,
  where: (i: number) => string,
  source: string,
): { long: Long; grid: { open: number; close: number; step: number } } {
  const others = columns.filter((c) => c !== timeCol && c !== seriesCol);
  // value columns named by clock time (07:00, 07:30, …) or v0, v1, …
  const timed = others.map((c) => ({ c, sec: clockOrNull(c) })).filter((x): x is { c: string; sec: number } => x.sec !== null && x.sec < DAY_SECONDS);
  let cols: string[];
  let secs: number[];
  let step: number;
  if (timed.length) {
    timed.sort((a, b) => a.sec - b.sec);
    cols = timed.map((x) => x.c);
    secs = timed.map((x) => x.sec);
    step = secs.length > 1 ? secs.slice(1).reduce((g, s, j) => gcd(g, s - secs[j]), 0) : opts.interval ? Math.round(parseInterval(opts.interval) * 60) : DAY_SECONDS - secs[0];
  } else {
    const vs = others.map((c) => ({ c, j: /^v(\d+)$/.exec(c) })).filter((x) => x.j).map((x) => ({ c: x.c, j: Number(x.j![1]) })).sort((a, b) => a.j - b.j);
    if (!vs.length) {
      throw inputError(
        `${source}: a wide table needs one column per interval, named by its start time (07:00, 07:30, …) or v0, v1, …; found: ${columns.join(', ')}`,
        { columns },
      );
    }
    vs.forEach((x, j) => {
      if (x.j !== j) throw inputError(`${source}: wide table column v${j} is missing (columns v0 … v${vs[vs.length - 1].j} must all be present)`);
    });
    if (!opts.interval) {
      throw optionError(`the wide table's columns v0 … v${vs.length - 1} carry no clock times: give \`interval\` (and \`open\` when the first interval does not start at 00:00)`, { field: 'interval' });
    }
    step = Math.round(parseInterval(opts.interval) * 60);
    let start = 0;
    if (opts.open) start = parseClock(opts.open, 'open');
    else if (opts.close) start = parseClock(opts.close, 'close') - vs.length * step;
    if (start < 0 || start + vs.length * step > DAY_SECONDS) {
      throw optionError(`${vs.length} intervals of ${opts.interval} starting at ${formatClock(Math.max(0, start))} do not fit in one day; check \`interval\` and \`open\``, { field: 'interval' });
    }
    cols = vs.map((x) => x.c);
    secs = cols.map((_, j) => start + j * step);
  }
  const secOf = new Map(cols.map((c, j) => [c, secs[j]]));

  // one date per wide row; a date may appear once
  const dateOfRow = new Map<number, string>();
  const firstRowOf = new Map<string, number>();
  for (const i of keep) {
    const raw = rows[i][timeCol];
    const w = clock.parse(raw);
    if (!w) {
      throw inputError(`${source}: ${where(i)}, column '${timeCol}': '${String(raw)}' is not a date; use ISO dates such as 2003-03-03`, { row: i + 1, column: timeCol });
    }
    const prev = firstRowOf.get(w.date);
    if (prev !== undefined && opts.duplicates !== 'sum') {
      throw inputError(`${source}: date ${w.date} appears twice in the wide table (${where(prev)} and ${where(i)}); keep one row per day or set \`duplicates\` to sum`, { row: i + 1, column: timeCol, field: 'duplicates' });
    }
    if (prev === undefined) firstRowOf.set(w.date, i);
    dateOfRow.set(i, w.date);
  }

  const folded = aq
    .from(Array.from(keep, (i) => ({ __row: i, ...pick(rows[i], cols) })))
    .fold(cols, { as: ['__col', '__value'] });
  const rowArr = folded.array('__row') as number[];
  const colArr = folded.array('__col') as string[];
  const valArr = folded.array('__value') as unknown[];
  const n = rowArr.length;
  const long: Long = { row: new Int32Array(n), date: new Array<string>(n), sec: new Float64Array(n), value: new Float64Array(n), off: new Array(n).fill(null), col: colArr };
  for (let k = 0; k < n; k++) {
    const i = rowArr[k];
    const v = parseValue(valArr[k]);
    if (v !== undefined && Number.isNaN(v)) {
      throw inputError(`${source}: ${where(i)}, column '${colArr[k]}': '${snippet(valArr[k])}' is not a number`, { row: i + 1, column: colArr[k] });
    }
    long.row[k] = i;
    long.date[k] = dateOfRow.get(i)!;
    long.sec[k] = secOf.get(colArr[k])!;
    long.value[k] = v === undefined ? NaN : v;
  }
  return { long, grid: { open: secs[0], close: Math.min(DAY_SECONDS, secs[secs.length - 1] + step), step } };
}

function pick(r: Record<string, unknown>, cols: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const c of cols) o[c] = r[c];
  return o;
}

function clockOrNull(name: string): number | null {
  if (!/^\d{1,2}:\d{2}(:\d{2})?$/.test(name.trim())) return null;
  try {
    return parseClock(name, 'column');
  } catch {
    return null;
  }
}

function countWideRows(dropped: DayIssue[], rows: Record<string, unknown>[], keep: Int32Array, timeCol: string, clock: WallClock): number {
  const out = new Set(dropped.map((d) => d.date));
  let n = 0;
  for (const i of keep) if (out.has(clock.parse(rows[i][timeCol])!.date)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Checks

function checkValueKind(
  long: Long,
  kindOpt: (typeof VALUE_KINDS)[number],
  valueCol: string,
  where: (i: number) => string,
  source: string,
): DaySeries['valueKind'] {
  let firstNeg = -1, firstFrac = -1;
  const colAt = (k: number) => (long.col ? long.col[k] : valueCol);
  for (let k = 0; k < long.value.length; k++) {
    const v = long.value[k];
    if (Number.isNaN(v)) continue;
    if (!(Math.abs(v) <= MAX_ABS_VALUE)) {
      const i = long.row[k];
      throw inputError(
        `${source}: ${where(i)}, column '${colAt(k)}': value ${v} is out of range; values must be finite and at most ${MAX_ABS_VALUE} in magnitude (sums of such values overflow)`,
        { row: i + 1, column: colAt(k), max: MAX_ABS_VALUE },
      );
    }
    if (v < 0 && firstNeg < 0) firstNeg = k;
    if (!Number.isInteger(v) && firstFrac < 0) firstFrac = k;
  }
  if (kindOpt === 'measurements') return 'measurements';
  const counts = kindOpt === 'counts' || firstFrac < 0;
  const colOf = (k: number) => (long.col ? long.col[k] : valueCol);
  if (counts && firstNeg >= 0) {
    const i = long.row[firstNeg];
    throw inputError(
      `${source}: ${where(i)}, column '${colOf(firstNeg)}': negative value ${long.value[firstNeg]} in a column of counts; counts must be ≥ 0 ` +
        `(if the column holds measurements that can be negative, set \`valueKind\` to measurements)`,
      { row: i + 1, column: colOf(firstNeg), field: 'valueKind' },
    );
  }
  if (kindOpt === 'counts' && firstFrac >= 0) {
    const i = long.row[firstFrac];
    throw inputError(`${source}: ${where(i)}, column '${colOf(firstFrac)}': ${long.value[firstFrac]} is not a whole number, but \`valueKind\` counts was given`, { row: i + 1, column: colOf(firstFrac), field: 'valueKind' });
  }
  return counts ? 'counts' : 'measurements';
}

function duplicatesError(
  idx: number[],
  g: { date: string[]; sec: number[]; n: number[]; first: number[]; last: number[] },
  where: (i: number) => string,
  source: string,
  seriesCandidates: string[],
) {
  const order = idx.slice().sort((a, b) => g.first[a] - g.first[b]);
  const shown = order.slice(0, 3).map((i) => `${g.date[i]} ${formatClock(g.sec[i])} (${g.n[i] === 2 ? `${where(g.first[i])} and ${where(g.last[i])}` : `${g.n[i]} rows, ${where(g.first[i])} … ${where(g.last[i])}`})`);
  const hint = seriesCandidates.length
    ? `; if column '${seriesCandidates[0]}' names several series, set \`seriesCol\` to ${seriesCandidates[0]} and choose one with \`series\``
    : '';
  return inputError(
    `${source}: duplicate timestamps: ${shown.join(', ')}${order.length > 3 ? `, … (${order.length} in all)` : ''}; set \`duplicates\` to sum to add them up${hint}`,
    { field: 'duplicates', duplicates: order.length },
  );
}

function windowError(open: number, close: number, step: number, dataEnd: number, opts: IngestRowsOptions) {
  const len = close - open;
  const lower = open + Math.floor(len / step) * step;
  const upper = open + Math.ceil(len / step) * step;
  const iv = formatInterval(step / 60);
  const options: string[] = [];
  if (lower > open) options.push(`${formatClock(lower)} (${(lower - open) / step} intervals)`);
  if (upper <= DAY_SECONDS) {
    options.push(`${formatClock(upper)}${upper > dataEnd ? ` (the data stop at ${formatClock(dataEnd)}, so its last interval would be incomplete)` : ''}`);
  }
  const which = opts.open && opts.close ? 'the window' : 'the window inferred from the data';
  return optionError(
    `${which} ${formatClock(open)}–${formatClock(close)} (${len / 60} min) is not a whole number of ${iv} intervals; ${options.length ? `set \`close\` to ${options.join(' or ')}, or move \`open\`` : 'move `open`'}`,
    { field: 'close', open: formatClock(open), close: formatClock(close), suggestions: [lower, upper].filter((x) => x > open && x <= DAY_SECONDS).map(formatClock) },
  );
}

/** The source slot length in seconds: the gcd of the distinct wall-clock times' steps. */
function detectStep(secs: Float64Array, rowIdx: Int32Array, where: (i: number) => string, source: string, requested: number | null): number {
  const distinct = [...new Set(secs)].sort((a, b) => a - b);
  const bad = distinct.findIndex((s) => !Number.isInteger(s));
  if (bad >= 0) {
    const k = secs.indexOf(distinct[bad]);
    throw inputError(`${source}: ${where(rowIdx[k])}: timestamp ${formatClock(distinct[bad])} has fractions of a second; interval rows must start on whole seconds (for one row per arrival set \`format\` to events)`, { field: 'format' });
  }
  if (distinct.length < 2) return requested ?? DAY_SECONDS;
  const diffs = distinct.slice(1).map((s, j) => s - distinct[j]);
  const step = diffs.reduce(gcd, 0);
  // a few stray rows off an otherwise regular grid: name the first rather than shrinking the grid
  const freq = new Map<number, number>();
  for (const d of diffs) freq.set(d, (freq.get(d) ?? 0) + 1);
  const mode = [...freq.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  if (mode > step) {
    const off = distinct.filter((s) => (s - distinct[0]) % mode !== 0);
    if (off.length <= distinct.length / 10) {
      const k = secs.indexOf(off[0]);
      throw inputError(
        `${source}: ${where(rowIdx[k])}: timestamp time ${formatClock(off[0])} is off the data's ${formatInterval(mode / 60)} grid (${formatClock(distinct[0])}, ${formatClock(distinct[0] + mode)}, …); interval rows must start on slot boundaries (for one row per arrival set \`format\` to events)`,
        { field: 'format' },
      );
    }
  }
  return step;
}

// ---------------------------------------------------------------------------------------------
// Small numeric helpers

function gcd(a: number, b: number): number {
  a = Math.abs(Math.round(a));
  b = Math.abs(Math.round(b));
  while (b) [a, b] = [b, a % b];
  return a;
}

function minMax(xs: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < lo) lo = xs[i];
    if (xs[i] > hi) hi = xs[i];
  }
  return [lo, hi];
}

function countNaN(xs: Float64Array): number {
  let n = 0;
  for (const x of xs) if (Number.isNaN(x)) n++;
  return n;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Linear interpolation of NaN entries between the nearest values on each side (ends: nearest value). */
export function interpolate(v: Float64Array, round: boolean): void {
  const n = v.length;
  let prev = -1;
  for (let i = 0; i <= n; i++) {
    if (i < n && Number.isNaN(v[i])) continue;
    if (i - prev > 1) {
      for (let j = prev + 1; j < i; j++) {
        let x: number;
        if (prev < 0) x = v[i];
        else if (i >= n) x = v[prev];
        else x = v[prev] + ((v[i] - v[prev]) * (j - prev)) / (i - prev);
        v[j] = round ? Math.round(x) : x;
      }
    }
    prev = i;
  }
}

/** Missing source slots as compact ranges: `02:00–03:00, 13:05`. */
function slotRanges(slots: number[], label: (s: number) => string, step: number, open: number): string {
  const parts: string[] = [];
  for (let a = 0; a < slots.length; ) {
    let b = a;
    while (b + 1 < slots.length && slots[b + 1] === slots[b] + 1) b++;
    parts.push(a === b ? label(slots[a]) : `${label(slots[a])}–${formatClock(open + (slots[b] + 1) * step)}`);
    a = b + 1;
  }
  return parts.length > 12 ? `${parts.slice(0, 12).join(', ')}, … (${parts.length} runs)` : parts.join(', ');
}

export type { DstChange };

// ───────────────────────────── several series ─────────────────────────────

/**
 * The long `unique_id, ds, y` convention (as in Nixtla's libraries): when a file has all three
 * columns, they are the series, time and value columns unless named otherwise.
 */
export function withLongConvention<O extends IngestRowsOptions>(columns: string[], opts: O): O {
  if (!['unique_id', 'ds', 'y'].every((c) => columns.includes(c))) return opts;
  return { ...opts, seriesCol: opts.seriesCol ?? 'unique_id', timeCol: opts.timeCol ?? 'ds', valueCol: opts.valueCol ?? (opts.format === 'events' ? undefined : 'y') };
}

/** The series named in a long file's series column (`seriesCol`, or `unique_id` by convention), sorted. */
export function seriesNames(rows: Record<string, unknown>[], opts: IngestRowsOptions = {}): { seriesCol: string; names: string[] } {
  const source = opts.source ?? 'input';
  if (!Array.isArray(rows) || rows.length === 0) throw inputError(`${source}: no data rows`);
  const columns = columnsOf(rows);
  const seriesCol = withLongConvention(columns, opts).seriesCol;
  if (!seriesCol) throw optionError(`${source}: name the column that holds the series with \`seriesCol\` (available columns: ${columns.join(', ')})`, { field: 'seriesCol', columns });
  if (!columns.includes(seriesCol)) throw inputError(`${source}: unknown column '${seriesCol}' (\`seriesCol\`); available columns: ${columns.join(', ')}`, { field: 'seriesCol', column: seriesCol, columns });
  const names = [...new Set(rows.map((r) => (r[seriesCol] == null ? '' : String(r[seriesCol]))))].sort();
  return { seriesCol, names };
}

/**
 * Every series of a long file (or the ones in `only`), each read by `ingestRows` with the same
 * options — so each DaySeries is exactly what `series: NAME` gives.
 */
export function ingestRowsMany(rows: Record<string, unknown>[], opts: Omit<IngestRowsOptions, 'series'> & { only?: string[] } = {}): SeriesSet {
  const { only, ...rest } = opts;
  const { seriesCol, names } = seriesNames(rows, rest);
  const source = rest.source ?? 'input';
  if (only) {
    const missing = only.filter((s) => !names.includes(s));
    if (missing.length) throw inputError(`${source}: series ${missing.map((s) => `'${s}'`).join(', ')} not found in column '${seriesCol}'; available: ${names.map((s) => `'${s}'`).join(', ')}`, { series: names });
  }
  const wanted = only ? names.filter((n) => only.includes(n)) : names;
  return { seriesCol, series: wanted.map((name) => ingestRows(rows, { ...rest, seriesCol, series: name })) };
}
