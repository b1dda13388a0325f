/**
 * Adapters: operational series (interval counts or measurements, event logs, wide day tables)
 * in CSV or JSON → DaySeries, one fixed-length vector per local calendar day. The rules
 * (time zones, windows, gaps, duplicates, DST days) are in adapters/README.md.
 */
import path from 'node:path';
import { readTable } from './read.js';
import { ingestRows, ingestRowsMany, type IngestRowsOptions } from './ingest.js';
import type { DaySeries, IngestOptions, SeriesSet } from './types.js';
import { inputError } from '../src/core/errors.js';

export type { Day, DayIssue, DaySeries, IngestOptions, IngestReport, InputFormat, MissingPolicy, SeriesSet } from './types.js';
export { ingestRows, interpolate, ingestRowsMany, seriesNames, withLongConvention, type IngestRowsOptions } from './ingest.js';
export { formatReport } from './report.js';
export { seriesShape } from './shape.js';
export { parseInterval, formatInterval, parseClock, formatClock, resolveZone, dstChange, type DstChange } from './time.js';
export { readTable, parseCsv, parseJsonRows, type RawTable } from './read.js';
export { readHolidays, parseHolidays, resolveHolidays, publicHolidays } from './holidays.js';
export { parseCovariateSpec, dailyCovariates, readEvents, eventFlags, readFutureCovariates, missingFutureCovariates, AGGREGATIONS, type CovariateSpec, type CovariateAggregation, type DailyCovariatesOptions, type DailyCovariates, type Events } from './covariates.js';
export { trainingCovariates, type TrainingCovariatesOptions } from './training-covariates.js';

/** Read a CSV or JSON file (JSON: an array of row objects) and turn it into a DaySeries. */
export async function ingest(opts: IngestOptions): Promise<DaySeries> {
  if (!opts?.input) throw inputError('no input file given: set `input` to a CSV file, or a JSON file holding an array of row objects', { field: 'input' });
  const { input, ...rest } = opts;
  const table = readTable(input);
  const rowsOpts: IngestRowsOptions = { ...rest, source: path.relative(process.cwd(), input) || input, lineNumbers: table.lineNumbers };
  return ingestRows(table.rows, rowsOpts);
}

/** Every series of a long file (or those in `only`): one DaySeries per series, as `series: NAME` reads it. */
export async function ingestMany(opts: Omit<IngestOptions, 'series'> & { only?: string[] }): Promise<SeriesSet> {
  if (!opts?.input) throw inputError('no input file given: set `input` to a CSV file, or a JSON file holding an array of row objects', { field: 'input' });
  const { input, ...rest } = opts;
  const table = readTable(input);
  return ingestRowsMany(table.rows, { ...rest, source: path.relative(process.cwd(), input) || input, lineNumbers: table.lineNumbers });
}
