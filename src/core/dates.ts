/**
 * Calendar dates as ISO `YYYY-MM-DD` strings: the one check of a real date, day arithmetic,
 * date ranges and weekday names (luxon only). Every layer uses these; none writes its own.
 */
import { DateTime, FixedOffsetZone } from 'luxon';
import { z } from 'zod';
import { optionError, snippet } from './errors.js';

export const UTC = FixedOffsetZone.utcInstance;

/** The shape of an ISO calendar date; {@link isIsoDate} also checks that the date exists. */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The date at UTC midnight when `text` is a real `YYYY-MM-DD` calendar date, else null. */
export function isoDay(text: unknown): DateTime | null {
  if (typeof text !== 'string' || !ISO_DATE.test(text)) return null;
  const dt = DateTime.fromISO(text, { zone: UTC });
  return dt.isValid ? dt : null;
}

/** True when `text` is a real `YYYY-MM-DD` calendar date (2023-02-30 is not). */
export const isIsoDate = (text: unknown): text is string => isoDay(text) !== null;

/** An ISO date field of an HTTP request body (zod): shape, then a real calendar date. */
export const isoDateSchema = z
  .string()
  .regex(ISO_DATE, 'expected an ISO date YYYY-MM-DD')
  .refine((s) => isIsoDate(s), 'not a calendar date');

/** `date` plus `n` days (n may be negative). */
export function addDays(date: string, n: number): string {
  return DateTime.fromISO(date, { zone: UTC }).plus({ days: n }).toISODate()!;
}

/** Days from a to b (b − a), both ISO dates. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Every ISO date from a to b inclusive (empty when b is before a). */
export function dateRange(a: string, b: string): string[] {
  const out: string[] = [];
  const end = DateTime.fromISO(b, { zone: UTC });
  for (let d = DateTime.fromISO(a, { zone: UTC }); d <= end; d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

/** Luxon weekday (1 = Mon … 7 = Sun) of an ISO date. */
export function weekdayOf(date: string): number {
  return DateTime.fromISO(date, { zone: UTC }).weekday;
}

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const FULL_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** `Mon` for 1 … `Sun` for 7. */
export const weekdayName = (n: number): string => WEEKDAY_NAMES[n - 1];

/**
 * Weekday names (`mon`, `Tuesday`, ranges `mon-fri`) → luxon numbers 1 = Mon … 7 = Sun, sorted.
 * `field` names the setting in the error (`days`, `weekend`).
 */
export function parseWeekdays(list: string | readonly string[], field = 'days'): number[] {
  const items = (typeof list === 'string' ? list.split(',') : list.flatMap((x) => String(x).split(',')))
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  const one = (name: string): number => {
    let i = FULL_DAYS.indexOf(name);
    if (i < 0) i = FULL_DAYS.findIndex((f) => f.slice(0, 3) === name);
    if (i < 0) throw optionError(`\`${field}\`: unknown weekday '${snippet(name, 40)}'; use mon, tue, wed, thu, fri, sat, sun (ranges like mon-fri allowed)`, { field });
    return i + 1;
  };
  const out = new Set<number>();
  for (const it of items) {
    const range = it.split('-');
    if (range.length === 2) {
      const a = one(range[0]), b = one(range[1]);
      for (let d = a; ; d = (d % 7) + 1) {
        out.add(d);
        if (d === b) break;
      }
    } else out.add(one(it));
  }
  if (!out.size) throw optionError(`\`${field}\`: no weekday given; use e.g. mon,tue,wed`, { field });
  return [...out].sort((a, b) => a - b);
}
