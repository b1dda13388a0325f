/**
 * Warm start (a scheduled retraining): the network starts from a trained model's weights, the
 * rest is fitted anew on the longer history; the same seed gives the same model; a model that
 * cannot start the training is refused with a typed error; `mixcast train --warm-start` and
 * `mixcast evaluate --refit-steps` run it as a user would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/backend.js';
import type { DaySeries } from '../adapters/types.js';
import { fitModel } from '../src/train/fit.js';
import type { MixcastModel } from '../src/model/model.js';
import { MixcastError } from '../src/core/errors.js';
import { rng } from '../src/core/random.js';
import { cli } from './helpers/cli.js';

/** `n` days × 6 hourly Poisson-like counts with a weekday pattern. */
function series(n: number): DaySeries {
  const r = rng(5);
  const start = Date.parse('2023-01-02T00:00:00Z');
  const days = Array.from({ length: n }, (_, i) => {
    const date = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
    const level = wd === 0 || wd === 6 ? 60 : 120;
    return { date, values: [0.6, 1, 1.4, 1.2, 0.9, 0.5].map((s) => Math.max(0, Math.round(level * s + Math.sqrt(level * s) * r.normal()))) };
  });
  return {
    zone: 'UTC', intervalMinutes: 60, open: '09:00', close: '15:00', labels: ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00'], days, valueKind: 'counts', series: null, holidays: [], weekdays: [1, 2, 3, 4, 5, 6, 7],
    report: { rowsRead: 0, rowsOutsideWindow: 0, daysRead: n, daysKept: n, dropped: [], repaired: [], windowInferred: false, sourceIntervalMinutes: 60, absentDates: [], notes: [] },
  };
}

const opts = { prior: 'weekday', steps: 60, hidden: 32, blocks: 1, seed: 1, sampler: 'ddim:10' };
const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

let first: MixcastModel;
let dir: string;
before(async () => {
  await initBackend('wasm');
  first = fitModel({ ...series(80) }, opts).model;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-warm-'));
});
after(() => {
  first?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('warm start', () => {
  it('starts from the given weights, fits the rest anew, records where it started, and repeats for a seed', async () => {
    const more = series(100);
    const warm = fitModel(more, { ...opts, steps: 20, seed: 2, warmStart: first }).model;
    const again = fitModel(more, { ...opts, steps: 20, seed: 2, warmStart: first }).model;
    const fresh = fitModel(more, { ...opts, steps: 20, seed: 2 }).model;
    try {
      const w0 = await first.net.exportWeights();
      const ww = await warm.net.exportWeights();
      const wf = await fresh.net.exportWeights();
      assert.ok(distance(ww, w0) < 0.5 * distance(wf, w0), `warm ${distance(ww, w0).toFixed(3)} vs fresh ${distance(wf, w0).toFixed(3)} from the first model`);
      assert.notDeepEqual(ww, w0, 'the warm start trained');
      assert.deepEqual(await again.net.exportWeights(), ww, 'same data, warm start and seed → same weights');
      assert.equal(warm.manifest.data.days, 100, 'the prior and transform are fitted on the new days');
      assert.deepEqual(warm.manifest.training.warmStart, { fingerprint: first.manifest.data.fingerprint, firstDate: first.manifest.data.firstDate, lastDate: first.manifest.data.lastDate, days: 80, steps: 60 });
      assert.equal(fresh.manifest.training.warmStart, undefined);
    } finally {
      [warm, again, fresh].forEach((m) => m.dispose());
    }
  });

  it('refuses a model with another network, process or components, naming the difference', () => {
    const more = series(100);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ hidden: 16 }, /network differs \(hidden 32 → 16\)/],
      [{ T: 500 }, /diffusion T is 1000, this training's 500/],
      [{ prior: 'daytype' }, /network differs \(components|mixture components/],
      [{ context: 'off' }, /network differs \(contextDim \d+ → 0\)/],
    ];
    for (const [change, msg] of cases) {
      assert.throws(
        () => fitModel(more, { ...opts, ...change, steps: 5, warmStart: first }),
        (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION' && msg.test(e.message) && (e.details as { field?: string }).field === 'warmStart',
        JSON.stringify(change),
      );
    }
  });

  it('mixcast train --warm-start writes a new bundle started from the old one; evaluate --refit-steps warm-starts its retrainings', async () => {
    const base = ['--input', 'fixtures/bank_calls_2003.csv', '--interval', '30m', '--close', '21:00', '--hidden', '32', '--blocks', '1', '--seed', '4'];
    // The first training sees the days to the end of July only.
    const lines = fs.readFileSync('fixtures/bank_calls_2003.csv', 'utf8').split('\n');
    const early = path.join(dir, 'early.csv');
    fs.writeFileSync(early, [lines[0], ...lines.slice(1).filter((l) => l && l < '2003-08-01')].join('\n') + '\n');
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    let r = await cli(['train', ...base.map((v) => (v === 'fixtures/bank_calls_2003.csv' ? early : v)), '--steps', '30', '--out', a]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['train', ...base, '--steps', '10', '--warm-start', a, '--out', b]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warm start from .*a \(\d+ days to 2003-07-31, 30 steps\)/);
    const m = JSON.parse(fs.readFileSync(path.join(b, 'manifest.json'), 'utf8'));
    assert.equal(m.training.warmStart.lastDate, '2003-07-31');
    assert.ok(m.data.lastDate > '2003-07-31');
    assert.ok(fs.existsSync(path.join(a, 'manifest.json')), 'the warm-start bundle is left as it was');

    r = await cli(['train', ...base, '--steps', '10', '--hidden', '16', '--warm-start', a, '--out', path.join(dir, 'c')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /network differs \(hidden 32 → 16\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(!fs.existsSync(path.join(dir, 'c', 'manifest.json')));

    const out = path.join(dir, 'leads');
    r = await cli(['evaluate', ...base, '--leads', '1', '--origins', '3', '--count', '10', '--steps', '20', '--refit-every', '10', '--refit-steps', '5', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /5 steps from the previous models/);
    assert.match(fs.readFileSync(path.join(out, 'leads.md'), 'utf8'), /trainings; after the first, 5 steps from the previous models\)/);
  });
});
