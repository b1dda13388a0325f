/**
 * Batch jobs over many series: scenarios, forecasts, what-if, staffing and training, run by the
 * embedded engine (in this process) or by BullMQ workers through Redis (`--redis URL` or
 * MIXCAST_REDIS_URL). See README "Scaling out".
 */
import { EmbeddedEngine } from './embedded.js';
import { BullEngine } from './bullmq.js';
import { LazyRunner } from './threads.js';
import type { EngineOptions, JobEngine } from './engine.js';

export * from './request.js';
export * from './engine.js';
export { planBatch, CASES_PER_UNIT, type BatchPlan, type UnitSpec } from './plan.js';
export { assembleBatch, batchTable, type BatchResult, type SeriesResult } from './assemble.js';
export { runUnit, ModelCache, type UnitResult } from './unit.js';
export { startUnitRunner, ThreadRunner, InlineRunner, LazyRunner, type UnitRunner } from './threads.js';
export { EmbeddedEngine } from './embedded.js';
export { BullEngine, startWorker, BATCH_QUEUE, UNIT_QUEUE, DEFAULT_PREFIX, type RedisOptions, type WorkerOptions, type RunningWorker } from './bullmq.js';
export { jobsRouter } from './router.js';

export interface CreateEngineOptions extends EngineOptions {
  /** Redis URL: BullMQ engine; absent: embedded. */
  redis?: string | null;
  prefix?: string;
  /** Embedded engine: unit threads (0 = this thread). */
  threads?: number;
  backend?: string;
}

/** The BullMQ engine when a Redis URL is given, else the embedded one. */
export async function createEngine(o: CreateEngineOptions): Promise<JobEngine> {
  if (o.redis) return new BullEngine({ url: o.redis, prefix: o.prefix }, o);
  return new EmbeddedEngine(new LazyRunner(o.threads ?? 1, o.root, o.backend), o);
}
