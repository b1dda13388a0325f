/**
 * mixcast's public API: the names a user of the library needs, and nothing of its plumbing.
 *
 *   import { initBackend, ingest, fitModel, saveModel, loadModel, generateScenarios } from 'mixcast';
 *
 * Data in (adapters) → fitModel → a Predictor (save/load) → runScenarios or its shapes
 * (generateScenarios, forecast, whatIfBatch) → scores, backtests, staffing. Internals (plans,
 * units, chunking, worker protocols, benchmark helpers) stay in their modules.
 */

// ───────────────────────────── errors and backend ─────────────────────────────
export {
  /** The typed error every user-caused problem throws: `code`, `message` (says what to fix), `details`, HTTP `status`. */
  MixcastError,
  /** True for a MixcastError (also across module copies). */
  isMixcastError,
  /** The error codes (BAD_INPUT, BAD_OPTION, UNPROCESSABLE, NOT_FOUND, …). */
  type ErrorCode,
} from './core/errors.js';
export {
  /** Start tfjs on a backend (`auto`, `node`, `wasm`, `cpu`, …) before fitting or sampling. */
  initBackend,
  /** The backend in use, its version and thread count. */
  backendInfo,
  /** The backend names initBackend accepts. */
  BACKENDS,
  type BackendChoice,
  type BackendInfo,
} from './backend.js';

// ───────────────────────────── data in ─────────────────────────────
export {
  /** Read a CSV/JSON file of one series into whole days (DaySeries): interval grid, DST, gaps, aggregation. */
  ingest,
  /** The same from rows already in memory. */
  ingestRows,
  /** Every series of a long file (unique_id, ds, y), as a set of DaySeries. */
  ingestMany,
  /** A human-readable summary of what ingest kept, dropped and repaired. */
  formatReport,
  type Day,
  type DaySeries,
  type IngestOptions,
  type IngestReport,
  type SeriesSet,
} from '../adapters/index.js';

// ───────────────────────────── training ─────────────────────────────
export {
  /** Fit a mixture-prior diffusion model to a DaySeries: `{ model, summary }`; the model is a Predictor. */
  fitModel,
  /** The defaults fitModel fills in (documented in the README's "Defaults"). */
  defaultFitOptions,
  /** The choice lists of the fit options (one constant each, shared by the CLI and the schemas). */
  FAMILIES,
  SKIP_MODES,
  TRANSFORM_KINDS,
  CONDITION_MODES,
  CONTEXT_MODES,
  type FitOptions,
  type FitSummary,
  type Family,
  type SkipMode,
  type TransformKind,
} from './train/fit.js';
/** Progress events fitModel's `onProgress` receives. */
export type { ProgressEvent } from './train/index.js';
export {
  /** Fit one global model to several series (one network; components per (series, key); the series one-hot as an input). */
  fitGlobalModel,
  type GlobalFitOptions,
  type GlobalFitSummary,
} from './train/global.js';

// ───────────────────────────── models (Predictors) ─────────────────────────────
export {
  /** A fitted or loaded model: a Predictor (manifest info + sampleDays); call `dispose()` when done. */
  MixcastModel,
  /** Save a model as a bundle folder (atomic; never replaces what mixcast did not write). */
  saveModel,
  /** Load a bundle folder as a MixcastModel (refuses a corrupt or inconsistent bundle). */
  loadModel,
  /** Read a bundle's manifest without loading the network. */
  readManifest,
  /** A global model in memory: `series(id)` is each series' model (a Predictor sharing one network). */
  GlobalModel,
  /** Save a global model as a collection folder (one shared weights file, one manifest per series). */
  saveGlobalModel,
  /** Load every series of a saved global model, sharing one network. */
  loadGlobalModel,
  /** The models a request names in a bundle, a per-series collection or a global model: one, a list, or 'all'. */
  loadSeriesModels,
  type Manifest,
  type SaveOptions,
} from './model/index.js';

