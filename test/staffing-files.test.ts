import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlanCsv, parseScenariosCsv } from '../src/staffing/index.js';
import { MixcastError } from '../src/core/errors.js';

const isInput = (e: unknown) => e instanceof MixcastError && e.code === 'BAD_INPUT';

test('long scenario CSV: grouped by date + scenario, ordered by interval_start, interval length read off', () => {
  const rows: string[] = [];
  const value = (date: number, s: number, i: number) => 1000 * date + 10 * s + i;
  for (const date of [2, 1]) {
    for (const s of [10, 2, 0]) {
      for (const i of [2, 0, 1]) {
        const hh = String(7 + Math.floor(i / 2)).padStart(2, '0');
        const mm = i % 2 === 0 ? '00' : '30';
        rows.push(`2024-01-0${date},weekday,${s},2024-01-0${date}T${hh}:${mm}:00,${value(date, s, i)}`);
      }
    }
  }
  const f = parseScenariosCsv(['date,component,scenario,interval_start,value', ...rows].join('\n'));
  assert.equal(f.format, 'long');
  assert.deepEqual(f.labels, [1, 2].flatMap((date) => [0, 2, 10].map((s) => ({ date: `2024-01-0${date}`, scenario: String(s) }))));
  assert.deepEqual(f.scenarios, [1, 2].flatMap((date) => [0, 2, 10].map((s) => [0, 1, 2].map((i) => value(date, s, i)))));
  assert.equal(f.intervalSeconds, 1800);
  assert.deepEqual(f.intervalStarts, ['2024-01-01T07:00:00', '2024-01-01T07:30:00', '2024-01-01T08:00:00']);
});

test('long scenario CSV: a day with missing intervals or a negative value is refused', () => {
  const head = 'date,component,scenario,interval_start,value';
  const short = [head, '2024-01-01,a,0,2024-01-01T07:00:00,1', '2024-01-01,a,0,2024-01-01T07:30:00,2', '2024-01-01,a,1,2024-01-01T07:00:00,3'];
  assert.throws(() => parseScenariosCsv(short.join('\n')), isInput);
  assert.throws(() => parseScenariosCsv([head, '2024-01-01,a,0,2024-01-01T07:00:00,-1'].join('\n')), isInput);
  assert.throws(() => parseScenariosCsv([head, '2024-01-01,a,0,not-a-time,1'].join('\n')), isInput);
  assert.throws(() => parseScenariosCsv([head, '2024-01-01,a,0,2024-01-01T07:00:00,x'].join('\n')), isInput);
});

test('wide scenario CSV: v0..v{d-1}, one row per scenario', () => {
  const f = parseScenariosCsv('scenario,v0,v1,v2\n0,1,2,3\n1,4,5,6\n');
  assert.equal(f.format, 'wide');
  assert.deepEqual(f.scenarios, [[1, 2, 3], [4, 5, 6]]);
  assert.equal(f.intervalSeconds, null);
  assert.throws(() => parseScenariosCsv('v0,v2\n1,2\n'), isInput);
  assert.throws(() => parseScenariosCsv('a,b\n1,2\n'), isInput);
  assert.throws(() => parseScenariosCsv(''), isInput);
});

test('plan CSV: agents per interval, ordered by interval_start when present', () => {
  assert.deepEqual(parsePlanCsv('agents\n3\n5\n0\n').agents, [3, 5, 0]);
  const p = parsePlanCsv('interval_start,agents\n07:30,5\n07:00,3\n08:00,4\n');
  assert.deepEqual(p.agents, [3, 5, 4]);
  assert.deepEqual(p.intervalStarts, ['07:00', '07:30', '08:00']);
  assert.throws(() => parsePlanCsv('staff\n3\n'), isInput);
  assert.throws(() => parsePlanCsv('agents\n2.5\n'), isInput);
  assert.throws(() => parsePlanCsv('agents\n-1\n'), isInput);
});
