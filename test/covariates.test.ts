import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import {
  dailyCovariates,
  eventFlags,
  missingFutureCovariates,
  parseCovariateSpec,
  readEvents,
  readFutureCovariates,
  readTable,
  type CovariateSpec,
} from '../adapters/index.js';
import { MixcastError } from '../src/core/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-covariates-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function throwsMixcast(fn: () => unknown, code: string, ...patterns: RegExp[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MixcastError, `not a MixcastError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const ZONE = 'Australia/Melbourne';
// Two local days around the 2015-04-05 fall-back (03:00 +11:00 → 02:00 +10:00), timestamps in UTC:
// the local date differs from the UTC date for most rows. Series A and B; humidity is empty on
// every row of A's 2015-04-05.
const HEADER = 'timestamp,sensor,count,temperature,campaign,humidity';
const A_ROWS = [
  '2015-04-03T13:00:00Z,A,5,10,0,60', // 04-04 00:00 +11
  '2015-04-03T19:00:00Z,A,7,12,1,62', // 04-04 06:00 +11
  '2015-04-04T01:00:00Z,A,9,20,true,64', // 04-04 12:00 +11
  '2015-04-04T12:00:00Z,A,4,14,1,66', // 04-04 23:00 +11
  '2015-04-04T15:30:00Z,A,2,9,0,', // 04-05 02:30 +11 (first occurrence)
  '2015-04-04T16:30:00Z,A,3,8,0,', // 04-05 02:30 +10 (second occurrence)
  '2015-04-05T02:00:00Z,A,8,18,FALSE,', // 04-05 12:00 +10
  '2015-04-05T13:00:00Z,A,6,11,0,', // 04-05 23:00 +10
];
const B_ROWS = ['2015-04-04T01:00:00Z,B,1,30,1,50', '2015-04-05T02:00:00Z,B,1,31,1,51'];
const MAIN = write('sensors.csv', [HEADER, ...A_ROWS, ...B_ROWS].join('\n') + '\n');
const table = readTable(MAIN);
const specs = (text: string) => parseCovariateSpec(text);
const run = (text: string, extra: Record<string, unknown> = {}) =>
  dailyCovariates(table.rows, { specs: specs(text), tz: ZONE, series: 'A', lineNumbers: table.lineNumbers, source: 'sensors.csv', ...extra });

test('parseCovariateSpec: default mean, explicit aggregations, spaces and case', () => {
  assert.deepEqual(parseCovariateSpec('temperature'), [{ name: 'temperature', aggregation: 'mean' }]);
  assert.deepEqual(parseCovariateSpec(' temperature:MAX , campaign:sum,rain:min,wind:mean'), [
    { name: 'temperature', aggregation: 'max' },
    { name: 'campaign', aggregation: 'sum' },
    { name: 'rain', aggregation: 'min' },
    { name: 'wind', aggregation: 'mean' },
  ] satisfies CovariateSpec[]);
});

test('dailyCovariates: local dates in a DST zone, every aggregation per day, true/false as 1/0', () => {
  const expectDates = (rows: string[]) => [...new Set(rows.map((r) => DateTime.fromISO(r.split(',')[0]).setZone(ZONE).toISODate()!))].sort();
  const mean = run('temperature,campaign');
  assert.deepEqual(mean.names, ['temperature', 'campaign']);
  assert.deepEqual([...mean.byDate.keys()], expectDates(A_ROWS));
  assert.deepEqual([...mean.byDate.keys()], ['2015-04-04', '2015-04-05']);
  assert.deepEqual(mean.byDate.get('2015-04-04'), [(10 + 12 + 20 + 14) / 4, 3 / 4]);
  // the fall-back day has both occurrences of 02:30: both rows count
  assert.deepEqual(mean.byDate.get('2015-04-05'), [(9 + 8 + 18 + 11) / 4, 0]);
  assert.deepEqual(mean.missing, []);
  const agg = run('temperature:max,campaign:sum');
  assert.deepEqual(agg.byDate.get('2015-04-04'), [20, 3]);
  assert.deepEqual(agg.byDate.get('2015-04-05'), [18, 0]);
  const lo = run('temperature:min,campaign:max');
  assert.deepEqual(lo.byDate.get('2015-04-04'), [10, 1]);
  assert.deepEqual(lo.byDate.get('2015-04-05'), [8, 0]);
  const sum = run('temperature:sum');
  assert.deepEqual([...sum.byDate.values()], [[56], [46]]);
  // in UTC the same rows fall on other dates
  const utc = run('temperature:sum', { tz: 'UTC' });
  assert.deepEqual([...utc.byDate.keys()], ['2015-04-03', '2015-04-04', '2015-04-05']);
  assert.deepEqual(utc.byDate.get('2015-04-03'), [22]);
});

