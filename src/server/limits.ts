/**
 * The work a request may ask for, checked up front (before any sampling), so that no request can
 * pin the pool: sampler steps (422), count × dates × sampler steps (413), the staffing handle time
 * (422) and what-if transforms whose combined factor would overflow the results (422). The
 * scenario planner checks count, dates and values itself; the staffing library bounds the
 * offered load per interval (MAX_OFFERED_LOAD).
 */
import type { NextFunction, Request, Response } from 'express';
import { DateTime } from 'luxon';
import { tooLarge, unprocessable } from '../core/errors.js';
import { makeProcess, parseSampler } from '../diffusion/index.js';
import { MAX_AHT_SECONDS } from '../staffing/index.js';
import type { ModelEntry } from './models.js';

export interface WorkLimits {
  /** Most steps a request may ask of its sampler (ddpm = the model's T). */
  maxSamplerSteps: number;
  /** Most sampler evaluations per request: count × dates × sampler steps. */
  maxWork: number;
  /** Largest staffing AHT, seconds. */
  maxAht: number;
  /** Largest combined factor (product of scale/shock factors) one what-if case may apply. */
  maxWhatIfFactor: number;
}

export const DEFAULT_WORK_LIMITS: WorkLimits = {
  maxSamplerSteps: 1000,
  maxWork: 20_000_000,
  maxAht: MAX_AHT_SECONDS,
  maxWhatIfFactor: 1e6,
};

/** Defaults of `count` where a route has one. */
const DEFAULT_COUNT: Record<string, number> = { '/v1/forecast': 1000, '/v1/staffing': 500 };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function dateCount(b: Record<string, unknown>): number | undefined {
  if (Array.isArray(b.dates)) return b.dates.length;
  if (typeof b.start !== 'string') return undefined;
  const a = DateTime.fromISO(b.start, { zone: 'utc' });
  const e = DateTime.fromISO(typeof b.end === 'string' ? b.end : b.start, { zone: 'utc' });
  if (!a.isValid || !e.isValid || e < a) return undefined;
  return Math.round(e.diff(a, 'days').days) + 1;
}

/** Upper bound of the factor a list of what-if transforms can multiply one value by. */
function combinedFactor(transforms: unknown): number {
  if (!Array.isArray(transforms)) return 1;
  let f = 1;
  for (const t of transforms) {
    const x = t && typeof t === 'object' ? num((t as { factor?: unknown }).factor) : undefined;
    if (x !== undefined && x > 1) f *= x;
  }
  return f;
}

/** Check one request body against the limits; throws TOO_LARGE / UNPROCESSABLE. Fields of the wrong type are left to zod. */
export function checkWork(route: string, body: unknown, model: ModelEntry | undefined, limits: WorkLimits): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const b = body as Record<string, unknown>;
  if (route === '/v1/staffing') {
    const aht = num(b.aht);
    if (aht !== undefined && aht > limits.maxAht) {
      throw unprocessable(`aht ${aht} s is over the limit of ${limits.maxAht} s per call; give the average handle time in seconds`, { aht, maxAht: limits.maxAht });
    }
  }
  const lists: [string, unknown][] = [['whatIf', b.whatIf]];
  if (Array.isArray(b.cases)) {
    b.cases.forEach((c, i) => lists.push([`cases[${i}]`, c && typeof c === 'object' ? (c as { transforms?: unknown }).transforms : undefined]));
  }
  for (const [where, transforms] of lists) {
    const f = combinedFactor(transforms);
    if (f > limits.maxWhatIfFactor) {
      throw unprocessable(`the what-if factors of ${where} multiply values by up to ${f.toPrecision(3)}; the limit is ${limits.maxWhatIfFactor} — combine the scales into fewer, smaller ones`, {
        factor: f,
        maxFactor: limits.maxWhatIfFactor,
      });
    }
  }
  if (!model) return;
  const m = model.info.manifest;
  const spec = typeof b.sampler === 'string' ? b.sampler : m.sampling.sampler;
  let steps: number;
  try {
    steps = parseSampler(spec, makeProcess(m.process)).steps;
  } catch {
    return; // an unknown sampler is reported by the route, with the same message as everywhere else
  }
  if (steps > limits.maxSamplerSteps) {
    throw unprocessable(`sampler ${spec.trim()} asks for ${steps} steps; this server allows at most ${limits.maxSamplerSteps} (the server's maxSamplerSteps limit) — ddim:50 is usually enough`, {
      steps,
      maxSamplerSteps: limits.maxSamplerSteps,
    });
  }
  const count = num(b.count) ?? DEFAULT_COUNT[route];
  const dates = dateCount(b);
  if (count === undefined || dates === undefined) return;
  const work = count * dates * steps;
  if (work > limits.maxWork) {
    throw tooLarge(
      `the request asks for ${count} scenarios × ${dates} dates × ${steps} sampler steps = ${work} network evaluations; the limit is ${limits.maxWork} (the server's maxWork limit) — ask for fewer scenarios, dates or steps`,
      { count, dates, steps, work, maxWork: limits.maxWork },
    );
  }
}

/** Express middleware for POST /v1/*: `pick` resolves the body's model (and series) as the routes do (undefined when it cannot). */
export function workLimits(limits: WorkLimits, pick: (body: Record<string, unknown> | undefined) => ModelEntry | undefined) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    try {
      const body = req.body as Record<string, unknown> | undefined;
      checkWork(req.baseUrl + req.path, body, pick(body && typeof body === 'object' && !Array.isArray(body) ? body : undefined), limits);
      next();
    } catch (e) {
      next(e);
    }
  };
}
