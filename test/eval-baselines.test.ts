import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { rng } from '../src/core/random.js';
import { MixcastError } from '../src/core/errors.js';
import {
  bootstrapBaseline,
  cholesky,
  gaussianBaseline,
  seasonalNaive,
  shrunkCovariance,
  type Space,
  type TrainingDay,
} from '../src/eval/baselines.js';
import { fitTransform, fromModelSpace, toModelSpace } from '../src/transform/index.js';

const identity: Space = { forward: (v) => v.map((r) => r.slice()), inverse: (z) => z.map((r) => r.slice()) };
const sqrtSpace: Space = {
  forward: (v) => v.map((r) => r.map((x) => Math.sqrt(x))),
  inverse: (z) => z.map((r) => r.map((x) => x * x)),
};

/** Consecutive days from a start date, keyed by luxon weekday name. */
function makeDays(n: number, start: string, values: (i: number, key: string) => number[]): TrainingDay[] {
  const d0 = DateTime.fromISO(start, { zone: 'UTC' });
  return Array.from({ length: n }, (_, i) => {
    const dt = d0.plus({ days: i });
    const key = dt.toFormat('ccc');
    return { date: dt.toISODate()!, key, values: values(i, key) };
  });
}

function meanCov(rows: number[][]): { mean: number[]; cov: number[][] } {
  const n = rows.length;
  const d = rows[0].length;
  const mean = new Array(d).fill(0);
  for (const r of rows) r.forEach((v, j) => (mean[j] += v / n));
  const cov = Array.from({ length: d }, () => new Array(d).fill(0));
  for (const r of rows) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i][j] += ((r[i] - mean[i]) * (r[j] - mean[j])) / (n - 1);
  return { mean, cov };
}

test('bootstrap: only training vectors of the right key, deterministic per seed, copies', () => {
  const train = makeDays(35, '2024-01-01', (i) => [i, 100 + i, 200 + i]);
  const b = bootstrapBaseline(train);
  assert.equal(b.name, 'bootstrap');
  const mondays = train.filter((t) => t.key === 'Mon');
  assert.equal(mondays.length, 5);
  const s = b.sample('2024-02-05', 'Mon', 500, 42);
  assert.equal(s.length, 500);
  const seen = new Map<number, number>();
  for (const row of s) {
    const match = mondays.find((m) => m.values.every((v, j) => v === row[j]));
    assert.ok(match, `row ${row} is not a Monday training vector`);
    seen.set(row[0], (seen.get(row[0]) ?? 0) + 1);
  }
  assert.equal(seen.size, 5);
  for (const c of seen.values()) assert.ok(c > 60, `each Monday should be drawn about 100 times, got ${c}`);
  assert.deepEqual(b.sample('2024-02-05', 'Mon', 20, 42), s.slice(0, 20));
  assert.notDeepEqual(b.sample('2024-02-05', 'Mon', 20, 43), s.slice(0, 20));
  s[0][0] = -1;
  assert.ok(train.every((t) => t.values[0] !== -1), 'samples must be copies');
  assert.deepEqual(b.notes, []);
});

test('bootstrap: unknown or null key resamples all days and notes it once', () => {
  const train = makeDays(14, '2024-01-01', (i) => [i]).filter((t) => t.key !== 'Sun');
  const b = bootstrapBaseline(train);
  const s = b.sample('2024-01-14', 'Sun', 400, 1);
  const drawn = new Set(s.map((r) => r[0]));
  assert.ok(drawn.size > 6, 'all days should be used');
  for (const v of drawn) assert.ok(train.some((t) => t.values[0] === v));
  b.sample('2024-01-21', 'Sun', 5, 2);
  b.sample('2024-01-21', null, 5, 2);
  assert.equal(b.notes!.length, 2);
  assert.match(b.notes![0], /'Sun'.*all 12 training days/);
  assert.throws(() => b.sample('2024-01-21', 'Mon', 0, 1), MixcastError);
  assert.throws(() => bootstrapBaseline([]), MixcastError);
});

