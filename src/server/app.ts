/**
 * The express app: routes, zod validation, the error contract, limits, bearer token. No model
 * logic: every scenario route is `runScenarios` (src/scenarios/run.ts) with the server's Executor.
 *
 * Model id: the `model` field of the request body (it may be left out when the server holds
 * exactly one model). Errors: `{ "error": { "code", "message", "details" } }` — 400 malformed
 * JSON or fields, 401 token, 404 unknown model or route, 413 body too large, 422 impossible
 * request, 503 timeout / shutting down, 500 only for bugs (logged, never leaked).
 */
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import * as tf from '@tensorflow/tfjs';
import { MixcastError, isMixcastError, snippet } from '../core/errors.js';
import {
  DEFAULT_FORECAST_COUNT,
  forecastTable,
  runScenarios,
  scenarioRows,
  SCENARIO_HEADER,
  whatIfTable,
  type ScenarioExecutor,
  type ScenarioLimits,
} from '../scenarios/index.js';
import type { Executor, Job } from './executor.js';
import { seriesEntryId, type CollectionListing, type ModelEntry } from './models.js';
import { openApiDocument } from './openapi.js';
import { jobsRouter, type JobEngine } from '../jobs/index.js';
import { webRoutes } from './web/index.js';
import { withJsonPaths } from './fields.js';
import { parseBody, sendCsv, sendJson } from './respond.js';
import { forecastRequestSchema, scenariosRequestSchema, staffingRequestSchema, whatIfRequestSchema } from './schemas.js';
import { scenarioStaffingTable, staffingScenarios } from '../staffing/index.js';
import { DEFAULT_WORK_LIMITS, workLimits, type WorkLimits } from './limits.js';
import { VERSION } from '../version.js';

const pkg = { version: VERSION };

export interface ServerLimits extends ScenarioLimits, WorkLimits {
  /** Largest request body (express/bytes syntax: '256kb', '1mb'). */
  bodyLimit: string;
  /** Per-request time limit (ms); past it the answer is 503 TIMEOUT and the queued work is dropped. */
  timeoutMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxCount: 10_000,
  maxDates: 92,
  maxValues: 5_000_000,
  bodyLimit: '256kb',
  timeoutMs: 120_000,
  ...DEFAULT_WORK_LIMITS,
};

export interface AppOptions {
  models: Map<string, ModelEntry>;
  executor: Executor;
  limits?: Partial<ServerLimits>;
  /** Bearer token for /v1 routes; default: env MIXCAST_API_TOKEN (unset or empty = no token). */
  token?: string | null;
  /** Batch jobs (/v1/jobs; embedded or BullMQ); absent: those routes answer 503. */
  jobs?: JobEngine | null;
  /** The collections of the models folder with their series, for GET /v1/models (read at each call). */
  collections?: () => CollectionListing[];
}

export interface AppState {
  inFlight: number;
  stopping: boolean;
}

const errorBody = (code: string, message: string, details: unknown = null) => ({ error: { code, message, details } });

function sendError(res: Response, status: number, code: string, message: string, details: unknown = null): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).type('application/json').send(JSON.stringify(errorBody(code, message, details)));
}


function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = crypto.createHash('sha256').update(m[1].trim()).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

const wantsCsv = (req: Request) => req.accepts(['application/json', 'text/csv']) === 'text/csv';

export function modelSummary(e: ModelEntry) {
  const m = e.info.manifest;
  const p = e.info.prior;
  return {
    id: e.id,
    zone: m.data.zone,
    intervals: { minutes: m.data.intervalMinutes, open: m.data.open, close: m.data.close, count: m.data.labels.length, labels: m.data.labels },
    valueKind: m.data.valueKind,
    series: m.data.series,
    calendar: {
      keySpec: m.calendar.keySpec,
      keys: [...new Set(Object.values(m.calendar.keyMap))].sort(),
      weekend: m.calendar.options.weekend,
      merges: m.calendar.merges.map(({ from, to, days }) => ({ from, to, days })),
    },
    prior: { kind: p.kind, spec: p.spec, assignment: p.assignment, scale: p.scale, K: p.centers.length },
    components: p.components.map((c, k) => ({ name: c.name, keys: c.keys, days: c.days, weight: p.weights[k] })),
    training: {
      days: m.data.days,
      firstDate: m.data.firstDate,
      lastDate: m.data.lastDate,
      family: m.process.family,
      steps: m.training.steps,
      requestedSteps: m.training.requestedSteps,
      seconds: m.training.seconds,
      backend: m.training.backend,
      finalLoss: m.training.finalLoss,
      finalValLoss: m.training.finalValLoss,
      stoppedEarly: m.training.stoppedEarly,
      reverseEffort: m.training.reverseEffort,
      warmStart: m.training.warmStart ?? null,
    },
    sampler: m.sampling.sampler,
    // the last observed training days a context-aware bundle keeps (for charts), oldest first
    recent: (m.context?.history ?? []).flatMap((h) => (h.values ? [{ date: h.date, values: h.values }] : [])).slice(-RECENT_DAYS),
    createdAt: m.createdAt,
    packageVersion: m.packageVersion,
  };
}

