/** `mixcast sample`: raw samples from a model bundle, in original units (the low-level door). */
import type { Command } from 'commander';
import { loadModel } from '../model/index.js';
import { toCsv } from '../core/csv.js';
import { optionError } from '../core/errors.js';
import { drawIndex, rng } from '../core/random.js';
import { action, addBackendOption, emit, setupBackend } from './common.js';
import { int } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('sample')
    .description('draw raw samples (whole days) from a model, in original units')
    .requiredOption('--model <dir>', 'model bundle directory')
    .option('--count <n>', 'number of samples', int('--count'), 100)
    .option('--seed <n>', 'random seed', int('--seed'), 0)
    .option('--component <k>', 'component index or name (default: drawn by the prior weights)')
    .option('--sampler <spec>', 'ddpm | ddim:STEPS[:ETA] | em:STEPS | pc:STEPS | ode:STEPS (default: the model\'s)')
    .option('--continuous', 'keep continuous values (default: counts are rounded to integers)')
    .option('--out <file>', 'CSV file to write (default stdout)');
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      await setupBackend(opts);
      const model = loadModel(String(opts.model));
      const count = opts.count as number;
      if (count < 1 || count > 100000) throw optionError(`--count must be between 1 and 100000 (got ${count})`);
      const prior = model.prior;
      let components: number[];
      if (opts.component !== undefined) {
        const c = String(opts.component);
        const byName = prior.components.findIndex((p) => p.name === c);
        const k = byName >= 0 ? byName : /^\d+$/.test(c) ? Number(c) : -1;
        if (k < 0 || k >= prior.centers.length) {
          throw optionError(`unknown component "${c}"; the model has ${prior.components.map((p, i) => `${i}=${p.name}`).join(', ')}`);
        }
        components = Array(count).fill(k);
      } else {
        const r = rng((opts.seed as number) ^ 0x9e3779b9);
        components = Array.from({ length: count }, () => drawIndex(r, prior.weights));
      }
      const values = model.sampleDays({ components, seed: opts.seed as number, sampler: opts.sampler as string | undefined });
      const round = model.manifest.data.valueKind === 'counts' && !opts.continuous;
      const header = ['sample', 'component', ...model.labels];
      const rows = values.map((v, i) => [i, prior.components[components[i]].name, ...v.map((x) => (round ? Math.round(x) : Number(x.toFixed(4))))]);
      emit(toCsv(header, rows), opts.out as string | undefined);
      model.dispose();
    }),
  );
}
