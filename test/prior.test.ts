import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MixcastError } from '../src/core/errors.js';
import { rng } from '../src/core/random.js';
import {
  assignDay,
  buildPrior,
  componentDistribution,
  describePrior,
  parsePrior,
  parsePriorSpec,
  reverseEffort,
  serialisePrior,
  type MixturePrior,
} from '../src/prior/index.js';
import { misspecifyPrior } from '../bench/lib/misspecify.js';
import { kmeans, KMEANS_RESTARTS, lloyd, toMat } from '../src/prior/kmeans.js';

const isCode = (code: string) => (e: unknown) => e instanceof MixcastError && e.code === code;

/** Gaussian blobs around given means (sd), round-robin over blobs so membership is known. */
function blobs(seed: number, means: number[][], perBlob: number, sd: number): { z: number[][]; truth: number[] } {
  const r = rng(seed);
  const z: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < perBlob * means.length; i++) {
    const b = (i * 7 + Math.floor(i / means.length)) % means.length;
    z.push(means[b].map((m) => m + sd * r.normal()));
    truth.push(b);
  }
  return { z, truth };
}

const sqn = (v: number[]) => v.reduce((a, x) => a + x * x, 0);
const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, j) => s + (x - b[j]) ** 2, 0));

/** True when the clustering equals the truth up to relabelling. */
function samePartition(a: number[], b: number[]): boolean {
  const map = new Map<number, number>();
  const inv = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((map.get(a[i]) ?? b[i]) !== b[i] || (inv.get(b[i]) ?? a[i]) !== a[i]) return false;
    map.set(a[i], b[i]);
    inv.set(b[i], a[i]);
  }
  return true;
}

const BLOB_MEANS = [
  [0, 0],
  [10, 0],
  [0, 10],
];

test('parsePriorSpec: none, calendar specs, kmeans; optionError on junk', () => {
  assert.deepEqual(parsePriorSpec('none'), { kind: 'none' });
  assert.deepEqual(parsePriorSpec('weekday'), { kind: 'calendar', keySpec: 'weekday' });
  assert.deepEqual(parsePriorSpec('weekday*season'), { kind: 'calendar', keySpec: 'weekday*season' });
  assert.deepEqual(parsePriorSpec('holiday+weekday'), { kind: 'calendar', keySpec: 'holiday+weekday' });
  assert.deepEqual(parsePriorSpec('kmeans:3'), { kind: 'kmeans', k: 3 });
  assert.deepEqual(parsePriorSpec('kmeans:auto'), { kind: 'kmeans', k: 'auto' });
  for (const bad of ['', '  ', 'kmeans', 'kmeans:0', 'kmeans:x', 'kmeans:-2', 'kmeans:2.5', 'kmeans:', 'week day', 'weekday**season', '*weekday', 'weekday*', '3x']) {
    assert.throws(() => parsePriorSpec(bad), isCode('BAD_OPTION'), bad);
  }
});

