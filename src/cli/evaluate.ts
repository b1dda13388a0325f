/** `mixcast evaluate`: rolling-origin backtest of a model against baselines; writes results.json, report.md and SVG charts. */
import type { Command } from 'commander';
import { ingest } from '../../adapters/index.js';
import { backtest, bestBaseline, defaultBacktestOptions, evaluateByLead, fmt, leadReport, mergeSeeds, parseBaselines, pct, writeBacktestReport, BASELINES, MODEL, type LeadEvaluation } from '../eval/index.js';
import { action, addBackendOption, log, setupBackend } from './common.js';
import { calendarOptionsFrom, ingestOptionsFrom } from './options.js';
import { progressReporter } from './progress.js';
import { addTrainingInputs, fitOptionsFrom } from './train-options.js';
import { int } from './options.js';
import { writeFileAtomic } from '../core/io.js';
import { optionError } from '../core/errors.js';
import { readInteger } from '../core/numbers.js';
import type { DaySeries } from '../../adapters/index.js';
import type { FitOptions } from '../train/fit.js';
import fs from 'node:fs';
import path from 'node:path';

export function register(program: Command): void {
  const d = defaultBacktestOptions;
  const cmd = program
    .command('evaluate')
    .description('rolling-origin backtest: train before each cutoff, score the next days against baselines; writes results.json, report.md and charts')
    .requiredOption('--out <dir>', 'directory for results.json, report.md and the SVG charts')
    .option('--folds <n>', 'number of rolling-origin folds', int('--folds'), d.folds)
    .option('--horizon <days>', 'held-out days per fold', int('--horizon'), d.horizon)
    .option('--count <n>', 'scenarios per held-out day', int('--count'), d.count)
    .option('--baselines <list>', `comma list of ${BASELINES.join(', ')} (or none); ddpm trains a second network per fold`, d.baselines.join(','))
    .option('--min-train <days>', 'fewest training days the first fold may have', int('--min-train'), d.minTrain)
    .option('--scenario-seed <n>', 'seed of the scenario draws (the training seed is --seed)', int('--scenario-seed'), d.seed)
    .option('--leads <list>', 'evaluate by lead instead: comma list of leads in days (e.g. 1,7,14); trains once on the days before the test window, then scores rolling origins in it')
    .option('--origins <n>', 'with --leads: most forecast origins scored (spread over the test window)', int('--origins', 1, 10000), 60)
    .option('--seeds <list>', 'with --leads: comma list of seeds; each trains and draws anew (overriding --seed and --scenario-seed) and the report averages them and lists each seed')
    .option('--refit-every <days>', 'with --leads: retrain the models on every day up to the origin once every this many test-window days (0 = train once, before the test window)', int('--refit-every', 0, 100000), 0)
    .option('--refit-steps <n>', 'with --refit-every: steps of each retraining after the first, warm-started from the models it replaces (default: every training from scratch with --steps)', int('--refit-steps', 1, 1_000_000))
    .option('--test-share <share>', 'with --leads: share of the last days that form the test window', (v: string) => {
      const x = Number(v);
      if (!(x > 0 && x < 1)) throw optionError(`--test-share must be a number between 0 and 1 (got "${v}")`);
      return x;
    }, 0.2)
    .option('--quiet', 'no progress output');
  addTrainingInputs(cmd);
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const quiet = Boolean(opts.quiet);
      // The backtest and the lead evaluation have no future covariates to give the model: refuse
      // rather than train with covariates and score without them.
      if (opts.covariates !== undefined || opts.events !== undefined) {
        throw optionError('evaluate does not take --covariates or --events yet: it has no future covariates for the scored days; evaluate without them');
      }
      const baselines = parseBaselines(String(opts.baselines));
      await setupBackend(opts, quiet);
      const ds = await ingest(ingestOptionsFrom(opts));
      if (!quiet) log(`ingested ${ds.days.length} days × ${ds.labels.length} slots (${ds.open}–${ds.close}, ${ds.intervalMinutes} min, ${ds.zone})`);
      const fit = fitOptionsFrom(opts);
      if (opts.leads !== undefined) return evaluateLeads(opts, ds, { ...fit, calendar: calendarOptionsFrom(opts, ds) }, quiet);
      let bar: ReturnType<typeof progressReporter> | null = null;
      const result = await backtest(ds, {
        folds: opts.folds as number,
        horizon: opts.horizon as number,
        count: opts.count as number,
        minTrain: opts.minTrain as number,
        seed: opts.scenarioSeed as number,
        sampler: fit.sampler,
        baselines,
        fit: { ...fit, calendar: calendarOptionsFrom(opts, ds) },
        onProgress: (e) => {
          if (quiet) return;
          if (e.type === 'fold') {
            log(`fold ${e.fold + 1}/${e.folds}: train on ${e.trainDays} days, score ${e.testDays} days from ${e.cutoff}`);
          } else if (e.type === 'train') {
            if (!bar) bar = progressReporter(`fold ${e.fold + 1} ${e.method}`);
            bar.onProgress(e.progress);
            if (e.progress.step === e.progress.steps) {
              bar.stop();
              bar = null;
            }
          } else {
            const parts = e.energy !== null ? `energy ${fmt(e.energy)}, CRPS ${fmt(e.crps)}, ` : '';
            log(`fold ${e.fold + 1} ${e.method}: ${parts}MAE ${fmt(e.mae)} (${e.seconds.toFixed(1)} s)`);
          }
        },
      });
      const files = await writeBacktestReport(result, String(opts.out));
      if (!quiet) {
        const model = result.summary.find((m) => m.method === MODEL);
        if (model) {
          log(
            `model: energy ${fmt(model.mean.energy)} (${pct(model.vsBootstrap.energy)} vs bootstrap), CRPS ${fmt(model.mean.crps)} (${pct(model.vsBootstrap.crps)}), ` +
              `80% coverage ${fmt(model.mean['coverage@0.8'], 3)}`,
          );
        }
        log(`wrote ${files.length} files to ${String(opts.out)}`);
      }
      process.stdout.write(
        JSON.stringify(
          {
            out: String(opts.out),
            files,
            backend: result.backend,
            summary: result.summary.map((m) => ({ method: m.method, mean: m.mean, vsBootstrap: m.vsBootstrap })),
          },
          null,
          2,
        ) + '\n',
      );
    }),
  );
}

