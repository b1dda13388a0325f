/**
 * `mixcast plot`: every chart kind as SVG and PNG from a small trained model, run in-process
 * through the real command line (runCli). The SVG must parse (resvg's SVG parser) and carry
 * its marks — bands, median and scenario paths; one line per what-if case; both staffing
 * plans and the simulated service level; a tick per scenario total — and the PNG must be a PNG
 * of the SVG's size × scale. User errors exit 2.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { initBackend } from '../src/backend.js';
import { ingest } from '../adapters/index.js';
import { fitModel } from '../src/train/fit.js';
import { saveModel } from '../src/model/bundle.js';
import { runCli } from '../src/cli/run.js';

let dir: string;
let modelDir: string;

before(async () => {
  await initBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-plot-'));
  modelDir = path.join(dir, 'bank');
  const ds = await ingest({ input: 'fixtures/bank_calls_2003.csv', interval: '30m', close: '21:00' });
  const { model } = await fitModel(ds, { prior: 'weekday', steps: 60, hidden: 32, blocks: 1, seed: 1 });
  await saveModel(model, modelDir);
  model.dispose();
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The item elements (paths, lines, rects as paths) of every mark group with this layer name. */
function markItems(svg: string, name: string): string[] {
  const items: string[] = [];
  // an empty layer (a panel without that mark's data) is a self-closed <g …/>: skip it
  const re = new RegExp(`role-mark ${name}_marks"[^>]*[^/>]>(.*?)</g>`, 'g');
  for (const m of svg.matchAll(re)) items.push(...(m[1].match(/<(?:path|line) [^>]*role="graphics-symbol"[^>]*>/g) ?? []));
  return items;
}

/** Parse the SVG for real (resvg/usvg) and return its size. */
function parseSvg(svg: string): { width: number; height: number } {
  assert.ok(svg.startsWith('<svg'), 'an SVG document');
  const r = new Resvg(svg);
  assert.ok(r.width > 100 && r.height > 100, `size ${r.width}×${r.height}`);
  return { width: r.width, height: r.height };
}

