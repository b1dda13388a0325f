import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { rng } from '../src/core/random.js';
import { MixcastError } from '../src/core/errors.js';
import { bootstrapBaseline, bootstrapLevelBaseline, etsBaseline, leadTarget, type LeadMethod, type TrainingDay } from '../src/eval/baselines.js';
import { energyScore } from '../src/eval/scores.js';

/** Consecutive days from a start date, keyed by weekday name (Mon … Sun). */
function makeDays(n: number, start: string, values: (i: number, key: string) => number[]): TrainingDay[] {
  const d0 = DateTime.fromISO(start, { zone: 'UTC' });
  return Array.from({ length: n }, (_, i) => {
    const dt = d0.plus({ days: i });
    return { date: dt.toISODate()!, key: dt.toFormat('ccc'), values: values(i, dt.toFormat('ccc')) };
  });
}

function throwsMixcast(fn: () => unknown, code: string, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MixcastError, `not a MixcastError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

// A weekly-seasonal series of 4 intervals a day with a level shift from 100 to 160 on day 98
// (a Monday); days are drawn with seeded noise so that truth past the origin comes from the same process.
const SHAPE = [0.1, 0.3, 0.4, 0.2];
const WEEKLY: Record<string, number> = { Mon: 1.0, Tue: 1.1, Wed: 1.05, Thu: 1.0, Fri: 0.9, Sat: 0.5, Sun: 0.4 };
function shifted(n: number, seed = 7): TrainingDay[] {
  const r = rng(seed);
  return makeDays(n, '2024-01-01', (i, key) => {
    const t = (i < 98 ? 100 : 160) * WEEKLY[key] * Math.exp(0.03 * r.normal());
    return SHAPE.map((s) => s * t * (1 + 0.05 * r.normal()));
  });
}

test('leadTarget: origin + lead calendar days', () => {
  assert.equal(leadTarget('2024-01-31', 1), '2024-02-01');
  assert.equal(leadTarget('2024-02-26', 14), '2024-03-11');
});

test('bootstrap-level equals the hand-computed level ratio on a tiny series', () => {
  // day i (2024-01-01 + i, a Monday at i = 0) has total 10 + i, split in halves
  const days = makeDays(21, '2024-01-01', (i) => [(10 + i) / 2, (10 + i) / 2]);
  const m = bootstrapLevelBaseline();
  assert.equal(m.name, 'bootstrap-level');
  // origin 2024-01-21 (i = 20): L(o) = mean(24 … 30) = 27. Lead 1 → Monday 2024-01-22. Past Mondays:
  // 01-08 (total 17, own origin 01-07: L = mean(10 … 16) = 13) and 01-15 (total 24, own origin 01-14:
  // L = mean(17 … 23) = 20); 01-01 has no 7 days before its origin and is left out.
  const s = m.sampleAt({ history: days, origin: '2024-01-21', lead: 1, count: 400, seed: 3 });
  const expected = [17 * (27 / 13), 24 * (27 / 20)]; // 35.3077 and 32.4
  const seen = new Set<number>();
  for (const row of s) {
    const k = expected.findIndex((e) => Math.abs(sum(row) - e) < 1e-9);
    assert.ok(k >= 0, `total ${sum(row)} is neither ${expected.join(' nor ')}`);
    assert.ok(Math.abs(row[0] - row[1]) < 1e-9);
    seen.add(k);
  }
  assert.equal(seen.size, 2);
  // lead 7 → Sunday 2024-01-28: Sundays 01-14 (total 23, own origin 01-07, L = 13) and 01-21 (total 30,
  // own origin 01-14, L = 20); 01-07's own origin 2023-12-31 has no history.
  const s7 = m.sampleAt({ history: days, origin: '2024-01-21', lead: 7, count: 200, seed: 3 });
  const totals7 = new Set(s7.map((r) => Number(sum(r).toFixed(9))));
  assert.deepEqual([...totals7].sort(), [Number((23 * 27 / 13).toFixed(9)), Number((30 * 27 / 20).toFixed(9))].sort());
});

test('bootstrap-level: pools by key when one is given; falls back to all eligible days with a note', () => {
  const days = makeDays(21, '2024-01-01', (i) => [10 + i]);
  days[7].key = 'special'; // 2024-01-08
  const m = bootstrapLevelBaseline();
  const s = m.sampleAt({ history: days, origin: '2024-01-21', lead: 1, key: 'special', count: 50, seed: 1 });
  for (const row of s) assert.ok(Math.abs(row[0] - 17 * (27 / 13)) < 1e-9);
  const all = m.sampleAt({ history: days, origin: '2024-01-21', lead: 1, key: 'never', count: 300, seed: 1 });
  assert.ok(new Set(all.map((r) => r[0].toFixed(6))).size > 5);
  assert.match(m.notes.join('\n'), /no days of key 'never' .*resampled from all 14 eligible days/);
});

const methods: [string, () => LeadMethod][] = [
  ['bootstrap-level', () => bootstrapLevelBaseline()],
  ['ets', () => etsBaseline()],
];

for (const [name, make] of methods) {
  test(`${name}: same request and seed → same scenarios; another seed → others`, () => {
    const days = shifted(112);
    const req = { history: days, origin: days[111].date, lead: 3, count: 50, seed: 11 };
    const a = make().sampleAt(req);
    assert.equal(a.length, 50);
    assert.equal(a[0].length, 4);
    assert.deepEqual(make().sampleAt(req), a);
    const m = make();
    m.sampleAt({ ...req, lead: 9 });
    assert.deepEqual(m.sampleAt(req), a, 'a cached fit gives the same numbers');
    assert.notDeepEqual(make().sampleAt({ ...req, seed: 12 }), a);
  });

  test(`${name}: uses no day after the origin`, () => {
    const days = shifted(126);
    const origin = days[111].date;
    const later = days.map((d, i) => (i > 111 ? { ...d, values: d.values.map((v) => v * 5 + 1) } : d));
    later.push({ date: '2024-06-01', key: 'Sat', values: [1e6, 0, 0, 0] });
    for (const lead of [1, 7, 14]) {
      const req = { origin, lead, count: 40, seed: 5 };
      assert.deepEqual(make().sampleAt({ ...req, history: later }), make().sampleAt({ ...req, history: days.slice(0, 112) }), `lead ${lead}`);
      assert.notDeepEqual(
        make().sampleAt({ ...req, history: later, origin: days[118].date }),
        make().sampleAt({ ...req, history: days, origin: days[118].date }),
        'a later origin does see the changed days',
      );
    }
  });

  test(`${name}: bad requests are typed errors`, () => {
    const days = shifted(30);
    const m = make();
    throwsMixcast(() => m.sampleAt({ history: days, origin: days[29].date, lead: 0, count: 5, seed: 1 }), 'BAD_INPUT', /lead must be a whole number of days ≥ 1/);
    throwsMixcast(() => m.sampleAt({ history: days, origin: days[29].date, lead: 1.5, count: 5, seed: 1 }), 'BAD_INPUT', /lead must be/);
    throwsMixcast(() => m.sampleAt({ history: days, origin: '2024-13-01', lead: 1, count: 5, seed: 1 }), 'BAD_INPUT', /origin '2024-13-01' is not an ISO date/);
    throwsMixcast(() => m.sampleAt({ history: days, origin: '2023-01-01', lead: 1, count: 5, seed: 1 }), 'UNPROCESSABLE', /no observed day on or before the origin 2023-01-01/);
    throwsMixcast(() => m.sampleAt({ history: [days[1], days[0]], origin: days[29].date, lead: 1, count: 5, seed: 1 }), 'BAD_INPUT', /strictly increasing/);
    throwsMixcast(() => m.sampleAt({ history: days, origin: days[29].date, lead: 1, count: 0, seed: 1 }), 'BAD_INPUT', /scenario count must be a positive integer/);
    throwsMixcast(() => m.sampleAt({ history: days.slice(0, 5), origin: days[4].date, lead: 3, count: 5, seed: 1 }), 'UNPROCESSABLE', /needs (7|at least \d+) observed days/);
  });
}

test('ets recovers a level shift that the weekday bootstrap misses (energy score, leads 1–7)', (t) => {
  const all = shifted(119);
  const history = all.slice(0, 112); // origin Sunday 2024-04-21, two weeks after the shift
  const origin = history[111].date;
  const ets = etsBaseline();
  const level = bootstrapLevelBaseline();
  const boot = bootstrapBaseline(history);
  const es = { ets: 0, level: 0, boot: 0 };
  for (let lead = 1; lead <= 7; lead++) {
    const truth = all[111 + lead];
    assert.equal(truth.date, leadTarget(origin, lead));
    es.ets += energyScore(ets.sampleAt({ history, origin, lead, count: 200, seed: lead }), truth.values) / 7;
    es.level += energyScore(level.sampleAt({ history, origin, lead, count: 200, seed: lead }), truth.values) / 7;
    es.boot += energyScore(boot.sample(truth.date, truth.key, 200, lead), truth.values) / 7;
  }
  t.diagnostic(`mean energy score, leads 1–7: ets ${es.ets.toFixed(2)}, bootstrap-level ${es.level.toFixed(2)}, bootstrap ${es.boot.toFixed(2)}`);
  // the bootstrap draws mostly pre-shift days (level 100 against 160); ETS follows the new level
  assert.ok(es.ets < 0.5 * es.boot, `ets ${es.ets.toFixed(2)} vs bootstrap ${es.boot.toFixed(2)}`);
  assert.ok(es.level < es.boot, `bootstrap-level ${es.level.toFixed(2)} vs bootstrap ${es.boot.toFixed(2)}`);
  assert.match(ets.notes.join('\n'), /MSTL \(period 7, AutoETS on the remainder\) fitted on sqrt daily totals/);
});

test('ets on a weekday-only series: period 5, a Monday at lead 3 from a Friday', () => {
  const r = rng(2);
  const days = makeDays(140, '2024-01-01', (_, key) => {
    const t = (key === 'Mon' ? 300 : 200) * Math.exp(0.02 * r.normal());
    return SHAPE.map((s) => s * t);
  }).filter((d) => d.key !== 'Sat' && d.key !== 'Sun');
  const friday = days[days.length - 1];
  assert.equal(friday.key, 'Fri');
  const m = etsBaseline();
  const mon = m.sampleAt({ history: days, origin: friday.date, lead: 3, count: 300, seed: 1 });
  const tue = m.sampleAt({ history: days, origin: friday.date, lead: 4, count: 300, seed: 1 });
  const mean = (s: number[][]) => s.reduce((a, row) => a + sum(row), 0) / s.length;
  assert.ok(Math.abs(mean(mon) / 300 - 1) < 0.05, `Monday mean total ${mean(mon)}`);
  assert.ok(Math.abs(mean(tue) / 200 - 1) < 0.05, `Tuesday mean total ${mean(tue)}`);
  assert.match(m.notes.join('\n'), /period 5/);
  throwsMixcast(() => m.sampleAt({ history: days, origin: friday.date, lead: 1, count: 5, seed: 1 }), 'UNPROCESSABLE', /the history has no Saturday/);
});

test('ets: the scale of the totals is an option; a total of 0 rules out log (noted)', () => {
  throwsMixcast(() => etsBaseline({ scale: 'cube' as never }), 'BAD_INPUT', /scale must be one of log, sqrt, none, got 'cube'/);
  const days = shifted(112);
  days[50] = { ...days[50], values: [0, 0, 0, 0] };
  const m = etsBaseline({ scale: 'log' });
  const s = m.sampleAt({ history: days, origin: days[111].date, lead: 1, count: 20, seed: 1 });
  assert.ok(s.every((row) => row.every(Number.isFinite)));
  assert.match(m.notes.join('\n'), /fitted on daily totals \(a total does not allow the log scale\)/);
  const logFit = etsBaseline({ scale: 'log' });
  logFit.sampleAt({ history: shifted(112), origin: days[111].date, lead: 1, count: 20, seed: 1 });
  assert.match(logFit.notes.join('\n'), /fitted on log daily totals$/);
});
