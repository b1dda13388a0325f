/**
 * Bad-input corpus, command line: every case runs `mixcast …` in-process (runCli, the same
 * function bin/mixcast runs) and asserts the exit code, the error code and a fragment of the
 * message, that no stack is printed, and that no file in the work folder (nor fixtures/) changed.
 * A few cases are spawned as real processes to show the exit code and the stack-free output.
 * One tiny model (few steps) is trained once and reused. HTTP cases: bad-input-http.test.ts.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { runCli } from '../src/cli/run.js';

let W: string; // work folder
let MODEL: string;
const BANK = 'fixtures/bank_calls_2003.csv';

/** path → sha1 of every file under the given roots (folders too, so a created folder shows). */
function snapshot(roots: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      out.set(p + '/', 'dir');
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else out.set(p, crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex'));
  };
  roots.forEach(walk);
  return out;
}

function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** Run the CLI in-process, capturing stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((err += String(c)), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = await runCli(args, 'user');
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = 0;
  }
  return { code, out, err };
}

interface Case {
  name: string;
  args: () => string[];
  /** Expected exit code (2 for every user error). */
  exit: number;
  /** Error code in `mixcast: error [CODE]`, or 'USAGE' for commander's own usage errors. */
  code: string;
  /** A fragment the message must contain (string or pattern). */
  match: string | RegExp;
}

const w = (...p: string[]) => path.join(W, ...p);
const csv = (name: string, text: string | Buffer) => {
  fs.writeFileSync(w(name), text);
  return w(name);
};
const ingestArgs = (file: string, ...extra: string[]) => ['ingest', '--input', file, '--out', w('out', 'days.csv'), ...extra];
const trainArgs = (...extra: string[]) => ['train', '--input', BANK, '--interval', '30m', '--close', '21:00', '--out', w('out', 'model'), ...extra];
const genArgs = (cmd: string, ...extra: string[]) => [cmd, '--model', MODEL, '--start', '2003-10-27', '--out', w('out', `${cmd}.csv`), ...extra];

