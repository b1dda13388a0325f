/** Adapter and calendar flags shared by every command that reads a series (ingest, train, evaluate, …). */
import { type Command, Option } from 'commander';
import type { DaySeries, IngestOptions } from '../../adapters/index.js';
import { defaultCalendarOptions, parseWeekdays } from '../calendar/index.js';
import { HEMISPHERES, type CalendarOptions } from '../calendar/index.js';
import { isIP } from 'node:net';
import { optionError, snippet } from '../core/errors.js';
import { readInteger, readNumber } from '../core/numbers.js';

/** --input --format --time-col --value-col --series-col --series --tz --interval --open --close --days --missing --duplicates --holidays --value-kind */
export function addIngestOptions(cmd: Command): Command {
  return cmd
    .option('--input <file>', 'CSV or JSON file (JSON: an array of row objects)')
    .addOption(new Option('--format <shape>', 'counts: timestamp,value rows; events: one row per arrival; wide: one row per day').choices(['counts', 'events', 'wide']).default('counts'))
    .option('--time-col <name>', "timestamp (or, for wide tables, date) column (default: 'timestamp', else the first column holding times)")
    .option('--value-col <name>', 'value column (default: the first numeric column)')
    .option('--series-col <name>', 'column naming the series when a file holds several')
    .option('--series <name>', 'the series to read (with --series-col)')
    .option('--tz <zone>', 'IANA time zone: timestamps without offset are local time there, others are converted', 'UTC')
    .option('--interval <len>', "interval length: 5m, 6m, 15m, 30m, 1h, … (default: the data's; coarser re-aggregates by summing)")
    .option('--open <HH:MM>', 'start of the daily window (default: inferred from the data)')
    .option('--close <HH:MM>', 'end of the daily window, up to 24:00 (default: inferred from the data)')
    .option('--days <list>', 'weekdays to keep, e.g. mon,tue,wed,thu,fri or mon-fri (default: all)')
    .addOption(new Option('--missing <policy>', 'days with missing slots').choices(['drop', 'zero', 'interpolate']).default('drop'))
    .addOption(new Option('--duplicates <policy>', 'rows sharing a timestamp').choices(['error', 'sum']).default('error'))
    .option('--holidays <file|code>', 'holiday dates: a file with one ISO date per line, or public holidays of a country/region (US, IL, AU-VIC; via date-holidays)')
    .addOption(new Option('--value-kind <kind>', 'counts | measurements (default auto: counts when all values are non-negative integers)').choices(['auto', 'counts', 'measurements']).default('auto'));
}

const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

/** IngestOptions from commander's parsed options (camelCase keys). */
export function ingestOptionsFrom(opts: Record<string, unknown>): IngestOptions {
  const input = str(opts.input);
  if (!input) throw optionError('--input FILE is required (a CSV or JSON file of the series)');
  const days = str(opts.days);
  return {
    input,
    format: (str(opts.format) ?? 'counts') as IngestOptions['format'],
    timeCol: str(opts.timeCol),
    valueCol: str(opts.valueCol),
    seriesCol: str(opts.seriesCol),
    series: str(opts.series),
    tz: str(opts.tz) ?? 'UTC',
    interval: str(opts.interval),
    open: str(opts.open),
    close: str(opts.close),
    days: days ? days.split(',').map((d) => d.trim()).filter(Boolean) : undefined,
    missing: (str(opts.missing) ?? 'drop') as IngestOptions['missing'],
    duplicates: (str(opts.duplicates) ?? 'error') as IngestOptions['duplicates'],
    holidays: str(opts.holidays),
    valueKind: (str(opts.valueKind) ?? 'auto') as IngestOptions['valueKind'],
  };
}

/** --weekend sat,sun --hemisphere north|south --min-days 8 */
export function addCalendarOptions(cmd: Command): Command {
  return cmd
    .option('--weekend <days>', 'weekend days for the daytype key (Israel: fri,sat; none for no weekend)', 'sat,sun')
    .addOption(new Option('--hemisphere <h>', 'hemisphere for the season key').choices(HEMISPHERES).default('north'))
    .option('--min-days <n>', 'calendar keys with fewer training days merge into their parent', '8');
}

/** CalendarOptions from commander's parsed options; holidays come from the DaySeries (--holidays). */
export function calendarOptionsFrom(opts: Record<string, unknown>, ds: Pick<DaySeries, 'holidays'>): CalendarOptions {
  const minDaysText = str(opts.minDays) ?? '8';
  const minDays = Number(minDaysText);
  if (!Number.isInteger(minDays) || minDays < 1) throw optionError(`--min-days must be a positive integer, got '${minDaysText}'`);
  return defaultCalendarOptions({
    weekend: (str(opts.weekend) ?? 'sat,sun').trim().toLowerCase() === 'none' ? [] : parseWeekdays(str(opts.weekend) ?? 'sat,sun', 'weekend'),
    hemisphere: (str(opts.hemisphere) ?? 'north') as CalendarOptions['hemisphere'],
    holidays: ds.holidays,
    minDays,
  });
}

// ───────────────────────────── number and address parsers ─────────────────────────────
// Commander calls these while parsing; a MixcastError thrown here reaches runCli, which prints
// it without a stack and exits 2. Every message names the option and the accepted range.

/** An integer option in [min, max] (src/core/numbers.ts reads it). */
export const int =
  (name: string, min?: number, max?: number) =>
  (v: string): number =>
    readInteger(v, name, min, max);

/** A finite number option in [min, max] (or (min, max] with `openMin`). */
export const float =
  (name: string, min?: number, max?: number, openMin = false) =>
  (v: string): number =>
    readNumber(v, name, min, max, openMin);

/** Largest request body `serve` accepts as a --body-limit. */
export const MAX_BODY_LIMIT = 64 * 1024 * 1024;

/** --body-limit: 256kb, 1mb, 1048576 … up to 64mb. */
export function bodyLimit(v: string): string {
  const text = String(v).trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/.exec(text);
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;
  const n = m ? Number(m[1]) * mult[(m[2] ?? 'b') as keyof typeof mult] : NaN;
  if (!Number.isFinite(n) || n < 1 || n > MAX_BODY_LIMIT) {
    throw optionError(`--body-limit must be a size from 1b to 64mb such as 256kb or 1mb (got "${snippet(v, 40)}")`);
  }
  return text.replace(/\s+/g, '');
}

/** --host: an IPv4 or IPv6 address or a host name. */
export function host(v: string): string {
  const text = String(v).trim();
  const ok = /^[\d.]+$/.test(text) ? isIP(text) === 4 : text.includes(':') ? isIP(text) === 6 : /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/.test(text);
  if (!ok) throw optionError(`--host must be an IPv4 address (0.0.0.0 … 255.255.255.255), an IPv6 address or a host name (got "${snippet(v, 60)}")`);
  return text;
}

/** --redis URL (or MIXCAST_REDIS_URL); `required`: an error when neither is set. */
export function redisUrl(opts: Record<string, unknown>, required: boolean): string | null {
  const url = (opts.redis as string | undefined) ?? process.env.MIXCAST_REDIS_URL ?? null;
  if (required && !url) throw optionError('--redis URL (or MIXCAST_REDIS_URL) is required, e.g. --redis redis://127.0.0.1:6379');
  if (url && !/^rediss?:\/\//.test(url)) throw optionError(`--redis must be a redis:// or rediss:// URL (got ${url})`);
  return url;
}
