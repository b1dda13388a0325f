/**
 * A batch job request: one zod schema is the validation (HTTP body, `mixcast batch` options),
 * the TypeScript type and the OpenAPI document.
 */
import { z } from 'zod';
import { isoDateSchema } from '../core/dates.js';
import { whatIfCaseSchema, FALLBACK_MODES, OUTPUT_KINDS } from '../scenarios/index.js';
import { HEMISPHERES } from '../calendar/index.js';
import { durationSeconds } from '../core/durations.js';

const isoDate = isoDateSchema;

export const JOB_KINDS = ['scenarios', 'forecast', 'whatif', 'staffing', 'train'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

// durations: seconds as a number (180) or a duration string ("180s", "3m"), as on the CLI and the staffing route
const seconds = durationSeconds();

export const staffingFieldsSchema = z
  .object({
    aht: seconds.describe('average handle time, seconds'),
    target: z.number().gt(0).lt(1).describe('share answered within `within` seconds'),
    within: durationSeconds(false).describe('answer-time threshold, seconds'),
    coverage: z.number().gt(0).lt(1).default(0.9),
    patience: seconds.optional().describe('mean patience, seconds: Erlang A instead of Erlang C'),
    shrinkage: z.number().min(0).lt(1).optional(),
    maxOccupancy: z.number().gt(0).max(1).optional(),
  })
  .strict();

export const trainFieldsSchema = z
  .object({
    input: z.string().min(1).describe('data file on the storage the workers share (long format with a series column)'),
    seriesCol: z.string().min(1).optional(),
    timeCol: z.string().min(1).optional(),
    valueCol: z.string().min(1).optional(),
    tz: z.string().min(1).optional(),
    interval: z.string().min(1).optional(),
    open: z.string().optional(),
    close: z.string().optional(),
    valueKind: z.enum(['auto', 'counts', 'measurements']).optional(),
    hemisphere: z.enum(HEMISPHERES).optional(),
    missing: z.enum(['drop', 'zero', 'interpolate']).optional(),
    duplicates: z.enum(['error', 'sum']).optional(),
    days: z.array(z.string().min(1)).optional(),
    holidays: z.string().min(1).optional().describe('holiday dates: a file (one ISO date per line, on the storage the workers share) or a country/region code (US, IL, AU-VIC)'),
    covariates: z.string().min(1).optional().describe('input columns known ahead for every day, name[:mean|max|min|sum],… (context-aware models)'),
    events: z.string().min(1).optional().describe('CSV of date,name on the shared storage: each name becomes a 0/1 covariate event:NAME'),
    weekend: z.array(z.number().int().min(1).max(7)).optional().describe('weekend days (1 = Mon … 7 = Sun)'),
    minDays: z.number().int().min(1).optional(),
    warmStart: z
      .string()
      .min(1)
      .optional()
      .describe("model id (a per-series collection or a single-series bundle) under the model folder: each series' network starts from its model there instead of a seeded draw — a scheduled retraining, usually with fewer steps; a series it lacks trains from scratch. Needs perSeries (or one series)"),
    perSeries: z.boolean().default(false).describe('one model per series (a per-series collection); default: one global model shared by the series (when there are several)'),
    fit: z.record(z.string(), z.unknown()).optional().describe('any other fitModel options (family, lr, skip, …), checked by the library'),
    prior: z.string().min(1).optional(),
    steps: z.number().int().min(1).max(1_000_000).optional(),
    hidden: z.number().int().min(1).max(4096).optional(),
    blocks: z.number().int().min(1).max(64).optional(),
    batch: z.number().int().min(1).max(65_536).optional(),
  })
  .strict();

export const batchRequestSchema = z
  .object({
    kind: z.enum(JOB_KINDS),
    model: z.string().min(1).describe('per-series collection (or single bundle) id under the model folder; for train: the collection to write'),
    series: z.union([z.literal('all'), z.string().min(1), z.array(z.string().min(1)).min(1).max(10_000)]).default('all').describe('one series, a list, or "all"'),
    dates: z.array(isoDate).min(1).optional(),
    start: isoDate.optional(),
    end: isoDate.optional(),
    count: z.number().int().positive().optional().describe('scenarios per date (forecast default 1000, staffing 500)'),
    seed: z.number().int().default(0).describe('same request + seed on the same model versions → the stored result'),
    sampler: z.string().min(1).max(40).optional(),
    output: z.enum(OUTPUT_KINDS).optional(),
    fallback: z.enum(FALLBACK_MODES).optional(),
    quantiles: z.array(z.number().min(0).max(1)).min(1).max(50).optional(),
    cases: z.array(whatIfCaseSchema).min(1).max(1000).optional().describe('whatif: named cases ("baseline" is added)'),
    staffing: staffingFieldsSchema.optional().describe('staffing: the service target'),
    train: trainFieldsSchema.optional().describe('train: where the data are and how to fit'),
  })
  .strict()
  .superRefine((r, ctx) => {
    const need = (field: string, why: string) => ctx.addIssue({ code: 'custom', path: [field], message: why });
    if (r.kind !== 'train' && !r.dates && !r.start) need('start', `a ${r.kind} job needs dates or start (and end)`);
    if ((r.kind === 'scenarios' || r.kind === 'whatif') && r.count === undefined) need('count', `a ${r.kind} job needs count (scenarios per date)`);
    if (r.kind === 'whatif' && !r.cases) need('cases', 'a whatif job needs cases');
    if (r.kind !== 'whatif' && r.cases) need('cases', 'cases apply to whatif jobs only');
    if (r.kind === 'staffing' && !r.staffing) need('staffing', 'a staffing job needs staffing: { aht, target, within }');
    if (r.kind !== 'staffing' && r.staffing) need('staffing', 'staffing applies to staffing jobs only');
    if (r.kind === 'train' && !r.train) need('train', 'a train job needs train: { input, … }');
    if (r.kind !== 'train' && r.train) need('train', 'train applies to train jobs only');
  });

export type BatchRequest = z.infer<typeof batchRequestSchema>;
export type BatchRequestInput = z.input<typeof batchRequestSchema>;

/** State of a batch as the API reports it. */
export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const jobStatusSchema = z.object({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  state: z.enum(JOB_STATES),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  series: z.array(z.string()),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  engine: z.enum(['embedded', 'bullmq']),
});
export type JobStatus = z.infer<typeof jobStatusSchema>;
