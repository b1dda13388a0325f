/**
 * zod schemas of the HTTP API: the single source for request validation, for the typed request
 * objects and (through z.toJSONSchema) for /openapi.json. Response schemas document the bodies
 * and let tests check them.
 */
import { z } from 'zod';
import { isoDateSchema } from '../core/dates.js';
import { whatIfCaseSchema, whatIfTransformSchema, FALLBACK_MODES, OUTPUT_KINDS } from '../scenarios/index.js';
import { durationSeconds } from '../core/durations.js';
import { JOB_KINDS } from '../jobs/index.js';

export const isoDate = isoDateSchema;

const quantiles = z.array(z.number().min(0).max(1)).min(1).max(50);

export const observedSchema = z
  .object({
    date: isoDate,
    values: z
      .array(z.number().nullable())
      .min(1)
      .describe('original units, one per slot from the first; null (or a shorter list) = not observed yet'),
  })
  .strict()
  .describe('intraday updating: the slots of one requested date seen so far');

const base = {
  model: z.string().min(1).optional().describe('model id (a subdirectory of --models); may be left out when the server holds one model'),
  series: z.string().min(1).optional().describe('the series, when the model holds several (a global or per-series model; GET /v1/models lists them); one per request here — several: POST /v1/jobs'),
  dates: z.array(isoDate).min(1).optional().describe('explicit dates (or start/end)'),
  start: isoDate.optional(),
  end: isoDate.optional().describe('inclusive; defaults to start'),
  seed: z.number().int().default(0).describe('same request + seed → identical body'),
  sampler: z.string().min(1).max(40).optional().describe("ddpm | ddim:STEPS[:ETA] | em:STEPS | pc:STEPS | ode:STEPS (default: the model's)"),
  output: z.enum(OUTPUT_KINDS).optional().describe('counts (default for count data): non-negative integers'),
  fallback: z.enum(FALLBACK_MODES).optional().describe('mixture: dates with a calendar key the model never saw draw components by the prior weights'),
  observed: observedSchema.optional(),
  history: z
    .array(z.object({ date: isoDate, values: z.array(z.number()).min(1).max(1440) }).strict())
    .max(3660)
    .optional()
    .describe("context-aware models: observed days after the training data (original units, one value per interval, in date order); the context at the origin comes from them"),
  origin: isoDate.optional().describe('forecast origin: the last observed day used (default: the last history day, else the end of the training data)'),
  futureCovariates: z
    .record(isoDate, z.record(z.string().max(200), z.number()))
    .optional()
    .describe("known covariates of the requested dates: { date: { name: value } } (models trained with covariates need them for every date; missing ones → 422)"),
};

export const scenariosRequestSchema = z
  .object({
    ...base,
    count: z.number().int().positive().describe('scenarios per date'),
    quantiles: quantiles.optional().describe('summary levels (default 0.05, 0.1, 0.5, 0.9, 0.95)'),
    whatIf: z.array(whatIfTransformSchema).max(100).optional(),
  })
  .strict();

export const forecastRequestSchema = z
  .object({
    ...base,
    count: z.number().int().positive().default(1000).describe('scenarios behind the summaries'),
    quantiles: quantiles.optional().describe('levels (default 0.1, 0.5, 0.9)'),
    whatIf: z.array(whatIfTransformSchema).max(100).optional(),
  })
  .strict();

export const whatIfRequestSchema = z
  .object({
    ...base,
    count: z.number().int().positive(),
    quantiles: quantiles.optional().describe('levels (default 0.1, 0.5, 0.9)'),
    cases: z.array(whatIfCaseSchema).min(1).max(100).describe('named cases; "baseline" (no transforms) is added first automatically and is a reserved name'),
  })
  .strict();

