/**
 * Choice lists that the command line's option definitions need before any library code runs:
 * kept here, free of tfjs and of every other heavy import, so that `mixcast --help` and
 * `mixcast generate --help` (and an option error) answer without loading the model code.
 * The library modules that own the ideas re-export these constants.
 */

/** tfjs backends: `auto` tries tensorflow-gpu, tensorflow, wasm, cpu in that order (src/backend.ts). */
export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/**
 * Dates whose calendar key the model never saw: `error`, or `mixture` (components drawn by the
 * prior weights). The same list as src/scenarios' FALLBACK_MODES (test/cli-lazy.test.ts checks it).
 */
export const FALLBACK_MODES = ['error', 'mixture'] as const;
