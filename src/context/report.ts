/**
 * How much of the recent level a fitted model uses, per lead: the change of the log daily total
 * at the conditional center per unit change of one level feature (its log-level deviation), with
 * every other feature at its training mean, and of a sustained level (every window moved
 * together, `all`). 1 = the target follows the recent level fully; 0 = the level is ignored at
 * that lead.
 */
import { fromModelSpace, type TransformParams } from '../transform/index.js';
import type { Manifest } from '../model/manifest.js';
import type { MixturePrior } from '../prior/index.js';
import { conditionalCenter, standardise } from './centers.js';
import { contextVector } from './features.js';

export interface LevelWeight {
  lead: number;
  /** Weight of a sustained level: every window moved together (the change of the log total per unit). */
  all: number;
  /** Weight per level window, keyed `level1`, `level7`, `level28`. */
  [window: `level${number}`]: number;
}

export function levelWeights(model: { manifest: Manifest; prior: MixturePrior; transform: TransformParams }, leads: number[]): LevelWeight[] {
  const cc = model.manifest.context;
  if (!cc) return leads.map((lead) => ({ lead, all: 0, level1: 0, level7: 0, level28: 0 }));
  const delta = 0.1;
  const covMeans = cc.spec.covariates.map((_, c) => cc.mean[cc.mean.length - cc.spec.covariates.length + c]);
  const logTotal = (z: number[]) => Math.log(Math.max(1e-9, fromModelSpace(model.transform, [z])[0].reduce((a, b) => a + b, 0)));
  const weight = (lead: number, levels: number[]) => {
    const ut = standardise(cc, contextVector(cc.spec, levels, lead, covMeans));
    const u0 = standardise(cc, contextVector(cc.spec, cc.spec.windows.map(() => 0), lead, covMeans));
    let s = 0;
    for (const c of model.prior.centers) s += (logTotal(conditionalCenter(cc, c, ut)) - logTotal(conditionalCenter(cc, c, u0))) / delta;
    return s / model.prior.centers.length;
  };
  return leads.map((lead) => {
    const out: LevelWeight = { lead, all: weight(lead, cc.spec.windows.map(() => delta)) };
    cc.spec.windows.forEach((w, i) => {
      out[`level${w}`] = weight(lead, cc.spec.windows.map((_, j) => (j === i ? delta : 0)));
    });
    return out;
  });
}
