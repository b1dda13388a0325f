/// <reference lib="dom" />
/** Downloads: CSV from rows, SVG and PNG from a rendered vega view; buttons per view. */
import type { View } from './vega.js';

export function csvText(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

function save(url: string, filename: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

export interface CsvTable {
  header: string[];
  rows: (string | number | null)[][];
}

export interface Downloadable {
  /** One CSV button per table: its label, the file name's tail and the rows. */
  csv: { label: string; file: string; table: () => CsvTable }[];
  view: () => View | null;
}

/** Put CSV / SVG / PNG buttons into `.downloads[data-view=name]` for a view. */
export function downloadButtons(name: string, d: Downloadable): void {
  const box = document.querySelector<HTMLElement>(`.downloads[data-view="${name}"]`);
  if (!box) return;
  box.replaceChildren();
  const button = (label: string, title: string, fn: () => Promise<void> | void) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary';
    b.textContent = label;
    b.title = title;
    b.dataset.download = label;
    b.addEventListener('click', () => void fn());
    box.append(b);
  };
  for (const c of d.csv) {
    button(c.label, `download the ${name} ${c.label} as a CSV file`, () => {
      const t = c.table();
      const url = URL.createObjectURL(new Blob([csvText(t.header, t.rows)], { type: 'text/csv' }));
      save(url, `mixcast-${c.file}.csv`);
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  }
  for (const format of ['svg', 'png'] as const) {
    button(`${format.toUpperCase()} chart`, `download the ${name} chart as ${format.toUpperCase()}`, async () => {
      const v = d.view();
      if (v) save(await v.toImageURL(format, format === 'png' ? 2 : 1), `mixcast-${name}.${format}`);
    });
  }
}
