/** The `mixcast` command line: a thin layer of commander commands over the library API. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('mixcast')
  .description('Scenario generation for operational time series with structured-prior diffusion (mixDDPM / mixSGM)')
  .version(pkg.version)
  .showHelpAfterError();

// Each command registers itself; one line per command module.
// (commands are added here as they land)

await program.parseAsync(process.argv);
