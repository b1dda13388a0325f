/** Moved to src/core/random.ts; this re-export keeps in-flight imports compiling until they point there. */
export * from './core/random.js';
