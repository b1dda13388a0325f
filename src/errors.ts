/** Moved to src/core/errors.ts; this re-export keeps in-flight imports compiling until they point there. */
export * from './core/errors.js';
