import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import {
  assignKeys,
  dayKeys,
  defaultCalendarOptions,
  formatMerges,
  keyChain,
  parseKeySpec,
  parseWeekdays,
  rawKey,
  resolveKey,
} from '../src/calendar/index.js';
import { MixcastError } from '../src/core/errors.js';

const days = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = DateTime.fromISO(from); d <= DateTime.fromISO(to); d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
};

test('defaults: weekend Sat/Sun, north, no holidays, min 8 days', () => {
  assert.deepEqual(defaultCalendarOptions(), { weekend: [6, 7], hemisphere: 'north', holidays: [], minDays: 8 });
  assert.deepEqual(defaultCalendarOptions({ hemisphere: 'south', minDays: 3 }).minDays, 3);
  assert.throws(() => defaultCalendarOptions({ weekend: [0] }), MixcastError);
});

test('dayKeys on known dates, both hemispheres and an Israeli weekend', () => {
  const north = defaultCalendarOptions({ holidays: ['2003-05-26'] });
  // Mon 3 March 2003 (first day of the US bank file)
  assert.deepEqual(dayKeys('2003-03-03', north), { weekday: 'Mon', daytype: 'weekday', month: 'Mar', season: 'spring', holiday: 'regular' });
  // Memorial Day 2003, a Monday, from the holiday list
  assert.equal(dayKeys('2003-05-26', north).holiday, 'holiday');
  // Melbourne: 1 Jan 2015 was a Thursday, summer in the south, winter in the north
  const south = defaultCalendarOptions({ hemisphere: 'south' });
  assert.deepEqual(dayKeys('2015-01-01', south), { weekday: 'Thu', daytype: 'weekday', month: 'Jan', season: 'summer', holiday: 'regular' });
  assert.equal(dayKeys('2015-01-01', north).season, 'winter');
  assert.equal(dayKeys('2015-07-15', south).season, 'winter');
  assert.equal(dayKeys('2015-04-15', south).season, 'autumn');
  assert.equal(dayKeys('2015-10-15', south).season, 'spring');
  assert.equal(dayKeys('2015-10-15', north).season, 'autumn');
  // Israel: weekend is Fri/Sat; 1 Jan 1999 was a Friday, 3 Jan a Sunday (first working day)
  const il = defaultCalendarOptions({ weekend: parseWeekdays('fri,sat') });
  assert.deepEqual(il.weekend, [5, 6]);
  assert.equal(dayKeys('1999-01-01', il).weekday, 'Fri');
  assert.equal(dayKeys('1999-01-01', il).daytype, 'weekend');
  assert.equal(dayKeys('1999-01-02', il).daytype, 'weekend');
  assert.equal(dayKeys('1999-01-03', il).daytype, 'weekday');
  assert.equal(dayKeys('1999-01-03', north).daytype, 'weekend');
  // meteorological seasons month by month
  const seasons = Array.from({ length: 12 }, (_, m) => dayKeys(`2001-${String(m + 1).padStart(2, '0')}-15`, north).season);
  assert.deepEqual(seasons, ['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter']);
  assert.throws(() => dayKeys('2003-13-01', north), MixcastError);
});

