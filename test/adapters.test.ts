import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { formatReport, ingest, ingestRows, parseCsv, parseInterval, type DaySeries } from '../adapters/index.js';
import { MixcastError } from '../src/core/errors.js';
import { rng } from '../src/core/random.js';
import { toCsv } from '../src/core/csv.js';

const fx = (f: string) => path.join(import.meta.dirname, '..', 'fixtures', f);
const BANK = fx('bank_calls_2003.csv');
const ISRAEL = fx('anonymous_bank_calls_1999.csv');
const PED = fx('melbourne_pedestrian_2015_2016_reduced.csv');
const TAYLOR = fx('taylor_electricity_2000.csv');

/** The raw fixture rows, read independently of the adapter (the files have no quoting). */
function rawRows(file: string): string[][] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
}

const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const weekdayOf = (d: string) => DateTime.fromISO(d).weekday;

/** Assert that fn throws a MixcastError whose message matches every pattern. */
function throwsMixcast(fn: () => unknown, code: string, ...patterns: RegExp[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MixcastError, `not a MixcastError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

let bank5: DaySeries;

test('bank_calls_2003 at 5m: 164 days × 169 slots, window 07:00–21:05 inferred', async () => {
  const ds = await ingest({ input: BANK });
  bank5 = ds;
  assert.equal(ds.days.length, 164);
  assert.ok(ds.days.every((d) => d.values.length === 169));
  assert.equal(ds.labels.length, 169);
  assert.equal(ds.labels[0], '07:00');
  assert.equal(ds.labels[168], '21:00');
  assert.equal(ds.open, '07:00');
  assert.equal(ds.close, '21:05');
  assert.equal(ds.report.windowInferred, true);
  assert.equal(ds.intervalMinutes, 5);
  assert.equal(ds.report.sourceIntervalMinutes, 5);
  assert.equal(ds.valueKind, 'counts');
  assert.equal(ds.zone, 'UTC');
  assert.equal(ds.report.rowsRead, 27716);
  assert.equal(ds.report.daysRead, 164);
  assert.equal(ds.report.dropped.length, 0);
  // the same numbers as the file, row by row
  const raw = rawRows(BANK);
  assert.deepEqual(ds.days.flatMap((d) => d.values), raw.map((r) => Number(r[1])));
  // weekends plus the six absent weekdays of the source
  const absentWeekdays = ds.report.absentDates.filter((d) => weekdayOf(d) <= 5);
  assert.deepEqual(absentWeekdays, ['2003-04-04', '2003-04-07', '2003-05-26', '2003-07-04', '2003-09-01', '2003-10-14']);
  assert.equal(ds.report.absentDates.length - absentWeekdays.length, 66);
  // weekday means of daily totals as in the data README (Mon busiest)
  const mean = (wd: number) => {
    const t = ds.days.filter((d) => weekdayOf(d.date) === wd).map((d) => total(d.values));
    return [Math.round(total(t) / t.length), t.length];
  };
  assert.deepEqual([1, 2, 3, 4, 5].map(mean), [[36424, 31], [32668, 33], [30798, 34], [30770, 34], [31974, 32]]);
  const text = formatReport(ds);
  assert.match(text, /07:00–21:05 \(open and close inferred from the data/);
  assert.match(text, /vector length 169/);
  assert.match(text, /164 read, 164 kept, 0 dropped/);
  assert.match(text, /Mon 31 · Tue 33 · Wed 34 · Thu 34 · Fri 32/);
});

test('bank_calls_2003 at 30m: --close 21:00 gives 164 × 28 with sums of the 5-minute slots; without it a window error naming the close', async () => {
  const ds = await ingest({ input: BANK, interval: '30m', close: '21:00' });
  assert.equal(ds.days.length, 164);
  assert.equal(ds.labels.length, 28);
  assert.equal(ds.labels[27], '20:30');
  assert.equal(ds.report.sourceIntervalMinutes, 5);
  assert.equal(ds.intervalMinutes, 30);
  assert.equal(ds.report.rowsOutsideWindow, 164); // the 21:00 slot of every day
  assert.ok(ds.report.notes.some((n) => /5m → 30m by summing 6/.test(n)));
  const five = bank5 ?? (await ingest({ input: BANK }));
  ds.days.forEach((d, i) => {
    assert.equal(d.date, five.days[i].date);
    for (let j = 0; j < 28; j++) assert.equal(d.values[j], total(five.days[i].values.slice(6 * j, 6 * j + 6)));
  });
  await assert.rejects(ingest({ input: BANK, interval: '30m' }), (e: unknown) => {
    assert.ok(e instanceof MixcastError);
    assert.equal(e.code, 'BAD_OPTION');
    assert.match(e.message, /07:00–21:05/);
    // the library names the field (`close`), never a CLI flag
    assert.match(e.message, /set `close` to 21:00 \(28 intervals\) or 21:30 \(the data stop at 21:05/);
    assert.doesNotMatch(e.message, /--/);
    assert.equal((e.details as { field: string }).field, 'close');
    return true;
  });
  // interval checks: finer than the data, or not a multiple of it
  await assert.rejects(ingest({ input: BANK, interval: '1m' }), /finer than the data's 5m slots/);
  await assert.rejects(ingest({ input: BANK, interval: '7m' }), /not a whole number of the data's 5m slots/);
  await assert.rejects(ingest({ input: BANK, open: '07:02' }), /`open` 07:02 is not a slot start/);
});

test('bank_calls_2003: --days keeps chosen weekdays and reports the rest as outside-days', async () => {
  const ds = await ingest({ input: BANK, days: ['mon', 'fri'] });
  assert.equal(ds.days.length, 31 + 32);
  assert.deepEqual(ds.weekdays, [1, 5]);
  const outside = ds.report.dropped.filter((x) => x.reason === 'outside-days');
  assert.equal(outside.length, 164 - 63);
  assert.equal(ds.report.daysRead, 164);
  assert.equal(ds.report.rowsOutsideWindow, (164 - 63) * 169);
  assert.ok(ds.report.absentDates.every((d) => [1, 5].includes(weekdayOf(d))));
  assert.match(formatReport(ds), /outside-days: 101 days/);
});

test('anonymous_bank_calls_1999 at 6m in Asia/Jerusalem: 363 × 240, weekday means as in the data README', async () => {
  const ds = await ingest({ input: ISRAEL, tz: 'Asia/Jerusalem', interval: '6m' });
  assert.equal(ds.days.length, 363);
  assert.ok(ds.days.every((d) => d.values.length === 240));
  assert.equal(ds.open, '00:00');
  assert.equal(ds.close, '24:00');
  assert.deepEqual(ds.report.absentDates, ['1999-01-11', '1999-01-12']);
  const byWd = (wd: number) => {
    const t = ds.days.filter((d) => weekdayOf(d.date) === wd).map((d) => total(d.values));
    return { mean: total(t) / t.length, n: t.length };
  };
  // README table: Sun 1,671 (52) · Mon 1,559 (51) · Tue 1,592 (51) · Wed 1,497 (52) · Thu 1,533 (52) · Fri 539 (53) · Sat 207 (52)
  const expected: [number, number, number][] = [[7, 1671, 52], [1, 1559, 51], [2, 1592, 51], [3, 1497, 52], [4, 1533, 52], [5, 539, 53], [6, 207, 52]];
  for (const [wd, mean, n] of expected) {
    const got = byWd(wd);
    assert.equal(got.n, n, `weekday ${wd}`);
    assert.ok(Math.abs(got.mean - mean) < 1, `weekday ${wd}: ${got.mean} vs ${mean}`);
  }
  const working = Math.min(...[7, 1, 2, 3, 4].map((w) => byWd(w).mean));
  assert.ok(byWd(5).mean < working / 2 && byWd(6).mean < working / 4, 'Fri/Sat far lower');
  // DST days: the source holds zeros for the non-existent hour (kept); the repeated hour has one row per slot
  const spring = ds.report.repaired.find((x) => x.reason === 'dst-spring-forward');
  assert.equal(spring?.date, '1999-04-02');
  assert.match(spring!.detail, /02:00–03:00 does not exist.*kept as given/);
  const day = ds.days.find((d) => d.date === '1999-04-02')!;
  assert.deepEqual(day.values.slice(20, 30), new Array(10).fill(0));
  const fall = ds.report.repaired.find((x) => x.reason === 'dst-fall-back');
  assert.equal(fall?.date, '1999-09-03');
  assert.match(fall!.detail, /01:00–02:00 occurs twice.*cannot be told apart; kept as given/);
  assert.equal(ds.report.dropped.length, 0);
});

test('Melbourne pedestrians, one sensor, 1h: DST days by the documented rule, days with gaps dropped with reasons', async () => {
  const opts = { input: PED, tz: 'Australia/Melbourne', interval: '1h', seriesCol: 'sensor', series: 'Southern Cross Station' } as const;
  const ds = await ingest(opts);
  assert.equal(ds.series, 'Southern Cross Station');
  assert.equal(ds.labels.length, 24);
  assert.equal(ds.report.daysRead, 731);
  assert.equal(ds.days.length, 729);
  const raw = rawRows(PED).filter((r) => r[1] === 'Southern Cross Station');
  const at = (ts: string) => Number(raw.find((r) => r[0] === ts)![2]);

  // spring forward 2015-10-04: 23 rows, no 02:00 → 02:00 interpolated between 01:00 and 03:00
  const spring = ds.days.find((d) => d.date === '2015-10-04')!;
  assert.ok(spring, 'spring-forward day kept');
  assert.equal(raw.filter((r) => r[0].startsWith('2015-10-04')).length, 23);
  const v1 = at('2015-10-04T01:00:00+10:00'), v3 = at('2015-10-04T03:00:00+11:00');
  assert.equal(spring.values[1], v1);
  assert.equal(spring.values[2], Math.round((v1 + v3) / 2));
  assert.equal(spring.values[3], v3);
  const sIssue = ds.report.repaired.find((x) => x.date === '2015-10-04')!;
  assert.equal(sIssue.reason, 'dst-spring-forward');
  assert.match(sIssue.detail, /02:00–03:00 does not exist.*interpolated/);

  // fall back 2015-04-05: the source keeps only the first 02:00 (+11:00); kept as given, reported
  const fall = ds.days.find((d) => d.date === '2015-04-05')!;
  const fallRaw = raw.filter((r) => r[0].startsWith('2015-04-05'));
  assert.equal(fallRaw.length, 24);
  assert.deepEqual(fall.values, fallRaw.map((r) => Number(r[2])));
  const fIssue = ds.report.repaired.find((x) => x.date === '2015-04-05')!;
  assert.equal(fIssue.reason, 'dst-fall-back');
  assert.match(fIssue.detail, /02:00–03:00 occurs twice.*only the first occurrence \(\+11:00\)/);
  assert.deepEqual(ds.report.repaired.map((x) => `${x.date} ${x.reason}`).sort(), [
    '2015-04-05 dst-fall-back',
    '2015-10-04 dst-spring-forward',
    '2016-04-03 dst-fall-back',
    '2016-10-02 dst-spring-forward',
  ]);

  // gaps: 2016-03-08 02:00 and 2016-03-29 02:00–03:00 missing → dropped, with the slots named
  assert.deepEqual(ds.report.dropped.map((x) => [x.date, x.reason, x.slots]), [
    ['2016-03-08', 'missing-slots', 1],
    ['2016-03-29', 'missing-slots', 2],
  ]);
  assert.match(ds.report.dropped[0].detail, /02:00/);
  assert.match(ds.report.dropped[1].detail, /02:00–04:00/);
  assert.match(formatReport(ds), /missing-slots: 2 days/);

  // --missing interpolate keeps them, as repairs
  const interp = await ingest({ ...opts, missing: 'interpolate' });
  assert.equal(interp.days.length, 731);
  const d = interp.days.find((x) => x.date === '2016-03-08')!;
  assert.equal(d.values[2], Math.round((d.values[1] + d.values[3]) / 2));
  assert.ok(interp.report.repaired.some((x) => x.date === '2016-03-29' && x.reason === 'missing-slots' && /interpolated/.test(x.detail)));
  const zero = await ingest({ ...opts, missing: 'zero' });
  assert.equal(zero.days.find((x) => x.date === '2016-03-29')!.values[3], 0);

  // the other sensor: whole-day gaps are absent dates, counted
  const bm = await ingest({ ...opts, series: 'Birrarung Marr' });
  assert.equal(bm.report.absentDates.length, 25 + 26 + 2 + 5 + 9);
  assert.ok(bm.report.absentDates.includes('2015-05-07') && bm.report.absentDates.includes('2015-12-04'));
  assert.ok(bm.days.some((x) => x.date === '2015-10-04'));
  assert.match(formatReport(bm), /absent dates \(no row at all\): 67 dates/);

  // without --series the file is ambiguous: the error lists the sensors
  await assert.rejects(ingest({ input: PED, tz: 'Australia/Melbourne', seriesCol: 'sensor' }), /holds 2 series \('Birrarung Marr', 'Southern Cross Station'\); choose one with `series`/);
  await assert.rejects(ingest({ ...opts, series: 'Flinders St' }), /series 'Flinders St' not found in column 'sensor'/);
  // without any series option the sensors' rows collide: the error points at the series column
  await assert.rejects(ingest({ input: PED, tz: 'Australia/Melbourne' }), /duplicate timestamps: 2015-01-01 00:00 .*set `seriesCol` to sensor and choose one with `series`/);
  // --series alone finds its column
  const found = await ingest({ input: PED, tz: 'Australia/Melbourne', series: 'Southern Cross Station' });
  assert.equal(found.days.length, 729);
});

test('DST fall-back with both occurrences: summed for counts, averaged for measurements; spring-forward in an event log', () => {
  const zone = 'Australia/Melbourne';
  const hours = (date: string, vals: (h: number) => number) => {
    const rows: Record<string, unknown>[] = [];
    let t = DateTime.fromISO(date, { zone });
    const end = t.plus({ days: 1 });
    for (; t < end; t = t.plus({ hours: 1 })) rows.push({ timestamp: t.toISO({ suppressMilliseconds: true }), v: vals(t.hour) });
    return rows;
  };
  // 2015-04-05 has 25 real hours: 02:00 +11:00 and 02:00 +10:00
  const counts = hours('2015-04-05', (h) => 10 + h);
  assert.equal(counts.length, 25);
  const c = ingestRows(counts, { tz: zone });
  assert.equal(c.days[0].values.length, 24);
  assert.equal(c.days[0].values[2], 12 + 12);
  assert.match(c.report.repaired[0].detail, /1 slot had a row for each occurrence: summed/);
  const m = ingestRows(hours('2015-04-05', (h) => 10.5 + h), { tz: zone });
  assert.equal(m.valueKind, 'measurements');
  assert.equal(m.days[0].values[2], 12.5);
  assert.match(m.report.repaired[0].detail, /averaged/);
  // the same without offsets: two rows at 02:00 local are the repeated hour, not duplicates
  const local = counts.map((r) => ({ ...r, timestamp: String(r.timestamp).slice(0, 19) }));
  const l = ingestRows(local, { tz: zone });
  assert.equal(l.days[0].values[2], 24);
  assert.equal(l.report.repaired[0].reason, 'dst-fall-back');
  // ...but in UTC (no DST) the same rows are duplicates
  assert.throws(() => ingestRows(local, { tz: 'UTC' }), /duplicate timestamps: 2015-04-05 02:00/);

  // events on the spring-forward day: 02:00 has no arrivals (it did not exist) → interpolated
  const ev: Record<string, unknown>[] = [];
  let t = DateTime.fromISO('2015-10-04', { zone });
  for (const end = t.plus({ days: 1 }); t < end; t = t.plus({ minutes: 20 })) ev.push({ at: t.toISO() });
  const e = ingestRows(ev, { tz: zone, format: 'events', interval: '1h' });
  assert.equal(e.days[0].values.length, 24);
  assert.equal(e.days[0].values[1], 3);
  assert.equal(e.days[0].values[2], 3);
  assert.equal(e.report.repaired[0].reason, 'dst-spring-forward');
});

test('taylor electricity 30m: 84 × 48; whole MW values infer counts, --value-kind measurements declares them', async () => {
  const auto = await ingest({ input: TAYLOR, tz: 'Europe/London' });
  assert.equal(auto.days.length, 84);
  assert.ok(auto.days.every((d) => d.values.length === 48));
  assert.equal(auto.valueKind, 'counts'); // the contract's rule: all values are non-negative integers
  assert.equal(auto.report.valueKindInferred, true);
  const ds = await ingest({ input: TAYLOR, tz: 'Europe/London', interval: '30m', valueKind: 'measurements' });
  assert.equal(ds.days.length, 84);
  assert.equal(ds.labels.length, 48);
  assert.equal(ds.valueKind, 'measurements');
  assert.equal(ds.report.repaired.length, 0); // all in BST: no DST change
  // non-integer values are measurements without being told, and may be negative
  const rows = [0, 1, 2, 3].map((h) => ({ timestamp: `2000-06-05T0${h}:00:00`, x: h - 1.5 }));
  const m = ingestRows(rows, {});
  assert.equal(m.valueKind, 'measurements');
  assert.deepEqual(m.days[0].values, [-1.5, -0.5, 0.5, 1.5]);
});

test('an event log made by expanding counts into single arrivals round-trips to the same counts', async () => {
  const five = bank5 ?? (await ingest({ input: BANK }));
  const r = rng(20031024);
  const events: Record<string, unknown>[] = [];
  const sample = [0, 163].map((i) => five.days[i]);
  for (const d of sample) {
    d.values.forEach((n, j) => {
      // local wall-clock arrival times (no offset), each at a seeded random second of its slot
      const start = DateTime.fromISO(`${d.date}T${five.labels[j]}`, { zone: 'UTC' });
      for (let q = 0; q < n; q++) events.push({ call_id: events.length, arrived: start.plus({ seconds: r.int(300) }).toISO({ includeOffset: false }) });
    });
  }
  // shuffle: an event log need not be sorted
  for (let i = events.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [events[i], events[j]] = [events[j], events[i]];
  }
  const ds = ingestRows(events, { format: 'events', interval: '5m', tz: 'America/New_York' });
  assert.equal(ds.open, '07:00');
  assert.equal(ds.close, '21:05');
  assert.equal(ds.report.windowInferred, true);
  assert.deepEqual(ds.days.map((d) => d.date), sample.map((d) => d.date));
  assert.deepEqual(ds.days.map((d) => d.values), sample.map((d) => d.values));
  assert.equal(ds.valueKind, 'counts');
  // coarser intervals sum the same arrivals
  const half = ingestRows(events, { format: 'events', interval: '30m', open: '07:00', close: '21:00' });
  assert.deepEqual(half.days[0].values, Array.from({ length: 28 }, (_, j) => total(sample[0].values.slice(6 * j, 6 * j + 6))));
  assert.throws(
    () => ingestRows(events, { format: 'events' }),
    (e: unknown) => e instanceof MixcastError && /`format` events needs `interval`/.test(e.message) && (e.details as { field?: string }).field === 'interval',
  );
});

test('wide tables: write days wide, read them back', async () => {
  const five = bank5 ?? (await ingest({ input: BANK }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-wide-'));
  try {
    // columns named by clock time
    const file = path.join(dir, 'wide.csv');
    fs.writeFileSync(file, toCsv(['date', ...five.labels], five.days.map((d) => [d.date, ...d.values])));
    const back = await ingest({ input: file, format: 'wide' });
    assert.deepEqual(back.days, five.days);
    assert.deepEqual(back.labels, five.labels);
    assert.equal(back.close, '21:05');
    const half = await ingest({ input: file, format: 'wide', interval: '30m', close: '21:00' });
    assert.equal(half.labels.length, 28);
    assert.equal(half.days[3].values[5], total(five.days[3].values.slice(30, 36)));
    // v0 … v{d-1} columns (as `mixcast ingest` writes them) need `interval` and `open`; JSON works too
    const json = path.join(dir, 'wide.json');
    fs.writeFileSync(json, JSON.stringify(five.days.map((d) => ({ date: d.date, weekday: 'x', ...Object.fromEntries(d.values.map((v, j) => [`v${j}`, v])) }))));
    const v = await ingest({ input: json, format: 'wide', interval: '5m', open: '07:00' });
    assert.deepEqual(v.days, five.days);
    assert.deepEqual(v.labels, five.labels);
    await assert.rejects(ingest({ input: json, format: 'wide' }), /carry no clock times: give `interval`/);
    // an empty cell is a missing slot
    const rows = parseCsv('date,00:00,12:00\n2020-01-01,1,\n2020-01-02,3,4\n').rows;
    const g = ingestRows(rows, { format: 'wide' });
    assert.deepEqual(g.days.map((d) => d.date), ['2020-01-02']);
    assert.equal(g.report.dropped[0].reason, 'missing-slots');
    assert.throws(() => ingestRows(parseCsv('date,00:00\n2020-01-01,1\n2020-01-01,2\n').rows, { format: 'wide' }), /date 2020-01-01 appears twice/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed input: each a MixcastError naming the row and column', () => {
  const csv = (text: string) => parseCsv(text, 'calls.csv');
  const rows = (text: string, o = {}) => {
    const t = csv(text);
    return ingestRows(t.rows, { source: 'calls.csv', lineNumbers: t.lineNumbers, ...o });
  };
  const good = 'timestamp,calls\n2003-03-03T07:00:00,1\n2003-03-03T07:05:00,2\n';
  assert.equal(rows(good).days.length, 1);
  throwsMixcast(() => csv(good + '2003-03-03T07:10:00,3,9\n'), 'BAD_INPUT', /row 3 \(line 4\) has 3 fields, the header has 2/);
  throwsMixcast(() => rows(good + '2003-03-03 seven,3\n'), 'BAD_INPUT', /row 3 \(line 4\), column 'timestamp': '2003-03-03 seven' is not a timestamp/);
  throwsMixcast(() => rows(good + '2003-03-03T07:10:00,lots\n'), 'BAD_INPUT', /row 3 \(line 4\), column 'calls': 'lots' is not a number/);
  throwsMixcast(() => rows(good, { valueCol: 'count' }), 'BAD_INPUT', /unknown column 'count' \(`valueCol`\); available columns: timestamp, calls/);
  throwsMixcast(() => rows(good, { timeCol: 'time' }), 'BAD_INPUT', /unknown column 'time'/);
  throwsMixcast(() => rows(good, { tz: 'Mars/Olympus_Mons' }), 'BAD_OPTION', /unknown time zone 'Mars\/Olympus_Mons'/);
  throwsMixcast(
    () => rows('timestamp,calls\n2015-01-01T00:00:00+11:00,1\n2015-01-01T01:00:00+11:00,2\n2015-01-01T02:00:00,3\n', { tz: 'Australia/Melbourne' }),
    'BAD_INPUT',
    /row 3 \(line 4\), column 'timestamp': '2015-01-01T02:00:00' has no UTC offset but row 1 \(line 2\)/,
  );
  throwsMixcast(() => rows(good + '2003-03-03T07:10:00,-4\n'), 'BAD_INPUT', /row 3 \(line 4\), column 'calls': negative value -4 in a column of counts/);
  assert.equal(rows(good + '2003-03-03T07:10:00,-4\n', { valueKind: 'measurements' }).days[0].values[2], -4);
  throwsMixcast(
    () => rows(good + '2003-03-03T07:05:00,5\n2003-03-03T07:10:00,5\n'),
    'BAD_INPUT',
    /duplicate timestamps: 2003-03-03 07:05 \(row 2 \(line 3\) and row 3 \(line 4\)\).*set `duplicates` to sum/,
  );
  const summed = rows(good + '2003-03-03T07:05:00,5\n2003-03-03T07:10:00,5\n', { duplicates: 'sum' });
  assert.deepEqual(summed.days[0].values, [1, 7, 5]);
  assert.equal(summed.report.repaired[0].reason, 'duplicates');
  const hour = Array.from({ length: 12 }, (_, j) => `2003-03-03T07:${String(5 * j).padStart(2, '0')}:00,${j}\n`).join('');
  throwsMixcast(() => rows(`timestamp,calls\n${hour}2003-03-03T07:07:30,5\n`), 'BAD_INPUT', /row 13 \(line 14\): timestamp time 07:07:30 is off the data's 5m grid/);
  throwsMixcast(() => csv(''), 'BAD_INPUT', /empty/);
  throwsMixcast(() => rows('timestamp,calls\n'), 'BAD_INPUT', /no data rows/);
  // quoted fields are handled by the tokenizer
  const q = csv('timestamp,note,calls\n2003-03-03T07:00:00,"a, b",1\n2003-03-03T07:05:00,"say ""hi""",2\n');
  assert.equal(q.rows[1].note, 'say "hi"');
  assert.deepEqual(ingestRows(q.rows, {}).days[0].values, [1, 2]);
});

test('option errors and parseInterval', async () => {
  assert.equal(parseInterval('5m'), 5);
  assert.equal(parseInterval('6m'), 6);
  assert.equal(parseInterval('15m'), 15);
  assert.equal(parseInterval('1h'), 60);
  assert.equal(parseInterval('90s'), 1.5);
  assert.equal(parseInterval('30min'), 30);
  assert.equal(parseInterval('PT10M'), 10);
  for (const junk of ['', 'five', '5x', '-5m', '0m', '25h', '5 minutes please']) throwsMixcast(() => parseInterval(junk), 'BAD_OPTION', /is not an interval/);
  await assert.rejects(ingest({ input: fx('nope.csv') }), /does not exist/);
  await assert.rejects(ingest({ input: BANK, days: ['mon', 'someday'] }), /unknown weekday 'someday'/);
  await assert.rejects(ingest({ input: BANK, open: '21:00', close: '07:00' }), /`close` must be after `open`/);
  await assert.rejects(ingest({ input: BANK, format: 'csv' as never }), /`format` must be one of counts, events, wide/);
});

test('holidays file is read into the DaySeries', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-hol-'));
  try {
    const f = path.join(dir, 'holidays.txt');
    fs.writeFileSync(f, '# US bank holidays\n2003-05-26,Memorial Day\n\n2003-07-04\n2003-09-01 Labor Day\n');
    const ds = await ingest({ input: TAYLOR, holidays: f });
    assert.deepEqual(ds.holidays, ['2003-05-26', '2003-07-04', '2003-09-01']);
    fs.writeFileSync(f, '2003-05-26\n2003-02-30\n');
    await assert.rejects(ingest({ input: TAYLOR, holidays: f }), /line 2: '2003-02-30' is not an ISO date/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
