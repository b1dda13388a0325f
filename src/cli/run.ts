/**
 * The command line as a function: `runCli(argv)` parses and runs one command and returns its exit
 * code — 0 success, 2 a user error (typed, printed without a stack; commander's own usage errors
 * too), 1 only for a real bug. `mixcast` (main.ts) calls it; tests call it in-process.
 */
import { Command, CommanderError, Help } from 'commander';
import { isMixcastError } from '../core/errors.js';
import { fsUserError } from './common.js';
import { withFlagNames } from './flags.js';
import { VERSION } from '../version.js';

export type Register = (program: Command) => void;

/**
 * One command: its line in `mixcast --help` (usage term and description, as its module defines
 * them; test/cli-lazy.test.ts checks they agree) and the module that defines it, imported only
 * when the command is run or its help is asked for. So `mixcast --help` loads commander and this
 * file, and no command pays for another's imports (tfjs, express, BullMQ, arquero, vega).
 */
export interface CommandEntry {
  name: string;
  term: string;
  description: string;
  load: () => Promise<{ register: Register }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'ingest',
    term: 'ingest [options]',
    description: 'read a series (interval counts, event log or wide table) into one vector per day and write it with its calendar keys',
    load: () => import('./ingest.js'),
  },
  { name: 'staff', term: 'staff', description: 'staffing: Erlang C / Erlang A per interval, simulation of a plan against scenarios', load: () => import('./staff.js') },
  {
    name: 'evaluate',
    term: 'evaluate [options]',
    description: 'rolling-origin backtest: train before each cutoff, score the next days against baselines; writes results.json, report.md and charts',
    load: () => import('./evaluate.js'),
  },
  {
    name: 'train',
    term: 'train [options]',
    description: 'train a mixture-prior diffusion model on a series and save the model bundle (several series: one global model, or --per-series)',
    load: () => import('./train.js'),
  },
  { name: 'sample', term: 'sample [options]', description: 'draw raw samples (whole days) from a model, in original units', load: () => import('./sample.js') },
  { name: 'generate', term: 'generate [options]', description: 'generate scenarios (whole days) for each date in a range', load: () => import('./generate.js') },
  {
    name: 'forecast',
    term: 'forecast [options]',
    description: 'forecast table per date and interval: mean and quantiles of the scenarios (intraday updating with --observed)',
    load: () => import('./forecast.js'),
  },
  {
    name: 'whatif',
    term: 'whatif [options]',
    description: 'what-if batch: per case and date, mean and quantiles of the daily total and peak interval (case "baseline" is added automatically)',
    load: () => import('./whatif.js'),
  },
  { name: 'serve', term: 'serve [options]', description: 'serve scenarios, forecasts and what-if batches over HTTP (see GET /openapi.json)', load: () => import('./serve.js') },
  {
    name: 'plot',
    term: 'plot [options] <kind>',
    description:
      "the planner page's charts as SVG or PNG: fan (bands, median, scenario paths per day), totals (daily and range totals), whatif (cases against the baseline), staffing (agents, expected and simulated service level)",
    load: () => import('./plot.js'),
  },
  {
    name: 'worker',
    term: 'worker [options]',
    description: 'run batch jobs from Redis (BullMQ): units on N threads, batches assembled when their units are done',
    load: () => import('./worker.js'),
  },
  {
    name: 'batch',
    term: 'batch [options]',
    description: 'run a batch over many series (scenarios, forecast, whatif, staffing, train): through Redis workers with --redis, else in this process',
    load: () => import('./batch.js'),
  },
];

/** A commander program with `registers` added; usage errors throw instead of exiting. */
export function buildProgram(name: string, description: string, version: string, registers: Register[]): Command {
  const program = new Command(name).description(description).version(version).showHelpAfterError('(add --help to the command for every option)');
  // Before the commands are added, so that every subcommand inherits it.
  program.exitOverride();
  for (const r of registers) r(program);
  return program;
}

/** Parse and run; never exits the process (a server command keeps it alive by listening). */
export async function runProgram(program: Command, argv: string[], from: 'node' | 'user' = 'node'): Promise<number> {
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from });
  } catch (caught) {
    if (caught instanceof CommanderError) return caught.exitCode === 0 ? 0 : 2;
    const e = withFlagNames(fsUserError(caught) ?? caught); // library fields said as flags, as in action()
    if (isMixcastError(e)) {
      process.stderr.write(`mixcast: error [${e.code}]: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`mixcast: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
  const code = process.exitCode;
  return typeof code === 'number' ? code : Number(code ?? 0) || 0;
}

/**
 * The command an argument list runs (`generate …`, `help generate`), if any. The program itself
 * has no options but -h/--help and -V/--version, so the first word that is not an option names it.
 */
export function invokedCommand(argv: string[], from: 'node' | 'user' = 'node'): string | undefined {
  const words = (from === 'node' ? argv.slice(2) : argv).filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The `mixcast` program (a fresh one per call: commander keeps parsed values on it). The commands
 * named in `define` (default: all) are fully defined; the others are listed by name and
 * description only, for `mixcast --help` and commander's "did you mean" on a typo.
 */
export async function buildCli(define: readonly string[] | 'all' = 'all'): Promise<Command> {
  const program = buildProgram('mixcast', 'Scenario generation for operational time series with structured-prior diffusion (mixDDPM / mixSGM)', VERSION, []);
  const listed = new Map<Command, string>();
  program.configureHelp({
    subcommandTerm(cmd: Command): string {
      return listed.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
  for (const c of COMMANDS) {
    if (define === 'all' || define.includes(c.name)) (await c.load()).register(program);
    else listed.set(program.command(c.name).description(c.description), c.term);
  }
  return program;
}

/** Run `mixcast ARGS…` (argv as process.argv, or `from: 'user'` for just the arguments); the exit code. */
export async function runCli(argv: string[], from: 'node' | 'user' = 'node'): Promise<number> {
  const name = invokedCommand(argv, from);
  return runProgram(await buildCli(name === undefined ? [] : [name]), argv, from);
}
