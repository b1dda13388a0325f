/** `mixcast train`: ingest a series, fit a mixture-prior diffusion model, save the bundle. */
import { Command, Option } from 'commander';
import { ingest } from '../../adapters/index.js';
import { fitModel, defaultFitOptions, FIT_RANGES } from '../train/fit.js';
import { checkBundleTarget, cleanLeftovers, lockBundle, saveModel } from '../model/bundle.js';
import fs from 'node:fs';
import path from 'node:path';
import { isMixcastError, optionError } from '../core/errors.js';
import { describePrior } from '../prior/index.js';
import { action, addBackendOption, log, setupBackend } from './common.js';
import { addCalendarOptions, addIngestOptions, calendarOptionsFrom, float, ingestOptionsFrom, int } from './options.js';
import { progressReporter } from './progress.js';
import { trainingCovariates } from './context.js';
import { perSeriesHint, trainPerSeries } from './train-series.js';

export { int, float } from './options.js';

/** Accepted ranges of the training flags (the same ones fitModel checks). */
const TRAIN_RANGES = FIT_RANGES;

/** Model/training flags shared by `train` and `evaluate`. */
export function addTrainOptions(cmd: Command): Command {
  const f = defaultFitOptions;
  return cmd
    .option('--prior <spec>', 'none | weekday | daytype | season | weekday*season | holiday+weekday | kmeans:K | kmeans:auto', f.prior)
    .addOption(new Option('--family <name>', 'diffusion family').choices(['ddpm', 'sgm-vp', 'sgm-ve']).default(f.family))
    .option('--steps <n>', 'training steps', int('--steps', ...TRAIN_RANGES.steps), f.steps)
    .option('--batch <n>', 'batch size', int('--batch', ...TRAIN_RANGES.batch), f.batch)
    .option('--seed <n>', 'random seed', int('--seed'), f.seed)
    .addOption(new Option('--condition <mode>', 'feed the component label to the network').choices(['component', 'none']).default(f.condition))
    .addOption(new Option('--schedule <name>', 'ddpm noise schedule').choices(['linear', 'cosine']).default(f.schedule))
    .option('--T <n>', 'ddpm diffusion steps', int('--T', ...TRAIN_RANGES.T), f.T)
    .option('--hidden <n>', 'hidden width of the denoiser', int('--hidden', ...TRAIN_RANGES.hidden), f.hidden)
    .option('--blocks <n>', 'residual blocks', int('--blocks', ...TRAIN_RANGES.blocks), f.blocks)
    .option('--lr <x>', 'peak learning rate (Adam)', float('--lr', 0, 1, true), f.lr)
    .option('--validation <share>', 'share of days held out for validation loss / early stopping', float('--validation', 0, 0.9), f.validation)
    .option('--patience <n>', 'stop after N validation checks without improvement (0 = off)', int('--patience', ...TRAIN_RANGES.patience), f.patience)
    .addOption(new Option('--transform <kind>', 'value transform (default: anscombe for counts, none otherwise)').choices(['anscombe', 'log1p', 'none']))
    .option('--key-spec <spec>', 'calendar key for dates under k-means/none priors', 'weekday')
    .option('--scale <x>', 'prior scale around each center', float('--scale', 0, 1000, true), f.scale)
    .addOption(
      new Option('--skip <mode>', 'Gaussian skip: the network learns the departure from N(c_k, Σ) — covariance: Σ pooled within components; identity: Σ = I; none: plain ε-prediction')
        .choices(['covariance', 'identity', 'none'])
        .default(f.skip),
    )
    .option('--sampler <spec>', 'default sampler stored in the model', f.sampler)
    .addOption(
      new Option('--context <mode>', 'on: condition each day on what was known at the forecast origin (recent level, lead, covariates); off: calendar only').choices(['on', 'off']).default(f.context),
    )
    .option('--max-lead <days>', 'longest lead (days) the context is trained for', int('--max-lead', 1, 366), f.maxLead)
    .option('--covariates <list>', 'input columns known ahead for every day, name[:mean|max|min|sum],… (e.g. temperature:max,campaign:max)')
    .option('--events <file>', 'CSV of date,name: each name becomes a 0/1 covariate event:NAME');
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
    context: o.context as 'on' | 'off',
    maxLead: o.maxLead as number,
  };
}

