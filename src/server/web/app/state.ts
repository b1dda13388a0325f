/// <reference lib="dom" />
/** What the page knows: the chosen model and the request fields every view shares. */
import type { ModelSummary, ScenariosAnswer } from './types.js';

export interface PageState {
  model: ModelSummary | null;
  /** The chosen series of a model of several series (null: a model of one series). */
  series: string | null;
  /** The dates of the last "Show scenarios" (the model's unseen weekdays left out). */
  dates: string[];
  count: number;
  seed: number;
  paths: number;
  scenarios: ScenariosAnswer | null;
}

export const state: PageState = { model: null, series: null, dates: [], count: 500, seed: 1, paths: 5, scenarios: null };

/** The fields of every /v1 request: model (and its series, for a model of several), dates, count, seed. */
export const baseRequest = () => ({ model: state.model!.id, ...(state.series !== null ? { series: state.series } : {}), dates: state.dates, count: state.count, seed: state.seed });

/** The chosen model's name on the page: `id`, or `id / series`. */
export const modelName = () => (state.series !== null ? `${state.model!.id} / ${state.series}` : state.model!.id);

export function setStatus(text: string, error = false): void {
  const el = document.getElementById('status')!;
  el.textContent = text;
  el.classList.toggle('error', error);
}

export const yTitle = () => (state.model?.valueKind === 'counts' ? 'calls per interval' : 'value');
