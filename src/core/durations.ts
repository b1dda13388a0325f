/**
 * Durations, read the same way everywhere (CLI, HTTP, adapters): a number of seconds (`180`, or
 * `"180"`), a string with units (`20s`, `3m`, `30min`, `1h`, `1m30s`, `1.5h`, `1d`) or an ISO 8601
 * duration (`PT5M`). Interval lengths are durations that need their unit and fit in a day.
 */
import { Duration } from 'luxon';
import { z } from 'zod';
import { optionError } from './errors.js';

export const DAY_SECONDS = 86_400;

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: DAY_SECONDS, day: DAY_SECONDS, days: DAY_SECONDS,
};
// Longest unit names first, so `min` is not read as `m` followed by junk.
const UNITS = Object.keys(UNIT_SECONDS).sort((a, b) => b.length - a.length).join('|');
const PART = new RegExp(`(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(${UNITS})`, 'y');

/** Seconds of a duration text, or NaN when it is not one. `bareSeconds`: a plain number is seconds. */
export function durationSecondsOf(text: string, bareSeconds = true): number {
  const raw = String(text ?? '').trim();
  const s = raw.toLowerCase();
  if (bareSeconds && /^(\d+(\.\d+)?|\.\d+)$/.test(s)) return Number(s);
  if (/^p/.test(s)) {
    const dur = Duration.fromISO(raw.toUpperCase());
    return dur.isValid ? dur.as('seconds') : NaN;
  }
  let pos = 0;
  let total = 0;
  let parts = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) break;
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    pos = PART.lastIndex;
    parts++;
    while (s[pos] === ' ') pos++;
  }
  return parts === 0 || pos !== s.length || !Number.isFinite(total) ? NaN : total;
}

/**
 * A duration in seconds; `field` names the setting in the error. `bareSeconds: false` requires a
 * unit (interval lengths, where "30" would more likely mean 30 minutes than 30 seconds).
 */
export function parseDuration(text: string, field = 'duration', bareSeconds = true): number {
  const total = durationSecondsOf(text, bareSeconds);
  if (!Number.isFinite(total)) {
    throw optionError(`${field}: cannot read "${text}" as a duration; use ${bareSeconds ? 'seconds (180) or ' : ''}a number with a unit, e.g. 20s, 3m, 1h or 1m30s`, { field });
  }
  return total;
}

/**
 * Interval text → minutes: `5m`, `6m`, `15m`, `30m`, `1h`, `90s`, `1.5h`, `10min`, or an ISO
 * duration (`PT5M`). Must be a whole number of seconds, more than 0 and at most a day.
 */
export function parseInterval(text: string): number {
  const seconds = durationSecondsOf(text, false);
  if (!Number.isFinite(seconds) || seconds <= 0 || Math.abs(seconds - Math.round(seconds)) > 1e-6 || seconds > DAY_SECONDS) {
    throw optionError(`interval '${String(text ?? '').trim()}' is not an interval; use e.g. 5m, 6m, 15m, 30m, 1h or 90s (at most 24h)`, { field: 'interval' });
  }
  return Math.round(seconds) / 60;
}

/** Minutes → the shortest interval text (`5m`, `1h`, `90s`). */
export function formatInterval(minutes: number): string {
  const sec = Math.round(minutes * 60);
  if (sec % 3600 === 0) return `${sec / 3600}h`;
  if (sec % 60 === 0) return `${sec / 60}m`;
  return `${sec}s`;
}

/**
 * A duration field of an HTTP request, in seconds: a number (`180`) or a duration string
 * (`"180s"`, `"3m"`), exactly as the CLI reads it. `positive`: zero is refused too.
 */
export const durationSeconds = (positive = true) =>
  z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      if (typeof v === 'number') return v;
      try {
        return parseDuration(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    })
    .pipe(positive ? z.number().positive() : z.number().nonnegative());