/** `evaluate --leads`: rolling origins by lead; writes leads.json and leads.md into --out. */
async function evaluateLeads(opts: Record<string, unknown>, ds: DaySeries, fit: Partial<FitOptions>, quiet: boolean): Promise<void> {
  const items = (v: unknown) =>
    String(v)
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const leads = items(opts.leads).map((x) => {
    const h = Number(x);
    if (!Number.isInteger(h) || h < 1 || h > 366) throw optionError(`--leads: "${x}" is not a whole number of days from 1 to 366`);
    return h;
  });
  if (!leads.length) throw optionError('--leads needs at least one lead, e.g. 1,7,14');
  const seeds = opts.seeds === undefined ? null : items(opts.seeds).map((x) => readInteger(x, '--seeds', 0));
  if (seeds && !seeds.length) throw optionError('--seeds needs at least one seed, e.g. 1,2,3');
  const runOnce = (seed: number, fitSeed: Partial<FitOptions>) =>
    evaluateByLead(ds, {
      leads,
      origins: opts.origins as number,
      count: opts.count as number,
      seed,
      testShare: opts.testShare as number,
      refitEvery: opts.refitEvery as number,
      ...(opts.refitSteps !== undefined ? { refitSteps: opts.refitSteps as number } : {}),
      fit: { ...fit, ...fitSeed },
      onProgress: quiet ? undefined : (m) => log(seeds ? `seed ${seed}: ${m}` : m),
    });
  const runs: { seed: number; result: LeadEvaluation }[] = [];
  for (const seed of seeds ?? []) runs.push({ seed, result: await runOnce(seed, { seed }) });
  const r = seeds ? mergeSeeds(runs) : await runOnce(opts.scenarioSeed as number, {});
  const out = String(opts.out);
  fs.mkdirSync(out, { recursive: true });
  const id = ds.series ?? path.basename(String(opts.input));
  const md = leadReport([{ id, title: id, ...r }], [
    `# Evaluation by lead: ${id}`,
    '',
    `${r.days} days: trained on the first ${r.trainDays}${r.fits > 1 ? `, retrained every ${String(opts.refitEvery)} test days on every day up to the origin (${r.fits} trainings${opts.refitSteps !== undefined ? `; after the first, ${String(opts.refitSteps)} steps from the previous models` : ''})` : ''}, origins in the last ${r.testDays}; at each origin only the days up to it are used. ${opts.count} scenarios per target, leads ${leads.join(', ')}${seeds ? `; seeds ${seeds.join(', ')}, averaged` : ''}.`,
  ]);
  writeFileAtomic(path.join(out, 'leads.json'), JSON.stringify(r, null, 1) + '\n');
  writeFileAtomic(path.join(out, 'leads.md'), md);
  if (!quiet) {
    for (const s of r.summary) {
      const best = bestBaseline(s);
      log(
        `lead ${s.lead}: mixcast energy ${(100 * (s.methods.mixcast.energyVsBootstrap - 1)).toFixed(1)} % vs bootstrap (no context ${(100 * (s.methods['mixcast (no context)'].energyVsBootstrap - 1)).toFixed(1)} %), ` +
          `${(100 * (s.methods.mixcast.energy / s.methods[best].energy - 1)).toFixed(1)} % vs the best baseline (${best}), 80% coverage ${s.methods.mixcast.coverage80.toFixed(3)} (${s.origins} origins)`,
      );
    }
    log(`wrote leads.json and leads.md to ${out}`);
  }
  process.stdout.write(JSON.stringify({ out, files: ['leads.json', 'leads.md'], summary: r.summary.map((s) => ({ lead: s.lead, origins: s.origins, energyVsBootstrap: Object.fromEntries(Object.entries(s.methods).map(([m, v]) => [m, v.energyVsBootstrap])) })) }, null, 2) + '\n');
}
