/**
 * Mixture-of-Gaussians priors for mixDDPM / mixSGM (Jia, Zhu, Liu, Zheng, arXiv 2410.19149).
 *
 * A prior is K centers c_k in model space (see src/transform), weights p_k (share of the
 * training days assigned to k), one scale, and a rule that assigns a day to a component:
 *
 * - `none`: K = 1, c = 0 — the standard Gaussian prior. Standard DDPM / SGM *is* this prior;
 *   there is no separate code path anywhere.
 * - calendar (`weekday`, `weekday*season`, …): one component per (already merged) calendar
 *   key; center = mean of that key's days; a day's key picks its component ("structural").
 * - `kmeans:K` / `kmeans:auto`: k-means++ clusters; a day goes to its nearest center (the
 *   paper's dispatcher D). Per calendar key the empirical share of its days in each cluster is
 *   kept, so a future date can draw its component from days like it.
 *
 * The diffusion then runs in coordinates centred on the day's component:
 * x_t = c + sqrt(ᾱ_t)(x_0 − c) + sqrt(1 − ᾱ_t) ε, and sampling starts at x_T = c_k + scale·ε.
 *
 * Plain number arrays, Float64 math; no tensors, no calendar imports (keys arrive as strings).
 */
import { z as zod } from 'zod';
import { inputError, modelError, optionError, unprocessable } from '../core/errors.js';
import { kmeans, meanSilhouette, pairwiseDistances, toMat, type Mat } from './kmeans.js';

export interface PriorComponent {
  name: string;
  /** Calendar keys of the training days in this component (sorted). */
  keys: string[];
  /** Number of training days in this component. */
  days: number;
}

export interface MixturePrior {
  kind: 'none' | 'calendar' | 'kmeans';
  /** As given: 'none' | a calendar spec like 'weekday' or 'weekday*season' | 'kmeans:3' | 'kmeans:auto'. */
  spec: string;
  /** K × d, in model space. */
  centers: number[][];
  /** p_k = share of training days assigned to k. */
  weights: number[];
  /** Prior std around each center (default 1). */
  scale: number;
  components: PriorComponent[];
  /** structural: the day's calendar key picks k; nearest: nearest center (the paper's dispatcher D). */
  assignment: 'structural' | 'nearest';
  /**
   * Per calendar key seen in training: probability of each component (structural: one-hot;
   * kmeans: empirical share of that key's days in each cluster; none: [1]).
   */
  keyComponents: Record<string, number[]>;
  /** kmeans:auto only: the criterion, every K tried with its score, and the K chosen. */
  selection: null | { criterion: string; tried: { k: number; score: number }[]; chosen: number };
}

export interface PriorBuildOptions {
  spec: string;
  seed: number;
  /** Prior std around each center; default 1. */
  scale?: number;
  /** kmeans:auto tries K = 2..min(maxK, n − 1); default 8. */
  maxK?: number;
}

export type PriorSpec = { kind: 'none' } | { kind: 'calendar'; keySpec: string } | { kind: 'kmeans'; k: number | 'auto' };

export const DEFAULT_MAX_K = 8;

const KEY_SPEC = /^[A-Za-z][A-Za-z0-9_-]*(?:[*+][A-Za-z][A-Za-z0-9_-]*)*$/;

/**
 * Parse a `--prior` value: `none`, `kmeans:K` (K ≥ 1 integer), `kmeans:auto`, or a calendar
 * key spec (names joined by `*` or `+`, e.g. `weekday`, `weekday*season`, `holiday+weekday`;
 * which names exist is the calendar module's business). optionError on anything else.
 */
