/**
 * What-if transforms applied to generated scenarios (original units), validated with zod.
 *
 * - `scale`: multiply by `factor`, optionally only on some `weekdays`, some `dates`, and/or an
 *   `intervals` range of the day.
 * - `add`: add `amount` arrivals per day, spread evenly over the `intervals` range (a campaign);
 *   optionally only on some weekdays/dates. For count output an integer amount is split into
 *   integers (the first slots take the remainder), so every scenario gains exactly `amount`
 *   unless clamping at 0 intervenes (negative amounts).
 * - `shock`: multiply by `factor` on the dates `start`..`end` (inclusive; `end` defaults to
 *   `start`) and optionally an `intervals` range (an outage backlog, a storm).
 *
 * An interval range is `"HH:MM-HH:MM"` over the slots' local start labels, half-open: the slots
 * starting at or after the first time and before the second (`"09:00-12:00"` at 30 minutes is
 * 09:00 … 11:30); `24:00` may end a range. Transforms apply in the order given. Count data stay
 * ≥ 0 (clamped). Observed slots of an intraday request are facts: transforms never change them.
 *
 * Batch what-if reads `{ "cases": [{ "name", "transforms": [...] }] }`. A case named `baseline`
 * with no transforms is always added first (the name is reserved), so every table has the
 * reference row; all cases are applied to the same base scenarios (common random numbers).
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { optionError, unprocessable } from '../core/errors.js';
import { isoDateSchema } from '../core/dates.js';

const isoDate = isoDateSchema;
const clock = '(?:[01]\\d|2[0-3]):[0-5]\\d|24:00';
const intervalRange = z
  .string()
  .regex(new RegExp(`^(?:${clock})-(?:${clock})$`), 'expected an interval range "HH:MM-HH:MM", e.g. "09:00-12:00"')
  .describe('local slot start times, half-open: "09:00-12:00" selects the slots starting 09:00 … before 12:00');
export const WEEKDAY_CODES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const weekdays = z.array(z.enum(WEEKDAY_CODES)).min(1);

export const scaleTransformSchema = z
  .object({
    type: z.literal('scale'),
    factor: z.number().min(0).max(1000).describe('multiplier, e.g. 1.1 for +10%'),
    weekdays: weekdays.optional().describe('only these weekdays'),
    dates: z.array(isoDate).min(1).optional().describe('only these dates'),
    intervals: intervalRange.optional(),
  })
  .strict();

export const addTransformSchema = z
  .object({
    type: z.literal('add'),
    amount: z.number().min(-1e9).max(1e9).describe('arrivals added per day, spread evenly over the interval range'),
    intervals: intervalRange,
    weekdays: weekdays.optional(),
    dates: z.array(isoDate).min(1).optional(),
  })
  .strict();

export const shockTransformSchema = z
  .object({
    type: z.literal('shock'),
    factor: z.number().min(0).max(1000),
    start: isoDate,
    end: isoDate.optional().describe('inclusive; defaults to start'),
    intervals: intervalRange.optional(),
  })
  .strict();

export const whatIfTransformSchema = z.discriminatedUnion('type', [scaleTransformSchema, addTransformSchema, shockTransformSchema]);
export type WhatIfTransform = z.infer<typeof whatIfTransformSchema>;

export const BASELINE = 'baseline';

export const whatIfCaseSchema = z
  .object({
    name: z.string().min(1).max(100),
    transforms: z.array(whatIfTransformSchema).max(100),
  })
  .strict();
export type WhatIfCase = z.infer<typeof whatIfCaseSchema>;

export const whatIfCasesSchema = z.object({ cases: z.array(whatIfCaseSchema).min(1).max(100) }).strict();

/** One compiled operation on a day's slots. */
export type SlotOp = { kind: 'mul'; slots: number[]; factor: number } | { kind: 'add'; slots: number[]; amounts: number[] };

function zodMessage(err: z.ZodError, what: string): string {
  const i = err.issues[0];
  return `${what}: ${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`;
}

/** Validate a list of transforms (optionError with the first issue). */
export function parseWhatIf(json: unknown, what = 'whatIf'): WhatIfTransform[] {
  const r = z.array(whatIfTransformSchema).safeParse(json);
  if (!r.success) throw optionError(zodMessage(r.error, what), { issues: r.error.issues });
  return r.data;
}

