/** /openapi.json: an OpenAPI 3.1 document whose schemas are generated from the zod schemas (z.toJSONSchema). */
import { z } from 'zod';
import {
  errorSchema,
  forecastRequestSchema,
  forecastResponseSchema,
  healthSchema,
  modelListSchema,
  modelSummarySchema,
  scenariosRequestSchema,
  staffingRequestSchema,
  staffingResponseSchema,
  scenariosResponseSchema,
  whatIfRequestSchema,
  whatIfResponseSchema,
} from './schemas.js';
import { batchRequestSchema, jobStatusSchema } from '../jobs/index.js';

function jsonSchema(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: {
          400: 'malformed JSON or fields',
          401: 'missing or wrong bearer token (when MIXCAST_API_TOKEN is set)',
          404: 'unknown model',
          413: 'body too large',
          422: 'impossible request: reversed dates, unseen calendar key, count or size over the limits',
          503: 'timed out or shutting down',
        }[c],
        content: { 'application/json': { schema: ref('Error') } },
      },
    ]),
  );

function post(summary: string, req: string, resp: string, csv: string) {
  return {
    post: {
      summary,
      security: [{ bearer: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: ref(req) } } },
      responses: {
        200: {
          description: 'JSON by default; CSV when the request sends Accept: text/csv',
          content: { 'application/json': { schema: ref(resp) }, 'text/csv': { schema: { type: 'string', description: csv } } },
        },
        ...errors(400, 401, 404, 413, 422, 503),
      },
    },
  };
}

export function openApiDocument(version: string): Record<string, unknown> {
  const schemas: Record<string, Record<string, unknown>> = {
    ScenariosRequest: jsonSchema(scenariosRequestSchema, 'input'),
    ForecastRequest: jsonSchema(forecastRequestSchema, 'input'),
    WhatIfRequest: jsonSchema(whatIfRequestSchema, 'input'),
    StaffingRequest: jsonSchema(staffingRequestSchema, 'input'),
    StaffingResponse: jsonSchema(staffingResponseSchema, 'output'),
    ScenariosResponse: jsonSchema(scenariosResponseSchema, 'output'),
    ForecastResponse: jsonSchema(forecastResponseSchema, 'output'),
    WhatIfResponse: jsonSchema(whatIfResponseSchema, 'output'),
    ModelList: jsonSchema(modelListSchema, 'output'),
    ModelSummary: jsonSchema(modelSummarySchema, 'output'),
    Health: jsonSchema(healthSchema, 'output'),
    Error: jsonSchema(errorSchema, 'output'),
    JobRequest: jsonSchema(batchRequestSchema, 'input'),
    JobStatus: jsonSchema(jobStatusSchema, 'output'),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'mixcast scenario service',
      version,
      description:
        'Scenarios of whole days from mixture-prior diffusion models: dated scenarios, forecasts with intraday updating, what-if batches. ' +
        'Errors are { "error": { "code", "message", "details" } }.',
    },
    paths: {
      '/healthz': { get: { summary: 'liveness, backend, models, workers', responses: { 200: { description: 'ok', content: { 'application/json': { schema: ref('Health') } } } } } },
      '/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/v1/models': {
        get: { summary: 'models served', security: [{ bearer: [] }], responses: { 200: { description: 'ok', content: { 'application/json': { schema: ref('ModelList') } } }, ...errors(401) } },
      },
      '/v1/models/{id}': {
        get: {
          summary: 'manifest summary: intervals, zone, components with keys and weights, training summary',
          security: [{ bearer: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'ok', content: { 'application/json': { schema: ref('ModelSummary') } } }, ...errors(401, 404) },
        },
      },
      '/v1/scenarios': post('scenarios per date', 'ScenariosRequest', 'ScenariosResponse', 'series,timestamp,date,interval,scenario,component,value'),
      '/v1/forecast': post('per-interval mean and quantiles per date (optionally conditioned on observed slots)', 'ForecastRequest', 'ForecastResponse', 'series,timestamp,date,interval,mean,q0.1,q0.5,q0.9'),
      '/v1/whatif': post('batch what-if: per case and date, quantiles of daily total and peak', 'WhatIfRequest', 'WhatIfResponse', 'series,case,date,total_mean,total_q0.1,…,peak_mean,peak_q0.1,…'),
      '/v1/staffing': post('staffing plans per date from the model\'s scenarios: mean-forecast, coverage and newsvendor plans (Erlang C, or Erlang A with patience)', 'StaffingRequest', 'StaffingResponse', 'date,interval,agents,calls_mean,required_q0.1,…,mean_agents,…,coverage_agents,…'),
      '/v1/jobs': {
        post: {
          summary: 'submit a batch over many series (scenarios, forecast, whatif, staffing, train): 202 with the job id; the same request and seed on the same models returns the stored job (200 when completed)',
          security: [{ bearer: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('JobRequest') } } },
          responses: { 202: { description: 'accepted', content: { 'application/json': { schema: ref('JobStatus') } } }, 200: { description: 'already stored and completed', content: { 'application/json': { schema: ref('JobStatus') } } }, ...errors(400, 401, 404, 422) },
        },
      },
      '/v1/jobs/{id}': {
        get: { summary: 'state and progress of a batch', security: [{ bearer: [] }], parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok', content: { 'application/json': { schema: ref('JobStatus') } } }, ...errors(401, 404) } },
        delete: { summary: 'cancel a batch', security: [{ bearer: [] }], parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok', content: { 'application/json': { schema: ref('JobStatus') } } }, ...errors(401, 404) } },
      },
      '/v1/jobs/{id}/result': {
        get: {
          summary: 'the result of a completed batch: JSON { id, kind, model, seed, series, results: [{ series, version, result }] }, or one CSV table with a series column (Accept: text/csv); 409 while it runs',
          security: [{ bearer: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'JSON or CSV' }, ...errors(401, 404, 422) },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required on /v1 routes when the server has MIXCAST_API_TOKEN set' } },
    },
  };
}
