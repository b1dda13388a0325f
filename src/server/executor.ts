/**
 * Where generation runs: a worker_threads pool (each worker initialises its own tfjs backend and
 * loads every model itself) or, with `workers: 0`, the request thread. Both run the same pure
 * functions on the same units (src/scenarios), so results are identical; the pool spreads the
 * units of a request over its workers and the caller merges them in plan order.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { MixcastError, fromWire, type WireError } from '../core/errors.js';
import { loadModel } from '../model/index.js';
import type { MixcastModel } from '../model/index.js';
import { caseSummaries, executeUnit, summariseDay, type CaseSummary, type CaseTask, type DaySummary } from '../scenarios/index.js';
import type { ScenarioUnit } from '../scenarios/index.js';
import type { ScenarioResult } from '../scenarios/index.js';
import { scenarioStaffing, type ModelStaffingRequest, type ModelStaffingResult, type ScenarioStaffingOptions, type ScenarioStaffingResult } from '../staffing/index.js';

/**
 * A request's handle: set `cancelled` (e.g. on timeout) and its queued tasks are dropped; a
 * worker running one of its tasks is terminated and replaced (the pool checks every
 * CANCEL_CHECK_MS), so a cancelled request stops using the pool within a second.
 */
export interface Job {
  cancelled: boolean;
}

export interface ThreadStats {
  id: number;
  busy: boolean;
  tasks: number;
  numTensors: number;
}

export interface ExecutorStats {
  mode: 'in-process' | 'workers';
  size: number;
  queued: number;
  threads: ThreadStats[];
  /** Workers being started to replace ones terminated by a cancellation or a crash. */
  restarting: number;
  /** Workers terminated because their request was cancelled (timeout, client gone). */
  cancelledRuns: number;
}

/** One date's what-if work (the scenario library's CaseTask). */
export type CasesTask = CaseTask;

export interface Executor {
  readonly backend: string | null;
  /** Run units of one model; results in the order given. */
  runUnits(modelId: string, units: ScenarioUnit[], job: Job): Promise<number[][][]>;
  summarise(rows: number[][], quantiles: number[], job: Job): Promise<DaySummary>;
  cases(rows: number[][], task: CasesTask, job: Job): Promise<CaseSummary[]>;
  /** Staffing plans for every date of a scenario result (CPU-heavy: on the pool, one task per date). */
  staff(r: ScenarioResult, staffing: ModelStaffingRequest['staffing'], job: Job): Promise<ModelStaffingResult>;
  stats(): ExecutorStats;
  close(): Promise<void>;
}

export const cancelledError = () => new MixcastError('TIMEOUT', 'the request was cancelled (timeout)');

/** How often the pool looks for running tasks whose request was cancelled (ms). */
export const CANCEL_CHECK_MS = 50;

/** Same shape as staffScenarios (staffing/from-model.ts), with each date's plans computed by `perDate`. */
async function staffDates(
  r: ScenarioResult,
  staffing: ModelStaffingRequest['staffing'],
  perDate: (values: number[][], o: ScenarioStaffingOptions) => Promise<ScenarioStaffingResult>,
): Promise<ModelStaffingResult> {
  const intervalSeconds = staffing.intervalSeconds ?? r.intervalMinutes * 60;
  const results = await Promise.all(r.dates.map((d) => perDate(d.values, { ...staffing, intervalSeconds })));
  return {
    labels: r.labels,
    intervalSeconds,
    count: r.count,
    seed: r.seed,
    dates: r.dates.map((d, i) => ({ date: d.date, key: d.key, fallback: d.fallback, result: results[i] })),
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function flatten(rows: number[][]): { flat: Float64Array; n: number; d: number } {
  const n = rows.length;
  const d = n ? rows[0].length : 0;
  const flat = new Float64Array(n * d);
  rows.forEach((r, i) => flat.set(r, i * d));
  return { flat, n, d };
}

export function unflatten(flat: Float64Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d)));
}

/** The request thread does the work (tests, tiny deployments); it yields between units. */
export class InProcessExecutor implements Executor {
  private tasks = 0;
  private busy = false;
  constructor(
    private readonly models: Map<string, MixcastModel>,
    readonly backend: string | null,
  ) {}

  private model(id: string): MixcastModel {
    const m = this.models.get(id);
    if (!m) throw new MixcastError('NOT_FOUND', `unknown model ${id}`);
    return m;
  }

  async runUnits(modelId: string, units: ScenarioUnit[], job: Job): Promise<number[][][]> {
    const model = this.model(modelId);
    const out: number[][][] = [];
    for (const u of units) {
      if (job.cancelled) throw cancelledError();
      this.busy = true;
      try {
        out.push(executeUnit(model, u));
      } finally {
        this.busy = false;
        this.tasks++;
      }
      await tick();
    }
    return out;
  }

