/**
 * The job API both engines implement — the embedded one (in this process, no Redis) and the
 * BullMQ one (Redis; units run by `mixcast worker` processes anywhere). Same methods, same ids,
 * same results for the same request and seed.
 */
import { MixcastError } from '../core/errors.js';
import type { BatchResult } from './assemble.js';
import type { BatchRequest, JobStatus } from './request.js';

export interface Submitted {
  id: string;
  /** True when the same request on the same model versions was already submitted (idempotency). */
  existing: boolean;
  status: JobStatus;
}

export interface JobEngine {
  readonly engine: 'embedded' | 'bullmq';
  submit(req: BatchRequest): Promise<Submitted>;
  status(id: string): Promise<JobStatus>;
  /** The result of a completed batch (409 CONFLICT while it runs, 422 when it failed or was cancelled). */
  result(id: string): Promise<BatchResult>;
  cancel(id: string): Promise<JobStatus>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** The models folder (shared by every worker). */
  root: string;
  /** How long finished batches (and their results) are kept, seconds (default 24 h). */
  ttlSeconds?: number;
  /** Attempts per unit (default 3), with exponential backoff from backoffMs (default 1000). */
  attempts?: number;
  backoffMs?: number;
  /** Train inputs may lie outside the models folder (CLI submissions). */
  inputAnywhere?: boolean;
}

export const DEFAULT_TTL_SECONDS = 24 * 3600;
export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;

export const notFound = (id: string) => new MixcastError('NOT_FOUND', `no job "${id}" (unknown, or its result expired)`, { id });

export function notReady(s: JobStatus): MixcastError {
  if (s.state === 'failed') return new MixcastError('UNPROCESSABLE', `job ${s.id} failed: ${s.error ?? 'unknown error'}`, { state: s.state });
  if (s.state === 'cancelled') return new MixcastError('UNPROCESSABLE', `job ${s.id} was cancelled`, { state: s.state });
  return new MixcastError('CONFLICT', `job ${s.id} is ${s.state} (${s.progress.done}/${s.progress.total} units); poll GET /v1/jobs/${s.id} until it is completed`, { state: s.state, progress: s.progress });
}

/** Poll until the batch is finished; `onStatus` sees every poll (progress bars). */
export async function waitFor(engine: JobEngine, id: string, onStatus?: (s: JobStatus) => void, pollMs = 200): Promise<JobStatus> {
  for (;;) {
    const s = await engine.status(id);
    onStatus?.(s);
    if (s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled') return s;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
