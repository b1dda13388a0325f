/**
 * Library messages name fields — in backticks anywhere in the text ("name it with `timeCol`",
 * src/core/fields.ts), or, in older wording, as the first word (`steps must be …`) — with the main
 * one in `details.field`. The CLI says each field as the flag that sets it ("name it with
 * --time-col", `--steps must be …`). One table for every command.
 */
import { MixcastError, isMixcastError } from '../core/errors.js';
import { sayFields } from '../core/fields.js';

/** Fields of the library's requests and fit options → the flags that set them. */
export const FIELD_FLAGS: Record<string, string> = {
  // scenario requests (generate, forecast, whatif, plot, staff plan)
  count: '--count',
  seed: '--seed',
  start: '--start',
  end: '--end',
  fallback: '--fallback',
  quantiles: '--quantiles',
  sampler: '--sampler',
  history: '--history',
  origin: '--origin',
  futureCovariates: '--future-covariates',
  dates: '--start/--end',
  // fit options (train, evaluate)
  steps: '--steps',
  batch: '--batch',
  T: '--T',
  hidden: '--hidden',
  blocks: '--blocks',
  patience: '--patience',
  lr: '--lr',
  validation: '--validation',
  scale: '--scale',
  skip: '--skip',
  family: '--family',
  prior: '--prior',
  maxLead: '--max-lead',
  covariates: '--covariates',
  events: '--events',
  transform: '--transform',
  // ingest and calendar
  input: '--input',
  format: '--format',
  timeCol: '--time-col',
  valueCol: '--value-col',
  seriesCol: '--series-col',
  series: '--series',
  tz: '--tz',
  interval: '--interval',
  open: '--open',
  perSeries: '--per-series',
  close: '--close',
  days: '--days',
  missing: '--missing',
  duplicates: '--duplicates',
  valueKind: '--value-kind',
  holidays: '--holidays',
  weekend: '--weekend',
  // staffing files (staff simulate)
  date: '--date',
  // server and workers
  workers: '--workers',
  concurrency: '--concurrency',
  models: '--models',
  out: '--out',
};

/** Text for people (a message, an ingest report) with each backticked field said as its flag. */
export const withFlags = (text: string): string => sayFields(text, (field) => FIELD_FLAGS[field]);

/**
 * A library error in the CLI's words: backticked fields become flags (`interval` → --interval),
 * and a message that starts with its `details.field` as a bare word (`count must be …`) starts
 * with the flag (`--count must be …`). Other errors, and errors with nothing to reword, are
 * returned as they are.
 */
export function withFlagNames(e: unknown): unknown {
  if (!isMixcastError(e)) return e;
  let message = withFlags(e.message);
  const field = (e.details as { field?: unknown } | null)?.field;
  const flag = typeof field === 'string' ? FIELD_FLAGS[field] : undefined;
  if (flag && message.startsWith(field as string) && !/^[\w-]/.test(message.slice((field as string).length))) {
    message = flag + message.slice((field as string).length);
  }
  return message === e.message ? e : new MixcastError(e.code, message, e.details);
}
