/** Shared option checks for the staffing library: every bad value is a typed error that says what to fix. */
import { optionError } from '../errors.js';

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
