/**
 * The HTTP service: `startServer(opts)` reads the model bundles, starts the generation executor
 * (a worker pool sized to the cores by default, or in-process with `workers: 0`), builds the
 * app and listens. `close()` stops accepting, lets in-flight requests finish, then terminates
 * the workers (what `mixcast serve` does on SIGTERM).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { initBackend, requestedBackend } from '../backend.js';
import { createApp, DEFAULT_SERVER_LIMITS, type ServerLimits, type AppState } from './app.js';
import { inProcessExecutor, WorkerPool, type Executor } from './executor.js';
import { listCollections, readModels } from './models.js';
import { isCollection } from '../model/index.js';
import { createEngine } from '../jobs/index.js';

export { createApp, modelSummary, DEFAULT_SERVER_LIMITS, type AppOptions, type ServerLimits, type AppState } from './app.js';
export { WorkerPool, InProcessExecutor, inProcessExecutor, type Executor, type ExecutorStats, type Job } from './executor.js';
export { readModels, discoverModels, listCollections, type ModelEntry, type CollectionListing } from './models.js';
export { openApiDocument } from './openapi.js';
export * from './schemas.js';

export interface ServerOptions {
  /** A model bundle, or a folder of bundles (one per subdirectory). */
  models: string;
  port?: number;
  host?: string;
  /** Worker threads; default: the number of cores; 0 = generate on the request thread. */
  workers?: number;
  /** tfjs backend request for the workers (or the request thread with workers 0). */
  backend?: string;
  limits?: Partial<ServerLimits>;
  /** Bearer token for /v1; default env MIXCAST_API_TOKEN. */
  token?: string | null;
  /** On close: how long in-flight requests may take before connections are cut (ms). */
  shutdownTimeoutMs?: number;
  /** Batch jobs (/v1/jobs): through Redis at this URL (BullMQ; default env MIXCAST_REDIS_URL), else in-process. */
  redis?: string | null;
  /** Redis key prefix for jobs (default `mixcast`). */
  redisPrefix?: string;
  /** In-process batch jobs: unit threads (default 1; 0 = the request thread). */
  jobThreads?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  server: http.Server;
  executor: Executor;
  state: AppState;
  backend: string | null;
  /** Stop accepting, finish in-flight requests, terminate workers. */
  close(): Promise<void>;
}

export const defaultWorkers = (): number => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const models = readModels(opts.models);
  const list = [...models.values()].map((m) => ({ id: m.id, dir: m.dir }));
  const workers = opts.workers ?? defaultWorkers();
  let executor: Executor;
  if (workers === 0) {
    const info = await initBackend(requestedBackend(opts.backend));
    executor = inProcessExecutor(list, info.name);
  } else {
    executor = await WorkerPool.start({ models: list, size: workers, backend: opts.backend });
  }
  // the folder the jobs' models live in: a single bundle's or a single collection's parent, else the folder itself
  const single = fs.existsSync(path.join(opts.models, 'manifest.json')) || isCollection(opts.models);
  const jobsRoot = single ? path.dirname(path.resolve(opts.models)) : path.resolve(opts.models);
  const jobs = await createEngine({ redis: opts.redis === undefined ? process.env.MIXCAST_REDIS_URL || null : opts.redis, prefix: opts.redisPrefix, root: jobsRoot, threads: opts.jobThreads ?? 1, backend: opts.backend });
  const app = createApp({ models, executor, limits: opts.limits, token: opts.token, jobs, collections: () => listCollections(opts.models) });
  const server = http.createServer(app);
  const limits = { ...DEFAULT_SERVER_LIMITS, ...(opts.limits ?? {}) };
  server.requestTimeout = limits.timeoutMs + 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await jobs.close();
    await executor.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    server,
    executor,
    state: app.locals.state,
    backend: executor.backend,
    close() {
      closing ??= (async () => {
        app.locals.state.stopping = true;
        const force = setTimeout(() => server.closeAllConnections(), opts.shutdownTimeoutMs ?? 60_000);
        force.unref();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        clearTimeout(force);
        await jobs.close();
        await executor.close();
      })();
      return closing;
    },
  };
}
