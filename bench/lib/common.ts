/** Shared bench plumbing: paths, the two call-center datasets, result shards saved after every run. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../../adapters/index.js';
import type { DaySeries, IngestOptions } from '../../adapters/types.js';
import type { CalendarOptions } from '../../src/calendar/types.js';
import { writeFileAtomic } from '../../src/core/io.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where results go: bench/results, or MIXCAST_BENCH_RESULTS (e.g. a scratch folder for --quick checks). */
export const RESULTS = process.env.MIXCAST_BENCH_RESULTS ? path.resolve(process.env.MIXCAST_BENCH_RESULTS) : path.join(ROOT, 'bench', 'results');

export const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** A real dataset as the benchmarks read it (the ingest options are part of the result). */
export interface DatasetSpec {
  id: 'bank' | 'anon';
  title: string;
  file: string;
  ingest: Omit<IngestOptions, 'input'>;
  calendar: Partial<CalendarOptions>;
  /** Calendar priors that make sense for this data. */
  calendarPriors: string[];
  note: string;
}

export const DATASETS: Record<'bank' | 'anon', DatasetSpec> = {
  bank: {
    id: 'bank',
    title: 'bank_calls_2003 (US bank, 30-min, 07:00–21:00, weekdays)',
    file: 'bank_calls_2003.csv',
    ingest: { interval: '30m', close: '21:00' },
    calendar: {},
    // daytype has one key here (weekdays only): a single mean-centred component
    calendarPriors: ['weekday', 'daytype', 'weekday*season'],
    note: '5-min counts re-aggregated to 30 min, window 07:00–21:00 (the 21:00–21:05 slot dropped): d = 28; 164 weekdays.',
  },
  anon: {
    id: 'anon',
    title: 'anonymous_bank_calls_1999 (Israeli bank, 1-h, 24 h, all days)',
    file: 'anonymous_bank_calls_1999.csv',
    ingest: { tz: 'Asia/Jerusalem', interval: '1h' },
    calendar: { weekend: [5, 6] },
    calendarPriors: ['weekday', 'daytype', 'weekday*season'],
    note: '6-min counts re-aggregated to 1 h over the whole day (00:00–24:00, Asia/Jerusalem): d = 24; 363 days, weekend fri,sat.',
  },
};

/** The dataset file: fixtures/ first, then the shared data folder. */
export function datasetPath(spec: DatasetSpec): string {
  for (const dir of [path.join(ROOT, 'fixtures'), path.resolve(ROOT, '..', 'shared', 'data')]) {
    const f = path.join(dir, spec.file);
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`dataset ${spec.file} not found in fixtures/ or ../shared/data`);
}

export async function loadDataset(spec: DatasetSpec): Promise<DaySeries> {
  return ingest({ input: datasetPath(spec), ...spec.ingest });
}

/**
 * Chronological split used by the paper benchmark: the first 60 % of days train the sweep models,
 * the next 20 % (the selection window) score them, and the last 20 % are the test window used only
 * by the final quality check with the chosen defaults (rolling origin, 2 folds).
 */
export function splitDays(n: number): { train: number; selectionEnd: number; testStart: number } {
  const testDays = Math.round(0.2 * n);
  const selDays = Math.round(0.2 * n);
  return { train: n - testDays - selDays, selectionEnd: n - testDays, testStart: n - testDays };
}

/** Run results of one bench job, saved (atomically) after every run so a crash loses nothing done. */
export class Shard<T> {
  readonly file: string;
  runs: Record<string, T>;

  constructor(dir: string, readonly job: string, resume: boolean) {
    this.file = path.join(dir, `${job}.json`);
    this.runs = {};
    if (resume && fs.existsSync(this.file)) {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { runs: Record<string, T> };
      this.runs = data.runs ?? {};
    }
  }

  has(id: string): boolean {
    return Object.hasOwn(this.runs, id);
  }

  put(id: string, run: T): void {
    this.runs[id] = run;
    writeFileAtomic(this.file, JSON.stringify({ job: this.job, savedAt: new Date().toISOString(), runs: this.runs }, null, 1) + '\n');
  }
}

export function readShards(dir: string): Record<string, { job: string; runs: Record<string, unknown> }> {
  const out: Record<string, { job: string; runs: Record<string, unknown> }> = {};
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { job: string; runs: Record<string, unknown> };
    out[data.job] = data;
  }
  return out;
}

export function environment(backend: string) {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    backend,
  };
}

export const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
export const sd = (v: readonly number[]) => {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1));
};

/** A positive number flag of a bench (`--name N`), or its default; `integer` refuses fractions. */
export function positiveArg(name: string, dflt: number, integer = true): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!(integer ? Number.isInteger(v) : Number.isFinite(v)) || v <= 0) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return v;
}
