/** Context features, the ridge fit of conditional centers, and per-scenario path context. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ridge } from '../src/context/ridge.js';
import { DEFAULT_CONTEXT_SPEC, contextVector, recentLevels, contextWidth, type HistoryDay } from '../src/context/features.js';
import { fitConditionalCenters, conditionalCenter, MIN_GAIN } from '../src/context/centers.js';
import { scenarioContext } from '../src/context/paths.js';
import { rng } from '../src/core/random.js';

test('ridge recovers a known linear map and shrinks with the penalty', () => {
  const r = rng(3);
  const Btrue = [
    [1, -2, 0.5],
    [0, 3, -1],
  ];
  const X: number[][] = [];
  const Y: number[][] = [];
  for (let i = 0; i < 500; i++) {
    const x = [r.normal(), r.normal()];
    X.push(x);
    Y.push([0, 1, 2].map((q) => x[0] * Btrue[0][q] + x[1] * Btrue[1][q] + 0.01 * r.normal()));
  }
  const B = ridge(X, Y, 1e-6);
  B.forEach((row, j) => row.forEach((v, q) => assert.ok(Math.abs(v - Btrue[j][q]) < 0.01, `B[${j}][${q}] = ${v}`)));
  const Bs = ridge(X, Y, 5000);
  assert.ok(Math.abs(Bs[1][1]) < Math.abs(B[1][1]) / 5);
});

test('recent levels use only the history; each lead band has its own slot in u', () => {
  const spec = { ...DEFAULT_CONTEXT_SPEC, level: 'mean' as const };
  const hist: HistoryDay[] = Array.from({ length: 30 }, (_, i) => ({ date: `2024-01-${String(i + 1).padStart(2, '0')}`, total: Math.expm1(i < 29 ? 1 : 2) }));
  const lv = recentLevels(spec, hist, () => 1);
  assert.ok(Math.abs(lv[0] - 1) < 1e-12); // last day: deviation 1
  assert.ok(Math.abs(lv[1] - 1 / 7) < 1e-12);
  assert.ok(Math.abs(lv[2] - 1 / 28) < 1e-12);
  assert.equal(contextWidth(spec), 12);
  assert.deepEqual(contextVector(spec, lv, 1).slice(0, 3), lv);
  assert.deepEqual(contextVector(spec, lv, 2).slice(3, 6), lv);
  assert.deepEqual(contextVector(spec, lv, 30).slice(9, 12), lv); // past the last band: the last band
  assert.equal(contextVector(spec, lv, 5).filter((v) => v !== 0).length, 3);
});

/** Days whose log level follows an AR(1): tomorrow resembles today. */
function arSeries(n: number, phi: number, seed: number) {
  const r = rng(seed);
  const dates: string[] = [];
  const totals: number[] = [];
  const z: number[][] = [];
  let a = 0;
  const start = Date.parse('2023-01-02T00:00:00Z');
  for (let i = 0; i < n; i++) {
    a = phi * a + Math.sqrt(1 - phi * phi) * 0.3 * r.normal();
    dates.push(new Date(start + i * 86_400_000).toISOString().slice(0, 10));
    const level = Math.exp(5 + a);
    totals.push(level * 4);
    z.push([0, 1, 2, 3].map(() => 2 * Math.sqrt(level) + 0.1 * r.normal()));
  }
  const mean = [0, 1, 2, 3].map((q) => z.reduce((s, row) => s + row[q], 0) / n);
  return { dates, totals, z, keys: dates.map(() => 'all'), centers: z.map(() => mean) };
}

