/**
 * src/index.ts is a curated API: the names a user needs are there (and callable), the plumbing
 * is not, and every value export carries a doc comment in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as api from '../src/index.js';

const NEEDED = [
  'MixcastError', 'isMixcastError', 'initBackend',
  'ingest', 'ingestRows', 'ingestMany',
  'fitModel', 'defaultFitOptions', 'MixcastModel', 'saveModel', 'loadModel', 'savePredictor', 'loadPredictor',
  'runScenarios', 'inProcessExecutor', 'generateScenarios', 'forecast', 'whatIfBatch',
  'crps', 'energyScore', 'pinball', 'coverage', 'scoreDay', 'backtest', 'evaluateByLead',
  'erlangC', 'erlangA', 'scenarioStaffing', 'staffFromModel', 'simulate',
  'startServer', 'createApp',
];
const PLUMBING = ['executeUnit', 'CHUNK_SIZE', 'misspecifyPrior', 'planScenarios', 'unitSeeds', 'assembleScenarios', 'rng', 'drawIndex', 'writeFileAtomic', 'inputError', 'checkFitOptions'];

test('the public API has what a user needs and none of the plumbing', () => {
  const names = new Set(Object.keys(api));
  for (const n of NEEDED) assert.ok(names.has(n), `missing ${n}`);
  for (const n of NEEDED) assert.ok(['function', 'object'].includes(typeof (api as Record<string, unknown>)[n]), `${n} is ${typeof (api as Record<string, unknown>)[n]}`);
  for (const n of PLUMBING) assert.ok(!names.has(n), `plumbing ${n} is exported`);
  assert.ok(names.size <= 100, `${names.size} value exports; keep the API curated`);
});

test('every value export of src/index.ts has a doc comment in the file', () => {
  const text = fs.readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/export\s*\{([^}]*)\}\s*from/g)].map((m) => m[1]);
  const undocumented: string[] = [];
  for (const block of blocks) {
    // a name is documented by the nearest /** … */ above it inside the block (a comment may cover a group)
    let documented = false;
    for (const raw of block.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('/**')) documented = true;
      else if (/^[A-Za-z_]\w*,?$/.test(line) && !documented) undocumented.push(line.replace(',', ''));
    }
  }
  assert.deepEqual(undocumented, []);
  assert.ok(blocks.length >= 8);
});
