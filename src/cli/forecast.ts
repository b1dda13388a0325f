/** `mixcast forecast`: per-interval mean and quantiles per date, optionally updated on observed slots. */
import type { Command } from 'commander';
import { DEFAULT_FORECAST_COUNT, forecast, forecastTable, readObservedFile } from '../scenarios/index.js';
import { action, log } from './common.js';
import { addOutputOptions, addScenarioOptions, parseQuantiles, scenarioOptionsFrom, withModel } from './scenario-options.js';

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
    .option('--continuous', 'summaries of continuous values (default for count data: of integer counts)');
  addOutputOptions(cmd, 'csv: series,timestamp,date,interval,mean,q…; json: the full result with daily total and peak');
  cmd.action(
    action((opts: Record<string, unknown>) =>
      withModel(opts, async (model) => {
        const quantiles = parseQuantiles(String(opts.quantiles));
        const observed = opts.observed ? readObservedFile(String(opts.observed), { labels: model.labels, zone: model.manifest.data.zone }) : undefined;
        if (observed) log(`observed ${observed.values.filter((v) => v !== null).length} of ${model.labels.length} slots on ${observed.date}`);
        const r = await forecast({ model, ...(await scenarioOptionsFrom(opts, model)), quantiles, observed });
        for (const d of r.dates) log(`${d.date} ${d.weekday}: total mean ${d.summary.total.mean.toFixed(1)}, peak mean ${d.summary.peak.mean.toFixed(1)}${d.fallback ? ' (fallback mixture)' : ''}`);
        const t = forecastTable(r);
        return { header: t.header, rows: t.rows, json: r };
      }),
    ),
  );
}