export function parsePriorSpec(spec: string): PriorSpec {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw optionError('empty prior: use none, a calendar key spec such as weekday or weekday*season, kmeans:K or kmeans:auto');
  }
  const s = spec.trim();
  const lower = s.toLowerCase();
  if (lower === 'none') return { kind: 'none' };
  if (lower === 'kmeans' || lower.startsWith('kmeans:')) {
    const arg = lower.slice('kmeans:'.length);
    if (arg === 'auto') return { kind: 'kmeans', k: 'auto' };
    if (/^[0-9]+$/.test(arg)) {
      const k = Number(arg);
      if (k >= 1 && Number.isSafeInteger(k)) return { kind: 'kmeans', k };
    }
    throw optionError(
      `bad prior ${JSON.stringify(spec)}: k-means needs a number of clusters ≥ 1 or auto, e.g. kmeans:3 or kmeans:auto`,
      { spec },
    );
  }
  if (!KEY_SPEC.test(s)) {
    throw optionError(
      `bad prior ${JSON.stringify(spec)}: use none, kmeans:K, kmeans:auto, or calendar key names joined by * or + ` +
        `(e.g. weekday, weekday*season, holiday+weekday)`,
      { spec },
    );
  }
  return { kind: 'calendar', keySpec: s };
}

// ---------------------------------------------------------------------------------------------
// building

/** Rows of equal, non-zero length with finite values; returns their length. */
export function checkMatrix(z: number[][], what: string): number {
  if (!Array.isArray(z) || z.length === 0) throw inputError(`${what}: need at least one day`);
  const d = Array.isArray(z[0]) ? z[0].length : 0;
  if (d < 1) throw inputError(`${what}: a day must have at least one value`);
  for (let i = 0; i < z.length; i++) {
    const row = z[i];
    if (!Array.isArray(row) || row.length !== d) {
      throw inputError(`${what}: day ${i} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${d}`, { day: i, expected: d });
    }
    for (let j = 0; j < d; j++) {
      if (typeof row[j] !== 'number' || !Number.isFinite(row[j])) {
        throw inputError(`${what}: day ${i}, value ${j} is ${String(row[j])}, not a finite number`, { day: i, index: j });
      }
    }
  }
  return d;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function meansOf(z: number[][], assign: readonly number[], K: number, d: number): { centers: number[][]; counts: number[] } {
  const centers = Array.from({ length: K }, () => new Array<number>(d).fill(0));
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < z.length; i++) {
    const c = centers[assign[i]];
    counts[assign[i]]++;
    const row = z[i];
    for (let j = 0; j < d; j++) c[j] += row[j];
  }
  for (let k = 0; k < K; k++) if (counts[k] > 0) for (let j = 0; j < d; j++) centers[k][j] /= counts[k];
  return { centers, counts };
}

/** Per key: share of its days in each component. */
function keyShares(dayKeys: readonly string[], assign: readonly number[], K: number): Record<string, number[]> {
  const tally = new Map<string, number[]>();
  for (let i = 0; i < dayKeys.length; i++) {
    let t = tally.get(dayKeys[i]);
    if (!t) tally.set(dayKeys[i], (t = new Array<number>(K).fill(0)));
    t[assign[i]]++;
  }
  const out: Record<string, number[]> = {};
  for (const key of [...tally.keys()].sort(cmp)) {
    const t = tally.get(key)!;
    const n = t.reduce((a, b) => a + b, 0);
    out[key] = t.map((c) => c / n);
  }
  return out;
}

function componentKeys(dayKeys: readonly string[], assign: readonly number[], K: number): string[][] {
  const sets = Array.from({ length: K }, () => new Set<string>());
  for (let i = 0; i < dayKeys.length; i++) sets[assign[i]].add(dayKeys[i]);
  return sets.map((s) => [...s].sort(cmp));
}

/**
 * k-means clustering for a prior: the result's clusters renamed k0..k{K−1} in a
 * deterministic order — descending number of days, then the index of the cluster's first day.
 */