/**
 * Validate a cases file body and put the automatic `baseline` case first. Names must be unique;
 * `baseline` is reserved.
 */
export function parseCases(json: unknown, what = 'cases file'): WhatIfCase[] {
  const r = whatIfCasesSchema.safeParse(json);
  if (!r.success) throw optionError(zodMessage(r.error, what), { issues: r.error.issues });
  return withBaseline(r.data.cases, what);
}

export function withBaseline(cases: readonly WhatIfCase[], what = 'cases'): WhatIfCase[] {
  const seen = new Set<string>();
  for (const c of cases) {
    if (c.name === BASELINE) {
      throw optionError(`${what}: the case name "${BASELINE}" is reserved — the baseline (no transforms) is added automatically; rename your case`);
    }
    if (seen.has(c.name)) throw optionError(`${what}: case name "${c.name}" is used twice`);
    seen.add(c.name);
  }
  return [{ name: BASELINE, transforms: [] }, ...cases];
}

/** Slot indices whose start label lies in the half-open range "HH:MM-HH:MM". */
export function slotsInRange(range: string | undefined, labels: readonly string[]): number[] {
  if (range === undefined) return labels.map((_, j) => j);
  const [from, to] = range.split('-');
  if (!(from < to)) throw unprocessable(`interval range "${range}" is empty or reversed: the start must be before the end`, { intervals: range });
  const slots: number[] = [];
  labels.forEach((l, j) => {
    if (l >= from && l < to) slots.push(j);
  });
  if (!slots.length) {
    throw unprocessable(`interval range "${range}" selects no slot of this model (slots start ${labels[0]} … ${labels[labels.length - 1]})`, {
      intervals: range,
      first: labels[0],
      last: labels[labels.length - 1],
    });
  }
  return slots;
}

const weekdayCode = (date: string) => WEEKDAY_CODES[DateTime.fromISO(date, { zone: 'utc' }).weekday - 1];

/**
 * The operations of a list of transforms on one date, in order. `integerAdd`: split integer
 * `add` amounts into integers (count output).
 */
export function compileWhatIf(transforms: readonly WhatIfTransform[], date: string, labels: readonly string[], integerAdd: boolean): SlotOp[] {
  const ops: SlotOp[] = [];
  for (const t of transforms) {
    if (t.type === 'shock') {
      const end = t.end ?? t.start;
      if (end < t.start) throw unprocessable(`shock: end ${end} is before start ${t.start}`, { start: t.start, end });
      const slots = slotsInRange(t.intervals, labels);
      if (date >= t.start && date <= end) ops.push({ kind: 'mul', slots, factor: t.factor });
      continue;
    }
    const slots = slotsInRange(t.intervals, labels);
    if (t.weekdays && !t.weekdays.includes(weekdayCode(date))) continue;
    if (t.dates && !t.dates.includes(date)) continue;
    if (t.type === 'scale') ops.push({ kind: 'mul', slots, factor: t.factor });
    else {
      const n = slots.length;
      let amounts: number[];
      if (integerAdd && Number.isInteger(t.amount)) {
        const sign = Math.sign(t.amount);
        const abs = Math.abs(t.amount);
        const base = Math.floor(abs / n);
        const rem = abs - base * n;
        amounts = slots.map((_, i) => sign * (base + (i < rem ? 1 : 0)));
      } else amounts = slots.map(() => t.amount / n);
      ops.push({ kind: 'add', slots, amounts });
    }
  }
  return ops;
}

/** Apply compiled operations to one day in place; `clamp`: keep values ≥ 0; `keep`: slots never changed. */
export function applyOps(row: number[], ops: readonly SlotOp[], clamp: boolean, keep?: readonly boolean[] | null): number[] {
  for (const op of ops) {
    if (op.kind === 'mul') {
      for (const j of op.slots) if (!keep?.[j]) row[j] *= op.factor;
    } else {
      op.slots.forEach((j, i) => {
        if (!keep?.[j]) row[j] += op.amounts[i];
      });
    }
  }
  if (clamp) for (let j = 0; j < row.length; j++) if (row[j] < 0) row[j] = 0;
  return row;
}
