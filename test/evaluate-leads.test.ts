/**
 * `mixcast evaluate --leads`: rolling origins by lead, as a user runs it. Every method (mixcast
 * with and without context and every baseline) is scored at every lead; the files are written;
 * the same seed gives the same report; the seasonal-naive point forecast has no interval.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LEAD_METHODS } from '../src/eval/index.js';
import { leadReport, mergeSeeds, refitCutoff, windowShift, type LeadEvaluation, type LeadSummary } from '../src/eval/leads.js';
import { cli } from './helpers/cli.js';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-leads-'));
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const args = (out: string) => [
  'evaluate', '--input', 'fixtures/bank_calls_2003.csv', '--interval', '30m', '--close', '21:00',
  '--leads', '1,7', '--origins', '3', '--count', '20', '--steps', '30', '--seed', '2', '--out', out,
];

describe('mixcast evaluate --leads', () => {
  it('scores every method at every lead, writes leads.json and leads.md, and repeats for a seed', async () => {
    const out = path.join(dir, 'a');
    const r = await cli(args(out));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /lead 1: mixcast energy -?[\d.]+ % vs bootstrap .* % vs the best baseline \(/);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'leads.json'), 'utf8'));
    assert.deepEqual(json.summary.map((s: { lead: number }) => s.lead), [1, 7]);
    for (const s of json.summary) {
      assert.ok(s.origins >= 1);
      assert.deepEqual(Object.keys(s.methods).sort(), [...LEAD_METHODS].sort());
      for (const m of LEAD_METHODS) assert.ok(Number.isFinite(s.methods[m].energy) && s.methods[m].energy > 0, `${m} at lead ${s.lead}`);
      assert.equal(s.methods.bootstrap.energyVsBootstrap, 1);
      assert.equal(s.methods['seasonal-naive'].coverage80, null, 'a point forecast has no interval');
      assert.ok(s.methods.mixcast.coverage80 >= 0 && s.methods.mixcast.coverage80 <= 1);
    }
    const md = fs.readFileSync(path.join(out, 'leads.md'), 'utf8');
    assert.match(md, /\| best baseline \| mixcast vs best \|/);
    assert.match(md, /\| gaussian \| seasonal-naive \| ddpm \|/);
    assert.match(md, /seasonal-naive[^\n]*\n[^\n]*\n\|[^\n]*— \|/, 'coverage of the point forecast is shown as —');
    assert.match(md, /## How the test window differs from the training days[\s\S]*\| bank_calls_2003\.csv \| -?[\d.]+ \| -?[\d.]+ \| [+−][\d.]+ \|/);
    const again = path.join(dir, 'b');
    assert.equal((await cli(args(again))).code, 0);
    const second = JSON.parse(fs.readFileSync(path.join(again, 'leads.json'), 'utf8'));
    assert.deepEqual(second.summary, json.summary, 'same seed → same scores');
  });

  it('measures how the test window differs from the training days (level shift, spread)', () => {
    // Four weeks of training days whose totals vary by weekday and ±10 %; then two weeks at twice the level.
    const days = Array.from({ length: 42 }, (_, i) => {
      const date = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
      const level = (1 + (i % 7)) * 100 * (i % 2 ? 1.1 : 0.9) * (i >= 28 ? 2 : 1);
      return { date, values: [level / 2, level / 2] };
    });
    const s = windowShift(days, 28);
    assert.ok(Math.abs(s.testMean - s.trainMean - Math.log(2)) < 0.02, `shift ${s.testMean - s.trainMean} ≈ log 2`);
    assert.ok(s.trainSd > 0.05 && Math.abs(s.testSd / s.trainSd - 1) < 0.2, `same spread (${s.trainSd}, ${s.testSd})`);
    const inside = windowShift(days.slice(0, 28), 14);
    assert.ok(Math.abs(inside.testMean - inside.trainMean) < 0.1, 'no shift inside the training weeks');
  });

  it('retrains on a schedule with --refit-every: only days up to each origin, and once more per period', async () => {
    // The models at an origin never see a day after it, and move forward a whole period at a time.
    for (const every of [1, 7, 28]) {
      let last = 100;
      for (let orig = 99; orig < 160; orig++) {
        const c = refitCutoff(100, every, orig);
        assert.ok(c <= orig + 1 && c >= 100 && c >= last && c - last <= every, `every ${every}, origin ${orig}: cutoff ${c}`);
        last = c;
      }
    }
    assert.equal(refitCutoff(100, 0, 150), 100);
    const out = path.join(dir, 'refit');
    const r = await cli([...args(out), '--refit-every', '10']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'leads.json'), 'utf8'));
    assert.ok(json.fits >= 2, `retrained over the 33 test days (${json.fits} trainings)`);
    assert.match(fs.readFileSync(path.join(out, 'leads.md'), 'utf8'), /retrained every 10 test days on every day up to the origin \(\d+ trainings\)/);
    const once = JSON.parse(fs.readFileSync(path.join(dir, 'a', 'leads.json'), 'utf8'));
    assert.equal(once.fits, 1);
    assert.notDeepEqual(json.summary[0].methods.mixcast, once.summary[0].methods.mixcast, 'the retrained models give other scenarios');
    assert.deepEqual(json.summary[0].methods.bootstrap, once.summary[0].methods.bootstrap, 'the baselines do not change');
  });

  it('averages runs over seeds and reports the spread of each seed', () => {
    const run = (mixcast: number, ets: number, pitBin: number): LeadEvaluation => {
      const methods = Object.fromEntries(
        LEAD_METHODS.map((m) => {
          const energy = m === 'mixcast' ? mixcast : m === 'ets' ? ets : 10;
          return [m, { energy, energyVsBootstrap: energy / 10, crps: energy / 2, coverage80: m === 'seasonal-naive' ? Number.NaN : 0.8, pit: [pitBin, 1] }];
        }),
      ) as LeadSummary['methods'];
      return {
        days: 100, d: 4, testDays: 20, trainDays: 80, fits: 1, seconds: 5,
        summary: [{ lead: 1, origins: 20, methods }],
        paths: { generatedF: mixcast / 5, generatedFRange: [mixcast / 6, mixcast / 4], empiricalF: 2, windows: 3 },
        levelWeights: [], selection: [],
        shift: { trainMean: 0, trainSd: 0.1, testMean: 0.2, testSd: 0.15 },
      };
    };
    const merged = mergeSeeds([{ seed: 1, result: run(9, 9.5, 1) }, { seed: 2, result: run(11, 10, 3) }]);
    const m = merged.summary[0].methods;
    assert.equal(m.mixcast.energy, 10);
    assert.equal(m.mixcast.energyVsBootstrap, 1);
    assert.equal(m.ets.energy, 9.75);
    assert.deepEqual(m.mixcast.pit, [4, 2], 'PIT counts add up');
    assert.ok(Number.isNaN(m['seasonal-naive'].coverage80));
    assert.equal(merged.seconds, 10);
    assert.equal(merged.fits, 2);
    assert.equal(merged.paths.generatedF, 2);
    assert.deepEqual(merged.paths.generatedFRange, [1.5, 2.75]);
    assert.deepEqual(merged.seedRuns!.map((r) => r.seed), [1, 2]);
    const md = leadReport([{ id: 'x', title: 'x', ...merged }], ['# t']);
    // Seed 1: mixcast 9 against ets 9.5 (−5.3 %); seed 2: 11 against ets 10 (+10.0 %).
    assert.match(md, /\| x \| 1 \| 0\.900 \/ 1\.100 \| −5\.3 % \/ \+10\.0 % \| 1 of 2 \|/);
  });

  it('--seeds runs once per seed and averages them; the report lists each seed', async () => {
    const out = path.join(dir, 'seeds');
    const r = await cli([...args(out).filter((_, i, a) => a[i - 1] !== '--origins' && a[i] !== '--origins'), '--origins', '2', '--seeds', '2,5']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /seed 5: training on/);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'leads.json'), 'utf8'));
    assert.deepEqual(json.seedRuns.map((s: { seed: number }) => s.seed), [2, 5]);
    const m = json.summary[0].methods.mixcast.energy;
    const per = json.seedRuns.map((s: { summary: { methods: { mixcast: { energy: number } } }[] }) => s.summary[0].methods.mixcast.energy);
    assert.ok(Math.abs(m - (per[0] + per[1]) / 2) < 1e-9 && per[0] !== per[1], `the average of two different runs (${per})`);
    const md = fs.readFileSync(path.join(out, 'leads.md'), 'utf8');
    assert.match(md, /seeds 2, 5, averaged/);
    assert.match(md, /## Spread over seeds/);
    assert.equal((await cli([...args(path.join(dir, 'bad')), '--seeds', '1,x'])).code, 2, 'a seed that is not a whole number is refused');
  });
});