function clusterDays(X: Mat, K: number, seed: number): { assign: number[]; inertia: number } {
  const res = kmeans(X, K, seed);
  const size = new Array<number>(K).fill(0);
  const first = new Array<number>(K).fill(Infinity);
  for (let i = 0; i < X.n; i++) {
    const a = res.assign[i];
    size[a]++;
    if (i < first[a]) first[a] = i;
  }
  const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => size[b] - size[a] || first[a] - first[b]);
  const rename = new Array<number>(K);
  order.forEach((old, k) => (rename[old] = k));
  return { assign: Array.from(res.assign, (a) => rename[a]), inertia: res.inertia };
}

/**
 * Build a prior from model-space training days `z` (n × d) and their calendar keys
 * (`dayKeys[i]`, already merged by the calendar module). Returns the prior and the component
 * of every training day (`assign`), which the diffusion uses to centre each training day.
 *
 * `kmeans:auto` chooses K by the **mean silhouette** (Euclidean, Rousseeuw 1987; see
 * {@link meanSilhouette}): it clusters with K = 2..min(maxK ?? 8, n − 1) — each K with
 * rng(seed), exactly as `kmeans:K` with the same seed would — and keeps the K with the highest
 * mean silhouette (the smaller K on ties). Every K tried is reported in `selection.tried`.
 */
export function buildPrior(z: number[][], dayKeys: string[], opts: PriorBuildOptions): { prior: MixturePrior; assign: number[] } {
  const spec = parsePriorSpec(opts.spec);
  const d = checkMatrix(z, 'prior training days');
  const n = z.length;
  if (!Array.isArray(dayKeys) || dayKeys.length !== n) {
    throw inputError(`prior: got ${Array.isArray(dayKeys) ? dayKeys.length : 'no'} calendar keys for ${n} days; need one key per day`);
  }
  dayKeys.forEach((k, i) => {
    if (typeof k !== 'string' || k === '') throw inputError(`prior: day ${i} has no calendar key`, { day: i });
  });
  const scale = opts.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw optionError(`prior scale must be a positive number, got ${String(opts.scale)}`);
  }
  if (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed)) throw optionError(`prior seed must be a number, got ${String(opts.seed)}`);

  if (spec.kind === 'none') {
    const keys = [...new Set(dayKeys)].sort(cmp);
    const keyComponents: Record<string, number[]> = {};
    for (const k of keys) keyComponents[k] = [1];
    const prior: MixturePrior = {
      kind: 'none',
      spec: opts.spec,
      centers: [new Array<number>(d).fill(0)],
      weights: [1],
      scale,
      components: [{ name: 'all', keys, days: n }],
      assignment: 'nearest',
      keyComponents,
      selection: null,
    };
    return { prior, assign: new Array<number>(n).fill(0) };
  }

  if (spec.kind === 'calendar') {
    const keys = [...new Set(dayKeys)].sort(cmp);
    const index = new Map(keys.map((k, i) => [k, i]));
    const assign = dayKeys.map((k) => index.get(k)!);
    const K = keys.length;
    const { centers, counts } = meansOf(z, assign, K, d);
    const keyComponents: Record<string, number[]> = {};
    keys.forEach((k, i) => (keyComponents[k] = keys.map((_, j) => (j === i ? 1 : 0))));
    const prior: MixturePrior = {
      kind: 'calendar',
      spec: opts.spec,
      centers,
      weights: counts.map((c) => c / n),
      scale,
      components: keys.map((k, i) => ({ name: k, keys: [k], days: counts[i] })),
      assignment: 'structural',
      keyComponents,
      selection: null,
    };
    return { prior, assign };
  }

  const X = toMat(z);
  let K: number;
  let assign: number[];
  let selection: MixturePrior['selection'] = null;
  if (spec.k === 'auto') {
    const maxK = opts.maxK ?? DEFAULT_MAX_K;
    if (!Number.isInteger(maxK) || maxK < 2) throw optionError(`kmeans:auto needs maxK ≥ 2, got ${String(opts.maxK)}`);
    const hi = Math.min(maxK, n - 1);
    if (hi < 2) throw optionError(`kmeans:auto needs at least 3 training days to compare K = 2.., got ${n}; use kmeans:1 or more days`);
    const D = pairwiseDistances(X);
    const tried: { k: number; score: number }[] = [];
    let best: { k: number; score: number; assign: number[] } | null = null;
    for (let k = 2; k <= hi; k++) {
      const res = clusterDays(X, k, opts.seed);
      const score = meanSilhouette(X, Int32Array.from(res.assign), k, D);
      tried.push({ k, score });
      if (!best || score > best.score) best = { k, score, assign: res.assign };
    }
    K = best!.k;
    assign = best!.assign;
    selection = { criterion: 'silhouette', tried, chosen: K };
  } else {
    K = spec.k;
    if (K > n) throw optionError(`kmeans:${K} asks for more clusters than the ${n} training days; use K ≤ ${n}`);
    assign = clusterDays(X, K, opts.seed).assign;
  }
  const { centers, counts } = meansOf(z, assign, K, d);
  const keys = componentKeys(dayKeys, assign, K);
  const prior: MixturePrior = {
    kind: 'kmeans',
    spec: opts.spec,
    centers,
    weights: counts.map((c) => c / n),
    scale,
    components: keys.map((ks, k) => ({ name: `k${k}`, keys: ks, days: counts[k] })),
    assignment: 'nearest',
    keyComponents: keyShares(dayKeys, assign, K),
    selection,
  };
  return { prior, assign };
}

