/**
 * A client program typed by the server's own /openapi.json: test/openapi-client.test.ts generates
 * `schema.d.ts` from the live document with openapi-typescript, type-checks this file against it
 * with the project's tsc, then runs it against that server. It calls every route through
 * openapi-fetch, so a path, a parameter, a body field or a response field the document does not
 * declare (or declares with another type) fails the type-check. Prints one JSON report line.
 *
 * Not part of `npm run typecheck` (tsconfig.json excludes this folder): schema.d.ts exists only
 * in the test's scratch folder.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Schemas = components['schemas'];
type Transform = Schemas['Transform'];
type WhatIfCase = Schemas['WhatIfCase'];
type Observed = Schemas['Observed'];
type ErrorCode = Schemas['Error']['error']['code'];
type StaffingPlan = Schemas['StaffingPlan'];

const [baseUrl, modelId, start] = process.argv.slice(2);
const client = createClient<paths, 'application/json'>({ baseUrl });
const report: Record<string, unknown> = {};

/** The data of a call that must succeed; its status is kept in the report under `name`. */
function ok<T>(name: string, r: { data?: T; error?: unknown; response: Response }): T {
  report[name] = r.response.status;
  if (r.data === undefined) throw new Error(`${name}: ${r.response.status} ${JSON.stringify(r.error)}`);
  return r.data;
}

const health = ok('getHealth', await client.GET('/healthz'));
report.healthStatus = health.status;
const doc = ok('getOpenApi', await client.GET('/openapi.json'));
report.documentKeys = Object.keys(doc).length;

const list = ok('listModels', await client.GET('/v1/models'));
const model = ok('getModel', await client.GET('/v1/models/{id}', { params: { path: { id: modelId } } }));
report.model = { id: model.id, intervals: list.models[0].intervals, zone: model.zone };
// One series of a model of several series; this server's one bundle has none, so a typed 404.
const series = await client.GET('/v1/models/{id}/series/{series}', { params: { path: { id: modelId, series: 'no-such-series' } } });
report.modelSeries = { status: series.response.status, code: series.error?.error.code, collections: list.collections?.length ?? 0 };

const plus10: Transform = { type: 'scale', factor: 1.1 };
const day = { model: modelId, start, seed: 3 };
const scenarios = ok('createScenarios', await client.POST('/v1/scenarios', { body: { ...day, count: 4, whatIf: [plus10] } }));
report.scenarioValues = scenarios.dates[0].values.length;

const observed: Observed = { date: start, values: [100, null, 120] };
const forecast = ok('createForecast', await client.POST('/v1/forecast', { body: { ...day, count: 20, quantiles: [0.1, 0.5, 0.9], observed } }));
report.forecastTotalMean = forecast.dates[0].summary.total.mean;

const cases: WhatIfCase[] = [{ name: 'plus10', transforms: [plus10] }];
const whatif = ok('createWhatIf', await client.POST('/v1/whatif', { body: { ...day, count: 20, cases } }));
report.whatifCases = whatif.cases;

// Durations as seconds or as text, the same as on the command line.
const staffing = ok('createStaffing', await client.POST('/v1/staffing', { body: { ...day, count: 20, aht: '180s', target: 0.8, within: 20, coverage: 0.9 } }));
const coverage: StaffingPlan = staffing.dates[0].result.plans.coverage;
report.coverageAgents = coverage.agents.length;

const submitted = ok('createJob', await client.POST('/v1/jobs', { body: { kind: 'scenarios', model: modelId, start, count: 3, seed: 1 } }));
let status = submitted;
for (let i = 0; i < 600 && status.state !== 'completed' && status.state !== 'failed'; i++) {
  await new Promise((r) => setTimeout(r, 100));
  status = ok('getJob', await client.GET('/v1/jobs/{id}', { params: { path: { id: submitted.id } } }));
}
report.jobState = status.state;
const result = ok('getJobResult', await client.GET('/v1/jobs/{id}/result', { params: { path: { id: submitted.id } } }));
report.jobResult = { kind: result.kind, series: result.series, results: result.results.length };
const cancelled = ok('cancelJob', await client.DELETE('/v1/jobs/{id}', { params: { path: { id: submitted.id } } }));
report.cancelledState = cancelled.state;

// An error answer is typed too: its code is one of the document's enum.
const missing = await client.GET('/v1/models/{id}', { params: { path: { id: 'no-such-model' } } });
const code: ErrorCode | undefined = missing.error?.error.code;
report.missingModel = { status: missing.response.status, code };

process.stdout.write(`${JSON.stringify(report)}\n`);
