/**
 * `node --import ./test/helpers/record-imports.mjs …` with MIXCAST_IMPORT_LOG=FILE: every module
 * the process loads is appended to FILE, one URL or path a line — each ESM resolution (through a
 * resolve hook) and, at exit, every CommonJS module in require's cache (what `require` and
 * `createRequire` loaded). test/cli-lazy.test.ts reads it to tell which packages a command loaded.
 */
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';

const log = process.env.MIXCAST_IMPORT_LOG;
if (log) {
  register('./record-imports-hooks.mjs', import.meta.url, { data: { log } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(log, Object.keys(cache).map((f) => `${f}\n`).join('')));
}
