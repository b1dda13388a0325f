/**
 * The command line as a function: `runCli(argv)` parses and runs one command and returns its exit
 * code — 0 success, 2 a user error (typed, printed without a stack; commander's own usage errors
 * too), 1 only for a real bug. `mixcast` (main.ts) calls it; tests call it in-process.
 */
import { Command, CommanderError } from 'commander';
import { isMixcastError } from '../core/errors.js';
import { fsUserError } from './common.js';
import { VERSION } from '../version.js';
import { register as registerIngest } from './ingest.js';
import { register as registerStaff } from './staff.js';
import { register as registerEvaluate } from './evaluate.js';
import { register as registerTrain } from './train.js';
import { register as registerSample } from './sample.js';
import { register as registerGenerate } from './generate.js';
import { register as registerForecast } from './forecast.js';
import { register as registerWhatif } from './whatif.js';
import { register as registerServe } from './serve.js';
import { register as registerPlot } from './plot.js';
import { register as registerWorker } from './worker.js';
import { register as registerBatch } from './batch.js';

export type Register = (program: Command) => void;

/** A commander program with every command registered; usage errors throw instead of exiting. */
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
    const e = fsUserError(caught) ?? caught;
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

// Each command registers itself; one line per command module.
const COMMANDS: Register[] = [
  registerIngest,
  registerStaff,
  registerEvaluate,
  registerTrain,
  registerSample,
  registerGenerate,
  registerForecast,
  registerWhatif,
  registerServe,
  registerPlot,
  registerWorker,
  registerBatch,
];

/** The full `mixcast` program (a fresh one per call: commander keeps parsed values on it). */
export function buildCli(): Command {
  return buildProgram('mixcast', 'Scenario generation for operational time series with structured-prior diffusion (mixDDPM / mixSGM)', VERSION, COMMANDS);
}

/** Run `mixcast ARGS…` (argv as process.argv, or `from: 'user'` for just the arguments); the exit code. */
export const runCli = (argv: string[], from: 'node' | 'user' = 'node') => runProgram(buildCli(), argv, from);
