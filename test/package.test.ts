/**
 * The published package, as a user gets it: `npm pack` (which builds dist/ through prepack),
 * install the tarball into a scratch project without mixcast's dev dependencies, import it from
 * plain Node ESM, type-check a consumer's TypeScript against the shipped .d.ts, and run the
 * installed `mixcast` bin (help, a tiny train + generate, and serve with a worker thread).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-package-'));
const app = path.join(work, 'app');

function run(cmd: string, args: string[], cwd: string, timeout = 240_000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.error) throw r.error;
  return r;
}
const ok = (r: SpawnSyncReturns<string>, what: string) => assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);

/** The installed bin, run the way npx runs it (node_modules/.bin/mixcast). */
const mixcast = (args: string[], timeout?: number) => run(path.join(app, 'node_modules', '.bin', 'mixcast'), args, app, timeout);

let packed: { filename: string; files: { path: string }[] };

before(() => {
  // npm pack prints lifecycle output before its JSON report; the report is the last top-level array
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  ok(pack, 'npm pack');
  packed = JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1))[0];
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, packed.filename), '@types/node@20'], app, 480_000);
  ok(install, 'npm install of the tarball');
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('ships compiled JS with types and the bin, and no tests, benches, CI or TypeScript sources', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'bin/mixcast.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/server/worker.js', 'dist/adapters/read.js']) {
      assert.ok(files.includes(f), `${f} is missing from the tarball`);
    }
    // npm always ships README files; anything else from the sources, tests, benches or CI is stray
    const source = (f: string) => /^(test|bench|\.ci|adapters)\//.test(f) || (/^src\//.test(f) && !/^src\/server\/web\/(page|dist)\//.test(f));
    const stray = files.filter((f) => !/(^|\/)README\.md$/.test(f) && (source(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))));
    assert.deepEqual(stray, []);
  });

  it('installs without mixcast dev dependencies (no tsx, no typescript)', () => {
    assert.ok(fs.existsSync(path.join(app, 'node_modules', 'mixcast', 'dist', 'src', 'index.js')));
    assert.equal(fs.existsSync(path.join(app, 'node_modules', 'tsx')), false);
    assert.equal(fs.existsSync(path.join(app, 'node_modules', 'typescript')), false);
  });
});

describe('a consumer project', () => {
  it("imports 'mixcast' from plain Node ESM and ingests the bundled data", () => {
    fs.writeFileSync(
      path.join(app, 'use.mjs'),
      `import { ingest, fitModel, generateScenarios, MixcastError } from 'mixcast';
const days = await ingest({ input: 'node_modules/mixcast/fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
let refused = null;
try { await ingest({ input: 'nope.csv', interval: '30m' }); } catch (e) { refused = e instanceof MixcastError ? e.code : String(e); }
console.log(JSON.stringify({ days: days.days.length, d: days.days[0].values.length, fit: typeof fitModel, gen: typeof generateScenarios, refused }));
`,
    );
    const r = run(process.execPath, ['use.mjs'], app);
    ok(r, 'node use.mjs');
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.ok(out.days > 50, `expected the bank fixture's days, got ${out.days}`);
    assert.equal(out.d, 28); // 07:00-21:00 in 30-minute slots
    assert.equal(out.fit, 'function');
    assert.equal(out.gen, 'function');
    assert.equal(out.refused, 'BAD_INPUT');
  });

  it("type-checks its own TypeScript against mixcast's .d.ts, and the types are real (a wrong field is an error)", () => {
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['good.ts'] }),
    );
    fs.writeFileSync(
      path.join(app, 'good.ts'),
      `import { fitModel, generateScenarios, MixcastError, type FitOptions, type DaySeries } from 'mixcast';
export function train(days: DaySeries) {
  const options: Partial<FitOptions> = { prior: 'weekday', steps: 5, seed: 1 };
  const { model } = fitModel(days, options);
  const result = generateScenarios({ model, start: '2003-10-27', end: '2003-10-27', count: 5, seed: 1 });
  model.dispose();
  return result;
}
export const isUserError = (e: unknown): boolean => e instanceof MixcastError;
`,
    );
    ok(run(TSC, ['-p', 'tsconfig.json'], app), 'tsc on the consumer');
    fs.writeFileSync(path.join(app, 'bad.ts'), `import type { FitOptions } from 'mixcast';\nexport const o: Partial<FitOptions> = { steps: 'five' };\n`);
    fs.writeFileSync(path.join(app, 'tsconfig.bad.json'), JSON.stringify({ extends: './tsconfig.json', files: ['bad.ts'] }));
    const bad = run(TSC, ['-p', 'tsconfig.bad.json'], app);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /bad\.ts.*TS2322/);
  });

  it('runs the installed bin: --help, a tiny train and generate', () => {
    const help = mixcast(['--help']);
    ok(help, 'mixcast --help');
    assert.match(help.stdout, /Usage: mixcast/);
    for (const cmd of ['ingest', 'train', 'generate', 'forecast', 'staff', 'serve']) assert.match(help.stdout, new RegExp(`\\n  ${cmd}\\b`));
    const train = mixcast(['train', '--input', 'node_modules/mixcast/fixtures/bank_calls_2003.csv', '--interval', '30m', '--close', '21:00', '--steps', '5', '--seed', '1', '--backend', 'wasm', '--out', 'model']);
    ok(train, 'mixcast train');
    assert.equal(JSON.parse(train.stdout).steps, 5);
    const gen = mixcast(['generate', '--model', 'model', '--start', '2003-10-27', '--end', '2003-10-27', '--count', '3', '--seed', '1', '--backend', 'wasm', '--out', 'scenarios.csv']);
    ok(gen, 'mixcast generate');
    const lines = fs.readFileSync(path.join(app, 'scenarios.csv'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1 + 3 * 28);
    const bad = mixcast(['generate', '--model', 'no-such-model', '--start', '2003-10-27', '--count', '3']);
    assert.equal(bad.status, 2);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });

  it('serves from the installed copy with a worker thread running the compiled worker', async () => {
    const child = spawn(path.join(app, 'node_modules', '.bin', 'mixcast'), ['serve', '--models', app, '--port', '0', '--workers', '1', '--backend', 'wasm'], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 90_000);
        child.stderr.on('data', (b) => {
          stderr += b;
          const m = /listening on (http:\/\/\S+)/.exec(stderr);
          if (m) (clearTimeout(timer), resolve(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
      });
      const res = await fetch(`${url}/v1/scenarios`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'model', start: '2003-10-27', end: '2003-10-27', count: 4, seed: 1 }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { dates: { values: number[][] }[] };
      assert.equal(body.dates[0].values.length, 4);
      const health = (await (await fetch(`${url}/healthz`)).json()) as { workers: { threads: unknown[] } };
      assert.equal(health.workers.threads.length, 1);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
