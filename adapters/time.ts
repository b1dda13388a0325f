/** Time helpers for the adapters: intervals, clock times, zones, timestamps, DST days (luxon only). */
import { DateTime, Duration, FixedOffsetZone, Info, type Zone } from 'luxon';
import { optionError, snippet } from '../src/core/errors.js';

export { UTC } from '../src/core/dates.js';
import { UTC } from '../src/core/dates.js';
/** Interval and duration text is src/core/durations.ts's; re-exported for the adapters' users. */
export { DAY_SECONDS, parseInterval, formatInterval } from '../src/core/durations.js';
import { DAY_SECONDS } from '../src/core/durations.js';

/** `HH:MM`, `H:MM`, `HH:MM:SS` or `24:00` → seconds after midnight; `field` names the setting in the error (`open`, `close`). */
export function parseClock(text: string, field: string): number {
  const s = String(text ?? '').trim();
  if (s === '24:00' || s === '24:00:00') return DAY_SECONDS;
  for (const fmt of ['H:mm', 'H:mm:ss']) {
    const dt = DateTime.fromFormat(s, fmt, { zone: UTC });
    if (dt.isValid) return dt.hour * 3600 + dt.minute * 60 + dt.second;
  }
  throw optionError(`\`${field}\` '${snippet(s, 40)}' is not a clock time; use HH:MM between 00:00 and 24:00`, { field });
}

/** Seconds after midnight → `HH:MM` (or `HH:MM:SS` off the minute); 86400 → `24:00`. */
export function formatClock(sec: number): string {
  const d = Duration.fromObject({ seconds: Math.round(sec) });
  return Math.round(sec) % 60 === 0 ? d.toFormat('hh:mm') : d.toFormat('hh:mm:ss');
}

/** An IANA zone (or `UTC`, `UTC+3`) checked with luxon; unknown → option error. */
export function resolveZone(tz: string): Zone {
  const z = Info.normalizeZone(tz);
  if (!tz || !z?.isValid) {
    throw optionError(`unknown time zone '${tz}'; use an IANA name such as Europe/London, America/New_York, Asia/Jerusalem or UTC`);
  }
  return z;
}

/** A timestamp as local wall-clock: the date and the seconds after midnight. */
export interface WallTime {
  date: string;
  sec: number;
  /** The offset written in the source (minutes), or null when the timestamp had none. */
  sourceOffset: number | null;
}

const OFFSET_RE = /(?:z|[+-]\d\d(?::?\d\d)?)$/i;

/**
 * Turns timestamps into local wall-clock times in one zone. Timestamps without an offset are
 * already local wall-clock time and are taken as written; timestamps with an offset are
 * converted to the zone. Zone offsets are cached per quarter-hour of absolute time and date
 * strings per calendar day, so that one luxon parse per row is all a row costs.
 */
export class WallClock {
  private readonly offsetCache = new Map<number, number>();
  private readonly dateCache = new Map<number, string>();
  constructor(readonly zone: Zone) {}

  /** Parse one timestamp; null when it is not a timestamp. */
  parse(value: unknown): WallTime | null {
    let dt: DateTime;
    let hasOffset: boolean;
    if (value instanceof Date) {
      dt = DateTime.fromJSDate(value, { zone: UTC });
      hasOffset = true;
    } else if (typeof value === 'string') {
      const s = value.trim();
      dt = DateTime.fromISO(s, { zone: UTC, setZone: true });
      if (!dt.isValid) dt = DateTime.fromSQL(s, { zone: UTC, setZone: true });
      if (!dt.isValid) return null;
      hasOffset = dt.zone !== UTC || (s.includes(':') && OFFSET_RE.test(s));
    } else return null;
    if (!hasOffset) {
      return { date: this.dateOf(dt.year, dt.month, dt.day), sec: secOfDay(dt), sourceOffset: null };
    }
    const ms = dt.toMillis();
    const local = DateTime.fromMillis(ms + this.offsetAt(ms) * 60_000, { zone: UTC });
    return { date: this.dateOf(local.year, local.month, local.day), sec: secOfDay(local), sourceOffset: dt.offset };
  }

  /** The zone's offset (minutes) at an instant, cached per quarter-hour. */
  offsetAt(ms: number): number {
    const key = Math.floor(ms / 900_000);
    let off = this.offsetCache.get(key);
    if (off === undefined) {
      off = this.zone.offset(ms);
      this.offsetCache.set(key, off);
    }
    return off;
  }

  private dateOf(y: number, m: number, d: number): string {
    const key = y * 10_000 + m * 100 + d;
    let s = this.dateCache.get(key);
    if (s === undefined) {
      s = DateTime.fromObject({ year: y, month: m, day: d }, { zone: UTC }).toISODate()!;
      this.dateCache.set(key, s);
    }
    return s;
  }
}

const secOfDay = (dt: DateTime) => dt.hour * 3600 + dt.minute * 60 + dt.second + dt.millisecond / 1000;

/** Parse a calendar date (`YYYY-MM-DD`, or a timestamp whose date part is taken). */
export function parseDateValue(value: unknown, clock: WallClock): string | null {
  const w = clock.parse(value);
  return w ? w.date : null;
}

/** A DST transition on one local date: the wall-clock range that does not exist or repeats. */
export interface DstChange {
  kind: 'spring-forward' | 'fall-back';
  /** Wall-clock seconds after midnight: [start, end) is skipped (spring) or repeated (fall). */
  start: number;
  end: number;
  /** Offsets (minutes) before and after the change. */
  offsetBefore: number;
  offsetAfter: number;
}

const dstCache = new Map<string, DstChange | null>();

/** The DST change on a local date in a zone, or null (at most one change per day assumed). */
export function dstChange(date: string, zone: Zone): DstChange | null {
  const key = `${zone.name}|${date}`;
  const hit = dstCache.get(key);
  if (hit !== undefined) return hit;
  let out: DstChange | null = null;
  if (!zone.isUniversal) {
    const start = DateTime.fromISO(date, { zone }).startOf('day');
    const next = start.plus({ days: 1 }).startOf('day');
    const a = start.toMillis();
    const b = next.toMillis();
    const o1 = zone.offset(a);
    const o2 = zone.offset(b - 1);
    if (o1 !== o2) {
      // binary search the instant the offset changes (to the second)
      let lo = a, hi = b - 1;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (zone.offset(mid) === o1) lo = mid;
        else hi = mid;
      }
      const t = hi - (hi % 1000 === 0 ? 0 : hi % 1000);
      const wall = (off: number) => {
        const w = DateTime.fromMillis(t + off * 60_000, { zone: UTC });
        const sec = secOfDay(w);
        return w.toISODate() === date ? sec : sec + DAY_SECONDS;
      };
      const lowOff = Math.min(o1, o2), highOff = Math.max(o1, o2);
      out = {
        kind: o2 > o1 ? 'spring-forward' : 'fall-back',
        start: wall(lowOff),
        end: wall(highOff),
        offsetBefore: o1,
        offsetAfter: o2,
      };
    }
  }
  dstCache.set(key, out);
  return out;
}

/** `+11:00` for 660. */
export function formatOffset(minutes: number): string {
  return FixedOffsetZone.instance(minutes).formatOffset(0, 'short');
}

/** Date ranges and weekdays are src/core/dates.ts's; re-exported for the adapters' users. */
export { dateRange, weekdayOf } from '../src/core/dates.js';
