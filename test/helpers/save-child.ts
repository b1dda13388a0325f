/**
 * Child process for the crash-safety tests: fit a tiny model with the given seed and save it to
 * the given folder. The parent sets MIXCAST_SAVE_FAULT to kill this process inside the save.
 */
import { initBackend } from '../../src/backend.js';
import { ingest } from '../../adapters/index.js';
import { fitModel } from '../../src/train/fit.js';
import { saveModel } from '../../src/model/bundle.js';

const [dir, seed] = process.argv.slice(2);
await initBackend('wasm');
const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
const { model } = fitModel({ ...ds, days: ds.days.slice(0, 40) }, { steps: 3, hidden: 8, blocks: 1, batch: 16, prior: 'weekday', seed: Number(seed), sampler: 'ddim:5' });
const m = await saveModel(model, dir);
process.stdout.write(m.weights.sha256 + '\n');