test('cholesky: L·Lᵀ reproduces a PD matrix; a singular one gets jitter', () => {
  const A = [
    [4, 2, 0.4],
    [2, 5, 1],
    [0.4, 1, 3],
  ];
  const { L, jitter } = cholesky(A);
  assert.equal(jitter, 0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let k = 0; k < 3; k++) s += L[i][k] * L[j][k];
    assert.ok(Math.abs(s - A[i][j]) < 1e-12);
  }
  const singular = cholesky([
    [1, 1],
    [1, 1],
  ]);
  assert.ok(singular.jitter > 0 && singular.jitter < 1e-3);
});

test('shrunk covariance: fixed λ scales off-diagonals; auto λ small for strong signal, large for noise', () => {
  const r = rng(4);
  const strong = Array.from({ length: 400 }, () => {
    const f = r.normal();
    return Array.from({ length: 6 }, () => f + 0.3 * r.normal());
  });
  const half = shrunkCovariance(strong, 0.5);
  const none = shrunkCovariance(strong, 0);
  assert.equal(half.lambda, 0.5);
  assert.ok(Math.abs(half.cov[0][1] - 0.5 * none.cov[0][1]) < 1e-12);
  assert.equal(half.cov[2][2], none.cov[2][2]);
  const ref = meanCov(strong);
  assert.ok(Math.abs(none.cov[1][3] - ref.cov[1][3]) < 1e-12);
  const auto = shrunkCovariance(strong, 'auto');
  assert.ok(auto.lambda < 0.05, `strongly correlated, n=400: λ=${auto.lambda}`);
  const noise = Array.from({ length: 10 }, () => Array.from({ length: 10 }, () => r.normal()));
  const autoNoise = shrunkCovariance(noise, 'auto');
  assert.ok(autoNoise.lambda > 0.5, `independent noise, n=10: λ=${autoNoise.lambda}`);
  assert.throws(() => shrunkCovariance(strong, 1.5), MixcastError);
  assert.throws(() => shrunkCovariance([[1, 2]]), MixcastError);
});

test('gaussian: samples approach the training mean and covariance per key', () => {
  const r = rng(9);
  // two keys with different means and correlation structures, 3 intervals
  const train: TrainingDay[] = [];
  for (let i = 0; i < 600; i++) {
    const f = r.normal();
    const key = i % 2 === 0 ? 'A' : 'B';
    const values = key === 'A' ? [10 + f + 0.5 * r.normal(), 20 + 2 * f, 5 + r.normal()] : [50 - f, 40 + 0.2 * r.normal(), 30 + f + r.normal()];
    train.push({ date: `d${i}`, key, values });
  }
  const g = gaussianBaseline(train, identity, { shrinkage: 0 });
  assert.equal(g.name, 'gaussian');
  for (const key of ['A', 'B']) {
    const ref = meanCov(train.filter((t) => t.key === key).map((t) => t.values));
    const s = g.sample('x', key, 20000, 3);
    const got = meanCov(s);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(got.mean[i] - ref.mean[i]) < 4 * Math.sqrt(ref.cov[i][i] / 20000) + 1e-9, `${key} mean ${i}`);
      for (let j = 0; j < 3; j++) {
        const tol = 0.06 * Math.sqrt(ref.cov[i][i] * ref.cov[j][j]);
        assert.ok(Math.abs(got.cov[i][j] - ref.cov[i][j]) < tol, `${key} cov ${i},${j}: ${got.cov[i][j]} vs ${ref.cov[i][j]}`);
      }
    }
  }
  assert.deepEqual(g.sample('x', 'A', 5, 1), g.sample('x', 'A', 5, 1));
  // shrinkage 0.5 halves the sampled covariances off the diagonal
  const gh = gaussianBaseline(train, identity, { shrinkage: 0.5 });
  const refA = meanCov(train.filter((t) => t.key === 'A').map((t) => t.values));
  const sh = meanCov(gh.sample('x', 'A', 20000, 5));
  assert.ok(Math.abs(sh.cov[0][1] - 0.5 * refA.cov[0][1]) < 0.06 * Math.sqrt(refA.cov[0][0] * refA.cov[1][1]));
  // unknown key: the all-days model, noted
  const all = meanCov(train.map((t) => t.values));
  const u = meanCov(g.sample('2024-01-01', 'C', 20000, 6));
  assert.ok(Math.abs(u.mean[0] - all.mean[0]) < 4 * Math.sqrt(all.cov[0][0] / 20000));
  assert.ok(g.notes!.some((n) => /'C'.*all-days model/.test(n)));
});

