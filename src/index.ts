/**
 * mixcast's public library API: what the CLI, the HTTP service and users import. Neither the
 * CLI nor the server reaches into internals beyond this surface.
 *
 *   import { initBackend, ingest, fitModel, saveModel, loadModel, generateScenarios } from 'mixcast';
 */

// plumbing
export { initBackend, requestedBackend, backendInfo, BACKENDS, type BackendInfo, type BackendChoice, type BackendName } from './backend.js';
export { MixcastError, isMixcastError, inputError, optionError, unprocessable, modelError, type ErrorCode } from './core/errors.js';
export { rng, drawIndex, type Rng } from './core/random.js';
export { writeFileAtomic } from './core/io.js';
export { toCsv } from './core/csv.js';

// data in
export { ingest, ingestRows, formatReport } from '../adapters/index.js';
export type { Day, DayIssue, DaySeries, IngestOptions, IngestReport, InputFormat, MissingPolicy } from '../adapters/index.js';

// calendar
export {
  defaultCalendarOptions,
  dayKeys,
  assignKeys,
  resolveKey,
  keyChain,
  parseKeySpec,
  parseWeekdays,
  formatMerges,
  type CalendarOptions,
  type KeyAssignment,
  type KeyMerge,
  type KeyName,
} from './calendar/index.js';

// prior and transform
export {
  buildPrior,
  componentDistribution,
  describePrior,
  reverseEffort,
  parsePriorSpec,
  type MixturePrior,
  type PriorComponent,
  type ReverseEffort,
} from './prior/index.js';
export { toModelSpace, fromModelSpace, fitTransform, type TransformParams, type TransformKind } from './transform/index.js';

// training and model bundles
export { fitModel, defaultFitOptions, SKIP_MODES, type FitOptions, type FitSummary, type SkipMode } from './train/fit.js';
export type { ProgressEvent } from './train/index.js';
export { saveModel, loadModel, readManifest } from './model/bundle.js';
export { MixcastModel, type SampleDaysOptions } from './model/model.js';
export type { Manifest } from './model/manifest.js';

// scenarios, forecasts, what-if
export {
  generateScenarios,
  forecast,
  whatIfBatch,
  planScenarios,
  planWhatIf,
  executeUnit,
  assembleScenarios,
  assembleWhatIf,
  summariseDay,
  caseSummaries,
  toForecast,
  modelInfo,
  unitSeeds,
  scenarioRows,
  forecastTable,
  whatIfTable,
  SCENARIO_HEADER,
  parseWhatIf,
  parseCases,
  withBaseline,
  readObservedFile,
  parseObservedRows,
  resolveDates,
  whatIfTransformSchema,
  whatIfCaseSchema,
  whatIfCasesSchema,
  BASELINE,
  CHUNK_SIZE,
  DEFAULT_LIMITS,
  DEFAULT_SCENARIO_QUANTILES,
  DEFAULT_FORECAST_QUANTILES,
  DEFAULT_FORECAST_COUNT,
  DEFAULT_WHATIF_QUANTILES,
  type ScenarioRequest,
  type ScenarioOptions,
  type ScenarioResult,
  type ScenarioPlan,
  type ScenarioUnit,
  type ScenarioLimits,
  type ScenarioModel,
  type ModelInfo,
  type DateScenarios,
  type DatePlan,
  type DaySummary,
  type Dist,
  type ForecastRequest,
  type ForecastResult,
  type DateForecast,
  type WhatIfBatchRequest,
  type WhatIfResult,
  type WhatIfRow,
  type WhatIfTransform,
  type WhatIfCase,
  type ObservedDay,
  type OutputKind,
} from './scenarios/index.js';
export { intradayBacktest, type IntradayOptions, type IntradayReport, type IntradayDay } from './scenarios/intraday.js';

// evaluation
export * from './eval/scores.js';
export { bootstrapBaseline, gaussianBaseline, seasonalNaive, type ScenarioMethod, type PointMethod, type TrainingDay } from './eval/baselines.js';
export { fanChartSvg, pitHistogramSvg, lineChartSvg } from './eval/charts.js';
export { backtest, rollingFolds, modelMethod, parseBaselines, defaultBacktestOptions, BASELINES, type BacktestOptions, type BacktestResult } from './eval/backtest.js';
export { writeBacktestReport, backtestMarkdown } from './eval/report.js';

// staffing
export * from './staffing/index.js';

// HTTP service
export { createApp, startServer, type ServerOptions, type RunningServer } from './server/index.js';
