/**
 * Where units run: a pool of worker threads (each with its own tfjs backend and model cache),
 * or, with size 0, the calling thread. Threads keep the event loop free while a unit computes,
 * so a BullMQ worker keeps renewing its job locks and a server keeps answering.
 */
import { Worker } from 'node:worker_threads';
import { MixcastError, fromWire, type WireError } from '../core/errors.js';
import { initBackend, requestedBackend } from '../backend.js';
import { ModelCache, runUnit, type UnitResult } from './unit.js';
import type { UnitSpec } from './plan.js';

export interface UnitRunner {
  readonly size: number;
  run(unit: UnitSpec): Promise<UnitResult>;
  close(): Promise<void>;
}


const THREAD_URL = new URL(import.meta.url.endsWith('.ts') ? './thread.mjs' : './thread.js', import.meta.url);

/** Runs units on the calling thread (tests, tiny batches): one at a time, yielding in between. */
export class InlineRunner implements UnitRunner {
  readonly size = 1;
  private cache = new ModelCache();
  private chain: Promise<unknown> = Promise.resolve();
  private ready: Promise<unknown>;
  constructor(private readonly root: string, backend?: string) {
    this.ready = initBackend(requestedBackend(backend));
  }
  run(unit: UnitSpec): Promise<UnitResult> {
    const p = this.chain.then(async () => {
      await this.ready;
      await new Promise((r) => setImmediate(r));
      return runUnit(unit, this.root, this.cache);
    });
    this.chain = p.catch(() => undefined);
    return p;
  }
  async close(): Promise<void> {
    await this.chain;
    this.cache.clear();
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
  ready: boolean;
}

/** Threads that die after starting are replaced, up to this many times per pool. */
const MAX_RESPAWNS = 10;

interface Task {
  unit: UnitSpec;
  resolve: (r: UnitResult) => void;
  reject: (e: Error) => void;
}

export class ThreadRunner implements UnitRunner {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private pending = new Map<number, Task & { slot: Slot }>();
  private nextId = 1;
  private closed = false;
  private respawns = 0;

  private constructor(readonly size: number, private readonly root: string, private readonly backend?: string) {}

  static async start(size: number, root: string, backend?: string): Promise<ThreadRunner> {
    if (!Number.isInteger(size) || size < 1) throw new MixcastError('BAD_OPTION', `concurrency must be a positive integer (got ${size})`, { field: 'concurrency' });
    const r = new ThreadRunner(size, root, backend);
    try {
      await Promise.all(Array.from({ length: size }, () => r.spawn()));
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  private spawn(): Promise<void> {
    const worker = new Worker(THREAD_URL, { workerData: { root: this.root, backend: this.backend } });
    const slot: Slot = { worker, busy: false, ready: false };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: { type: string; id?: number; result?: UnitResult; error?: WireError }) => {
        if (m.type === 'ready') {
          slot.ready = true;
          return resolve();
        }
        if (m.type === 'fatal') return reject(fromWire(m.error!));
        const t = this.pending.get(m.id!);
        if (!t) return;
        this.pending.delete(m.id!);
        slot.busy = false;
        if (m.type === 'done') t.resolve(m.result!);
        else t.reject(fromWire(m.error!));
        this.pump();
      });
      worker.on('error', (e) => {
        reject(e);
        this.fail(slot, e);
      });
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(slot, new Error(`unit thread exited with code ${code}`));
      });
    });
  }

  private fail(slot: Slot, e: Error): void {
    for (const [id, t] of this.pending) {
      if (t.slot === slot) {
        this.pending.delete(id);
        t.reject(e);
      }
    }
    this.slots = this.slots.filter((s) => s !== slot);
    // a thread that never started (a broken install) is not replaced: its start already failed
    if (!this.closed && slot.ready && this.respawns++ < MAX_RESPAWNS) this.spawn().then(() => this.pump(), () => undefined);
    if (!this.slots.length && !this.closed) {
      for (const t of this.queue) t.reject(e);
      this.queue = [];
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || !this.queue.length) continue;
      const t = this.queue.shift()!;
      const id = this.nextId++;
      slot.busy = true;
      this.pending.set(id, { ...t, slot });
      slot.worker.postMessage({ id, unit: t.unit });
    }
  }

  run(unit: UnitSpec): Promise<UnitResult> {
    if (this.closed) return Promise.reject(new Error('the unit pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ unit, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue) t.reject(new Error('the unit pool is closed'));
    this.queue = [];
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}

/** size 0: the calling thread; otherwise that many worker threads. */
export async function startUnitRunner(size: number, root: string, backend?: string): Promise<UnitRunner> {
  return size === 0 ? new InlineRunner(root, backend) : ThreadRunner.start(size, root, backend);
}

/** Starts its runner on the first unit (a server that never gets a batch starts no threads). */
export class LazyRunner implements UnitRunner {
  private runner: Promise<UnitRunner> | null = null;
  constructor(readonly size: number, private readonly root: string, private readonly backend?: string) {}
  run(unit: UnitSpec): Promise<UnitResult> {
    this.runner ??= startUnitRunner(this.size, this.root, this.backend);
    return this.runner.then((r) => r.run(unit));
  }
  async close(): Promise<void> {
    const r = await this.runner?.catch(() => null);
    if (r) await r.close();
  }
}
