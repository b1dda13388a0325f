/** The human summary of an ingest: what was read, kept, dropped and repaired, and why. */
import { weekdayName } from '../src/core/dates.js';
import type { DayIssue, DaySeries } from './types.js';
import { formatInterval, weekdayOf } from './time.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** Group issues by reason: `reason N` and up to `show` example lines each. */
function issueLines(issues: DayIssue[], show: number): string[] {
  const by = new Map<string, DayIssue[]>();
  for (const x of issues) {
    const list = by.get(x.reason) ?? [];
    list.push(x);
    by.set(x.reason, list);
  }
  const out: string[] = [];
  for (const [reason, list] of by) {
    const days = new Set(list.map((x) => x.date)).size;
    out.push(`  ${reason}: ${plural(days, 'day')}`);
    // outside-days are a choice of the user, one line says it all
    if (reason === 'outside-days') {
      const counts = countBy(list.map((x) => weekdayName(weekdayOf(x.date))));
      out.push(`    ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(' · ')}`);
      continue;
    }
    for (const x of list.slice(0, show)) out.push(`    ${x.date} (${weekdayName(weekdayOf(x.date))}): ${x.detail}`);
    if (list.length > show) out.push(`    … and ${list.length - show} more`);
  }
  return out;
}

function countBy(xs: string[]): Record<string, number> {
  const o: Record<string, number> = {};
  for (const x of xs) o[x] = (o[x] ?? 0) + 1;
  return o;
}

/**
 * A multi-line summary for people. Settings are named as fields in backticks (`open`, `valueKind`,
 * src/core/fields.ts), so an app can say them its own way (the CLI prints it to stderr with flags).
 */
export function formatReport(ds: DaySeries, opts: { show?: number } = {}): string {
  const r = ds.report;
  const show = opts.show ?? 8;
  const lines: string[] = [];
  const src = r.source ? `${r.source}` : 'input';
  lines.push(`ingest: ${src}${r.format ? ` (${r.format})` : ''}${ds.series !== null ? `, series '${ds.series}'` : ''}, zone ${ds.zone}`);
  lines.push(
    `  rows: ${fmt(r.rowsRead)} read${r.rowsOutsideWindow ? `, ${fmt(r.rowsOutsideWindow)} outside the window or the chosen days` : ''}`,
  );
  lines.push(
    `  days: ${fmt(r.daysRead)} read, ${fmt(r.daysKept)} kept, ${fmt(r.dropped.length)} dropped, ${fmt(new Set(r.repaired.map((x) => x.date)).size)} repaired`,
  );
  const n = ds.labels.length;
  lines.push(
    `  window: ${ds.open}–${ds.close}${r.windowInferred ? ` (${r.windowInferredText ?? 'open and close'} inferred from the data; set \`open\`/\`close\` to change)` : ''}`,
  );
  lines.push(
    `  interval: ${formatInterval(ds.intervalMinutes)}${r.sourceIntervalMinutes !== ds.intervalMinutes ? ` (source ${formatInterval(r.sourceIntervalMinutes)})` : ''}, vector length ${n}` +
      (n ? `, labels ${ds.labels[0]} … ${ds.labels[n - 1]}` : ''),
  );
  lines.push(
    `  values: ${ds.valueKind}${r.valueKindInferred ? (ds.valueKind === 'counts' ? ' (all non-negative integers; set `valueKind` to measurements to override)' : ' (not all non-negative integers)') : ''}`,
  );
  if (ds.days.length) {
    const totals = ds.days.map((d) => d.values.reduce((a, b) => a + b, 0));
    const lo = Math.min(...totals), hi = Math.max(...totals);
    const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
    const round = (x: number) => fmt(Math.round(x * 100) / 100);
    lines.push(`  daily totals: min ${round(lo)}, mean ${round(mean)}, max ${round(hi)}; ${ds.days[0].date} … ${ds.days[ds.days.length - 1].date}`);
    const perWd = countBy(ds.days.map((d) => weekdayName(weekdayOf(d.date))));
    const order = [1, 2, 3, 4, 5, 6, 7].map(weekdayName).filter((w) => perWd[w]);
    lines.push(`  kept days per weekday: ${order.map((w) => `${w} ${perWd[w]}`).join(' · ')}`);
  }
  if (ds.weekdays.length < 7) lines.push(`  weekdays kept (\`days\`): ${ds.weekdays.map(weekdayName).join(', ')}`);
  if (r.absentDates.length) {
    const perWd = countBy(r.absentDates.map((d) => weekdayName(weekdayOf(d))));
    const order = [1, 2, 3, 4, 5, 6, 7].map(weekdayName).filter((w) => perWd[w]);
    lines.push(
      `  absent dates (no row at all): ${plural(r.absentDates.length, 'date')} between the first and last day (${order.map((w) => `${w} ${perWd[w]}`).join(' · ')})`,
    );
    const list = r.absentDates.length <= 12 ? r.absentDates : [...r.absentDates.slice(0, 12), `… ${r.absentDates.length - 12} more`];
    lines.push(`    ${list.join(', ')}`);
  }
  if (r.dropped.length) lines.push('dropped days:', ...issueLines(r.dropped, show));
  if (r.repaired.length) lines.push('repaired days (kept):', ...issueLines(r.repaired, show));
  if (ds.holidays.length) lines.push(`holidays: ${plural(ds.holidays.length, 'date')} from \`holidays\``);
  if (r.notes.length) lines.push('notes:', ...r.notes.map((x) => `  ${x}`));
  return lines.join('\n');
}
