/**
 * Charts for reports, `mixcast plot` and the planner's page: vega-lite specs compiled to vega
 * and rendered headless to SVG in Node (renderer 'none', no canvas, no DOM). No hand-written
 * SVG. vega and vega-lite are imported on first render only, so importing the library does
 * not load them. The scenario chart specs (fan, totals, what-if, staffing) are plain data built
 * without vega; the planner's page bundles these same builders and renders them with
 * vega-embed, so the page and `mixcast plot` draw the same charts.
 */
import type { TopLevelSpec } from 'vega-lite';
import { inputError } from '../core/errors.js';

const WIDTH = 640;
const HEIGHT = 300;

/** The part every chart shares: schema, title, size, white background, inline rows. */
const frame = (title: string, rows: unknown[]) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title,
  width: WIDTH,
  height: HEIGHT,
  background: 'white',
  data: { values: rows },
});

/** Render any vega-lite spec to an SVG string. */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function checkSeries(v: readonly number[], n: number, what: string): void {
  if (v.length !== n) throw inputError(`${what} has ${v.length} values but there are ${n} interval labels`);
  v.forEach((x, i) => {
    if (!Number.isFinite(x)) throw inputError(`${what} has a non-finite value (${x}) at position ${i}`);
  });
}

// ───────────────────────────── fan chart ─────────────────────────────

export interface FanChartInput {
  title: string;
  /** Interval start times `HH:MM`, one per interval. */
  labels: string[];
  /** Per-interval quantiles keyed '0.05', '0.25', '0.5', '0.75', '0.95' ('0.5' required; a band is drawn when both its ends are given). */
  quantiles: Record<string, number[]>;
  /** The held-out day, drawn as a line with points. */
  truth?: number[];
  /** y-axis title (default 'value'). */
  yTitle?: string;
}

const FAN_COLORS = { '5–95%': '#9ecae1', '25–75%': '#4292c6', median: '#08306b', truth: '#d94801' } as const;

/** Fan chart of a scenario set: 5–95% and 25–75% bands, the median line, and the truth. */
export async function fanChartSvg(input: FanChartInput): Promise<string> {
  const { title, labels, quantiles, truth } = input;
  const n = labels.length;
  if (n === 0) throw inputError('fan chart: no interval labels');
  if (!quantiles['0.5']) throw inputError("fan chart: quantiles must include the median '0.5'");
  for (const [k, v] of Object.entries(quantiles)) checkSeries(v, n, `fan chart quantile '${k}'`);
  if (truth) checkSeries(truth, n, 'fan chart truth');
  const rows = labels.map((label, i) => ({
    i,
    label,
    q05: quantiles['0.05']?.[i] ?? null,
    q25: quantiles['0.25']?.[i] ?? null,
    q50: quantiles['0.5'][i],
    q75: quantiles['0.75']?.[i] ?? null,
    q95: quantiles['0.95']?.[i] ?? null,
    truth: truth?.[i] ?? null,
  }));
  const yTitle = input.yTitle ?? 'value';
  const has90 = Boolean(quantiles['0.05'] && quantiles['0.95']);
  const has50 = Boolean(quantiles['0.25'] && quantiles['0.75']);
  const domain: (keyof typeof FAN_COLORS)[] = [];
  if (has90) domain.push('5–95%');
  if (has50) domain.push('25–75%');
  domain.push('median');
  if (truth) domain.push('truth');
  // one shared colour scale with a pinned domain, so the legend names every layer
  const color = (name: keyof typeof FAN_COLORS) => ({
    datum: name,
    scale: { domain, range: domain.map((d) => FAN_COLORS[d]) },
    legend: { title: null },
  });
  const y = (field: string) => ({ field, type: 'quantitative', title: yTitle });
  const layers: object[] = [];
  if (has90) layers.push({ name: 'band90', mark: { type: 'area', opacity: 0.6 }, encoding: { y: y('q05'), y2: { field: 'q95' }, color: color('5–95%') } });
  if (has50) layers.push({ name: 'band50', mark: { type: 'area', opacity: 0.6 }, encoding: { y: y('q25'), y2: { field: 'q75' }, color: color('25–75%') } });
  layers.push({ name: 'median', mark: { type: 'line', strokeWidth: 2 }, encoding: { y: y('q50'), color: color('median') } });
  if (truth) {
    layers.push({ name: 'truth', mark: { type: 'line', strokeWidth: 1.5, strokeDash: [4, 2] }, encoding: { y: y('truth'), color: color('truth') } });
    layers.push({ name: 'truthpoints', mark: { type: 'point', filled: true, size: 24, opacity: 1 }, encoding: { y: y('truth'), color: color('truth') } });
  }
  const spec = {
    ...frame(title, rows),
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: null, title: 'interval start', axis: { labelAngle: -90, labelOverlap: 'parity' } },
    },
    layer: layers,
  };
  return renderVegaLite(spec as TopLevelSpec);
}