  async summarise(rows: number[][], quantiles: number[], job: Job): Promise<DaySummary> {
    if (job.cancelled) throw cancelledError();
    return summariseDay(rows, quantiles);
  }

  async cases(rows: number[][], t: CasesTask, job: Job): Promise<CaseSummary[]> {
    if (job.cancelled) throw cancelledError();
    return caseSummaries(rows, t.caseOps, t.observed, t.clamp, t.round, t.quantiles);
  }

  async staff(r: ScenarioResult, staffing: ModelStaffingRequest['staffing'], job: Job): Promise<ModelStaffingResult> {
    return staffDates(r, staffing, async (values, o) => {
      if (job.cancelled) throw cancelledError();
      await tick();
      return scenarioStaffing(values, o);
    });
  }

  stats(): ExecutorStats {
    return {
      mode: 'in-process',
      size: 0,
      queued: 0,
      threads: [{ id: 0, busy: this.busy, tasks: this.tasks, numTensors: tf.memory().numTensors }],
      restarting: 0,
      cancelledRuns: 0,
    };
  }

  async close(): Promise<void> {
    for (const m of this.models.values()) m.dispose();
    this.models.clear();
  }
}

// ───────────────────────────── worker pool ─────────────────────────────

export type WorkerRequest =
  | { type: 'unit'; id: number; model: string; unit: ScenarioUnit }
  | { type: 'summary'; id: number; flat: Float64Array; n: number; d: number; quantiles: number[] }
  | ({ type: 'cases'; id: number; flat: Float64Array; n: number; d: number } & CasesTask)
  | { type: 'staff'; id: number; flat: Float64Array; n: number; d: number; options: ScenarioStaffingOptions };

export type WorkerReply =
  | { type: 'ready'; backend: string; numTensors: number }
  | { type: 'fatal'; error: WireError }
  | { type: 'done'; id: number; numTensors: number; result: unknown; flat?: Float64Array; n?: number; d?: number }
  | { type: 'error'; id: number; numTensors: number; error: WireError };

export type { WireError };

interface Task {
  msg: WorkerRequest;
  transfer: ArrayBuffer[];
  job: Job;
  resolve: (r: Extract<WorkerReply, { type: 'done' }>) => void;
  reject: (e: Error) => void;
}

interface Slot {
  id: number;
  worker: Worker;
  task: Task | null;
  tasks: number;
  numTensors: number;
  /** Terminated on purpose (cancellation): its exit is not a crash. */
  killed: boolean;
}

export interface PoolOptions {
  models: { id: string; dir: string }[];
  size: number;
  /** Backend request for the workers (`wasm`, `cpu`, `auto`, …). */
  backend?: string;
}

// Compiled (dist/…/executor.js): run the compiled worker.js. From the TypeScript sources (tsx, in
// development and tests): worker.mjs registers tsx, then imports worker.ts.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.mjs' : './worker.js', import.meta.url);

export class WorkerPool implements Executor {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private closing = false;
  private restarting = 0;
  private cancelledRuns = 0;
  private watchdog: NodeJS.Timeout | null = null;
  backend: string | null = null;

  private constructor(private readonly opts: PoolOptions) {}

