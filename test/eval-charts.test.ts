import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MixcastError } from '../src/core/errors.js';
import { fanChartSvg, lineChartSvg, pitHistogramSvg } from '../src/eval/charts.js';

/** The item elements (one per datum for symbols/rects; one per series for lines/areas) of every mark group with this name. */
function markItems(svg: string, name: string): string[] {
  const items: string[] = [];
  const re = new RegExp(`role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'g');
  for (const m of svg.matchAll(re)) items.push(...(m[1].match(/<(?:path|line) [^>]*role="graphics-symbol"[^>]*>/g) ?? []));
  return items;
}

const labels = Array.from({ length: 48 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);
const median = labels.map((_, i) => 40 + 30 * Math.sin(i / 8));
const shift = (k: number) => median.map((v) => v + 8 * k);
const quantiles = { '0.05': shift(-2), '0.25': shift(-1), '0.5': median, '0.75': shift(1), '0.95': shift(2) };

test('fan chart: bands, median and truth points', async () => {
  const truth = median.map((v, i) => Math.round(v + ((i * 7) % 11) - 5));
  const svg = await fanChartSvg({ title: 'Held-out Monday 2003-05-12', labels, quantiles, truth });
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.includes('Held-out Monday 2003-05-12'));
  assert.equal(markItems(svg, 'band90').length, 1);
  assert.equal(markItems(svg, 'band50').length, 1);
  assert.equal(markItems(svg, 'median').length, 1);
  const points = markItems(svg, 'truthpoints');
  assert.equal(points.length, 48);
  assert.ok(points[5].includes(`interval start: 02:30; value: ${truth[5]}`), points[5]);
  assert.ok(svg.includes('05:30'));
  for (const legend of ['5–95%', '25–75%', 'median', 'truth']) assert.ok(svg.includes(`>${legend}<`), legend);

  const noTruth = await fanChartSvg({ title: 'No truth', labels, quantiles: { '0.5': median, '0.25': shift(-1), '0.75': shift(1) } });
  assert.equal(markItems(noTruth, 'truthpoints').length, 0);
  assert.equal(markItems(noTruth, 'band90').length, 0);
  assert.equal(markItems(noTruth, 'band50').length, 1);
  await assert.rejects(fanChartSvg({ title: 'x', labels, quantiles: { '0.25': median } }), MixcastError);
  await assert.rejects(fanChartSvg({ title: 'x', labels, quantiles: { '0.5': median.slice(1) } }), MixcastError);
});

test('PIT histogram: one bar per bin with its count', async () => {
  const counts = [5, 8, 10, 12, 9, 11, 10, 7, 13, 15];
  const svg = await pitHistogramSvg({ title: 'PIT of bootstrap', counts });
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.includes('PIT of bootstrap'));
  const bars = markItems(svg, 'bars');
  assert.equal(bars.length, 10);
  assert.ok(bars[3].includes('count: 12'), bars[3]);
  assert.equal(markItems(svg, 'uniform').length, 1);
  await assert.rejects(pitHistogramSvg({ title: 'x', counts: [] }), MixcastError);
});

test('line chart: a line per series, points, optional band and log x', async () => {
  const steps = [100, 200, 500, 1000, 2000, 5000];
  const svg = await lineChartSvg({
    title: 'W1 vs training steps',
    x: 'training steps',
    y: 'W1',
    logX: true,
    series: [
      { name: 'DDPM', points: steps.map((x, i) => ({ x, y: 1 / (i + 1), lo: 0.8 / (i + 1), hi: 1.2 / (i + 1) })) },
      { name: 'mixDDPM', points: steps.map((x, i) => ({ x, y: 0.5 / (i + 1) })) },
    ],
  });
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.includes('W1 vs training steps'));
  assert.ok(svg.includes('training steps') && svg.includes('>mixDDPM<'));
  assert.equal(markItems(svg, 'lines').length, 2);
  assert.equal(markItems(svg, 'band').length, 1, 'only DDPM has a band');
  const symbols = svg.match(/aria-roledescription="point"/g) ?? [];
  assert.equal(symbols.length, 12);
  await assert.rejects(lineChartSvg({ title: 'x', x: 'a', y: 'b', logX: true, series: [{ name: 's', points: [{ x: 0, y: 1 }] }] }), MixcastError);
  await assert.rejects(lineChartSvg({ title: 'x', x: 'a', y: 'b', series: [{ name: 's', points: [] }, { name: 's', points: [] }] }), MixcastError);
});
