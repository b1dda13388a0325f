/**
 * `mixcast train` on a file with several series: by default one global model shared by the
 * series (src/train/global.ts), with `--per-series` one model per series trained in parallel on
 * unit threads — both as an embedded train batch (the same units `mixcast batch --kind train`
 * runs on Redis workers), saved in one folder with an index (src/model/collection.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { isMixcastError, MixcastError } from '../core/errors.js';
import { checkCollectionTarget } from '../model/index.js';
import { parseWeekdays } from '../calendar/index.js';
import { seriesNames } from '../../adapters/index.js';
import { readTable } from '../../adapters/index.js';
import { batchRequestSchema, EmbeddedEngine, startUnitRunner, waitFor } from '../jobs/index.js';
import { log } from './common.js';
import { ingestOptionsFrom } from './options.js';

/** The ingest error for a file with several series, with the way out named. */
export function perSeriesHint(e: unknown): never {
  if (isMixcastError(e) && Array.isArray((e.details as { series?: unknown } | null)?.series) && ((e.details as { series: unknown[] }).series.length > 1)) {
    throw new MixcastError(e.code, `${e.message}; or leave --series out to train one global model for all of them, or --per-series for one model each`, e.details);
  }
  throw e;
}

/**
 * The series `train` would read from the input when it names several (no --series, a series
 * column given or by the unique_id/ds/y convention), else null: then one series is trained.
 */
export function severalSeries(opts: Record<string, unknown>): string[] | null {
  if (opts.series !== undefined || opts.perSeries) return null;
  const io = ingestOptionsFrom(opts);
  const table = readTable(path.resolve(io.input));
  const columns = table.rows.length ? Object.keys(table.rows[0]) : [];
  if (!io.seriesCol && !['unique_id', 'ds', 'y'].every((c) => columns.includes(c))) return null;
  const { names } = seriesNames(table.rows, { seriesCol: io.seriesCol, source: io.input });
  return names.length > 1 ? names : null;
}

/** `train --per-series` (one model per series). */
export const trainPerSeries = (opts: Record<string, unknown>, fit: Record<string, unknown>) => trainSeries(opts, fit, true);

/** `train` on several series without --per-series: one global model. */
export const trainGlobal = (opts: Record<string, unknown>, fit: Record<string, unknown>) => trainSeries(opts, fit, false);

async function trainSeries(opts: Record<string, unknown>, fit: Record<string, unknown>, perSeries: boolean): Promise<void> {  const out = path.resolve(String(opts.out));
  checkCollectionTarget(out);
  const io = ingestOptionsFrom(opts);
  const input = path.resolve(io.input);
  const { names } = seriesNames(readTable(input).rows, { seriesCol: io.seriesCol, source: io.input });
  const series = io.series ? [io.series] : names;
  const weekendText = String(opts.weekend ?? 'sat,sun').trim().toLowerCase();
  const { seed, ...rest } = fit;
  const req = batchRequestSchema.parse(
    JSON.parse(
      JSON.stringify({
        kind: 'train',
        model: path.basename(out),
        series,
        seed,
        train: {
          input,
          seriesCol: io.seriesCol,
          timeCol: io.timeCol,
          valueCol: io.valueCol,
          tz: io.tz,
          interval: io.interval,
          open: io.open,
          close: io.close,
          valueKind: io.valueKind,
          missing: io.missing,
          duplicates: io.duplicates,
          days: io.days,
          holidays: io.holidays,
          covariates: opts.covariates,
          events: opts.events,
          hemisphere: opts.hemisphere,
          weekend: weekendText === 'none' ? [] : parseWeekdays(weekendText, 'weekend'),
          minDays: opts.minDays !== undefined ? Number(opts.minDays) : undefined,
          fit: rest,
          perSeries,
        },
      }),
    ),
  );
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  // a global model is one unit (its training shards use the cores); per-series: one thread per series at once
  const threads = perSeries ? Math.max(1, Math.min((opts.threads as number | undefined) ?? cores, series.length)) : 1;
  const root = path.dirname(out);
  const engine = new EmbeddedEngine(await startUnitRunner(threads, root, (opts.backend as string | undefined) ?? process.env.MIXCAST_BACKEND), { root, inputAnywhere: true });
  try {
    const t0 = Date.now();
    const sub = await engine.submit(req);
    log(perSeries ? `training ${series.length} per-series models on ${threads} thread(s): ${series.join(', ')}` : `training one global model for ${series.length} series: ${series.join(', ')}`);
    let last = -1;
    const s = await waitFor(engine, sub.id, (st) => {
      if (perSeries && st.progress.done !== last) log(`trained ${st.progress.done}/${st.progress.total} series`);
      last = st.progress.done;
    }, 500);
    if (s.state !== 'completed') throw new MixcastError('UNPROCESSABLE', `${perSeries ? 'per-series' : 'global'} training failed: ${s.error ?? s.state}`);
    const r = await engine.result(sub.id);
    log(perSeries ? `saved ${r.series.length} models to ${String(opts.out)} (index ${path.join(String(opts.out), 'collection.json')})` : `saved the global model of ${r.series.length} series to ${String(opts.out)} (index ${path.join(String(opts.out), 'collection.json')})`);
    const summary = {
      collection: String(opts.out),
      model: perSeries ? 'per-series' : 'global',
      seconds: (Date.now() - t0) / 1000,
      threads,
      series: r.results.map((x) => ({ series: x.series, version: x.version, ...(x.result as object) })),
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } finally {
    await engine.close();
  }
}
