/**
 * The package version, read from mixcast's own package.json. Works from the TypeScript sources
 * (src/version.ts) and from the compiled copy (dist/src/version.js): it walks up from this file
 * to the first package.json named "mixcast".
 */
import { readFileSync } from 'node:fs';

function findVersion(): string {
  let dir = new URL('./', import.meta.url);
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mixcast' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
    dir = new URL('../', dir);
  }
  throw new Error('mixcast: cannot find its own package.json (is the installation complete?)');
}

/** mixcast's version, e.g. "0.1.0". */
export const VERSION: string = findVersion();
