/**
 * Context for scenarios: each scenario of a multi-day request is one path. For a target date the
 * scenario's history is the observed history (up to the origin) followed by the days this same
 * scenario has already simulated; its context — recent level and lead — comes from that history,
 * so a busy simulated Monday makes a busy Tuesday more likely in the same scenario.
 */
import { contextVector, daysBetween, leadBand, recentLevels, type HistoryDay } from './features.js';
import { conditionalCenter, expectedLevel, standardise, type ConditionalCenters } from './centers.js';

export interface ScenarioContextInput {
  cc: ConditionalCenters;
  /** Component centers (K × d, model space). */
  centers: number[][];
  /** Calendar key of a date (null when unknown). */
  keyOf: (date: string) => string | null;
  /** Observed history, chronological; its last day is the origin. */
  observed: readonly HistoryDay[];
  target: string;
  /** Component of each scenario. */
  components: readonly number[];
  /** Days each scenario has simulated after the origin and before `target` (chronological). */
  paths: readonly (readonly HistoryDay[])[];
  /** The target day's known covariates (spec order), when the model uses any. */
  covariates?: readonly number[];
}

/** Per-scenario conditional centers and standardised context for one target date. */
export function scenarioContext(o: ScenarioContextInput): { centers: number[][]; context: number[][]; leads: number[]; levelSd: number[] } {
  const expected = expectedLevel(o.cc, o.keyOf);
  const need = Math.max(...o.cc.spec.windows);
  const tail = o.observed.slice(Math.max(0, o.observed.length - need));
  const centers: number[][] = [];
  const context: number[][] = [];
  const leads: number[] = [];
  const levelSd: number[] = [];
  o.components.forEach((k, s) => {
    const path = o.paths[s] ?? [];
    const history = path.length >= need ? path.slice(path.length - need) : [...tail, ...path];
    const last = history.length ? history[history.length - 1].date : null;
    const h = last ? daysBetween(last, o.target) : o.cc.spec.maxLead;
    if (h < 1) throw new Error(`target ${o.target} is not after the origin ${last}`);
    const ut = standardise(o.cc, contextVector(o.cc.spec, recentLevels(o.cc.spec, history, expected, o.cc.clip), h, o.covariates ?? []));
    context.push(ut);
    centers.push(conditionalCenter(o.cc, o.centers[k], ut));
    leads.push(h);
    levelSd.push(o.cc.levelSd?.[leadBand(o.cc.spec, h)] ?? 0);
  });
  return { centers, context, leads, levelSd };
}