test('kmeans:K recovers well-separated 2-D blobs, deterministically, the same for any seed', () => {
  const { z, truth } = blobs(1, BLOB_MEANS, 30, 1);
  const keys = z.map((_, i) => ['mon', 'tue', 'wed', 'thu', 'fri'][i % 5]);
  const a = buildPrior(z, keys, { spec: 'kmeans:3', seed: 42 });
  assert.equal(a.prior.kind, 'kmeans');
  assert.equal(a.prior.assignment, 'nearest');
  assert.equal(a.prior.centers.length, 3);
  assert.ok(samePartition(a.assign, truth));
  // every true mean has a center within 0.6 (sd of a blob mean over 30 points: 0.18 per axis)
  for (const m of BLOB_MEANS) assert.ok(Math.min(...a.prior.centers.map((c) => dist(c, m))) < 0.6);
  // centers are the cluster means, weights the shares, names by descending weight then first day
  for (let k = 0; k < 3; k++) {
    const members = z.filter((_, i) => a.assign[i] === k);
    assert.equal(a.prior.components[k].days, members.length);
    assert.equal(a.prior.weights[k], members.length / z.length);
    assert.equal(a.prior.components[k].name, `k${k}`);
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(a.prior.centers[k][j] - members.reduce((s, r) => s + r[j], 0) / members.length) < 1e-12);
  }
  // equal sizes: ordered by first day, so day 0 is in k0
  assert.equal(a.assign[0], 0);
  // nearest assignment agrees with the training assignment
  z.forEach((row, i) => assert.equal(assignDay(a.prior, row), a.assign[i]));
  // deterministic for a seed; a different seed (other restarts) gives the same answer
  const again = buildPrior(z, keys, { spec: 'kmeans:3', seed: 42 });
  assert.deepEqual(again, a);
  for (const seed of [1, 7, 1234]) {
    const other = buildPrior(z, keys, { spec: 'kmeans:3', seed });
    assert.deepEqual(other.assign, a.assign);
    assert.deepEqual(other.prior.centers, a.prior.centers);
  }
  // per-key component shares come from the training days
  const mon = z.map((_, i) => i).filter((i) => keys[i] === 'mon');
  const dm = componentDistribution(a.prior, 'mon')!;
  for (let k = 0; k < 3; k++) assert.equal(dm[k], mon.filter((i) => a.assign[i] === k).length / mon.length);
  assert.ok(Math.abs(dm.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  assert.equal(componentDistribution(a.prior, 'sat'), null);
  assert.equal(componentDistribution(a.prior, null), null);
});

test('restarts: the best of several k-means++ runs escapes the local minima single runs fall into', () => {
  // two groups of close blobs far apart: a single k-means++ run often puts two centers in one
  // blob and one across two blobs
  const r = rng(1);
  const means = [[0, 0], [4, 0], [0, 4], [4, 4], [30, 30], [34, 30]];
  const z: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < 120; i++) {
    z.push(means[i % 6].map((m) => m + 0.5 * r.normal()));
    truth.push(i % 6);
  }
  const X = toMat(z);
  const singles = Array.from({ length: 20 }, (_, s) => lloyd(X, 6, rng(s + 1)));
  const optimum = Math.min(...singles.map((x) => x.inertia));
  assert.ok(singles.some((x) => x.inertia > optimum * 1.5), 'some single run is stuck in a local minimum');
  // kmeans keeps the lowest inertia of its restarts, drawn from one rng(seed) stream
  for (const seed of [1, 2, 3]) {
    const stream = rng(seed);
    const runs = Array.from({ length: KMEANS_RESTARTS }, () => lloyd(X, 6, stream));
    assert.equal(kmeans(X, 6, seed).inertia, Math.min(...runs.map((x) => x.inertia)));
  }
  // with restarts every seed lands on the true partition
  for (let seed = 1; seed <= 20; seed++) {
    const { assign } = buildPrior(z, z.map(() => 'd'), { spec: 'kmeans:6', seed });
    assert.ok(samePartition(assign, truth), `seed ${seed}`);
  }
});

test('kmeans: unequal clusters are named by descending weight; K > days is an option error', () => {
  const r = rng(3);
  const z = [
    ...Array.from({ length: 5 }, () => [20 + r.normal(), 20 + r.normal()]),
    ...Array.from({ length: 20 }, () => [r.normal(), r.normal()]),
  ];
  const keys = z.map(() => 'x');
  const { prior, assign } = buildPrior(z, keys, { spec: 'kmeans:2', seed: 5 });
  assert.deepEqual(prior.components.map((c) => c.days), [20, 5]);
  assert.deepEqual(assign, [...new Array(5).fill(1), ...new Array(20).fill(0)]);
  assert.deepEqual(prior.keyComponents, { x: [0.8, 0.2] });
  assert.throws(() => buildPrior(z.slice(0, 3), keys.slice(0, 3), { spec: 'kmeans:4', seed: 1 }), isCode('BAD_OPTION'));
  // K = days and duplicate days still give K non-empty clusters
  const dup = [[1, 1], [1, 1], [1, 1], [2, 2]];
  const d = buildPrior(dup, dup.map(() => 'x'), { spec: 'kmeans:4', seed: 2 });
  assert.equal(d.prior.components.length, 4);
  assert.ok(d.prior.components.every((c) => c.days === 1));
});

