/**
 * Options and helpers shared by the scenario commands (generate, forecast, whatif, plot). The
 * option definitions load no model code: the helpers that run a command import the model, the
 * scenario library and the adapters when they are called.
 */
import fs from 'node:fs';
import { type Command, Option } from 'commander';
import type { MixcastModel } from '../model/index.js';
import type { FallbackMode } from '../scenarios/index.js';
import { FALLBACK_MODES } from '../core/choices.js';
import { inputError, optionError } from '../core/errors.js';
import { addBackendOption, emit, log, setupBackend } from './common.js';
import { withFlagNames } from './flags.js';
import { int } from './options.js';

/** --start --end --count --seed --sampler --fallback, shared by generate / forecast / whatif. */
export function addScenarioOptions(cmd: Command, defaults: { count?: number } = {}): Command {
  cmd
    .requiredOption('--model <dir>', 'model bundle directory, or a model of several series (global or per-series)')
    .option('--series <name>', 'the series, for a model of several series (repeat for several, or all)', (v: string, prev: string[] = []) => [...prev, v])
    .requiredOption('--start <date>', 'first date, YYYY-MM-DD')
    .option('--end <date>', 'last date, inclusive (default: --start)');
  if (defaults.count === undefined) cmd.requiredOption('--count <n>', 'scenarios per date', int('--count'));
  else cmd.option('--count <n>', 'scenarios per date', int('--count'), defaults.count);
  return cmd
    .option('--seed <n>', 'random seed (same seed → same output)', int('--seed'), 0)
    .option('--sampler <spec>', "ddpm | ddim:STEPS[:ETA] | em:STEPS | pc:STEPS | ode:STEPS (default: the model's)")
    .addOption(new Option('--fallback <mode>', 'dates whose calendar key the model never saw: error, or mixture (components drawn by the prior weights)').choices(FALLBACK_MODES).default('error'))
    .option('--history <file>', "observations after the training data (same format as the training input, read with the model's settings): the context at the origin comes from them")
    .option('--origin <date>', 'forecast origin YYYY-MM-DD: the last observed day used (default: the last day of the history, else of the training data)')
    .option('--future-covariates <file>', 'CSV with a date column and one column per covariate of the model, for the requested dates');
}

/** --format csv|json (what each holds: `formatHelp`), --out FILE and --backend, shared by generate / forecast / whatif. */
export function addOutputOptions(cmd: Command, formatHelp: string): Command {
  cmd.addOption(new Option('--format <fmt>', formatHelp).choices(['csv', 'json']).default('csv')).option('--out <file>', 'file to write (default stdout)');
  return addBackendOption(cmd);
}

/**
 * The scenario fields shared by generate / forecast / whatif, from parsed options (with the
 * model, --history and --future-covariates are read in its formats).
 */
export async function scenarioOptionsFrom(opts: Record<string, unknown>, model?: MixcastModel) {
  const { originFieldsFrom } = await import('./context.js');
  return {
    ...(model ? await originFieldsFrom(opts, model.manifest) : {}),
    start: String(opts.start),
    end: opts.end as string | undefined,
    count: opts.count as number,
    seed: opts.seed as number,
    sampler: opts.sampler as string | undefined,
    fallback: opts.fallback as FallbackMode,
    output: opts.continuous ? ('continuous' as const) : undefined,
  };
}

/** A command's output for one series: its CSV table and its JSON result (written by `withModel`). */
export interface SeriesOutput {
  header: readonly string[];
  rows: Iterable<(string | number)[]>;
  json: unknown;
}

/** `--series` as the library takes it: absent, 'all', one name or a list. */
export function seriesFrom(opts: Record<string, unknown>): 'all' | string | string[] | undefined {
  const list = opts.series as string[] | undefined;
  if (!list?.length) return undefined;
  if (list.includes('all')) return 'all';
  return list.length === 1 ? list[0] : list;
}

/**
 * Initialise the backend, load `--model` (for a model of several series, the ones `--series`
 * names), run `fn` on each series' model, always dispose; errors name flags. When `fn` returns
 * its output, it is written once: CSV rows of every series in one table (the series column tells
 * them apart), JSON the result (one series) or `{ series, results: [{ series, result }] }`.
 */
export async function withModel(opts: Record<string, unknown>, fn: (model: MixcastModel) => Promise<SeriesOutput> | Promise<void>): Promise<void> {
  await setupBackend(opts);
  const { loadSeriesModels } = await import('../model/index.js');
  let loaded: Awaited<ReturnType<typeof loadSeriesModels>>;
  try {
    loaded = loadSeriesModels(String(opts.model), seriesFrom(opts));
  } catch (e) {
    throw withFlagNames(e);
  }
  try {
    const outs: { series: string | null; out: SeriesOutput }[] = [];
    for (const { series, model } of loaded.models) {
      if (loaded.models.length > 1) log(`series ${series}`);
      const out = await fn(model);
      if (out) outs.push({ series, out });
      else if (loaded.models.length > 1) throw optionError('this command takes one series: name it with --series');
    }
    if (!outs.length) return;
    if (opts.format === 'json') {
      const json = outs.length === 1 ? outs[0].out.json : { series: outs.map((o) => o.series), results: outs.map((o) => ({ series: o.series, result: o.out.json })) };
      writeOutput(JSON.stringify(json) + '\n', opts);
    } else {
      const { toCsv } = await import('../core/csv.js');
      writeOutput(toCsv(outs[0].out.header, (function* () { for (const o of outs) yield* o.out.rows; })()), opts);
    }
  } catch (e) {
    throw withFlagNames(e);
  } finally {
    loaded.dispose();
  }
}

/** Write the command's output (file or stdout) and say where it went. */
export function writeOutput(text: string, opts: Record<string, unknown>): void {
  emit(text, opts.out as string | undefined);
  if (opts.out) log(`wrote ${String(opts.out)}`);
}

export function parseQuantiles(text: string): number[] {
  const qs = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!qs.length || qs.some((q) => !(q >= 0 && q <= 1))) throw optionError(`--quantiles must be levels in [0, 1] separated by commas, e.g. 0.1,0.5,0.9 (got "${text}")`);
  return qs;
}

export async function readCasesFile(file: string) {
  const { parseCases } = await import('../scenarios/index.js');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(`cannot read cases file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw inputError(`cases file ${file} is not valid JSON (${(e as Error).message})`);
  }
  return parseCases(json, `cases file ${file}`);
}
