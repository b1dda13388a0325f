/**
 * Invertible value transforms between a day's values in original units and the model space
 * the diffusion runs in.
 *
 *   model value z_ij = (stabilise(x_ij) − mean_j) / std_j
 *
 * 1. Variance stabilisation, element-wise:
 *    - `anscombe`: y = 2·sqrt(x + 3/8). For Poisson counts with a mean that is not tiny the
 *      variance of y is ≈ 1 whatever the mean, so busy and quiet intervals carry noise of
 *      the same size. The default for counts.
 *    - `log1p`: y = log(1 + x). Turns multiplicative variation into additive.
 *    - `none`: y = x. For real-valued series (electricity demand, temperatures, …).
 *    Both non-identity transforms need values ≥ 0 (they are meant for counts and other
 *    non-negative quantities); use `none` for series that can go negative.
 * 2. Per-interval standardisation: mean_j and std_j of the stabilised values of interval j
 *    over the training days (population std, divide by n). The std is floored — see
 *    {@link stdFloor} — so an interval that is constant in training (night slots that are
 *    always 0, a one-day training set) maps to 0 instead of dividing by zero.
 *
 * The inverse ({@link fromModelSpace}) undoes both steps exactly (round trip to ~1e-12) and
 * returns continuous values; for count data (`counts: true`) it clamps at 0, since a sample
 * in model space may land below the image of 0. Rounding to integers, if wanted, is the
 * caller's choice.
 *
 * Everything here is plain Float64 arrays: no tensors.
 */
import { inputError, modelError, optionError } from '../core/errors.js';

/** Value transforms: the one list behind the type, `--transform` and the manifest schema. */
export const TRANSFORM_KINDS = ['anscombe', 'log1p', 'none'] as const;
export type TransformKind = (typeof TRANSFORM_KINDS)[number];

export interface TransformParams {
  kind: TransformKind;
  /** Per-interval mean of the stabilised training values (length d). */
  mean: number[];
  /** Per-interval std of the stabilised training values, already floored (length d, all > 0). */
  std: number[];
  /** Count data: non-negative on input, clamped at 0 on the way back. */
  counts: boolean;
}


/** Absolute lower bound on a per-interval std (in stabilised units). */
export const STD_FLOOR_ABS = 1e-6;
/** Relative lower bound: this fraction of the median of the intervals' non-zero stds. */
export const STD_FLOOR_REL = 0.05;

/** Parse a `--transform` value. */
export function parseTransform(s: string): TransformKind {
  const v = typeof s === 'string' ? s.trim().toLowerCase() : '';
  if ((TRANSFORM_KINDS as readonly string[]).includes(v)) return v as TransformKind;
  throw optionError(
    `unknown transform ${JSON.stringify(s)}: use one of ${TRANSFORM_KINDS.join(', ')} ` +
      `(anscombe for counts, none for real-valued series)`,
    { value: s, allowed: TRANSFORM_KINDS },
  );
}

/** The default transform: Anscombe for counts, none for real-valued series. */
export function defaultTransform(counts: boolean): TransformKind {
  return counts ? 'anscombe' : 'none';
}

/** Variance-stabilise one value. The caller guarantees the domain (x ≥ 0 unless kind is none). */
export function stabilise(kind: TransformKind, x: number): number {
  switch (kind) {
    case 'anscombe':
      return 2 * Math.sqrt(x + 0.375);
    case 'log1p':
      return Math.log1p(x);
    case 'none':
      return x;
  }
}

/**
 * Inverse of {@link stabilise}: the algebraic inverse, applied to samples (not to means, so
 * no bias correction is wanted). Anscombe: x = (y/2)² − 3/8 for y ≥ 0; below 0 the
 * parabola would turn back up, so y < 0 maps to −3/8 (monotone; count data clamp to 0
 * anyway). log1p: x = expm1(y).
 */
export function unstabilise(kind: TransformKind, y: number): number {
  switch (kind) {
    case 'anscombe': {
      const h = y > 0 ? y / 2 : 0;
      return h * h - 0.375;
    }
    case 'log1p':
      return Math.expm1(y);
    case 'none':
      return y;
  }
}

/**
 * The std floor used by {@link fitTransform}:
 * max(STD_FLOOR_ABS, STD_FLOOR_REL · median of the non-zero per-interval stds); 1 when every
 * interval is constant. Relative, so it behaves the same for counts in Anscombe units and for
 * megawatts; it keeps a nearly constant interval (one call at 3 a.m. in a year) from being
 * blown up into a huge outlier coordinate.
 */
export function stdFloor(rawStd: readonly number[]): number {
  const nz = rawStd.filter((s) => s > 0).sort((a, b) => a - b);
  if (nz.length === 0) return 1;
  const m = nz.length;
  const median = m % 2 ? nz[(m - 1) / 2] : (nz[m / 2 - 1] + nz[m / 2]) / 2;
  return Math.max(STD_FLOOR_ABS, STD_FLOOR_REL * median);
}

function checkKind(kind: TransformKind): void {
  if (!(TRANSFORM_KINDS as readonly string[]).includes(kind)) {
    throw optionError(`unknown transform ${JSON.stringify(kind)}: use one of ${TRANSFORM_KINDS.join(', ')}`);
  }
}

