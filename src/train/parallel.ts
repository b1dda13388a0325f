/**
 * Data-parallel gradients: a training batch is split into `shards` equal row ranges, each shard's
 * gradient of its mean loss is computed, and the gradients are summed weighted by shard size —
 * the full batch's gradient, computed as S smaller passes.
 *
 * Shards 2..S can run on worker threads (each with its own tfjs backend). A shard gives the same
 * float32 gradient whether it runs here or on a worker (same network code, same weights, same
 * rows), and the sum is taken in shard order either way, so a training run depends on the seed
 * and the shard count, never on whether threads were used, how many cores there are or when a
 * worker finished booting (until it is ready, its shard runs here).
 *
 * The main thread stays synchronous: it hands a shard over (weights through shared memory, the
 * rows through a message port), computes its own shard, then waits on an Atomics flag.
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Denoiser, DenoiserConfig } from '../nn/denoiser.js';
import type { FlatAdam } from '../nn/optimizer.js';
import type { Preconditioner, ProcessConfig, SkipBasis, SkipMode, TrainBatch } from '../diffusion/index.js';

/** Rows [from, to) of a batch: every typed array holds `rows × width` numbers, row-major. */
export function sliceBatch(b: TrainBatch, from: number, to: number): TrainBatch {
  const rows = b.t.length;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      const a = value as unknown as Float64Array;
      const width = a.length / rows;
      out[key] = a.slice(from * width, to * width);
    } else {
      out[key] = value;
    }
  }
  return out as unknown as TrainBatch;
}

/** Row ranges of `shards` near-equal shards of `rows` rows. */
export function shardRanges(rows: number, shards: number): [number, number][] {
  const s = Math.max(1, Math.min(shards, rows));
  return Array.from({ length: s }, (_, j) => [Math.floor((rows * j) / s), Math.floor((rows * (j + 1)) / s)] as [number, number]);
}

/** One shard's loss and gradients (float32, one array per weight in `net.vars` order). */
export function shardGradients(net: Denoiser, pre: Preconditioner, batch: TrainBatch): { loss: number; grads: Float32Array[] } {
  let loss = NaN;
  const out: Float32Array[] = [];
  // Nothing returned from tidy: it would walk every element of the arrays looking for tensors.
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => pre.loss(net, batch), net.vars);
    loss = value.dataSync()[0];
    for (const v of net.vars) out.push(grads[v.name].dataSync() as Float32Array);
  });
  return { loss, grads: out };
}

/** What a worker needs to rebuild the network and the loss. */
export interface WorkerSetup {
  config: DenoiserConfig;
  process: ProcessConfig;
  skip: SkipMode;
  basis: SkipBasis | null;
  backend: string;
  size: number;
  control: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  port: MessagePort;
}

/** control[]: request sequence, done sequence, state, …; loss in a Float64 slot. */
export const CONTROL = { request: 0, done: 1, state: 2 } as const;
export const STATE = { booting: 0, ready: 1, failed: 2, closing: 3 } as const;
const CONTROL_BYTES = 64;

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './parallel-worker.mjs' : './parallel-worker.js', import.meta.url);

class ShardWorker {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly lossSlot: Float64Array;
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly port: MessagePort;
  private seq = 0;
  error: string | null = null;

