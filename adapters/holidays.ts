/**
 * Holiday lists for `holidays`: either a text file with one ISO date per line (`#` comments and
 * blank lines ignored), or a country code with an optional region (`US`, `IL`, `AU-VIC`) resolved
 * through the date-holidays package (public holidays only).
 */
import fs from 'node:fs';
import Holidays from 'date-holidays';
import { inputError, optionError, snippet } from '../src/core/errors.js';
import { isIsoDate } from '../src/core/dates.js';

/** `US`, `IL`, `AU-VIC`, `us-ca`: a two-letter country and an optional region after a dash. */
const CODE = /^([A-Za-z]{2})(?:-([A-Za-z0-9]{1,4}))?$/;

const HOW_TO_FIND =
  "country codes are ISO 3166-1 alpha-2 (US, IL, AU, …), regions follow a dash (AU-VIC, US-CA); list them with node -e \"const H=require('date-holidays');const h=new H();console.log(h.getCountries(), h.getStates('AU'))\"";

/**
 * Holiday dates for `holidays: VALUE` over the years `fromYear..toYear`: a value naming an
 * existing file is read as a file; otherwise a country/region code gives that calendar's public
 * holidays. Returns sorted unique ISO dates.
 */
export function resolveHolidays(value: string, fromYear: number, toYear: number): string[] {
  if (fs.existsSync(value) || !CODE.test(value)) return readHolidays(value);
  return publicHolidays(value, fromYear, toYear);
}

/** True when `value` is used as a holiday calendar code rather than a file. */
export function isHolidayCode(value: string): boolean {
  return !fs.existsSync(value) && CODE.test(value);
}

/** Public holidays of a country (`US`) or region (`AU-VIC`) in `fromYear..toYear`, sorted ISO dates. */
export function publicHolidays(code: string, fromYear: number, toYear: number): string[] {
  const m = CODE.exec(code);
  if (!m) throw optionError(`\`holidays\`: '${snippet(code, 80)}' is neither a file nor a country code; ${HOW_TO_FIND}`, { field: 'holidays', value: code });
  const country = m[1].toUpperCase();
  const region = m[2]?.toUpperCase();
  const hd = new Holidays();
  const countries = hd.getCountries() ?? {};
  if (!(country in countries)) {
    throw optionError(`\`holidays\`: unknown country code '${country}' (and no file named '${snippet(code, 80)}'); ${HOW_TO_FIND}`, { field: 'holidays', value: code });
  }
  if (region) {
    const states = hd.getStates(country) ?? {};
    if (!(region in states)) {
      const known = Object.keys(states);
      throw optionError(
        `\`holidays\`: unknown region '${region}' for ${country}; ${known.length ? `regions of ${country}: ${known.join(', ')}` : `${country} has no regions, set \`holidays\` to ${country}`}`,
        { field: 'holidays', value: code, regions: known },
      );
    }
  }
  if (region) hd.init(country, region);
  else hd.init(country);
  const out = new Set<string>();
  for (let y = fromYear; y <= toYear; y++) {
    for (const h of hd.getHolidays(y)) {
      if (h.type !== 'public') continue;
      const date = h.date.slice(0, 10);
      if (date.startsWith(String(y))) out.add(date);
    }
  }
  return [...out].sort();
}

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
