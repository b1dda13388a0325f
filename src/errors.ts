/**
 * Typed errors a user can cause. The CLI prints `message` without a stack and exits
 * non-zero; the server maps `status` to the HTTP code and returns
 * `{ error: { code, message, details } }`.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'BAD_OPTION'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNPROCESSABLE'
  | 'BAD_MODEL'
  | 'BACKEND_UNAVAILABLE'
  | 'UNAUTHORIZED'
  | 'TOO_LARGE'
  | 'TIMEOUT';

const STATUS: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  BAD_OPTION: 400,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  UNPROCESSABLE: 422,
  BAD_MODEL: 422,
  BACKEND_UNAVAILABLE: 500,
  UNAUTHORIZED: 401,
  TOO_LARGE: 413,
  TIMEOUT: 503,
};

export class MixcastError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'MixcastError';
    this.code = code;
    this.details = details ?? null;
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/** Input data problem (bad CSV, unknown column, unknown zone, negative counts, ...). */
export const inputError = (message: string, details?: unknown) => new MixcastError('BAD_INPUT', message, details);
/** Bad option value (unknown prior, bad interval, window not divisible, ...). */
export const optionError = (message: string, details?: unknown) => new MixcastError('BAD_OPTION', message, details);
/** A well-formed request that cannot be served (unseen weekday, reversed dates, ...). */
export const unprocessable = (message: string, details?: unknown) => new MixcastError('UNPROCESSABLE', message, details);
/** A model bundle that is corrupt, foreign or of an unknown schema version. */
export const modelError = (message: string, details?: unknown) => new MixcastError('BAD_MODEL', message, details);

export const isMixcastError = (e: unknown): e is MixcastError => e instanceof MixcastError;