test('kmeans:auto picks 3 on three separated blobs by silhouette and reports every K tried', () => {
  const { z, truth } = blobs(2, BLOB_MEANS, 25, 1);
  const keys = z.map(() => 'd');
  const { prior, assign } = buildPrior(z, keys, { spec: 'kmeans:auto', seed: 9 });
  assert.equal(prior.spec, 'kmeans:auto');
  assert.ok(prior.selection);
  assert.equal(prior.selection!.criterion, 'silhouette');
  assert.deepEqual(prior.selection!.tried.map((t) => t.k), [2, 3, 4, 5, 6, 7, 8]);
  assert.equal(prior.selection!.chosen, 3);
  assert.equal(prior.centers.length, 3);
  assert.ok(samePartition(assign, truth));
  const scores = prior.selection!.tried.map((t) => t.score);
  assert.ok(scores.every((s) => s >= -1 && s <= 1));
  assert.equal(Math.max(...scores), scores[1]);
  assert.ok(scores[1] > 0.7, `silhouette at K=3: ${scores[1]}`);
  // same as kmeans:3 with the same seed
  const k3 = buildPrior(z, keys, { spec: 'kmeans:3', seed: 9 });
  assert.deepEqual(k3.assign, assign);
  assert.deepEqual(k3.prior.centers, prior.centers);
  // maxK and the n − 1 cap
  const small = buildPrior(z.slice(0, 5), keys.slice(0, 5), { spec: 'kmeans:auto', seed: 1, maxK: 8 });
  assert.deepEqual(small.prior.selection!.tried.map((t) => t.k), [2, 3, 4]);
  const capped = buildPrior(z, keys, { spec: 'kmeans:auto', seed: 1, maxK: 4 });
  assert.deepEqual(capped.prior.selection!.tried.map((t) => t.k), [2, 3, 4]);
  assert.throws(() => buildPrior(z.slice(0, 2), keys.slice(0, 2), { spec: 'kmeans:auto', seed: 1 }), isCode('BAD_OPTION'));
  assert.throws(() => buildPrior(z, keys, { spec: 'kmeans:auto', seed: 1, maxK: 1 }), isCode('BAD_OPTION'));
});

test('kmeans:auto silhouette against a hand computation on a tiny set', () => {
  // two tight pairs far apart: K = 2 splits them; silhouettes computable by hand
  const z = [[0], [1], [10], [11]];
  const { prior } = buildPrior(z, ['a', 'a', 'b', 'b'], { spec: 'kmeans:auto', seed: 3 });
  assert.deepEqual(prior.selection!.tried.map((t) => t.k), [2, 3]);
  // K = 2: point 0: a = 1, b = mean(10, 11) = 10.5 → s = 9.5/10.5; point 1: a = 1, b = 9.5 → 8.5/9.5; symmetric
  const s2 = (9.5 / 10.5 + 8.5 / 9.5) / 2;
  assert.ok(Math.abs(prior.selection!.tried[0].score - s2) < 1e-12);
  assert.equal(prior.selection!.chosen, 2);
  assert.deepEqual(prior.keyComponents, { a: [1, 0], b: [0, 1] });
});

