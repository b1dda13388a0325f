/** Reading input files into row objects: CSV (arquero's tokenizer, quote-aware) or JSON. */
import fs from 'node:fs';
import path from 'node:path';
import { pipelineSync } from 'arquero/src/format/stream/pipeline.js';
import { delimitedTextTransformer } from 'arquero/src/format/stream/delimited-text-stream.js';
import { inputError } from '../src/errors.js';

export interface RawTable {
  columns: string[];
  rows: Record<string, unknown>[];
  /** 1-based line in the file where each row starts (CSV), for error messages. */
  lineNumbers?: number[];
}

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

/**
 * Parse CSV text with arquero's delimited-text tokenizer (handles quotes, escaped quotes, CRLF);
 * every record must have as many fields as the header. Blank lines are skipped.
 */
export function parseCsv(text: string, source = 'input', delimiter = ','): RawTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = pipelineSync(body, [delimitedTextTransformer(delimiter)]) as string[][];
  // line where each record starts: records may span lines inside quotes
  const lineOf: number[] = [];
  let line = 1;
  for (const r of records) {
    lineOf.push(line);
    line += 1;
    for (const f of r) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) line++;
  }
  let h = 0;
  while (h < records.length && isBlank(records[h])) h++;
  if (h >= records.length) throw inputError(`${source}: the file is empty; expected a header row and data rows`);
  const columns = records[h].map((c) => c.trim());
  const dupCol = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dupCol !== undefined) throw inputError(`${source}: column '${dupCol}' appears twice in the header (line ${lineOf[h]})`);
  if (columns.some((c) => c === '')) throw inputError(`${source}: the header (line ${lineOf[h]}) has an empty column name`);
  const rows: Record<string, unknown>[] = [];
  const lineNumbers: number[] = [];
  for (let r = h + 1; r < records.length; r++) {
    const rec = records[r];
    if (isBlank(rec)) continue;
    if (rec.length !== columns.length) {
      throw inputError(
        `${source}: row ${rows.length + 1} (line ${lineOf[r]}) has ${rec.length} field${rec.length === 1 ? '' : 's'}, ` +
          `the header has ${columns.length} (${columns.join(', ')}); fix that line (a comma inside a value needs "quotes")`,
        { row: rows.length + 1, line: lineOf[r] },
      );
    }
    const o: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) o[columns[c]] = rec[c];
    rows.push(o);
    lineNumbers.push(lineOf[r]);
  }
  return { columns, rows, lineNumbers };
}

const isBlank = (rec: string[]) => rec.length === 1 && rec[0].trim() === '';