function cases(): Case[] {
  const C: Case[] = [];
  const add = (name: string, args: () => string[], code: string, match: string | RegExp, exit = 2) => C.push({ name, args, exit, code, match });

  // ── ingest: malformed CSV, values, zones, DST, duplicates, options ──
  add('ingest: missing --input', () => ['ingest'], 'BAD_OPTION', '--input FILE is required');
  add('ingest: file does not exist', () => ingestArgs(w('nope.csv')), 'BAD_INPUT', 'nope.csv');
  add('ingest: empty file', () => ingestArgs(csv('empty.csv', '')), 'BAD_INPUT', /empty|no rows|no data/i);
  add('ingest: header only', () => ingestArgs(csv('header.csv', 'timestamp,calls\n')), 'BAD_INPUT', /no rows|no data|empty/i);
  add('ingest: no numeric column', () => ingestArgs(csv('nonum.csv', 'timestamp,calls\n2003-03-03T07:00:00,a\n2003-03-03T07:30:00,b\n')), 'BAD_INPUT', /numeric|not a number/);
  add('ingest: a word among numbers', () => ingestArgs(csv('word.csv', 'timestamp,calls\n2003-03-03T07:00:00,1\n2003-03-03T07:30:00,lots\n')), 'BAD_INPUT', "'lots' is not a number");
  add('ingest: Infinity value', () => ingestArgs(csv('inf.csv', 'timestamp,calls\n2003-03-03T07:00:00,1\n2003-03-03T07:30:00,Infinity\n')), 'BAD_INPUT', "'Infinity' is not a number");
  add('ingest: 1e308 value', () => ingestArgs(csv('big.csv', 'timestamp,calls\n2003-03-03T07:00:00,1\n2003-03-03T07:30:00,1e308\n')), 'BAD_INPUT', 'out of range');
  add('ingest: all values 1e308', () => ingestArgs(csv('allbig.csv', 'timestamp,calls\n' + Array.from({ length: 48 }, (_, i) => `2003-03-0${3 + Math.floor(i / 24)}T${String(i % 24).padStart(2, '0')}:00:00,1e308`).join('\n') + '\n')), 'BAD_INPUT', 'out of range');
  add('ingest: 1e16 value', () => ingestArgs(csv('e16.csv', 'timestamp,calls\n2003-03-03T07:00:00,1e16\n2003-03-03T07:30:00,1\n')), 'BAD_INPUT', 'at most 1000000000000000');
  add('ingest: -1e308 measurement', () => ingestArgs(csv('negbig.csv', 'timestamp,load\n2003-03-03T07:00:00,-1e308\n2003-03-03T07:30:00,1.5\n'), '--value-kind', 'measurements'), 'BAD_INPUT', 'out of range');
  add('ingest: negative count', () => ingestArgs(csv('neg.csv', 'timestamp,calls\n2003-03-03T07:00:00,5\n2003-03-03T07:30:00,-3\n'), '--value-kind', 'counts'), 'BAD_INPUT', 'negative value -3');
  add('ingest: fraction with --value-kind counts', () => ingestArgs(csv('frac.csv', 'timestamp,calls\n2003-03-03T07:00:00,5\n2003-03-03T07:30:00,2.5\n'), '--value-kind', 'counts'), 'BAD_INPUT', 'not a whole number');
  add('ingest: bad timestamp', () => ingestArgs(csv('badts.csv', 'timestamp,calls\n2003-13-45T07:00:00,5\n2003-03-03T07:30:00,2\n'), '--time-col', 'timestamp'), 'BAD_INPUT', /2003-13-45/);
  add('ingest: duplicate timestamps', () => ingestArgs(csv('dup.csv', 'timestamp,calls\n2003-03-03T07:00:00,5\n2003-03-03T07:00:00,6\n2003-03-03T07:30:00,2\n')), 'BAD_INPUT', 'duplicate timestamps');
  add('ingest: unknown zone', () => ingestArgs(BANK, '--tz', 'Mars/Olympus'), 'BAD_OPTION', 'Mars/Olympus');
  add('ingest: zone with traversal', () => ingestArgs(BANK, '--tz', '../../etc/passwd'), 'BAD_OPTION', /zone|--tz/);
  // the repeated hour of a fall-back day may appear twice in local time (both occurrences), not three times
  add('ingest: DST fall-back hour three times in local time', () => ingestArgs(csv('dst.csv', 'timestamp,calls\n2021-10-31T01:30:00,5\n2021-10-31T02:30:00,6\n2021-10-31T02:30:00,7\n2021-10-31T02:30:00,7\n2021-10-31T03:30:00,1\n'), '--tz', 'Europe/Berlin'), 'BAD_INPUT', 'duplicate timestamps: 2021-10-31 02:30 (3 rows');
  add('ingest: mixed offsets and local times', () => ingestArgs(csv('mixed.csv', 'timestamp,calls\n2003-03-03T07:00:00+02:00,5\n2003-03-03T07:30:00,6\n')), 'BAD_INPUT', /offset/);
  add('ingest: unknown time column', () => ingestArgs(BANK, '--time-col', 'when'), 'BAD_INPUT', "'when'");
  add('ingest: unknown value column', () => ingestArgs(BANK, '--value-col', 'volume'), 'BAD_INPUT', "'volume'");
  add('ingest: --interval 7m (not a multiple)', () => ingestArgs(BANK, '--interval', '7m'), 'BAD_OPTION', /7/);
  add('ingest: --interval abc', () => ingestArgs(BANK, '--interval', 'abc'), 'BAD_OPTION', /interval/);
  add('ingest: --open 25:00', () => ingestArgs(BANK, '--open', '25:00'), 'BAD_OPTION', /25:00|open/);
  add('ingest: --close before --open', () => ingestArgs(BANK, '--open', '12:00', '--close', '09:00'), 'BAD_OPTION', /close|open/);
  add('ingest: --days xyz', () => ingestArgs(BANK, '--days', 'xyz'), 'BAD_OPTION', /xyz/);
  add('ingest: --holidays missing file', () => ingestArgs(BANK, '--holidays', w('no-holidays.txt')), 'BAD_INPUT', 'no-holidays.txt');
  add('ingest: --series without --series-col', () => ingestArgs(BANK, '--series', 'a'), 'BAD_INPUT', "no column holds the series 'a'");
  add('ingest: --weekend xyz', () => ingestArgs(BANK, '--weekend', 'xyz'), 'BAD_OPTION', /xyz/);
  add('ingest: --min-days 0', () => ingestArgs(BANK, '--min-days', '0'), 'BAD_OPTION', '--min-days must be a positive integer');
  add('ingest: --format bogus', () => ingestArgs(BANK, '--format', 'bogus'), 'USAGE', /argument 'bogus' is invalid/);
  add('ingest: --missing bogus', () => ingestArgs(BANK, '--missing', 'bogus'), 'USAGE', /argument 'bogus' is invalid/);
  add('ingest: --keys bogus', () => ingestArgs(BANK, '--keys', 'bogus'), 'BAD_OPTION', /bogus/);
  add('ingest: binary garbage file', () => ingestArgs(csv('garbage.csv', crypto.randomBytes(4096))), 'BAD_INPUT', /./);
  add('ingest: 2 MB field is not echoed whole', () => ingestArgs(csv('huge.csv', `timestamp,calls\n2003-03-03T07:00:00,1\n2003-03-03T07:30:00,${'9x'.repeat(1_000_000)}\n`)), 'BAD_INPUT', /more characters\)/);
  add('ingest: JSON not an array', () => ingestArgs(csv('obj.json', '{"a": 1}')), 'BAD_INPUT', /array/);
  add('ingest: JSON malformed', () => ingestArgs(csv('bad.json', '[{"timestamp": ')), 'BAD_INPUT', /JSON/);
  add('ingest: JSON with 1e400 (Infinity) value', () => ingestArgs(csv('inf.json', '[{"timestamp":"2003-03-03T07:00:00","calls":1},{"timestamp":"2003-03-03T07:30:00","calls":1e400}]')), 'BAD_INPUT', 'is not a number');
  add('ingest: JSON with prototype pollution', () => ingestArgs(csv('proto.json', '[{"timestamp":"2003-03-03T07:00:00","calls":1},{"timestamp":"2003-03-03T07:30:00","calls":{"__proto__":{"polluted":1}}}]')), 'BAD_INPUT', 'is not a number');
  add('ingest: events file with no timestamps', () => ingestArgs(csv('events.csv', 'timestamp\nfoo\nbar\n'), '--format', 'events'), 'BAD_INPUT', /foo/);

  // ── train: every numeric option (parse time: no training is spent) ──
  const bad: [string, string, RegExp | string][] = [
    ['--steps', 'abc', '--steps must be an integer from 1 to 1,000,000'],
    ['--steps', '1.5', '--steps must be an integer from 1 to 1,000,000'],
    ['--steps', '1e12', '--steps must be an integer from 1 to 1,000,000'],
    ['--steps', '0', '--steps must be an integer from 1'],
    ['--steps', '-5', '--steps must be an integer from 1'],
    ['--steps', '2000000', '--steps must be an integer from 1 to 1,000,000'],
    ['--steps', '', '--steps must be an integer'],
    ['--batch', '0', '--batch must be an integer from 1 to 65536'],
    ['--batch', 'x', '--batch must be an integer'],
    ['--hidden', '0', '--hidden must be an integer from 1 to 4096'],
    ['--hidden', '-3', '--hidden must be an integer from 1'],
    ['--hidden', '5000', '--hidden must be an integer from 1 to 4096'],
    ['--hidden', '1.5', '--hidden must be an integer'],
    ['--blocks', '0', '--blocks must be an integer from 1 to 64'],
    ['--blocks', '100', '--blocks must be an integer from 1 to 64'],
    ['--T', '1', '--T must be an integer from 2'],
    ['--T', 'abc', '--T must be an integer'],
    ['--lr', 'NaN', '--lr must be a number > 0 and ≤ 1'],
    ['--lr', '1e6', '--lr must be a number > 0 and ≤ 1'],
    ['--lr', '0', '--lr must be a number > 0'],
    ['--lr', '-0.1', '--lr must be a number > 0'],
    ['--lr', 'Infinity', '--lr must be a number > 0'],
    ['--lr', 'fast', '--lr must be a number'],
    ['--validation', '1.5', '--validation must be a number ≥ 0 and ≤ 0.9'],
    ['--validation', '-0.1', '--validation must be a number ≥ 0'],
    ['--validation', '1', '--validation must be a number ≥ 0 and ≤ 0.9'],
    ['--validation', 'half', '--validation must be a number'],
    ['--patience', '-1', '--patience must be an integer from 0'],
    ['--patience', 'x', '--patience must be an integer'],
    ['--scale', '0', '--scale must be a number > 0'],
    ['--scale', '-1', '--scale must be a number > 0'],
    ['--scale', '1e9', '--scale must be a number > 0 and ≤ 1000'],
    ['--seed', 'abc', '--seed must be an integer'],
    ['--seed', '1.5', '--seed must be an integer'],
    ['--seed', '1e400', '--seed must be an integer'],
  ];
  for (const [flag, v, m] of bad) add(`train: ${flag} ${JSON.stringify(v)}`, () => trainArgs(flag, v), 'BAD_OPTION', m);
  add('train: --prior bogus', () => trainArgs('--prior', 'bogus', '--steps', '2'), 'BAD_OPTION', /bogus/);
  add('train: --prior kmeans:0', () => trainArgs('--prior', 'kmeans:0', '--steps', '2'), 'BAD_OPTION', /kmeans/);
  add('train: --sampler bogus', () => trainArgs('--sampler', 'bogus', '--steps', '2'), 'BAD_OPTION', 'unknown sampler "bogus"');
  add('train: --family bogus', () => trainArgs('--family', 'bogus'), 'USAGE', /argument 'bogus' is invalid/);
  add('train: --skip bogus', () => trainArgs('--skip', 'bogus'), 'USAGE', /argument 'bogus' is invalid/);
  add('train: --out missing', () => ['train', '--input', BANK], 'USAGE', /--out/);
  add('train: --out under a file', () => trainArgs('--out', w('a-file.txt', 'model')), 'BAD_OPTION', 'is not a directory');
  add('train: --out is a file', () => trainArgs('--out', w('a-file.txt')), 'BAD_OPTION', 'exists and is a file');
  add('train: --out is a folder that is not a bundle', () => trainArgs('--out', w('keep')), 'BAD_OPTION', 'exists and is not a mixcast model');
  add('train: --out . (the work folder) is refused', () => trainArgs('--out', W), 'BAD_OPTION', 'exists and is not a mixcast model');
  add('train: --out of a corrupt bundle is refused', () => trainArgs('--out', w('bundles', 'bad-json')), 'BAD_OPTION', /./);
  add('train: input with a 1e308 count', () => trainArgs('--input', w('big.csv'), '--steps', '2'), 'BAD_INPUT', 'out of range');
  add('train: a single day', () => trainArgs('--input', csv('oneday.csv', 'timestamp,calls\n' + Array.from({ length: 28 }, (_, i) => `2003-03-03T${String(7 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}:00,5`).join('\n') + '\n'), '--steps', '2'), 'BAD_INPUT', 'need at least 2 days');
  add('train: --min-days abc', () => trainArgs('--min-days', 'abc', '--steps', '2'), 'BAD_OPTION', '--min-days must be a positive integer');

  // ── generate / forecast / whatif: options, dates, samplers, models ──
  for (const cmd of ['generate', 'forecast'] as const) {
    const extra = cmd === 'generate' ? ['--count', '5'] : ['--count', '5'];
    add(`${cmd}: --count abc`, () => genArgs(cmd, '--count', 'abc'), 'BAD_OPTION', '--count must be an integer');
    add(`${cmd}: --count 1.5`, () => genArgs(cmd, '--count', '1.5'), 'BAD_OPTION', '--count must be an integer');
    add(`${cmd}: --count 0`, () => genArgs(cmd, '--count', '0'), 'BAD_OPTION', /count/);
    add(`${cmd}: --count -3`, () => genArgs(cmd, '--count', '-3'), 'BAD_OPTION', /count/);
    add(`${cmd}: --seed x`, () => genArgs(cmd, ...extra, '--seed', 'x'), 'BAD_OPTION', '--seed must be an integer');
    add(`${cmd}: --start not a date`, () => [cmd, '--model', MODEL, '--start', '2003-02-30', ...extra], 'BAD_OPTION', /2003-02-30/);
    add(`${cmd}: --start garbage`, () => [cmd, '--model', MODEL, '--start', 'yesterday', ...extra], 'BAD_OPTION', /yesterday/);
    add(`${cmd}: --end before --start`, () => genArgs(cmd, ...extra, '--end', '2003-10-01'), 'UNPROCESSABLE', 'reversed');
    add(`${cmd}: --sampler bogus`, () => genArgs(cmd, ...extra, '--sampler', 'bogus'), 'BAD_OPTION', 'unknown sampler "bogus"');
    add(`${cmd}: --sampler ode:100001`, () => genArgs(cmd, ...extra, '--sampler', 'ode:100001'), 'BAD_OPTION', 'sampler steps must be between 1 and 100000');
    add(`${cmd}: --sampler ddim:0`, () => genArgs(cmd, ...extra, '--sampler', 'ddim:0'), 'BAD_OPTION', 'sampler steps');
    add(`${cmd}: --model does not exist`, () => [cmd, '--model', w('no-model'), '--start', '2003-10-27', ...extra], 'NOT_FOUND', 'no model at');
    add(`${cmd}: --model is a plain folder`, () => [cmd, '--model', w('keep'), '--start', '2003-10-27', ...extra], 'NOT_FOUND', 'no model at');
    add(`${cmd}: --model traversal`, () => [cmd, '--model', w('keep', '..', '..', 'no-such-root', 'x'), '--start', '2003-10-27', ...extra], 'NOT_FOUND', 'no model at');
    add(`${cmd}: --format bogus`, () => genArgs(cmd, ...extra, '--format', 'bogus'), 'USAGE', /argument 'bogus' is invalid/);
    add(`${cmd}: --fallback bogus`, () => genArgs(cmd, ...extra, '--fallback', 'bogus'), 'USAGE', /argument 'bogus' is invalid/);
    add(`${cmd}: --out under a file`, () => [cmd, '--model', MODEL, '--start', '2003-10-27', ...extra, '--out', w('a-file.txt', 'x.csv')], 'BAD_OPTION', /a-file\.txt/);
  }
  add('forecast: --quantiles 1.5', () => genArgs('forecast', '--count', '5', '--quantiles', '1.5'), 'BAD_OPTION', /1\.5/);
  add('forecast: --quantiles abc', () => genArgs('forecast', '--count', '5', '--quantiles', 'abc'), 'BAD_OPTION', /abc/);
  add('forecast: --quantiles empty', () => genArgs('forecast', '--count', '5', '--quantiles', ','), 'BAD_OPTION', /quantile/);
  add('generate: 400 dates', () => genArgs('generate', '--count', '1', '--end', '2004-12-31'), 'UNPROCESSABLE', /limit/);
  add('generate: count over the limit', () => genArgs('generate', '--count', '100001'), 'UNPROCESSABLE', /limit/);
  add('generate: unseen weekday (sunday) without fallback', () => genArgs('generate', '--count', '2', '--start', '2003-10-26'), 'UNPROCESSABLE', /never saw|unseen|sun/i);
  const wi = (file: string) => ['whatif', '--model', MODEL, '--cases', file, '--start', '2003-10-27', '--count', '5', '--out', w('out', 'whatif.csv')];
  add('whatif: cases file missing', () => wi(w('no-cases.json')), 'BAD_INPUT', 'it does not exist');
  add('whatif: cases file not JSON', () => wi(csv('cases-bad.json', '{cases: [')), 'BAD_INPUT', 'not valid JSON');
  add('whatif: cases not a list', () => wi(csv('cases-obj.json', '{"cases": {}}')), 'BAD_OPTION', /cases/);
  add('whatif: case named baseline', () => wi(csv('cases-base.json', '{"cases":[{"name":"baseline","transforms":[]}]}')), 'BAD_OPTION', 'reserved');
  add('whatif: duplicate case names', () => wi(csv('cases-dup.json', '{"cases":[{"name":"a","transforms":[]},{"name":"a","transforms":[]}]}')), 'BAD_OPTION', 'used twice');
  add('whatif: factor 1e9', () => wi(csv('cases-big.json', '{"cases":[{"name":"a","transforms":[{"type":"scale","factor":1e9}]}]}')), 'BAD_OPTION', /factor|1000/);
  add('whatif: negative factor', () => wi(csv('cases-neg.json', '{"cases":[{"name":"a","transforms":[{"type":"scale","factor":-2}]}]}')), 'BAD_OPTION', /factor|0/);
  add('whatif: unknown transform', () => wi(csv('cases-unk.json', '{"cases":[{"name":"a","transforms":[{"type":"teleport"}]}]}')), 'BAD_OPTION', /type|teleport/);
  add('whatif: bad interval range', () => wi(csv('cases-iv.json', '{"cases":[{"name":"a","transforms":[{"type":"add","amount":5,"intervals":"25:00-26:00"}]}]}')), 'BAD_OPTION', /interval/);
  add('whatif: prototype pollution key', () => wi(csv('cases-proto.json', '{"cases":[{"name":"a","transforms":[],"__proto__":{"x":1}}]}')), 'BAD_OPTION', /./);

  // ── staff: one-interval Erlang and the plan command ──
  const ec = (...o: string[]) => ['staff', 'erlang-c', '--calls', '100', '--interval', '30m', '--aht', '180s', '--target', '0.8', '--within', '20s', ...o];
  const ecWith = (flag: string, v: string) => {
    const base = ec();
    base[base.indexOf(flag) + 1] = v;
    return base;
  };
  add('staff erlang-c: --calls -1', () => ecWith('--calls', '-1'), 'BAD_OPTION', /calls/);
  add('staff erlang-c: --calls abc', () => ecWith('--calls', 'abc'), 'BAD_OPTION', /calls/);
  add('staff erlang-c: --aht 0s', () => ecWith('--aht', '0s'), 'BAD_OPTION', /AHT|aht/);
  add('staff erlang-c: --aht 10000000s (over one day)', () => ecWith('--aht', '10000000s'), 'BAD_OPTION', 'over the limit of 86400 s');
  add('staff erlang-c: 1e9 calls (load over the limit)', () => ecWith('--calls', '1000000000'), 'UNPROCESSABLE', 'Erlangs; the limit is 20000');
  add('staff erlang-c: --target 1.5', () => ecWith('--target', '1.5'), 'BAD_OPTION', /target/);
  add('staff erlang-c: --target 0', () => ecWith('--target', '0'), 'BAD_OPTION', /target/);
  add('staff erlang-c: --within abc', () => ecWith('--within', 'abc'), 'BAD_OPTION', /abc|duration/);
  add('staff erlang-c: --interval 0s', () => ecWith('--interval', '0s'), 'BAD_OPTION', /interval|0/);
  add('staff erlang-c: --shrinkage 1', () => ec('--shrinkage', '1'), 'BAD_OPTION', /shrinkage/);
  add('staff erlang-c: --max-occupancy 0', () => ec('--max-occupancy', '0'), 'BAD_OPTION', /occupancy/);
  add('staff erlang-a: no patience', () => ['staff', 'erlang-a', '--calls', '100', '--interval', '30m', '--aht', '180s', '--target', '0.8', '--within', '20s'], 'USAGE', /--patience/);
  const sp = (...o: string[]) => ['staff', 'plan', '--model', MODEL, '--date', '2003-10-27', '--count', '20', '--seed', '1', '--target', '0.8', '--within', '20s', ...o];
  add('staff plan: --aht 10000000s', () => sp('--aht', '10000000s'), 'BAD_OPTION', 'over the limit of 86400 s');
  add('staff plan: --aht -5s', () => sp('--aht', '-5s'), 'BAD_OPTION', /aht|AHT|duration/i);
  add('staff plan: --date garbage', () => [...sp('--aht', '180s').map((a) => (a === '2003-10-27' ? 'soon' : a))], 'BAD_OPTION', /soon/);
  add('staff plan: --model missing', () => [...sp('--aht', '180s').map((a) => (a === MODEL ? w('nope') : a))], 'NOT_FOUND', 'no model at');

  // ── bundles: corrupt, foreign, edited ──
  for (const [name, match] of [
    ['bad-json', 'not valid JSON'],
    ['foreign', 'not a mixcast model bundle'],
    ['future', 'schema version'],
    ['no-weights', /missing|incomplete|weights/],
    ['bad-checksum', /checksum|sha256/],
    ['labels-5', /labels|d = /],
    ['nan-bound', /finite|bounds|schema/],
    ['truncated-weights', /checksum|weights|fit/],
  ] as [string, string | RegExp][]) {
    add(`bundle ${name}: generate refuses it`, () => ['generate', '--model', w('bundles', name), '--start', '2003-10-27', '--count', '2'], 'BAD_MODEL', match);
  }
  add('bundle labels-5: serve refuses it at load', () => ['serve', '--models', w('bundles', 'labels-5'), '--port', '0', '--workers', '0'], 'BAD_MODEL', /labels|d = /);

  // ── serve: options are checked before anything starts ──
  const sv = (...o: string[]) => ['serve', '--models', MODEL, '--workers', '0', ...o];
  for (const [flag, v, m] of [
    ['--port', 'abc', '--port must be an integer from 0 to 65535'],
    ['--port', '-1', '--port must be an integer from 0 to 65535'],
    ['--port', '70000', '--port must be an integer from 0 to 65535'],
    ['--port', '80.5', '--port must be an integer'],
    ['--body-limit', 'lots', '--body-limit must be a size from 1b to 64mb'],
    ['--body-limit', '0', '--body-limit must be a size from 1b to 64mb'],
    ['--body-limit', '1gb', '--body-limit must be a size from 1b to 64mb'],
    ['--body-limit', '-5kb', '--body-limit must be a size'],
    ['--host', '999.1.1.1', '--host must be an IPv4 address'],
    ['--host', '1.2.3', '--host must be an IPv4 address'],
    ['--host', 'bad host!', '--host must be an IPv4 address'],
    ['--host', '::zz::1', '--host must be an IPv4 address'],
    ['--workers', '-1', '--workers must be an integer from 0 to 256'],
    ['--workers', 'many', '--workers must be an integer'],
    ['--timeout', '0', '--timeout must be an integer from 1'],
    ['--timeout', '5s', '--timeout must be an integer'],
    ['--max-count', '0', '--max-count must be an integer from 1'],
    ['--max-dates', 'x', '--max-dates must be an integer'],
    ['--max-values', '-1', '--max-values must be an integer from 1'],
    ['--max-work', '0', '--max-work must be an integer from 1'],
    ['--max-sampler-steps', '1000000', '--max-sampler-steps must be an integer from 1 to 100,000'],
  ] as [string, string, string][]) {
    add(`serve: ${flag} ${v}`, () => sv(flag, v), 'BAD_OPTION', m);
  }
  add('serve: --models missing folder', () => ['serve', '--models', w('no-models'), '--port', '0', '--workers', '0'], 'BAD_OPTION', 'is not a directory');
  add('serve: --models folder without bundles', () => ['serve', '--models', w('keep'), '--port', '0', '--workers', '0'], 'BAD_OPTION', 'holds no model bundle');
  add('unknown command', () => ['teleport'], 'USAGE', /unknown command/);
  add('unknown option', () => ['generate', '--model', MODEL, '--start', '2003-10-27', '--count', '1', '--teleport'], 'USAGE', /unknown option '--teleport'/);
  return C;
}

