/**
 * `mixcast staff`: staffing over the library in src/staffing —
 *   staff erlang-c   minimal agents for one interval (Erlang C)
 *   staff erlang-a   the same with abandonment (Erlang A, exponential patience)
 *   staff simulate   discrete-event simulation of a plan against scenario days
 * `addPlanCommand` builds `staff plan` (scenario-based staffing for a date) around an
 * injected scenario source; it is registered once a scenario generator is passed in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { inputError, optionError } from '../core/errors.js';
import { toCsv } from '../core/csv.js';
import { ISO_DATE } from '../core/dates.js';
import { readNumber } from '../core/numbers.js';
import {
  erlangA, erlangC, parseDuration, staffingScenarios, parsePlanCsv, parseScenariosCsv, scenariosForDate, scenarioStaffing, scenarioStaffingTable, simulate,
  type ScenarioStaffingResult, type SimulationResult, type Spread,
} from '../staffing/index.js';
import { action, emit, setupBackend } from './common.js';
import { loadSeriesModels } from '../model/index.js';
import { originFieldsFrom } from './context.js';
import { withFlagNames } from './flags.js';

type Opts = Record<string, unknown>;

const num = (name: string, v: unknown): number => readNumber(v, name);
const optNum = (name: string, v: unknown): number | undefined => (v === undefined ? undefined : num(name, v));
const dur = (name: string, v: unknown): number => parseDuration(String(v), name);
const optDur = (name: string, v: unknown): number | undefined => (v === undefined ? undefined : dur(name, v));
/** An interval length needs its unit (`30m`): a bare `30` is refused rather than read as seconds. */
const intervalDur = (v: unknown): number => parseDuration(String(v), '--interval', false);

function fmt(x: number, digits: number): string {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  return x.toFixed(digits);
}

/** JSON with non-finite numbers written as null. */
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2) + '\n';

function readInput(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(`${what} file '${file}' does not exist`);
    throw inputError(`cannot read ${what} file '${file}': ${(e as Error).message}`);
  }
}

function formatOf(opts: Opts, choices: string[], fallback: string): string {
  const f = opts.format === undefined ? fallback : String(opts.format);
  if (!choices.includes(f)) throw optionError(`--format must be one of ${choices.join(', ')} (got "${f}")`);
  return f;
}

function queueOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--calls <n>', 'calls arriving in the interval')
    .requiredOption('--interval <duration>', 'interval length, e.g. 30m')
    .requiredOption('--aht <duration>', 'average handle time, e.g. 180s or 3m')
    .requiredOption('--target <share>', 'target share answered within --within, e.g. 0.8')
    .requiredOption('--within <duration>', 'answer-time threshold, e.g. 20s')
    .option('--max-occupancy <share>', 'upper limit on occupancy, e.g. 0.85')
    .option('--shrinkage <share>', 'share of paid time off the phones, e.g. 0.3 (scheduled = ceil(agents / (1 − shrinkage)))')
    .option('--max-asa <duration>', 'upper limit on the average speed of answer, e.g. 30s')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
}

function queueInput(opts: Opts) {
  return {
    calls: num('--calls', opts.calls),
    intervalSeconds: intervalDur(opts.interval),
    aht: dur('--aht', opts.aht),
    target: num('--target', opts.target),
    within: dur('--within', opts.within),
    maxOccupancy: optNum('--max-occupancy', opts.maxOccupancy),
    shrinkage: optNum('--shrinkage', opts.shrinkage),
    maxAsa: optDur('--max-asa', opts.maxAsa),
  };
}

function registerErlangC(staff: Command): void {
  queueOptions(staff.command('erlang-c').description('minimal agents for one interval under Erlang C (no abandonment)')).action(
    action((opts: Opts) => {
      const q = queueInput(opts);
      const r = erlangC(q);
      if (formatOf(opts, ['text', 'json'], 'text') === 'json') return emit(json({ model: 'erlang-c', input: q, result: r }));
      emit(
        [
          `Erlang C: ${q.calls} calls per ${String(opts.interval)}, AHT ${String(opts.aht)} → offered load ${fmt(r.offeredLoad, 3)} Erlangs`,
          `agents           ${r.agents}`,
          `scheduled staff  ${r.scheduled}  (shrinkage ${r.shrinkage})`,
          `service level    ${fmt(r.serviceLevel, 5)}  (target ${q.target} answered within ${q.within} s)`,
          `P(wait)          ${fmt(r.probWait, 5)}`,
          `ASA              ${fmt(r.asa, 2)} s`,
          `occupancy        ${fmt(r.occupancy, 5)}`,
        ].join('\n') + '\n',
      );
    }),
  );
}

