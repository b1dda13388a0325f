/// <reference lib="dom" />
/**
 * The planner's page: pick a model and dates, then the fan chart, totals, what-if and staffing
 * views — every number from the HTTP API (/v1 on this origin), every chart a vega-lite spec
 * from src/eval/charts.ts (the same as `mixcast plot`). Built by `npm run build:web`.
 */
import { api, ApiError, setToken } from './api.js';
import { showScenarios } from './forecast.js';
import { initStaffing } from './staffing.js';
import { setStatus, state } from './state.js';
import type { ModelListItem, ModelSummary } from './types.js';
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

async function loadModels(): Promise<void> {
  try {
    const { models } = await api<{ models: ModelListItem[] }>('/v1/models');
    $('token-form').hidden = true;
    if (models.length === 0) return setStatus('This server holds no models.', true);
    const sel = $<HTMLSelectElement>('model');
    sel.replaceChildren(...models.map((m) => new Option(m.id, m.id)));
    await chooseModel(models[0].id);
  } catch (e) {
    failed(e);
  }
}

async function chooseModel(id: string): Promise<void> {
  const m = await api<ModelSummary & { intervals: { close: string } }>(`/v1/models/${encodeURIComponent(id)}`);
  state.model = m;
  const series = Array.isArray(m.series) ? m.series : [m.series ?? '(one series)'];
  const ss = $<HTMLSelectElement>('series');
  ss.replaceChildren(...series.map((s) => new Option(s, s)));
  ss.disabled = series.length < 2;
  const start = addDays(m.training.lastDate, 1);
  $<HTMLInputElement>('start').value = start;
  $<HTMLInputElement>('end').value = addDays(start, 6);
  $<HTMLInputElement>('case-start').value = start;
  $<HTMLInputElement>('case-end').value = start;
  setWindowOptions(m.intervals.labels, m.intervals.close);
  $('model-info').textContent =
    `${m.id}: ${m.intervals.labels.length} intervals of ${m.intervals.minutes} min (${m.intervals.labels[0]}–${m.intervals.close}, ${m.zone}), ` +
    `trained on ${m.training.days} days ${m.training.firstDate} … ${m.training.lastDate}; calendar keys ${m.calendar.keys.join(', ')}.`;
  $('history-note').textContent = 'Observed days are not drawn: model bundles do not store the training history, only its dates.';
  setStatus(`Model ${m.id} loaded. Choose the dates and show the scenarios.`);
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
  $<HTMLFormElement>('controls').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  initWhatIf();
  initStaffing();
  void loadModels();
}

init();