// ---------------------------------------------------------------------------------------------
// using

export function sqDist(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const e = a[j] - b[j];
    s += e * e;
  }
  return s;
}

export function nearest(centers: readonly (readonly number[])[], x: readonly number[]): number {
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < centers.length; k++) {
    const v = sqDist(x, centers[k]);
    if (v < bestD) {
      bestD = v;
      best = k;
    }
  }
  return best;
}

function knownKeys(prior: MixturePrior): string {
  const keys = Object.keys(prior.keyComponents);
  return keys.length > 12 ? `${keys.slice(0, 12).join(', ')}, … (${keys.length} in all)` : keys.join(', ');
}

/**
 * The component of one day. Structural priors: the component of the day's calendar `key`
 * (unprocessable error when the key is missing or was never seen in training). Nearest
 * priors (k-means, none): the nearest center to `z` (ties to the lower index; 0 for none).
 */
export function assignDay(prior: MixturePrior, z: number[], key?: string): number {
  if (prior.assignment === 'structural') {
    if (key === undefined || key === null) throw unprocessable(`the ${prior.spec} prior assigns days by calendar key, and none was given`);
    const dist = prior.keyComponents[key];
    if (!Object.hasOwn(prior.keyComponents, key) || !dist) {
      throw unprocessable(`no training day had calendar key ${JSON.stringify(key)} (prior ${prior.spec}); known keys: ${knownKeys(prior)}`, {
        key,
        known: Object.keys(prior.keyComponents),
      });
    }
    let best = 0;
    for (let k = 1; k < dist.length; k++) if (dist[k] > dist[best]) best = k;
    return best;
  }
  const d = prior.centers[0].length;
  if (!Array.isArray(z) || z.length !== d || z.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw inputError(`assignDay: need a day of ${d} finite model-space values`);
  }
  return prior.centers.length === 1 ? 0 : nearest(prior.centers, z);
}

/**
 * The probability of each component for a date with calendar `key`: keyComponents[key] (a
 * copy), or null when the key is null or unseen in training. For kind `none` always [1], so
 * any date works.
 */
export function componentDistribution(prior: MixturePrior, key: string | null): number[] | null {
  if (prior.kind === 'none') return [1];
  if (key === null || !Object.hasOwn(prior.keyComponents, key)) return null;
  return [...prior.keyComponents[key]];
}

export interface ReverseEffort {
  /** E‖x_0 − x_T‖² with x_T ~ N(0, I): mean‖x_0‖² + d. */
  standard: number;
  /** E‖x_0 − x_T‖² with x_T = c_k + scale·ε for x_0's component k: mean‖x_0 − c_k‖² + scale²·d. */
  mixture: number;
  /** standard − mixture. */
  reduction: number;
  /** Σ_k p_k‖c_k‖² — equals `reduction` when centers are component means and scale is 1. */
  sumPkCk2: number;
  d: number;
}

