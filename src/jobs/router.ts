/**
 * `/v1/jobs`: submit a batch (202 + id), poll its state and progress, fetch its result (JSON,
 * or CSV with `Accept: text/csv`, streamed), cancel it. Mounted by the server's app; errors go
 * to the app's error contract.
 */
import express, { type Request, type Response } from 'express';
import { MixcastError } from '../core/errors.js';
import { csvChunks, jsonChunks, parseBody, writePieces } from '../server/respond.js';
import { batchRequestSchema } from './request.js';
import { batchTable } from './assemble.js';
import type { JobEngine } from './engine.js';

const wantsCsv = (req: Request) => req.accepts(['application/json', 'text/csv']) === 'text/csv';

/** The router over `engine`; without one every route answers 503 with what to start. */
export function jobsRouter(engine: JobEngine | null | undefined): express.Router {
  const r = express.Router();
  const need = (): JobEngine => {
    if (!engine) throw new MixcastError('TIMEOUT', 'batch jobs are not enabled on this server; start it with `mixcast serve --models DIR` (embedded jobs) or `--redis URL`');
    return engine;
  };
  r.post('/', async (req: Request, res: Response) => {
    const s = await need().submit(parseBody(batchRequestSchema, req.body, 'job'));
    res.status(s.existing && s.status.state === 'completed' ? 200 : 202).setHeader('Location', `/v1/jobs/${s.id}`).json({ ...s.status, existing: s.existing });
  });
  r.get('/:id', async (req: Request, res: Response) => {
    res.json(await need().status(String(req.params.id)));
  });
  r.get('/:id/result', async (req: Request, res: Response) => {
    const result = await need().result(String(req.params.id));
    if (wantsCsv(req)) {
      const t = batchTable(result);
      await writePieces(res, csvChunks(t.header, t.rows), 'text/csv; charset=utf-8');
    } else await writePieces(res, jsonChunks(result), 'application/json; charset=utf-8');
  });
  r.delete('/:id', async (req: Request, res: Response) => {
    res.json(await need().cancel(String(req.params.id)));
  });
  return r;
}
