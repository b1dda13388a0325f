/**
 * `mixcast plot fan|totals|whatif|staffing`: the planner page's charts from the command line,
 * written as SVG (vega, headless) or PNG (the SVG rasterised by @resvg/resvg-js). The data come
 * from the same library functions as `generate`, `forecast` and `staff plan`; the chart specs
 * are the page's (src/eval/charts.ts).
 */
import path from 'node:path';
import { Argument, type Command, Option } from 'commander';
import { optionError } from '../core/errors.js';
import { writeFileAtomic } from '../core/io.js';
import { readNumber } from '../core/numbers.js';
import { forecast, generateScenarios, BASELINE, type ScenarioResult } from '../scenarios/index.js';
import { parseDuration, simulate, staffScenarios } from '../staffing/index.js';
import { observedBefore, renderVegaLite, scenarioFanSpec, staffingSpec, totalsSpec, whatIfSpec } from '../eval/index.js';
import type { TopLevelSpec } from 'vega-lite';
import { action, addBackendOption, log } from './common.js';
import { addScenarioOptions, readCasesFile, scenarioOptionsFrom, withModel } from './scenario-options.js';
import { int } from './options.js';

export const PLOT_KINDS = ['fan', 'totals', 'whatif', 'staffing'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

const FAN_LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];

