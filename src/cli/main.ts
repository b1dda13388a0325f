/** The `mixcast` command line: a thin layer of commander commands over the library API (see run.ts). */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv);