// ───────────────────────────── PIT histogram ─────────────────────────────

/** Bars of PIT counts over equal bins on [0, 1], with a dashed rule at the uniform expectation. */
export async function pitHistogramSvg(input: { title: string; counts: number[] }): Promise<string> {
  const { title, counts } = input;
  const bins = counts.length;
  if (bins === 0) throw inputError('PIT histogram: no bins');
  counts.forEach((c, i) => {
    if (!Number.isFinite(c) || c < 0) throw inputError(`PIT histogram: count ${c} in bin ${i} is not a non-negative number`);
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const rows = counts.map((count, i) => ({ lo: i / bins, hi: (i + 1) / bins, count }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 240,
    background: 'white',
    layer: [
      {
        name: 'bars',
        data: { values: rows },
        mark: { type: 'bar', color: '#4292c6', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', bin: { binned: true, step: 1 / bins }, title: 'PIT', scale: { domain: [0, 1] } },
          x2: { field: 'hi' },
          y: { field: 'count', type: 'quantitative', title: 'count', scale: { zero: true } },
        },
      },
      {
        name: 'uniform',
        data: { values: [{ expected: total / bins }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#d94801' },
        encoding: { y: { field: 'expected', type: 'quantitative', title: 'count' } },
      },
    ],
  };
  return renderVegaLite(spec as TopLevelSpec);
}

// ───────────────────────────── line chart ─────────────────────────────

export interface LinePoint {
  x: number;
  y: number;
  /** Optional error band (both ends needed). */
  lo?: number;
  hi?: number;
}

export interface LineChartInput {
  title: string;
  /** x-axis title. */
  x: string;
  /** y-axis title. */
  y: string;
  series: { name: string; points: LinePoint[] }[];
  logX?: boolean;
}

/** One line (with points) per series, optional lo–hi error band, optional log x axis. */
export async function lineChartSvg(input: LineChartInput): Promise<string> {
  const { title, series, logX } = input;
  if (series.length === 0) throw inputError('line chart: no series');
  const names = series.map((s) => s.name);
  if (new Set(names).size !== names.length) throw inputError(`line chart: series names must be unique, got ${names.join(', ')}`);
  const rows: { series: string; x: number; y: number; lo: number | null; hi: number | null }[] = [];
  for (const s of series) {
    for (const p of s.points) {
      for (const [k, v] of [['x', p.x], ['y', p.y], ['lo', p.lo], ['hi', p.hi]] as const) {
        if (v !== undefined && !Number.isFinite(v)) throw inputError(`line chart series '${s.name}': ${k} = ${v} is not a finite number`);
      }
      if (logX && !(p.x > 0)) throw inputError(`line chart series '${s.name}': x = ${p.x} cannot go on a log axis (needs x > 0)`);
      const band = p.lo !== undefined && p.hi !== undefined;
      rows.push({ series: s.name, x: p.x, y: p.y, lo: band ? p.lo! : null, hi: band ? p.hi! : null });
    }
  }
  const xEnc = { field: 'x', type: 'quantitative', title: input.x, scale: logX ? { type: 'log' } : { zero: false } };
  // bands and lines use separate colour scales with the same pinned domain (so the colours
  // match), and only the lines' scale has a legend (otherwise it takes the band's opacity)
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: names } };
  const spec = {
    ...frame(title, rows),
    layer: [
      {
        name: 'band',
        transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x: xEnc,
          y: { field: 'lo', type: 'quantitative', title: input.y },
          y2: { field: 'hi' },
          color: { ...color, legend: null },
          detail: { field: 'series' },
        },
      },
      {
        name: 'lines',
        mark: { type: 'line', point: { filled: true, size: 30 } },
        encoding: {
          x: xEnc,
          y: { field: 'y', type: 'quantitative', title: input.y, scale: { zero: false } },
          color,
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return renderVegaLite(spec as TopLevelSpec);
}

// ───────────────────── scenario charts (page and `mixcast plot`) ─────────────────────
//
// Colours go from light to dark with the band's width and lines also differ by dash, so the
// charts read in greyscale. Each layer has a name: vega writes it into the SVG as the class
// `<name>_marks`, which is how the tests find the bands, the median and the cases.

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const PANEL = { width: 300, height: 170 };
const BANDS = [
  { name: 'band90', label: '90%', lo: '0.05', hi: '0.95', color: '#c6dbef' },
  { name: 'band80', label: '80%', lo: '0.1', hi: '0.9', color: '#6baed6' },
  { name: 'band50', label: '50%', lo: '0.25', hi: '0.75', color: '#2171b5' },
] as const;
const MEDIAN_COLOR = '#08306b';
const PATH_COLOR = '#636363';
const OBSERVED_COLOR = '#000000';
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3]];
const CASE_COLORS = ['#08306b', '#d94801', '#238b45', '#6a51a3', '#a50f15', '#525252'];

export interface FanDayInput {
  date: string;
  /** Per-interval quantiles keyed by level ('0.05', '0.1', '0.25', '0.5', '0.75', '0.9', '0.95'); '0.5' is required, a band is drawn when both its ends are given. */
  quantiles: Record<string, number[]>;
  /** A few individual scenarios (each a full day), drawn as thin lines. */
  paths?: number[][];
}

export interface ScenarioFanInput {
  title: string;
  labels: string[];
  days: FanDayInput[];
  /** Observed days before the scenarios (their own panels, one solid line each). */
  observed?: { date: string; values: number[] }[];
  yTitle?: string;
}

/**
 * The observed days a fan chart starts with: the last `n` of `recent` (chronological) that have
 * values, when the first scenario date follows the last of them within a week; else none.
 */
export function observedBefore(recent: readonly { date: string; values?: readonly number[] }[], first: string, n = 3): { date: string; values: number[] }[] {
  const days = recent.filter((d): d is { date: string; values: readonly number[] } => Array.isArray(d.values));
  if (!days.length) return [];
  const gap = (Date.parse(`${first}T00:00:00Z`) - Date.parse(`${days[days.length - 1].date}T00:00:00Z`)) / 86_400_000;
  if (!(gap >= 1 && gap <= 7)) return [];
  return days.slice(-n).map((d) => ({ date: `${d.date} (observed)`, values: [...d.values] }));
}

const facetOf = (n: number) => ({ facet: { field: 'date', type: 'ordinal', title: null, header: { labelFontWeight: 'bold' } }, columns: Math.min(n, 3) });

/** Fan chart per day: 90/80/50 % bands, the median and a few scenario paths, one panel per date; observed days before them. */
export function scenarioFanSpec(input: ScenarioFanInput): TopLevelSpec {
  const { labels, days } = input;
  const observed = input.observed ?? [];
  const n = labels.length;
  if (n === 0) throw inputError('fan chart: no interval labels');
  if (days.length === 0) throw inputError('fan chart: no dates');
  const bands = BANDS.filter((b) => days.every((d) => d.quantiles[b.lo] && d.quantiles[b.hi]));
  const rows: Record<string, unknown>[] = [];
  for (const d of days) {
    if (!d.quantiles['0.5']) throw inputError(`fan chart ${d.date}: quantiles must include the median '0.5'`);
    for (const [k, v] of Object.entries(d.quantiles)) checkSeries(v, n, `fan chart ${d.date} quantile '${k}'`);
    labels.forEach((label, i) => {
      const r: Record<string, unknown> = { kind: 'q', date: d.date, i, label, median: d.quantiles['0.5'][i] };
      for (const b of bands) (r[`${b.name}_lo`] = d.quantiles[b.lo][i]), (r[`${b.name}_hi`] = d.quantiles[b.hi][i]);
      rows.push(r);
    });
    (d.paths ?? []).forEach((p, s) => {
      checkSeries(p, n, `fan chart ${d.date} path ${s}`);
      labels.forEach((label, i) => rows.push({ kind: 'path', date: d.date, i, label, scenario: s, value: p[i] }));
    });
  }
  for (const o of observed) {
    checkSeries(o.values, n, `fan chart observed ${o.date}`);
    labels.forEach((label, i) => rows.push({ kind: 'obs', date: o.date, i, label, value: o.values[i] }));
  }
  const hasPaths = days.some((d) => (d.paths ?? []).length > 0);
  const hasObserved = observed.length > 0;
  const domain = [...bands.map((b) => b.label), 'median', ...(hasPaths ? ['scenario'] : []), ...(hasObserved ? ['observed'] : [])];
  const range = [...bands.map((b) => b.color), MEDIAN_COLOR, ...(hasPaths ? [PATH_COLOR] : []), ...(hasObserved ? [OBSERVED_COLOR] : [])];
  const color = (name: string) => ({ datum: name, scale: { domain, range }, legend: { title: null } });
  const yTitle = input.yTitle ?? 'value';
  const x = { field: 'label', type: 'ordinal', sort: null, title: 'interval start', axis: { labelAngle: -90, labelOverlap: 'parity' } };
  const q = { filter: "datum.kind === 'q'" };
  const layer: object[] = bands.map((b) => ({
    name: b.name,
    transform: [q],
    mark: { type: 'area', opacity: 0.9 },
    encoding: { x, y: { field: `${b.name}_lo`, type: 'quantitative', title: yTitle }, y2: { field: `${b.name}_hi` }, color: color(b.label) },
  }));
  if (hasPaths) {
    layer.push({
      name: 'paths',
      transform: [{ filter: "datum.kind === 'path'" }],
      mark: { type: 'line', strokeWidth: 0.8, opacity: 0.8, strokeDash: [3, 2] },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: yTitle }, detail: { field: 'scenario' }, color: color('scenario') },
    });
  }
  layer.push({
    name: 'median',
    transform: [q],
    mark: { type: 'line', strokeWidth: 2.2 },
    encoding: { x, y: { field: 'median', type: 'quantitative', title: yTitle }, color: color('median'), tooltip: [{ field: 'date' }, { field: 'label', title: 'interval' }, { field: 'median', format: ',.1f' }] },
  });
  if (hasObserved) {
    layer.push({
      name: 'observed',
      transform: [{ filter: "datum.kind === 'obs'" }],
      mark: { type: 'line', strokeWidth: 1.6 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: yTitle }, color: color('observed'), tooltip: [{ field: 'date' }, { field: 'label', title: 'interval' }, { field: 'value', format: ',.1f' }] },
    });
  }
  return { $schema: SCHEMA, title: input.title, background: 'white', data: { values: rows }, ...facetOf(days.length + observed.length), spec: { ...PANEL, layer } } as unknown as TopLevelSpec;
}

export interface TotalsInput {
  title: string;
  /** Per date: the daily total of every scenario. */
  dates: { date: string; totals: number[] }[];
  /** Per scenario: the total over all dates (scenario s summed over the dates), shown when there are several dates. */
  rangeTotals?: number[];
  yTitle?: string;
}

/** Distribution of daily totals per date (box plot over every scenario's total), and of the range total. */
export function totalsSpec(input: TotalsInput): TopLevelSpec {
  if (input.dates.length === 0) throw inputError('totals chart: no dates');
  const rows = input.dates.flatMap((d) => {
    checkSeries(d.totals, d.totals.length, `totals chart ${d.date}`);
    if (d.totals.length === 0) throw inputError(`totals chart ${d.date}: no scenarios`);
    return d.totals.map((total, scenario) => ({ date: d.date, scenario, total }));
  });
  const what = input.yTitle ?? 'daily total';
  const daily = {
    title: `${what} per date`,
    width: 560,
    height: Math.max(90, 34 * input.dates.length),
    data: { values: rows },
    encoding: { y: { field: 'date', type: 'ordinal', title: null }, x: { field: 'total', type: 'quantitative', title: what, scale: { zero: false } } },
    layer: [
      { name: 'ticks', mark: { type: 'tick', color: PATH_COLOR, opacity: 0.35, thickness: 1 }, encoding: {} },
      { name: 'box', mark: { type: 'boxplot', extent: 'min-max', size: 18, color: '#6baed6', median: { color: MEDIAN_COLOR, strokeWidth: 2 } }, encoding: {} },
    ],
  };
  const parts: object[] = [daily];
  if (input.rangeTotals && input.dates.length > 1) {
    checkSeries(input.rangeTotals, input.rangeTotals.length, 'totals chart range totals');
    parts.push({
      title: `total over ${input.dates[0].date} … ${input.dates[input.dates.length - 1].date}, per scenario`,
      width: 560,
      height: 160,
      data: { values: input.rangeTotals.map((total) => ({ total })) },
      layer: [
        { name: 'rangebars', mark: { type: 'bar', color: '#6baed6', stroke: 'white', strokeWidth: 0.5 }, encoding: { x: { field: 'total', type: 'quantitative', bin: { maxbins: 30 }, title: 'total over the dates' }, y: { aggregate: 'count', type: 'quantitative', title: 'scenarios' } } },
        { name: 'rangemedian', mark: { type: 'rule', color: MEDIAN_COLOR, strokeWidth: 2, strokeDash: [4, 2] }, encoding: { x: { aggregate: 'median', field: 'total', type: 'quantitative' } } },
      ],
    });
  }
  return { $schema: SCHEMA, title: input.title, background: 'white', vconcat: parts } as unknown as TopLevelSpec;
}

export interface WhatIfChartInput {
  title: string;
  labels: string[];
  /** Per case (the baseline first): per date, per-interval quantiles '0.1', '0.5', '0.9'. */
  cases: { name: string; days: { date: string; quantiles: Record<string, number[]> }[] }[];
  yTitle?: string;
}

/** What-if cases against the baseline: per date, each case's median with its 10–90 % band. */
export function whatIfSpec(input: WhatIfChartInput): TopLevelSpec {
  const { labels, cases } = input;
  const n = labels.length;
  if (cases.length === 0) throw inputError('what-if chart: no cases');
  const names = cases.map((c) => c.name);
  const rows: Record<string, unknown>[] = [];
  for (const c of cases) {
    for (const d of c.days) {
      const med = d.quantiles['0.5'];
      if (!med) throw inputError(`what-if chart ${c.name} ${d.date}: quantiles must include the median '0.5'`);
      for (const [k, v] of Object.entries(d.quantiles)) checkSeries(v, n, `what-if chart ${c.name} ${d.date} quantile '${k}'`);
      labels.forEach((label, i) => rows.push({ case: c.name, date: d.date, i, label, median: med[i], lo: d.quantiles['0.1']?.[i] ?? null, hi: d.quantiles['0.9']?.[i] ?? null }));
    }
  }
  const dates = [...new Set(rows.map((r) => r.date as string))];
  const yTitle = input.yTitle ?? 'value';
  const x = { field: 'label', type: 'ordinal', sort: null, title: 'interval start', axis: { labelAngle: -90, labelOverlap: 'parity' } };
  const colorScale = { domain: names, range: names.map((_, k) => CASE_COLORS[k % CASE_COLORS.length]) };
  const caseTitle = 'case';
  const layer = [
    {
      name: 'casebands',
      transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
      mark: { type: 'area', opacity: 0.15 },
      encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' }, fill: { field: 'case', type: 'nominal', scale: colorScale, title: caseTitle }, detail: { field: 'case' } },
    },
    {
      name: 'cases',
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x,
        y: { field: 'median', type: 'quantitative', title: yTitle },
        color: { field: 'case', type: 'nominal', scale: colorScale, title: caseTitle },
        strokeDash: { field: 'case', type: 'nominal', scale: { domain: names, range: names.map((_, k) => DASHES[k % DASHES.length]) }, title: caseTitle },
        tooltip: [{ field: 'case' }, { field: 'date' }, { field: 'label', title: 'interval' }, { field: 'median', format: ',.1f' }],
      },
    },
  ];
  const title = { text: input.title, subtitle: 'lines: median per interval; bands: 10–90 % of the scenarios' };
  return { $schema: SCHEMA, title, background: 'white', data: { values: rows }, ...facetOf(dates.length), spec: { ...PANEL, layer } } as unknown as TopLevelSpec;
}