test('calendar prior: one structural component per key, centers are per-key means', () => {
  const r = rng(4);
  const names = ['mon', 'tue', 'wed'];
  const z: number[][] = [];
  const keys: string[] = [];
  for (let i = 0; i < 45; i++) {
    const k = names[i % 3];
    keys.push(k);
    z.push([i % 3, -(i % 3), 0.5].map((m) => m + r.normal()));
  }
  const { prior, assign } = buildPrior(z, keys, { spec: 'weekday', seed: 1 });
  assert.equal(prior.kind, 'calendar');
  assert.equal(prior.assignment, 'structural');
  assert.deepEqual(prior.components.map((c) => c.name), ['mon', 'tue', 'wed']);
  assert.deepEqual(prior.components.map((c) => c.keys), [['mon'], ['tue'], ['wed']]);
  assert.deepEqual(prior.weights, [1 / 3, 1 / 3, 1 / 3]);
  for (let k = 0; k < 3; k++) {
    const rows = z.filter((_, i) => keys[i] === names[k]);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(prior.centers[k][j] - rows.reduce((s, v) => s + v[j], 0) / rows.length) < 1e-12);
  }
  assert.deepEqual(assign, keys.map((k) => names.indexOf(k)));
  assert.deepEqual(prior.keyComponents.tue, [0, 1, 0]);
  // the key picks the component, whatever the values
  assert.equal(assignDay(prior, [100, 100, 100], 'wed'), 2);
  assert.throws(() => assignDay(prior, [0, 0, 0], 'sun'), isCode('UNPROCESSABLE'));
  assert.throws(() => assignDay(prior, [0, 0, 0]), isCode('UNPROCESSABLE'));
  assert.deepEqual(componentDistribution(prior, 'mon'), [1, 0, 0]);
  assert.equal(componentDistribution(prior, 'sun'), null);
});

test('none prior: K = 1, zero center, every key maps to [1], any date works', () => {
  const { z } = blobs(5, BLOB_MEANS, 4, 1);
  const keys = z.map((_, i) => (i % 2 ? 'a' : 'b'));
  const { prior, assign } = buildPrior(z, keys, { spec: 'none', seed: 1 });
  assert.equal(prior.kind, 'none');
  assert.deepEqual(prior.centers, [[0, 0]]);
  assert.deepEqual(prior.weights, [1]);
  assert.equal(prior.scale, 1);
  assert.deepEqual(prior.keyComponents, { a: [1], b: [1] });
  assert.deepEqual(assign, new Array(z.length).fill(0));
  assert.equal(assignDay(prior, [50, -3]), 0);
  assert.equal(assignDay(prior, [50, -3], 'never-seen'), 0);
  assert.deepEqual(componentDistribution(prior, 'never-seen'), [1]);
  assert.deepEqual(componentDistribution(prior, null), [1]);
  const e = reverseEffort(z, prior, assign);
  assert.equal(e.reduction, 0);
  assert.equal(e.sumPkCk2, 0);
});

test('reverse effort: reduction = Σ p_k‖c_k‖² to 1e-9 relative for mean centers (Proposition 1)', () => {
  const d = 24;
  const r = rng(6);
  const means = Array.from({ length: 4 }, () => Array.from({ length: d }, () => 2 * r.normal()));
  const { z } = blobs(7, means, 40, 1);
  const keys = z.map((_, i) => `key${i % 6}`);
  for (const spec of ['kmeans:4', 'kmeans:2', 'weekday']) {
    const { prior, assign } = buildPrior(z, keys, { spec, seed: 3 });
    const e = reverseEffort(z, prior, assign);
    assert.equal(e.d, d);
    const standard = z.reduce((s, v) => s + sqn(v), 0) / z.length + d;
    assert.ok(Math.abs(e.standard - standard) < 1e-9 * standard);
    const mixture = z.reduce((s, v, i) => s + sqn(v.map((x, j) => x - prior.centers[assign[i]][j])), 0) / z.length + d;
    assert.ok(Math.abs(e.mixture - mixture) < 1e-9 * mixture);
    assert.ok(e.sumPkCk2 > 0);
    assert.ok(Math.abs(e.reduction - e.sumPkCk2) <= 1e-9 * e.sumPkCk2, `${spec}: ${e.reduction} vs ${e.sumPkCk2}`);
    assert.ok(e.mixture < e.standard);
  }
  // scale enters as scale²·d
  const { prior, assign } = buildPrior(z, keys, { spec: 'kmeans:4', seed: 3, scale: 0.5 });
  const e = reverseEffort(z, prior, assign);
  assert.ok(Math.abs(e.reduction - (e.sumPkCk2 + (1 - 0.25) * d)) < 1e-9 * e.standard);
  assert.throws(() => reverseEffort(z, prior, assign.slice(1)), isCode('BAD_INPUT'));
  assert.throws(() => reverseEffort(z, prior, assign.map(() => 9)), isCode('BAD_INPUT'));
});

