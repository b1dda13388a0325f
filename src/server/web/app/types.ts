/** The parts of the API's JSON answers the page reads (see /openapi.json for the whole). */
export interface ModelListItem {
  id: string;
  lastDate: string;
}

/** A model of several series (GET /v1/models `collections`): one global network, or one model per series. */
export interface CollectionItem {
  id: string;
  kind: 'per-series' | 'global';
  series: { id: string; lastDate: string }[];
}

export interface ModelSummary {
  id: string;
  /** The last observed training days (context-aware models), oldest first. */
  recent: { date: string; values: number[] }[];
  zone: string;
  series: string | string[] | null;
  valueKind: 'counts' | 'measurements';
  intervals: { minutes: number; labels: string[] };
  calendar: { keys: string[] };
  training: { days: number; firstDate: string; lastDate: string; warmStart?: { days: number; lastDate: string } | null };
}

/** A day's summary, as the scenario library writes it (types only: nothing of the library is bundled). */
import type { Dist, DaySummary } from '../../../scenarios/index.js';
export type { Dist, DaySummary };

export interface ScenariosAnswer {
  labels: string[];
  count: number;
  seed: number;
  dates: { date: string; weekday: string; values: number[][]; summary: DaySummary }[];
}

export interface ForecastAnswer {
  labels: string[];
  dates: { date: string; weekday: string; summary: DaySummary }[];
}

export interface WhatIfAnswer {
  cases: string[];
  quantiles: number[];
  rows: { case: string; date: string; total: Dist; peak: Dist }[];
}

export interface PlanAnswer {
  name: 'mean' | 'coverage' | 'newsvendor';
  agents: number[];
  scheduled: number[];
  expectedServiceLevel: number[];
  missShare: number[];
  day: { agentHours: number; expectedServiceLevel: number; missShare: number; allIntervalsMetShare: number };
}

export interface StaffingAnswer {
  labels: string[];
  intervalSeconds: number;
  count: number;
  seed: number;
  dates: { date: string; result: { coverage: number; meanCalls: number[]; plans: { mean: PlanAnswer; coverage: PlanAnswer } } }[];
}

export type Transform =
  | { type: 'scale'; factor: number; intervals?: string }
  | { type: 'add'; amount: number; intervals: string }
  | { type: 'shock'; factor: number; start: string; end?: string; intervals?: string };

export interface Case {
  name: string;
  transforms: Transform[];
}
