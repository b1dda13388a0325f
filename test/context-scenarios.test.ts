/**
 * Context-aware scenarios end to end: a model trained with context conditions on the recent
 * level at the origin, multi-day requests are coherent paths, the origin and history are checked,
 * and the same request gives the same numbers in the library and over HTTP.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import type { DaySeries } from '../adapters/types.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import type { MixcastModel } from '../src/model/model.js';
import { generateScenarios, planScenarios } from '../src/scenarios/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { MixcastError } from '../src/core/errors.js';
import { rng } from '../src/core/random.js';

/**
 * 240 days × 8 intervals of Poisson counts whose daily level is an AR(1) in logs (φ = 0.9,
 * sd 0.3) times a weekday pattern: today's level says a lot about tomorrow's.
 */
function persistentSeries(): DaySeries {
  const r = rng(11);
  const poisson = (lam: number) => {
    // normal approximation is fine at these rates
    return Math.max(0, Math.round(lam + Math.sqrt(lam) * r.normal()));
  };
  const days = [];
  let a = 0;
  const start = Date.parse('2022-01-03T00:00:00Z');
  for (let i = 0; i < 240; i++) {
    a = 0.9 * a + Math.sqrt(1 - 0.81) * 0.3 * r.normal();
    const date = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
    const level = 200 * Math.exp(a) * (wd === 0 || wd === 6 ? 0.6 : 1);
    days.push({ date, values: [0.5, 1, 1.5, 1.2, 1, 1.3, 0.8, 0.4].map((s) => poisson(level * s)) });
  }
  const labels = ['08:00', '09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00'];
  return {
    zone: 'UTC', intervalMinutes: 60, open: '08:00', close: '16:00', labels, days, valueKind: 'counts', series: null, holidays: [], weekdays: [1, 2, 3, 4, 5, 6, 7],
    report: { rowsRead: 0, rowsOutsideWindow: 0, daysRead: 240, daysKept: 240, dropped: [], repaired: [], windowInferred: false, sourceIntervalMinutes: 60, absentDates: [], notes: [] },
  };
}

const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const variance = (a: number[]) => {
  const m = mean(a);
  return a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1);
};

let ds: DaySeries;
let withCtx: MixcastModel;
let noCtx: MixcastModel;
let ctxSummary: ReturnType<typeof fitModel>['summary'];
const opts = { prior: 'weekday', steps: 200, hidden: 48, blocks: 2, seed: 3, sampler: 'ddim:20' };

before(async () => {
  await initBackend('wasm');
  ds = persistentSeries();
  ({ model: withCtx, summary: ctxSummary } = fitModel(ds, { ...opts, context: 'on' }));
  noCtx = fitModel(ds, { ...opts, context: 'off' }).model;
});
after(() => {
  withCtx?.dispose();
  noCtx?.dispose();
});

