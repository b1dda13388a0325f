/**
 * The output naming scheme and the inputs that follow it: timestamps with the zone's offset,
 * one quantile column style, durations read the same way on the CLI and over HTTP, and a staffing
 * simulation that never pools several dates.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quantileColumn, slotTimestamps } from '../src/scenarios/columns.js';
import { parseDuration } from '../src/core/durations.js';
import { parsePlanCsv, parseScenariosCsv, scenariosForDate } from '../src/staffing/files.js';
import { staffingRequestSchema } from '../src/server/schemas.js';
import { staffingFieldsSchema } from '../src/jobs/request.js';
import { isMixcastError } from '../src/core/errors.js';
import { buildCli } from '../src/cli/run.js';

describe('output columns', () => {
  it('timestamps carry the offset in force on that date (DST in New York)', () => {
    assert.deepEqual(slotTimestamps('2003-01-06', ['07:00', '07:30'], 'America/New_York'), ['2003-01-06T07:00:00-05:00', '2003-01-06T07:30:00-05:00']);
    assert.deepEqual(slotTimestamps('2003-07-07', ['07:00'], 'America/New_York'), ['2003-07-07T07:00:00-04:00']);
    assert.deepEqual(slotTimestamps('1999-06-01', ['10:00'], 'Asia/Jerusalem'), ['1999-06-01T10:00:00+03:00']);
  });

  it('quantile columns are q<level>, prefixed with what they describe', () => {
    assert.equal(quantileColumn(0.1), 'q0.1');
    assert.equal(quantileColumn(0.9, 'total'), 'total_q0.9');
    assert.equal(quantileColumn(0.05, 'required'), 'required_q0.05');
  });
});

describe('durations', () => {
  const body = { model: 'm', start: '2003-10-27', target: 0.8 };
  it('HTTP accepts seconds as a number or a duration string, as the CLI does', () => {
    const a = staffingRequestSchema.parse({ ...body, aht: 180, within: 20, patience: 120 });
    const b = staffingRequestSchema.parse({ ...body, aht: '180s', within: '20s', patience: '2m' });
    const c = staffingRequestSchema.parse({ ...body, aht: '3m', within: '0s' });
    assert.equal(a.aht, 180);
    assert.equal(b.aht, 180);
    assert.equal(b.within, 20);
    assert.equal(b.patience, 120);
    assert.equal(c.aht, 180);
    assert.equal(c.within, 0);
    assert.equal(parseDuration('180'), parseDuration('180s'));
  });

  it('batch jobs (POST /v1/jobs, mixcast batch) read staffing durations the same way', () => {
    const a = staffingFieldsSchema.parse({ aht: 180, target: 0.8, within: 20, patience: 120 });
    const b = staffingFieldsSchema.parse({ aht: '3m', target: 0.8, within: '20s', patience: '2m' });
    assert.deepEqual([b.aht, b.within, b.patience], [a.aht, a.within, a.patience]);
    assert.equal(staffingFieldsSchema.safeParse({ aht: '3 fortnights', target: 0.8, within: 20 }).success, false);
    assert.equal(staffingFieldsSchema.safeParse({ aht: '0s', target: 0.8, within: 20 }).success, false);
  });

  it('a duration that cannot be read, or a zero AHT, is refused with the reason', () => {
    const bad = staffingRequestSchema.safeParse({ ...body, aht: '3 fortnights', within: 20 });
    assert.equal(bad.success, false);
    assert.match(bad.error?.issues[0]?.message ?? "", /cannot read "3 fortnights" as a duration/);
    assert.equal(staffingRequestSchema.safeParse({ ...body, aht: '0s', within: 20 }).success, false);
  });

  it('batch reads its duration flags as the other commands do: 180, 180s and 3m alike', async () => {
    const batch = (await buildCli(['batch'])).commands.find((c) => c.name() === 'batch')!;
    for (const flag of ['--aht', '--within', '--patience']) {
      const option = batch.options.find((o) => o.long === flag)!;
      for (const text of ['180', '180s', '3m']) assert.equal(option.parseArg?.(text, undefined), 180, `${flag} ${text}`);
      assert.throws(() => option.parseArg?.('3 fortnights', undefined), (e) => isMixcastError(e) && e.code === 'BAD_OPTION' && e.message.startsWith(flag));
    }
  });
});

describe('staffing files', () => {
  const long = [
    'series,timestamp,date,interval,scenario,component,value',
    ...['2003-10-27', '2003-10-28'].flatMap((date, k) =>
      [0, 1].flatMap((s) => ['07:00', '07:30'].map((iv, j) => `,${date}T${iv}:00Z,${date},${iv},${s},Mon,${10 * (k + 1) + s + j}`)),
    ),
  ].join('\n');

  it('scenarios of several dates need a date (the `date` field, --date on the CLI); with it, only that date is kept', () => {
    const f = parseScenariosCsv(long, 'out/scenarios.csv');
    assert.equal(f.scenarios.length, 4);
    assert.equal(f.intervalSeconds, 1800);
    assert.throws(
      () => scenariosForDate(f, undefined, 'out/scenarios.csv'),
      (e: unknown) => isMixcastError(e) && /2 dates \(2003-10-27, 2003-10-28\); choose one with `date`/.test(e.message) && (e.details as { field?: string }).field === 'date',
    );
    const one = scenariosForDate(f, '2003-10-28', 'out/scenarios.csv');
    assert.deepEqual(one.scenarios, [[20, 21], [21, 22]]);
    assert.throws(() => scenariosForDate(f, '2003-10-29'), (e: unknown) => isMixcastError(e) && /no scenarios for `date` 2003-10-29; it holds 2003-10-27, 2003-10-28/.test(e.message));
  });

  it("a plan written by staff plan (interval, agents, …) is read in interval order", () => {
    const p = parsePlanCsv('interval,agents,calls_mean,required_q0.9\n07:30,5,40,6\n07:00,3,20,4\n');
    assert.deepEqual(p.agents, [3, 5]);
    assert.deepEqual(p.intervalStarts, ['07:00', '07:30']);
  });
});
