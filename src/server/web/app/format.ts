/// <reference lib="dom" />
/** Numbers formatted for the reader's locale; small table builder. */
const locale = typeof navigator !== 'undefined' ? navigator.language : 'en';
const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });

export const fmt = (x: number): string => (Math.abs(x) >= 100 ? whole.format(x) : one.format(x));
export const fmtPct = (x: number): string => pct.format(x);

/** Fill a <table> with a header row and body rows; numbers right-aligned and locale-formatted. */
export function fillTable(id: string, caption: string, header: string[], rows: (string | number)[][], format: (x: number, col: number) => string = (x) => fmt(x)): void {
  const t = document.getElementById(id) as HTMLTableElement;
  t.replaceChildren();
  t.createCaption().textContent = caption;
  const hr = t.createTHead().insertRow();
  for (const h of header) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    hr.append(th);
  }
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    r.forEach((v, c) => {
      const td = tr.insertCell();
      if (typeof v === 'number') {
        td.className = 'num';
        td.textContent = format(v, c);
      } else td.textContent = v;
    });
  }
}
