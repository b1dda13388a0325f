/// <reference lib="dom" />
/**
 * What-if: cases built in a small form (scale, add over an interval window, shock on dates; the
 * transforms of src/scenarios/whatif.ts), run on the baseline's scenarios. The table comes from
 * POST /v1/whatif; the chart overlays each case's per-interval median and 10–90 % band from
 * POST /v1/forecast with the case's transforms (same seed: the same base scenarios).
 */
import { whatIfSpec } from '../../../eval/charts.js';
import { api } from './api.js';
import { downloadButtons } from './download.js';
import { fillTable } from './format.js';
import { baseRequest, setStatus, state, yTitle } from './state.js';
import type { Case, ForecastAnswer, Transform, WhatIfAnswer } from './types.js';
import { draw, viewOf } from './vega.js';

const cases: Case[] = [];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Fill the window selects from the model's interval labels (a window is half-open: from ≤ slot start < to). */
export function setWindowOptions(labels: string[], close: string): void {
  const from = $<HTMLSelectElement>('case-from');
  const to = $<HTMLSelectElement>('case-to');
  from.replaceChildren(...labels.map((l) => new Option(l, l)));
  to.replaceChildren(...[...labels.slice(1), close].map((l) => new Option(l, l)));
  to.value = close;
}

function showTypeFields(): void {
  const type = $<HTMLSelectElement>('case-type').value;
  document.querySelectorAll<HTMLElement>('#case-form [data-for]').forEach((el) => (el.hidden = !el.dataset.for!.split(' ').includes(type)));
}

function describe(t: Transform): string {
  const win = 'intervals' in t && t.intervals ? ` in ${t.intervals}` : '';
  if (t.type === 'scale') return `× ${t.factor}${win}`;
  if (t.type === 'add') return `+ ${t.amount} calls${win}`;
  return `shock × ${t.factor} on ${t.start}${t.end && t.end !== t.start ? ` … ${t.end}` : ''}${win}`;
}

function renderCases(): void {
  const list = $<HTMLUListElement>('case-list');
  list.replaceChildren(
    ...cases.map((c, k) => {
      const li = document.createElement('li');
      li.textContent = `${c.name}: ${c.transforms.map(describe).join(', ')}`;
      const rm = document.createElement('button');
      rm.type = 'button';
      rm.className = 'secondary';
      rm.textContent = 'remove';
      rm.setAttribute('aria-label', `remove case ${c.name}`);
      rm.addEventListener('click', () => {
        cases.splice(k, 1);
        renderCases();
      });
      li.append(rm);
      return li;
    }),
  );
  $<HTMLButtonElement>('run-whatif').disabled = cases.length === 0;
}

function readTransform(): Transform {
  const type = $<HTMLSelectElement>('case-type').value as Transform['type'];
  const from = $<HTMLSelectElement>('case-from');
  const to = $<HTMLSelectElement>('case-to');
  const whole = from.selectedIndex === 0 && to.selectedIndex === to.options.length - 1;
  const intervals = `${from.value}-${to.value}`;
  if (from.value >= to.value && to.value !== '24:00') throw new Error(`the window ${intervals} is empty: "to" must be after "from"`);
  const factor = Number($<HTMLInputElement>('case-factor').value);
  if (type === 'add') return { type, amount: Number($<HTMLInputElement>('case-amount').value), intervals };
  if (type === 'scale') return { type, factor, ...(whole ? {} : { intervals }) };
  const start = $<HTMLInputElement>('case-start').value || state.dates[0];
  const end = $<HTMLInputElement>('case-end').value || start;
  return { type, factor, start, end, ...(whole ? {} : { intervals }) };
}

export function initWhatIf(): void {
  $('case-type').addEventListener('change', showTypeFields);
  showTypeFields();
  $<HTMLFormElement>('case-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    try {
      const name = $<HTMLInputElement>('case-name').value.trim();
      if (!name || name === 'baseline') throw new Error('give the case a name other than "baseline"');
      const t = readTransform();
      const existing = cases.find((c) => c.name === name);
      if (existing) existing.transforms.push(t);
      else cases.push({ name, transforms: [t] });
      renderCases();
      setStatus(`case "${name}": ${describe(t)} added; run the what-if to see it`);
    } catch (e) {
      setStatus((e as Error).message, true);
    }
  });
  $('run-whatif').addEventListener('click', () => void runWhatIf());
}

export async function runWhatIf(): Promise<void> {
  try {
    setStatus(`running ${cases.length} case(s) against the baseline…`);
    const quantiles = [0.1, 0.5, 0.9];
    const base = baseRequest();
    const table = await api<WhatIfAnswer>('/v1/whatif', { ...base, quantiles, cases });
    const all: Case[] = [{ name: 'baseline', transforms: [] }, ...cases];
    const perCase: { name: string; labels: string[]; days: { date: string; quantiles: Record<string, number[]> }[] }[] = [];
    for (const c of all) {
      const f = await api<ForecastAnswer>('/v1/forecast', { ...base, quantiles, ...(c.transforms.length ? { whatIf: c.transforms } : {}) });
      perCase.push({ name: c.name, labels: f.labels, days: f.dates.map((d) => ({ date: `${d.date} ${d.weekday}`, quantiles: d.summary.quantiles })) });
    }
    await draw('whatif-chart', whatIfSpec({ title: `${base.model}: what-if against the baseline (${base.count} common scenarios, seed ${base.seed})`, labels: perCase[0].labels, yTitle: yTitle(), cases: perCase }));
    const q = (d: { quantiles: Record<string, number> }, l: string) => d.quantiles[l] ?? NaN;
    const rows = table.rows.map((r) => [r.case, r.date, r.total.mean, q(r.total, '0.1'), q(r.total, '0.5'), q(r.total, '0.9'), r.peak.mean, q(r.peak, '0.5'), q(r.peak, '0.9')]);
    const header = ['case', 'date', 'total mean', 'total p10', 'total median', 'total p90', 'peak mean', 'peak median', 'peak p90'];
    fillTable('whatif-table', 'Daily total and peak interval per case and date', header, rows);
    downloadButtons('whatif', {
      csv: [
        { label: 'CSV totals and peaks', file: 'whatif', table: () => ({ header: header.map((h) => h.replace(/ /g, '_')), rows }) },
        { label: 'CSV per interval', file: 'whatif-intervals', table: () => ({ header: ['case', 'date', 'interval_start', 'q0.1', 'q0.5', 'q0.9'], rows: perCase.flatMap((c) => c.days.flatMap((d) => c.labels.map((l, i) => [c.name, d.date, l, d.quantiles['0.1'][i], d.quantiles['0.5'][i], d.quantiles['0.9'][i]]))) }) },
      ],
      view: () => viewOf('whatif-chart'),
    });
    setStatus(`what-if: ${table.cases.join(', ')}`);
  } catch (e) {
    setStatus((e as Error).message, true);
  }
}