before(async () => {
  await initBackend('wasm');
  W = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-bad-input-'));
  fs.mkdirSync(w('out'));
  fs.mkdirSync(w('keep'));
  fs.writeFileSync(w('keep', 'notes.txt'), 'keep me\n');
  fs.writeFileSync(w('a-file.txt'), 'a file, not a folder\n');
  const ds = await ingest({ input: BANK, interval: '30m', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 5, hidden: 8, blocks: 1, seed: 1 });
  MODEL = w('model');
  await saveModel(model, MODEL);
  model.dispose();
  // Damaged copies of the bundle, one problem each.
  const B = (name: string) => {
    const dir = w('bundles', name);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.cpSync(MODEL, dir, { recursive: true });
    return dir;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the cases break arbitrary nested fields of a parsed manifest
  const editManifest = (dir: string, f: (m: Record<string, any>) => void) => {
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    f(m);
    fs.writeFileSync(file, JSON.stringify(m));
  };
  const weightsOf = (dir: string) => path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).weights.file);
  fs.writeFileSync(path.join(B('bad-json'), 'manifest.json'), '{"format": "mixcast-model", ');
  editManifest(B('foreign'), (m) => (m.format = 'something-else'));
  editManifest(B('future'), (m) => (m.schemaVersion = 999));
  { const d = B('no-weights'); fs.rmSync(weightsOf(d)); }
  { const d = B('bad-checksum'); const f = weightsOf(d); const b = fs.readFileSync(f); b[0] ^= 0xff; fs.writeFileSync(f, b); }
  editManifest(B('labels-5'), (m) => (m.data.labels = m.data.labels.slice(0, 5)));
  { const d = B('nan-bound'); const file = path.join(d, 'manifest.json'); fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"lo":\s*\[/, '"lo":[1e999,')); }
  { const d = B('truncated-weights'); const f = weightsOf(d); fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 100)); }
});

