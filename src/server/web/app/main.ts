/// <reference lib="dom" />
/**
 * The planner's page: pick a model and dates, then the fan chart, totals, what-if and staffing
 * views — every number from the HTTP API (/v1 on this origin), every chart a vega-lite spec
 * from src/eval/charts.ts (the same as `mixcast plot`). Built by `npm run build:web`.
 */
import { api, ApiError, setToken } from './api.js';
import { showScenarios } from './forecast.js';
import { initStaffing } from './staffing.js';
import { modelName, setStatus, state } from './state.js';
import type { CollectionItem, ModelListItem, ModelSummary } from './types.js';
import { initWhatIf, setWindowOptions } from './whatif.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const weekday = (iso: string) => WEEKDAYS[(new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7];

/** On a 401 the page shows the token form; any other error goes to the status line. */
function failed(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) {
    $('token-form').hidden = false;
    $<HTMLInputElement>('token').focus();
    setStatus('This server needs an API token: enter it above.', true);
  } else setStatus(e instanceof Error ? e.message : String(e), true);
}

/** The models the page offers: each bundle, and each model of several series with its series. */
const choices = new Map<string, { id: string; series: string[] | null }>();

async function loadModels(): Promise<void> {
  try {
    const { models, collections = [] } = await api<{ models: ModelListItem[]; collections?: CollectionItem[] }>('/v1/models');
    $('token-form').hidden = true;
    if (models.length + collections.length === 0) return setStatus('This server holds no models.', true);
    choices.clear();
    const options: HTMLOptionElement[] = [];
    for (const m of models) {
      choices.set(m.id, { id: m.id, series: null });
      options.push(new Option(m.id, m.id));
    }
    for (const c of collections) {
      const value = `${c.id} (${c.series.length} series)`;
      choices.set(value, { id: c.id, series: c.series.map((s) => s.id) });
      options.push(new Option(`${c.id} (${c.kind}, ${c.series.length} series)`, value));
    }
    const sel = $<HTMLSelectElement>('model');
    sel.replaceChildren(...options);
    await chooseModel(options[0].value);
  } catch (e) {
    failed(e);
  }
}

async function chooseModel(choice: string, series?: string): Promise<void> {
  const c = choices.get(choice);
  if (!c) throw new Error(`unknown model ${choice}`);
  const ss = $<HTMLSelectElement>('series');
  let m: ModelSummary & { intervals: { close: string } };
  if (c.series) {
    const s = series ?? c.series[0];
    m = await api(`/v1/models/${encodeURIComponent(c.id)}/series/${encodeURIComponent(s)}`);
    state.series = s;
    if (series === undefined) ss.replaceChildren(...c.series.map((x) => new Option(x, x)));
    ss.value = s;
    ss.disabled = c.series.length < 2;
  } else {
    m = await api(`/v1/models/${encodeURIComponent(c.id)}`);
    state.series = null;
    ss.replaceChildren(new Option(typeof m.series === 'string' ? m.series : '(one series)'));
    ss.disabled = true;
  }
  state.model = m;
  const start = addDays(m.training.lastDate, 1);
  $<HTMLInputElement>('start').value = start;
  $<HTMLInputElement>('end').value = addDays(start, 6);
  $<HTMLInputElement>('case-start').value = start;
  $<HTMLInputElement>('case-end').value = start;
  setWindowOptions(m.intervals.labels, m.intervals.close);
  $('model-info').textContent =
    `${modelName()}: ${m.intervals.labels.length} intervals of ${m.intervals.minutes} min (${m.intervals.labels[0]}–${m.intervals.close}, ${m.zone}), ` +
    `trained on ${m.training.days} days ${m.training.firstDate} … ${m.training.lastDate}` +
    (m.training.warmStart ? ` (retrained from a model of ${m.training.warmStart.days} days to ${m.training.warmStart.lastDate})` : '') +
    `; calendar keys ${m.calendar.keys.join(', ')}.`;
  $('history-note').textContent = m.recent.length
    ? `The fan chart starts with the last observed days (to ${m.recent[m.recent.length - 1].date}) when the dates follow them within a week.`
    : 'Observed days are not drawn: this model (trained without context) keeps only the dates of its training days, not their values.';
  setStatus(`Model ${modelName()} loaded. Choose the dates and show the scenarios.`);
}

/** The dates from start to end; for a weekday-keyed model, only the weekdays it was trained on. */
function datesOf(start: string, end: string): { dates: string[]; skipped: string[] } {
  if (!start || !end || end < start) throw new Error('choose a start date and an end date on or after it');
  const keys = state.model!.calendar.keys;
  const weekdayModel = keys.length > 0 && keys.every((k) => WEEKDAYS.includes(k));
  const dates: string[] = [];
  const skipped: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) {
    if (dates.length + skipped.length > 92) throw new Error('choose at most 92 days');
    (weekdayModel && !keys.includes(weekday(d)) ? skipped : dates).push(d);
  }
  if (dates.length === 0) throw new Error(`none of these dates is a weekday the model knows (${keys.join(', ')})`);
  return { dates, skipped };
}

async function run(): Promise<void> {
  try {
    const { dates, skipped } = datesOf($<HTMLInputElement>('start').value, $<HTMLInputElement>('end').value);
    state.dates = dates;
    state.count = Number($<HTMLInputElement>('count').value);
    state.seed = Number($<HTMLInputElement>('seed').value);
    state.paths = Number($<HTMLInputElement>('paths').value);
    setStatus(`generating ${state.count} scenarios for ${dates.length} date(s)…`);
    $<HTMLButtonElement>('run').disabled = true;
    for (const id of ['fan-view', 'totals-view', 'whatif-view', 'staffing-view']) $(id).hidden = false;
    await showScenarios();
    const note = skipped.length ? ` (left out ${skipped.join(', ')}: the model has no such weekday)` : '';
    setStatus(`${state.count} scenarios for ${dates.length} date(s)${note}.`);
  } catch (e) {
    failed(e);
  } finally {
    $<HTMLButtonElement>('run').disabled = false;
  }
}

function init(): void {
  $<HTMLFormElement>('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken($<HTMLInputElement>('token').value);
    void loadModels();
  });
  $<HTMLSelectElement>('model').addEventListener('change', (ev) => void chooseModel((ev.target as HTMLSelectElement).value).catch(failed));
  $<HTMLSelectElement>('series').addEventListener('change', (ev) => void chooseModel($<HTMLSelectElement>('model').value, (ev.target as HTMLSelectElement).value).catch(failed));
  $<HTMLFormElement>('controls').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  initWhatIf();
  initStaffing();
  void loadModels();
}

init();
