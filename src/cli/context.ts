/**
 * The command-line side of context-aware scenarios:
 * - `train`/`evaluate` (flags in train.ts): `--covariates name[:agg],…` (columns of the input,
 *   aggregated per day) and `--events FILE` (date,name → 0/1 flags `event:NAME`), read here;
 * - `generate`/`forecast`/`whatif`/`staff plan`: `--history FILE` (new observations, read with the
 *   model's own adapter settings), `--origin DATE` and `--future-covariates FILE`.
 */
import type { Command } from 'commander';
import { ingest } from '../../adapters/index.js';
import { readFutureCovariates, trainingCovariates as libraryTrainingCovariates } from '../../adapters/index.js';
import { withFlagNames } from './flags.js';
import { formatInterval } from '../../adapters/index.js';
import type { IngestOptions } from '../../adapters/index.js';
import { inputError } from '../core/errors.js';
import type { Manifest } from '../model/index.js';

/** Daily covariates of the training input (and event flags), or undefined when none are asked for (errors name the flags). */
export function trainingCovariates(opts: Record<string, unknown>, ingestOpts: IngestOptions, dates: readonly string[]): { names: string[]; byDate: Map<string, number[]> } | undefined {
  try {
    return libraryTrainingCovariates(
      {
        input: ingestOpts.input,
        covariates: typeof opts.covariates === 'string' ? opts.covariates : undefined,
        events: typeof opts.events === 'string' ? opts.events : undefined,
        timeCol: ingestOpts.timeCol,
        tz: ingestOpts.tz,
        seriesCol: ingestOpts.seriesCol,
        series: ingestOpts.series,
        format: ingestOpts.format,
      },
      dates,
    );
  } catch (e) {
    throw withFlagNames(e);
  }
}

/** Scenario-command flags: the forecast origin and what is known at it. */
export function addOriginOptions(cmd: Command): Command {
  return cmd
    .option('--history <file>', "observations after the training data (same format as the training input, read with the model's settings): the context at the origin comes from them")
    .option('--origin <date>', 'forecast origin YYYY-MM-DD: the last observed day used (default: the last day of the history, else of the training data)')
    .option('--future-covariates <file>', 'CSV with a date column and one column per covariate of the model, for the requested dates');
}

/** Read a --history file with the model's own adapter settings, as day vectors. */
export async function readHistory(file: string, m: Manifest): Promise<{ date: string; values: number[] }[]> {
  const ds = await ingest({
    input: file,
    tz: m.data.zone,
    interval: formatInterval(m.data.intervalMinutes),
    open: m.data.open,
    close: m.data.close,
    ...(m.data.series ? { series: m.data.series } : {}),
    valueKind: m.data.valueKind,
  });
  if (ds.labels.join(',') !== m.data.labels.join(',')) {
    throw inputError(`--history ${file}: its intervals (${ds.labels[0]}…${ds.labels[ds.labels.length - 1]}, ${ds.labels.length}) do not match the model's (${m.data.labels[0]}…${m.data.labels[m.data.labels.length - 1]}, ${m.data.labels.length})`);
  }
  return ds.days.map((d) => ({ date: d.date, values: d.values }));
}

/** The request fields for the origin, from the flags (needs the model for the file formats). */
export async function originFieldsFrom(opts: Record<string, unknown>, m: Manifest) {
  const out: { history?: { date: string; values: number[] }[]; origin?: string; futureCovariates?: Record<string, Record<string, number>> } = {};
  if (typeof opts.history === 'string') out.history = await readHistory(opts.history, m);
  if (typeof opts.origin === 'string') out.origin = opts.origin;
  if (typeof opts.futureCovariates === 'string') {
    const names = m.context?.spec.covariates ?? [];
    if (!names.length) throw inputError('--future-covariates: this model was trained without covariates; leave the flag out');
    const map = readFutureCovariates(opts.futureCovariates, names);
    out.futureCovariates = Object.fromEntries([...map.entries()].map(([date, v]) => [date, Object.fromEntries(names.map((nm, i) => [nm, v[i]]))]));
  }
  return out;
}