/** PNG signature and IHDR size. */
function pngSize(buf: Buffer): { width: number; height: number } {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(buf.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

const common = () => ['--model', modelDir, '--count', '60', '--seed', '3', '--backend', 'wasm'];

async function plot(kind: string, out: string, extra: string[] = []): Promise<void> {
  const code = await runCli(['plot', kind, ...common(), '--out', out, ...extra], 'user');
  assert.equal(code, 0, `plot ${kind} exit code`);
}

describe('mixcast plot', () => {
  it('fan: a panel per date with 90/80/50 % bands, the median and the scenario paths; PNG of the same chart', async () => {
    const svgFile = path.join(dir, 'fan.svg');
    await plot('fan', svgFile, ['--start', '2003-10-27', '--end', '2003-10-28', '--paths', '4']);
    const svg = fs.readFileSync(svgFile, 'utf8');
    const size = parseSvg(svg);
    for (const band of ['band90', 'band80', 'band50', 'median']) assert.equal(markItems(svg, band).length, 2, `${band}: one per date`);
    assert.equal(markItems(svg, 'paths').length, 8, '4 paths × 2 dates');
    for (const text of ['2003-10-27 Mon', '2003-10-28 Tue', '>90%<', '>80%<', '>50%<', '>median<', '>scenario<']) assert.ok(svg.includes(text), text);
    // the model's last 3 training days (to 2003-10-24) come first: the dates follow them within a week
    assert.equal(markItems(svg, 'observed').length, 3, 'the last 3 observed days');
    for (const text of ['2003-10-22 (observed)', '2003-10-24 (observed)', '>observed<']) assert.ok(svg.includes(text), text);

    const pngFile = path.join(dir, 'fan.png');
    await plot('fan', pngFile, ['--start', '2003-10-27', '--end', '2003-10-28', '--paths', '4', '--scale', '1.5']);
    const png = pngSize(fs.readFileSync(pngFile));
    assert.equal(png.width, Math.round(size.width * 1.5));
    assert.equal(png.height, Math.round(size.height * 1.5));
  });

  it('totals: a tick per scenario and date, a box per date, the range histogram; PNG', async () => {
    const svgFile = path.join(dir, 'totals.svg');
    await plot('totals', svgFile, ['--start', '2003-10-27', '--end', '2003-10-29']);
    const svg = fs.readFileSync(svgFile, 'utf8');
    parseSvg(svg);
    assert.equal(markItems(svg, 'ticks').length, 3 * 60);
    assert.ok(markItems(svg, 'rangebars').length >= 3, 'range-total histogram bars');
    assert.equal(markItems(svg, 'rangemedian').length, 1);
    const pngFile = path.join(dir, 'totals.png');
    await plot('totals', pngFile, ['--start', '2003-10-27']);
    pngSize(fs.readFileSync(pngFile));
  });

  it('whatif: a median line and a band per case (baseline first) and date; PNG', async () => {
    const svgFile = path.join(dir, 'whatif.svg');
    await plot('whatif', svgFile, ['--start', '2003-10-27', '--cases', 'fixtures/whatif-cases.json']);
    const svg = fs.readFileSync(svgFile, 'utf8');
    parseSvg(svg);
    const cases = (JSON.parse(fs.readFileSync('fixtures/whatif-cases.json', 'utf8')) as { cases: { name: string }[] }).cases.map((c) => c.name);
    const names = ['baseline', ...cases.filter((c) => c !== 'baseline')];
    assert.equal(markItems(svg, 'cases').length, names.length);
    assert.equal(markItems(svg, 'casebands').length, names.length);
    for (const n of names) assert.ok(svg.includes(`>${n}<`), `legend names ${n}`);
    const pngFile = path.join(dir, 'whatif.png');
    await plot('whatif', pngFile, ['--start', '2003-10-27', '--cases', 'fixtures/whatif-cases.json']);
    pngSize(fs.readFileSync(pngFile));
  });

  it('staffing: agents and expected service level of both plans, the target, the simulated service level; PNG', async () => {
    const svgFile = path.join(dir, 'staffing.svg');
    await plot('staffing', svgFile, ['--start', '2003-10-27', '--aht', '180s', '--target', '0.8', '--within', '20s']);
    const svg = fs.readFileSync(svgFile, 'utf8');
    parseSvg(svg);
    assert.equal(markItems(svg, 'agents').length, 2, 'mean and coverage plans');
    assert.ok(markItems(svg, 'servicelevel').length >= 2);
    assert.equal(markItems(svg, 'target').length, 1);
    assert.ok(markItems(svg, 'simulated').length >= 2, 'simulated service-level histogram');
    for (const text of ['mean forecast', 'coverage 90 %', 'simulated day service level of the coverage 90 % plan']) assert.ok(svg.includes(text), text);
    const none = path.join(dir, 'staffing-none.svg');
    await plot('staffing', none, ['--start', '2003-10-27', '--aht', '180s', '--simulate', 'none']);
    assert.equal(markItems(fs.readFileSync(none, 'utf8'), 'simulated').length, 0);
    const pngFile = path.join(dir, 'staffing.png');
    await plot('staffing', pngFile, ['--start', '2003-10-27', '--aht', '180s']);
    pngSize(fs.readFileSync(pngFile));
  });

  it('user errors exit 2 and write nothing', async () => {
    const bad = path.join(dir, 'chart.jpg');
    assert.equal(await runCli(['plot', 'fan', ...common(), '--start', '2003-10-27', '--out', bad], 'user'), 2);
    assert.equal(await runCli(['plot', 'whatif', ...common(), '--start', '2003-10-27', '--out', path.join(dir, 'w.svg')], 'user'), 2);
    assert.equal(await runCli(['plot', 'staffing', ...common(), '--start', '2003-10-27', '--out', path.join(dir, 's.svg')], 'user'), 2);
    assert.equal(await runCli(['plot', 'pie', ...common(), '--start', '2003-10-27', '--out', path.join(dir, 'p.svg')], 'user'), 2);
    for (const f of ['chart.jpg', 'w.svg', 's.svg', 'p.svg']) assert.ok(!fs.existsSync(path.join(dir, f)), f);
  });
});
