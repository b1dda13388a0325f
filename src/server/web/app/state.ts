/// <reference lib="dom" />
/** What the page knows: the chosen model and the request fields every view shares. */
import type { ModelSummary, ScenariosAnswer } from './types.js';

export interface PageState {
  model: ModelSummary | null;
  /** The dates of the last "Show scenarios" (the model's unseen weekdays left out). */
  dates: string[];
  count: number;
  seed: number;
  paths: number;
  scenarios: ScenariosAnswer | null;
}

export const state: PageState = { model: null, dates: [], count: 500, seed: 1, paths: 5, scenarios: null };

/** The fields of every /v1 request: model, dates, count, seed. */
export const baseRequest = () => ({ model: state.model!.id, dates: state.dates, count: state.count, seed: state.seed });

export function setStatus(text: string, error = false): void {
  const el = document.getElementById('status')!;
  el.textContent = text;
  el.classList.toggle('error', error);
}

export const yTitle = () => (state.model?.valueKind === 'counts' ? 'calls per interval' : 'value');
