/**
 * The layer rules (.dependency-cruiser.cjs, `npm run lint:deps`): a forbidden import fails the
 * check, an allowed one passes, type-only imports count, and the real tree passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

interface Cruise {
  code: number | null;
  /** `rule: from → to` per forbidden import reported as an error. */
  errors: string[];
  output: string;
}

/** Run dependency-cruiser (as `npm run lint:deps` does) with the project's rules on `files`, relative to `cwd`. */
function cruise(cwd: string, files: string[]): Cruise {
  const r = spawnSync(process.execPath, [BIN, '--config', CONFIG, '--output-type', 'err', ...files], { cwd, encoding: 'utf8', timeout: 240_000 });
  const output = `${r.stdout}${r.stderr}`;
  const errors = [...output.matchAll(/^\s*error (\S+): (\S+) → (\S+)$/gm)].map((m) => `${m[1]}: ${m[2]} → ${m[3]}`);
  return { code: r.status, errors, output };
}

/** A scratch tree with the given files (path → source). */
function scratch(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-layers-'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

test('a file under adapters/ that imports the model layer fails the check', () => {
  const dir = scratch({
    'src/model/model.ts': 'export const model = 1;\n',
    'adapters/probe.ts': "import { model } from '../src/model/model.js';\nexport const probe = model;\n",
  });
  try {
    const r = cruise(dir, ['adapters/probe.ts']);
    assert.notEqual(r.code, 0, `the check passed: ${r.output}`);
    assert.deepEqual(r.errors, ['adapters-only-core: adapters/probe.ts → src/model/model.ts']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('type-only imports count; src/core imports nothing above it; the model layer does not import apps', () => {
  const dir = scratch({
    'src/model/model.ts': 'export interface Model { d: number }\n',
    'src/cli/run.ts': 'export const run = 1;\n',
    'src/core/errors.ts': "import type { Model } from '../model/model.js';\nexport type E = Model;\n",
    'src/train/fit.ts': "import { run } from '../cli/run.js';\nexport const fit = run;\n",
  });
  try {
    const r = cruise(dir, ['src/core/errors.ts', 'src/train/fit.ts']);
    assert.notEqual(r.code, 0, r.output);
    assert.deepEqual(r.errors.sort(), [
      'core-imports-nothing-above: src/core/errors.ts → src/model/model.ts',
      'model-not-above: src/train/fit.ts → src/cli/run.ts',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('allowed imports pass: adapters/ → src/core, an app → another app through its index.ts', () => {
  const dir = scratch({
    'src/core/errors.ts': 'export const e = 1;\n',
    'adapters/probe.ts': "import { e } from '../src/core/errors.js';\nexport const probe = e;\n",
    'src/staffing/index.ts': 'export const staff = 1;\n',
    'src/staffing/plan.ts': 'export const plan = 1;\n',
    'src/cli/staff.ts': "import { staff } from '../staffing/index.js';\nexport const s = staff;\n",
    'src/cli/plan.ts': "import { plan } from '../staffing/plan.js';\nexport const p = plan;\n",
  });
  try {
    const ok = cruise(dir, ['adapters/probe.ts', 'src/cli/staff.ts']);
    assert.equal(ok.code, 0, ok.output);
    assert.deepEqual(ok.errors, []);
    const bad = cruise(dir, ['src/cli/plan.ts']);
    assert.notEqual(bad.code, 0, bad.output);
    assert.deepEqual(bad.errors, ['apps-not-each-others-internals: src/cli/plan.ts → src/staffing/plan.ts']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the tree passes npm run lint:deps (only the exceptions listed in the config are ignored)', () => {
  const r = cruise(ROOT, ['src/**/*.ts', 'src/**/*.mjs', 'adapters/**/*.ts', 'bench/**/*.ts']);
  assert.deepEqual(r.errors, []);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /no dependency violations found \(\d+ modules/);
});
