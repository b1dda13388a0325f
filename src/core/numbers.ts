/**
 * Numbers read from text (CLI options, CSV cells, query strings), written once: an integer or a
 * finite number in a range, with a message that names the field and the accepted range.
 */
import { optionError, snippet } from './errors.js';

const fmt = (n: number) => (Math.abs(n) >= 1e5 && Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));

/** An integer in [min, max]; `field` names the setting in the error. */
export function readInteger(v: unknown, field: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(v ?? '').trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  const range = min === Number.MIN_SAFE_INTEGER ? 'an integer' : max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${fmt(min)}` : `an integer from ${fmt(min)} to ${fmt(max)}`;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw optionError(`${field} must be ${range} (got "${snippet(v, 40)}")`, { field });
  return n;
}

/** A finite number in [min, max] (or (min, max] with `openMin`); `field` names the setting in the error. */
export function readNumber(v: unknown, field: string, min = -Number.MAX_VALUE, max = Number.MAX_VALUE, openMin = false): number {
  const text = typeof v === 'number' ? String(v) : String(v ?? '').trim();
  const n = text === '' ? NaN : Number(text);
  const lo = openMin ? `> ${min}` : `≥ ${min}`;
  const range = min === -Number.MAX_VALUE ? 'a finite number' : max === Number.MAX_VALUE ? `a number ${lo}` : `a number ${lo} and ≤ ${max}`;
  if (!Number.isFinite(n) || (openMin ? n <= min : n < min) || n > max) throw optionError(`${field} must be ${range} (got "${snippet(v, 40)}")`, { field });
  return n;
}
