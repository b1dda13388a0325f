/**
 * The layers of ../shared/DESIGN.md ("Layers"), as this tree has them; `npm run lint:deps`
 * checks every import (type-only ones too) and fails on a forbidden one.
 *
 *   apps     src/cli  src/server  src/jobs  src/staffing  src/eval
 *   forecast src/scenarios
 *   model    src/model  src/prior  src/diffusion  src/nn  src/train  src/transform  src/calendar  src/context
 *   data     adapters/
 *   core     src/core   (errors, dates, durations, numbers, quantiles, CSV, random numbers, files)
 *   bench/   benchmark-only code; nothing in src/ or adapters/ imports it
 *
 * Where a rule is not met yet, the import is listed in KNOWN below, each with why; a listed
 * import is reported as ignored, any other forbidden import fails the check.
 */
const APPS = '^src/(cli|server|jobs|staffing|eval)/';
const MODEL = '^src/(model|prior|diffusion|nn|train|transform|calendar|context)/';

/** Imports that break a rule today, each with why and what removes it. Nothing else is exempt. */
const exempt = (rule, from, to) => ({ type: 'dependency', from, to, rule: { severity: 'error', name: rule } });
const KNOWN = [
  // Intraday updates report the CRPS of their scenarios with src/eval/scores.ts. The scores are
  // pure functions that belong a layer down: moving scores.ts to src/scores/ removes this.
  exempt('forecast-not-apps', 'src/scenarios/intraday.ts', 'src/eval/scores.ts'),
  // The /v1/jobs HTTP router parses bodies and streams CSV/JSON with the server's respond
  // helpers: the router is HTTP code and belongs in src/server/ (move jobs/router.ts there).
  exempt('apps-not-each-others-internals', 'src/jobs/router.ts', 'src/server/respond.ts'),
  // The planner's page is a browser bundle (esbuild): it takes the chart specs and the queue
  // simulation from their own small files, since the app entries pull in Node-only code
  // (tfjs, fs, worker threads) that cannot run in a browser.
  exempt('apps-not-each-others-internals', 'src/server/web/app/forecast.ts', 'src/eval/charts.ts'),
  exempt('apps-not-each-others-internals', 'src/server/web/app/staffing.ts', 'src/eval/charts.ts'),
  exempt('apps-not-each-others-internals', 'src/server/web/app/whatif.ts', 'src/eval/charts.ts'),
  exempt('apps-not-each-others-internals', 'src/server/web/app/staffing.ts', 'src/staffing/simulate.ts'),
];

module.exports = {
  forbidden: [
    {
      name: 'core-imports-nothing-above',
      comment: 'src/core is the bottom layer: it imports only itself, Node and npm packages.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/(?!core/)|adapters/|bench/)' },
    },
    {
      name: 'adapters-only-core',
      comment: 'adapters/ (the data layer) imports only src/core and its own files: nothing under adapters/ knows models, the forecast layer or the apps.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(src/(?!core/)|bench/)' },
    },
    {
      name: 'model-not-above',
      comment: 'The model layer does not import the forecast layer (src/scenarios), the apps or bench/.',
      severity: 'error',
      from: { path: MODEL },
      to: { path: `^src/scenarios/|${APPS}|^bench/` },
    },
    {
      name: 'forecast-not-apps',
      comment: 'src/scenarios (the forecast layer: plan → runScenarios → result) does not import the apps or bench/.',
      severity: 'error',
      from: { path: '^src/scenarios/' },
      to: { path: `${APPS}|^bench/` },
    },
    {
      name: 'apps-not-each-others-internals',
      comment: 'An app reaches another app only through that app\'s index.ts (its public entry), never its internal files.',
      severity: 'error',
      from: { path: '^src/(cli|server|jobs|staffing|eval)/' },
      to: {
        path: APPS,
        pathNot: ['^src/$1/', '^src/(cli|server|jobs|staffing|eval)/index\\.ts$'],
      },
    },
    {
      name: 'cli-commands-not-libraries',
      comment: 'A CLI command module does not import another command module; shared helpers live in src/cli/common.ts, options.ts, flags.ts, context.ts, progress.ts, scenario-options.ts, train-options.ts and train-series.ts (train --per-series). Only run.ts (the registry) imports commands.',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/(run|main)\\.ts$' },
      to: { path: '^src/cli/', pathNot: '^src/cli/(common|options|flags|context|progress|scenario-options|train-options|train-series)\\.ts$' },
    },
    {
      name: 'apps-through-entries',
      comment:
        'The apps reach the library through entries — src/index.ts (the public API), a package\'s index.ts (src/model, src/scenarios, src/train, src/prior, …), adapters/index.ts, src/train/fit.ts (fitModel) and src/train/global.ts (fitGlobalModel) — never through the internal files of the model, forecast and data layers.',
      severity: 'error',
      from: { path: APPS },
      to: {
        path: `${MODEL}|^src/scenarios/|^adapters/`,
        pathNot: ['^src/index\\.ts$', '^src/[^/]+/index\\.ts$', '^adapters/index\\.ts$', '^src/train/fit\\.ts$', '^src/train/global\\.ts$'],
      },
    },
    {
      name: 'no-bench-in-library',
      comment: 'Benchmark-only code (mis-specified priors, peers, harnesses) lives in bench/; the library and the adapters never import it.',
      severity: 'error',
      from: { path: '^(src|adapters)/' },
      to: { path: '^bench/' },
    },
  ],
  options: {
    knownViolations: KNOWN,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    // The project type-checks with TypeScript 7, which has no JavaScript compiler API; the .ts
    // files are read through @babel/preset-typescript (type-only imports kept, see that file).
    babelConfig: { fileName: require('node:path').join(__dirname, '.dependency-cruiser-babel.cjs') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
