/**
 * The planner's page and /docs in a real browser: Debian's chromium (/usr/bin/chromium, which
 * .ci/run installs) driven by playwright-core, against `startServer` on 127.0.0.1 with a small
 * trained model and an API token. The page must ask for the token, draw the fan chart (bands,
 * median, paths) and the totals, show a what-if case in its table and chart, plan staffing and
 * simulate a fixed plan, and download CSV; /docs must list every route of /openapi.json. No
 * console errors, no request to any other host. Screenshots go to bench/results/page/.
 * The page's script (src/server/web/dist/app.js, a build output) is rebuilt first.
 * A missing chromium is a failure, not a skip.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { initBackend } from '../src/backend.js';
import { ingest, ingestMany } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { fitGlobalModel } from '../src/train/global.js';
import { saveGlobalModel } from '../src/model/global.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { bundleApp, APP_OUT } from '../src/server/web/build.js';
import { writeFileAtomic } from '../src/core/io.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'bench/results/page';
const TOKEN = 'page-test-token';

let dir: string;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
const requests: string[] = [];
const problems: string[] = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does this)`);
  // the page's script is a build output (npm run build / prepare); build it from the current
  // sources so the test never serves a stale bundle
  const bundle = await bundleApp();
  if (!fs.existsSync(APP_OUT) || fs.readFileSync(APP_OUT, 'utf8') !== bundle) writeFileAtomic(APP_OUT, bundle);
  await initBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-page-'));
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  // a scheduled retraining: the served model is warm-started from one trained on the first 120 days
  const first = fitModel({ ...ds, days: ds.days.slice(0, 120) }, { prior: 'weekday', steps: 40, hidden: 32, blocks: 1, seed: 1 }).model;
  const { model } = fitModel(ds, { prior: 'weekday', steps: 20, hidden: 32, blocks: 1, seed: 1, warmStart: first });
  first.dispose();
  await saveModel(model, path.join(dir, 'models', 'bank'));
  model.dispose();
  // a model of several series: one global network over two pedestrian sensors
  const peds = (await ingestMany({ input: 'fixtures/melbourne_pedestrian_4_sensors.csv', seriesCol: 'sensor', tz: 'Australia/Melbourne' })).series.slice(0, 2);
  const global = fitGlobalModel(peds, { steps: 20, hidden: 16, blocks: 1, batch: 64, seed: 1 }).model;
  await saveGlobalModel(global, path.join(dir, 'models', 'peds'), 'sensor');
  global.dispose();
  server = await startServer({ models: path.join(dir, 'models'), port: 0, host: '127.0.0.1', workers: 0, backend: 'wasm', token: TOKEN });
  browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  browser.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const status = () => page.textContent('#status');

describe('the planner page in chromium', () => {
  it('asks for the API token, then loads the model', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#token-form:not([hidden])');
    assert.match((await status()) ?? '', /needs an API token/);
    await page.getByLabel('Token').fill(TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Model bank loaded/.test(document.getElementById('status')!.textContent ?? ''));
    assert.ok(await page.locator('#token-form').isHidden());
    assert.equal(await page.locator('#model').inputValue(), 'bank');
    assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '2003-10-25', 'default start: the day after the training data');
    assert.match((await page.textContent('#model-info')) ?? '', /trained on 164 days 2003-03-03 … 2003-10-24 \(retrained from a model of 120 days to 2003-08-\d\d\)/);
  });

  it('draws the fan chart per day (bands, median, paths) and the totals', async () => {
    await page.getByLabel('From', { exact: true }).fill('2003-10-27');
    await page.getByLabel('To', { exact: true }).fill('2003-10-29');
    await page.getByLabel('Scenarios per day').fill('80');
    await page.getByLabel('Paths drawn').fill('3');
    await page.getByRole('button', { name: 'Show scenarios' }).click();
    await page.waitForSelector('#totals-chart svg .ticks_marks path', { timeout: 60_000 });
    for (const band of ['band90', 'band80', 'band50', 'median']) {
      assert.equal(await page.locator(`#fan-chart svg .${band}_marks path`).count(), 3, `${band}: one per date`);
    }
    assert.equal(await page.locator('#fan-chart svg .paths_marks path').count(), 9, '3 paths × 3 dates');
    // the model's last 3 observed days (to Fri 2003-10-24) come first, one solid line each
    assert.equal(await page.locator('#fan-chart svg .observed_marks path').count(), 3, 'the last 3 observed days');
    assert.match((await page.locator('#fan-chart svg').textContent()) ?? '', /2003-10-24 \(observed\)/);
    const d = await page.locator('#fan-chart svg .median_marks path').first().getAttribute('d');
    assert.ok(d && d.length > 50, 'the median has a drawn path');
    assert.equal(await page.locator('#totals-chart svg .ticks_marks path').count(), 3 * 80);
    assert.equal(await page.locator('#totals-table tbody tr').count(), 3);
    assert.match((await status()) ?? '', /80 scenarios for 3 date\(s\)/);
    await page.locator('#fan-view').screenshot({ path: `${SHOTS}/fan.png` });
    await page.locator('#totals-view').screenshot({ path: `${SHOTS}/totals.png` });
  });

  it('downloads the fan chart data as CSV and the chart as SVG', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('.downloads[data-view=fan] button[data-download="CSV quantiles"]').click()]);
    assert.equal(csv.suggestedFilename(), 'mixcast-fan.csv');
    const lines = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'date,interval_start,mean,q0.05,q0.1,q0.25,q0.5,q0.75,q0.9,q0.95');
    assert.equal(lines.length, 1 + 3 * 28);
    assert.match(lines[1], /^2003-10-27,07:00,[\d.]+(,[\d.]+){7}$/);
    const [svg] = await Promise.all([page.waitForEvent('download'), page.locator('.downloads[data-view=fan] button[data-download="SVG chart"]').click()]);
    const text = fs.readFileSync((await svg.path())!, 'utf8');
    assert.ok(text.startsWith('<svg') && text.includes('band90_marks'), 'the downloaded SVG is the fan chart');
  });

  it('adds a what-if case and shows it against the baseline in the table and the chart', async () => {
    await page.getByLabel('Case name').fill('campaign');
    await page.getByLabel('Change').selectOption('add');
    await page.getByLabel('Calls added per day').fill('500');
    await page.locator('#case-from').selectOption('09:00');
    await page.locator('#case-to').selectOption('12:00');
    await page.getByRole('button', { name: 'Add case' }).click();
    assert.match((await page.textContent('#case-list')) ?? '', /campaign: \+ 500 calls in 09:00-12:00/);
    await page.getByRole('button', { name: 'Run what-if' }).click();
    await page.waitForSelector('#whatif-chart svg .cases_marks path', { timeout: 60_000 });
    const rows = await page.locator('#whatif-table tbody tr').allTextContents();
    assert.equal(rows.length, 2 * 3, 'baseline and campaign × 3 dates');
    assert.equal(await page.locator('#whatif-chart svg .cases_marks path').count(), 2 * 3);
    // the campaign adds exactly 500 calls to every scenario: its mean total is the baseline's + 500
    const cells = async (k: number) => (await page.locator('#whatif-table tbody tr').nth(k).locator('td').allTextContents());
    const num = (s: string) => Number(s.replace(/[^\d.-]/g, ''));
    const base = await cells(0);
    const camp = await cells(3);
    assert.deepEqual([base[0], camp[0], base[1], camp[1]], ['baseline', 'campaign', '2003-10-27', '2003-10-27']);
    assert.ok(Math.abs(num(camp[2]) - num(base[2]) - 500) <= 1, `mean totals ${base[2]} → ${camp[2]}`);
    await page.locator('#whatif-view').screenshot({ path: `${SHOTS}/whatif.png` });
  });

  it('plans staffing and simulates the fixed coverage plan', async () => {
    await page.getByLabel('Average handle time (s)').fill('180');
    await page.getByRole('button', { name: 'Plan staffing' }).click();
    await page.waitForSelector('#staffing-chart svg .agents_marks path', { timeout: 60_000 });
    assert.equal(await page.locator('#staffing-chart svg .agents_marks path').count(), 2 * 3, 'mean and coverage plans × 3 dates');
    await page.getByRole('button', { name: 'Simulate service level' }).click();
    await page.waitForSelector('#staffing-chart svg .simulated_marks path', { timeout: 60_000 });
    const rows = await page.locator('#staffing-table tbody tr').allTextContents();
    assert.equal(rows.length, 2 * 3);
    assert.ok(rows.some((r) => /coverage 90 %.*\d+(\.\d+)?%.*\d+(\.\d+)?%/.test(r)), rows.join('\n'));
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('.downloads[data-view=staffing] button[data-download="CSV simulated"]').click()]);
    const lines = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'date,plan,scenario,service_level');
    assert.equal(lines.length, 1 + 3 * 80);
    await page.locator('#staffing-view').screenshot({ path: `${SHOTS}/staffing.png` });
  });

  it('offers a model of several series: its series to choose, and every request names the series', async () => {
    await page.locator('#model').selectOption('peds (2 series)');
    await page.waitForFunction(() => /Model peds \/ Birrarung Marr loaded/.test(document.getElementById('status')!.textContent ?? ''));
    assert.ok(await page.locator('#series').isEnabled());
    assert.deepEqual(await page.locator('#series option').allTextContents(), ['Birrarung Marr', 'Bourke Street Mall (North)']);
    await page.locator('#series').selectOption('Bourke Street Mall (North)');
    await page.waitForFunction(() => /Model peds \/ Bourke Street Mall \(North\) loaded/.test(document.getElementById('status')!.textContent ?? ''));
    assert.match((await page.textContent('#model-info')) ?? '', /^peds \/ Bourke Street Mall \(North\): 24 intervals of 60 min/);
    await page.getByLabel('Scenarios per day').fill('40');
    await page.getByRole('button', { name: 'Show scenarios' }).click();
    await page.waitForFunction(() => /40 scenarios for 7 date\(s\)/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 60_000 });
    assert.equal(await page.locator('#fan-chart svg .median_marks path').count(), 7, 'one median per date');
    assert.match((await page.locator('#fan-chart svg').textContent()) ?? '', /peds \/ Bourke Street Mall \(North\): scenarios/);
    // back to the single-series model: its series list is one disabled entry again
    await page.locator('#model').selectOption('bank');
    await page.waitForFunction(() => /Model bank loaded/.test(document.getElementById('status')!.textContent ?? ''));
    assert.ok(await page.locator('#series').isDisabled());
  });

  it('/docs lists every route of /openapi.json', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, object> };
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    const shown = (await page.locator('.opblock-summary-path').allTextContents()).map((s) => s.replace(/\u200b/g, '').trim());
    for (const route of Object.keys(doc.paths)) assert.ok(shown.includes(route), `/docs shows ${route} (shown: ${shown.join(', ')})`);
    await page.screenshot({ path: `${SHOTS}/docs.png` });
  });

  it('no console errors, and no request left 127.0.0.1', () => {
    // chromium logs every 4xx answer as a console error: the one 401 is the page's first call,
    // made before it knew the server wants a token (the token test above); nothing else
    const unauthorised = problems.filter((p) => /status of 401 \(Unauthorized\)/.test(p));
    assert.equal(unauthorised.length, 1, problems.join('\n'));
    assert.deepEqual(problems.filter((p) => !unauthorised.includes(p)), []);
    assert.ok(requests.length > 10);
    const outside = requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).hostname !== '127.0.0.1');
    assert.deepEqual(outside, []);
  });
});
