/**
 * The BullMQ engine. A batch is a flow: a parent job in the `batches` queue with one child per
 * unit in the `units` queue. Workers (`mixcast worker`, any machine that mounts the models
 * folder) run the units on their threads; when every child is done the parent assembles the
 * result from the children's return values. Retries with exponential backoff, stalled-job
 * recovery (a worker that dies loses its locks and another picks the unit up) and expiry of
 * finished batches come from BullMQ. The batch id is the idempotency key, so submitting the
 * same request and seed on the same model versions returns the batch already stored.
 *
 * In Redis, under the prefix (default `mixcast`): the two queues' BullMQ keys, and a cancel
 * marker `PREFIX:mixcast-cancel:ID` per cancelled batch (expires with the TTL).
 */
import { FlowProducer, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { planBatch, type BatchPlan, type UnitSpec } from './plan.js';
import { assembleBatch, type BatchResult } from './assemble.js';
import { isPermanent, type UnitResult } from './unit.js';
import type { UnitRunner } from './threads.js';
import type { BatchRequest, JobState, JobStatus } from './request.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, DEFAULT_TTL_SECONDS, notFound, notReady, type EngineOptions, type JobEngine, type Submitted } from './engine.js';

export const BATCH_QUEUE = 'batches';
export const UNIT_QUEUE = 'units';
export const DEFAULT_PREFIX = 'mixcast';

export interface RedisOptions {
  /** redis://host:port[/db] (or MIXCAST_REDIS_URL). */
  url: string;
  /** Key prefix (default `mixcast`); tests use their own. */
  prefix?: string;
}

const connection = (url: string) => ({ url, maxRetriesPerRequest: null });
const cancelKey = (prefix: string, id: string) => `${prefix}:mixcast-cancel:${id}`;

type ParentData = Pick<BatchPlan, 'id' | 'kind' | 'model' | 'series' | 'request' | 'staging' | 'seriesCol' | 'global' | 'createdAt'> & { total: number };

function mapState(s: string, cancelled: boolean): JobState {
  if (cancelled && s !== 'completed') return 'cancelled';
  if (s === 'completed') return 'completed';
  if (s === 'failed') return 'failed';
  if (s === 'waiting-children' || s === 'active') return 'running';
  return 'queued';
}

export class BullEngine implements JobEngine {
  readonly engine = 'bullmq' as const;
  private readonly prefix: string;
  private readonly batches: Queue;
  private readonly units: Queue;
  private readonly flow: FlowProducer;

  constructor(redis: RedisOptions, private readonly opts: EngineOptions) {
    this.prefix = redis.prefix ?? DEFAULT_PREFIX;
    this.batches = new Queue(BATCH_QUEUE, { connection: connection(redis.url), prefix: this.prefix });
    this.units = new Queue(UNIT_QUEUE, { connection: connection(redis.url), prefix: this.prefix });
    this.flow = new FlowProducer({ connection: connection(redis.url), prefix: this.prefix });
  }

  private async job(id: string): Promise<Job> {
    const j = (await this.batches.getJob(id)) as Job | undefined;
    if (!j) throw notFound(id);
    return j;
  }

  private async isCancelled(id: string): Promise<boolean> {
    return (await (await this.batches.getBackend().client).get(cancelKey(this.prefix, id))) !== null;
  }

  private async statusOf(j: Job): Promise<JobStatus> {
    const d = j.data as ParentData;
    const [state, deps, cancelled] = await Promise.all([j.getState(), j.getDependenciesCount({ processed: true }), this.isCancelled(j.id!)]);
    let mapped = mapState(state, cancelled);
    if (mapped === 'running' && state === 'waiting-children' && !deps.processed) mapped = 'queued';
    const done = mapped === 'completed' ? d.total : (deps.processed ?? 0);
    let error: string | null = null;
    if (mapped === 'failed') {
      error = j.failedReason ?? 'failed';
      // a child's permanent failure fails the parent: report the child's reason
      const failed = await this.units.getFailed(0, 1000);
      const mine = failed.find((c) => c.parent?.id === j.id);
      if (mine?.failedReason) error = `series "${(mine.data as UnitSpec).series}": ${mine.failedReason}`;
    }
    return {
      id: j.id!,
      kind: d.kind,
      state: mapped,
      progress: { done, total: d.total },
      series: d.series,
      createdAt: d.createdAt,
      finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
      error,
      engine: this.engine,
    };
  }

  async submit(req: BatchRequest): Promise<Submitted> {
    const plan = planBatch(req, this.opts);
    const old = (await this.batches.getJob(plan.id)) as Job | undefined;
    if (old) {
      const s = await this.statusOf(old);
      if (s.state !== 'failed' && s.state !== 'cancelled') return { id: plan.id, existing: true, status: s };
      await old.remove({ removeChildren: true });
      const children = await Promise.all(plan.units.map((u) => this.units.getJob(`${plan.id}-u${u.index}`)));
      await Promise.all(children.map((c) => c?.remove()));
      await (await this.batches.getBackend().client).del(cancelKey(this.prefix, plan.id));
    }
    const ttl = this.opts.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    const { units, ...rest } = plan;
    const data: ParentData = { ...rest, total: units.length };
    await this.flow.add({
      name: plan.kind,
      queueName: BATCH_QUEUE,
      data,
      opts: { jobId: plan.id, removeOnComplete: { age: ttl }, removeOnFail: { age: ttl } },
      children: units.map((u) => ({
        name: u.kind,
        queueName: UNIT_QUEUE,
        data: u,
        opts: {
          jobId: `${plan.id}-u${u.index}`,
          attempts: this.opts.attempts ?? DEFAULT_ATTEMPTS,
          backoff: { type: 'exponential', delay: this.opts.backoffMs ?? DEFAULT_BACKOFF_MS },
          removeOnComplete: true,
          removeOnFail: { age: ttl },
          failParentOnFailure: true,
        },
      })),
    });
    return { id: plan.id, existing: false, status: await this.statusOf(await this.job(plan.id)) };
  }

  async status(id: string): Promise<JobStatus> {
    return this.statusOf(await this.job(id));
  }

  async result(id: string): Promise<BatchResult> {
    const j = await this.job(id);
    const s = await this.statusOf(j);
    if (s.state !== 'completed') throw notReady(s);
    return j.returnvalue as BatchResult;
  }

  async cancel(id: string): Promise<JobStatus> {
    const j = await this.job(id);
    const s = await this.statusOf(j);
    if (s.state === 'queued' || s.state === 'running') {
      await (await this.batches.getBackend().client).set(cancelKey(this.prefix, id), '1', { EX: this.opts.ttlSeconds ?? DEFAULT_TTL_SECONDS });
      // units not started yet are removed; a running unit finishes and its result is dropped
      const total = (j.data as ParentData).total;
      for (let i = 0; i < total; i++) {
        const c = (await this.units.getJob(`${id}-u${i}`)) as Job | undefined;
        if (c && ['waiting', 'delayed', 'prioritized'].includes(await c.getState())) await c.remove().catch(() => undefined);
      }
    }
    return this.statusOf(await this.job(id));
  }

  async close(): Promise<void> {
    await Promise.all([this.batches.close(), this.units.close(), this.flow.close()]);
  }
}

export interface WorkerOptions extends RedisOptions {
  root: string;
  /** The threads that run units. */
  units: UnitRunner;
  /** Lock duration (ms): a worker that stops renewing its locks this long is presumed dead (default 30 s). */
  lockDurationMs?: number;
  /** How often the stalled-job check runs (ms, default 30 s). */
  stalledIntervalMs?: number;
  onEvent?: (msg: string) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

/** Consume units and assemble batches (what `mixcast worker` runs). */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const common = {
    connection: connection(o.url),
    prefix,
    lockDuration: o.lockDurationMs ?? 30_000,
    stalledInterval: o.stalledIntervalMs ?? 30_000,
    maxStalledCount: 2,
  };
  const unitWorker = new Worker(
    UNIT_QUEUE,
    async (job: Job) => {
      const u = job.data as UnitSpec;
      const batch = job.parent?.id ?? '';
      const client = await unitWorker.getBackend().client;
      if ((await client.get(cancelKey(prefix, batch))) !== null) throw new UnrecoverableError(`batch ${batch} was cancelled`);
      try {
        return await o.units.run(u);
      } catch (e) {
        if (isPermanent(e)) throw new UnrecoverableError((e as Error).message);
        throw e;
      }
    },
    { ...common, concurrency: o.units.size },
  );
  const batchWorker = new Worker(
    BATCH_QUEUE,
    async (job: Job) => {
      const d = job.data as ParentData;
      const values = Object.values(await job.getChildrenValues<UnitResult>());
      if (values.length !== d.total) throw new Error(`batch ${d.id}: ${values.length} of ${d.total} unit results found`);
      try {
        return assembleBatch(d, values, o.root);
      } catch (e) {
        if (isPermanent(e)) throw new UnrecoverableError((e as Error).message);
        throw e;
      }
    },
    { ...common, concurrency: 1 },
  );
  for (const [name, w] of [['unit', unitWorker], ['batch', batchWorker]] as const) {
    w.on('failed', (job, err) => o.onEvent?.(`${name} ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`));
    w.on('completed', (job) => o.onEvent?.(`${name} ${job.id} done`));
    w.on('error', (err) => o.onEvent?.(`${name} worker error: ${err.message}`));
  }
  await Promise.all([unitWorker.waitUntilReady(), batchWorker.waitUntilReady()]);
  return {
    async close() {
      await Promise.all([unitWorker.close(), batchWorker.close()]);
      await o.units.close();
    },
  };
}
