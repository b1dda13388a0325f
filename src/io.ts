/** Moved to src/core/io.ts; this re-export keeps in-flight imports compiling until they point there. */
export * from './core/io.js';
