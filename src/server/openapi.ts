/**
 * /openapi.json: an OpenAPI 3.1 document whose schemas are generated from the zod schemas
 * (z.toJSONSchema over a registry, so shared parts such as Transform, Observed, StaffingPlan and
 * ScenarioResult are named components that the request and response bodies reference).
 */
import { z } from 'zod';
import type { ErrorCode } from '../core/errors.js';
import {
  errorSchema,
  forecastRequestSchema,
  forecastResponseSchema,
  healthSchema,
  jobResultSchema,
  modelListSchema,
  modelSummarySchema,
  observedSchema,
  scenariosRequestSchema,
  staffingRequestSchema,
  staffingResponseSchema,
  scenariosResponseSchema,
  whatIfRequestSchema,
  whatIfResponseSchema,
} from './schemas.js';
import { whatIfCaseSchema, whatIfTransformSchema } from '../scenarios/index.js';
import { batchRequestSchema, jobStatusSchema } from '../jobs/index.js';

/** Every code an error body can carry: the typed errors (src/core/errors.ts) and the server's INTERNAL. */
const CODES: Record<ErrorCode | 'INTERNAL', true> = {
  BAD_INPUT: true,
  BAD_OPTION: true,
  BAD_REQUEST: true,
  NOT_FOUND: true,
  UNPROCESSABLE: true,
  BAD_MODEL: true,
  BACKEND_UNAVAILABLE: true,
  UNAUTHORIZED: true,
  TOO_LARGE: true,
  TIMEOUT: true,
  CONFLICT: true,
  INTERNAL: true,
};
export const ERROR_CODES = Object.keys(CODES) as (ErrorCode | 'INTERNAL')[];

type Named = Record<string, z.ZodType>;

/** JSON Schemas of named zod schemas; a named schema used inside another becomes a $ref to its component. */
function components(named: Named, io: 'input' | 'output'): Record<string, Record<string, unknown>> {
  const reg = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) reg.add(schema, { id });
  const out = z.toJSONSchema(reg, { io, unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Record<string, unknown>> };
  for (const schema of Object.values(out.schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return out.schemas;
}

const scenarioResult = scenariosResponseSchema.shape.dates.element;
const staffingResult = staffingResponseSchema.shape.dates.element;

/** Request bodies and their named parts (read as input: defaults make fields optional). */
const REQUESTS: Named = {
  ScenariosRequest: scenariosRequestSchema,
  ForecastRequest: forecastRequestSchema,
  WhatIfRequest: whatIfRequestSchema,
  StaffingRequest: staffingRequestSchema,
  JobRequest: batchRequestSchema,
  Observed: observedSchema,
  Transform: whatIfTransformSchema,
  WhatIfCase: whatIfCaseSchema,
};

/** Response bodies and their named parts. */
const RESPONSES: Named = {
  ScenariosResponse: scenariosResponseSchema,
  ForecastResponse: forecastResponseSchema,
  WhatIfResponse: whatIfResponseSchema,
  StaffingResponse: staffingResponseSchema,
  ModelList: modelListSchema,
  ModelSummary: modelSummarySchema,
  Health: healthSchema,
  Error: errorSchema,
  JobStatus: jobStatusSchema,
  JobResult: jobResultSchema,
  ScenarioResult: scenarioResult,
  ForecastResult: forecastResponseSchema.shape.dates.element,
  DaySummary: scenarioResult.shape.summary,
  StaffingResult: staffingResult,
  StaffingPlan: staffingResult.shape.result.shape.plans.shape.mean,
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });

const ERROR_TEXT: Record<number, string> = {
  400: 'malformed JSON or fields',
  401: 'missing or wrong bearer token (when MIXCAST_API_TOKEN is set)',
  404: 'unknown model or job',
  409: 'the job has not completed yet',
  413: 'body too large',
  422: 'impossible request: reversed dates, unseen calendar key, count or size over the limits',
  500: 'internal error (logged on the server)',
  503: 'timed out or shutting down',
};

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c], content: json(ref('Error')) }]));

export interface OpenApiOptions {
  /** The server has MIXCAST_API_TOKEN, so /v1 needs the bearer token. Without one (default) the token is optional. */
  tokenRequired?: boolean;
}

