/**
 * The planner's page and the API docs, served by the same Express app as the API:
 *
 *   GET /                 the page (page/index.html)
 *   GET /web/app.js       the page's script: app/*.ts bundled by esbuild (npm run build:web)
 *   GET /web/app.css
 *   GET /web/vendor/…     vega, vega-lite and vega-embed, straight from their npm packages
 *   GET /docs             Swagger UI over /openapi.json, from the swagger-ui-dist package
 *
 * Everything is a file of this package or of its dependencies: no CDN, no fonts fetched (the
 * page uses the system's sans-serif), and a Content-Security-Policy that allows only this
 * origin. The files are public; the API token (when set) guards /v1 only, and the page asks
 * for it there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Response } from 'express';
import { MixcastError } from '../../core/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** mixcast's own folder (the one with its package.json), whether running from src/ or a compiled copy. */
function ownRoot(): string {
  for (let dir = here; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mixcast') return dir;
    if (path.dirname(dir) === dir) throw new MixcastError('NOT_FOUND', `cannot find mixcast's package.json above ${here}`);
  }
}

/** The page's files (page/ and the built dist/), kept beside the sources in the package. */
export const webDir = (): string => path.join(ownRoot(), 'src', 'server', 'web');

/** The folder of an installed npm package, found the way Node looks for it (node_modules upward). */
export function packageDir(name: string, from = here): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new MixcastError('NOT_FOUND', `the page needs the npm package ${name}, which is not installed; run npm install`);
}

/** Every file the routes serve: URL path → file on disk. */
export function webFiles(): Map<string, string> {
  const WEB_DIR = webDir();
  const vega = packageDir('vega');
  const vl = packageDir('vega-lite');
  const embed = packageDir('vega-embed');
  const swagger = packageDir('swagger-ui-dist');
  return new Map([
    ['/', path.join(WEB_DIR, 'page', 'index.html')],
    ['/web/app.js', path.join(WEB_DIR, 'dist', 'app.js')],
    ['/web/app.css', path.join(WEB_DIR, 'page', 'app.css')],
    ['/web/vendor/vega.min.js', path.join(vega, 'build', 'vega.min.js')],
    ['/web/vendor/vega-lite.min.js', path.join(vl, 'build', 'vega-lite.min.js')],
    ['/web/vendor/vega-embed.min.js', path.join(embed, 'build', 'vega-embed.min.js')],
    ['/docs', path.join(WEB_DIR, 'page', 'docs.html')],
    ['/docs/docs.js', path.join(WEB_DIR, 'page', 'docs.js')],
    ['/docs/swagger-ui.css', path.join(swagger, 'swagger-ui.css')],
    ['/docs/swagger-ui-bundle.js', path.join(swagger, 'swagger-ui-bundle.js')],
  ]);
}

// Only this origin. Styles may be inline (vega-embed and Swagger UI set element styles);
// images may be data:/blob: URLs (chart downloads, Swagger UI icons).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The static routes of the page and /docs. */
export function webRoutes(): Router {
  const files = webFiles();
  const router = Router();
  for (const [url, file] of files) {
    router.get(url, (_req, res: Response) => {
      if (!fs.existsSync(file)) {
        const fix = url === '/web/app.js' ? 'the page is not built: run `npm run build` (or `npm run build:web`) in the mixcast folder' : `${file} is missing: reinstall mixcast`;
        res.status(404).json({ error: { code: 'NOT_FOUND', message: fix, details: null } });
        return;
      }
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', url.includes('/vendor/') || url.includes('swagger') ? 'public, max-age=3600' : 'no-cache');
      res.sendFile(file);
    });
  }
  return router;
}