/** How many of the stored last training days a model summary shows. */
const RECENT_DAYS = 14;

export function createApp(opts: AppOptions): express.Express & { locals: { state: AppState } } {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...(opts.limits ?? {}) };
  const token = opts.token === undefined ? process.env.MIXCAST_API_TOKEN || null : opts.token || null;
  const { models, executor } = opts;
  const state: AppState = { inFlight: 0, stopping: false };
  const app = express();
  app.locals.state = state;
  app.disable('x-powered-by');
  app.set('etag', false);
  let openapi: Record<string, unknown> | null = null;

  app.use((_req, res, next) => {
    state.inFlight++;
    let done = false;
    const finish = () => {
      if (!done) (done = true), state.inFlight--;
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({
      status: state.stopping ? 'stopping' : 'ok',
      backend: executor.backend,
      models: [...models.keys()],
      workers: executor.stats(),
      numTensors: tf.memory().numTensors,
      inFlight: state.inFlight,
    });
  });

  app.get('/openapi.json', (_req, res) => {
    openapi ??= openApiDocument(pkg.version, { tokenRequired: Boolean(token) });
    res.json(openapi);
  });
  app.use(webRoutes()); // the planner's page at / and the API docs at /docs (src/server/web)

  // /v1: bearer token (when configured), then JSON bodies within the size limit — on POST only,
  // the one method whose routes take a body: a GET or DELETE answers as documented whatever
  // body it carries (the parser would otherwise refuse it with an undocumented 400 or 413).
  app.use('/v1', (req, res, next) => {
    if (token && !tokenMatches(req.get('authorization'), token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendError(res, 401, 'UNAUTHORIZED', 'this server needs a bearer token: send Authorization: Bearer <token> (MIXCAST_API_TOKEN)');
      return;
    }
    next();
  });
  const json = express.json({ limit: limits.bodyLimit });
  app.use('/v1', (req, res, next) => (req.method === 'POST' ? json(req, res, next) : next()));
  // Every request's work is bounded before any of it starts (src/server/limits.ts).
  // Bundles by id; the series of collections by (collection, series).
  const bundles = () => [...models.values()].filter((e) => !e.collection);
  const collectionIds = () => [...new Set([...models.values()].filter((e) => e.collection).map((e) => e.collection!))];
  const served = () => [...bundles().map((e) => e.id), ...collectionIds()];
  const pick = (id: string | undefined, series?: string): ModelEntry => {
    if (id === undefined) {
      if (series === undefined && bundles().length === 1 && !collectionIds().length) return bundles()[0];
      throw new MixcastError('BAD_REQUEST', `model is required: this server holds ${served().join(', ')}`, { models: served() });
    }
    const inCollection = [...models.values()].filter((e) => e.collection === id);
    if (inCollection.length) {
      const names = inCollection.map((e) => e.series!);
      if (series === undefined) {
        throw new MixcastError('BAD_REQUEST', `series is required: model "${id}" holds ${names.length} series (${names.map((n) => `"${n}"`).join(', ')}); name one (several series in one request: POST /v1/jobs)`, { field: 'series', series: names });
      }
      const e = models.get(seriesEntryId(id, series));
      if (!e) throw new MixcastError('NOT_FOUND', `unknown series "${series}"; model "${id}" holds ${names.map((n) => `"${n}"`).join(', ')}`, { field: 'series', series: names });
      return e;
    }
    const e = models.get(id);
    if (!e || e.collection) throw new MixcastError('NOT_FOUND', `unknown model "${id}"; this server holds ${served().join(', ')}`, { model: id, models: served() });
    const own = e.info.manifest.data.series;
    if (series !== undefined && series !== own) throw new MixcastError('NOT_FOUND', `model "${id}" is a single-series model${own ? ` (series "${own}")` : ''}; it has no series "${series}"`, { field: 'series' });
    return e;
  };
  const tryPick = (body: Record<string, unknown> | undefined): ModelEntry | undefined => {
    const id = body?.model;
    const series = body?.series;
    if ((id !== undefined && typeof id !== 'string') || (series !== undefined && typeof series !== 'string')) return undefined;
    try {
      return pick(id as string | undefined, series as string | undefined);
    } catch {
      return undefined;
    }
  };
  app.use('/v1', workLimits(limits, tryPick));
  /** The model id a response names (a collection's id for its series; the result carries the series). */
  const modelId = (e: ModelEntry) => e.collection ?? e.id;

  /** Run `fn` under the request time limit; a client that goes away cancels its queued work. */
  async function timed<T>(_req: Request, res: Response, fn: (job: Job) => Promise<T>): Promise<T> {
    const job: Job = { cancelled: false };
    res.on('close', () => {
      if (!res.writableFinished) job.cancelled = true;
    });
    let timer: NodeJS.Timeout | undefined;
    const work = fn(job);
    work.catch(() => undefined); // a late failure after the timeout is not an unhandled rejection
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        job.cancelled = true;
        reject(new MixcastError('TIMEOUT', `the request took longer than the server's limit of ${limits.timeoutMs} ms; ask for fewer scenarios or dates`, { timeoutMs: limits.timeoutMs }));
      }, limits.timeoutMs);
    });
    timeout.catch(() => undefined);
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const scenarioLimits = (): ScenarioLimits => ({ maxCount: limits.maxCount, maxDates: limits.maxDates, maxValues: limits.maxValues });

  app.get('/v1/models', (_req, res) => {
    res.json({
      models: bundles().map((e) => ({
        id: e.id,
        zone: e.info.manifest.data.zone,
        intervalMinutes: e.info.manifest.data.intervalMinutes,
        intervals: e.info.manifest.data.labels.length,
        K: e.info.prior.centers.length,
        lastDate: e.info.manifest.data.lastDate,
      })),
      collections: opts.collections?.() ?? [],
    });
  });

  app.get('/v1/models/:id', (req, res) => {
    const id = req.params.id;
    const names = [...models.values()].filter((e) => e.collection === id).map((e) => `"${e.series}"`);
    if (names.length) throw new MixcastError('NOT_FOUND', `model "${id}" holds ${names.length} series (${names.join(', ')}): GET /v1/models/${id}/series/{series} for one`, { model: id });
    res.json(modelSummary(pick(id)));
  });

  app.get('/v1/models/:id/series/:series', (req, res) => {
    const e = pick(req.params.id, req.params.series);
    res.json({ ...modelSummary(e), id: modelId(e) });
  });

  /** The scenario runner's executor for one model and request: the server's pool (or request thread) under `job`. */
  const executorFor = (entry: ModelEntry, job: Job): ScenarioExecutor => ({
    runUnits: (units) => executor.runUnits(entry.id, units, job),
    summarise: (rows, quantiles) => executor.summarise(rows, quantiles, job),
    cases: (rows, task) => executor.cases(rows, task, job),
  });

  // Every scenario route is runScenarios (src/scenarios/run.ts) on the model's info with the
  // server's executor: the same request and seed give the library's numbers.
  app.post('/v1/scenarios', async (req, res) => {
    const { model: id, series, ...o } = parseBody(scenariosRequestSchema, req.body);
    const entry = pick(id, series);
    const result = await timed(req, res, (job) => runScenarios(entry.info, { ...o, shape: 'scenarios', limits: scenarioLimits() }, executorFor(entry, job)));
    if (wantsCsv(req)) await sendCsv(res, SCENARIO_HEADER, scenarioRows(result));
    else await sendJson(res, { model: modelId(entry), ...result });
  });

  app.post('/v1/forecast', async (req, res) => {
    const { model: id, series, ...o } = parseBody(forecastRequestSchema, req.body);
    const entry = pick(id, series);
    const result = await timed(req, res, (job) =>
      runScenarios(entry.info, { ...o, count: o.count ?? DEFAULT_FORECAST_COUNT, shape: 'forecast', limits: scenarioLimits() }, executorFor(entry, job)),
    );
    if (wantsCsv(req)) {
      const t = forecastTable(result);
      await sendCsv(res, t.header, t.rows);
    } else await sendJson(res, { model: modelId(entry), ...result });
  });

  app.post('/v1/whatif', async (req, res) => {
    const { model: id, series, ...o } = parseBody(whatIfRequestSchema, req.body);
    const entry = pick(id, series);
    const result = await timed(req, res, (job) => runScenarios(entry.info, { ...o, shape: 'whatif', limits: scenarioLimits() }, executorFor(entry, job)));
    if (wantsCsv(req)) {
      const t = whatIfTable(result);
      await sendCsv(res, t.header, t.rows);
    } else await sendJson(res, { model: modelId(entry), ...result });
  });

  app.post('/v1/staffing', async (req, res) => {
    const body = parseBody(staffingRequestSchema, req.body);
    const { model: id, series, aht, target, within, coverage, costUnder, costOver, maxOccupancy, shrinkage, maxAsa, patience, maxAbandon, ...o } = body;
    const entry = pick(id, series);
    const staffing = { aht, target, within, coverage, costUnder, costOver, maxOccupancy, shrinkage, maxAsa, patience, maxAbandon, model: patience === undefined ? ('erlang-c' as const) : ('erlang-a' as const) };
    const result = await timed(req, res, async (job) => {
      const scenarios = await staffingScenarios({ model: entry.info, ...o, limits: scenarioLimits() }, executorFor(entry, job));
      return executor.staff(scenarios, staffing, job);
    });
    if (wantsCsv(req)) {
      const header = ['date', ...scenarioStaffingTable(result.dates[0].result, result.labels).header];
      const rows = result.dates.flatMap((d) => scenarioStaffingTable(d.result, result.labels).rows.map((r) => [d.date, ...r]));
      await sendCsv(res, header, rows);
    } else await sendJson(res, { model: modelId(entry), ...result });
  });

  app.use('/v1/jobs', jobsRouter(opts.jobs));

  app.use((req, res) => {
    sendError(res, 404, 'NOT_FOUND', `no route ${req.method} ${req.path}; see GET /openapi.json`);
  });

  // The error contract. express.json's own errors carry `type`; zod/MixcastError from handlers;
  // other http-errors (a malformed %-escape in the path, an undecodable gzip/br body) carry only a
  // 4xx `status` and are honoured as 400-class answers too, with their text cut to size.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number; length?: number; code?: string };
    if (e && e.type === 'entity.too.large') {
      sendError(res, 413, 'TOO_LARGE', `the request body is larger than the server's limit of ${limits.bodyLimit}`, { limit: limits.bodyLimit });
      return;
    }
    if (e && e.type === 'entity.parse.failed') {
      sendError(res, 400, 'BAD_REQUEST', `malformed JSON in the request body: ${e.message ?? 'parse error'}`);
      return;
    }
    if (e && (e.type === 'encoding.unsupported' || /^Z_|^ERR_(?:BROTLI|ZLIB)/.test(String(e.code ?? '')))) {
      sendError(res, 400, 'BAD_REQUEST', `the request body could not be decoded (${snippet(e.message ?? 'bad encoding', 120)}); send JSON, optionally gzip, deflate or br encoded`);
      return;
    }
    const status = e && !isMixcastError(err) ? (e.status ?? e.statusCode) : undefined;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const msg = e.type === undefined && err instanceof URIError ? `malformed percent-encoding in the path ${snippet(req.originalUrl, 200)}` : snippet(e.message ?? 'bad request', 300);
      sendError(res, status === 415 ? 400 : status, 'BAD_REQUEST', msg);
      return;
    }
    if (isMixcastError(err)) {
      const said = withJsonPaths(err, req.originalUrl) as MixcastError; // library fields → where they sit in the body
      sendError(res, said.status === 500 ? 500 : said.status, said.code, said.message, said.details);
      return;
    }
    process.stderr.write(`mixcast serve: internal error on ${req.method} ${req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    sendError(res, 500, 'INTERNAL', 'internal error (logged on the server)');
  });

  return app as express.Express & { locals: { state: AppState } };
}
