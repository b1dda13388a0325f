import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { backendLine, initBackend } from '../src/backend.js';
import { setupBackend } from '../src/cli/common.js';

const root = path.join(import.meta.dirname, '..');

test("a user's uncaught MixcastError after the wasm backend starts: its message, short, no tfjs-wasm source", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-err-'));
  try {
    const url = (f: string) => pathToFileURL(path.join(root, f)).href;
    const script = path.join(dir, 'user.mjs');
    fs.writeFileSync(
      script,
      `import { initBackend } from '${url('src/backend.ts')}';\n` +
        `import { optionError } from '${url('src/core/errors.ts')}';\n` +
        `await initBackend('wasm');\n` +
        `throw optionError('steps must be a positive integer, got -1');\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /MixcastError: steps must be a positive integer, got -1/);
    assert.doesNotMatch(r.stderr, /WasmBackendModule|tfjs-backend-wasm/);
    assert.ok(r.stderr.length < 2000, `stderr is ${r.stderr.length} characters`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('starting the wasm backend leaves no process listeners behind', async () => {
  const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
  await initBackend('wasm');
  assert.deepEqual([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')], before);
});

test('the backend line is one short line without paths, printed once per process', async () => {
  assert.equal(
    backendLine({ requested: 'auto', name: 'wasm', tfBackend: 'wasm', skipped: [{ name: 'tensorflow-gpu', reason: 'not installed' }, { name: 'tensorflow', reason: 'not installed' }] }),
    'backend wasm (tensorflow, tensorflow-gpu not installed)',
  );
  assert.equal(backendLine({ requested: 'wasm', name: 'wasm', tfBackend: 'wasm', skipped: [] }), 'backend wasm');

  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await setupBackend({ backend: 'wasm' });
    await setupBackend({ backend: 'wasm' });
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(lines, ['mixcast: backend wasm\n']);

  // auto in a child process: the real skipped reasons, no install paths
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const { initBackend, backendLine } = await import('./src/backend.ts'); console.log(backendLine(await initBackend('auto')));`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.trim();
  assert.match(line, /^backend (wasm|tensorflow|tensorflow-gpu|cpu)( \(.+\))?$/);
  assert.doesNotMatch(line, /\//);
  assert.ok(line.length < 120, line);
});
