import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingest, publicHolidays } from '../adapters/index.js';
import { dayKeys, defaultCalendarOptions } from '../src/calendar/index.js';
import { MixcastError } from '../src/core/errors.js';

const root = path.join(import.meta.dirname, '..');
const fx = (f: string) => path.join(root, 'fixtures', f);

test('--holidays US: the US public holidays of the data years reach the calendar (2003-07-04, Labor Day 2003-09-01)', async () => {
  const ds = await ingest({ input: fx('bank_calls_2003.csv'), interval: '30m', close: '21:00', holidays: 'US' });
  assert.ok(ds.holidays.includes('2003-07-04'));
  assert.ok(ds.holidays.includes('2003-09-01'));
  assert.ok(!ds.holidays.includes('2003-07-03'));
  // the data's range (2003-03-03 … 2003-10-24) and the year after are covered
  assert.ok(ds.holidays.includes('2003-05-26'));
  assert.ok(ds.holidays.includes('2004-01-01'));
  const cal = defaultCalendarOptions({ holidays: ds.holidays });
  assert.equal(dayKeys('2003-09-01', cal).holiday, 'holiday');
  assert.equal(dayKeys('2003-09-02', cal).holiday, 'regular');
});

test('--holidays IL includes Yom Kippur 1999-09-20; AU-VIC includes Melbourne Cup 2015-11-03 (a Victorian, not national, holiday)', async () => {
  const il = await ingest({ input: fx('anonymous_bank_calls_1999.csv'), tz: 'Asia/Jerusalem', interval: '6m', holidays: 'IL' });
  assert.ok(il.holidays.includes('1999-09-20'), il.holidays.join(' '));
  const vic = await ingest({ input: fx('melbourne_pedestrian_2015_2016_reduced.csv'), tz: 'Australia/Melbourne', interval: '1h', seriesCol: 'sensor', series: 'Southern Cross Station', holidays: 'AU-VIC' });
  assert.ok(vic.holidays.includes('2015-11-03'));
  assert.ok(vic.holidays.includes('2016-11-01'));
  assert.ok(!publicHolidays('AU-NSW', 2015, 2015).includes('2015-11-03'));
  assert.deepEqual(publicHolidays('au-vic', 2015, 2015), publicHolidays('AU-VIC', 2015, 2015));
});

test('--holidays FILE still reads a file of dates, even one whose name looks like a code', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-hol-'));
  const cwd = process.cwd();
  try {
    fs.writeFileSync(path.join(dir, 'h.txt'), 'date,name\n2003-03-04,a made-up holiday\n2003-07-04\n');
    const ds = await ingest({ input: fx('bank_calls_2003.csv'), interval: '30m', close: '21:00', holidays: path.join(dir, 'h.txt') });
    assert.deepEqual(ds.holidays, ['2003-03-04', '2003-07-04']);
    fs.writeFileSync(path.join(dir, 'US'), '2003-03-05\n');
    process.chdir(dir);
    const file = await ingest({ input: fx('bank_calls_2003.csv'), interval: '30m', close: '21:00', holidays: 'US' });
    assert.deepEqual(file.holidays, ['2003-03-05']);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown codes are typed option errors that say how to find codes', async () => {
  await assert.rejects(ingest({ input: fx('bank_calls_2003.csv'), holidays: 'XX' }), (e: unknown) => {
    assert.ok(e instanceof MixcastError);
    assert.equal(e.code, 'BAD_OPTION');
    assert.match(e.message, /unknown country code 'XX'.*getCountries/);
    return true;
  });
  assert.throws(() => publicHolidays('AU-ZZ', 2015, 2015), /unknown region 'ZZ' for AU; regions of AU: .*VIC/);
  // a value that is neither an existing file nor a code stays a missing-file input error
  await assert.rejects(ingest({ input: fx('bank_calls_2003.csv'), holidays: 'no/such/holidays.txt' }), /cannot read the holidays file .* no such file/);
});

test('mixcast ingest --holidays XX: exit 2, BAD_OPTION, no stack', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'ingest', '--input', fx('bank_calls_2003.csv'), '--holidays', 'XX', '--out', path.join(os.tmpdir(), 'mixcast-hol-never.csv')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /mixcast: error \[BAD_OPTION\]: --holidays: unknown country code 'XX'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
