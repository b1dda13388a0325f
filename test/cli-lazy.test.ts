/**
 * The command line loads lazily: `mixcast --help` imports commander and the command table only,
 * each command's module is imported when that command runs, and `generate` defines its options
 * without the library, so tfjs is loaded only once its action needs the backend. Checked on a
 * fresh compile of the sources (tsc → JavaScript, as `npm run build` makes dist/) by recording
 * every module the process loads (test/helpers/record-imports.mjs) — no clock involved.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, COMMANDS, invokedCommand } from '../src/cli/run.js';
import * as choices from '../src/core/choices.js';
import { FALLBACK_MODES } from '../src/scenarios/index.js';
import { BACKENDS } from '../src/backend.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RECORD = path.join(ROOT, 'test', 'helpers', 'record-imports.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-lazy-'));
const MAIN = path.join(work, 'dist', 'src', 'cli', 'main.js');

before(() => {
  // A compiled copy beside a package.json named mixcast (src/version.ts looks for it), resolving
  // its dependencies through the project's node_modules.
  const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', path.join(work, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}\n${tsc.stderr}`);
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'mixcast', version, type: 'module' }));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Run the compiled `mixcast ARGS…`; its exit code, output and the npm packages it loaded. */
function mixcast(...args: string[]) {
  const log = path.join(work, `imports-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', RECORD, MAIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, MIXCAST_IMPORT_LOG: log } });
  const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n') : [];
  const packages = new Set(lines.map((l) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(l)?.[1]).filter((p): p is string => Boolean(p)));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, packages, lines };
}

const HEAVY = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'arquero', 'vega', 'vega-lite', 'express', 'bullmq', 'ioredis', 'date-holidays', '@bsull/augurs'];
const heavyIn = (packages: Set<string>) => HEAVY.filter((p) => packages.has(p));

describe('compiled mixcast', () => {
  it('--help lists every command and loads commander, nothing heavy and no command module', () => {
    const r = mixcast('--help');
    assert.equal(r.status, 0, r.stderr);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\n  ${c.name}\\b`));
    assert.ok(r.packages.has('commander'), `the import log should show commander: ${[...r.packages].join(', ')}`);
    assert.deepEqual(heavyIn(r.packages), []);
    const commandModules = r.lines.filter((l) => /\/dist\/src\/cli\/(?!main|run|common|flags)[^/]+\.js$/.test(l));
    assert.deepEqual(commandModules, [], 'no command module is imported for the listing');
  });

  it('generate --help and an option error load no tfjs', () => {
    const help = mixcast('generate', '--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout.replace(/\s+/g, ' '), /--fallback <mode> .*\(choices: "error", "mixture"/);
    assert.match(help.stdout, /--backend <name>/);
    assert.deepEqual(heavyIn(help.packages), []);
    const missing = mixcast('generate', '--model', path.join(work, 'no-model'), '--count', '2');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--start/);
    assert.deepEqual(heavyIn(missing.packages), []);
  });

  it('generate loads tfjs when its action needs the backend (the log sees it)', () => {
    const r = mixcast('generate', '--model', path.join(work, 'no-model'), '--start', '2003-10-27', '--count', '2', '--backend', 'cpu');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /NOT_FOUND/);
    assert.ok(r.packages.has('@tensorflow/tfjs'), `tfjs should be loaded: ${[...r.packages].join(', ')}`);
    assert.ok(!r.packages.has('express') && !r.packages.has('bullmq'), 'generate does not load the server or the job queue');
  });
});

describe('the command table', () => {
  it("lists each command as its module defines it (the --help listing is the full program's)", async () => {
    const full = await buildCli('all');
    const listed = await buildCli([]);
    assert.deepEqual(listed.commands.map((c) => c.name()), full.commands.map((c) => c.name()));
    assert.equal(listed.helpInformation(), full.helpInformation());
  });

  it('finds the command an argument list runs', () => {
    assert.equal(invokedCommand(['node', 'mixcast', 'generate', '--count', '5']), 'generate');
    assert.equal(invokedCommand(['help', 'staff'], 'user'), 'staff');
    assert.equal(invokedCommand(['--help'], 'user'), undefined);
    assert.equal(invokedCommand(['-V'], 'user'), undefined);
  });

  it("the light choice lists are the library's", () => {
    assert.deepEqual([...choices.FALLBACK_MODES], [...FALLBACK_MODES]);
    assert.equal(BACKENDS, choices.BACKENDS);
  });
});
