/**
 * Saving models never loses data: `--out` replaces only a mixcast bundle; a save killed at any
 * step leaves the previous bundle or the new one complete; one writer at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { loadModel, readManifest, lockBundle } from '../src/model/bundle.js';
import { discoverModels } from '../src/server/models.js';
import { initBackend } from '../src/backend.js';

const root = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-save-'));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b) => (stdout += b));
    p.stderr.on('data', (b) => (stderr += b));
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const child = (dir: string, seed: number, fault?: string) =>
  run(['--import', 'tsx', path.join(root, 'test/helpers/save-child.ts'), dir, String(seed)], fault ? { MIXCAST_SAVE_FAULT: fault } : {});

const cli = (args: string[], cwd = root) => run(['--import', import.meta.resolve('tsx'), path.join(root, 'src/cli/main.ts'), ...args], {}, cwd);
const trainArgs = ['train', '--input', path.join(root, 'fixtures/bank_calls_2003.csv'), '--interval', '30m', '--close', '21:00', '--steps', '2', '--hidden', '8'];

/** Every file under dir with its content, to prove nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'base64');
    }
  };
  walk(dir);
  return out;
}

test('train --out refuses a folder that is not a mixcast bundle and leaves it untouched (also --out .)', async () => {
  const work = fs.mkdtempSync(path.join(tmp, 'user-'));
  fs.mkdirSync(path.join(work, 'out'));
  fs.writeFileSync(path.join(work, 'out', 'notes.txt'), 'keep\n');
  fs.writeFileSync(path.join(work, 'data.csv'), 'mine\n');
  const before = snapshot(work);
  const [a, b, c] = await Promise.all([
    cli([...trainArgs, '--out', 'out'], work),
    cli([...trainArgs, '--out', '.'], work),
    cli([...trainArgs, '--out', 'data.csv'], work),
  ]);
  for (const r of [a, b, c]) {
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  }
  assert.match(a.stderr, /out exists and is not a mixcast model .*notes\.txt/);
  assert.match(b.stderr, /exists and is not a mixcast model/);
  assert.match(c.stderr, /exists and is (a file|not a directory)/);
  assert.deepEqual(snapshot(work), before);
});

test('a save killed at any step leaves the previous bundle or the new one complete, never neither', async () => {
  await initBackend('wasm');
  // A fresh bundle killed before it is complete: the target does not exist (nothing half-made).
  const freshFaults = ['wrote weights', 'wrote manifest', 'before rename'];
  const fresh = await Promise.all(freshFaults.map((f, i) => child(path.join(tmp, `fresh-${i}`), 1, f)));
  fresh.forEach((r, i) => {
    assert.equal(r.signal, 'SIGKILL', `fault ${freshFaults[i]}: ${r.stderr}`);
    assert.equal(fs.existsSync(path.join(tmp, `fresh-${i}`)), false, `fault ${freshFaults[i]}`);
  });
  // Replacing a bundle: the previous model (seed 1) or the new one (seed 2), whole.
  const old = await child(path.join(tmp, 'base'), 1);
  assert.equal(old.code, 0, old.stderr);
  const oldSha = old.stdout.trim();
  const finished = await child(path.join(tmp, 'done'), 2);
  const newSha = finished.stdout.trim();
  assert.notEqual(oldSha, newSha);
  const replaceFaults = ['wrote weights', 'before manifest', 'wrote manifest', 'after manifest'];
  const dirs = replaceFaults.map((_, i) => path.join(tmp, `swap-${i}`));
  dirs.forEach((d) => fs.cpSync(path.join(tmp, 'base'), d, { recursive: true }));
  const killed = await Promise.all(replaceFaults.map((f, i) => child(dirs[i], 2, f)));
  const seen: string[] = [];
  killed.forEach((r, i) => {
    assert.equal(r.signal, 'SIGKILL', `fault ${replaceFaults[i]}: ${r.stderr}`);
    const m = loadModel(dirs[i]);
    assert.ok([oldSha, newSha].includes(m.manifest.weights.sha256), `fault ${replaceFaults[i]}`);
    seen.push(m.manifest.weights.sha256 === oldSha ? 'old' : 'new');
    m.dispose();
  });
  assert.deepEqual(seen, ['old', 'old', 'old', 'new']);
  // Leftovers are never listed as models, and the next save cleans them up.
  fs.cpSync(path.join(tmp, 'base'), path.join(tmp, 'listing', 'bank'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'listing', '.bank.mixcast-tmp-999999-abcdef'));
  fs.copyFileSync(path.join(tmp, 'base', 'manifest.json'), path.join(tmp, 'listing', '.bank.mixcast-tmp-999999-abcdef', 'manifest.json'));
  assert.deepEqual(discoverModels(path.join(tmp, 'listing')).map((m) => m.id), ['bank']);
  const again = await child(dirs[0], 3);
  assert.equal(again.code, 0, again.stderr);
  const names = fs.readdirSync(dirs[0]).sort();
  assert.deepEqual(names, ['manifest.json', readManifest(dirs[0]).weights.file].sort());
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.startsWith('.swap-0.')), []);
  // The killed fresh saves left only hidden temp folders (never listed), cleaned by the next save.
  assert.ok(fs.readdirSync(tmp).some((n) => n.startsWith('.fresh-0.mixcast-tmp-')));
  assert.equal((await child(path.join(tmp, 'fresh-0'), 1)).code, 0);
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.startsWith('.fresh-0.')), []);
});

test('one writer at a time: a held lock refuses a second train; a stale lock is taken over', async () => {
  const dir = path.join(tmp, 'locked');
  const lock = lockBundle(dir);
  try {
    const r = await cli([...trainArgs, '--out', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`another mixcast process \\(pid ${process.pid}\\) is writing`));
    assert.equal(fs.existsSync(dir), false);
  } finally {
    lock.release();
  }
  // A lock left by a process that no longer exists.
  fs.writeFileSync(path.join(tmp, '.locked.mixcast-lock'), '999999\n');
  const ok = await child(dir, 4);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(fs.existsSync(path.join(tmp, '.locked.mixcast-lock')), false);
  loadModel(dir).dispose();
});