after(() => {
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was not polluted');
  fs.rmSync(W, { recursive: true, force: true });
});

describe('bad input, command line (in-process)', () => {
  const all = cases();
  it('the corpus is large enough', () => {
    assert.ok(all.length >= 150, `${all.length} cases`);
  });
  for (const c of all) {
    it(c.name, async () => {
      const args = c.args(); // may write the case's input file
      const before = snapshot([W, 'fixtures']);
      const r = await cli(args);
      const changes = changed(before, snapshot([W, 'fixtures']));
      assert.equal(r.code, c.exit, `exit code ${r.code}; stderr: ${r.err.slice(0, 600)}`);
      if (c.code === 'USAGE') assert.match(r.err, /^error: /m, r.err.slice(0, 600));
      else assert.match(r.err, new RegExp(`mixcast: error \\[${c.code}\\]: `), r.err.slice(0, 600));
      if (typeof c.match === 'string') assert.ok(r.err.includes(c.match), `expected "${c.match}" in: ${r.err.slice(0, 600)}`);
      else assert.match(r.err, c.match);
      assert.doesNotMatch(r.err, /^\s+at .+:\d+:\d+\)?$/m, 'no stack');
      assert.doesNotMatch(r.err, /internal error/);
      assert.ok(r.err.length < 5000, `stderr is ${r.err.length} characters`);
      assert.deepEqual(changes, [], 'no file changed');
    });
  }
});

describe('bad input, command line (real processes: exit code, no stack)', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  for (const args of [
    ['train', '--input', BANK, '--out', '/nonexistent-mixcast/m', '--steps', 'abc'],
    ['train', '--input', BANK, '--out', '/nonexistent-mixcast/m', '--lr', 'NaN'],
    ['serve', '--models', 'fixtures', '--port', 'abc'],
  ]) {
    it(`mixcast ${args.join(' ')}`, () => {
      const r = run(args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^mixcast: error \[BAD_OPTION\]: --(steps|lr|port) must be/m);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
      assert.equal(fs.existsSync('/nonexistent-mixcast'), false);
    });
  }
});
