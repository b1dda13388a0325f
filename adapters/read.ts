/** Reading input files into row objects: CSV (csv-parse, RFC 4180 quoting) or JSON. */
import fs from 'node:fs';
import path from 'node:path';
import { inputError } from '../src/core/errors.js';
import { parseCsv, type RawTable } from '../src/core/csv.js';

/** CSV parsing is src/core/csv.ts's; re-exported for the adapters' users. */
export { parseCsv, type RawTable };

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(`input file '${file}' does not exist`);
    if (code === 'EISDIR') throw inputError(`input '${file}' is a folder, not a file`);
    throw inputError(`cannot read input file '${file}': ${(e as Error).message}`);
  }
}

/** Read a CSV (or TSV, by extension) or JSON file (an array of row objects). */
export function readTable(file: string): RawTable {
  const text = readText(file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return parseJsonRows(text, file);
  return parseCsv(text, file, ext === '.tsv' ? '\t' : ',');
}

export function parseJsonRows(text: string, source = 'input'): RawTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw inputError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw inputError(`${source}: JSON input must be an array of row objects, e.g. [{"timestamp": "...", "calls": 12}, ...]`);
  const columns: string[] = [];
  const seen = new Set<string>();
  data.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      throw inputError(`${source}: row ${i + 1} is not an object; JSON input must be an array of row objects`);
    }
    for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), columns.push(k));
  });
  return { columns, rows: data as Record<string, unknown>[] };
}
