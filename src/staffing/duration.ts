/** Duration strings for CLI options: "20s", "3m", "180s", "1h", "30m", "1m30s", "1.5h". */
import { optionError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600 };

/**
 * Parse a duration into seconds. A unit is required on every part (ms, s, m/min, h) so that
 * "30" is never silently read as 30 seconds when 30 minutes was meant.
 */
export function parseDuration(text: string, name = 'duration'): number {
  const s = String(text).trim().toLowerCase();
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
    throw optionError(`${name}: cannot read "${text}" as a duration; use a number with a unit, e.g. 20s, 3m, 1h or 1m30s`);
  }
  return total;
}
