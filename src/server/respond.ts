/**
 * Writing large bodies without blocking the request thread: JSON and CSV are produced in pieces
 * and written with a yield to the event loop between pieces (and waiting for 'drain' under
 * back-pressure), so /healthz stays responsive while a 10,000-scenario body goes out. The JSON
 * text is exactly JSON.stringify's.
 */
import type { Response } from 'express';
import type { z } from 'zod';
import { MixcastError } from '../core/errors.js';
import { toCsv } from '../core/csv.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** JSON text of `v` in pieces; long arrays of rows are cut into slices of `slice` rows. */
export function* jsonChunks(v: unknown, slice = 256): Generator<string> {
  if (Array.isArray(v)) {
    if (v.length > slice) {
      yield '[';
      for (let i = 0; i < v.length; i += slice) {
        const part = JSON.stringify(v.slice(i, i + slice));
        yield (i ? ',' : '') + part.slice(1, -1);
      }
      yield ']';
      return;
    }
    if (v.some((x) => x !== null && typeof x === 'object')) {
      yield '[';
      for (let i = 0; i < v.length; i++) {
        if (i) yield ',';
        if (v[i] === undefined || typeof v[i] === 'function') yield 'null';
        else yield* jsonChunks(v[i], slice);
      }
      yield ']';
      return;
    }
    yield JSON.stringify(v);
    return;
  }
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
    yield '{';
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function') continue;
      yield (first ? '' : ',') + JSON.stringify(k) + ':';
      yield* jsonChunks(x, slice);
      first = false;
    }
    yield '}';
    return;
  }
  yield JSON.stringify(v) ?? 'null';
}

/** Write text pieces, ~64 kB per write, yielding between writes. */
export async function writePieces(res: Response, pieces: Iterable<string>, contentType: string, status = 200): Promise<void> {
  res.status(status);
  res.setHeader('Content-Type', contentType);
  let buf = '';
  for (const p of pieces) {
    buf += p;
    if (buf.length >= 65536) {
      const ok = res.write(buf);
      buf = '';
      if (!ok) await new Promise<void>((r) => res.once('drain', () => r()));
      else await tick();
      if (res.destroyed) return;
    }
  }
  res.end(buf);
}

export const sendJson = (res: Response, body: unknown, status = 200) => writePieces(res, jsonChunks(body), 'application/json; charset=utf-8', status);

/** CSV in pieces of 2,000 rows (quoting as src/io.ts toCsv). */
export function* csvChunks(header: readonly string[], rows: Iterable<readonly (string | number | null)[]>): Generator<string> {
  yield toCsv(header, []);
  let batch: (readonly (string | number | null)[])[] = [];
  for (const r of rows) {
    batch.push(r);
    if (batch.length >= 2000) {
      yield toCsv([], batch).slice(1); // toCsv with no header starts with an empty line
      batch = [];
    }
  }
  if (batch.length) yield toCsv([], batch).slice(1);
}

export const sendCsv = (res: Response, header: readonly string[], rows: Iterable<readonly (string | number | null)[]>) =>
  writePieces(res, csvChunks(header, rows), 'text/csv; charset=utf-8');

/** The first 20 issues of a zod error as `{ path, code, message }` (the error's details). */
export function zodIssues(err: z.ZodError) {
  return err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }));
}

/** A JSON request body checked against its schema: 400 BAD_REQUEST naming the first bad field (`invalid <what>: path: message`). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what = 'request'): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MixcastError('BAD_REQUEST', 'the request body must be a JSON object (send Content-Type: application/json)');
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first.path.length ? `${first.path.join('.')}: ` : '';
    throw new MixcastError('BAD_REQUEST', `invalid ${what}: ${where}${first.message}`, { issues: zodIssues(r.error) });
  }
  return r.data;
}