test('gaussian: works in a sqrt space and with rank-deficient covariance', () => {
  const r = rng(12);
  const train = makeDays(140, '2024-01-01', (_, key) => {
    const level = key === 'Sat' || key === 'Sun' ? 9 : 25;
    return Array.from({ length: 4 }, () => Math.max(0, (Math.sqrt(level) + 0.5 * r.normal()) ** 2));
  });
  const g = gaussianBaseline(train, sqrtSpace);
  const s = g.sample('2024-05-20', 'Mon', 4000, 2);
  assert.equal(s.length, 4000);
  assert.ok(s.every((row) => row.length === 4 && row.every((v) => v >= 0 && Number.isFinite(v))));
  const zMean = meanCov(sqrtSpace.forward(s)).mean;
  const trainMean = meanCov(sqrtSpace.forward(train.filter((t) => t.key === 'Mon').map((t) => t.values))).mean;
  zMean.forEach((m, j) => assert.ok(Math.abs(m - trainMean[j]) < 0.05, `sqrt-space mean ${j}: ${m} vs ${trainMean[j]}`));
  // 3 days of 6 intervals, no shrinkage: singular covariance → jitter, still finite samples
  const few = makeDays(3, '2024-01-01', () => Array.from({ length: 6 }, () => r.normal())).map((t) => ({ ...t, key: 'K' }));
  const gf = gaussianBaseline(few, identity, { shrinkage: 0 });
  assert.ok(gf.sample('x', 'K', 50, 1).every((row) => row.every(Number.isFinite)));
  assert.ok(gf.notes!.some((n) => /'K'.*jitter/.test(n)));
  assert.throws(() => gaussianBaseline(few.slice(0, 1), identity), MixcastError);
});

test('seasonal naive: same weekday one week earlier, null if absent', () => {
  const train = makeDays(60, '2024-03-01', (i) => [i, i * 2]).filter((t) => t.date !== '2024-03-05');
  const sn = seasonalNaive(train);
  assert.equal(sn.name, 'seasonal-naive');
  assert.deepEqual(sn.point('2024-03-11'), [3, 6]); // 2024-03-04 is day 3
  assert.equal(sn.point('2024-03-12'), null); // 2024-03-05 was removed
  assert.equal(sn.point('2024-03-01'), null); // before training
  // across the European DST change (2024-03-31) the date arithmetic stays calendar-based
  assert.deepEqual(sn.point('2024-04-02'), [25, 50]); // 2024-03-26 is day 25
  assert.deepEqual(sn.point('2024-05-06'), [59, 118]); // 2024-04-29 is day 59
  assert.throws(() => sn.point('not-a-date'), MixcastError);
});

test("gaussian: with mixcast's Anscombe transform, a constant-zero interval stays (near) zero", () => {
  const r = rng(31);
  const poissonDraw = (lambda: number) => {
    let k = 0;
    let p = Math.exp(-lambda);
    let c = p;
    const u = r.next();
    while (u > c) {
      k++;
      p *= lambda / k;
      c += p;
    }
    return k;
  };
  const train = makeDays(70, '2024-01-01', () => [0, poissonDraw(5), poissonDraw(20), poissonDraw(40)]);
  const params = fitTransform(
    train.map((t) => t.values),
    'anscombe',
    true,
  );
  const space: Space = { forward: (v) => toModelSpace(params, v), inverse: (z) => fromModelSpace(params, z) };
  const g = gaussianBaseline(train, space);
  const s = g.sample('2024-03-11', 'Mon', 2000, 4);
  assert.ok(s.every((row) => row.every((v) => v >= 0 && Number.isFinite(v))));
  assert.ok(s.every((row) => row[0] < 1e-3), 'the always-zero interval must stay at zero');
  const m = meanCov(s).mean;
  [5, 20, 40].forEach((lambda, j) => assert.ok(Math.abs(m[j + 1] - lambda) < 0.15 * lambda + 1, `interval ${j + 1} mean ${m[j + 1]} vs ${lambda}`));
});