/**
 * Refuse an --out that cannot be written before any training time is spent: the nearest existing
 * folder on its path must be a writable directory (a read-only file system fails here too).
 */
export function checkWritableOut(out: string): void {
  const target = path.resolve(out);
  let at = target;
  while (!fs.existsSync(at)) {
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  const st = fs.statSync(at, { throwIfNoEntry: false });
  if (at === target && st && !st.isDirectory()) return; // a file named like the bundle: checkBundleTarget says so
  if (!st || !st.isDirectory()) throw optionError(`--out ${out}: ${at} is not a directory; choose a folder for the model bundle`);
  try {
    fs.accessSync(at, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable';
    throw optionError(`--out ${out}: ${at} ${why} (${code}); choose a folder you can write to`);
  }
}

/** Training that diverges (non-finite loss) is caused by the options: report it as one, naming --lr. */
function divergence(e: unknown, lr: number): never {
  if (e instanceof Error && !isMixcastError(e) && /diverged|non-finite|NaN/i.test(e.message)) {
    throw optionError(`training diverged with --lr ${lr} (${e.message.replace(/; lower --lr$/, '')}); lower --lr (accepted: > 0 and ≤ 1; the default is ${defaultFitOptions.lr})`);
  }
  throw e;
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a mixture-prior diffusion model on a series and save the model bundle')
    .requiredOption('--out <dir>', 'model bundle directory to write')
    .option('--per-series', 'one model per series of the file, in --out with an index')
    .option('--threads <n>', '--per-series: series trained at once', int('--threads', 1, 1024));
  addIngestOptions(cmd);
  addCalendarOptions(cmd);
  addTrainOptions(cmd);
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      if (opts.perSeries) return trainPerSeries(opts, fitOptionsFrom(opts));
      // Refuse a folder we may not replace before any work, and hold the writer lock throughout.
      const out = String(opts.out);
      checkWritableOut(out);
      checkBundleTarget(out);
      const lock = lockBundle(out);
      try {
        cleanLeftovers(out);
        const backend = await setupBackend(opts);
        const ds = await ingest(ingestOptionsFrom(opts)).catch(perSeriesHint);
        log(`ingested ${ds.days.length} days × ${ds.labels.length} slots (${ds.open}–${ds.close}, ${ds.intervalMinutes} min, ${ds.zone}); dropped ${ds.report.dropped.length}`);
        const progress = progressReporter('train');
        const fit = fitOptionsFrom(opts);
        let fitted: ReturnType<typeof fitModel>;
        try {
          const covariates = trainingCovariates(opts, ingestOptionsFrom(opts), ds.days.map((d) => d.date));
          fitted = fitModel(ds, { ...fit, covariates, calendar: calendarOptionsFrom(opts, ds), onProgress: progress.onProgress });
        } catch (e) {
          progress.stop();
          divergence(e, fit.lr);
        }
        const { model, summary } = fitted;
        progress.stop();
        await saveModel(model, out, { lock });
        log(`prior ${summary.prior}: K = ${summary.K}\n${describePrior(model.prior)}`);
        const re = summary.reverseEffort;
        log(`reverse effort E‖x0 − xT‖²: standard ${re.standard.toFixed(2)}, mixture ${re.mixture.toFixed(2)} (saves ${re.reduction.toFixed(2)}; Σ p_k‖c_k‖² = ${re.sumPkCk2.toFixed(2)})`);
        if (summary.context) {
          const c = summary.context;
          log(`context: ${c.pairs} (day, origin) pairs, u of ${c.width}; E‖x0 − c‖² around c_k ${c.effort.mixture.toFixed(2)}, around c(k, u) ${c.effort.conditional.toFixed(2)}`);
          log(`context penalties (out = the level is ignored there): ${c.selection.map((g) => `${g.group} ${g.penalty ?? 'out'}`).join(', ')}`);
        } else if (fit.context === 'on') log(`context: off (fewer than 30 days)`);
        log(`saved model to ${String(opts.out)}`);
        model.dispose();
        process.stdout.write(JSON.stringify({ ...summary, backend: backend.name, model: String(opts.out) }, null, 2) + '\n');
      } finally {
        lock.release();
      }
    }),
  );
}
