/**
 * Backtest output: `results.json` (everything), `report.md` (a table per score: model vs
 * baselines, mean and spread over folds, relative improvement over bootstrap) and SVG charts
 * (fan chart of a held-out day with its truth, PIT histograms) rendered by ./charts.ts. Every file
 * is written atomically.
 */
import path from 'node:path';
import { writeFileAtomic } from '../core/io.js';
import { fanChartSvg, pitHistogramSvg } from './charts.js';
import type { BacktestResult, MethodSummary } from './backtest.js';

/** A GitHub-flavoured markdown table; numbers are printed as given (format them first). */
export function mdTable(header: readonly string[], rows: readonly (readonly (string | number)[])[], align?: readonly ('l' | 'r')[]): string {
  const a = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${a.map((x) => (x === 'l' ? ':---' : '---:')).join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

/** A number with `digits` significant digits (plain notation for ordinary magnitudes). */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(decimals, 6));
}

/** A signed percentage, e.g. +12.3 %. */
export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(digits)} %`;
}

const SCORE_TITLES: Record<string, string> = {
  energy: 'Energy score (whole-day vectors; lower is better)',
  crps: 'CRPS, mean over intervals (lower is better)',
  crpsTotal: 'CRPS of the daily total (lower is better)',
  mae: 'MAE of the median / point forecast (lower is better)',
};

function scoreTitle(s: string): string {
  if (SCORE_TITLES[s]) return SCORE_TITLES[s];
  if (s.startsWith('pinball@')) return `Pinball loss at q = ${s.slice(8)} (lower is better)`;
  if (s.startsWith('coverage@')) return `Coverage of the central ${Math.round(100 * Number(s.slice(9)))} % interval (target ${s.slice(9)})`;
  return s;
}

/** Score names in report order. */
export function scoreOrder(summary: readonly MethodSummary[]): string[] {
  const all = new Set<string>();
  for (const m of summary) for (const k of Object.keys(m.mean)) all.add(k);
  const head = ['energy', 'crps', 'crpsTotal', 'mae'].filter((k) => all.has(k));
  const rest = [...all].filter((k) => !head.includes(k)).sort((a, b) => {
    const ga = a.split('@')[0];
    const gb = b.split('@')[0];
    return ga === gb ? Number(a.split('@')[1]) - Number(b.split('@')[1]) : ga < gb ? 1 : -1;
  });
  return [...head, ...rest];
}

/** The markdown report of a backtest. */
export function backtestMarkdown(r: BacktestResult, charts: { fan: string[]; pit: string[] } = { fan: [], pit: [] }): string {
  const c = r.config;
  const f = c.fit;
  const out: string[] = [];
  out.push(`# mixcast backtest\n`);
  out.push(
    `Rolling origin: the last ${c.folds} × ${c.horizon} days of ${r.data.days} (${r.data.firstDate} … ${r.data.lastDate}; ` +
      `${r.data.labels.length} intervals of ${r.data.intervalMinutes} min, ${r.data.open}–${r.data.close}, ${r.data.zone}), ` +
      `${c.folds} fold${c.folds === 1 ? '' : 's'}; each fold trains on every day before its cutoff and scores the next ${c.horizon} days ` +
      `with ${c.count} scenarios per day.\n`,
  );
  out.push(
    mdTable(
      ['setting', 'value'],
      [
        ['source', r.data.source ?? '—'],
        ['model', `prior ${f.prior}, family ${f.family}, condition ${f.condition}, skip ${f.skip}${f.priorAdjustment ? `, ${f.priorAdjustment.name}` : ''}`],
        ['network / training', `hidden ${f.hidden}, blocks ${f.blocks}, steps ${f.steps}, batch ${f.batch}, lr ${f.lr}, seed ${f.seed}`],
        ['sampler', c.sampler],
        ['calendar key of dates', c.keySpec],
        ['baselines', c.baselines.length ? c.baselines.join(', ') : 'none'],
        ['backend', r.backend],
        ['scenario seed', String(c.seed)],
        ['wall time', `${r.timings.totalSeconds.toFixed(1)} s`],
      ],
      ['l', 'l'],
    ),
  );
  out.push(`\n## Folds\n`);
  out.push(
    mdTable(
      ['fold', 'training days', 'cutoff', 'held-out days'],
      r.folds.map((fo) => [fo.fold + 1, `${fo.trainDays} (${fo.trainFirst} … ${fo.trainLast})`, fo.cutoff, `${fo.testDates.length} (${fo.testDates[0]} … ${fo.testDates[fo.testDates.length - 1]})`]),
    ),
  );
  out.push(`\n## Scores\n`);
  out.push(
    'Mean over folds of the fold means; "± folds" is the standard deviation of the fold means (0 with one fold), ' +
      '"± days" the standard deviation over all held-out days. "vs bootstrap" is (bootstrap − method) / bootstrap: positive means better than resampling past days with the same key.\n',
  );
  for (const s of scoreOrder(r.summary)) {
    const rows = r.summary
      .filter((m) => s in m.mean)
      .map((m) => {
        const cov = s.startsWith('coverage@');
        return [
          m.method,
          fmt(m.mean[s]),
          fmt(m.sdOverFolds[s], 3),
          fmt(m.sdOverDays[s], 3),
          m.foldMeans[s].map((v) => fmt(v)).join(', '),
          cov ? `${(100 * (m.mean[s] - Number(s.slice(9)))).toFixed(1)} pp from target` : pct(m.vsBootstrap[s]),
        ];
      });
    if (!rows.length) continue;
    out.push(`\n### ${scoreTitle(s)}\n`);
    out.push(mdTable(['method', 'mean', '± folds', '± days', 'fold means', s.startsWith('coverage@') ? 'vs target' : 'vs bootstrap'], rows));
  }
  const pitRows = r.summary.filter((m) => m.pitHistogram);
  if (pitRows.length) {
    out.push(`\n### PIT histogram (10 bins over every held-out interval; flat = calibrated)\n`);
    out.push(mdTable(['method', ...Array.from({ length: 10 }, (_, i) => `${i / 10}–${(i + 1) / 10}`)], pitRows.map((m) => [m.method, ...m.pitHistogram!])));
  }
  const fits = r.folds.flatMap((fo) => fo.methods.filter((m) => m.fit).map((m) => ({ fold: fo.fold, m })));
  if (fits.length) {
    out.push(`\n## Training\n`);
    out.push(
      mdTable(
        ['fold', 'method', 'prior', 'K', 'steps', 'seconds', 'steps/s', 'final loss', 'reverse effort standard → mixture'],
        fits.map(({ fold, m }) => [
          fold + 1,
          m.method,
          m.fit!.prior,
          m.fit!.K,
          m.fit!.steps,
          m.fit!.seconds.toFixed(1),
          m.fit!.stepsPerSec.toFixed(1),
          fmt(m.fit!.finalLoss),
          `${fmt(m.fit!.reverseEffort.standard)} → ${fmt(m.fit!.reverseEffort.mixture)}`,
        ]),
      ),
    );
  }
  out.push(`\n## Time per method (all folds)\n`);
  out.push(
    mdTable(
      ['method', 'fit s', 'sampling s', 'scoring s'],
      Object.entries(r.timings.perMethod).map(([k, t]) => [k, t.fit.toFixed(1), t.sample.toFixed(2), t.score.toFixed(2)]),
    ),
  );
  const notes = [...new Set(r.folds.flatMap((fo) => fo.methods.flatMap((m) => m.notes.map((n) => `fold ${fo.fold + 1}: ${n}`))))];
  if (notes.length) {
    out.push(`\n## Notes\n`);
    out.push(notes.map((n) => `- ${n}`).join('\n') + '\n');
  }
  if (charts.fan.length || charts.pit.length) {
    out.push(`\n## Charts\n`);
    for (const file of charts.fan) out.push(`![fan chart](${file})\n`);
    for (const file of charts.pit) out.push(`![PIT histogram](${file})\n`);
  }
  return out.join('\n');
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-');

