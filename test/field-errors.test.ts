/**
 * Library errors name fields — in backticks anywhere in the message ("name it with `timeCol`"), or
 * as the first word in older wording (`steps must be …`) — with details.field; the CLI rewords
 * them with the flag that sets the field (`--steps must be …`, "name it with --time-col") through
 * one table (src/cli/flags.ts), the server with the field's place in the JSON body (src/server/fields.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFitOptions, defaultFitOptions, type FitOptions } from '../src/train/fit.js';
import { discoverModels } from '../src/server/models.js';
import { MixcastError, isMixcastError } from '../src/core/errors.js';
import { FIELD_FLAGS, withFlagNames, withFlags } from '../src/cli/flags.js';
import { withJsonPaths } from '../src/server/fields.js';
import { fieldsIn } from '../src/core/fields.js';
import { formatReport, ingestRows, parseCovariateSpec, seriesNames } from '../adapters/index.js';
import { parseWeekdays } from '../src/core/dates.js';
import { scenariosForDate, type ScenarioFile } from '../src/staffing/index.js';

function fieldError(fn: () => unknown): MixcastError {
  try {
    fn();
  } catch (e) {
    if (isMixcastError(e)) return e;
    throw e;
  }
  assert.fail('no error thrown');
}

test('fitModel option errors name the field, not a flag', () => {
  const cases: [Partial<FitOptions>, string][] = [
    [{ steps: 0 }, 'steps'],
    [{ batch: 1.5 }, 'batch'],
    [{ T: 1 }, 'T'],
    [{ hidden: 0 }, 'hidden'],
    [{ lr: 2 }, 'lr'],
    [{ validation: 0.95 }, 'validation'],
    [{ scale: 0 }, 'scale'],
  ];
  for (const [bad, field] of cases) {
    const e = fieldError(() => checkFitOptions({ ...defaultFitOptions, ...bad }));
    assert.equal(e.code, 'BAD_OPTION');
    assert.ok(e.message.startsWith(`${field} must be`), e.message);
    assert.doesNotMatch(e.message, /--/);
    assert.equal((e.details as { field: string }).field, field);
    // the CLI's wording of the same error
    const flagged = withFlagNames(e) as MixcastError;
    assert.ok(flagged.message.startsWith(`${FIELD_FLAGS[field]} must be`), flagged.message);
  }
});

test('server start-up errors name the models field; the CLI says --models', () => {
  const e = fieldError(() => discoverModels('/nonexistent-mixcast-models'));
  assert.match(e.message, /^models \/nonexistent-mixcast-models is not a directory/);
  assert.match((withFlagNames(e) as Error).message, /^--models \/nonexistent-mixcast-models is not a directory/);
});

test('an error without a known field, or not starting with it, is left as it is', () => {
  const a = new MixcastError('BAD_OPTION', 'something else went wrong', { field: 'steps' });
  assert.equal(withFlagNames(a), a);
  const b = new MixcastError('BAD_OPTION', 'wobble must be round', { field: 'wobble' });
  assert.equal(withFlagNames(b), b);
  const c = new Error('plain');
  assert.equal(withFlagNames(c), c);
});

const rows = (text: string) => {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, j) => [cols[j], v])));
};
const CALLS = rows('timestamp,calls\n2003-03-03T07:00:00,1\n2003-03-03T07:05:00,2\n2003-03-04T07:00:00,3\n2003-03-04T07:05:00,4');

test('ingest, covariates, weekday and staffing-file errors name fields in backticks and in details, never flags', () => {
  const cases: [() => unknown, string, RegExp, RegExp][] = [
    // [call, details.field, library wording, CLI wording]
    [() => ingestRows(CALLS, { format: 'events' }), 'interval', /^`format` events needs `interval`/, /^--format events needs --interval/],
    [() => ingestRows(CALLS, { interval: '7m' }), 'interval', /^`interval` 7m is not a whole number/, /^--interval 7m is not a whole number/],
    [() => ingestRows(CALLS, { valueCol: 'volume' }), 'valueCol', /unknown column 'volume' \(`valueCol`\)/, /unknown column 'volume' \(--value-col\)/],
    [() => ingestRows(CALLS, { open: '07:02' }), 'open', /^`open` 07:02 is not a slot start/, /^--open 07:02 is not a slot start/],
    [() => ingestRows(CALLS, { open: '25:00' }), 'open', /^`open` '25:00' is not a clock time/, /^--open '25:00' is not a clock time/],
    [() => ingestRows(CALLS, { series: 'north' }), 'seriesCol', /name the column with `seriesCol`/, /name the column with --series-col/],
    [() => ingestRows(CALLS, { valueKind: 'lots' as never }), 'valueKind', /^`valueKind` must be one of/, /^--value-kind must be one of/],
    [() => ingestRows(CALLS, { holidays: 'XX' }), 'holidays', /^`holidays`: unknown country code 'XX'/, /^--holidays: unknown country code 'XX'/],
    [() => seriesNames(CALLS, { source: 'calls.csv' }), 'seriesCol', /with `seriesCol` \(available columns/, /with --series-col \(available columns/],
    [() => parseCovariateSpec('temperature:median'), 'covariates', /^`covariates` 'temperature:median': unknown aggregation/, /^--covariates 'temperature:median'/],
    [() => parseWeekdays('mon,funday', 'weekend'), 'weekend', /^`weekend`: unknown weekday 'funday'/, /^--weekend: unknown weekday 'funday'/],
  ];
  const twoDates: ScenarioFile = { format: 'long', scenarios: [[1], [2]], labels: [{ date: '2003-10-27', scenario: '0' }, { date: '2003-10-28', scenario: '0' }], intervalStarts: ['07:00'], intervalSeconds: 1800 };
  cases.push([() => scenariosForDate(twoDates, undefined, 'scenarios.csv'), 'date', /choose one with `date` \(YYYY-MM-DD\)/, /choose one with --date \(YYYY-MM-DD\)/]);
  for (const [call, field, library, cli] of cases) {
    const e = fieldError(call);
    assert.match(e.message, library);
    assert.doesNotMatch(e.message, /(?<![\w-])--[a-z]/, e.message);
    assert.equal((e.details as { field?: string }).field, field, e.message);
    assert.ok(fieldsIn(e.message).includes(field), `${e.message} names ${field} in backticks`);
    const flagged = withFlagNames(e) as MixcastError;
    assert.match(flagged.message, cli);
    assert.equal(flagged.code, e.code);
    assert.deepEqual(flagged.details, e.details);
    // every field these messages name has a flag: nothing is left in backticks for the CLI
    assert.deepEqual(fieldsIn(flagged.message), [], flagged.message);
  }
});

test('the ingest report names settings as fields; the CLI prints them as flags', () => {
  const ds = ingestRows(CALLS, { days: ['mon'] });
  const text = formatReport(ds);
  assert.match(text, /set `open`\/`close` to change/);
  assert.match(text, /weekdays kept \(`days`\): Mon/);
  assert.doesNotMatch(text, /(?<![\w-])--[a-z]/);
  const cli = withFlags(text);
  assert.match(cli, /set --open\/--close to change/);
  assert.match(cli, /weekdays kept \(--days\): Mon/);
  assert.deepEqual(fieldsIn(cli), []);
});

test('the CLI rewrites only whole backticked fields it knows, and a leading field only as a whole word', () => {
  const known = new MixcastError('BAD_OPTION', 'set `interval` and `open`; `interval` again', { field: 'interval' });
  assert.equal((withFlagNames(known) as Error).message, 'set --interval and --open; --interval again');
  const unknown = new MixcastError('BAD_OPTION', 'set `wobble` and `history[2].date`', { field: 'wobble' });
  assert.equal(withFlagNames(unknown), unknown);
  // a bare field is a whole word: `count` does not turn "counts must be ≥ 0" into "--counts …"
  const counts = new MixcastError('BAD_INPUT', 'counts must be ≥ 0', { field: 'count' });
  assert.equal(withFlagNames(counts), counts);
  // idempotent: the commands reword and action() rewords again
  const once = withFlagNames(new MixcastError('BAD_OPTION', 'count must be a positive integer (got 0)', { field: 'count' }));
  assert.equal((withFlagNames(once) as Error).message, '--count must be a positive integer (got 0)');
});

test('the server says nested fields as their JSON path on /v1/jobs, and leaves top-level fields as they are', () => {
  const e = fieldError(() => seriesNames(CALLS, { source: 'calls.csv' }));
  const job = withJsonPaths(e, '/v1/jobs') as MixcastError;
  assert.match(job.message, /name the column that holds the series with `train\.seriesCol` \(available columns/);
  assert.equal((job.details as { field: string; path: string }).field, 'seriesCol');
  assert.equal((job.details as { field: string; path: string }).path, 'train.seriesCol');
  assert.equal(job.code, e.code);
  const aht = new MixcastError('BAD_OPTION', '`aht` must be more than 0', { field: 'aht' });
  assert.match((withJsonPaths(aht, '/v1/jobs?x=1') as Error).message, /^`staffing\.aht` must be/);
  // on the scenario and staffing routes the body's keys are the fields: nothing to reword
  assert.equal(withJsonPaths(e, '/v1/scenarios'), e);
  assert.equal(withJsonPaths(aht, '/v1/staffing'), aht);
  const count = new MixcastError('BAD_OPTION', 'count must be a positive integer (got 0)', { field: 'count' });
  assert.equal(withJsonPaths(count, '/v1/jobs'), count);
  const plain = new Error('plain');
  assert.equal(withJsonPaths(plain, '/v1/jobs'), plain);
});