test('dailyCovariates: series filtering, and the time column named explicitly', () => {
  const b = run('temperature,campaign', { series: 'B' });
  assert.deepEqual([...b.byDate.entries()], [
    ['2015-04-04', [30, 1]],
    ['2015-04-05', [31, 1]],
  ]);
  const explicit = run('temperature', { seriesCol: 'sensor', timeCol: 'timestamp' });
  assert.deepEqual(explicit.byDate, run('temperature').byDate);
});

test('dailyCovariates: a column empty on every row of a day gives that day no value, reported', () => {
  const r = run('humidity,temperature:max');
  assert.deepEqual(r.byDate.get('2015-04-04'), [63, 20]);
  const d5 = r.byDate.get('2015-04-05')!;
  assert.ok(Number.isNaN(d5[0]));
  assert.equal(d5[1], 18);
  assert.deepEqual(r.missing, [{ date: '2015-04-05', column: 'humidity' }]);
});

test('events: date,name rows become 0/1 flags event:NAME', () => {
  const f = write('events.csv', 'date,name\n2015-04-04,easter\n2015-04-05,easter\n2015-04-05, footy final \n2015-04-05,easter\n');
  const ev = readEvents(f);
  assert.deepEqual(ev.names, ['event:easter', 'event:footy final']);
  assert.deepEqual(eventFlags(ev, ['2015-04-03', '2015-04-04', '2015-04-05']), [
    [0, 0],
    [1, 0],
    [1, 1],
  ]);
});

test('future covariates: values per date in the order asked; missing dates and empty cells listed', () => {
  const f = write('future.csv', 'campaign,date,temperature,other\n1,2015-04-07,21.5,x\ntrue,2015-04-06,19,y\n0,2015-04-08,,z\n');
  const m = readFutureCovariates(f, ['temperature', 'campaign']);
  assert.deepEqual([...m.keys()], ['2015-04-06', '2015-04-07', '2015-04-08']);
  assert.deepEqual(m.get('2015-04-06'), [19, 1]);
  assert.deepEqual(m.get('2015-04-07'), [21.5, 1]);
  assert.deepEqual(missingFutureCovariates(m, ['2015-04-06', '2015-04-07'], ['temperature', 'campaign']), []);
  assert.deepEqual(missingFutureCovariates(m, ['2015-04-06', '2015-04-08', '2015-04-09'], ['temperature', 'campaign']), [
    { date: '2015-04-08', columns: ['temperature'] },
    { date: '2015-04-09', columns: ['temperature', 'campaign'] },
  ]);
});

test('bad covariates specs are option errors that say what to write, naming the field', () => {
  throwsMixcast(() => parseCovariateSpec(''), 'BAD_OPTION', /^`covariates` is empty/);
  throwsMixcast(() => parseCovariateSpec('temperature,,campaign'), 'BAD_OPTION', /entry 2 .* has no column name/);
  throwsMixcast(() => parseCovariateSpec(':max'), 'BAD_OPTION', /has no column name/);
  throwsMixcast(() => parseCovariateSpec('temperature:median'), 'BAD_OPTION', /unknown aggregation 'median'; use one of mean, max, min, sum/);
  throwsMixcast(() => parseCovariateSpec('temperature,campaign,temperature:max'), 'BAD_OPTION', /column 'temperature' twice/);
  throwsMixcast(() => dailyCovariates(table.rows, { specs: [] }), 'BAD_OPTION', /no covariates given/);
  // each names the field in details (the CLI says --covariates, the server train.covariates)
  for (const spec of ['', 'temperature,,campaign', 'temperature:median', 'temperature,temperature']) {
    assert.throws(() => parseCovariateSpec(spec), (e: unknown) => e instanceof MixcastError && (e.details as { field?: string }).field === 'covariates' && !e.message.includes('--'));
  }
});