test('the default level is the median deviation, bounded per day: a holiday in the window moves it little', () => {
  assert.equal(DEFAULT_CONTEXT_SPEC.level, 'median');
  const dates = Array.from({ length: 28 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
  // Days 10 % above what the calendar expects (log 5), except a holiday two days before the origin.
  const hist: HistoryDay[] = dates.map((date, i) => ({ date, total: Math.expm1(5 + (i === 25 ? -3 : 0.1)) }));
  const median = recentLevels(DEFAULT_CONTEXT_SPEC, hist, () => 5);
  const mean = recentLevels({ ...DEFAULT_CONTEXT_SPEC, level: 'mean' }, hist, () => 5);
  for (const l of median.slice(1)) assert.ok(Math.abs(l - 0.1) < 1e-9, `median level ${l}`);
  assert.ok(mean[1] < -0.3, `the mean over 7 days is dragged down by the holiday (${mean[1]})`);
  // The bound applies to every day before the windows: a holiday yesterday reads as −bound.
  const yesterday = hist.map((h, i) => (i === 27 ? { ...h, total: Math.expm1(2) } : h));
  assert.ok(Math.abs(recentLevels(DEFAULT_CONTEXT_SPEC, yesterday, () => 5, 0.5)[0] + 0.5) < 1e-9);
  assert.ok(Math.abs(recentLevels(DEFAULT_CONTEXT_SPEC, yesterday, () => 5)[0] + 3) < 1e-9);
});

test('fitted centers store the per-day bound (4 robust sd of the training deviations); bundles without `level` keep the mean', () => {
  const data = arSeries(200, 0.9, 4);
  const { cc } = fitConditionalCenters(data, DEFAULT_CONTEXT_SPEC);
  const devs = data.totals.map((t, i) => Math.log1p(t) - cc.keyLogMean[data.keys[i]]);
  const sorted = [...devs].sort((a, b) => a - b);
  const med = sorted[sorted.length >> 1];
  assert.ok(cc.clip !== undefined && cc.clip > 0);
  const inside = devs.filter((v) => Math.abs(v - med) <= cc.clip! / 4).length / devs.length;
  assert.ok(inside > 0.3 && inside < 0.7, `about half the days lie within one MAD-based sd·1.4826 (${inside})`);
  const old = fitConditionalCenters(data, { ...DEFAULT_CONTEXT_SPEC, level: undefined }).cc;
  assert.equal(old.clip, undefined, 'a mean-level spec (older bundles) has no bound');
});

test('a group is kept only when it lowers the cross-validated error by MIN_GAIN or more against leaving it out', () => {
  let kept = 0;
  let dropped = 0;
  for (const [phi, seed] of [[0.9, 1], [0.3, 5], [0.1, 6], [0, 2]]) {
    for (const s of fitConditionalCenters(arSeries(300, phi, seed), DEFAULT_CONTEXT_SPEC).cc.selection) {
      const out = s.validation.find((v) => v.penalty === null)!.mse;
      const best = Math.min(...s.validation.map((v) => v.mse));
      if (s.penalty === null) {
        assert.ok(best > out * (1 - MIN_GAIN), `φ ${phi}, ${s.group}: left out although it gained ${1 - best / out}`);
        if (best < out) dropped++;
      } else {
        assert.ok(s.validation.find((v) => v.penalty === s.penalty)!.mse <= out * (1 - MIN_GAIN), `φ ${phi}, ${s.group}: kept with a gain under ${MIN_GAIN}`);
        kept++;
      }
    }
  }
  assert.ok(kept > 0, 'a persistent level keeps groups');
  assert.ok(dropped > 0, 'some group with a small gain is left out');
});

test('conditional centers learn to use a persistent level and to ignore an unpredictable one', () => {
  const persistent = fitConditionalCenters(arSeries(300, 0.9, 1), DEFAULT_CONTEXT_SPEC);
  const lead1 = persistent.cc.selection.find((s) => s.group === 'lead 1')!;
  assert.notEqual(lead1.penalty, null, 'the level is used at lead 1');
  const ignore = lead1.validation.find((v) => v.penalty === null)!.mse;
  const best = Math.min(...lead1.validation.map((v) => v.mse));
  assert.ok(best < 0.6 * ignore, `lead 1: best ${best} vs ignore ${ignore}`);
  const norm = (B: number[][]) => Math.sqrt(B.flat().reduce((s, v) => s + v * v, 0));
  const noise = fitConditionalCenters(arSeries(300, 0, 2), DEFAULT_CONTEXT_SPEC);
  assert.ok(norm(noise.cc.B) < 0.25 * norm(persistent.cc.B), `noise B ${norm(noise.cc.B)} vs ${norm(persistent.cc.B)}`);
  // Each pair's context comes from days before its target day only.
  for (const p of persistent.pairs.slice(0, 50)) assert.ok(p.lead >= 1 && p.lead <= DEFAULT_CONTEXT_SPEC.maxLead);
});

test('a scenario path carries its own history into the next day', () => {
  const data = arSeries(300, 0.9, 1);
  const { cc } = fitConditionalCenters(data, DEFAULT_CONTEXT_SPEC);
  const observed = data.dates.map((date, i) => ({ date, total: data.totals[i] }));
  const last = data.dates[data.dates.length - 1];
  const next = new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const after = new Date(Date.parse(`${last}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
  const busy = [{ date: next, total: Math.exp(6) * 4 }];
  const quiet = [{ date: next, total: Math.exp(4) * 4 }];
  const out = scenarioContext({ cc, centers: [data.centers[0]], keyOf: () => 'all', observed, target: after, components: [0, 0, 0], paths: [busy, quiet, []] });
  assert.deepEqual(out.leads, [1, 1, 2]);
  assert.ok(out.centers[0][0] > out.centers[1][0], 'the busy path has the higher center');
  // No context: the center is the component center.
  const zero = conditionalCenter({ B: cc.B.map((r) => r.map(() => 0)) }, data.centers[0], out.context[0]);
  assert.deepEqual(zero, data.centers[0]);
});

test('features the cross-validation leaves out are zero for the network too, in training and in scenarios', () => {
  // Independent days (seed 5: the cross-validation keeps lead 1 and leaves the other bands out).
  const data = arSeries(300, 0, 5);
  const { cc, pairs } = fitConditionalCenters(data, DEFAULT_CONTEXT_SPEC);
  const out = cc.selection.filter((s) => s.penalty === null).map((s) => s.group);
  assert.ok(out.length > 0, 'an unpredictable level is left out somewhere');
  assert.ok(cc.ignored && cc.ignored.length > 0, 'the left-out features are listed');
  // Every ignored feature has B = 0 and is 0 in every training pair and every scenario row.
  for (const j of cc.ignored!) {
    assert.ok(cc.B[j].every((v) => v === 0), `B row ${j} is zero`);
    assert.ok(pairs.every((p) => p.u[j] === 0), `feature ${j} is zero in the training pairs`);
  }
  const observed = data.dates.map((date, i) => ({ date, total: data.totals[i] * (i > 290 ? 3 : 1) }));
  const last = data.dates[data.dates.length - 1];
  const targets = [1, 2, 5, 10].map((h) => new Date(Date.parse(`${last}T00:00:00Z`) + h * 86_400_000).toISOString().slice(0, 10));
  for (const target of targets) {
    const row = scenarioContext({ cc, centers: [data.centers[0]], keyOf: () => 'all', observed, target, components: [0], paths: [[]] });
    for (const j of cc.ignored!) assert.equal(row.context[0][j], 0, `feature ${j} at ${target}`);
  }
  // A persistent level keeps its lead-1 features.
  const persistent = fitConditionalCenters(arSeries(300, 0.9, 1), DEFAULT_CONTEXT_SPEC).cc;
  const W = DEFAULT_CONTEXT_SPEC.windows.length;
  for (let j = 0; j < W; j++) assert.ok(!persistent.ignored!.includes(j), `lead-1 feature ${j} is kept`);
});