/** Validate a days × intervals matrix in original units; returns d. */
function checkDays(days: number[][], kind: TransformKind, counts: boolean, d?: number): number {
  if (!Array.isArray(days) || days.length === 0) throw inputError('no days to transform: need at least one day of values');
  const width = d ?? (Array.isArray(days[0]) ? days[0].length : -1);
  if (width < 1) throw inputError('a day must have at least one interval value');
  for (let i = 0; i < days.length; i++) {
    const row = days[i];
    if (!Array.isArray(row) || row.length !== width) {
      throw inputError(
        `day ${i} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${width}: every day needs one value per interval`,
        { day: i, expected: width },
      );
    }
    for (let j = 0; j < width; j++) {
      const x = row[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw inputError(`day ${i}, interval ${j}: value ${String(x)} is not a finite number`, { day: i, interval: j });
      }
      if (x < 0 && (counts || kind !== 'none')) {
        throw inputError(
          `day ${i}, interval ${j}: value ${x} is negative; ` +
            (counts ? 'counts must be ≥ 0' : `the ${kind} transform needs values ≥ 0 (set \`transform\` to none for series that can be negative)`),
          counts ? { day: i, interval: j, value: x } : { day: i, interval: j, value: x, field: 'transform' },
        );
      }
    }
  }
  return width;
}

/** Fit the per-interval standardisation on training days (original units). */
export function fitTransform(days: number[][], kind: TransformKind, counts: boolean): TransformParams {
  checkKind(kind);
  const d = checkDays(days, kind, counts);
  const n = days.length;
  const mean = new Array<number>(d).fill(0);
  for (const row of days) for (let j = 0; j < d; j++) mean[j] += stabilise(kind, row[j]);
  for (let j = 0; j < d; j++) mean[j] /= n;
  const raw = new Array<number>(d).fill(0);
  for (const row of days) {
    for (let j = 0; j < d; j++) {
      const e = stabilise(kind, row[j]) - mean[j];
      raw[j] += e * e;
    }
  }
  for (let j = 0; j < d; j++) raw[j] = Math.sqrt(raw[j] / n);
  // A constant interval is exactly constant: its mean is the value itself and its std 0 (a
  // summed mean can be an ulp off, which would make a spurious tiny non-zero std).
  for (let j = 0; j < d; j++) {
    const x0 = days[0][j];
    if (days.every((row) => row[j] === x0)) {
      mean[j] = stabilise(kind, x0);
      raw[j] = 0;
    }
  }
  const floor = stdFloor(raw);
  const std = raw.map((s) => Math.max(s, floor));
  return { kind, mean, std, counts: !!counts };
}

function checkParams(p: TransformParams): number {
  checkKind(p.kind);
  const d = p.mean.length;
  if (d < 1 || p.std.length !== d) throw modelError(`transform parameters are inconsistent: ${d} means, ${p.std.length} stds`);
  return d;
}

/** Original units → model space: stabilise, then standardise per interval. */
export function toModelSpace(p: TransformParams, days: number[][]): number[][] {
  const d = checkParams(p);
  checkDays(days, p.kind, p.counts, d);
  return days.map((row) => row.map((x, j) => (stabilise(p.kind, x) - p.mean[j]) / p.std[j]));
}

/**
 * Model space → original units: un-standardise, un-stabilise; clamped at 0 when `p.counts`.
 * Values stay continuous (no rounding).
 */
export function fromModelSpace(p: TransformParams, z: number[][]): number[][] {
  const d = checkParams(p);
  if (!Array.isArray(z)) throw inputError('model-space values must be an array of days');
  return z.map((row, i) => {
    if (!Array.isArray(row) || row.length !== d) {
      throw inputError(`model-space day ${i} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${d}`, { day: i, expected: d });
    }
    return row.map((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw inputError(`model-space day ${i}, interval ${j}: value ${String(v)} is not a finite number`, { day: i, interval: j });
      }
      const x = unstabilise(p.kind, v * p.std[j] + p.mean[j]);
      return p.counts && x < 0 ? 0 : x;
    });
  });
}

/** Validate transform parameters read back from a model bundle (modelError on bad shape). */
export function parseTransformParams(json: unknown): TransformParams {
  const o = json as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw modelError('transform parameters: expected an object');
  if (typeof o.kind !== 'string' || !(TRANSFORM_KINDS as readonly string[]).includes(o.kind)) {
    throw modelError(`transform parameters: unknown kind ${JSON.stringify(o.kind)}`);
  }
  const nums = (v: unknown, name: string, positive: boolean): number[] => {
    if (!Array.isArray(v) || v.length === 0) throw modelError(`transform parameters: ${name} must be a non-empty array of numbers`);
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isFinite(x) || (positive && !(x > 0))) {
        throw modelError(`transform parameters: ${name} holds ${String(x)}, expected a finite${positive ? ' positive' : ''} number`);
      }
    }
    return [...(v as number[])];
  };
  const mean = nums(o.mean, 'mean', false);
  const std = nums(o.std, 'std', true);
  if (mean.length !== std.length) throw modelError(`transform parameters: ${mean.length} means but ${std.length} stds`);
  if (typeof o.counts !== 'boolean') throw modelError('transform parameters: counts must be true or false');
  return { kind: o.kind as TransformKind, mean, std, counts: o.counts };
}
