/** The `mixcast` command line: a thin layer of commander commands over the library API. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { register as registerIngest } from './ingest.js';
import { register as registerStaff } from './staff.js';
import { register as registerEvaluate } from './evaluate.js';
import { register as registerTrain } from './train.js';
import { register as registerSample } from './sample.js';
import { register as registerGenerate } from './generate.js';
import { register as registerForecast } from './forecast.js';
import { register as registerWhatif } from './whatif.js';
import { register as registerServe } from './serve.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('mixcast')
  .description('Scenario generation for operational time series with structured-prior diffusion (mixDDPM / mixSGM)')
  .version(pkg.version)
  .showHelpAfterError();

// Each command registers itself; one line per command module.
// (commands are added here as they land)
registerIngest(program);
registerStaff(program);
registerEvaluate(program);
registerTrain(program);
registerSample(program);
registerGenerate(program);
registerForecast(program);
registerWhatif(program);
registerServe(program);

await program.parseAsync(process.argv);
