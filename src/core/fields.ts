/**
 * How library messages name the settings they are about. The library knows fields (`interval`,
 * `timeCol`, `date`), not the flags or JSON paths an app exposes them as, so a message writes each
 * field in backticks — "name it with `timeCol`", "`interval` 7m is not a whole number of …" — and
 * the error's `details.field` holds the main one. Backticks in a library message are reserved for
 * field names (user values are quoted with '…'). Each app says the fields in its own vocabulary
 * with `sayFields`: the CLI as flags ("name it with --time-col"), the server as JSON paths
 * ("name it with `train.timeCol`"). A field an app has no word for stays as it is.
 */
import { MixcastError, isMixcastError } from './errors.js';

/** A field reference: an identifier in backticks, optionally a path (`history[2].date`). */
const FIELD_REF = /`([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)`/g;

/** The fields a message names in backticks, in order of appearance, each once. */
export function fieldsIn(message: string): string[] {
  return [...new Set(Array.from(message.matchAll(FIELD_REF), (m) => m[1]))];
}

/** `text` with every backticked field that `say` has a word for replaced by that word. */
export function sayFields(text: string, say: (field: string) => string | undefined): string {
  return text.replace(FIELD_REF, (ref: string, field: string) => say(field) ?? ref);
}

/**
 * A MixcastError with its fields said in an app's vocabulary (same code and details; the same
 * object when nothing changes); anything else is returned as it is.
 */
export function withFieldsSaid(e: unknown, say: (field: string) => string | undefined): unknown {
  if (!isMixcastError(e)) return e;
  const message = sayFields(e.message, say);
  return message === e.message ? e : new MixcastError(e.code, message, e.details);
}
