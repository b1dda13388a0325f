/** Requested dates: ISO calendar dates, a list or an inclusive start..end range (luxon day arithmetic). */
import { DateTime } from 'luxon';
import { optionError, unprocessable } from '../core/errors.js';
import { ISO_DATE, dateRange } from '../core/dates.js';

/** A calendar date as a luxon DateTime at UTC midnight; optionError (400) when not a real `YYYY-MM-DD`. */
export function parseIsoDate(text: unknown, what = 'date'): DateTime {
  if (typeof text !== 'string' || !ISO_DATE.test(text)) {
    throw optionError(`${what} must be an ISO date YYYY-MM-DD (got ${JSON.stringify(text)})`, { field: what, value: text ?? null });
  }
  const dt = DateTime.fromISO(text, { zone: 'utc' });
  if (!dt.isValid) throw optionError(`${what} ${text} is not a calendar date (${dt.invalidExplanation ?? dt.invalidReason})`, { field: what, value: text });
  return dt;
}

/** Long English weekday name of an ISO date, e.g. `Sunday`. */
export const weekdayLong = (date: string): string => parseIsoDate(date).setLocale('en').weekdayLong!;

export interface DateSelection {
  dates?: readonly string[];
  start?: string;
  end?: string;
}

/**
 * The dates a request asks for, in order: `dates` as given (no duplicates), or every date from
 * `start` to `end` inclusive (`end` defaults to `start`). Bad dates → optionError (400); a reversed
 * range or more than `maxDates` dates → unprocessable (422).
 */
export function resolveDates(sel: DateSelection, maxDates: number): string[] {
  const hasList = sel.dates !== undefined && sel.dates !== null;
  const hasRange = sel.start !== undefined || sel.end !== undefined;
  if (hasList && hasRange) throw optionError('give either dates or start/end, not both');
  if (hasList) {
    const list = sel.dates!;
    if (!Array.isArray(list) || list.length === 0) throw optionError('dates must be a non-empty list of ISO dates (YYYY-MM-DD)');
    if (list.length > maxDates) {
      throw unprocessable(`${list.length} dates requested; the limit is ${maxDates} per request — split the request`, { dates: list.length, maxDates });
    }
    const seen = new Set<string>();
    list.forEach((d, i) => {
      parseIsoDate(d, `dates[${i}]`);
      if (seen.has(d)) throw optionError(`date ${d} is listed twice in dates`, { date: d });
      seen.add(d);
    });
    return [...list];
  }
  if (sel.start === undefined) throw optionError('no dates given: pass start (and end, inclusive) or a list of dates');
  const a = parseIsoDate(sel.start, 'start');
  const b = parseIsoDate(sel.end ?? sel.start, 'end');
  if (b < a) {
    throw unprocessable(`end ${sel.end} is before start ${sel.start}: the range is reversed (start and end are both inclusive)`, {
      start: sel.start,
      end: sel.end,
    });
  }
  const n = Math.round(b.diff(a, 'days').days) + 1;
  if (n > maxDates) {
    throw unprocessable(`${sel.start} … ${sel.end} is ${n} dates; the limit is ${maxDates} per request — use a shorter range`, { dates: n, maxDates });
  }
  return dateRange(a.toISODate()!, b.toISODate()!);
}