function registerErlangA(staff: Command): void {
  queueOptions(staff.command('erlang-a').description('minimal agents for one interval under Erlang A (exponential patience)'))
    .requiredOption('--patience <duration>', 'mean patience before abandoning, e.g. 120s')
    .option('--max-abandon <share>', 'upper limit on the share of calls that abandon, e.g. 0.05')
    .action(
      action((opts: Opts) => {
        const q = { ...queueInput(opts), patience: dur('--patience', opts.patience), maxAbandon: optNum('--max-abandon', opts.maxAbandon) };
        const r = erlangA(q);
        if (formatOf(opts, ['text', 'json'], 'text') === 'json') return emit(json({ model: 'erlang-a', input: q, result: r }));
        emit(
          [
            `Erlang A: ${q.calls} calls per ${String(opts.interval)}, AHT ${String(opts.aht)}, mean patience ${String(opts.patience)} → offered load ${fmt(r.offeredLoad, 3)} Erlangs`,
            `agents            ${r.agents}`,
            `scheduled staff   ${r.scheduled}  (shrinkage ${r.shrinkage})`,
            `service level     ${fmt(r.serviceLevel, 5)}  (share of all calls answered within ${q.within} s; target ${q.target})`,
            `P(W ≤ T)          ${fmt(r.waitWithin, 5)}  (wait to answer or abandonment ≤ ${q.within} s)`,
            `P(abandon)        ${fmt(r.probAbandon, 5)}`,
            `P(wait)           ${fmt(r.probWait, 5)}`,
            `ASA               ${fmt(r.asa, 2)} s  (answered calls)`,
            `occupancy         ${fmt(r.occupancy, 5)}`,
          ].join('\n') + '\n',
        );
      }),
    );
}

const SPREAD_KEYS = ['serviceLevel', 'asa', 'abandonRate', 'occupancy'] as const;
const SHORT: Record<(typeof SPREAD_KEYS)[number], string> = { serviceLevel: 'sl', asa: 'asa', abandonRate: 'abandon', occupancy: 'occupancy' };

/** Per-interval table plus a final `day` row, for CSV. */
export function simulationTable(r: SimulationResult, labels?: string[] | null): { header: string[]; rows: (string | number | null)[][] } {
  const header = [
    'interval', 'agents', 'calls_mean',
    ...SPREAD_KEYS.flatMap((k) => [`${SHORT[k]}_mean`, `${SHORT[k]}_q0.1`, `${SHORT[k]}_q0.9`, `${SHORT[k]}_pooled`]),
  ];
  const cell = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e5) / 1e5 : null);
  const part = (s: Record<(typeof SPREAD_KEYS)[number], Spread>, pooled: Record<(typeof SPREAD_KEYS)[number], number>) =>
    SPREAD_KEYS.flatMap((k) => [cell(s[k].mean), cell(s[k].p10), cell(s[k].p90), cell(pooled[k])]);
  const rows = r.perInterval.map((p) => [labels?.[p.interval] ?? p.interval, p.agents, cell(p.calls.mean), ...part(p, p.pooled)]);
  rows.push(['day', r.day.agentIntervals, cell(r.day.calls.mean), ...part(r.day, r.day.pooled)]);
  return { header, rows };
}

