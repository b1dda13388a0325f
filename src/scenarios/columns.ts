/**
 * The output naming scheme shared by CLI files, HTTP CSV and the library's tables (README:
 * "Output columns"): `series`, `timestamp` (ISO 8601 with the zone's offset: the interval's
 * start), `date`, `interval` (local HH:MM), `scenario`, `value`; quantile columns `q<level>`
 * (`q0.1`, `q0.5`, `q0.9`), prefixed with what they describe (`total_q0.1`, `required_q0.9`).
 */
import { DateTime } from 'luxon';

/** `q0.1`, or `total_q0.1` with a prefix. */
export const quantileColumn = (level: number, prefix = ''): string => `${prefix ? `${prefix}_` : ''}q${String(level)}`;

/**
 * ISO 8601 start of each wall-clock slot of a local date in `zone`, with the offset in force
 * (e.g. `2003-10-27T07:00:00-05:00`). A slot that does not exist on a spring-forward day is
 * given the instant luxon moves it to (one hour later); see adapters/README.md on DST.
 */
export function slotTimestamps(date: string, labels: readonly string[], zone: string): string[] {
  return labels.map((label) => {
    const t = DateTime.fromISO(`${date}T${label}`, { zone });
    return t.isValid ? (t.toISO({ suppressMilliseconds: true }) as string) : `${date}T${label}`;
  });
}
