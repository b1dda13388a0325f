/**
 * The embedded engine: batches run in this process (units on a thread pool, or inline), with
 * the same planning, unit code, retries with backoff, idempotency, cancellation and result TTL
 * as the BullMQ engine — so a single user needs nothing but Node.
 */
import { planBatch, type BatchPlan } from './plan.js';
import { assembleBatch, type BatchResult } from './assemble.js';
import { isPermanent, type UnitResult } from './unit.js';
import type { UnitRunner } from './threads.js';
import type { BatchRequest, JobState, JobStatus } from './request.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, DEFAULT_TTL_SECONDS, notFound, notReady, type EngineOptions, type JobEngine, type Submitted } from './engine.js';

interface Batch {
  plan: BatchPlan;
  state: JobState;
  done: number;
  error: string | null;
  result: BatchResult | null;
  finishedAt: string | null;
  cancelled: boolean;
  expiry: NodeJS.Timeout | null;
}

export class EmbeddedEngine implements JobEngine {
  readonly engine = 'embedded' as const;
  private batches = new Map<string, Batch>();
  private running = new Set<Promise<void>>();

  constructor(private readonly units: UnitRunner, private readonly opts: EngineOptions) {}

  private statusOf(b: Batch): JobStatus {
    return {
      id: b.plan.id,
      kind: b.plan.kind,
      state: b.state,
      progress: { done: b.done, total: b.plan.units.length },
      series: b.plan.series,
      createdAt: b.plan.createdAt,
      finishedAt: b.finishedAt,
      error: b.error,
      engine: this.engine,
    };
  }

  async submit(req: BatchRequest): Promise<Submitted> {
    const plan = planBatch(req, this.opts);
    const old = this.batches.get(plan.id);
    if (old && old.state !== 'failed' && old.state !== 'cancelled') return { id: plan.id, existing: true, status: this.statusOf(old) };
    if (old?.expiry) clearTimeout(old.expiry);
    const b: Batch = { plan, state: 'queued', done: 0, error: null, result: null, finishedAt: null, cancelled: false, expiry: null };
    this.batches.set(plan.id, b);
    const p = this.run(b).finally(() => this.running.delete(p));
    this.running.add(p);
    return { id: plan.id, existing: false, status: this.statusOf(b) };
  }

  private async runUnit(b: Batch, i: number): Promise<UnitResult> {
    const attempts = this.opts.attempts ?? DEFAULT_ATTEMPTS;
    const backoff = this.opts.backoffMs ?? DEFAULT_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      if (b.cancelled) throw new Error('cancelled');
      try {
        return await this.units.run(b.plan.units[i]);
      } catch (e) {
        if (isPermanent(e) || attempt >= attempts || b.cancelled) throw e;
        await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
      }
    }
  }

  private async run(b: Batch): Promise<void> {
    b.state = 'running';
    try {
      const results = await Promise.all(
        b.plan.units.map((_, i) =>
          this.runUnit(b, i).then((r) => {
            b.done++;
            return r;
          }),
        ),
      );
      if (b.cancelled) return;
      // as stored by the BullMQ engine (JSON), so both engines hand back the same value
      b.result = JSON.parse(JSON.stringify(assembleBatch(b.plan, results, this.opts.root))) as BatchResult;
      b.state = 'completed';
    } catch (e) {
      if (!b.cancelled) {
        b.state = 'failed';
        b.error = e instanceof Error ? e.message : String(e);
      }
    } finally {
      b.finishedAt = new Date().toISOString();
      b.expiry = setTimeout(() => this.batches.get(b.plan.id) === b && this.batches.delete(b.plan.id), (this.opts.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000);
      b.expiry.unref();
    }
  }

  private get(id: string): Batch {
    const b = this.batches.get(id);
    if (!b) throw notFound(id);
    return b;
  }

  async status(id: string): Promise<JobStatus> {
    return this.statusOf(this.get(id));
  }

  async result(id: string): Promise<BatchResult> {
    const b = this.get(id);
    if (b.state !== 'completed' || !b.result) throw notReady(this.statusOf(b));
    return b.result;
  }

  async cancel(id: string): Promise<JobStatus> {
    const b = this.get(id);
    if (b.state === 'queued' || b.state === 'running') {
      b.cancelled = true;
      b.state = 'cancelled';
    }
    return this.statusOf(b);
  }

  async close(): Promise<void> {
    for (const b of this.batches.values()) if (b.state === 'running' || b.state === 'queued') b.cancelled = true;
    await Promise.allSettled([...this.running]);
    for (const b of this.batches.values()) if (b.expiry) clearTimeout(b.expiry);
    await this.units.close();
  }
}