export interface StaffingPlanInput {
  name: string;
  agents: number[];
  expectedServiceLevel: number[];
}

export interface StaffingChartInput {
  title: string;
  labels: string[];
  /** The service-level target (a share, e.g. 0.8). */
  target: number;
  dates: {
    date: string;
    plans: StaffingPlanInput[];
    /** Simulated day service level of a fixed plan, one value per scenario. */
    simulated?: { plan: string; serviceLevel: number[] };
  }[];
}

/** Agents per interval and expected service level for each plan, and the simulated day service level of a fixed plan. */
export function staffingSpec(input: StaffingChartInput): TopLevelSpec {
  const { labels, dates, target } = input;
  const n = labels.length;
  if (dates.length === 0) throw inputError('staffing chart: no dates');
  const names = [...new Set(dates.flatMap((d) => d.plans.map((p) => p.name)))];
  const rows: Record<string, unknown>[] = [];
  for (const d of dates) {
    for (const p of d.plans) {
      checkSeries(p.agents, n, `staffing chart ${d.date} plan ${p.name} agents`);
      checkSeries(p.expectedServiceLevel, n, `staffing chart ${d.date} plan ${p.name} service level`);
      labels.forEach((label, i) => rows.push({ date: d.date, plan: p.name, i, label, agents: p.agents[i], sl: p.expectedServiceLevel[i] }));
    }
  }
  const x = { field: 'label', type: 'ordinal', sort: null, title: 'interval start', axis: { labelAngle: -90, labelOverlap: 'parity' } };
  const color = { field: 'plan', type: 'nominal', title: 'plan', scale: { domain: names, range: names.map((_, k) => CASE_COLORS[k % CASE_COLORS.length]) } };
  const dash = { field: 'plan', type: 'nominal', title: 'plan', scale: { domain: names, range: names.map((_, k) => DASHES[k % DASHES.length]) } };
  const facet = facetOf(dates.length);
  const parts: object[] = [
    {
      title: 'agents per interval',
      data: { values: rows },
      ...facet,
      spec: { ...PANEL, layer: [{ name: 'agents', mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y: { field: 'agents', type: 'quantitative', title: 'agents' }, color, strokeDash: dash, tooltip: [{ field: 'plan' }, { field: 'label', title: 'interval' }, { field: 'agents' }] } }] },
    },
    {
      title: `expected service level (target ${Math.round(target * 1000) / 10} %)`,
      data: { values: rows.map((r) => ({ ...r, target })) },
      ...facet,
      spec: {
        ...PANEL,
        layer: [
          { name: 'servicelevel', mark: { type: 'line', strokeWidth: 2, point: { size: 14 } }, encoding: { x, y: { field: 'sl', type: 'quantitative', title: 'service level', scale: { domain: [0, 1] }, axis: { format: '.0%' } }, color, strokeDash: dash } },
          { name: 'target', mark: { type: 'rule', color: '#a50f15', strokeDash: [4, 3] }, encoding: { y: { field: 'target', type: 'quantitative', aggregate: 'max' } } },
        ],
      },
    },
  ];
  const sim = dates.filter((d) => d.simulated && d.simulated.serviceLevel.length > 0);
  if (sim.length > 0) {
    const simRows = sim.flatMap((d) => {
      checkSeries(d.simulated!.serviceLevel, d.simulated!.serviceLevel.length, `staffing chart ${d.date} simulated service level`);
      return d.simulated!.serviceLevel.map((sl) => ({ date: d.date, plan: d.simulated!.plan, sl, target }));
    });
    parts.push({
      title: `simulated day service level of the ${sim[0].simulated!.plan} plan, one value per scenario`,
      data: { values: simRows },
      ...facetOf(sim.length),
      spec: {
        ...PANEL,
        layer: [
          { name: 'simulated', mark: { type: 'bar', color: '#6baed6', stroke: 'white', strokeWidth: 0.5 }, encoding: { x: { field: 'sl', type: 'quantitative', bin: { maxbins: 25 }, title: 'day service level', axis: { format: '.0%' } }, y: { aggregate: 'count', type: 'quantitative', title: 'scenarios' } } },
          { name: 'simtarget', mark: { type: 'rule', color: '#a50f15', strokeDash: [4, 3], strokeWidth: 2 }, encoding: { x: { field: 'target', type: 'quantitative', aggregate: 'max' } } },
        ],
      },
    });
  }
  return { $schema: SCHEMA, title: input.title, background: 'white', vconcat: parts } as unknown as TopLevelSpec;
}
