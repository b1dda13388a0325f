import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { register, type ScenarioRequest } from '../src/cli/staff.js';
import { erlangA, erlangC, simulate, parseScenariosCsv } from '../src/staffing/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'staff', ...args], { cwd: root, encoding: 'utf8' });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-staff-'));

const published = ['--calls', '100', '--interval', '30m', '--aht', '3m', '--target', '0.8', '--within', '20s', '--max-occupancy', '0.85', '--shrinkage', '0.3'];

test('staff erlang-c prints the published example', () => {
  const r = cli('erlang-c', ...published);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /agents\s+14\n/);
  assert.match(r.stdout, /scheduled staff\s+20\b/);
  assert.match(r.stdout, /service level\s+0\.88835\b/);
  assert.match(r.stdout, /P\(wait\)\s+0\.17413\b/);
  assert.match(r.stdout, /occupancy\s+0\.71429\b/);
  const j = cli('erlang-c', ...published, '--format', 'json');
  assert.equal(j.status, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.equal(out.result.agents, 14);
  assert.equal(out.result.scheduled, 20);
  assert.ok(Math.abs(out.result.serviceLevel - 0.88835) < 5e-6);
});

test('staff erlang-a matches the library', () => {
  const r = cli('erlang-a', '--calls', '1000', '--interval', '1h', '--aht', '2m', '--target', '0.8', '--within', '20s', '--patience', '2m', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const lib = erlangA({ calls: 1000, intervalSeconds: 3600, aht: 120, target: 0.8, within: 20, patience: 120 });
  assert.equal(out.result.agents, lib.agents);
  assert.ok(Math.abs(out.result.probAbandon - lib.probAbandon) < 1e-12);
});

test('a bad option exits non-zero with a message and no stack', () => {
  for (const args of [
    ['erlang-c', ...published.slice(0, 7), '1.5', '--within', '20s'],
    ['erlang-c', '--calls', '100', '--interval', '30', '--aht', '3m', '--target', '0.8', '--within', '20s'],
  ]) {
    const r = cli(...args);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /mixcast: error \[BAD_OPTION\]/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(r.stdout, '');
  }
  const missing = cli('simulate', '--plan', path.join(tmp, 'nope.csv'), '--scenarios', path.join(tmp, 'nope.csv'), '--aht', '3m', '--within', '20s', '--seed', '1', '--interval', '30m');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /does not exist/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
});

test('staff simulate reads the generator long CSV and a plan, writes CSV and JSON', () => {
  const lines = ['date,component,scenario,interval_start,value'];
  const days: number[][] = [];
  for (let s = 0; s < 30; s++) {
    const day = [80, 120, 100, 60].map((b, i) => b + ((s * 7 + i * 3) % 21) - 10);
    days.push(day);
    day.forEach((v, i) => lines.push(`2024-03-04,monday,${s},2024-03-04T${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}:00,${v}`));
  }
  const scen = path.join(tmp, 'scen.csv');
  // rows in reverse order: the reader must group and order them itself
  fs.writeFileSync(scen, [lines[0], ...lines.slice(1).reverse()].join('\n') + '\n');
  assert.deepEqual(parseScenariosCsv(fs.readFileSync(scen, 'utf8')).scenarios, days);
  const planFile = path.join(tmp, 'plan.csv');
  fs.writeFileSync(planFile, 'agents\n13\n16\n14\n10\n');
  const csvOut = path.join(tmp, 'sim.csv');
  const r = cli('simulate', '--plan', planFile, '--scenarios', scen, '--aht', '3m', '--within', '20s', '--seed', '7', '--patience', '2m', '--out', csvOut);
  assert.equal(r.status, 0, r.stderr);
  const csv = fs.readFileSync(csvOut, 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 4 + 1);
  assert.match(csv[0], /^interval,agents,calls_mean,sl_mean,sl_q0\.1,sl_q0\.9,sl_pooled/);
  assert.match(csv[5], /^day,53,/);
  const jsonOut = path.join(tmp, 'sim.json');
  const rj = cli('simulate', '--plan', planFile, '--scenarios', scen, '--aht', '3m', '--within', '20s', '--seed', '7', '--patience', '2m', '--out', jsonOut);
  assert.equal(rj.status, 0, rj.stderr);
  const out = JSON.parse(fs.readFileSync(jsonOut, 'utf8'));
  const lib = simulate({ plan: [13, 16, 14, 10], scenarios: days, intervalSeconds: 1800, aht: 180, within: 20, seed: 7, patience: 120 });
  assert.equal(out.day.pooled.serviceLevel, lib.day.pooled.serviceLevel);
  assert.equal(out.intervalSeconds, 1800, 'interval length read from interval_start');
  assert.deepEqual(out.intervalLabels, ['2024-03-04T09:00:00', '2024-03-04T09:30:00', '2024-03-04T10:00:00', '2024-03-04T10:30:00']);
});

test('staff plan (registered with a scenario source) staffs a date from its scenarios', async () => {
  const day = [50, 150, 300];
  const seen: ScenarioRequest[] = [];
  const program = new Command('mixcast').exitOverride();
  register(program, async (req) => {
    seen.push(req);
    return { values: Array.from({ length: req.count }, () => [...day]), intervalSeconds: 1800 };
  });
  const out = path.join(tmp, 'plan.json');
  await program.parseAsync(['staff', 'plan', '--model', 'm', '--date', '2024-03-04', '--count', '40', '--seed', '3', '--aht', '3m', '--target', '0.8', '--within', '20s', '--cost-under', '3', '--cost-over', '1', '--out', out], { from: 'user' });
  assert.deepEqual(seen, [{ model: 'm', date: '2024-03-04', count: 40, seed: 3, backend: undefined, originOptions: { history: undefined, origin: undefined, futureCovariates: undefined } }]);
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  const expected = day.map((calls) => erlangC({ calls, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20 }).agents);
  assert.deepEqual(r.plans.mean.agents, expected);
  assert.deepEqual(r.plans.coverage.agents, expected);
  assert.deepEqual(r.plans.newsvendor.agents, expected);
  assert.equal(r.scenarios, 40);
  assert.equal(r.criticalRatio, 0.75);
});