/**
 * The paper's Proposition 1: the expected squared distance the reverse process must travel,
 * from the prior draw x_T to the data x_0, under the standard prior and under the mixture.
 * Expectations over ε are exact; over x_0 they are means over the days `z` with components
 * `assign`. With centers at component means and scale 1, reduction = Σ p_k‖c_k‖² exactly.
 */
export function reverseEffort(z: number[][], prior: MixturePrior, assign: number[]): ReverseEffort {
  const d = checkMatrix(z, 'reverse effort');
  const K = prior.centers.length;
  if (prior.centers[0].length !== d) throw inputError(`reverse effort: days have ${d} values but the prior's centers have ${prior.centers[0].length}`);
  if (!Array.isArray(assign) || assign.length !== z.length) throw inputError(`reverse effort: need one component per day (${z.length}), got ${assign?.length}`);
  let s0 = 0;
  let s1 = 0;
  for (let i = 0; i < z.length; i++) {
    const k = assign[i];
    if (!Number.isInteger(k) || k < 0 || k >= K) throw inputError(`reverse effort: day ${i} has component ${k}, expected 0..${K - 1}`);
    const c = prior.centers[k];
    const row = z[i];
    for (let j = 0; j < d; j++) {
      s0 += row[j] * row[j];
      const e = row[j] - c[j];
      s1 += e * e;
    }
  }
  const n = z.length;
  const standard = s0 / n + d;
  const mixture = s1 / n + prior.scale * prior.scale * d;
  let sumPkCk2 = 0;
  for (let k = 0; k < K; k++) sumPkCk2 += prior.weights[k] * prior.centers[k].reduce((a, v) => a + v * v, 0);
  return { standard, mixture, reduction: standard - mixture, sumPkCk2, d };
}

/** A deep copy of a prior (centers, weights, components and key map). */
export function clonePrior(p: MixturePrior): MixturePrior {
  return {
    kind: p.kind,
    spec: p.spec,
    centers: p.centers.map((c) => [...c]),
    weights: [...p.weights],
    scale: p.scale,
    components: p.components.map((c) => ({ name: c.name, keys: [...c.keys], days: c.days })),
    assignment: p.assignment,
    keyComponents: Object.fromEntries(Object.entries(p.keyComponents).map(([k, v]) => [k, [...v]])),
    selection: p.selection
      ? { criterion: p.selection.criterion, tried: p.selection.tried.map((t) => ({ ...t })), chosen: p.selection.chosen }
      : null,
  };
}

// ---------------------------------------------------------------------------------------------
// (de)serialising

/** A plain JSON-able copy of the prior (for the model manifest). */
export function serialisePrior(p: MixturePrior): unknown {
  return clonePrior(p);
}

const finite = zod.number().refine(Number.isFinite, 'must be a finite number');
const priorSchema = zod.object({
  kind: zod.enum(['none', 'calendar', 'kmeans']),
  spec: zod.string().min(1),
  centers: zod.array(zod.array(finite).min(1)).min(1),
  weights: zod.array(finite.refine((v) => v >= 0, 'must be ≥ 0')),
  scale: finite.refine((v) => v > 0, 'must be > 0'),
  components: zod.array(zod.object({ name: zod.string().min(1), keys: zod.array(zod.string()), days: zod.number().int().min(0) })),
  assignment: zod.enum(['structural', 'nearest']),
  keyComponents: zod.record(zod.string(), zod.array(finite.refine((v) => v >= 0, 'must be ≥ 0'))),
  selection: zod
    .object({
      criterion: zod.string().min(1),
      tried: zod.array(zod.object({ k: zod.number().int().min(1), score: finite })),
      chosen: zod.number().int().min(1),
    })
    .nullable(),
});