/** Render a vega-lite spec to the bytes of an .svg or .png file. */
export async function renderChart(spec: TopLevelSpec, format: 'svg' | 'png', scale = 2): Promise<Uint8Array | string> {
  const svg = await renderVegaLite(spec);
  if (format === 'svg') return svg;
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

export function formatOf(out: string): 'svg' | 'png' {
  const ext = path.extname(out).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.png') return 'png';
  throw optionError(`--out must end in .svg or .png (got "${out}")`);
}

const num = (name: string, v: unknown): number => readNumber(v, name);

/** Per-scenario day service level of a simulation: answered within the threshold / arrivals. */
function dayServiceLevels(detail: { arrivals: number[][]; answeredWithin: number[][] }): number[] {
  return detail.arrivals.map((row, s) => {
    const calls = row.reduce((a, b) => a + b, 0);
    return calls > 0 ? detail.answeredWithin[s].reduce((a, b) => a + b, 0) / calls : 1;
  });
}

const rowSum = (row: number[]) => row.reduce((a, b) => a + b, 0);

function dateSpan(r: { dates: { date: string }[] }): string {
  const d = r.dates;
  return d.length === 1 ? d[0].date : `${d[0].date} … ${d[d.length - 1].date}`;
}

export function register(program: Command): void {
  const cmd = program
    .command('plot')
    .description("the planner page's charts as SVG or PNG: fan (bands, median, scenario paths per day), totals (daily and range totals), whatif (cases against the baseline), staffing (agents, expected and simulated service level)")
    .addArgument(new Argument('<kind>', PLOT_KINDS.join(' | ')).choices([...PLOT_KINDS]));
  addScenarioOptions(cmd, { count: 500 })
    .requiredOption('--out <file>', 'chart file: .svg or .png')
    .option('--paths <n>', 'fan: individual scenarios drawn per day', int('--paths'), 5)
    .option('--cases <file>', 'whatif: JSON cases file (see fixtures/whatif-cases.json)')
    .option('--aht <duration>', 'staffing: average handle time, e.g. 180s')
    .option('--target <share>', 'staffing: target share answered within --within', '0.8')
    .option('--within <duration>', 'staffing: answer-time threshold', '20s')
    .option('--coverage <share>', 'staffing: share of scenarios the coverage plan meets', '0.9')
    .option('--patience <duration>', 'staffing: mean patience (Erlang A and abandonment in the simulation)')
    .addOption(new Option('--simulate <plan>', 'staffing: plan whose day service level is simulated over the scenarios').choices(['mean', 'coverage', 'none']).default('coverage'))
    .option('--scale <x>', 'PNG: pixels per SVG unit', '2');
  addBackendOption(cmd);
  cmd.action(
    action(async (kind: PlotKind, opts: Record<string, unknown>) => {
      const out = String(opts.out);
      const format = formatOf(out);
      const scale = num('--scale', opts.scale);
      if (scale <= 0 || scale > 8) throw optionError(`--scale must be in (0, 8] (got ${scale})`);
      const paths = opts.paths as number;
      if (paths < 0) throw optionError('--paths must be 0 or more');
      const cases = kind === 'whatif' ? (opts.cases ? await readCasesFile(String(opts.cases)) : null) : null;
      if (kind === 'whatif' && !cases) throw optionError('plot whatif needs --cases FILE (see fixtures/whatif-cases.json)');
      if (kind === 'staffing' && opts.aht === undefined) throw optionError('plot staffing needs --aht, e.g. --aht 180s');
      await withModel(opts, async (model) => {
        const base = await scenarioOptionsFrom(opts, model);
        const yTitle = model.manifest.data.valueKind === 'counts' ? 'count per interval' : 'value';
        let spec: TopLevelSpec;
        if (kind === 'fan') {
          const r: ScenarioResult = await generateScenarios({ model, ...base, quantiles: FAN_LEVELS });
          spec = scenarioFanSpec({
            title: `Scenarios ${dateSpan(r)} (${r.count} per day, seed ${r.seed})`,
            labels: r.labels,
            yTitle,
            days: r.dates.map((d) => ({ date: `${d.date} ${d.weekday}`, quantiles: d.summary.quantiles, paths: d.values.slice(0, paths) })),
            // the last observed days: from --history when given, else the ones a context-aware bundle keeps
            observed: observedBefore(base.history ?? model.manifest.context?.history ?? [], r.dates[0].date),
          });
        } else if (kind === 'totals') {
          const r: ScenarioResult = await generateScenarios({ model, ...base });
          spec = totalsSpec({
            title: `Totals ${dateSpan(r)} (${r.count} scenarios, seed ${r.seed})`,
            dates: r.dates.map((d) => ({ date: `${d.date} ${d.weekday}`, totals: d.values.map(rowSum) })),
            rangeTotals: r.dates.length > 1 ? Array.from({ length: r.count }, (_, s) => r.dates.reduce((a, d) => a + rowSum(d.values[s]), 0)) : undefined,
          });
        } else if (kind === 'whatif') {
          const all = cases!;
          const perCase = [];
          for (const c of all) {
            const f = await forecast({ model, ...base, quantiles: [0.1, 0.5, 0.9], whatIf: c.name === BASELINE ? undefined : c.transforms });
            perCase.push({ name: c.name, days: f.dates.map((d) => ({ date: `${d.date} ${d.weekday}`, quantiles: d.summary.quantiles })), labels: f.labels, span: dateSpan(f) });
          }
          spec = whatIfSpec({ title: `What-if ${perCase[0].span} (${base.count} common scenarios, seed ${base.seed})`, labels: perCase[0].labels, yTitle, cases: perCase });
        } else {
          const aht = parseDuration(String(opts.aht), '--aht');
          const within = parseDuration(String(opts.within), '--within');
          const patience = opts.patience === undefined ? undefined : parseDuration(String(opts.patience), '--patience');
          const target = num('--target', opts.target);
          const staffing = { aht, target, within, coverage: num('--coverage', opts.coverage), patience, model: patience === undefined ? ('erlang-c' as const) : ('erlang-a' as const) };
          const r: ScenarioResult = await generateScenarios({ model, ...base, output: 'counts' });
          const st = staffScenarios(r, staffing);
          const fixed = opts.simulate as 'mean' | 'coverage' | 'none';
          spec = staffingSpec({
            title: `Staffing ${dateSpan(r)} (AHT ${aht} s, ${Math.round(target * 100)} % in ${within} s, ${r.count} scenarios)`,
            labels: st.labels,
            target,
            dates: st.dates.map((d, i) => ({
              date: `${d.date} ${r.dates[i].weekday}`,
              plans: [d.result.plans.mean, d.result.plans.coverage].map((p) => ({ name: p.name === 'coverage' ? `coverage ${Math.round(d.result.coverage * 100)} %` : 'mean forecast', agents: p.agents, expectedServiceLevel: p.expectedServiceLevel })),
              simulated:
                fixed === 'none'
                  ? undefined
                  : {
                      plan: fixed === 'coverage' ? `coverage ${Math.round(d.result.coverage * 100)} %` : 'mean forecast',
                      serviceLevel: dayServiceLevels(
                        simulate({ plan: d.result.plans[fixed].agents, scenarios: r.dates[i].values, intervalSeconds: st.intervalSeconds, aht, within, patience, seed: r.seed, detail: true }).detail!,
                      ),
                    },
            })),
          });
        }
        writeFileAtomic(out, await renderChart(spec, format, scale));
        log(`wrote ${out} (${kind} chart, ${format.toUpperCase()})`);
      });
    }),
  );
}
