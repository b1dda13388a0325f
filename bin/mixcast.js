#!/usr/bin/env node
// The `mixcast` command: runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci`,
// `npm install` from git and `npm pack` run through the `prepare` script). No TypeScript loader
// at run time; to run the TypeScript sources directly while developing: `npm run mixcast -- …`.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('mixcast: the compiled CLI (dist/) is missing; run `npm run build` in the mixcast folder, or `npm run mixcast -- <command>` to run from the sources\n');
  process.exit(2);
}
await import(compiled.href);
