/** `mixcast train`: ingest a series, fit a mixture-prior diffusion model, save the bundle. */
import { Command, Option } from 'commander';
import { ingest } from '../../adapters/index.js';
import { fitModel, defaultFitOptions } from '../train/fit.js';
import { saveModel } from '../model/bundle.js';
import { optionError } from '../errors.js';
import { describePrior } from '../prior/index.js';
import { action, addBackendOption, log, setupBackend } from './common.js';
import { addCalendarOptions, addIngestOptions, calendarOptionsFrom, ingestOptionsFrom } from './options.js';
import { progressReporter } from './progress.js';

export const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw optionError(`${name} must be an integer (got "${v}")`);
  return n;
};
export const float = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw optionError(`${name} must be a number (got "${v}")`);
  return n;
};

/** Model/training flags shared by `train` and `evaluate`. */
export function addTrainOptions(cmd: Command): Command {
  const f = defaultFitOptions;
  return cmd
    .option('--prior <spec>', 'none | weekday | daytype | season | weekday*season | holiday+weekday | kmeans:K | kmeans:auto', f.prior)
    .addOption(new Option('--family <name>', 'diffusion family').choices(['ddpm', 'sgm-vp', 'sgm-ve']).default(f.family))
    .option('--steps <n>', 'training steps', int('--steps'), f.steps)
    .option('--batch <n>', 'batch size', int('--batch'), f.batch)
    .option('--seed <n>', 'random seed', int('--seed'), f.seed)
    .addOption(new Option('--condition <mode>', 'feed the component label to the network').choices(['component', 'none']).default(f.condition))
    .addOption(new Option('--schedule <name>', 'ddpm noise schedule').choices(['linear', 'cosine']).default(f.schedule))
    .option('--T <n>', 'ddpm diffusion steps', int('--T'), f.T)
    .option('--hidden <n>', 'hidden width of the denoiser', int('--hidden'), f.hidden)
    .option('--blocks <n>', 'residual blocks', int('--blocks'), f.blocks)
    .option('--lr <x>', 'peak learning rate (Adam)', float('--lr'), f.lr)
    .option('--validation <share>', 'share of days held out for validation loss / early stopping', float('--validation'), f.validation)
    .option('--patience <n>', 'stop after N validation checks without improvement (0 = off)', int('--patience'), f.patience)
    .addOption(new Option('--transform <kind>', 'value transform (default: anscombe for counts, none otherwise)').choices(['anscombe', 'log1p', 'none']))
    .option('--key-spec <spec>', 'calendar key for dates under k-means/none priors', 'weekday')
    .option('--scale <x>', 'prior scale around each center', float('--scale'), f.scale)
    .addOption(
      new Option('--skip <mode>', 'Gaussian skip: the network learns the departure from N(c_k, Σ) — covariance: Σ pooled within components; identity: Σ = I; none: plain ε-prediction')
        .choices(['covariance', 'identity', 'none'])
        .default(f.skip),
    )
    .option('--sampler <spec>', 'default sampler stored in the model', f.sampler);
}

export function fitOptionsFrom(o: Record<string, unknown>) {
  return {
    prior: String(o.prior),
    family: o.family as 'ddpm',
    steps: o.steps as number,
    batch: o.batch as number,
    seed: o.seed as number,
    condition: o.condition as 'none',
    schedule: o.schedule as 'linear',
    T: o.T as number,
    hidden: o.hidden as number,
    blocks: o.blocks as number,
    lr: o.lr as number,
    validation: o.validation as number,
    patience: o.patience as number,
    transform: o.transform as 'anscombe' | undefined,
    keySpec: o.keySpec as string,
    scale: o.scale as number,
    skip: o.skip as 'covariance',
    sampler: o.sampler as string,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a mixture-prior diffusion model on a series and save the model bundle')
    .requiredOption('--out <dir>', 'model bundle directory to write');
  addIngestOptions(cmd);
  addCalendarOptions(cmd);
  addTrainOptions(cmd);
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const backend = await setupBackend(opts);
      const ds = await ingest(ingestOptionsFrom(opts));
      log(`ingested ${ds.days.length} days × ${ds.labels.length} slots (${ds.open}–${ds.close}, ${ds.intervalMinutes} min, ${ds.zone}); dropped ${ds.report.dropped.length}`);
      const progress = progressReporter('train');
      const fit = fitOptionsFrom(opts);
      const { model, summary } = fitModel(ds, { ...fit, calendar: calendarOptionsFrom(opts, ds), onProgress: progress.onProgress });
      progress.stop();
      await saveModel(model, String(opts.out));
      log(`prior ${summary.prior}: K = ${summary.K}\n${describePrior(model.prior)}`);
      const re = summary.reverseEffort;
      log(`reverse effort E‖x0 − xT‖²: standard ${re.standard.toFixed(2)}, mixture ${re.mixture.toFixed(2)} (saves ${re.reduction.toFixed(2)}; Σ p_k‖c_k‖² = ${re.sumPkCk2.toFixed(2)})`);
      log(`saved model to ${String(opts.out)}`);
      model.dispose();
      process.stdout.write(JSON.stringify({ ...summary, backend: backend.name, model: String(opts.out) }, null, 2) + '\n');
    }),
  );
}
