/**
 * Deliberately mis-specified priors, for the robustness benchmark (bench:paper): the library
 * trains with one through fitModel's `priorAdjustment` hook; nothing in src/ knows about them.
 */
import { inputError, optionError } from '../../src/core/errors.js';
import { rng } from '../../src/core/random.js';
import { checkMatrix, clonePrior, nearest, sqDist, type MixturePrior } from '../../src/prior/index.js';
import type { PriorAdjustment } from '../../src/train/fit.js';

export type Misspecification = 'random-centers' | 'shift';

/**
 * A deliberately wrong version of `prior` for the robustness benchmark; components, weights,
 * keyComponents and the assignment rule stay as they are, only the centers move (seeded):
 *
 * - `random-centers`: every center is replaced by an isotropic Gaussian direction g_k ~ N(0, I)
 *   scaled to the data's norm R = sqrt(mean_i ‖z_i‖²) — the typical length of a training day
 *   in model space — so the centers are as far out as real days but in unrelated directions.
 * - `shift`: every center moves by one standard deviation of its component, along its own
 *   random unit direction. "One standard deviation" is the component's total spread
 *   σ_k = sqrt(mean_{i∈k} ‖z_i − c_k‖²) (the square root of the trace of its covariance), so
 *   the within-component term of the reverse effort doubles. Membership comes from `assign`
 *   when given (the builder's assignment), else from the nearest center; a component with no
 *   days uses the spread of all days around their own centers.
 *
 * (A wrong K is simply kmeans with another K.)
 */
export function misspecifyPrior(
  prior: MixturePrior,
  z: number[][],
  how: 'random-centers' | 'shift',
  seed: number,
  assign?: number[],
): MixturePrior {
  const d = checkMatrix(z, 'misspecify prior');
  if (prior.centers[0].length !== d) throw inputError(`misspecify prior: days have ${d} values but the prior's centers have ${prior.centers[0].length}`);
  if (how !== 'random-centers' && how !== 'shift') throw optionError(`unknown misspecification ${JSON.stringify(how)}: use random-centers or shift`);
  const r = rng(seed);
  const unit = (): number[] => {
    for (;;) {
      const g = Array.from({ length: d }, () => r.normal());
      const norm = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
      if (norm > 0) return g.map((v) => v / norm);
    }
  };
  const K = prior.centers.length;
  let centers: number[][];
  if (how === 'random-centers') {
    const R = Math.sqrt(z.reduce((a, row) => a + row.reduce((b, v) => b + v * v, 0), 0) / z.length);
    centers = prior.centers.map(() => unit().map((v) => v * R));
  } else {
    const a = assign ?? z.map((row) => nearest(prior.centers, row));
    if (a.length !== z.length || a.some((k) => !Number.isInteger(k) || k < 0 || k >= K)) {
      throw inputError(`misspecify prior: need one component in 0..${K - 1} per day`);
    }
    const ss = new Array<number>(K).fill(0);
    const cnt = new Array<number>(K).fill(0);
    z.forEach((row, i) => {
      ss[a[i]] += sqDist(row, prior.centers[a[i]]);
      cnt[a[i]]++;
    });
    const pooled = Math.sqrt(ss.reduce((x, y) => x + y, 0) / z.length);
    centers = prior.centers.map((c, k) => {
      const sigma = cnt[k] > 0 ? Math.sqrt(ss[k] / cnt[k]) : pooled;
      const u = unit();
      return c.map((v, j) => v + sigma * u[j]);
    });
  }
  return { ...clonePrior(prior), centers };
}

/** fitModel's `priorAdjustment` that mis-specifies the fitted prior (seeded by the fit's seed + 1). */
export function misspecification(how: Misspecification): PriorAdjustment {
  return { name: `misspecified (${how})`, apply: (prior, z, assign, seed) => misspecifyPrior(prior, z, how, seed + 1, assign) };
}
