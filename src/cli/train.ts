/** `mixcast train`: ingest a series, fit a mixture-prior diffusion model, save the bundle. */
import type { Command } from 'commander';
import { ingest } from '../../adapters/index.js';
import { fitModel, defaultFitOptions } from '../train/fit.js';
import { checkBundleTarget, cleanLeftovers, loadModel, lockBundle, saveModel } from '../model/index.js';
import { isMixcastError, optionError } from '../core/errors.js';
import { describePrior } from '../prior/index.js';
import { action, addBackendOption, log, setupBackend } from './common.js';
import { calendarOptionsFrom, ingestOptionsFrom, int } from './options.js';
import { progressReporter } from './progress.js';
import { trainingCovariates } from './context.js';
import { perSeriesHint, severalSeries, trainGlobal, trainPerSeries } from './train-series.js';
import { addTrainingInputs, checkWritableOut, fitOptionsFrom } from './train-options.js';

/** Training that diverges (non-finite loss) is caused by the options: report it as one, naming --lr. */
function divergence(e: unknown, lr: number): never {
  if (e instanceof Error && !isMixcastError(e) && /diverged|non-finite|NaN/i.test(e.message)) {
    throw optionError(`training diverged with --lr ${lr} (${e.message.replace(/; lower the learning rate \(lr\)$/, '')}); lower --lr (accepted: > 0 and ≤ 1; the default is ${defaultFitOptions.lr})`);
  }
  throw e;
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a mixture-prior diffusion model on a series and save the model bundle (several series: one global model, or --per-series)')
    .requiredOption('--out <dir>', 'model bundle directory to write')
    .option('--per-series', 'one model per series of the file, in --out with an index (default for a file with several series: one global model shared by them)')
    .option('--threads <n>', '--per-series: series trained at once', int('--threads', 1, 1024))
    .option('--warm-start <dir>', "start the network from this model bundle's weights instead of a seeded draw: a scheduled retraining on more days, usually with fewer --steps (one series; same network, process and components)");
  addTrainingInputs(cmd);
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      if (opts.warmStart !== undefined && (opts.perSeries || severalSeries(opts))) {
        throw optionError('--warm-start works with one series: pick it with --series (the batch train job warm-starts a whole per-series collection)');
      }
      if (opts.perSeries) return trainPerSeries(opts, fitOptionsFrom(opts));
      // several series in the file and none chosen: one global model for all of them
      if (severalSeries(opts)) return trainGlobal(opts, fitOptionsFrom(opts));
      // Refuse a folder we may not replace before any work, and hold the writer lock throughout.
      const out = String(opts.out);
      checkWritableOut(out);
      checkBundleTarget(out);
      const lock = lockBundle(out);
      try {
        cleanLeftovers(out);
        const backend = await setupBackend(opts);
        const ds = await ingest(ingestOptionsFrom(opts)).catch(perSeriesHint);
        log(`ingested ${ds.days.length} days × ${ds.labels.length} slots (${ds.open}–${ds.close}, ${ds.intervalMinutes} min, ${ds.zone}); dropped ${ds.report.dropped.length}`);
        const warmStart = opts.warmStart === undefined ? undefined : loadModel(String(opts.warmStart));
        if (warmStart) log(`warm start from ${String(opts.warmStart)} (${warmStart.manifest.data.days} days to ${warmStart.manifest.data.lastDate}, ${warmStart.manifest.training.steps} steps)`);
        const progress = progressReporter('train');
        const fit = fitOptionsFrom(opts);
        let fitted: ReturnType<typeof fitModel>;
        try {
          const covariates = trainingCovariates(opts, ingestOptionsFrom(opts), ds.days.map((d) => d.date));
          fitted = fitModel(ds, { ...fit, covariates, calendar: calendarOptionsFrom(opts, ds), onProgress: progress.onProgress, warmStart });
        } catch (e) {
          progress.stop();
          divergence(e, fit.lr);
        } finally {
          warmStart?.dispose();
        }
        const { model, summary } = fitted;
        progress.stop();
        await saveModel(model, out, { lock });
        log(`prior ${summary.prior}: K = ${summary.K}\n${describePrior(model.prior)}`);
        const re = summary.reverseEffort;
        log(`reverse effort E‖x0 − xT‖²: standard ${re.standard.toFixed(2)}, mixture ${re.mixture.toFixed(2)} (saves ${re.reduction.toFixed(2)}; Σ p_k‖c_k‖² = ${re.sumPkCk2.toFixed(2)})`);
        if (summary.context) {
          const c = summary.context;
          log(`context: ${c.pairs} (day, origin) pairs, u of ${c.width}; E‖x0 − c‖² around c_k ${c.effort.mixture.toFixed(2)}, around c(k, u) ${c.effort.conditional.toFixed(2)}`);
          log(`context penalties (out = the level is ignored there): ${c.selection.map((g) => `${g.group} ${g.penalty ?? 'out'}`).join(', ')}`);
          log(`weight of a sustained recent level on the log daily total (1 = follow it fully, 0 = ignore it): ${c.levelWeights.map((w) => `lead ${w.lead} ${w.all.toFixed(2)}`).join(', ')}`);
        } else if (fit.context === 'on') log(`context: off (fewer than 30 days)`);
        log(`saved model to ${String(opts.out)}`);
        model.dispose();
        process.stdout.write(JSON.stringify({ ...summary, backend: backend.name, model: String(opts.out) }, null, 2) + '\n');
      } finally {
        lock.release();
      }
    }),
  );
}