  /** Start `size` workers and wait until each has its backend and models ready. */
  static async start(opts: PoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new MixcastError('BAD_OPTION', `workers must be a positive integer (got ${opts.size})`, { field: 'workers' });
    const pool = new WorkerPool(opts);
    try {
      await Promise.all(Array.from({ length: opts.size }, (_, i) => pool.spawn(i)));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private spawn(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: { models: this.opts.models, backend: this.opts.backend } });
      const slot: Slot = { id, worker, task: null, tasks: 0, numTensors: 0, killed: false };
      let ready = false;
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          ready = true;
          slot.numTensors = m.numTensors;
          this.backend = m.backend;
          const at = this.slots.findIndex((s) => s.id === id);
          if (at >= 0) this.slots[at] = slot;
          else this.slots.push(slot);
          resolve();
          this.pump();
          return;
        }
        if (m.type === 'fatal') {
          reject(fromWire(m.error));
          return;
        }
        const task = slot.task;
        slot.task = null;
        slot.tasks++;
        slot.numTensors = m.numTensors;
        if (task) {
          if (m.type === 'done') task.resolve(m);
          else task.reject(fromWire(m.error));
        }
        this.pump();
      });
      worker.on('error', (e) => {
        if (!ready) reject(e);
        else this.lost(slot, e);
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new Error(`worker ${id} exited with code ${code} while starting`));
        else if (!this.closing && !slot.killed) this.lost(slot, new Error(`worker ${id} exited with code ${code}`));
      });
    });
  }

  /** A worker died: fail its task, replace it. */
  private lost(slot: Slot, e: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.task?.reject(new Error(`worker ${slot.id} failed: ${e.message}`));
    slot.task = null;
    this.replace(slot.id);
  }

  private replace(id: number): void {
    if (this.closing) return;
    this.restarting++;
    this.spawn(id)
      .catch((err) => process.stderr.write(`mixcast: worker ${id} could not be restarted: ${(err as Error).message}\n`))
      .finally(() => this.restarting--);
  }

  /**
   * Cancellation of running work: a worker whose task belongs to a cancelled request is
   * terminated at once (a sampler has no yield points) and a fresh one is started in its place.
   */
  private reap(): void {
    for (const slot of [...this.slots]) {
      if (!slot.task?.job.cancelled) continue;
      this.slots.splice(this.slots.indexOf(slot), 1);
      slot.killed = true;
      this.cancelledRuns++;
      slot.task.reject(cancelledError());
      slot.task = null;
      slot.worker.terminate().catch(() => undefined);
      this.replace(slot.id);
    }
    if (!this.slots.some((s) => s.task) && this.watchdog) {
      clearInterval(this.watchdog);
      this.watchdog = null;
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task) continue;
      let task: Task | undefined;
      while ((task = this.queue.shift())) {
        if (task.job.cancelled) task.reject(cancelledError());
        else break;
      }
      if (!task) return;
      slot.task = task;
      slot.worker.postMessage(task.msg, task.transfer);
      if (!this.watchdog) {
        this.watchdog = setInterval(() => this.reap(), CANCEL_CHECK_MS);
        this.watchdog.unref();
      }
    }
  }

  private run(msg: WorkerRequest, job: Job, transfer: ArrayBuffer[] = []): Promise<Extract<WorkerReply, { type: 'done' }>> {
    if (this.closing) return Promise.reject(new MixcastError('TIMEOUT', 'the server is shutting down'));
    if (job.cancelled) return Promise.reject(cancelledError());
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, transfer, job, resolve, reject });
      this.pump();
    });
  }

  async runUnits(modelId: string, units: ScenarioUnit[], job: Job): Promise<number[][][]> {
    const replies = await Promise.all(units.map((unit) => this.run({ type: 'unit', id: this.nextId++, model: modelId, unit }, job)));
    return replies.map((r) => unflatten(r.flat!, r.n!, r.d!));
  }

  async summarise(rows: number[][], quantiles: number[], job: Job): Promise<DaySummary> {
    const { flat, n, d } = flatten(rows);
    const r = await this.run({ type: 'summary', id: this.nextId++, flat, n, d, quantiles }, job, [flat.buffer as ArrayBuffer]);
    return r.result as DaySummary;
  }

  async cases(rows: number[][], t: CasesTask, job: Job): Promise<CaseSummary[]> {
    const { flat, n, d } = flatten(rows);
    const r = await this.run({ type: 'cases', id: this.nextId++, flat, n, d, ...t }, job, [flat.buffer as ArrayBuffer]);
    return r.result as CaseSummary[];
  }

  async staff(r: ScenarioResult, staffing: ModelStaffingRequest['staffing'], job: Job): Promise<ModelStaffingResult> {
    return staffDates(r, staffing, async (values, options) => {
      const { flat, n, d } = flatten(values);
      const reply = await this.run({ type: 'staff', id: this.nextId++, flat, n, d, options }, job, [flat.buffer as ArrayBuffer]);
      return reply.result as ScenarioStaffingResult;
    });
  }

  stats(): ExecutorStats {
    return {
      mode: 'workers',
      size: this.opts.size,
      queued: this.queue.length,
      threads: this.slots.map((s) => ({ id: s.id, busy: s.task !== null, tasks: s.tasks, numTensors: s.numTensors })).sort((a, b) => a.id - b.id),
      restarting: this.restarting,
      cancelledRuns: this.cancelledRuns,
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    for (const t of this.queue.splice(0)) t.reject(new MixcastError('TIMEOUT', 'the server is shutting down'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}

/** Load every model in-process (workers: 0). */
export function inProcessExecutor(models: { id: string; dir: string }[], backend: string | null): InProcessExecutor {
  const loaded = new Map<string, MixcastModel>();
  try {
    for (const m of models) loaded.set(m.id, loadModel(m.dir));
  } catch (e) {
    for (const m of loaded.values()) m.dispose();
    throw e;
  }
  return new InProcessExecutor(loaded, backend);
}
