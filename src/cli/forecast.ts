/** `mixcast forecast`: per-interval mean and quantiles per date, optionally updated on observed slots. */
import { Command, Option } from 'commander';
import { loadModel } from '../model/bundle.js';
import { DEFAULT_FORECAST_COUNT, forecast, forecastTable, readObservedFile } from '../scenarios/index.js';
import { optionError } from '../errors.js';
import { toCsv } from '../io.js';
import { action, addBackendOption, emit, log, setupBackend } from './common.js';
import { addScenarioOptions } from './generate.js';

export function parseQuantiles(text: string): number[] {
  const qs = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!qs.length || qs.some((q) => !(q >= 0 && q <= 1))) throw optionError(`--quantiles must be levels in [0, 1] separated by commas, e.g. 0.1,0.5,0.9 (got "${text}")`);
  return qs;
}

export function register(program: Command): void {
  const cmd = program
    .command('forecast')
    .description('forecast table per date and interval: mean and quantiles of the scenarios (intraday updating with --observed)');
  addScenarioOptions(cmd, { count: DEFAULT_FORECAST_COUNT })
    .option('--quantiles <list>', 'quantile levels', '0.1,0.5,0.9')
    .option(
      '--observed <file>',
      'observed slots of one date in the range: CSV (or JSON rows) timestamp,value with local interval starts, e.g. 2003-10-27T07:00,512; slots without a row are free',
    )
    .option('--continuous', 'summaries of continuous values (default for count data: of integer counts)')
    .addOption(new Option('--format <fmt>', 'csv: date,interval_start,mean,q…; json: the full result with daily total and peak').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'file to write (default stdout)');
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      await setupBackend(opts);
      const quantiles = parseQuantiles(String(opts.quantiles));
      const model = loadModel(String(opts.model));
      try {
        const observed = opts.observed ? readObservedFile(String(opts.observed), { labels: model.labels, zone: model.manifest.data.zone }) : undefined;
        if (observed) log(`observed ${observed.values.filter((v) => v !== null).length} of ${model.labels.length} slots on ${observed.date}`);
        const r = forecast({
          model,
          start: String(opts.start),
          end: opts.end as string | undefined,
          count: opts.count as number,
          seed: opts.seed as number,
          sampler: opts.sampler as string | undefined,
          fallback: opts.fallback as 'error' | 'mixture',
          output: opts.continuous ? 'continuous' : undefined,
          quantiles,
          observed,
        });
        for (const d of r.dates) log(`${d.date} ${d.weekday}: total mean ${d.summary.total.mean.toFixed(1)}, peak mean ${d.summary.peak.mean.toFixed(1)}${d.fallback ? ' (fallback mixture)' : ''}`);
        let text: string;
        if (opts.format === 'json') text = JSON.stringify(r) + '\n';
        else {
          const t = forecastTable(r);
          text = toCsv(t.header, t.rows);
        }
        emit(text, opts.out as string | undefined);
        if (opts.out) log(`wrote ${String(opts.out)}`);
      } finally {
        model.dispose();
      }
    }),
  );
}