  constructor(setup: Omit<WorkerSetup, 'control' | 'params' | 'grads' | 'port'>) {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const params = new SharedArrayBuffer(setup.size * 4);
    const grads = new SharedArrayBuffer(setup.size * 4);
    const { port1, port2 } = new MessageChannel();
    this.control = new Int32Array(control, 0, 8);
    this.lossSlot = new Float64Array(control, 32, 1);
    this.params = new Float32Array(params);
    this.grads = new Float32Array(grads);
    this.port = port1;
    this.worker = new Worker(WORKER_URL, { workerData: { ...setup, control, params, grads, port: port2 }, transferList: [port2] });
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  get ready(): boolean {
    return this.error === null && Atomics.load(this.control, CONTROL.state) === STATE.ready;
  }

  /** Hand a shard over (the worker starts at once). */
  submit(params: Float32Array, shard: TrainBatch): void {
    this.params.set(params);
    this.port.postMessage(shard);
    this.seq++;
    Atomics.store(this.control, CONTROL.request, this.seq);
    Atomics.notify(this.control, CONTROL.request);
  }

  /** Wait for the shard's result; throws with the worker's message if it failed. */
  collect(timeoutMs: number): number {
    const start = Date.now();
    while (Atomics.load(this.control, CONTROL.done) !== this.seq) {
      if (Atomics.load(this.control, CONTROL.state) === STATE.failed) {
        const msg = receiveMessageOnPort(this.port)?.message as { error?: string } | undefined;
        this.error = msg?.error ?? 'worker failed';
        throw new Error(`data-parallel training worker failed: ${this.error}`);
      }
      if (Date.now() - start > timeoutMs) throw new Error(`data-parallel training worker did not answer within ${timeoutMs / 1000} s`);
      Atomics.wait(this.control, CONTROL.done, this.seq - 1, 50);
    }
    return this.lossSlot[0];
  }

  close(): void {
    Atomics.store(this.control, CONTROL.state, STATE.closing);
    Atomics.notify(this.control, CONTROL.request);
    void this.worker.terminate();
    this.port.close();
  }
}

export interface ShardOptions {
  /** Data-parallel shards per batch (1 = the whole batch in one pass). */
  shards: number;
  /** Run shards 2..S on worker threads (`auto`: when there is more than one core and the run is long enough). */
  threads: boolean;
  backend: string;
}

/**
 * Computes each step's gradient into a FlatAdam accumulator, shard by shard, with shards 2..S on
 * worker threads once they are ready. `close()` ends the workers.
 */
export class ShardedGradients {
  private readonly workers: ShardWorker[] = [];
  /** Shards computed on a worker thread, and the most worker threads used in one step (for the record). */
  offloaded = 0;
  threadsUsed = 0;

  constructor(
    private readonly net: Denoiser,
    private readonly pre: Preconditioner,
    private readonly opt: FlatAdam,
    private readonly o: ShardOptions,
  ) {
    if (o.threads && o.shards > 1) {
      for (let j = 1; j < o.shards; j++) {
        this.workers.push(
          new ShardWorker({ config: net.config, process: pre.process.config, skip: pre.skip, basis: pre.basis, backend: o.backend, size: opt.size }),
        );
      }
    }
  }

  /** Accumulate the batch gradient into `opt` (after zeroGrad); returns the batch loss. */
  step(batch: TrainBatch): number {
    const rows = batch.t.length;
    const ranges = shardRanges(rows, this.o.shards);
    const shards = ranges.map(([a, b]) => (ranges.length === 1 ? batch : sliceBatch(batch, a, b)));
    const onWorker = shards.map((_, j) => (j > 0 && this.workers[j - 1]?.ready ? this.workers[j - 1] : null));
    onWorker.forEach((w, j) => w?.submit(this.opt.params, shards[j]));
    this.threadsUsed = Math.max(this.threadsUsed, onWorker.filter(Boolean).length);
    let loss = 0;
    const local = shards.map((s, j) => (onWorker[j] ? null : shardGradients(this.net, this.pre, s)));
    shards.forEach((_, j) => {
      const share = (ranges[j][1] - ranges[j][0]) / rows;
      const w = onWorker[j];
      if (w) {
        loss += share * w.collect(10 * 60_000);
        this.opt.addFlatGrad(w.grads, share);
        this.offloaded++;
      } else {
        const r = local[j]!;
        loss += share * r.loss;
        r.grads.forEach((g, i) => this.opt.addGrad(i, g, share));
      }
    });
    return loss;
  }

  /** Whether every worker thread is up (shards run here until then). */
  get ready(): boolean {
    return this.workers.every((w) => w.ready);
  }

  close(): void {
    this.workers.forEach((w) => w.close());
  }
}

export const availableCores = (): number => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
