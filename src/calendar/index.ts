/**
 * Calendar keys: the structure a mixture prior is placed on.
 *
 * A key spec names what a day's key is made of:
 *
 * - an atom: `weekday` (Mon … Sun), `daytype` (weekday | weekend, weekend days configurable),
 *   `month` (Jan … Dec), `season` (meteorological, hemisphere-aware: winter | spring | summer |
 *   autumn), `holiday` (holiday | regular), or `all` (one key for every day);
 * - a product of atoms joined by `*`, e.g. `weekday*season` → `Mon*winter`;
 * - an override `holiday+<spec>`: holiday dates get the key `holiday`, every other date its
 *   `<spec>` key (e.g. `holiday+weekday` → `holiday`, `Mon`, `Tue`, …).
 *
 * Sparse keys (fewer than `minDays` training days) merge into their coarser parent, repeatedly
 * if needed, finest keys first: a product drops its last factor (`Mon*winter` → `Mon`);
 * `weekday` → `daytype` → `all`; `month` → `season` → `all`; `season`, `daytype`, `holiday` →
 * `all`; under `holiday+<spec>` a sparse `holiday` key falls back to each date's `<spec>` key.
 * Every merge is recorded. No tensors here: plain strings in, plain strings out.
 */
import { DateTime, FixedOffsetZone } from 'luxon';
import { optionError, inputError } from '../core/errors.js';
import { ISO_DATE, WEEKDAY_NAMES } from '../core/dates.js';
import type { CalendarOptions, KeyAssignment, KeyMerge, KeyName } from './types.js';

export type { CalendarOptions, Hemisphere, KeyAssignment, KeyMerge, KeyName } from './types.js';
export { HEMISPHERES } from './types.js';

/** Atoms a spec may use; `all` is the single key every day shares. */
export type KeyAtom = KeyName | 'all';

export const KEY_NAMES: readonly KeyName[] = ['weekday', 'daytype', 'month', 'season', 'holiday'];
const ATOMS: readonly KeyAtom[] = [...KEY_NAMES, 'all'];

