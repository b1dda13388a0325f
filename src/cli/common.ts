/**
 * Shared plumbing for CLI commands: typed-error printing, backend option, output. Light on
 * purpose (no tfjs): option definitions import it, and the backend is loaded by setupBackend.
 */
import { type Command, Option } from 'commander';
import { isMixcastError, optionError, type MixcastError } from '../core/errors.js';
import { BACKENDS } from '../core/choices.js';
import type { BackendInfo } from '../backend.js';
import { writeFileAtomic } from '../core/io.js';
import { withFlagNames } from './flags.js';

/** What a file-system error code means, for the user. */
const FS_ERRORS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'a file is in the way where a folder is needed',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/**
 * A file-system error on a path the user gave (an unwritable --out, a read-only file system, a
 * full disk) is a user error: typed, no stack, naming the path and what to fix.
 */
export function fsUserError(e: unknown): MixcastError | null {
  const err = e as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof err.code !== 'string' || !(err.code in FS_ERRORS)) return null;
  const where = err.path ? ` ${err.path}` : '';
  return optionError(`cannot ${err.syscall === 'open' || err.syscall === 'write' || err.syscall === 'rename' || err.syscall === 'mkdir' ? 'write' : 'use'}${where}: ${FS_ERRORS[err.code]} (${err.code}); choose another path (--out)`, {
    code: err.code,
    path: err.path ?? null,
  });
}

/** Wrap a command action: typed errors print their message (no stack) and exit 2. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (caught) {
      // Library errors name fields (`steps must be …`); the CLI says the flag (`--steps must be …`).
      const e = withFlagNames(fsUserError(caught) ?? caught);
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

let backendSaid = false;

/** Initialise the backend from --backend / MIXCAST_BACKEND and say which one runs (stderr, once per process). */
export async function setupBackend(opts: { backend?: string }, quiet = false): Promise<BackendInfo> {
  // tfjs is imported here, when a command first needs it, not when the command line is parsed.
  const { backendLine, initBackend, requestedBackend } = await import('../backend.js');
  const info = await initBackend(requestedBackend(opts.backend));
  if (!quiet && !backendSaid) {
    backendSaid = true;
    process.stderr.write(`mixcast: ${backendLine(info)}\n`);
  }
  return info;
}

/** Write text to a file (atomically) or to stdout when no file is given. */
export function emit(text: string, out?: string): void {
  if (out) writeFileAtomic(out, text);
  else process.stdout.write(text);
}

export const log = (msg: string) => process.stderr.write(`mixcast: ${msg}\n`);
