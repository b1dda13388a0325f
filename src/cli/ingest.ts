/** `mixcast ingest`: read a series, key its days by the calendar, write one row per kept day. */
import type { Command } from 'commander';
import { ingest, formatReport } from '../../adapters/index.js';
import type { DaySeries } from '../../adapters/index.js';
import { dayKeys, KEY_NAMES } from '../calendar/index.js';
import type { CalendarOptions, KeyName } from '../calendar/index.js';
import { optionError, unprocessable } from '../core/errors.js';
import { toCsv } from '../core/csv.js';
import { action, emit, log } from './common.js';
import { withFlags } from './flags.js';
import { addCalendarOptions, addIngestOptions, calendarOptionsFrom, ingestOptionsFrom } from './options.js';

/** `weekday,season` → the key columns to write; `none` → no key column. */
export function parseKeyColumns(text: string | undefined): KeyName[] {
  if (text === undefined) return [...KEY_NAMES];
  if (text.trim().toLowerCase() === 'none') return [];
  const out: KeyName[] = [];
  for (const k of text.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)) {
    if (!(KEY_NAMES as readonly string[]).includes(k)) {
      throw optionError(`--keys: unknown key column '${k}'; valid: ${KEY_NAMES.join(', ')} (or none)`);
    }
    if (!out.includes(k as KeyName)) out.push(k as KeyName);
  }
  return out;
}

/** The ingest table: `date`, key columns, `v0 … v{d-1}`, one row per kept day. */
export function dayTable(ds: DaySeries, keys: KeyName[], cal: CalendarOptions): { header: string[]; rows: (string | number)[][] } {
  const header = ['date', ...keys, ...ds.labels.map((_, j) => `v${j}`)];
  const rows = ds.days.map((d) => {
    const k = dayKeys(d.date, cal);
    return [d.date, ...keys.map((name) => k[name]), ...d.values];
  });
  return { header, rows };
}

const KEY_ORDER = [
  ...['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  ...['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  ...['winter', 'spring', 'summer', 'autumn', 'weekday', 'weekend', 'holiday', 'regular'],
];

/** Kept days per value of each key column: `season: spring 60 · summer 66`. */
function keyCounts(ds: DaySeries, keys: KeyName[], cal: CalendarOptions): string[] {
  return keys.map((name) => {
    const n = new Map<string, number>();
    for (const d of ds.days) {
      const v = dayKeys(d.date, cal)[name];
      n.set(v, (n.get(v) ?? 0) + 1);
    }
    const rank = (k: string) => (KEY_ORDER.indexOf(k) + 1 || 99);
    const entries = [...n.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
    return `  ${name}: ${entries.map(([k, c]) => `${k} ${c}`).join(' · ')}`;
  });
}

export function register(program: Command): void {
  const cmd = program
    .command('ingest')
    .description('read a series (interval counts, event log or wide table) into one vector per day and write it with its calendar keys')
    .option('--keys <list>', `calendar key columns to write: ${KEY_NAMES.join(',')} (or none)`, KEY_NAMES.join(','))
    .option('--out <file>', 'output file: CSV, or JSON when it ends in .json (default: CSV on stdout)');
  addIngestOptions(cmd);
  addCalendarOptions(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const keys = parseKeyColumns(opts.keys as string | undefined);
      const ds = await ingest(ingestOptionsFrom(opts));
      const cal = calendarOptionsFrom(opts, ds);
      process.stderr.write(withFlags(formatReport(ds)) + '\n'); // the report names fields; say them as flags
      if (ds.days.length && keys.length) process.stderr.write(['kept days per key:', ...keyCounts(ds, keys, cal)].join('\n') + '\n');
      if (!ds.days.length) throw unprocessable('no day was kept; see the dropped days above (e.g. try --missing interpolate, another --series or a narrower --open/--close)');
      const { header, rows } = dayTable(ds, keys, cal);
      const out = opts.out as string | undefined;
      if (out?.toLowerCase().endsWith('.json')) {
        const objs = rows.map((r) => Object.fromEntries(header.map((h, j) => [h, r[j]])));
        emit(JSON.stringify(objs) + '\n', out);
      } else emit(toCsv(header, rows), out);
      if (out) log(`wrote ${ds.days.length} days × ${ds.labels.length} intervals to ${out}`);
    }),
  );
}
