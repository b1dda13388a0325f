import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MixcastError } from '../src/core/errors.js';
import { rng, type Rng } from '../src/core/random.js';
import {
  fitTransform,
  fromModelSpace,
  parseTransform,
  parseTransformParams,
  stabilise,
  stdFloor,
  STD_FLOOR_REL,
  toModelSpace,
  unstabilise,
  type TransformKind,
} from '../src/transform/index.js';

/** Poisson draw by inversion (fine for the means used here). */
function poisson(r: Rng, lambda: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = r.next();
  while (u > cdf && k < 10 * lambda + 100) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

function countDays(seed: number, n: number, d: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => poisson(r, 2 + 30 * Math.sin((Math.PI * (j + 0.5)) / d))));
}

const isCode = (code: string) => (e: unknown) => e instanceof MixcastError && e.code === code;

test('stabilise/unstabilise: the formulas and exact inverses', () => {
  assert.equal(stabilise('anscombe', 0), 2 * Math.sqrt(3 / 8));
  assert.equal(stabilise('anscombe', 10), 2 * Math.sqrt(10.375));
  assert.equal(stabilise('log1p', Math.E - 1), 1);
  assert.equal(stabilise('none', -4.5), -4.5);
  for (const kind of ['anscombe', 'log1p', 'none'] as TransformKind[]) {
    for (const x of [0, 0.3, 1, 7, 123.25, 5000]) {
      assert.ok(Math.abs(unstabilise(kind, stabilise(kind, x)) - x) < 1e-9 * Math.max(1, x), `${kind} ${x}`);
    }
  }
  // below the image of 0 the Anscombe inverse stays monotone (no turning parabola)
  assert.equal(unstabilise('anscombe', -3), -0.375);
  assert.ok(unstabilise('anscombe', 0.5) < unstabilise('anscombe', 1));
});

test('round trip original → model space → original to 1e-9, every kind', () => {
  const days = countDays(1, 40, 24);
  for (const kind of ['anscombe', 'log1p', 'none'] as TransformKind[]) {
    const p = fitTransform(days, kind, true);
    const back = fromModelSpace(p, toModelSpace(p, days));
    for (let i = 0; i < days.length; i++) {
      for (let j = 0; j < 24; j++) assert.ok(Math.abs(back[i][j] - days[i][j]) < 1e-9, `${kind} ${i} ${j}: ${back[i][j]} vs ${days[i][j]}`);
    }
  }
  // real-valued, possibly negative series with none
  const r = rng(2);
  const real = Array.from({ length: 30 }, () => Array.from({ length: 5 }, () => 1000 * r.normal() - 200));
  const p = fitTransform(real, 'none', false);
  const back = fromModelSpace(p, toModelSpace(p, real));
  real.forEach((row, i) => row.forEach((x, j) => assert.ok(Math.abs(back[i][j] - x) < 1e-9)));
});

test('model space is standardised per interval', () => {
  const days = countDays(3, 60, 12);
  const p = fitTransform(days, 'anscombe', true);
  const z = toModelSpace(p, days);
  for (let j = 0; j < 12; j++) {
    const col = z.map((row) => row[j]);
    const m = col.reduce((a, b) => a + b, 0) / col.length;
    const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length;
    assert.ok(Math.abs(m) < 1e-12, `mean ${m}`);
    assert.ok(Math.abs(v - 1) < 1e-9, `var ${v}`);
  }
});

test('fromModelSpace clamps at 0 for counts, not for real values', () => {
  const days = countDays(4, 20, 6);
  const p = fitTransform(days, 'anscombe', true);
  const far = [new Array(6).fill(-50)];
  assert.deepEqual(fromModelSpace(p, far)[0], new Array(6).fill(0));
  const pl = fitTransform(days, 'log1p', true);
  assert.deepEqual(fromModelSpace(pl, far)[0], new Array(6).fill(0));
  const pr = { ...fitTransform(days, 'none', false) };
  const out = fromModelSpace(pr, far)[0];
  out.forEach((v, j) => assert.ok(Math.abs(v - (pr.mean[j] - 50 * pr.std[j])) < 1e-9 && v < 0));
  // values stay continuous: no rounding on the way back
  const mid = fromModelSpace(p, [new Array(6).fill(0.123)])[0];
  assert.ok(mid.some((v) => !Number.isInteger(v)));
});