function simulationText(r: SimulationResult, labels?: string[] | null): string {
  const lines = [
    `simulated ${r.scenarios} scenario days × ${r.intervals} intervals of ${r.intervalSeconds} s; handle ${r.handle} (CV ${r.ahtCv}), ` +
      `${r.patience === null ? 'no abandonment' : `mean patience ${r.patience} s`}; SL = answered within ${r.within} s / arrivals; seed ${r.seed}`,
    'interval              agents   calls   SL mean [p10, p90]        ASA s    abandon   occupancy',
  ];
  const row = (label: string, agents: number, calls: number, s: SimulationResult['day']) =>
    `${label.padEnd(20)} ${String(agents).padStart(7)} ${fmt(calls, 1).padStart(7)}   ${fmt(s.serviceLevel.mean, 3)} [${fmt(s.serviceLevel.p10, 3)}, ${fmt(s.serviceLevel.p90, 3)}]` +
    `   ${fmt(s.asa.mean, 1).padStart(6)}   ${fmt(s.abandonRate.mean, 4).padStart(7)}   ${fmt(s.occupancy.mean, 3).padStart(9)}`;
  for (const p of r.perInterval) lines.push(row(String(labels?.[p.interval] ?? p.interval), p.agents, p.calls.mean, { ...p, agentIntervals: p.agents }));
  lines.push(row('day', r.day.agentIntervals, r.day.calls.mean, r.day));
  lines.push(`day, per call over all scenarios: SL ${fmt(r.day.pooled.serviceLevel, 4)}, ASA ${fmt(r.day.pooled.asa, 2)} s, abandonment ${fmt(r.day.pooled.abandonRate, 4)}, occupancy ${fmt(r.day.pooled.occupancy, 4)}`);
  if (r.unanswered > 0) lines.push(`warning: ${r.unanswered} calls were still waiting at the end of the day with no agent on duty`);
  return lines.join('\n') + '\n';
}

function registerSimulate(staff: Command): void {
  staff
    .command('simulate')
    .description('simulate a staffing plan against scenario days (discrete-event, FCFS)')
    .requiredOption('--plan <file>', "plan CSV: column 'agents', one row per interval (optional 'interval'); `staff plan --out plan.csv` writes one")
    .requiredOption('--scenarios <file>', 'scenario CSV: long (date, scenario, interval, value: `mixcast generate --out`) or wide (v0..v{d-1})')
    .option('--date <YYYY-MM-DD>', 'the date whose scenarios to simulate (needed when the file holds several dates)')
    .option('--interval <duration>', 'interval length, e.g. 30m (default: read from the interval column)')
    .requiredOption('--aht <duration>', 'mean handle time, e.g. 180s')
    .option('--cv <x>', 'coefficient of variation of handle time (lognormal only)')
    .addOption(new Option('--handle <dist>', 'handle-time distribution').choices(['exponential', 'lognormal']).default('exponential'))
    .option('--patience <duration>', 'mean patience (exponential); absent = no abandonment')
    .requiredOption('--within <duration>', 'answer-time threshold, e.g. 20s')
    .requiredOption('--seed <n>', 'random seed')
    .option('--out <file>', 'write the table to a file: .json → JSON, otherwise CSV')
    .addOption(new Option('--format <format>', 'output format (default: text on stdout, by extension with --out)').choices(['text', 'csv', 'json']))
    .action(
      action((opts: Opts) => {
        const plan = parsePlanCsv(readInput(String(opts.plan), 'plan'), String(opts.plan));
        const scen = scenariosForDate(
          parseScenariosCsv(readInput(String(opts.scenarios), 'scenarios'), String(opts.scenarios)),
          opts.date === undefined ? undefined : String(opts.date),
          String(opts.scenarios),
        );
        const given = opts.interval === undefined ? undefined : intervalDur(opts.interval);
        if (given !== undefined && scen.intervalSeconds !== null && Math.abs(given - scen.intervalSeconds) > 1e-6) {
          throw optionError(`--interval is ${given} s but the scenarios' interval values are ${scen.intervalSeconds} s apart`);
        }
        const intervalSeconds = given ?? scen.intervalSeconds;
        if (intervalSeconds === null) throw optionError('--interval is needed: the scenario file does not show the interval length (e.g. --interval 30m)');
        const seed = num('--seed', opts.seed);
        const res = simulate({
          plan: plan.agents,
          scenarios: scen.scenarios,
          intervalSeconds,
          aht: dur('--aht', opts.aht),
          ahtCv: optNum('--cv', opts.cv),
          handle: opts.handle as 'exponential' | 'lognormal',
          patience: optDur('--patience', opts.patience),
          within: dur('--within', opts.within),
          seed,
        });
        const labels = plan.intervalStarts ?? scen.intervalStarts;
        const out = opts.out === undefined ? undefined : String(opts.out);
        const fallback = out === undefined ? 'text' : path.extname(out).toLowerCase() === '.json' ? 'json' : 'csv';
        const format = formatOf(opts, ['text', 'csv', 'json'], fallback);
        if (format === 'json') emit(json({ intervalLabels: labels, ...res }), out);
        else if (format === 'csv') {
          const t = simulationTable(res, labels);
          emit(toCsv(t.header, t.rows), out);
        } else emit(simulationText(res, labels), out);
      }),
    );
}

