/**
 * The evaluation app's entry: rolling-origin backtests, evaluation by lead, the Markdown report,
 * scores and the chart specs. Other apps (the CLI) import evaluation from here.
 */
export {
  backtest, defaultBacktestOptions, parseBaselines, rollingFolds, summarise, BASELINES, MODEL, FAN_QUANTILES,
  type BacktestOptions, type BacktestResult, type BaselineName, type FoldResult, type MethodSummary,
} from './backtest.js';
export { bestBaseline, evaluateByLead, leadReport, mergeSeeds, LEAD_METHODS, type LeadEvalOptions, type LeadEvaluation, type LeadMethodName } from './leads.js';
export { backtestMarkdown, fmt, pct, writeBacktestReport } from './report.js';
export {
  renderVegaLite, fanChartSvg, pitHistogramSvg, lineChartSvg, scenarioFanSpec, observedBefore, totalsSpec, whatIfSpec, staffingSpec,
  type ScenarioFanInput, type TotalsInput, type WhatIfChartInput, type StaffingChartInput,
} from './charts.js';
export * from './scores.js';