// durations: seconds as a number (180) or a duration string ("180s", "3m"), as on the CLI
const seconds = durationSeconds();
export const staffingRequestSchema = z
  .object({
    ...base,
    count: z.number().int().positive().default(500).describe('scenarios per date behind the plans'),
    aht: seconds.describe('average handle time, seconds'),
    target: z.number().gt(0).lt(1).describe('share answered within `within` seconds, e.g. 0.8'),
    within: durationSeconds(false).describe('answer-time threshold, seconds'),
    coverage: z.number().gt(0).lt(1).default(0.9).describe('share of scenarios the coverage plan must meet'),
    costUnder: z.number().positive().optional().describe('cost of one agent-interval short (newsvendor plan, with costOver)'),
    costOver: z.number().positive().optional().describe('cost of one agent-interval in excess (newsvendor plan, with costUnder)'),
    maxOccupancy: z.number().gt(0).max(1).optional(),
    shrinkage: z.number().min(0).lt(1).optional().describe('share of paid time off the phones'),
    maxAsa: seconds.optional().describe('upper limit on the average speed of answer, seconds'),
    patience: seconds.optional().describe('mean patience in seconds: staff with Erlang A (abandonment) instead of Erlang C'),
    maxAbandon: z.number().gt(0).lt(1).optional().describe('upper limit on abandonment (with patience)'),
  })
  .strict();

export type ScenariosRequest = z.infer<typeof scenariosRequestSchema>;
export type StaffingRequestBody = z.infer<typeof staffingRequestSchema>;
export type ForecastRequestBody = z.infer<typeof forecastRequestSchema>;
export type WhatIfRequestBody = z.infer<typeof whatIfRequestSchema>;

// ───────────────────────────── responses ─────────────────────────────

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('BAD_REQUEST, BAD_INPUT, BAD_OPTION, UNAUTHORIZED, NOT_FOUND, TOO_LARGE, UNPROCESSABLE, TIMEOUT, INTERNAL, …'),
      message: z.string(),
      details: z.unknown(),
    }),
  });

const dist = z.object({ mean: z.number(), quantiles: z.record(z.string(), z.number()) });

const daySummary = z.object({
  mean: z.array(z.number()),
  quantiles: z.record(z.string(), z.array(z.number())).describe('per interval, keyed by level ("0.1")'),
  total: dist.describe('daily total'),
  peak: dist.describe('daily peak (max interval)'),
});

const header = {
  model: z.string(),
  series: z.string().nullable().describe("the model's series id; null for a single unnamed series"),
  labels: z.array(z.string()).describe('local start time of each interval'),
  zone: z.string(),
  intervalMinutes: z.number(),
  valueKind: z.enum(['counts', 'measurements']),
  output: z.enum(OUTPUT_KINDS),
  count: z.number().int(),
  seed: z.number().int(),
  sampler: z.string(),
  quantiles: z.array(z.number()),
  origin: z.string().nullable().describe('context-aware models: the forecast origin used; null without context'),
};

const dateHeader = {
  date: z.string(),
  weekday: z.string(),
  key: z.string().nullable().describe('calendar key the model resolved; null when the fallback was used'),
  fallback: z.boolean(),
  probabilities: z.record(z.string(), z.number()).describe('component → probability used for the draws'),
  observed: z.array(z.number().nullable()).nullable(),
};

export const scenariosResponseSchema = z
  .object({
    ...header,
    dates: z.array(
      z.object({
        ...dateHeader,
        components: z.array(z.string()).describe('component of each scenario'),
        values: z.array(z.array(z.number())).describe('count × intervals'),
        summary: daySummary,
      }),
    ),
  });

export const forecastResponseSchema = z
  .object({ ...header, dates: z.array(z.object({ ...dateHeader, summary: daySummary })) });

export const whatIfResponseSchema = z
  .object({
    ...header,
    cases: z.array(z.string()),
    dates: z.array(z.object(dateHeader)),
    rows: z.array(z.object({ case: z.string(), date: z.string(), total: dist, peak: dist })),
  });

const planSchema = z.object({
  name: z.string(),
  agents: z.array(z.number().int()),
  scheduled: z.array(z.number().int()),
  expectedServiceLevel: z.array(z.number()).describe('mean over scenarios, per interval'),
  missShare: z.array(z.number()).describe('share of scenarios in which the plan misses the target, per interval'),
  expectedAbandon: z.array(z.number()),
  day: z.record(z.string(), z.unknown()).describe('day totals: agent-intervals, agent-hours, scheduled staff, expected service level, miss shares'),
});

