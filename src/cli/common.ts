/** Shared plumbing for CLI commands: typed-error printing, backend option, output. */
import { Command, Option } from 'commander';
import { isMixcastError } from '../errors.js';
import { BACKENDS, initBackend, requestedBackend, type BackendInfo } from '../backend.js';
import { writeFileAtomic } from '../io.js';

/** Wrap a command action: typed errors print their message (no stack) and exit 2. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (isMixcastError(e)) {
        process.stderr.write(`mixcast: error [${e.code}]: ${e.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`mixcast: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    }
  };
}

export function addBackendOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--backend <name>', 'tfjs backend (env MIXCAST_BACKEND)').choices([...BACKENDS]),
  );
}

/** Initialise the backend from --backend / MIXCAST_BACKEND and say which one runs (stderr). */
export async function setupBackend(opts: { backend?: string }, quiet = false): Promise<BackendInfo> {
  const info = await initBackend(requestedBackend(opts.backend));
  if (!quiet) {
    const skipped = info.skipped.length ? ` (skipped: ${info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
    process.stderr.write(`mixcast: backend ${info.name}${skipped}\n`);
  }
  return info;
}

/** Write text to a file (atomically) or to stdout when no file is given. */
export function emit(text: string, out?: string): void {
  if (out) writeFileAtomic(out, text);
  else process.stdout.write(text);
}

export const log = (msg: string) => process.stderr.write(`mixcast: ${msg}\n`);
