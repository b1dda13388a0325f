/**
 * The observed-slots file for intraday updating (`mixcast forecast --observed FILE`).
 *
 * Format: the same shape as the interval-count inputs — CSV (or JSON rows) with a `timestamp`
 * column (local interval start, ISO `YYYY-MM-DDTHH:MM[:SS]`, as in the data files; a timestamp
 * with a UTC offset is converted to the model's zone) and a value column (`value`, else the one
 * other column), one row per observed slot of ONE date. The date is read from the timestamps;
 * slots without a row are free (not seen yet). Every timestamp must be the start of one of the
 * model's slots.
 */
import { readTable } from '../../adapters/read.js';
import { resolveZone, WallClock, formatClock } from '../../adapters/time.js';
import { inputError } from '../core/errors.js';
import type { ObservedDay } from './plan.js';

export function parseObservedRows(
  rows: Record<string, unknown>[],
  columns: string[],
  model: { labels: readonly string[]; zone: string },
  source = 'observed file',
): ObservedDay {
  if (!columns.includes('timestamp')) throw inputError(`${source}: needs a timestamp column (local interval start, e.g. 2003-10-27T09:30) and a value column`);
  const valueCol = columns.includes('value') ? 'value' : columns.filter((c) => c !== 'timestamp').length === 1 ? columns.find((c) => c !== 'timestamp')! : null;
  if (!valueCol) throw inputError(`${source}: cannot tell the value column among ${columns.join(', ')}; name it "value"`);
  if (!rows.length) throw inputError(`${source}: no rows; give at least one observed slot`);
  const clock = new WallClock(resolveZone(model.zone));
  const values: (number | null)[] = model.labels.map(() => null);
  let date: string | null = null;
  rows.forEach((r, i) => {
    const w = clock.parse(r.timestamp);
    if (!w) throw inputError(`${source}: row ${i + 1}: timestamp ${JSON.stringify(r.timestamp)} is not an ISO timestamp`);
    if (date !== null && w.date !== date) throw inputError(`${source}: row ${i + 1} is on ${w.date} but earlier rows are on ${date}; the file holds one date`);
    date = w.date;
    const label = formatClock(w.sec);
    const slot = model.labels.indexOf(label);
    if (slot < 0) {
      throw inputError(`${source}: row ${i + 1}: ${label} is not the start of a slot of this model (slots start ${model.labels[0]} … ${model.labels[model.labels.length - 1]})`);
    }
    const raw = r[valueCol];
    const v = typeof raw === 'number' ? raw : Number(String(raw ?? '').trim());
    if (raw === '' || raw === null || raw === undefined || !Number.isFinite(v)) throw inputError(`${source}: row ${i + 1}: value ${JSON.stringify(raw)} is not a number`);
    if (values[slot] !== null) throw inputError(`${source}: slot ${label} appears twice`);
    values[slot] = v;
  });
  return { date: date!, values };
}

export function readObservedFile(file: string, model: { labels: readonly string[]; zone: string }): ObservedDay {
  const t = readTable(file);
  return parseObservedRows(t.rows, t.columns, model, file);
}
