/**
 * The server's words for library fields: where they sit in the JSON request body. Library
 * messages name fields in backticks (src/core/fields.ts). On the scenario, forecast, what-if and
 * staffing routes the body's keys are the library's field names, so those messages stand as they
 * are; a batch job (/v1/jobs) nests the training settings under `train` and the service target
 * under `staffing`, so there "`seriesCol`" is said as "`train.seriesCol`", and the error's details
 * carry that JSON path as `path` beside the library's `field`.
 */
import { MixcastError, isMixcastError } from '../core/errors.js';
import { sayFields } from '../core/fields.js';
import { staffingFieldsSchema, trainFieldsSchema } from '../jobs/index.js';

/** Library field → its path in a batch job's body, for the fields a job nests. */
const JOB_PATHS = new Map<string, string>([
  ...Object.keys(trainFieldsSchema.shape).map((k): [string, string] => [k, `train.${k}`]),
  ...Object.keys(staffingFieldsSchema.shape).map((k): [string, string] => [k, `staffing.${k}`]),
]);

/**
 * Where library field `field` sits in the body of a request to `url` (the request's URL), when it
 * is not a top-level key of the same name; undefined otherwise.
 */
export function jsonPathOf(field: string, url: string): string | undefined {
  return /^\/v1\/jobs(?:[/?]|$)/.test(url) ? JOB_PATHS.get(field) : undefined;
}

/**
 * A library error as the server answers it for a request to `url`: nested fields said as their
 * JSON path (in backticks, as the library writes fields) and `details.path` beside
 * `details.field`. Other errors, and errors whose fields are top-level keys, are returned as they are.
 */
export function withJsonPaths(e: unknown, url: string): unknown {
  if (!isMixcastError(e)) return e;
  const message = sayFields(e.message, (field) => {
    const p = jsonPathOf(field, url);
    return p === undefined ? undefined : `\`${p}\``;
  });
  const details = e.details as Record<string, unknown> | null;
  const field = details && typeof details === 'object' && !Array.isArray(details) ? details.field : undefined;
  const path = typeof field === 'string' ? jsonPathOf(field, url) : undefined;
  if (message === e.message && path === undefined) return e;
  return new MixcastError(e.code, message, path === undefined ? details : { ...details, path });
}