test('a constant interval (night slots at 0) gets the floored std, maps to 0 and back', () => {
  const days = countDays(5, 25, 8).map((row) => [0, ...row, 0]);
  const p = fitTransform(days, 'anscombe', true);
  const floor = p.std[0];
  assert.ok(floor > 0 && Number.isFinite(floor));
  // the floor is the documented one: 5% of the median non-zero std
  const raw = p.std.slice(1, -1);
  const sorted = [...raw].sort((a, b) => a - b);
  const median = (sorted[3] + sorted[4]) / 2;
  assert.ok(Math.abs(floor - STD_FLOOR_REL * median) < 1e-12);
  assert.equal(p.std[9], floor);
  const z = toModelSpace(p, days);
  z.forEach((row) => {
    assert.equal(row[0], 0);
    assert.equal(row[9], 0);
  });
  const back = fromModelSpace(p, z);
  back.forEach((row) => assert.ok(Math.abs(row[0]) < 1e-12 && Math.abs(row[9]) < 1e-12));
  // a one-day training set and an all-constant set do not divide by zero either
  const one = fitTransform([[3, 4, 5]], 'anscombe', true);
  assert.deepEqual(one.std, [1, 1, 1]);
  assert.deepEqual(toModelSpace(one, [[3, 4, 5]]), [[0, 0, 0]]);
  assert.equal(stdFloor([0, 0]), 1);
  assert.equal(stdFloor([0, 1e-9, 1e-9]), 1e-6);
});

test('Anscombe makes Poisson variance ≈ 1 at a large mean (seeded)', () => {
  const r = rng(11);
  for (const lambda of [30, 200]) {
    const ys = Array.from({ length: 20000 }, () => stabilise('anscombe', poisson(r, lambda)));
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    const v = ys.reduce((a, b) => a + (b - m) ** 2, 0) / (ys.length - 1);
    assert.ok(Math.abs(v - 1) < 0.05, `lambda ${lambda}: variance ${v}`);
    // without stabilisation the variance is λ
    const xs = ys.map((y) => unstabilise('anscombe', y));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const vx = xs.reduce((a, b) => a + (b - mx) ** 2, 0) / (xs.length - 1);
    assert.ok(Math.abs(vx / lambda - 1) < 0.1, `raw variance ${vx}`);
  }
});

test('typed errors for bad input and bad options', () => {
  assert.equal(parseTransform('anscombe'), 'anscombe');
  assert.equal(parseTransform(' Log1p '), 'log1p');
  assert.equal(parseTransform('none'), 'none');
  assert.throws(() => parseTransform('sqrt'), isCode('BAD_OPTION'));
  assert.throws(() => parseTransform(''), isCode('BAD_OPTION'));
  assert.throws(() => fitTransform([], 'anscombe', true), isCode('BAD_INPUT'));
  assert.throws(() => fitTransform([[]], 'anscombe', true), isCode('BAD_INPUT'));
  assert.throws(() => fitTransform([[1, 2], [3]], 'anscombe', true), /day 1 has 1 values, expected 2/);
  assert.throws(() => fitTransform([[1, NaN]], 'none', false), isCode('BAD_INPUT'));
  assert.throws(() => fitTransform([[1, Infinity]], 'none', false), isCode('BAD_INPUT'));
  assert.throws(() => fitTransform([[1, -1]], 'none', true), /counts must be ≥ 0/);
  assert.throws(() => fitTransform([[1, -1]], 'log1p', false), /set `transform` to none/);
  assert.doesNotThrow(() => fitTransform([[1, -1]], 'none', false));
  assert.throws(() => fitTransform([[1]], 'sqrt' as TransformKind, true), isCode('BAD_OPTION'));
  const p = fitTransform([[1, 2], [3, 4]], 'anscombe', true);
  assert.throws(() => toModelSpace(p, [[1, 2, 3]]), isCode('BAD_INPUT'));
  assert.throws(() => toModelSpace(p, [[1, -2]]), isCode('BAD_INPUT'));
  assert.throws(() => fromModelSpace(p, [[1]]), isCode('BAD_INPUT'));
  assert.throws(() => fromModelSpace(p, [[1, NaN]]), isCode('BAD_INPUT'));
});

test('transform parameters survive JSON and junk is refused', () => {
  const p = fitTransform(countDays(7, 10, 4), 'log1p', true);
  assert.deepEqual(parseTransformParams(JSON.parse(JSON.stringify(p))), p);
  assert.throws(() => parseTransformParams(null), isCode('BAD_MODEL'));
  assert.throws(() => parseTransformParams({ ...p, kind: 'sqrt' }), isCode('BAD_MODEL'));
  assert.throws(() => parseTransformParams({ ...p, std: [1, 0, 1, 1] }), isCode('BAD_MODEL'));
  assert.throws(() => parseTransformParams({ ...p, mean: [1] }), isCode('BAD_MODEL'));
  assert.throws(() => parseTransformParams({ ...p, counts: 'yes' }), isCode('BAD_MODEL'));
});
