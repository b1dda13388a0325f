import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../src/core/random.js';
import { MixcastError } from '../src/core/errors.js';
import {
  aggregateScores,
  coverage,
  crps,
  crpsDay,
  energyDistance,
  energyScore,
  intervalQuantiles,
  mae,
  pinball,
  pitHistogram,
  pitValues,
  quantile,
  scoreDay,
  scorePoint,
  wasserstein1,
  wassersteinPerInterval,
} from '../src/eval/scores.js';

const close = (a: number, b: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} expected ${b} ± ${tol}, got ${a}`);

/** erf, Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const Phi = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));
const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
const gaussianCrps = (mu: number, sigma: number, y: number) => {
  const z = (y - mu) / sigma;
  return sigma * (z * (2 * Phi(z) - 1) + 2 * phi(z) - 1 / Math.sqrt(Math.PI));
};

function normals(seed: number, n: number, mu = 0, sigma = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => mu + sigma * r.normal());
}

function poisson(r: ReturnType<typeof rng>, lambda: number): number {
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r.next();
  } while (p > L);
  return k - 1;
}

test('quantile: type-7 interpolation, sorted or not', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  close(quantile([4, 1, 3, 2], 0.1), 1.3, 1e-12);
  assert.equal(quantile([4, 1, 3, 2], 0), 1);
  assert.equal(quantile([4, 1, 3, 2], 1), 4);
  assert.equal(quantile([7], 0.9), 7);
  assert.throws(() => quantile([], 0.5), MixcastError);
  assert.throws(() => quantile([1, 2], 1.5), MixcastError);
  const q = intervalQuantiles([[1, 10], [3, 30], [2, 20]], [0.5, 0.25]);
  assert.deepEqual(q['0.5'], [2, 20]);
  assert.deepEqual(q['0.25'], [1.5, 15]);
});

test('crps: small case by hand (fair form)', () => {
  // mean|x − 2.5| = 1; Σ_{i≠j}|xi − xj| = 20; 20 / (2·4·3) = 5/6 → 1/6
  close(crps([3, 1, 4, 2], 2.5), 1 / 6, 1e-12);
  // one sample: CRPS = |x − y|
  assert.equal(crps([5], 2), 3);
});

test('crps: large Gaussian sample matches the closed form', () => {
  const mu = 3;
  const sigma = 2;
  const x = normals(11, 20000, mu, sigma);
  for (const y of [3, 5, -1, 9]) {
    // standard error of the estimate is about sigma·0.6/√S ≈ 0.009
    close(crps(x, y), gaussianCrps(mu, sigma, y), 0.04, `y=${y}`);
  }
});

test('energy score: equals CRPS in 1-D, hand case in 2-D', () => {
  const x = normals(5, 300, 1, 3);
  for (const y of [0, 1.5, 7]) {
    close(
      energyScore(
        x.map((v) => [v]),
        [y],
      ),
      crps(x, y),
      1e-9,
    );
  }
  // samples (0,0) and (3,4): distances to (3,0) are 3 and 4 → 3.5; spread ½·‖(3,4)‖ = 2.5
  close(energyScore([[0, 0], [3, 4]], [3, 0]), 1, 1e-12);
  close(energyScore([[0, 0], [3, 4]], [0, 0]), 0, 1e-12);
  assert.equal(energyScore([[0, 0]], [3, 4]), 5);
  assert.throws(() => energyScore([[0, 0], [1]], [0, 0]), MixcastError);
  assert.throws(() => energyScore([[0, 0]], [0, 0, 0]), MixcastError);
  assert.throws(() => energyScore([[0, NaN]], [0, 0]), MixcastError);
});

test('crpsDay: per interval, mean and daily total', () => {
  const r = rng(3);
  const samples = Array.from({ length: 40 }, () => Array.from({ length: 6 }, () => poisson(r, 4)));
  const truth = [1, 4, 6, 3, 0, 8];
  const c = crpsDay(samples, truth);
  assert.equal(c.perInterval.length, 6);
  for (let j = 0; j < 6; j++) close(c.perInterval[j], crps(samples.map((s) => s[j]), truth[j]), 1e-12);
  close(c.meanOverIntervals, c.perInterval.reduce((a, b) => a + b) / 6, 1e-12);
  close(c.dailyTotal, crps(samples.map((s) => s.reduce((a, b) => a + b)), 22), 1e-12);
});

test('pinball: tiny case by hand', () => {
  // interval 1: samples 1..5, truth 4 → q̂ = 1.4, 3, 4.6 → losses 0.26, 0.5, 0.06
  // interval 2: samples all 10, truth 0 → losses 9, 5, 1
  const samples = [1, 2, 3, 4, 5].map((v) => [v, 10]);
  const p = pinball(samples, [4, 0]);
  assert.deepEqual(Object.keys(p), ['0.1', '0.5', '0.9']);
  close(p['0.1'], (0.26 + 9) / 2, 1e-12);
  close(p['0.5'], (0.5 + 5) / 2, 1e-12);
  close(p['0.9'], (0.06 + 1) / 2, 1e-12);
  const only = pinball(samples, [4, 0], [0.25]);
  assert.deepEqual(Object.keys(only), ['0.25']);
  // point forecast: every quantile is the point
  const sp = scorePoint([3, 10], [4, 0]);
  close(sp.mae, (1 + 10) / 2, 1e-12);
  close(sp.pinball['0.1'], (0.1 * 1 + 0.9 * 10) / 2, 1e-12);
});

test('coverage: constructed case with closed interval ends', () => {
  // every interval's ensemble is 0..100 → central 50% = [25,75], 80% = [10,90], 90% = [5,95]
  const samples = Array.from({ length: 101 }, (_, s) => new Array(10).fill(s));
  const truth = [50, 30, 70, 24, 76, 10, 90, 5, 96, 50];
  const c = coverage(samples, truth);
  assert.deepEqual(Object.keys(c), ['0.5', '0.8', '0.9']);
  close(c['0.5'], 0.4, 1e-12);
  close(c['0.8'], 0.8, 1e-12);
  close(c['0.9'], 0.9, 1e-12);
});

function chiSquareUniform(counts: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  const e = n / counts.length;
  return counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
}

test('PIT: calibrated integer counts are uniform, miscalibrated are not', () => {
  const r = rng(21);
  const days = 100;
  const d = 20;
  const S = 30;
  const calibrated: number[] = [];
  const biased: number[] = [];
  const pitRng = rng(99);
  for (let day = 0; day < days; day++) {
    const samples = Array.from({ length: S }, () => Array.from({ length: d }, () => poisson(r, 3)));
    const truth = Array.from({ length: d }, () => poisson(r, 3));
    const truthHigh = Array.from({ length: d }, () => poisson(r, 5));
    calibrated.push(...pitValues(samples, truth, pitRng));
    biased.push(...pitValues(samples, truthHigh, pitRng));
  }
  assert.ok(calibrated.every((v) => v >= 0 && v < 1));
  const h = pitHistogram(calibrated, 10);
  assert.equal(h.reduce((a, b) => a + b), days * d);
  // χ² with 9 df: P(χ² > 30) ≈ 4e-4
  assert.ok(chiSquareUniform(h) < 30, `calibrated χ² ${chiSquareUniform(h)} counts ${h}`);
  assert.ok(chiSquareUniform(pitHistogram(biased, 10)) > 100, 'miscalibrated PIT should be far from uniform');
  // seeded: the same seed gives the same values
  const s1 = [[1, 2], [1, 2], [2, 3]];
  assert.deepEqual(pitValues(s1, [2, 2], 7), pitValues(s1, [2, 2], 7));
  assert.notDeepEqual(pitValues(s1, [2, 2], 7), pitValues(s1, [2, 2], 8));
});

test('pitHistogram: bins and edges', () => {
  assert.deepEqual(pitHistogram([0, 0.05, 0.1, 0.55, 1], 10), [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.deepEqual(pitHistogram([0.2, 0.7], 2), [1, 1]);
  assert.throws(() => pitHistogram([1.2]), MixcastError);
});

test('wasserstein1: shift, unequal sizes, Gaussian', () => {
  const a = normals(1, 500);
  close(
    wasserstein1(
      a,
      a.map((v) => v + 1.7),
    ),
    1.7,
    1e-9,
  );
  close(wasserstein1([0, 1], [0, 0.5, 1]), 1 / 6, 1e-12);
  close(wasserstein1([0, 0.5, 1], [0, 1]), 1 / 6, 1e-12);
  assert.equal(wasserstein1([2, 2, 2], [2]), 0);
  close(wasserstein1(normals(2, 5000), normals(3, 4000, 1)), 1, 0.08);
  const setA = Array.from({ length: 50 }, (_, i) => [i, 2 * i, -i]);
  const setB = setA.slice(0, 50).map((r) => [r[0] + 1, r[1] - 3, r[2] + 0.5]);
  const w = wassersteinPerInterval(setA, setB);
  w.perInterval.forEach((v, j) => close(v, [1, 3, 0.5][j], 1e-9));
  close(w.mean, 1.5, 1e-9);
});

/** 1-D energy distance as 2∫(F − G)² dx, an independent formula. */
function energyDistance1d(a: number[], b: number[]): number {
  const pts = [...a, ...b].sort((x, y) => x - y);
  const F = (v: number[], x: number) => v.filter((t) => t <= x).length / v.length;
  let s = 0;
  for (let i = 0; i + 1 < pts.length; i++) {
    const diff = F(a, pts[i]) - F(b, pts[i]);
    s += diff * diff * (pts[i + 1] - pts[i]);
  }
  return 2 * s;
}

test('energy distance: zero for identical sets, positive and growing with shift, 1-D formula', () => {
  const r = rng(8);
  const set = Array.from({ length: 60 }, () => [r.normal(), r.normal(), r.normal()]);
  close(energyDistance(set, set), 0, 1e-12);
  const shifted = (c: number) => set.map((v) => v.map((x) => x + c));
  const e1 = energyDistance(set, shifted(0.5));
  const e2 = energyDistance(set, shifted(2));
  assert.ok(e1 > 0.05, `shift 0.5 gives ${e1}`);
  assert.ok(e2 > e1, `shift 2 (${e2}) should exceed shift 0.5 (${e1})`);
  close(energyDistance([[0]], [[1]]), 2, 1e-12);
  const a = normals(4, 17);
  const b = normals(5, 23, 0.7, 1.3);
  close(
    energyDistance(
      a.map((v) => [v]),
      b.map((v) => [v]),
    ),
    energyDistance1d(a, b),
    1e-9,
  );
});

test('mae by hand', () => {
  close(mae([1, 2, 3], [2, 2, 5]), 1, 1e-12);
  assert.throws(() => mae([1], [1, 2]), MixcastError);
});

test('scoreDay and aggregateScores: stable JSON-friendly names and correct means', () => {
  const r = rng(17);
  const mk = (lambda: number) => Array.from({ length: 50 }, () => Array.from({ length: 8 }, () => poisson(r, lambda)));
  const days = [mk(4), mk(6), mk(9)];
  const truths = [
    [4, 3, 5, 4, 2, 6, 4, 4],
    [6, 7, 5, 9, 6, 3, 6, 5],
    [9, 9, 12, 8, 7, 10, 9, 11],
  ];
  const pitStream = rng(1);
  const per = days.map((s, i) => scoreDay(s, truths[i], { seed: pitStream }));
  const one = per[0];
  assert.deepEqual(Object.keys(one.pinball), ['0.1', '0.5', '0.9']);
  assert.deepEqual(Object.keys(one.coverage), ['0.5', '0.8', '0.9']);
  close(one.energy, energyScore(days[0], truths[0]), 1e-12);
  close(one.crps, crpsDay(days[0], truths[0]).meanOverIntervals, 1e-12);
  close(one.mae, mae(intervalQuantiles(days[0], [0.5])['0.5'], truths[0]), 1e-12);
  assert.equal(one.pit.length, 8);
  const withPoint = scoreDay(days[0], truths[0], { point: truths[0] });
  assert.equal(withPoint.mae, 0);

  const agg = aggregateScores(per);
  assert.equal(agg.days, 3);
  close(agg.mean.energy, (per[0].energy + per[1].energy + per[2].energy) / 3, 1e-12);
  close(agg.mean.pinball['0.9'], (per[0].pinball['0.9'] + per[1].pinball['0.9'] + per[2].pinball['0.9']) / 3, 1e-12);
  assert.deepEqual(agg.perDay.crpsTotal, per.map((p) => p.crpsTotal));
  const m = agg.mean.crps;
  const sdByHand = Math.sqrt(per.reduce((s, p) => s + (p.crps - m) ** 2, 0) / 2);
  close(agg.sd.crps, sdByHand, 1e-12);
  assert.equal(agg.pitHistogram.reduce((a, b) => a + b), 24);
  assert.equal(agg.crpsPerInterval.length, 8);
  // JSON round trip keeps everything
  assert.deepEqual(JSON.parse(JSON.stringify(agg)), agg);
  assert.throws(() => aggregateScores([]), MixcastError);
});
