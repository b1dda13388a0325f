/** `mixcast generate`: scenarios for a date range from a model bundle (long CSV or JSON). */
import { Command, Option } from 'commander';
import { loadModel } from '../model/bundle.js';
import type { MixcastModel } from '../model/model.js';
import { generateScenarios, scenarioRows, SCENARIO_HEADER } from '../scenarios/index.js';
import { toCsv } from '../core/csv.js';
import { MixcastError, isMixcastError } from '../core/errors.js';
import { action, addBackendOption, emit, log, setupBackend } from './common.js';
import { originFieldsFrom } from './context.js';
import { int } from './train.js';

/** --start --end --count --seed --sampler --fallback, shared by generate / forecast / whatif. */
export function addScenarioOptions(cmd: Command, defaults: { count?: number } = {}): Command {
  cmd
    .requiredOption('--model <dir>', 'model bundle directory')
    .requiredOption('--start <date>', 'first date, YYYY-MM-DD')
    .option('--end <date>', 'last date, inclusive (default: --start)');
  if (defaults.count === undefined) cmd.requiredOption('--count <n>', 'scenarios per date', int('--count'));
  else cmd.option('--count <n>', 'scenarios per date', int('--count'), defaults.count);
  return cmd
    .option('--seed <n>', 'random seed (same seed → same output)', int('--seed'), 0)
    .option('--sampler <spec>', "ddpm | ddim:STEPS[:ETA] | em:STEPS | pc:STEPS | ode:STEPS (default: the model's)")
    .addOption(new Option('--fallback <mode>', 'dates whose calendar key the model never saw: error, or mixture (components drawn by the prior weights)').choices(['error', 'mixture']).default('error'))
    .option('--history <file>', "observations after the training data (same format as the training input, read with the model's settings): the context at the origin comes from them")
    .option('--origin <date>', 'forecast origin YYYY-MM-DD: the last observed day used (default: the last day of the history, else of the training data)')
    .option('--future-covariates <file>', 'CSV with a date column and one column per covariate of the model, for the requested dates');
}

/**
 * The scenario fields shared by generate / forecast / whatif, from parsed options (with the
 * model, --history and --future-covariates are read in its formats).
 */
export async function scenarioOptionsFrom(opts: Record<string, unknown>, model?: MixcastModel) {
  return {
    ...(model ? await originFieldsFrom(opts, model.manifest) : {}),
    start: String(opts.start),
    end: opts.end as string | undefined,
    count: opts.count as number,
    seed: opts.seed as number,
    sampler: opts.sampler as string | undefined,
    fallback: opts.fallback as 'error' | 'mixture',
    output: opts.continuous ? ('continuous' as const) : undefined,
  };
}

/** Request fields of the scenario library → the flags that set them. */
const FIELD_FLAGS: Record<string, string> = {
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
};

/** A library error that names a request field (`count must be …`), reworded with its flag (`--count must be …`). */
export function withFlagNames(e: unknown): unknown {
  if (!isMixcastError(e)) return e;
  const field = (e.details as { field?: unknown } | null)?.field;
  const flag = typeof field === 'string' ? FIELD_FLAGS[field] : undefined;
  if (!flag || !e.message.startsWith(field as string)) return e;
  return new MixcastError(e.code, flag + e.message.slice((field as string).length), e.details);
}

/** Initialise the backend, load `--model`, run `fn`, always dispose the model; errors name flags. */
export async function withModel(opts: Record<string, unknown>, fn: (model: MixcastModel) => void | Promise<void>): Promise<void> {
  await setupBackend(opts);
  const model = loadModel(String(opts.model));
  try {
    await fn(model);
  } catch (e) {
    throw withFlagNames(e);
  } finally {
    model.dispose();
  }
}

/** Write the command's output (file or stdout) and say where it went. */
export function writeOutput(text: string, opts: Record<string, unknown>): void {
  emit(text, opts.out as string | undefined);
  if (opts.out) log(`wrote ${String(opts.out)}`);
}

export function register(program: Command): void {
  const cmd = program.command('generate').description('generate scenarios (whole days) for each date in a range');
  addScenarioOptions(cmd)
    .option('--continuous', 'keep continuous values (default for count data: non-negative integers)')
    .addOption(new Option('--format <fmt>', 'csv: series,timestamp,date,interval,scenario,component,value; json: the full result with summaries').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'file to write (default stdout)');
  addBackendOption(cmd);
  cmd.action(
    action((opts: Record<string, unknown>) =>
      withModel(opts, async (model) => {
        const t0 = Date.now();
        const r = await generateScenarios({ model, ...(await scenarioOptionsFrom(opts, model)) });
        if (r.origin) log(`forecast origin ${r.origin} (the last observed day used)`);
        for (const d of r.dates) {
          log(`${d.date} ${d.weekday}: key ${d.key ?? '(unseen — fallback mixture)'}, total mean ${d.summary.total.mean.toFixed(1)} [${d.summary.total.quantiles['0.05']} … ${d.summary.total.quantiles['0.95']}]`);
        }
        log(`${r.count} scenarios × ${r.dates.length} dates in ${((Date.now() - t0) / 1000).toFixed(1)} s (${r.sampler}, seed ${r.seed})`);
        writeOutput(opts.format === 'json' ? JSON.stringify(r) + '\n' : toCsv(SCENARIO_HEADER, scenarioRows(r)), opts);
      }),
    ),
  );
}