test('misspecifyPrior moves centers deterministically and keeps everything else', () => {
  const d = 6;
  const r = rng(8);
  const means = Array.from({ length: 3 }, () => Array.from({ length: d }, () => 3 * r.normal()));
  const { z } = blobs(9, means, 20, 1);
  const keys = z.map((_, i) => ['mon', 'tue', 'wed'][i % 3]);
  const { prior, assign } = buildPrior(z, keys, { spec: 'kmeans:3', seed: 1 });
  for (const how of ['random-centers', 'shift'] as const) {
    const a = misspecifyPrior(prior, z, how, 11);
    const b = misspecifyPrior(prior, z, how, 11);
    const c = misspecifyPrior(prior, z, how, 12);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.centers, c.centers);
    assert.notDeepEqual(a.centers, prior.centers);
    assert.deepEqual({ ...a, centers: null }, { ...prior, centers: null });
    // the original prior is untouched
    assert.deepEqual(prior, buildPrior(z, keys, { spec: 'kmeans:3', seed: 1 }).prior);
    // misplaced centers cost reverse effort: the reduction falls below Σ p_k‖c_k‖² of the true prior
    const ea = reverseEffort(z, a, assign);
    assert.ok(ea.mixture > reverseEffort(z, prior, assign).mixture);
  }
  // random-centers: every center has the data's RMS norm
  const R = Math.sqrt(z.reduce((s, v) => s + sqn(v), 0) / z.length);
  misspecifyPrior(prior, z, 'random-centers', 11).centers.forEach((c) => assert.ok(Math.abs(Math.sqrt(sqn(c)) - R) < 1e-9 * R));
  // shift: each center moves by its component's spread sqrt(mean ‖z − c_k‖²)
  const shifted = misspecifyPrior(prior, z, 'shift', 11, assign);
  for (let k = 0; k < 3; k++) {
    const rows = z.filter((_, i) => assign[i] === k);
    const sigma = Math.sqrt(rows.reduce((s, v) => s + sqn(v.map((x, j) => x - prior.centers[k][j])), 0) / rows.length);
    assert.ok(Math.abs(dist(shifted.centers[k], prior.centers[k]) - sigma) < 1e-9 * sigma);
  }
  // without assign, membership comes from the nearest center (the same here)
  assert.deepEqual(misspecifyPrior(prior, z, 'shift', 11), shifted);
  assert.throws(() => misspecifyPrior(prior, z, 'wobble' as 'shift', 1), isCode('BAD_OPTION'));
});

test('serialise → JSON → parse round trip; junk is refused with modelError', () => {
  const { z } = blobs(10, BLOB_MEANS, 10, 1);
  const keys = z.map((_, i) => ['mon', 'tue'][i % 2]);
  const priors: MixturePrior[] = [
    buildPrior(z, keys, { spec: 'none', seed: 1 }).prior,
    buildPrior(z, keys, { spec: 'weekday', seed: 1 }).prior,
    buildPrior(z, keys, { spec: 'kmeans:2', seed: 1 }).prior,
    buildPrior(z, keys, { spec: 'kmeans:auto', seed: 1, maxK: 4 }).prior,
  ];
  for (const p of priors) {
    const back = parsePrior(JSON.parse(JSON.stringify(serialisePrior(p))));
    assert.deepEqual(back, p);
  }
  const good = JSON.parse(JSON.stringify(serialisePrior(priors[3]))) as Record<string, unknown>;
  const junk: unknown[] = [
    null,
    42,
    'prior',
    {},
    { ...good, kind: 'gmm' },
    { ...good, spec: 'kmeans:0' },
    { ...good, spec: 'weekday' },
    { ...good, centers: [] },
    { ...good, centers: [[1, 2], [3]] },
    { ...good, centers: [[1, 'x'], [3, 4]] },
    { ...good, weights: [1] },
    { ...good, weights: [0.7, 0.7] },
    { ...good, weights: [-0.5, 1.5] },
    { ...good, scale: 0 },
    { ...good, components: [] },
    { ...good, assignment: 'structural' },
    { ...good, keyComponents: { mon: [1] } },
    { ...good, keyComponents: { mon: [0.5, 0.6] } },
    { ...good, selection: { criterion: 'silhouette', tried: [], chosen: 5 } },
  ];
  for (const j of junk) assert.throws(() => parsePrior(j), isCode('BAD_MODEL'), JSON.stringify(j)?.slice(0, 80));
  const cal = JSON.parse(JSON.stringify(serialisePrior(priors[1]))) as Record<string, unknown>;
  assert.throws(() => parsePrior({ ...cal, keyComponents: { mon: [0.5, 0.5], tue: [0, 1] } }), isCode('BAD_MODEL'));
  assert.throws(() => parsePrior({ ...cal, assignment: 'nearest' }), isCode('BAD_MODEL'));
});