/** A parsed key spec. */
export interface KeySpec {
  /** Canonical text, e.g. `weekday*season`, `holiday+weekday`. */
  text: string;
  /** True for `holiday+<spec>`: holiday dates get the key `holiday`, others their factors' key. */
  holidayOverride: boolean;
  /** The product's factors (one for a plain atom). */
  factors: KeyAtom[];
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const NORTH_SEASON = ['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter'];
const SOUTH_SEASON = ['summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter', 'winter', 'winter', 'spring', 'spring', 'spring', 'summer'];

export function defaultCalendarOptions(partial: Partial<CalendarOptions> = {}): CalendarOptions {
  const o: CalendarOptions = {
    weekend: partial.weekend ?? [6, 7],
    hemisphere: partial.hemisphere ?? 'north',
    holidays: partial.holidays ?? [],
    minDays: partial.minDays ?? 8,
  };
  for (const d of o.weekend) {
    if (!Number.isInteger(d) || d < 1 || d > 7) throw optionError(`weekend day ${d} is not a weekday number 1 (Mon) … 7 (Sun)`);
  }
  if (o.hemisphere !== 'north' && o.hemisphere !== 'south') {
    throw optionError(`hemisphere must be north or south, got '${String(o.hemisphere)}'`);
  }
  if (!Number.isInteger(o.minDays) || o.minDays < 1) throw optionError(`min-days must be a positive integer, got ${o.minDays}`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Dates

const UTC = FixedOffsetZone.utcInstance;
const dateCache = new Map<string, DateTime>();

/** Parse an ISO calendar date (the date of a local day; no zone arithmetic needed). */
function parseDate(date: string): DateTime {
  let dt = dateCache.get(date);
  if (!dt) {
    dt = DateTime.fromISO(date, { zone: UTC });
    if (!dt.isValid || !ISO_DATE.test(date)) {
      throw inputError(`'${date}' is not an ISO calendar date (YYYY-MM-DD)`);
    }
    if (dateCache.size > 100_000) dateCache.clear();
    dateCache.set(date, dt);
  }
  return dt;
}

const holidaySets = new WeakMap<readonly string[], Set<string>>();
function isHoliday(date: string, opts: CalendarOptions): boolean {
  let set = holidaySets.get(opts.holidays);
  if (!set) {
    set = new Set(opts.holidays);
    holidaySets.set(opts.holidays, set);
  }
  return set.has(date);
}

const daytypeOf = (weekday: number, opts: CalendarOptions) => (opts.weekend.includes(weekday) ? 'weekend' : 'weekday');
const seasonOf = (month: number, opts: CalendarOptions) =>
  (opts.hemisphere === 'south' ? SOUTH_SEASON : NORTH_SEASON)[month - 1];

/** Every calendar key of one date. */
export function dayKeys(date: string, opts: CalendarOptions): Record<KeyName, string> {
  const dt = parseDate(date);
  return {
    weekday: WEEKDAY_NAMES[dt.weekday - 1],
    daytype: daytypeOf(dt.weekday, opts),
    month: MONTH_NAMES[dt.month - 1],
    season: seasonOf(dt.month, opts),
    holiday: isHoliday(date, opts) ? 'holiday' : 'regular',
  };
}

// ---------------------------------------------------------------------------------------------
// Specs

const SPEC_HELP =
  `valid keys: ${ATOMS.join(', ')}; products join keys with '*' (e.g. weekday*season, weekday*month); ` +
  `'holiday+<spec>' gives holidays their own key (e.g. holiday+weekday)`;

const specCache = new Map<string, KeySpec>();

/** Parse a key spec such as `weekday`, `weekday*season` or `holiday+weekday`. */
export function parseKeySpec(spec: string): KeySpec {
  const cached = specCache.get(spec);
  if (cached) return cached;
  const text = String(spec ?? '').trim().toLowerCase().replace(/\s+/g, '');
  if (!text) throw optionError(`empty key spec; ${SPEC_HELP}`);
  let body = text;
  let holidayOverride = false;
  const plus = text.split('+');
  if (plus.length > 2) throw optionError(`key spec '${spec}' has more than one '+'; ${SPEC_HELP}`);
  if (plus.length === 2) {
    if (plus[0] !== 'holiday') {
      throw optionError(`key spec '${spec}': only 'holiday' can override ('holiday+<spec>'); ${SPEC_HELP}`);
    }
    holidayOverride = true;
    body = plus[1];
  }
  const factors = body.split('*');
  for (const f of factors) {
    if (!f) throw optionError(`key spec '${spec}' has an empty factor; ${SPEC_HELP}`);
    if (!(ATOMS as readonly string[]).includes(f)) throw optionError(`unknown key '${f}' in spec '${spec}'; ${SPEC_HELP}`);
  }
  if (new Set(factors).size !== factors.length) throw optionError(`key spec '${spec}' repeats a factor; ${SPEC_HELP}`);
  if (factors.length > 1 && factors.includes('all')) {
    throw optionError(`'all' cannot be part of a product (spec '${spec}'); ${SPEC_HELP}`);
  }
  if (holidayOverride && factors.includes('holiday')) {
    throw optionError(`key spec '${spec}' uses 'holiday' on both sides of '+'; ${SPEC_HELP}`);
  }
  const parsed: KeySpec = { text: (holidayOverride ? 'holiday+' : '') + factors.join('*'), holidayOverride, factors: factors as KeyAtom[] };
  specCache.set(spec, parsed);
  return parsed;
}

function atomKey(atom: KeyAtom, keys: Record<KeyName, string>): string {
  return atom === 'all' ? 'all' : keys[atom];
}

/** The chain of one atom's key from itself to the top (`all`). */
function atomChain(atom: KeyAtom, keys: Record<KeyName, string>): string[] {
  switch (atom) {
    case 'weekday':
      return [keys.weekday, keys.daytype, 'all'];
    case 'month':
      return [keys.month, keys.season, 'all'];
    case 'all':
      return ['all'];
    default:
      return [keys[atom], 'all'];
  }
}

/**
 * The merge path of a date under a spec, finest key first, ending at `all`: the raw key, then
 * the parent each merge would move it to.
 */
export function keyChain(date: string, spec: string | KeySpec, opts: CalendarOptions): string[] {
  const s = typeof spec === 'string' ? parseKeySpec(spec) : spec;
  const keys = dayKeys(date, opts);
  const chain: string[] = [];
  if (s.holidayOverride && keys.holiday === 'holiday') chain.push('holiday');
  for (let n = s.factors.length; n > 1; n--) {
    chain.push(s.factors.slice(0, n).map((f) => atomKey(f, keys)).join('*'));
  }
  chain.push(...atomChain(s.factors[0], keys));
  return chain;
}

/** The raw (unmerged) key of a date, e.g. `Mon*winter`. */
export function rawKey(date: string, spec: string, opts: CalendarOptions): string {
  return keyChain(date, spec, opts)[0];
}

/**
 * Key a set of training dates; keys with fewer than `opts.minDays` days merge into their parent
 * (finest first, repeatedly) and each merge is recorded.
 */
export function assignKeys(dates: string[], spec: string, opts: CalendarOptions): KeyAssignment {
  const s = parseKeySpec(spec);
  const chains = dates.map((d) => keyChain(d, s, opts));
  const level = new Array<number>(dates.length).fill(0);
  // steps from a chain position to the top: finer keys (more steps) merge first
  const depth = (i: number) => chains[i].length - 1 - level[i];
  const mergeTally = new Map<string, KeyMerge>();

  for (;;) {
    const count = new Map<string, number>();
    for (let i = 0; i < dates.length; i++) {
      const k = chains[i][level[i]];
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    // sparse keys that can still move up, and the deepest of them
    let maxDepth = 0;
    for (let i = 0; i < dates.length; i++) {
      if (depth(i) > 0 && count.get(chains[i][level[i]])! < opts.minDays) maxDepth = Math.max(maxDepth, depth(i));
    }
    if (maxDepth === 0) break;
    for (let i = 0; i < dates.length; i++) {
      const from = chains[i][level[i]];
      const n = count.get(from)!;
      if (depth(i) !== maxDepth || n >= opts.minDays) continue;
      level[i]++;
      const to = chains[i][level[i]];
      const id = `${from}\u0000${to}`;
      const m = mergeTally.get(id);
      if (m) m.days++;
      else mergeTally.set(id, { from, to, days: 1, reason: `${from} has ${n} training day${n === 1 ? '' : 's'} < min-days ${opts.minDays}` });
    }
  }

  const keys = dates.map((_, i) => chains[i][level[i]]);
  const keyMap: Record<string, string> = {};
  const ambiguous = new Set<string>();
  for (let i = 0; i < dates.length; i++) {
    const raw = chains[i][0];
    if (raw in keyMap && keyMap[raw] !== keys[i]) ambiguous.add(raw);
    keyMap[raw] = keys[i];
  }
  // Only `holiday` under an override can map to several keys (each holiday falls back to its own
  // date's key). Once merged it is left out, and holidays resolve through their ordinary key.
  if (s.holidayOverride && 'holiday' in keyMap && keyMap.holiday !== 'holiday') ambiguous.add('holiday');
  for (const raw of ambiguous) delete keyMap[raw];
  const counts: Record<string, number> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return { spec: s.text, keys, keyMap, merges: [...mergeTally.values()], counts };
}

/**
 * The final key for a (possibly future) date: its raw key's mapping when that key was seen in
 * training, else the first key on its merge path that was seen (as a raw key or as a final key);
 * null when the model saw none of them (e.g. a Sunday for a weekday-only model).
 */
export function resolveKey(
  date: string,
  assignment: Pick<KeyAssignment, 'spec' | 'keyMap'>,
  opts: CalendarOptions,
): string | null {
  const chain = keyChain(date, assignment.spec, opts);
  const finals = new Set(Object.values(assignment.keyMap));
  for (const k of chain) {
    if (Object.hasOwn(assignment.keyMap, k)) return assignment.keyMap[k];
    if (finals.has(k)) return k;
  }
  return null;
}

/** Human-readable list of the merges of an assignment. */
export function formatMerges(assignment: KeyAssignment): string {
  if (!assignment.merges.length) return `keys (${assignment.spec}): no sparse keys merged`;
  const lines = assignment.merges.map((m) => `  ${m.from} → ${m.to}: ${m.days} day${m.days === 1 ? '' : 's'} (${m.reason})`);
  return `keys (${assignment.spec}): ${assignment.merges.length} merge${assignment.merges.length === 1 ? '' : 's'} of sparse keys\n${lines.join('\n')}`;
}

/** Weekday names and parsing live in src/core/dates.ts; re-exported for the calendar's users. */
export { parseWeekdays, weekdayName } from '../core/dates.js';