export const staffingResponseSchema = z.object({
  model: z.string(),
  labels: z.array(z.string()),
  intervalSeconds: z.number(),
  count: z.number().int(),
  seed: z.number().int(),
  dates: z.array(
    z.object({
      date: z.string(),
      key: z.string().nullable(),
      fallback: z.boolean(),
      result: z.object({
        model: z.enum(['erlang-c', 'erlang-a']),
        scenarios: z.number().int(),
        intervals: z.number().int(),
        intervalSeconds: z.number(),
        coverage: z.number(),
        criticalRatio: z.number().nullable(),
        meanCalls: z.array(z.number()),
        requiredQuantiles: z.array(z.object({ level: z.number(), agents: z.array(z.number()) })),
        plans: z.object({ mean: planSchema, coverage: planSchema, newsvendor: planSchema.nullable() }),
      }),
    }),
  ),
});

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'stopping']),
    backend: z.string().nullable(),
    models: z.array(z.string()),
    workers: z.object({
      mode: z.enum(['in-process', 'workers']),
      size: z.number().int(),
      queued: z.number().int(),
      threads: z.array(z.object({ id: z.number().int(), busy: z.boolean(), tasks: z.number().int(), numTensors: z.number().int() })),
      restarting: z.number().int().describe('workers being started in place of ones terminated by a cancellation or a crash'),
      cancelledRuns: z.number().int().describe('workers terminated because their request was cancelled (timeout, client gone)'),
    }),
    numTensors: z.number().int().describe('tensors held by the request thread'),
    inFlight: z.number().int(),
  });

const component = z.object({ name: z.string(), keys: z.array(z.string()), days: z.number().int(), weight: z.number() });

export const modelSummarySchema = z
  .object({
    id: z.string(),
    zone: z.string(),
    intervals: z.object({ minutes: z.number(), open: z.string(), close: z.string(), count: z.number().int(), labels: z.array(z.string()) }),
    valueKind: z.enum(['counts', 'measurements']),
    series: z.string().nullable(),
    calendar: z.object({ keySpec: z.string(), keys: z.array(z.string()), weekend: z.array(z.number().int()), merges: z.array(z.object({ from: z.string(), to: z.string(), days: z.number() })) }),
    prior: z.object({ kind: z.string(), spec: z.string(), assignment: z.string(), scale: z.number(), K: z.number().int() }),
    components: z.array(component),
    training: z.object({
      days: z.number().int(),
      firstDate: z.string(),
      lastDate: z.string(),
      family: z.string(),
      steps: z.number().int(),
      requestedSteps: z.number().int(),
      seconds: z.number(),
      backend: z.string(),
      finalLoss: z.number(),
      finalValLoss: z.number().nullable(),
      stoppedEarly: z.boolean(),
      reverseEffort: z.object({ standard: z.number(), mixture: z.number(), reduction: z.number(), sumPkCk2: z.number(), d: z.number() }),
      warmStart: z
        .object({ fingerprint: z.string(), firstDate: z.string(), lastDate: z.string(), days: z.number().int(), steps: z.number().int() })
        .nullable()
        .describe('a warm-started retraining: the model its network started from (its training days and steps); null: trained from a seeded draw'),
    }),
    sampler: z.string(),
    recent: z
      .array(z.object({ date: z.string(), values: z.array(z.number()) }))
      .describe('the last observed training days (up to 14, oldest first) a context-aware model keeps; empty for a model without context'),
    createdAt: z.string(),
    packageVersion: z.string(),
  });

export const modelListSchema = z.object({
  models: z.array(z.object({ id: z.string(), zone: z.string(), intervalMinutes: z.number(), intervals: z.number().int(), K: z.number().int(), lastDate: z.string() })),
  collections: z
    .array(
      z.object({
        id: z.string(),
        kind: z.enum(['per-series', 'global']).describe('global: one network shared by the series; per-series: one model each'),
        seriesCol: z.string().nullable(),
        createdAt: z.string(),
        series: z.array(z.object({ id: z.string(), version: z.string().describe('weights sha256'), days: z.number().int(), firstDate: z.string(), lastDate: z.string() })),
      }),
    )
    .describe('models of several series in the models folder (read at each call: ones trained by a train job show up); the scenario routes take one series with `series`, /v1/jobs several'),
});

/**
 * GET /v1/jobs/{id}/result as JSON: the batch and one result per series, whose body is what the
 * route of its kind answers for that series (ScenariosResponse, ForecastResponse, WhatIfResponse,
 * StaffingResponse; a train job's is the new model's fit summary).
 */
export const jobResultSchema = z.object({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  model: z.string(),
  seed: z.number().int(),
  series: z.array(z.string()),
  results: z.array(
    z.object({
      series: z.string(),
      version: z.string().describe('the model version (weights sha256) the result came from; for train, the new model\'s'),
      result: z.record(z.string(), z.unknown()),
    }),
  ),
});
