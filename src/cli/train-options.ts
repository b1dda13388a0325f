/** Model/training flags shared by `train` and `evaluate`, and the --out check before training. */
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import {
  defaultFitOptions, FIT_RANGES, CONDITION_MODES, CONTEXT_MODES, FAMILIES, SCHEDULES, SKIP_MODES, TRANSFORM_KINDS,
  type ConditionMode, type ContextMode, type Family, type ScheduleName, type SkipMode, type TransformKind,
} from '../train/fit.js';
import { optionError } from '../core/errors.js';
import { addCalendarOptions, addIngestOptions, float, int } from './options.js';

/** Accepted ranges of the training flags (the same ones fitModel checks). */
const TRAIN_RANGES = FIT_RANGES;

/** Model/training flags shared by `train` and `evaluate`. */
export function addTrainOptions(cmd: Command): Command {
  const f = defaultFitOptions;
  return cmd
    .option('--prior <spec>', 'none | weekday | daytype | season | weekday*season | holiday+weekday | kmeans:K | kmeans:auto', f.prior)
    .addOption(new Option('--family <name>', 'diffusion family').choices(FAMILIES).default(f.family))
    .option('--steps <n>', 'training steps', int('--steps', ...TRAIN_RANGES.steps), f.steps)
    .option('--batch <n>', 'batch size', int('--batch', ...TRAIN_RANGES.batch), f.batch)
    .option('--seed <n>', 'random seed', int('--seed'), f.seed)
    .addOption(new Option('--condition <mode>', 'feed the component label to the network').choices(CONDITION_MODES).default(f.condition))
    .addOption(new Option('--schedule <name>', 'ddpm noise schedule').choices(SCHEDULES).default(f.schedule))
    .option('--T <n>', 'ddpm diffusion steps', int('--T', ...TRAIN_RANGES.T), f.T)
    .option('--hidden <n>', 'hidden width of the denoiser', int('--hidden', ...TRAIN_RANGES.hidden), f.hidden)
    .option('--blocks <n>', 'residual blocks', int('--blocks', ...TRAIN_RANGES.blocks), f.blocks)
    .option('--lr <x>', 'peak learning rate (Adam)', float('--lr', 0, 1, true), f.lr)
    .option('--validation <share>', 'share of days held out for validation loss / early stopping', float('--validation', 0, 0.9), f.validation)
    .option('--patience <n>', 'stop after N validation checks without improvement (0 = off)', int('--patience', ...TRAIN_RANGES.patience), f.patience)
    .addOption(new Option('--transform <kind>', 'value transform (default: anscombe for counts, none otherwise)').choices(TRANSFORM_KINDS))
    .option('--key-spec <spec>', 'calendar key for dates under k-means/none priors', 'weekday')
    .option('--scale <x>', 'prior scale around each center', float('--scale', 0, 1000, true), f.scale)
    .addOption(
      new Option('--skip <mode>', 'Gaussian skip: the network learns the departure from N(c_k, Σ) — covariance: Σ pooled within components; identity: Σ = I; none: plain ε-prediction')
        .choices(SKIP_MODES)
        .default(f.skip),
    )
    .option('--sampler <spec>', 'default sampler stored in the model', f.sampler)
    .addOption(
      new Option('--context <mode>', 'on: condition each day on what was known at the forecast origin (recent level, lead, covariates); off: calendar only').choices(CONTEXT_MODES).default(f.context),
    )
    .option('--max-lead <days>', 'longest lead (days) the context is trained for', int('--max-lead', 1, 366), f.maxLead)
    .option('--covariates <list>', 'input columns known ahead for every day, name[:mean|max|min|sum],… (e.g. temperature:max,campaign:max)')
    .option('--events <file>', 'CSV of date,name: each name becomes a 0/1 covariate event:NAME');
}

export function fitOptionsFrom(o: Record<string, unknown>) {
  return {
    prior: String(o.prior),
    family: o.family as Family,
    steps: o.steps as number,
    batch: o.batch as number,
    seed: o.seed as number,
    condition: o.condition as ConditionMode,
    schedule: o.schedule as ScheduleName,
    T: o.T as number,
    hidden: o.hidden as number,
    blocks: o.blocks as number,
    lr: o.lr as number,
    validation: o.validation as number,
    patience: o.patience as number,
    transform: o.transform as TransformKind | undefined,
    keySpec: o.keySpec as string,
    scale: o.scale as number,
    skip: o.skip as SkipMode,
    sampler: o.sampler as string,
    context: o.context as ContextMode,
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
  if (!st?.isDirectory()) throw optionError(`--out ${out}: ${at} is not a directory; choose a folder for the model bundle`);
  try {
    fs.accessSync(at, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable';
    throw optionError(`--out ${out}: ${at} ${why} (${code}); choose a folder you can write to`);
  }
}

/** Everything a command that trains reads: the series (ingest), the calendar and the model/training flags. */
export function addTrainingInputs(cmd: Command): Command {
  return addTrainOptions(addCalendarOptions(addIngestOptions(cmd)));
}
