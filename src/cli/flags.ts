/**
 * Library errors name fields (`steps must be …`, with `details.field`); the CLI rewords them with
 * the flag that sets the field (`--steps must be …`). One table for every command.
 */
import { MixcastError, isMixcastError } from '../core/errors.js';

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
  // ingest and calendar
  series: '--series',
  days: '--days',
  weekend: '--weekend',
  interval: '--interval',
  // server and workers
  workers: '--workers',
  concurrency: '--concurrency',
  models: '--models',
  out: '--out',
};

/** A library error that names a field (`count must be …`), reworded with its flag (`--count must be …`). */
export function withFlagNames(e: unknown): unknown {
  if (!isMixcastError(e)) return e;
  const field = (e.details as { field?: unknown } | null)?.field;
  const flag = typeof field === 'string' ? FIELD_FLAGS[field] : undefined;
  if (!flag || !e.message.startsWith(field as string)) return e;
  return new MixcastError(e.code, flag + e.message.slice((field as string).length), e.details);
}
