/**
 * The forecast origin of a request to a context-aware model: the observed history it may use
 * (the bundle's stored tail of the training data, then the request's `history` days, cut at
 * `origin`), and the requested dates' known covariates. Every requested date must come after the
 * origin; a model with covariates needs them for every requested date.
 */
import { optionError, unprocessable } from '../core/errors.js';
import { HISTORY_DAYS } from '../context/train.js';
import type { HistoryDay } from '../context/features.js';
import type { ModelInfo, ScenarioOptions } from './plan.js';
import { addDays, isIsoDate } from '../core/dates.js';

const isDate = isIsoDate;

/** Most history days a request may carry. */
export const MAX_HISTORY_DAYS = 3660;

export interface OriginContext {
  origin: string | null;
  /** Days up to the origin (the last HISTORY_DAYS), chronological. */
  history: HistoryDay[];
  /** Per requested date: its covariates in the model's order (undefined when the model has none). */
  covariates: (number[] | undefined)[];
}

export function originHistory(model: ModelInfo, o: Pick<ScenarioOptions, 'history' | 'origin' | 'futureCovariates'>, dates: readonly string[]): OriginContext {
  const m = model.manifest;
  const cc = m.context!;
  const d = m.data.labels.length;
  const counts = m.data.valueKind === 'counts';
  const byDate = new Map<string, number>(cc.history.map((h) => [h.date, h.total]));
  if (o.history !== undefined && o.history !== null) {
    if (!Array.isArray(o.history)) throw optionError('history must be a list of { date, values } days', { field: 'history' });
    if (o.history.length > MAX_HISTORY_DAYS) throw unprocessable(`history has ${o.history.length} days; the limit is ${MAX_HISTORY_DAYS}`, { field: 'history' });
    let prev = '';
    o.history.forEach((day, i) => {
      const at = `history[${i}]`;
      if (!day || typeof day !== 'object' || !isDate(day.date)) throw optionError(`${at}.date must be a calendar date YYYY-MM-DD`, { field: `${at}.date` });
      if (day.date <= prev) throw optionError(`${at}.date ${day.date} is not after ${prev}: history days must be in date order without repeats`, { field: `${at}.date` });
      prev = day.date;
      if (!Array.isArray(day.values) || day.values.length !== d) {
        throw optionError(`${at}.values must hold ${d} values (one per interval ${m.data.labels[0]}…${m.data.labels[d - 1]})`, { field: `${at}.values` });
      }
      let total = 0;
      (day.values as readonly unknown[]).forEach((v: unknown, q: number) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || (counts && v < 0)) {
          throw optionError(`${at}.values[${q}] is ${String(v)}: use a finite number${counts ? ' ≥ 0' : ''}`, { field: `${at}.values[${q}]` });
        }
        total += v;
      });
      byDate.set(day.date, total);
    });
  }
  if (o.origin !== undefined && o.origin !== null && !isDate(o.origin)) throw optionError(`origin must be a calendar date YYYY-MM-DD (got ${String(o.origin)})`, { field: 'origin' });
  // The origin: as given; else the last day of the request's history, else the end of the
  // training data — moved back to the day before the first requested date when that comes
  // earlier (a request about the past sees only what was known before it).
  const given = o.history?.length ? o.history[o.history.length - 1].date : null;
  let origin = o.origin ?? given ?? (cc.history.length ? cc.history[cc.history.length - 1].date : null);
  if (!o.origin && origin && dates.length) {
    const first = [...dates].sort()[0];
    if (first <= origin) origin = addDays(first, -1);
  }
  let history = [...byDate.entries()].map(([date, total]) => ({ date, total })).sort((a, b) => (a.date < b.date ? -1 : 1));
  if (origin) history = history.filter((h) => h.date <= origin);
  history = history.slice(Math.max(0, history.length - HISTORY_DAYS));
  if (origin) {
    const early = dates.filter((dt) => dt <= origin);
    if (early.length) {
      throw unprocessable(`${early[0]} is on or before the forecast origin ${origin} (the last observed day used); ask for dates after it, or pass an earlier origin`, {
        field: 'dates',
        origin,
        dates: early.slice(0, 10),
      });
    }
  }
  const names = cc.spec.covariates;
  const covariates: (number[] | undefined)[] = dates.map(() => undefined);
  if (names.length) {
    const missing: { date: string; columns: string[] }[] = [];
    dates.forEach((dt, i) => {
      const row = o.futureCovariates?.[dt];
      const cols = names.filter((nm) => !row || typeof row[nm] !== 'number' || !Number.isFinite(row[nm]));
      if (cols.length) missing.push({ date: dt, columns: cols });
      else covariates[i] = names.map((nm) => row![nm]);
    });
    if (missing.length) {
      throw unprocessable(
        `the model needs known covariates (${names.join(', ')}) for every requested date; missing for ${missing.length} date(s): ${missing
          .slice(0, 5)
          .map((x) => `${x.date} (${x.columns.join(', ')})`)
          .join('; ')}${missing.length > 5 ? '; …' : ''} — pass them as future covariates`,
        { field: 'futureCovariates', missing: missing.slice(0, 50) },
      );
    }
  }
  return { origin, history, covariates };
}
