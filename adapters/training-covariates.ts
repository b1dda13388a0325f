/**
 * The known daily covariates of a series' training days, as `fitModel` takes them: columns of
 * the input aggregated per day (`covariates: 'temperature:max,campaign:max'`) and 0/1 event
 * flags from a `date,name` file (`events`, each name becomes `event:NAME`). One function for
 * `mixcast train`, per-series and global training, and the batch jobs' train units.
 */
import { readTable } from './read.js';
import { dailyCovariates, eventFlags, parseCovariateSpec, readEvents } from './covariates.js';
import type { InputFormat } from './types.js';
import { inputError } from '../src/core/errors.js';

export interface TrainingCovariatesOptions {
  /** The training input (CSV or JSON rows). */
  input: string;
  /** `name[:mean|max|min|sum],…`: columns of the input, aggregated per day. */
  covariates?: string;
  /** A `date,name` CSV: each name becomes a 0/1 covariate `event:NAME`. */
  events?: string;
  timeCol?: string;
  tz?: string;
  seriesCol?: string;
  /** The series whose rows hold the covariates (a long file with several series). */
  series?: string;
  format?: InputFormat;
}

/** Names and each training date's values (spec order), or undefined when neither option is given. */
export function trainingCovariates(o: TrainingCovariatesOptions, dates: readonly string[]): { names: string[]; byDate: Map<string, number[]> } | undefined {
  const names: string[] = [];
  const byDate = new Map<string, number[]>(dates.map((d) => [d, []]));
  if (typeof o.covariates === 'string') {
    const specs = parseCovariateSpec(o.covariates);
    const table = readTable(o.input);
    const daily = dailyCovariates(table.rows, {
      specs,
      timeCol: o.timeCol,
      tz: o.tz,
      seriesCol: o.seriesCol,
      series: o.series,
      format: o.format,
      lineNumbers: table.lineNumbers,
      source: o.input,
    });
    names.push(...daily.names);
    const missing = dates.filter((d) => !daily.byDate.has(d) || daily.byDate.get(d)!.some((v) => !Number.isFinite(v)));
    if (missing.length) {
      throw inputError(`covariates: no value for ${missing.length} training day(s)${o.series ? ` of series "${o.series}"` : ''}, e.g. ${missing.slice(0, 5).join(', ')}; every day needs its covariates`, {
        field: 'covariates',
        missing: missing.slice(0, 50),
      });
    }
    for (const d of dates) byDate.get(d)!.push(...daily.byDate.get(d)!);
  }
  if (typeof o.events === 'string') {
    const events = readEvents(o.events);
    names.push(...events.names);
    const flags = eventFlags(events, dates);
    dates.forEach((d, i) => byDate.get(d)!.push(...flags[i]));
  }
  return names.length ? { names, byDate } : undefined;
}