test('bad covariate data: typed errors naming the column, the line and the value', () => {
  const bad = (cell: string, line = 3) => {
    const rows = [HEADER, ...A_ROWS];
    const parts = rows[line - 1].split(',');
    parts[3] = cell;
    rows[line - 1] = parts.join(',');
    const t = readTable(write(`bad-${line}-${cell.length}.csv`, rows.join('\n')));
    return () => dailyCovariates(t.rows, { specs: specs('temperature'), tz: ZONE, lineNumbers: t.lineNumbers, source: 'bad.csv' });
  };
  throwsMixcast(bad('hot'), 'BAD_INPUT', /bad\.csv: row 2 \(line 3\), column 'temperature': 'hot' is not a covariate value/);
  throwsMixcast(bad('Infinity', 4), 'BAD_INPUT', /line 4\), column 'temperature': 'Infinity'/);
  throwsMixcast(bad('1e400', 5), 'BAD_INPUT', /line 5\), column 'temperature': '1e400'/);
  const long = 'x'.repeat(200);
  assert.throws(bad(long), (e: unknown) => {
    assert.ok(e instanceof MixcastError && e.code === 'BAD_INPUT');
    assert.match(e.message, /'x{40}… \(160 more characters\)'/);
    assert.ok(!e.message.includes(long));
    return true;
  });
  // an empty cell on a day that has other values
  throwsMixcast(bad('', 4), 'BAD_INPUT', /row 3 \(line 4\), column 'temperature': empty covariate value on 2015-04-04, which has 3 other values/);
  throwsMixcast(() => run('humid'), 'BAD_INPUT', /unknown column 'humid' \(`covariates`\); available columns: timestamp, sensor, count, temperature, campaign, humidity/);
  throwsMixcast(() => run('temperature', { series: 'C' }), 'BAD_INPUT', /no column holds the series 'C'/);
  throwsMixcast(() => run('temperature', { series: 'C', seriesCol: 'sensor' }), 'BAD_INPUT', /series 'C' not found in column 'sensor'; available: 'A', 'B'/);
  throwsMixcast(() => run('temperature', { series: undefined, seriesCol: 'sensor' }), 'BAD_INPUT', /column 'sensor' holds 2 series/);
  throwsMixcast(() => run('temperature', { tz: 'Mars/Olympus' }), 'BAD_OPTION', /unknown time zone 'Mars\/Olympus'/);
  throwsMixcast(() => run('temperature', { timeCol: 'when' }), 'BAD_INPUT', /unknown column 'when' \(`timeCol`\)/);
  const badTime = readTable(write('badtime.csv', `${HEADER}\n${A_ROWS[0]}\nyesterday,A,1,2,0,3\n`));
  throwsMixcast(() => dailyCovariates(badTime.rows, { specs: specs('temperature'), lineNumbers: badTime.lineNumbers }), 'BAD_INPUT', /row 2 \(line 3\), column 'timestamp': 'yesterday' is not a timestamp/);
});

test('bad events and future-covariate files: typed errors', () => {
  throwsMixcast(() => readEvents(path.join(dir, 'nope.csv')), 'BAD_INPUT', /does not exist/);
  throwsMixcast(() => readEvents(write('ev-nohead.csv', '2015-04-04,easter\n')), 'BAD_INPUT', /needs a header row with columns date,name \(missing: date, name\)/);
  throwsMixcast(() => readEvents(write('ev-date.csv', 'date,name\n2015-02-30,x\n')), 'BAD_INPUT', /row 1 \(line 2\), column 'date': '2015-02-30' is not a date/);
  throwsMixcast(() => readEvents(write('ev-time.csv', 'date,name\n2015-04-04T10:00,x\n')), 'BAD_INPUT', /is not a date/);
  throwsMixcast(() => readEvents(write('ev-name.csv', 'date,name\n2015-04-04,x\n2015-04-05,  \n')), 'BAD_INPUT', /row 2 \(line 3\), column 'name': the event name is empty/);
  throwsMixcast(() => readEvents(write('ev-empty.csv', 'date,name\n')), 'BAD_INPUT', /no rows/);
  throwsMixcast(
    () => readFutureCovariates(write('fut-cols.csv', 'date,temperature\n2015-04-06,1\n'), ['temperature', 'campaign', 'rain']),
    'BAD_INPUT',
    /missing columns 'campaign', 'rain'/,
  );
  throwsMixcast(() => readFutureCovariates(write('fut-val.csv', 'date,temperature\n2015-04-06,1\n2015-04-07,warm\n'), ['temperature']), 'BAD_INPUT', /row 2 \(line 3\), column 'temperature': 'warm'/);
  throwsMixcast(() => readFutureCovariates(write('fut-dup.csv', 'date,temperature\n2015-04-06,1\n2015-04-06,2\n'), ['temperature']), 'BAD_INPUT', /date 2015-04-06 appears twice \(row 1 \(line 2\) and row 2 \(line 3\)\)/);
  throwsMixcast(() => readFutureCovariates(write('fut-date.csv', 'date,temperature\n06/04/2015,1\n'), ['temperature']), 'BAD_INPUT', /'06\/04\/2015' is not a date/);
});