export function openApiDocument(version: string, opts: OpenApiOptions = {}): Record<string, unknown> {
  const schemas = { ...components(REQUESTS, 'input'), ...components(RESPONSES, 'output') };
  const error = (schemas.Error.properties as { error: { properties: Record<string, unknown> } }).error;
  error.properties.code = { type: 'string', enum: ERROR_CODES, description: 'what kind of problem; the message says what to fix' };

  // {} = no token needed (a server without MIXCAST_API_TOKEN ignores one)
  const security = opts.tokenRequired ? [{ bearer: [] }] : [{}, { bearer: [] }];
  const id = (what: string) => ({ name: 'id', in: 'path', required: true, description: what, schema: { type: 'string' } });
  const v1 = (operationId: string, summary: string, rest: Record<string, unknown>) => ({ operationId, summary, security, ...rest });
  const post = (operationId: string, summary: string, req: string, resp: string, csv: string) => ({
    post: v1(operationId, summary, {
      requestBody: { required: true, content: json(ref(req)) },
      responses: {
        200: {
          description: 'JSON by default; CSV when the request sends Accept: text/csv',
          content: { ...json(ref(resp)), 'text/csv': { schema: { type: 'string', description: `columns: ${csv}` } } },
        },
        ...errors(400, 401, 404, 413, 422, 500, 503),
      },
    }),
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'mixcast scenario service',
      version,
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      description:
        'Scenarios of whole days from mixture-prior diffusion models: dated scenarios, forecasts with intraday updating, what-if batches, staffing plans. ' +
        'Errors are { "error": { "code", "message", "details" } }. ' +
        (opts.tokenRequired ? 'This server needs a bearer token on /v1.' : 'This server needs no token (MIXCAST_API_TOKEN is not set).'),
    },
    servers: [{ url: '/', description: 'the server that answered this document' }],
    paths: {
      '/healthz': {
        get: { operationId: 'getHealth', summary: 'liveness, backend, models, workers', security: [], responses: { 200: { description: 'ok', content: json(ref('Health')) } } },
      },
      '/openapi.json': {
        get: { operationId: 'getOpenApi', summary: 'this document', security: [], responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } },
      },
      '/v1/models': {
        get: v1('listModels', 'models served', { responses: { 200: { description: 'ok', content: json(ref('ModelList')) }, ...errors(401) } }),
      },
      '/v1/models/{id}': {
        get: v1('getModel', 'manifest summary: intervals, zone, components with keys and weights, training summary', {
          parameters: [id('model id')],
          responses: { 200: { description: 'ok', content: json(ref('ModelSummary')) }, ...errors(401, 404) },
        }),
      },
      '/v1/models/{id}/series/{series}': {
        get: v1('getModelSeries', 'manifest summary of one series of a model of several series (global or per-series)', {
          parameters: [id('model id'), { name: 'series', in: 'path', required: true, description: 'series id', schema: { type: 'string' } }],
          responses: { 200: { description: 'ok', content: json(ref('ModelSummary')) }, ...errors(401, 404) },
        }),
      },
      '/v1/scenarios': post('createScenarios', 'scenarios per date', 'ScenariosRequest', 'ScenariosResponse', 'series,timestamp,date,interval,scenario,component,value'),
      '/v1/forecast': post('createForecast', 'per-interval mean and quantiles per date (optionally conditioned on observed slots)', 'ForecastRequest', 'ForecastResponse', 'series,timestamp,date,interval,mean,q0.1,q0.5,q0.9'),
      '/v1/whatif': post('createWhatIf', 'batch what-if: per case and date, quantiles of daily total and peak', 'WhatIfRequest', 'WhatIfResponse', 'series,case,date,total_mean,total_q0.1,…,peak_mean,peak_q0.1,…'),
      '/v1/staffing': post('createStaffing', "staffing plans per date from the model's scenarios: mean-forecast, coverage and newsvendor plans (Erlang C, or Erlang A with patience)", 'StaffingRequest', 'StaffingResponse', 'date,interval,agents,calls_mean,required_q0.1,…,mean_agents,…,coverage_agents,…'),
      '/v1/jobs': {
        post: v1('createJob', 'submit a batch over many series (scenarios, forecast, whatif, staffing, train): 202 with the job id; the same request and seed on the same models returns the stored job (200 when completed)', {
          requestBody: { required: true, content: json(ref('JobRequest')) },
          responses: { 202: { description: 'accepted', content: json(ref('JobStatus')) }, 200: { description: 'already stored and completed', content: json(ref('JobStatus')) }, ...errors(400, 401, 404, 413, 422) },
        }),
      },
      '/v1/jobs/{id}': {
        get: v1('getJob', 'state and progress of a batch', { parameters: [id('job id')], responses: { 200: { description: 'ok', content: json(ref('JobStatus')) }, ...errors(401, 404) } }),
        delete: v1('cancelJob', 'cancel a batch', { parameters: [id('job id')], responses: { 200: { description: 'ok', content: json(ref('JobStatus')) }, ...errors(401, 404) } }),
      },
      '/v1/jobs/{id}/result': {
        get: v1('getJobResult', 'the result of a completed batch: JSON { id, kind, model, seed, series, results: [{ series, version, result }] }, or one CSV table with a series column (Accept: text/csv); 409 while it runs', {
          parameters: [id('job id')],
          responses: {
            200: { description: 'JSON or CSV', content: { ...json(ref('JobResult')), 'text/csv': { schema: { type: 'string' } } } },
            ...errors(401, 404, 409, 422),
          },
        }),
      },
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required on /v1 routes when the server has MIXCAST_API_TOKEN set' } },
    },
  };
}
