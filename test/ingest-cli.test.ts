import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingest } from '../adapters/index.js';
import { parseCsv } from '../adapters/read.js';

const root = path.join(import.meta.dirname, '..');
const fx = (f: string) => path.join(root, 'fixtures', f);

function mixcast(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('mixcast ingest writes one row per kept day with calendar keys, and reads back as a wide table', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-cli-'));
  try {
    const out = path.join(dir, 'bank30.csv');
    fs.writeFileSync(path.join(dir, 'h.txt'), '2003-03-04,a made-up holiday\n');
    const r = mixcast(['ingest', '--input', fx('bank_calls_2003.csv'), '--interval', '30m', '--close', '21:00', '--holidays', path.join(dir, 'h.txt'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /164 read, 164 kept, 0 dropped/);
    assert.match(r.stderr, /re-aggregated 5m → 30m/);
    assert.match(r.stderr, /weekday: Mon 31 · Tue 33 · Wed 34 · Thu 34 · Fri 32/);
    assert.match(r.stderr, /wrote 164 days × 28 intervals/);
    const t = parseCsv(fs.readFileSync(out, 'utf8'));
    assert.deepEqual(t.columns.slice(0, 7), ['date', 'weekday', 'daytype', 'month', 'season', 'holiday', 'v0']);
    assert.equal(t.columns.length, 6 + 28);
    assert.equal(t.rows.length, 164);
    assert.deepEqual(t.rows[0].date, '2003-03-03');
    assert.deepEqual([t.rows[0].weekday, t.rows[0].daytype, t.rows[0].month, t.rows[0].season, t.rows[0].holiday], ['Mon', 'weekday', 'Mar', 'spring', 'regular']);
    assert.equal(t.rows[1].holiday, 'holiday');
    assert.match(r.stderr, /holiday: holiday 1 · regular 163/);
    const ds = await ingest({ input: fx('bank_calls_2003.csv'), interval: '30m', close: '21:00' });
    const back = await ingest({ input: out, format: 'wide', interval: '30m', open: '07:00' });
    assert.deepEqual(back.days, ds.days);
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0);

    // JSON by extension, chosen key columns, Israeli weekend
    const json = path.join(dir, 'il.json');
    const j = mixcast(['ingest', '--input', fx('anonymous_bank_calls_1999.csv'), '--tz', 'Asia/Jerusalem', '--weekend', 'fri,sat', '--keys', 'weekday,daytype', '--days', 'fri,sat', '--out', json]);
    assert.equal(j.code, 0, j.stderr);
    const rows = JSON.parse(fs.readFileSync(json, 'utf8')) as Record<string, unknown>[];
    assert.equal(rows.length, 53 + 52);
    assert.deepEqual(Object.keys(rows[0]).slice(0, 4), ['date', 'weekday', 'daytype', 'v0']);
    assert.ok(rows.every((x) => x.daytype === 'weekend'));
    assert.match(j.stderr, /outside-days: 258 days/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mixcast ingest on bad input: non-zero exit, the problem named, no stack trace', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-cli-'));
  try {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'timestamp,calls\n2003-03-03T07:00:00,1\n2003-03-03T07:05:00,2,3\n');
    const r = mixcast(['ingest', '--input', bad, '--out', path.join(dir, 'x.csv')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error \[BAD_INPUT\]: .*bad\.csv: row 2 \(line 3\) has 3 fields, the header has 2/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(fs.existsSync(path.join(dir, 'x.csv')), false);
    const w = mixcast(['ingest', '--input', fx('bank_calls_2003.csv'), '--interval', '30m']);
    assert.equal(w.code, 2);
    assert.match(w.stderr, /error \[BAD_OPTION\]: .*set --close to 21:00 \(28 intervals\) or 21:30/);
    assert.equal(w.stdout, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
