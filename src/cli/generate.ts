/**
 * `mixcast generate`: scenarios for a date range from a model bundle (long CSV or JSON). The
 * options are defined without loading the library; the action imports it (and tfjs) when it runs.
 */
import type { Command } from 'commander';
import { action, log } from './common.js';
import { addOutputOptions, addScenarioOptions, scenarioOptionsFrom, withModel } from './scenario-options.js';

export function register(program: Command): void {
  const cmd = program.command('generate').description('generate scenarios (whole days) for each date in a range');
  addScenarioOptions(cmd)
    .option('--continuous', 'keep continuous values (default for count data: non-negative integers)');
  addOutputOptions(cmd, 'csv: series,timestamp,date,interval,scenario,component,value; json: the full result with summaries');
  cmd.action(
    action((opts: Record<string, unknown>) =>
      withModel(opts, async (model) => {
        const { generateScenarios, scenarioRows, SCENARIO_HEADER } = await import('../scenarios/index.js');
        const t0 = Date.now();
        const r = await generateScenarios({ model, ...(await scenarioOptionsFrom(opts, model)) });
        if (r.origin) log(`forecast origin ${r.origin} (the last observed day used)`);
        for (const d of r.dates) {
          log(`${d.date} ${d.weekday}: key ${d.key ?? '(unseen — fallback mixture)'}, total mean ${d.summary.total.mean.toFixed(1)} [${d.summary.total.quantiles['0.05']} … ${d.summary.total.quantiles['0.95']}]`);
        }
        log(`${r.count} scenarios × ${r.dates.length} dates in ${((Date.now() - t0) / 1000).toFixed(1)} s (${r.sampler}, seed ${r.seed})`);
        return { header: SCENARIO_HEADER, rows: scenarioRows(r), json: r };
      }),
    ),
  );
}