describe('context-aware model', () => {
  it('stores its context, uses the level at short leads and feeds u to the network; context off is the calendar-only model', () => {
    const cc = withCtx.manifest.context!;
    assert.ok(cc, 'manifest.context');
    assert.equal(withCtx.manifest.network.contextDim, cc.B.length);
    const lead1 = cc.selection.find((s) => s.group === 'lead 1')!;
    const shared = cc.selection.find((s) => s.group === 'all leads')!;
    assert.ok(lead1.penalty !== null || shared.penalty !== null, 'the level is used at lead 1');
    assert.ok(cc.effort.conditional < cc.effort.mixture, `conditional centers are closer to the days (${cc.effort.conditional} < ${cc.effort.mixture})`);
    // The fit reports how much of the 7-day level it uses at leads 1, 7 and 14.
    const w = ctxSummary.context!.levelWeights;
    assert.deepEqual(w.map((x) => x.lead), [1, 7, 14]);
    assert.ok(w[0].all > 0.3 && w[0].all > w[2].all, `a persistent level is followed at lead 1 more than at 14 (${w.map((x) => x.all.toFixed(2))})`);
    assert.equal(noCtx.manifest.context, undefined);
    assert.equal(noCtx.manifest.network.contextDim, undefined);
    assert.ok(!noCtx.net.layout().some((w) => w.name === 'ctx.w'), 'no context weights without context');
  });

  it('a busy recent history raises the next day; a quiet one lowers it', async () => {
    const last = ds.days[ds.days.length - 1].date;
    const next = new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const recent = ds.days.slice(-7);
    const scaled = (f: number) => recent.map((d) => ({ date: d.date, values: d.values.map((v) => Math.round(v * f)) }));
    const run = async (f: number) => {
      const r = await generateScenarios({ model: withCtx, dates: [next], count: 300, seed: 5, history: scaled(f), output: 'continuous' });
      assert.equal(r.origin, last);
      return mean((r.dates[0].values as number[][]).map(total));
    };
    const busy = await run(1.6);
    const quiet = await run(0.6);
    assert.ok(busy > 1.15 * quiet, `busy history → ${busy.toFixed(0)}, quiet → ${quiet.toFixed(0)}`);
  });

  it('the level grows less certain with the lead: long-lead scenarios get the fitted level spread, lead 1 none', async () => {
    const cc = withCtx.manifest.context!;
    const sd = cc.levelSd!;
    assert.equal(sd.length, cc.spec.leadBands.length);
    assert.equal(sd[0], 0, 'no extra spread at lead 1');
    assert.ok(sd[sd.length - 1] > 0.02, `a persistent level is less certain 8–14 days out (${sd.map((v) => v.toFixed(3))})`);
    const last = ds.days[ds.days.length - 1].date;
    const at = (h: number) => new Date(Date.parse(`${last}T00:00:00Z`) + h * 86_400_000).toISOString().slice(0, 10);
    const run = async (h: number) => {
      const r = await generateScenarios({ model: withCtx, dates: [at(h)], count: 400, seed: 4, output: 'continuous' });
      return (r.dates[0].values as number[][]).map(total);
    };
    const saved = cc.levelSd;
    const before = { lead1: await run(1), lead12: await run(12) };
    cc.levelSd = sd.map(() => 0);
    try {
      const flat = { lead1: await run(1), lead12: await run(12) };
      assert.deepEqual(before.lead1, flat.lead1, 'lead 1 is unchanged');
      const ratio = Math.sqrt(variance(before.lead12) / variance(flat.lead12));
      assert.ok(ratio > 1.01, `the daily total spreads more at lead 12 (sd ratio ${ratio.toFixed(3)})`);
      assert.ok(Math.abs(mean(before.lead12) / mean(flat.lead12) - 1) < 0.03, 'the factor keeps the mean');
    } finally {
      cc.levelSd = saved;
    }
  });

  it('multi-day requests are paths: one unit spans the dates, ids continue, and 5-day totals spread as the data do', async () => {
    const origin = ds.days[179].date;
    const history = ds.days.slice(0, 180);
    const dates = ds.days.slice(180, 185).map((d) => d.date);
    const req = { dates, count: 400, seed: 9, history, origin, output: 'continuous' as const };
    const plan = planScenarios(withCtx, req);
    assert.equal(plan.units.length, 2);
    assert.deepEqual(plan.units[0].dates.map((d) => d.date), dates);
    const a = await generateScenarios({ model: withCtx, ...req });
    const b = await generateScenarios({ model: withCtx, ...req });
    assert.deepEqual(a.dates.map((d) => d.values), b.dates.map((d) => d.values), 'same seed → same paths');
    const F = (r: typeof a) => {
      const perDay = r.dates.map((d) => (d.values as number[][]).map(total));
      const sums = perDay[0].map((_, s) => perDay.reduce((acc, day) => acc + day[s], 0));
      return variance(sums) / perDay.reduce((acc, day) => acc + variance(day), 0);
    };
    const indep = await generateScenarios({ model: noCtx, ...req });
    // The data: 5-day sums of weekday-adjusted totals (AR(1) with φ = 0.9 gives F ≈ 3.9 in theory).
    const tot = ds.days.map((d) => total(d.values));
    const wd = ds.days.map((d) => new Date(`${d.date}T00:00:00Z`).getUTCDay());
    const wdMean = (k: number) => mean(tot.filter((_, i) => wd[i] === k));
    const resid = tot.map((t, i) => t - wdMean(wd[i]));
    const sums: number[] = [];
    for (let i = 0; i + 5 <= resid.length; i++) sums.push(resid.slice(i, i + 5).reduce((x, y) => x + y, 0));
    const empirical = variance(sums) / (5 * variance(resid));
    const generated = F(a);
    assert.ok(empirical > 2, `the data's days move together (F = ${empirical.toFixed(2)})`);
    assert.ok(generated > 1.5 * F(indep), `paths (F = ${generated.toFixed(2)}) spread more than independent days (F = ${F(indep).toFixed(2)})`);
    assert.ok(generated > empirical / 2.5 && generated < empirical * 2.5, `paths F = ${generated.toFixed(2)} within a factor 2.5 of the data's ${empirical.toFixed(2)}`);
  });

  it('refuses dates on or before the origin, malformed history, and never reads past the origin', async () => {
    const origin = ds.days[199].date;
    await assert.rejects(
      generateScenarios({ model: withCtx, dates: [origin], count: 5, seed: 1, history: ds.days.slice(0, 200), origin }),
      (e: unknown) => e instanceof MixcastError && e.code === 'UNPROCESSABLE' && /on or before the forecast origin/.test(e.message),
    );
    // Without an explicit origin, a request about the past sees only the days before its first date.
    const past = await generateScenarios({ model: withCtx, dates: [ds.days[120].date, ds.days[121].date], count: 5, seed: 1 });
    assert.equal(past.origin, ds.days[119].date);
    await assert.rejects(
      generateScenarios({ model: withCtx, dates: [ds.days[200].date], count: 5, seed: 1, history: [{ date: origin, values: [1, 2] }] }),
      (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION' && /history\[0\]\.values must hold 8 values/.test(e.message),
    );
    const target = ds.days[205].date;
    const base = { model: withCtx, dates: [target], count: 50, seed: 2, origin, output: 'continuous' as const };
    const cut = await generateScenarios({ ...base, history: ds.days.slice(0, 200) });
    const more = await generateScenarios({ ...base, history: ds.days.slice(0, 204).map((d, i) => (i >= 200 ? { ...d, values: d.values.map((v) => v * 10) } : d)) });
    assert.deepEqual(cut.dates[0].values, more.dates[0].values, 'days after the origin change nothing');
  });
});

describe('over HTTP', () => {
  let server: RunningServer;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-ctx-http-'));
    await saveModel(withCtx, path.join(dir, 'ctx'));
    server = await startServer({ models: path.join(dir, 'ctx'), port: 0, workers: 1, token: null });
  });
  after(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('history, origin and paths give the library’s numbers; a date before the origin is a 422', async () => {
    const history = ds.days.slice(150, 200);
    const dates = ds.days.slice(200, 203).map((d) => d.date);
    const body = { dates, count: 20, seed: 4, history, output: 'continuous' };
    const r = await fetch(`${server.url}/v1/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, await r.clone().text());
    const json = (await r.json()) as { origin: string; dates: { values: number[][] }[] };
    const lib = await generateScenarios({ model: withCtx, dates, count: 20, seed: 4, history, output: 'continuous' });
    assert.equal(json.origin, ds.days[199].date);
    json.dates.forEach((d, i) => d.values.forEach((row, s) => row.forEach((v, q) => assert.ok(Math.abs(v - (lib.dates[i].values as number[][])[s][q]) < 1e-3))));
    const bad = await fetch(`${server.url}/v1/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, origin: dates[1] }) });
    assert.equal(bad.status, 422);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'UNPROCESSABLE');
  });
});
