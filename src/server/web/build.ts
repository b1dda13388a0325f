/**
 * Builds the page's script: app/main.ts (and the chart specs and staffing simulation it imports
 * from the library) bundled by esbuild into dist/app.js, an ES module for current browsers.
 * The output is a build product, not committed: `npm run build` and `prepare` (so `npm ci`,
 * `npm install` from git and `npm pack`) write it, and test/page.test.ts rebuilds it before it
 * serves the page. Run: `npm run build:web`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeFileAtomic } from '../../core/io.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const APP_OUT = path.join(here, 'dist', 'app.js');

/** The bundle's text (nothing written). */
export async function bundleApp(): Promise<string> {
  const r = await build({
    entryPoints: [path.join(here, 'app', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    // charts.ts loads vega/vega-lite lazily for headless rendering in Node; the page uses the
    // vendored vega-embed instead, so those imports stay out of the bundle (and are never run)
    external: ['vega', 'vega-lite'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
  });
  return `// Built by \`npm run build:web\` from src/server/web/app/*.ts — do not edit.\n${r.outputFiles[0].text}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await bundleApp();
  writeFileAtomic(APP_OUT, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), APP_OUT)} (${(text.length / 1024).toFixed(1)} KiB)\n`);
}
