/**
 * CSV, read and written once: parseCsv (csv-parse, RFC 4180 quoting, a byte-order mark, CRLF;
 * every record as wide as the header) and toCsv (quotes only where needed).
 */
import { parse } from 'csv-parse/sync';
import { inputError } from './errors.js';

export interface RawTable {
  columns: string[];
  rows: Record<string, unknown>[];
  /** 1-based line in the file where each row starts (CSV), for error messages. */
  lineNumbers?: number[];
}

/**
 * Parse CSV text with csv-parse (quotes, escaped quotes, CRLF, a byte-order mark); every record
 * must have as many fields as the header. Blank lines are skipped.
 */
export function parseCsv(text: string, source = 'input', delimiter = ','): RawTable {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: false, info: true }) as unknown as typeof parsed;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw inputError(`${source}: not valid CSV${err.lines ? ` near line ${err.lines}` : ''} (${err.message}); a value with a comma or quote needs "quotes", and a quote inside one is written ""`, err.lines ? { line: err.lines } : undefined);
  }
  const records = parsed.map((p) => p.record);
  // line where each record starts (a quoted value may span lines): one after where the previous ended
  const lineOf = parsed.map((_, i) => (i === 0 ? 1 : parsed[i - 1].info.lines + 1));
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

/** CSV text from a header and rows; values are written with String(), numbers unquoted. */
export function toCsv(header: readonly string[], rows: Iterable<readonly (string | number | null)[]>): string {
  const esc = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const out: string[] = [header.map(esc).join(',')];
  for (const r of rows) out.push(r.map(esc).join(','));
  return out.join('\n') + '\n';
}