/** What `staff plan` asks of a scenario generator. */
export interface ScenarioRequest {
  model: string;
  /** The series, for a model of several series (global or per-series). */
  series?: string;
  date: string;
  count: number;
  seed: number;
  backend?: string;
  /** --history / --origin / --future-covariates, as given (files read with the model's settings). */
  originOptions?: Record<string, unknown>;
}

/** Scenario days for one date: values[s][i] = calls in interval i of scenario s. */
export interface ScenarioDay {
  values: number[][];
  /** Interval length known to the model, seconds (used when --interval is not given). */
  intervalSeconds?: number;
  /** Interval start labels for the output table. */
  intervalStarts?: string[];
}

export type ScenarioSource = (req: ScenarioRequest) => Promise<ScenarioDay>;

function planText(r: ScenarioStaffingResult, date: string, labels?: string[]): string {
  const t = scenarioStaffingTable(r, labels);
  const widths = t.header.map((h, j) => Math.max(h.length, ...t.rows.map((row) => String(row[j]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, j) => String(c).padStart(widths[j])).join('  ');
  const plans = [r.plans.mean, r.plans.coverage, ...(r.plans.newsvendor ? [r.plans.newsvendor] : [])];
  return [
    `staffing for ${date}: ${r.scenarios} scenarios × ${r.intervals} intervals of ${r.intervalSeconds} s, ${r.model}, coverage ${r.coverage}` +
      (r.criticalRatio === null ? '' : `, newsvendor critical ratio ${fmt(r.criticalRatio, 3)}`),
    line(t.header),
    ...t.rows.map(line),
    ...plans.map(
      (p) =>
        `day, ${p.name} plan: ${p.day.agentIntervals} agent-intervals (${fmt(p.day.agentHours, 1)} agent-hours, ${p.day.scheduledStaffIntervals} scheduled staff-intervals), ` +
        `expected SL ${fmt(p.day.expectedServiceLevel, 4)}, misses the target in ${fmt(100 * p.day.missShare, 1)}% of scenario-intervals, ` +
        `meets every interval in ${fmt(100 * p.day.allIntervalsMetShare, 1)}% of scenarios`,
    ),
  ].join('\n') + '\n';
}

/** Build `staff plan` on `staff`, drawing scenarios from `source`. */
export function addPlanCommand(staff: Command, source: ScenarioSource): Command {
  return staff
    .command('plan')
    .description('staff a date from a model\'s scenarios: mean-forecast, coverage and newsvendor plans')
    .requiredOption('--model <dir>', 'model bundle directory, or a model of several series (with --series)')
    .option('--series <name>', 'the series (queue) to staff, for a model of several series')
    .requiredOption('--date <YYYY-MM-DD>', 'date to staff')
    .option('--count <n>', 'number of scenarios', '500')
    .requiredOption('--seed <n>', 'random seed')
    .requiredOption('--aht <duration>', 'average handle time, e.g. 180s')
    .requiredOption('--target <share>', 'target share answered within --within, e.g. 0.8')
    .requiredOption('--within <duration>', 'answer-time threshold, e.g. 20s')
    .option('--coverage <share>', 'share of scenarios the coverage plan meets', '0.9')
    .option('--cost-under <x>', 'cost of one agent-interval short (newsvendor plan; with --cost-over)')
    .option('--cost-over <x>', 'cost of one agent-interval in excess (newsvendor plan; with --cost-under)')
    .option('--interval <duration>', "interval length (default: the model's)")
    .option('--max-occupancy <share>', 'upper limit on occupancy')
    .option('--shrinkage <share>', 'share of paid time off the phones')
    .option('--patience <duration>', 'mean patience: staff with Erlang A instead of Erlang C')
    .option('--backend <name>', 'tfjs backend for the model')
    .option('--history <file>', "observations after the training data (read with the model's settings): the context at the origin")
    .option('--origin <date>', 'forecast origin YYYY-MM-DD (default: the last day of the history, else of the training data)')
    .option('--future-covariates <file>', 'CSV with a date column and one column per covariate of the model')
    .option('--out <file>', 'write the table to a file: .json → JSON, otherwise CSV')
    .addOption(new Option('--format <format>', 'output format (default: text on stdout, by extension with --out)').choices(['text', 'csv', 'json']))
    .action(
      action(async (opts: Opts) => {
        const date = String(opts.date);
        if (!ISO_DATE.test(date)) throw optionError(`--date must be YYYY-MM-DD (got "${date}")`);
        const count = num('--count', opts.count);
        if (!Number.isInteger(count) || count < 1 || count > 100000) throw optionError(`--count must be a whole number from 1 to 100000 (got ${count})`);
        const staffing = {
          aht: dur('--aht', opts.aht),
          target: num('--target', opts.target),
          within: dur('--within', opts.within),
          coverage: num('--coverage', opts.coverage),
          costUnder: optNum('--cost-under', opts.costUnder),
          costOver: optNum('--cost-over', opts.costOver),
          maxOccupancy: optNum('--max-occupancy', opts.maxOccupancy),
          shrinkage: optNum('--shrinkage', opts.shrinkage),
          patience: optDur('--patience', opts.patience),
        };
        const given = opts.interval === undefined ? undefined : intervalDur(opts.interval);
        const day = await source({
          model: String(opts.model), ...(opts.series !== undefined && { series: String(opts.series) }), date, count, seed: num('--seed', opts.seed), backend: opts.backend as string | undefined,
          originOptions: { history: opts.history, origin: opts.origin, futureCovariates: opts.futureCovariates },
        });
        const intervalSeconds = given ?? day.intervalSeconds;
        if (intervalSeconds === undefined) throw optionError('--interval is needed: the model does not state its interval length');
        const r = scenarioStaffing(day.values, {
          ...staffing,
          intervalSeconds,
          model: staffing.patience === undefined ? 'erlang-c' : 'erlang-a',
        });
        const out = opts.out === undefined ? undefined : String(opts.out);
        const fallback = out === undefined ? 'text' : path.extname(out).toLowerCase() === '.json' ? 'json' : 'csv';
        const format = formatOf(opts, ['text', 'csv', 'json'], fallback);
        if (format === 'json') emit(json({ date, intervalLabels: day.intervalStarts ?? null, ...r }), out);
        else if (format === 'csv') {
          const t = scenarioStaffingTable(r, day.intervalStarts);
          emit(toCsv(t.header, t.rows), out);
        } else emit(planText(r, date, day.intervalStarts), out);
      }),
    );
}

/**
 * Register `mixcast staff`. `staff plan` draws its scenarios from `source` (by default the
 * model's scenario service; tests inject their own; null leaves `plan` out).
 */
/** The real scenario source: load the bundle, count scenarios of the date through the runner (src/staffing/from-model.ts). */
export const modelScenarioSource: ScenarioSource = async (req) => {
  await setupBackend({ backend: req.backend });
  let loaded: ReturnType<typeof loadSeriesModels>;
  try {
    loaded = loadSeriesModels(req.model, req.series);
  } catch (e) {
    throw withFlagNames(e);
  }
  const { model } = loaded.models[0];
  try {
    const origin = req.originOptions ? await originFieldsFrom(req.originOptions, model.manifest) : {};
    const r = await staffingScenarios({ model, dates: [req.date], count: req.count, seed: req.seed, ...origin }).catch((e) => {
      throw withFlagNames(e);
    });
    return { values: r.dates[0].values, intervalSeconds: r.intervalMinutes * 60, intervalStarts: r.labels };
  } finally {
    loaded.dispose();
  }
};

export function register(program: Command, source: ScenarioSource | null = modelScenarioSource): void {
  const staff = program.command('staff').description('staffing: Erlang C / Erlang A per interval, simulation of a plan against scenarios');
  registerErlangC(staff);
  registerErlangA(staff);
  registerSimulate(staff);
  if (source) addPlanCommand(staff, source);
}
