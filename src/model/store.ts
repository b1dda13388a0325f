/**
 * Safe writes for model bundles: what a save may touch, a lock against concurrent writers,
 * durable (fsync'd) file writes, and clean-up of leftovers from crashed saves.
 *
 * Rules (never broken):
 * - A save may replace only a folder that is already a mixcast bundle (its manifest.json has the
 *   mixcast format) or is empty; anything else is refused and left untouched.
 * - Clean-up removes only names that a save of ours creates (`.NAME.mixcast-tmp-PID-HEX` folders
 *   beside a bundle, `*.mixcast-tmp-PID` files inside one) and only when the process that made
 *   them is gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { MixcastError } from '../core/errors.js';
import { FORMAT } from './manifest.js';

export type TargetState = 'new' | 'empty' | 'bundle';

const TMP_DIR = /^\.(.+)\.mixcast-tmp-(\d+)-[0-9a-f]{6}$/;
const TMP_FILE = /\.mixcast-tmp-(\d+)$/;

/** True when `dir` holds a manifest.json written by mixcast (any schema version). */
export function isBundle(dir: string): boolean {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { format?: unknown };
    return !!m && m.format === FORMAT;
  } catch {
    return false;
  }
}

/**
 * What saving to `dir` would replace. Throws (and touches nothing) when `dir` exists and is not
 * an empty folder or a mixcast bundle.
 */
export function checkBundleTarget(dir: string): TargetState {
  const target = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return 'new';
  }
  if (!st.isDirectory()) throw new MixcastError('BAD_OPTION', `model folder ${dir} exists and is a file; choose a folder name that is free or holds a mixcast model`);
  if (isBundle(target)) return 'bundle';
  const entries = fs.readdirSync(target);
  if (entries.length === 0) return 'empty';
  throw new MixcastError(
    'BAD_OPTION',
    `model folder ${dir} exists and is not a mixcast model (it holds ${entries.length} other file${entries.length === 1 ? '' : 's'}, e.g. ${entries.slice(0, 3).join(', ')}); nothing was changed — choose a new folder name, or an existing model to replace`,
  );
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const lockPath = (target: string) => path.join(path.dirname(target), `.${path.basename(target)}.mixcast-lock`);

export interface BundleLock {
  release(): void;
}

/**
 * Take the writer lock for the bundle at `dir` (a file beside it holding our pid). A lock held
 * by a live process is a CONFLICT; one left by a dead process is taken over.
 */
export function lockBundle(dir: string): BundleLock {
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const file = lockPath(target);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (Number(fs.readFileSync(file, 'utf8').trim()) === process.pid) fs.unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(file, 'utf8').trim());
      } catch {
        /* vanished between open and read: retry */
      }
      if (alive(holder)) {
        throw new MixcastError('CONFLICT', `another mixcast process (pid ${holder}) is writing the model ${dir}; wait for it to finish or choose another folder`);
      }
      try {
        fs.unlinkSync(file);
      } catch {
        /* someone else took it over: the retry decides */
      }
    }
  }
  throw new MixcastError('CONFLICT', `could not lock the model ${dir}: another process keeps taking the lock`);
}

/** Write a file durably: temp name in the same folder, fsync, rename over `file`. */
export function writeFileDurable(file: string, data: Uint8Array | string, label = path.basename(file)): void {
  const tmp = `${file}.mixcast-tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  faultPoint(`wrote ${label}`);
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* not supported on this platform: rename is still atomic */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A fresh temp folder beside `target` for building a new bundle. */
export function tempDirBeside(target: string): string {
  const dir = path.join(path.dirname(target), `.${path.basename(target)}.mixcast-tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(dir);
  return dir;
}

/**
 * Remove what crashed saves of ours left for the bundle at `dir`: temp folders beside it and
 * temp files inside it, only when their process is gone. Returns the removed paths.
 */
export function cleanLeftovers(dir: string): string[] {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const removed: string[] = [];
  const names = (d: string) => {
    try {
      return fs.readdirSync(d);
    } catch {
      return [];
    }
  };
  for (const name of names(parent)) {
    const m = TMP_DIR.exec(name);
    if (!m || m[1] !== path.basename(target) || alive(Number(m[2]))) continue;
    const p = path.join(parent, name);
    // Only folders holding nothing but what a save writes.
    const inside = names(p);
    if (inside.every((f) => f === 'manifest.json' || /^weights(-[0-9a-f]+)?\.bin$/.test(f) || TMP_FILE.test(f))) {
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(p);
    }
  }
  if (isBundle(target)) {
    for (const name of names(target)) {
      const m = TMP_FILE.exec(name);
      if (m && !alive(Number(m[1]))) {
        fs.rmSync(path.join(target, name), { force: true });
        removed.push(path.join(target, name));
      }
    }
  }
  return removed;
}

/** True for names that crashed or running saves leave beside bundles (servers skip them). */
export const isSaveLeftover = (name: string) => TMP_DIR.test(name) || name.endsWith('.mixcast-lock');

/**
 * Fault injection for the crash-safety tests: when MIXCAST_SAVE_FAULT names this point, the
 * process kills itself here (SIGKILL: no clean-up runs), as a power cut would.
 */
export function faultPoint(name: string): void {
  const at = process.env.MIXCAST_SAVE_FAULT;
  if (at && at === name) process.kill(process.pid, 'SIGKILL');
}
