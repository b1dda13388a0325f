/** Shared option checks for the staffing library: every bad value is a typed error that says what to fix. */
import { optionError, unprocessable } from '../core/errors.js';

/** Largest average handle time (seconds) the staffing library accepts: one day. */
export const MAX_AHT_SECONDS = 86_400;
/**
 * Largest offered load (Erlangs) in one interval: the Erlang recursions cost O(agents) per
 * evaluation, so this bounds the work of a staffing run (20,000 Erlangs ≈ the largest centres).
 */
export const MAX_OFFERED_LOAD = 20_000;

/** Refuse an AHT over MAX_AHT_SECONDS and a load (calls · AHT / interval) over MAX_OFFERED_LOAD. */
export function checkStaffingWork(calls: number, aht: number, intervalSeconds: number): void {
  if (aht > MAX_AHT_SECONDS) throw optionError(`AHT ${aht} s is over the limit of ${MAX_AHT_SECONDS} s (one day); give the average handle time in seconds`, { aht, maxAht: MAX_AHT_SECONDS });
  const load = (calls * aht) / intervalSeconds;
  if (load > MAX_OFFERED_LOAD) {
    throw unprocessable(
      `${calls} calls × AHT ${aht} s in a ${intervalSeconds} s interval is an offered load of ${Math.round(load)} Erlangs; the limit is ${MAX_OFFERED_LOAD} — check the AHT unit (seconds) and the call counts`,
      { calls, aht, intervalSeconds, load, maxLoad: MAX_OFFERED_LOAD },
    );
  }
}

export function finiteNumber(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw optionError(`${name} must be a finite number (got ${String(v)})`);
  return v;
}

export function nonNegative(name: string, v: unknown): number {
  const x = finiteNumber(name, v);
  if (x < 0) throw optionError(`${name} must be ≥ 0 (got ${x})`);
  return x;
}

export function positive(name: string, v: unknown): number {
  const x = finiteNumber(name, v);
  if (x <= 0) throw optionError(`${name} must be > 0 (got ${x})`);
  return x;
}

/** A probability strictly inside (0, 1): service-level targets, coverage. */
export function openUnit(name: string, v: unknown): number {
  const x = finiteNumber(name, v);
  if (!(x > 0 && x < 1)) throw optionError(`${name} must be strictly between 0 and 1 (got ${x})`);
  return x;
}

/** A fraction in (0, 1]: max occupancy, max abandonment. */
export function halfOpenUnit(name: string, v: unknown): number {
  const x = finiteNumber(name, v);
  if (!(x > 0 && x <= 1)) throw optionError(`${name} must be in (0, 1] (got ${x})`);
  return x;
}

/** Shrinkage in [0, 1). */
export function shrinkageValue(v: unknown): number {
  const x = finiteNumber('shrinkage', v);
  if (!(x >= 0 && x < 1)) throw optionError(`shrinkage must be in [0, 1) (got ${x})`);
  return x;
}

export function agentCount(name: string, v: unknown): number {
  const x = finiteNumber(name, v);
  if (x < 0 || !Number.isInteger(x)) throw optionError(`${name} must be a whole number of agents ≥ 0 (got ${x})`);
  return x;
}

/** ceil with a tolerance so that e.g. 14 / 0.7 = 20.000000000000004 schedules 20, not 21. */
export function ceilTol(x: number): number {
  return Math.ceil(x - 1e-9 * Math.max(1, Math.abs(x)));
}

/** Scheduled staff for a number of agents on the phones: ceil(agents / (1 − shrinkage)). */
export function scheduledStaff(agents: number, shrinkage = 0): number {
  if (agents === 0) return 0;
  return ceilTol(agents / (1 - shrinkage));
}
