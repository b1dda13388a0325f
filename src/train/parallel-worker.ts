/**
 * A data-parallel training worker (see parallel.ts): rebuilds the network and the loss, then
 * loops: wait for a request, load the weights from shared memory, take the shard from the port,
 * write the shard's loss and float32 gradients back to shared memory, flag done.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendChoice } from '../backend.js';
import { Denoiser } from '../nn/denoiser.js';
import { flatLayout, flatten } from '../nn/flat.js';
import { makeProcess, Preconditioner, type TrainBatch } from '../diffusion/index.js';
import { CONTROL, STATE, shardGradients, type WorkerSetup } from './parallel.js';

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control, 0, 8);
const lossSlot = new Float64Array(setup.control, 32, 1);
const params = new Float32Array(setup.params);
const grads = new Float32Array(setup.grads);

function fail(e: unknown): void {
  setup.port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  Atomics.store(control, CONTROL.state, STATE.failed);
  Atomics.notify(control, CONTROL.done);
}

try {
  await initBackend(setup.backend as BackendChoice);
  const net = new Denoiser(setup.config, 0);
  const pre = new Preconditioner(makeProcess(setup.process), { skip: setup.skip, basis: setup.basis });
  const { size } = flatLayout(net.vars.map((v) => v.size));
  if (size !== setup.size) throw new Error(`network has ${size} weights, the trainer ${setup.size}`);
  Atomics.store(control, CONTROL.state, STATE.ready);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, CONTROL.request, seen);
    if (Atomics.load(control, CONTROL.state) === STATE.closing) break;
    const seq = Atomics.load(control, CONTROL.request);
    if (seq === seen) continue;
    seen = seq;
    const msg = receiveMessageOnPort(setup.port);
    if (!msg) throw new Error('request without a shard');
    net.importWeights(params, net.layout());
    const r = shardGradients(net, pre, msg.message as TrainBatch);
    flatten(r.grads, grads);
    lossSlot[0] = r.loss;
    Atomics.store(control, CONTROL.done, seq);
    Atomics.notify(control, CONTROL.done);
  }
  net.dispose();
} catch (e) {
  fail(e);
}