test('parseKeySpec: atoms, products, holiday override, and errors listing the valid names', () => {
  assert.deepEqual(parseKeySpec('weekday'), { text: 'weekday', holidayOverride: false, factors: ['weekday'] });
  assert.deepEqual(parseKeySpec(' Weekday * Season '), { text: 'weekday*season', holidayOverride: false, factors: ['weekday', 'season'] });
  assert.deepEqual(parseKeySpec('holiday+weekday'), { text: 'holiday+weekday', holidayOverride: true, factors: ['weekday'] });
  assert.equal(parseKeySpec('all').text, 'all');
  for (const bad of ['weekdy', 'weekday*', 'weekday*weekday', 'season+weekday', 'holiday+holiday', 'all*weekday', '', 'holiday+weekday+month']) {
    assert.throws(
      () => parseKeySpec(bad),
      (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION' && /weekday, daytype, month, season, holiday, all/.test(e.message),
      bad,
    );
  }
  assert.throws(() => parseKeySpec('weekdy'), /unknown key 'weekdy'/);
});

test('rawKey and the merge chain', () => {
  const o = defaultCalendarOptions({ holidays: ['2003-05-26'] });
  assert.equal(rawKey('2003-01-06', 'weekday*season', o), 'Mon*winter');
  assert.equal(rawKey('2003-01-06', 'weekday*month', o), 'Mon*Jan');
  assert.equal(rawKey('2003-01-06', 'daytype', o), 'weekday');
  assert.equal(rawKey('2003-01-06', 'all', o), 'all');
  assert.equal(rawKey('2003-05-26', 'holiday+weekday', o), 'holiday');
  assert.equal(rawKey('2003-05-27', 'holiday+weekday', o), 'Tue');
  assert.deepEqual(keyChain('2003-01-06', 'weekday*season*month', o), ['Mon*winter*Jan', 'Mon*winter', 'Mon', 'weekday', 'all']);
  assert.deepEqual(keyChain('2003-01-11', 'month', o), ['Jan', 'winter', 'all']);
  assert.deepEqual(keyChain('2003-05-26', 'holiday+weekday', o), ['holiday', 'Mon', 'weekday', 'all']);
});

test('assignKeys: sparse weekday*season keys merge to weekday, then daytype; merges are recorded', () => {
  const o = defaultCalendarOptions();
  // Feb (winter, 4 of each weekday) + Mar–Apr 2003 (spring)
  const dates = days('2003-02-01', '2003-04-30');
  const raw = new Map<string, number>();
  for (const d of dates) raw.set(rawKey(d, 'weekday*season', o), (raw.get(rawKey(d, 'weekday*season', o)) ?? 0) + 1);
  assert.equal(raw.get('Mon*winter'), 4);
  for (const [k, n] of raw) if (k.endsWith('spring')) assert.ok(n >= 8, `${k} ${n}`);

  const a = assignKeys(dates, 'weekday*season', o);
  assert.equal(a.spec, 'weekday*season');
  assert.equal(a.keys.length, dates.length);
  // every winter key had 4 days: Mon*winter → Mon (4 days, still sparse) → weekday
  assert.equal(a.keyMap['Mon*winter'], 'weekday');
  assert.equal(a.keyMap['Sat*winter'], 'weekend');
  assert.equal(a.keyMap['Mon*spring'], 'Mon*spring');
  assert.equal(a.counts.weekday, 20);
  assert.equal(a.counts.weekend, 8);
  assert.equal(a.counts['Mon*spring'], raw.get('Mon*spring'));
  assert.deepEqual(
    a.merges.find((m) => m.from === 'Mon*winter'),
    { from: 'Mon*winter', to: 'Mon', days: 4, reason: 'Mon*winter has 4 training days < min-days 8' },
  );
  assert.deepEqual(a.merges.find((m) => m.from === 'Mon')?.to, 'weekday');
  assert.equal(Object.values(a.counts).reduce((x, y) => x + y, 0), dates.length);
  assert.equal(a.keys[dates.indexOf('2003-02-03')], 'weekday');
  assert.match(formatMerges(a), /Mon\*winter → Mon: 4 days/);
  assert.match(formatMerges(assignKeys(dates, 'daytype', o)), /no sparse keys merged/);

  // resolveKey follows the same path; an unseen raw key walks up to the first known key
  assert.equal(resolveKey('2004-01-05', a, o), 'weekday'); // a winter Monday
  assert.equal(resolveKey('2004-04-05', a, o), 'Mon*spring');
  assert.equal(resolveKey('2004-07-05', a, o), 'weekday'); // Mon*summer never seen → Mon → weekday
});

test('assignKeys: month → season → all, and keys never seen are absent', () => {
  const o = defaultCalendarOptions();
  const dates = [...days('2003-03-01', '2003-03-31'), ...days('2003-04-01', '2003-04-10'), ...days('2003-05-01', '2003-05-05'), ...days('2003-06-01', '2003-06-03')];
  const a = assignKeys(dates, 'month', o);
  assert.equal(a.keyMap.Mar, 'Mar');
  assert.equal(a.keyMap.Apr, 'Apr');
  // May (5 days) → spring (still 5: March and April keep their own keys) → all; June (3) → summer → all
  assert.equal(a.keyMap.May, 'all');
  assert.equal(a.keyMap.Jun, 'all');
  assert.equal(a.counts.all, 8);
  assert.deepEqual(a.merges.map((m) => `${m.from}>${m.to}:${m.days}`).sort(), ['Jun>summer:3', 'May>spring:5', 'spring>all:5', 'summer>all:3']);
  assert.equal(a.keyMap.Jan, undefined);
  assert.equal(resolveKey('2004-04-10', a, o), 'Apr');
  assert.equal(resolveKey('2004-01-10', a, o), 'all'); // Jan, winter never seen; all is
  const b = assignKeys(days('2003-03-01', '2003-04-30'), 'month', o);
  assert.equal(resolveKey('2004-01-10', b, o), null); // neither Jan, winter nor all is a key of b
});

test('resolveKey is null for a weekday the model never saw', () => {
  const o = defaultCalendarOptions();
  const weekdaysOnly = days('2003-03-03', '2003-06-27').filter((d) => DateTime.fromISO(d).weekday <= 5);
  const a = assignKeys(weekdaysOnly, 'weekday', o);
  assert.deepEqual(Object.keys(a.counts).sort(), ['Fri', 'Mon', 'Thu', 'Tue', 'Wed']);
  assert.equal(resolveKey('2003-07-07', a, o), 'Mon');
  assert.equal(resolveKey('2003-07-06', a, o), null); // Sunday
  assert.equal(resolveKey('2003-07-05', a, o), null); // Saturday
});

test('holiday+weekday: sparse holidays fall back to their weekday key; kept holidays get their own', () => {
  const dates = days('2003-03-01', '2003-06-30');
  const hol = ['2003-04-18', '2003-05-26'];
  const o = defaultCalendarOptions({ holidays: hol });
  const a = assignKeys(dates, 'holiday+weekday', o);
  assert.equal(a.keyMap.holiday, undefined);
  assert.equal(a.keys[dates.indexOf('2003-05-26')], 'Mon');
  assert.equal(a.keys[dates.indexOf('2003-04-18')], 'Fri');
  assert.deepEqual(
    a.merges.map((m) => [m.from, m.to, m.days]).sort(),
    [['holiday', 'Fri', 1], ['holiday', 'Mon', 1]],
  );
  assert.equal(resolveKey('2003-05-26', a, o), 'Mon');
  const b = assignKeys(dates, 'holiday+weekday', { ...o, minDays: 2 });
  assert.equal(b.keyMap.holiday, 'holiday');
  assert.equal(b.counts.holiday, 2);
  assert.equal(resolveKey('2003-05-26', b, o), 'holiday');
  assert.equal(resolveKey('2003-05-27', b, o), 'Tue');
});

test('parseWeekdays: names, ranges, errors', () => {
  assert.deepEqual(parseWeekdays('mon,tue,wed'), [1, 2, 3]);
  assert.deepEqual(parseWeekdays('mon-fri'), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseWeekdays('fri-sun'), [5, 6, 7]);
  assert.deepEqual(parseWeekdays(['Saturday', 'sun']), [6, 7]);
  assert.throws(() => parseWeekdays('mon,funday'), /unknown weekday 'funday'/);
});