/** Read a prior back from JSON (a model manifest); modelError on anything malformed. */
export function parsePrior(json: unknown): MixturePrior {
  const res = priorSchema.safeParse(json);
  if (!res.success) {
    const issue = res.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    throw modelError(`prior in the model is malformed at ${where}: ${issue.message}`, { issues: res.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
  }
  const p = res.data as MixturePrior;
  const bad = (msg: string) => modelError(`prior in the model is inconsistent: ${msg}`);
  let parsed: PriorSpec;
  try {
    parsed = parsePriorSpec(p.spec);
  } catch {
    throw bad(`spec ${JSON.stringify(p.spec)} is not a prior spec`);
  }
  if (parsed.kind !== p.kind) throw bad(`spec ${JSON.stringify(p.spec)} does not match kind ${p.kind}`);
  const K = p.centers.length;
  const d = p.centers[0].length;
  if (p.centers.some((c) => c.length !== d)) throw bad('centers differ in length');
  if (p.weights.length !== K) throw bad(`${K} centers but ${p.weights.length} weights`);
  if (p.components.length !== K) throw bad(`${K} centers but ${p.components.length} components`);
  const wsum = p.weights.reduce((a, b) => a + b, 0);
  if (Math.abs(wsum - 1) > 1e-6) throw bad(`weights sum to ${wsum}, not 1`);
  if (p.kind === 'none' && K !== 1) throw bad(`a none prior has one component, found ${K}`);
  if (p.kind === 'calendar' && p.assignment !== 'structural') throw bad('a calendar prior assigns structurally');
  if (p.kind !== 'calendar' && p.assignment !== 'nearest') throw bad(`a ${p.kind} prior assigns by nearest center`);
  for (const [key, dist] of Object.entries(p.keyComponents)) {
    if (dist.length !== K) throw bad(`key ${JSON.stringify(key)} has ${dist.length} component probabilities, expected ${K}`);
    const s = dist.reduce((a, b) => a + b, 0);
    if (Math.abs(s - 1) > 1e-6) throw bad(`component probabilities of key ${JSON.stringify(key)} sum to ${s}, not 1`);
    if (p.assignment === 'structural' && !dist.every((v) => v === 0 || v === 1)) throw bad(`key ${JSON.stringify(key)} is not one-hot in a structural prior`);
  }
  if (p.selection) {
    if (p.kind !== 'kmeans') throw bad('only a kmeans prior carries a K selection');
    if (p.selection.chosen !== K) throw bad(`selection chose K = ${p.selection.chosen} but there are ${K} centers`);
  }
  return clonePrior(p);
}

const fmt = (v: number, digits = 3) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(digits));

/**
 * A human-readable summary: a header line, then one line per component with its name, days,
 * weight, ‖c_k‖ and calendar keys (long key lists abbreviated).
 */
export function describePrior(p: MixturePrior): string {
  const K = p.centers.length;
  const head =
    `prior ${p.spec}: ${p.kind}, K=${K}, d=${p.centers[0].length}, assignment ${p.assignment}, scale ${fmt(p.scale)}` +
    (p.selection ? `, ${p.selection.criterion} chose K=${p.selection.chosen} (${p.selection.tried.map((t) => `${t.k}:${fmt(t.score)}`).join(' ')})` : '');
  const width = Math.max(...p.components.map((c) => c.name.length));
  const lines = p.components.map((c, k) => {
    const norm = Math.sqrt(p.centers[k].reduce((a, v) => a + v * v, 0));
    const keys = c.keys.length > 8 ? `${c.keys.slice(0, 8).join(',')},… (+${c.keys.length - 8})` : c.keys.join(',');
    return `  ${c.name.padEnd(width)}  days ${String(c.days).padStart(4)}  weight ${p.weights[k].toFixed(3)}  |c| ${fmt(norm)}  keys ${keys || '-'}`;
  });
  return [head, ...lines].join('\n');
}
