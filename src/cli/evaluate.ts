/** `mixcast evaluate`: rolling-origin backtest of a model against baselines; writes results.json, report.md and SVG charts. */
import { Command } from 'commander';
import { ingest } from '../../adapters/index.js';
import { backtest, defaultBacktestOptions, parseBaselines, BASELINES, MODEL } from '../eval/backtest.js';
import { fmt, pct, writeBacktestReport } from '../eval/report.js';
import { action, addBackendOption, log, setupBackend } from './common.js';
import { addCalendarOptions, addIngestOptions, calendarOptionsFrom, ingestOptionsFrom } from './options.js';
import { progressReporter } from './progress.js';
import { addTrainOptions, fitOptionsFrom, int } from './train.js';

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
    .option('--quiet', 'no progress output');
  addIngestOptions(cmd);
  addCalendarOptions(cmd);
  addTrainOptions(cmd);
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const quiet = Boolean(opts.quiet);
      const baselines = parseBaselines(String(opts.baselines));
      await setupBackend(opts, quiet);
      const ds = await ingest(ingestOptionsFrom(opts));
      if (!quiet) log(`ingested ${ds.days.length} days × ${ds.labels.length} slots (${ds.open}–${ds.close}, ${ds.intervalMinutes} min, ${ds.zone})`);
      const fit = fitOptionsFrom(opts);
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
