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
  | 'TIMEOUT'
  | 'CONFLICT';

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
  CONFLICT: 409,
};

/** Longest message (characters) an error carries; the rest is cut with a note. */
export const MAX_MESSAGE_CHARS = 2000;
/** Longest string inside `details`. */
export const MAX_DETAIL_CHARS = 200;

/**
 * A user-supplied value shown safely inside a message: control and binary bytes become `\uFFFD`,
 * anything past `max` characters is cut (`… (N more characters)`), so an error never echoes
 * binary garbage or a 2 MB field whole.
 */
export function snippet(value: unknown, max = 80): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this strips from text shown to users
  const s = String(value).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]+/g, '\ufffd');
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

function clipDetails(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return snippet(v, MAX_DETAIL_CHARS);
  if (v === null || typeof v !== 'object') return v;
  if (depth > 4) return '…';
  if (Array.isArray(v)) {
    const head = v.slice(0, 50).map((x) => clipDetails(x, depth + 1));
    return v.length > 50 ? [...head, `… (${v.length - 50} more)`] : head;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 50)) out[snippet(k, 80)] = clipDetails(x, depth + 1);
  return out;
}

export class MixcastError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(snippet(message, MAX_MESSAGE_CHARS));
    this.name = 'MixcastError';
    this.code = code;
    this.details = details === undefined || details === null ? null : clipDetails(details);
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
/** The request asks for more work than the documented limits allow (413). */
export const tooLarge = (message: string, details?: unknown) => new MixcastError('TOO_LARGE', message, details);
export const modelError = (message: string, details?: unknown) => new MixcastError('BAD_MODEL', message, details);

export const isMixcastError = (e: unknown): e is MixcastError => e instanceof MixcastError;

/** An error as it crosses a worker-thread boundary (structured clone keeps no class). */
export interface WireError {
  code: string | null;
  message: string;
  details?: unknown;
  stack?: string;
}

/** An error for postMessage: a MixcastError keeps its code and details, anything else its message and stack. */
export function toWire(e: unknown): WireError {
  if (isMixcastError(e)) return { code: e.code, message: e.message, details: e.details };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: null, message: err.message, stack: err.stack };
}

/** The error back on the receiving thread: a MixcastError again, or a plain Error with the worker's stack. */
export function fromWire(e: WireError): Error {
  if (e.code) return new MixcastError(e.code as ErrorCode, e.message, e.details);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