// ───────────────────────────── scenarios ─────────────────────────────
export {
  /** The one scenario runner: a request (dates, count, seed, sampler, observed part, what-if, shape) → the typed result, on any executor. */
  runScenarios,
  /** The default executor: the request's units on this thread. */
  inProcessExecutor,
  /** Scenarios (whole days) per date: `runScenarios` with shape `scenarios`. */
  generateScenarios,
  /** Per-interval mean and quantiles per date: shape `forecast`. */
  forecast,
  /** Named what-if cases on common base scenarios: shape `whatif`. */
  whatIfBatch,
  /** What-if cases from JSON (validated, with the baseline added). */
  parseCases,
  /** Observed slots of the forecast day (intraday updates) from a file. */
  readObservedFile,
  /** Rows of the long scenario table (series,timestamp,date,interval,scenario,component,value). */
  scenarioRows,
  /** The header of scenarioRows. */
  SCENARIO_HEADER,
  /** The forecast table (series,timestamp,date,interval,mean,q<level>). */
  forecastTable,
  /** The what-if table (one row per case × date × interval). */
  whatIfTable,
  /** Save / load a Predictor (the model bundle). */
  savePredictor,
  loadPredictor,
  type Predictor,
  type ScenarioExecutor,
  type RunRequest,
  type RunResult,
  type ScenarioOptions,
  type ScenarioRequest,
  type ScenarioResult,
  type ForecastRequest,
  type ForecastResult,
  type WhatIfBatchRequest,
  type WhatIfResult,
  type WhatIfCase,
  type WhatIfTransform,
  type DaySummary,
  type Dist,
  type OutputKind,
} from './scenarios/index.js';
export {
  /** Replay days slot by slot: how much observing the morning improves the rest of the day. */
  intradayBacktest,
  type IntradayOptions,
  type IntradayReport,
} from './scenarios/intraday.js';

// ───────────────────────────── scores and evaluation ─────────────────────────────
export {
  /** Fair sample CRPS of one scalar. */
  crps,
  /** Energy score of a set of scenario days against the observed day. */
  energyScore,
  /** Pinball losses at quantile levels. */
  pinball,
  /** Coverage of central intervals. */
  coverage,
  /** PIT values and their histogram (calibration). */
  pitValues,
  pitHistogram,
  /** Wasserstein-1 distance between two samples of a scalar. */
  wasserstein1,
  /** Energy distance between two sets of days. */
  energyDistance,
  /** All scores of one day, and their aggregate over days. */
  scoreDay,
  aggregateScores,
  /** Type-7 quantile of a sample, and per-interval quantiles of a scenario set. */
  quantile,
  intervalQuantiles,
  type DayScores,
  type AggregateScores,
} from './eval/scores.js';
export {
  /** Rolling-origin backtest of a model against baselines (bootstrap, gaussian, ddpm, seasonal naive), scored on runScenarios' samples. */
  backtest,
  /** The backtest defaults. */
  defaultBacktestOptions,
  /** Evaluation by lead (1, 7, 14 days …) with and without context, against lead-aware baselines. */
  evaluateByLead,
  /** One evaluation by lead from runs with different seeds: averaged, with each seed's summary. */
  mergeSeeds,
  /** The backtest's Markdown report with charts, written to a folder. */
  writeBacktestReport,
  type BacktestOptions,
  type BacktestResult,
  type LeadEvalOptions,
  type LeadEvaluation,
} from './eval/index.js';

// ───────────────────────────── staffing ─────────────────────────────
export {
  /** Minimal agents for one interval (Erlang C), and the metrics of a given staffing. */
  erlangC,
  erlangCMetrics,
  /** The same with abandonment (Erlang A). */
  erlangA,
  erlangAMetrics,
  /** Scenario-based staffing: required agents per scenario and interval, quantile plans, newsvendor. */
  scenarioStaffing,
  /** The staffing table (one row per interval). */
  scenarioStaffingTable,
  /** Staffing for dates straight from a model (runScenarios + scenarioStaffing). */
  staffFromModel,
  /** Discrete-event simulation of a plan against scenario days. */
  simulate,
  /** A plan or scenario file (CSV) read for staffing. */
  parsePlanCsv,
  parseScenariosCsv,
  type ScenarioStaffingOptions,
  type ScenarioStaffingResult,
  type ModelStaffingRequest,
  type ModelStaffingResult,
  type SimulateOptions,
  type SimulationResult,
} from './staffing/index.js';

// ───────────────────────────── HTTP service ─────────────────────────────
export {
  /** Start `mixcast serve` in-process: the HTTP API over a folder of models, with its worker pool. */
  startServer,
  /** The express app alone (for embedding in another server). */
  createApp,
  type ServerOptions,
  type RunningServer,
} from './server/index.js';

// ───────────────────────────── output ─────────────────────────────
export {
  /** CSV text from a header and rows (quotes only where needed). */
  toCsv,
} from './core/csv.js';