/**
 * Write `results.json`, `report.md`, `fan-<method>.svg` (first held-out day of the last fold) and
 * `pit-<method>.svg` into `dir` (created if needed). Returns the paths written.
 */
export async function writeBacktestReport(r: BacktestResult, dir: string): Promise<string[]> {
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileAtomic(file, text);
    written.push(file);
  };
  const fanFiles: string[] = [];
  const pitFiles: string[] = [];
  // Charts first (they may throw on bad data); the JSON and report last, so report.md links only to files that exist.
  const svgs: [string, string][] = [];
  const yTitle = r.data.valueKind === 'counts' ? `count per ${r.data.intervalMinutes} min` : 'value';
  for (const fc of r.fan) {
    const name = `fan-${safeName(fc.method)}.svg`;
    svgs.push([
      name,
      await fanChartSvg({
        title: `${fc.method}: ${fc.date}${fc.key ? ` (${fc.key})` : ''}, fold ${fc.fold + 1}, held out`,
        labels: r.data.labels,
        quantiles: fc.quantiles,
        truth: fc.truth,
        yTitle,
      }),
    ]);
    fanFiles.push(name);
  }
  for (const m of r.summary) {
    if (!m.pitHistogram) continue;
    const name = `pit-${safeName(m.method)}.svg`;
    svgs.push([name, await pitHistogramSvg({ title: `PIT of ${m.method} over every held-out interval`, counts: m.pitHistogram })]);
    pitFiles.push(name);
  }
  for (const [name, svg] of svgs) put(name, svg);
  put('results.json', JSON.stringify(r, null, 1) + '\n');
  put('report.md', backtestMarkdown(r, { fan: fanFiles, pit: pitFiles }));
  return written;
}
