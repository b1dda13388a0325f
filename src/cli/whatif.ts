/** `mixcast whatif`: a batch of named what-if cases on common base scenarios → one table. */
import type { Command } from 'commander';
import { whatIfBatch, whatIfTable, BASELINE } from '../scenarios/index.js';
import { action, log } from './common.js';
import { addOutputOptions, addScenarioOptions, parseQuantiles, readCasesFile, scenarioOptionsFrom, withModel } from './scenario-options.js';

export function register(program: Command): void {
  const cmd = program
    .command('whatif')
    .description(`what-if batch: per case and date, mean and quantiles of the daily total and peak interval (case "${BASELINE}" is added automatically)`)
    .requiredOption('--cases <file>', 'JSON { "cases": [{ "name", "transforms": [{ "type": "scale"|"add"|"shock", … }] }] } (see fixtures/whatif-cases.json)');
  addScenarioOptions(cmd)
    .option('--quantiles <list>', 'quantile levels', '0.1,0.5,0.9')
    .option('--continuous', 'continuous values (default for count data: integer counts)');
  addOutputOptions(cmd, 'output format');
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const cases = (await readCasesFile(String(opts.cases))).slice(1); // whatIfBatch adds the baseline itself
      await withModel(opts, async (model) => {
        const r = await whatIfBatch({ model, cases, ...(await scenarioOptionsFrom(opts, model)), quantiles: parseQuantiles(String(opts.quantiles)) });
        log(`${r.cases.length} cases (${r.cases.join(', ')}) × ${r.dates.length} dates on ${r.count} common scenarios per date`);
        const t = whatIfTable(r);
        return { header: t.header, rows: t.rows, json: r };
      });
    }),
  );
}
