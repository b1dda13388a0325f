/**
 * A typed client from the live /openapi.json: openapi-typescript generates the types from the
 * document a running server (tiny model, in-process jobs) serves, the project's tsc type-checks
 * test/openapi-client/client.ts — one openapi-fetch call per route — against them (and refuses a
 * call that breaks the document), and the program then runs against that server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { startServer, type RunningServer } from '../src/server/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-client-'));
const START = '2003-10-27';
let server: RunningServer;

const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
};

/** Type-check `file` in the scratch project with the project's tsc; its exit code and output. */
function typecheck(file: string) {
  fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, files: [file] }));
  const r = spawnSync(bin('tsc'), ['-p', work], { cwd: work, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

before(async () => {
  await initBackend('wasm');
  const models = path.join(work, 'models');
  const ds = await ingest({ input: path.join(ROOT, 'fixtures/bank_calls_2003.csv'), interval: '1h', close: '21:00' });
  const { model } = fitModel(ds, { prior: 'weekday', steps: 20, hidden: 16, blocks: 1, seed: 1 });
  await saveModel(model, path.join(models, 'bank'));
  model.dispose();
  server = await startServer({ models: path.join(models, 'bank'), port: 0, workers: 0, token: null, redis: null, jobThreads: 0, backend: 'wasm' });
  fs.writeFileSync(path.join(work, 'openapi.json'), await (await fetch(`${server.url}/openapi.json`)).text());
  // A scratch ESM project resolving openapi-fetch, @types/node and tsx through the project's node_modules.
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'client', private: true, type: 'module' }));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  fs.copyFileSync(path.join(ROOT, 'test', 'openapi-client', 'client.ts'), path.join(work, 'client.ts'));
});

after(async () => {
  await server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a client generated from /openapi.json', () => {
  it('openapi-typescript generates named types for the schemas and every route', () => {
    const r = spawnSync(bin('openapi-typescript'), ['openapi.json', '--output', 'schema.d.ts'], { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const types = fs.readFileSync(path.join(work, 'schema.d.ts'), 'utf8');
    const doc = JSON.parse(fs.readFileSync(path.join(work, 'openapi.json'), 'utf8')) as { paths: Record<string, object> };
    for (const route of Object.keys(doc.paths)) assert.ok(types.includes(`"${route}": {`), `no type for ${route}`);
    for (const name of ['Transform', 'Observed', 'WhatIfCase', 'StaffingPlan', 'ScenarioResult', 'JobResult', 'Error']) {
      assert.match(types, new RegExp(`\\n    ${name}: `), `no named type ${name}`);
    }
    assert.match(types, /code: "BAD_INPUT" \| "BAD_OPTION" \|/, 'Error.code is an enum');
  });

  it('the program that calls every route type-checks with the project tsc', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(work, 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const program = fs.readFileSync(path.join(work, 'client.ts'), 'utf8');
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        assert.ok(program.includes(`client.${method.toUpperCase()}('${route}'`), `test/openapi-client/client.ts does not call ${method.toUpperCase()} ${route}: add the call`);
      }
    }
    const r = typecheck('client.ts');
    assert.equal(r.status, 0, r.output);
  });

  it('a call that breaks the document does not type-check', () => {
    fs.writeFileSync(
      path.join(work, 'wrong.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';
const client = createClient<paths, 'application/json'>({ baseUrl: 'http://127.0.0.1' });
await client.POST('/v1/scenarios', { body: { start: '2003-10-27', count: 'many' } });
await client.GET('/v1/models/{id}', { params: { path: { model: 'bank' } } });
const r = await client.GET('/v1/models');
r.data?.models[0].weekdays;
`,
    );
    const r = typecheck('wrong.ts');
    assert.notEqual(r.status, 0);
    assert.match(r.output, /wrong\.ts\(4,\d+\).*'string' is not assignable to type 'number'/);
    assert.match(r.output, /wrong\.ts\(5,\d+\)/);
    assert.match(r.output, /wrong\.ts\(7,\d+\).*weekdays/);
  });

  it('runs against the live server: every route answers as typed', async () => {
    // Asynchronously: the server runs in this process and must keep answering while the client runs.
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'client.ts', server.url, 'bank', START], { cwd: work, encoding: 'utf8', timeout: 300_000 });
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    for (const op of ['getHealth', 'getOpenApi', 'listModels', 'getModel', 'createScenarios', 'createForecast', 'createWhatIf', 'createStaffing', 'getJobResult', 'cancelJob']) {
      assert.equal(report[op], 200, `${op}: ${report[op]}`);
    }
    assert.ok(report.createJob === 202 || report.createJob === 200, `createJob: ${report.createJob}`);
    assert.equal(report.healthStatus, 'ok');
    assert.deepEqual(report.model, { id: 'bank', intervals: 14, zone: 'UTC' });
    assert.equal(report.scenarioValues, 4);
    assert.ok(typeof report.forecastTotalMean === 'number' && report.forecastTotalMean > 0);
    assert.deepEqual(report.whatifCases, ['baseline', 'plus10']);
    assert.equal(report.coverageAgents, 14);
    assert.equal(report.jobState, 'completed');
    assert.deepEqual(report.jobResult, { kind: 'scenarios', series: ['bank'], results: 1 });
    assert.deepEqual(report.missingModel, { status: 404, code: 'NOT_FOUND' });
    assert.deepEqual(report.modelSeries, { status: 404, code: 'NOT_FOUND', collections: 0 });
  });
});
