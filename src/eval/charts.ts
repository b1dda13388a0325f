/**
 * Charts for reports: vega-lite specs compiled to vega and rendered headless to SVG in Node
 * (renderer 'none', no canvas, no DOM). No hand-written SVG.
 */
import * as vl from 'vega-lite';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { inputError } from '../errors.js';

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