test('describePrior: one line per component with name, days, weight, ‖c‖, keys', () => {
  const { z } = blobs(12, BLOB_MEANS, 10, 1);
  const keys = z.map((_, i) => ['mon', 'tue', 'wed'][i % 3]);
  const { prior } = buildPrior(z, keys, { spec: 'kmeans:auto', seed: 1, maxK: 4 });
  const lines = describePrior(prior).split('\n');
  assert.equal(lines.length, 1 + prior.centers.length);
  assert.match(lines[0], /kmeans:auto/);
  assert.match(lines[0], /silhouette chose K=3/);
  prior.components.forEach((c, k) => {
    assert.match(lines[k + 1], new RegExp(`^\\s+${c.name}\\s`));
    assert.ok(lines[k + 1].includes(`days ${String(c.days).padStart(4)}`));
    assert.ok(lines[k + 1].includes(`weight ${prior.weights[k].toFixed(3)}`));
    assert.ok(lines[k + 1].includes(`|c| ${Math.sqrt(sqn(prior.centers[k])).toFixed(3)}`));
    assert.ok(lines[k + 1].includes(c.keys.join(',')));
  });
});

test('buildPrior validates its inputs', () => {
  assert.throws(() => buildPrior([], [], { spec: 'none', seed: 1 }), isCode('BAD_INPUT'));
  assert.throws(() => buildPrior([[1, 2], [3]], ['a', 'b'], { spec: 'none', seed: 1 }), isCode('BAD_INPUT'));
  assert.throws(() => buildPrior([[1, NaN]], ['a'], { spec: 'none', seed: 1 }), isCode('BAD_INPUT'));
  assert.throws(() => buildPrior([[1, 2]], [], { spec: 'none', seed: 1 }), isCode('BAD_INPUT'));
  assert.throws(() => buildPrior([[1, 2]], [''], { spec: 'weekday', seed: 1 }), isCode('BAD_INPUT'));
  assert.throws(() => buildPrior([[1, 2]], ['a'], { spec: 'kmeans:x', seed: 1 }), isCode('BAD_OPTION'));
  assert.throws(() => buildPrior([[1, 2]], ['a'], { spec: 'none', seed: 1, scale: 0 }), isCode('BAD_OPTION'));
  assert.throws(() => buildPrior([[1, 2]], ['a'], { spec: 'none', seed: 1, scale: NaN }), isCode('BAD_OPTION'));
  const { prior } = buildPrior([[1, 2], [3, 4]], ['a', 'b'], { spec: 'kmeans:2', seed: 1 });
  assert.throws(() => assignDay(prior, [1]), isCode('BAD_INPUT'));
});

test('kmeans:auto on 400 days × 240 values (K up to 8) finds the 5 clusters', () => {
  const r = rng(13);
  const means = Array.from({ length: 5 }, () => Array.from({ length: 240 }, () => r.normal()));
  const { z } = blobs(14, means, 80, 1);
  const { prior } = buildPrior(z, z.map(() => 'd'), { spec: 'kmeans:auto', seed: 1 });
  assert.equal(prior.selection!.chosen, 5);
});
