/** Holiday lists: a text file with one ISO date per line (`#` comments and blank lines ignored). */
import fs from 'node:fs';
import { inputError } from '../src/core/errors.js';
import { isIsoDate } from '../src/core/dates.js';

/**
 * Read a holiday file. Each non-empty line starts with an ISO date; anything after the first
 * comma, tab or space is a free label (`2003-05-26,Memorial Day`). Returns sorted unique dates.
 */
export function readHolidays(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(`cannot read the holidays file '${file}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseHolidays(text, file);
}

export function parseHolidays(text: string, source = 'holidays'): string[] {
  const out = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const first = line.split(/[,\t ]/)[0];
    if (i === 0 && /^[a-z_]+$/i.test(first)) return; // a header such as `date,name`
    if (!isIsoDate(first)) {
      throw inputError(`${source}: line ${i + 1}: '${first}' is not an ISO date (YYYY-MM-DD); the holidays file has one date per line`, { line: i + 1 });
    }
    out.add(first);
  });
  return [...out].sort();
}
