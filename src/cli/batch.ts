/**
 * `mixcast batch`: submit a batch over many series (through Redis with --redis, else in this
 * process), show its progress and write the result (CSV with a `series` column, or JSON).
 */
import os from 'node:os';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import { optionError } from '../core/errors.js';
import { parseDuration } from '../core/durations.js';
import { toCsv } from '../core/csv.js';
import { batchRequestSchema, batchTable, createEngine, JOB_KINDS, waitFor, type JobStatus } from '../jobs/index.js';
import { action, addBackendOption, emit, log } from './common.js';
import { float, int } from './options.js';
import { readCasesFile } from './scenario-options.js';
import { HEMISPHERES } from '../calendar/index.js';
import { FALLBACK_MODES } from '../scenarios/index.js';
import { redisUrl } from './options.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
/** A duration flag read as everywhere else: seconds (`180`) or with a unit (`180s`, `3m`). */
const duration = (flag: string) => (v: string) => parseDuration(v, flag);
const list = (v: string) => v.split(',').map((x) => Number(x.trim()));

function progressBar(quiet: boolean) {
  if (quiet) return { update: (_s: JobStatus) => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ format: 'batch [{bar}] {value}/{total} units {state}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (s: JobStatus) => {
        if (!started) bar.start(s.progress.total, 0, { state: s.state });
        started = true;
        bar.update(s.progress.done, { state: s.state });
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = '';
  return {
    update: (s: JobStatus) => {
      const line = `batch ${s.progress.done}/${s.progress.total} units ${s.state}`;
      if (line !== last) process.stderr.write(`mixcast: ${line}\n`);
      last = line;
    },
    stop: () => {},
  };
}

/** The model id of a folder that lies directly in the models folder (what the batch request names). */
function modelIdIn(root: string, dir: string, flag: string): string {
  const abs = path.resolve(dir);
  if (path.dirname(abs) !== root) throw optionError(`${flag} ${dir} must be a folder directly in the models folder ${root} (set it with --models)`);
  return path.basename(abs);
}

export function register(program: Command): void {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const cmd = program
    .command('batch')
    .description('run a batch over many series (scenarios, forecast, whatif, staffing, train): through Redis workers with --redis, else in this process')
    .addOption(new Option('--kind <kind>', 'what to compute per series').choices([...JOB_KINDS]).makeOptionMandatory())
    .requiredOption('--model <dir>', 'per-series collection (or bundle) folder; for train: the collection to write')
    .option('--models <dir>', "the models folder the workers mount (default: --model's parent folder)")
    .option('--series <name>', 'a series to include (repeat for several; default: all)', collect)
    .option('--start <date>', 'first date, YYYY-MM-DD')
    .option('--end <date>', 'last date, inclusive')
    .option('--count <n>', 'scenarios per date', int('--count', 1))
    .option('--seed <n>', 'random seed (same seed → same result)', int('--seed'), 0)
    .option('--sampler <spec>', "sampler (default: each model's)")
    .option('--quantiles <list>', 'summary quantile levels, e.g. 0.1,0.5,0.9', list)
    .addOption(new Option('--fallback <mode>', 'dates whose calendar key a model never saw').choices(FALLBACK_MODES))
    .option('--cases <file>', 'whatif: cases file (see fixtures/whatif-cases.json)')
    .option('--aht <duration>', 'staffing: average handle time, e.g. 180s, 3m or 180 (seconds)', duration('--aht'))
    .option('--target <share>', 'staffing: service-level target, e.g. 0.8', float('--target', 0, 1, true))
    .option('--within <duration>', 'staffing: answer-time threshold, e.g. 20s or 20 (seconds)', duration('--within'))
    .option('--coverage <share>', 'staffing: share of scenarios the coverage plan meets', float('--coverage', 0, 1, true))
    .option('--patience <duration>', 'staffing: mean patience, e.g. 2m (Erlang A)', duration('--patience'))
    .option('--input <file>', 'train: long data file with a series column')
    .option('--series-col <name>', 'train: the series column (default: unique_id by convention)')
    .option('--tz <zone>', 'train: time zone of the data')
    .option('--interval <len>', 'train: interval length')
    .option('--steps <n>', 'train: training steps (of the global model, or of each series with --per-series)', int('--steps', 1, 1_000_000))
    .option('--per-series', 'train: one model per series (default for several series: one global model)')
    .option('--holidays <file|code>', 'train: holiday dates, a file or a country/region code (US, IL, AU-VIC)')
    .option('--covariates <list>', 'train: input columns known ahead for every day, name[:mean|max|min|sum],…')
    .option('--events <file>', 'train: CSV of date,name, each name a 0/1 covariate')
    .option('--prior <spec>', 'train: prior')
    .option('--warm-start <dir>', "train: a per-series collection (or bundle) in the models folder; each series' network starts from its model there (a scheduled retraining, usually with fewer --steps)")
    .addOption(new Option('--hemisphere <h>', 'train: hemisphere for the season key').choices(HEMISPHERES))
    .option('--redis <url>', 'Redis URL (env MIXCAST_REDIS_URL); without it the batch runs in this process')
    .option('--prefix <name>', 'Redis key prefix', 'mixcast')
    .option('--threads <n>', `in-process batches: unit threads (default: the cores, here ${cores})`, int('--threads', 0, 1024), cores)
    .addOption(new Option('--format <fmt>', 'result format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'file to write (default stdout)')
    .option('--quiet', 'no progress output');
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const url = redisUrl(opts, false);
      const modelDir = path.resolve(String(opts.model));
      const root = path.resolve(String(opts.models ?? path.dirname(modelDir)));
      const model = path.relative(root, modelDir);
      if (!model || model.startsWith('..') || model.includes(path.sep)) throw optionError(`--model ${String(opts.model)} must be a folder directly inside --models ${root}`);
      const kind = String(opts.kind);
      const series = opts.series as string[] | undefined;
      const body: Record<string, unknown> = {
        kind,
        model,
        series: series ?? 'all',
        start: opts.start,
        end: opts.end,
        count: opts.count,
        seed: opts.seed,
        sampler: opts.sampler,
        quantiles: opts.quantiles,
        fallback: opts.fallback,
      };
      if (opts.cases) body.cases = (await readCasesFile(String(opts.cases))).slice(1);
      if (kind === 'staffing') body.staffing = { aht: opts.aht, target: opts.target, within: opts.within, coverage: opts.coverage, patience: opts.patience };
      if (kind === 'train') {
        if (!opts.input) throw optionError('--input FILE is required for --kind train');
        body.train = {
          input: path.resolve(String(opts.input)),
          seriesCol: opts.seriesCol,
          tz: opts.tz,
          interval: opts.interval,
          steps: opts.steps,
          prior: opts.prior,
          hemisphere: opts.hemisphere,
          perSeries: Boolean(opts.perSeries),
          holidays: opts.holidays,
          covariates: opts.covariates,
          events: opts.events === undefined ? undefined : path.resolve(String(opts.events)),
          warmStart: opts.warmStart === undefined ? undefined : modelIdIn(root, String(opts.warmStart), '--warm-start'),
        };
      }
      const parsed = batchRequestSchema.safeParse(JSON.parse(JSON.stringify(body)));
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw optionError(`batch: ${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}`);
      }
      const engine = await createEngine({ redis: url, prefix: String(opts.prefix), root, threads: opts.threads as number, inputAnywhere: true, backend: (opts.backend as string | undefined) ?? process.env.MIXCAST_BACKEND });
      try {
        const t0 = Date.now();
        const sub = await engine.submit(parsed.data);
        log(`${sub.existing ? 'batch already submitted' : 'submitted batch'} ${sub.id} (${engine.engine}): ${sub.status.series.length} series, ${sub.status.progress.total} units`);
        const bar = progressBar(Boolean(opts.quiet));
        const final = await waitFor(engine, sub.id, bar.update, 250);
        bar.stop();
        if (final.state !== 'completed') throw optionError(`batch ${sub.id} ${final.state}${final.error ? `: ${final.error}` : ''}`);
        const result = await engine.result(sub.id);
        log(`batch ${sub.id} completed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        if (opts.format === 'json') emit(JSON.stringify(result) + '\n', opts.out as string | undefined);
        else {
          const t = batchTable(result);
          emit(toCsv(t.header, t.rows), opts.out as string | undefined);
        }
        if (opts.out) log(`wrote ${String(opts.out)}`);
      } finally {
        await engine.close();
      }
    }),
  );
}

