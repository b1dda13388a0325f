/**
 * Durations, read the same way on the CLI and over HTTP: a number of seconds (`180`, or `"180"`)
 * or a string with units ("20s", "3m", "180s", "1h", "30m", "1m30s", "1.5h").
 */
import { z } from 'zod';
import { optionError } from '../core/errors.js';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600 };

/**
 * Parse a duration into seconds: a bare number is seconds; otherwise every part has a unit (ms,
 * s, m/min, h). `bareSeconds: false` requires a unit (interval lengths, where "30" would more
 * likely mean 30 minutes than 30 seconds).
 */
export function parseDuration(text: string, name = 'duration', bareSeconds = true): number {
  const s = String(text).trim().toLowerCase();
  if (bareSeconds && /^(\d+(\.\d+)?|\.\d+)$/.test(s)) return Number(s);
  const part = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|sec|min|hr|s|m|h)/y;
  let pos = 0;
  let total = 0;
  let parts = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) break;
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    pos = part.lastIndex;
    parts++;
    while (s[pos] === ' ') pos++;
  }
  if (parts === 0 || pos !== s.length || !Number.isFinite(total)) {
    throw optionError(`${name}: cannot read "${text}" as a duration; use ${bareSeconds ? 'seconds (180) or ' : ''}a number with a unit, e.g. 20s, 3m, 1h or 1m30s`);
  }
  return total;
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
