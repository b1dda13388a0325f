import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  erlangB, erlangC, erlangCMetrics, erlangA, erlangAMetrics, logGamma, regularizedGammaP, parseDuration,
} from '../src/staffing/index.js';
import { MixcastError } from '../src/core/errors.js';

const close = (a: number, b: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} expected ${b} ± ${tol}, got ${a}`);

test('Erlang C: pyworkforce example (100 calls / 30 min, AHT 3 min, 80% in 20 s, max occ 0.85, shrinkage 0.3)', () => {
  const r = erlangC({ calls: 100, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20, maxOccupancy: 0.85, shrinkage: 0.3 });
  assert.equal(r.agents, 14);
  assert.equal(r.scheduled, 20);
  close(r.serviceLevel, 0.88835, 5e-6);
  close(r.occupancy, 0.71429, 5e-6);
  close(r.probWait, 0.17413, 5e-6);
  close(r.offeredLoad, 10, 1e-12);
  // minimality: one agent fewer misses the target
  assert.ok(erlangCMetrics({ calls: 100, intervalSeconds: 1800, aht: 180, within: 20 }, 13).serviceLevel < 0.8);
});

test('Erlang C: 1,000 calls per hour, AHT 120 s, 80% in 20 s → 38 agents; with max occupancy 0.85 → 40', () => {
  const q = { calls: 1000, intervalSeconds: 3600, aht: 120, target: 0.8, within: 20 };
  const a = erlangC(q);
  assert.equal(a.agents, 38);
  close(a.serviceLevel, 0.8468, 5e-5);
  const b = erlangC({ ...q, maxOccupancy: 0.85 });
  assert.equal(b.agents, 40);
  close(b.serviceLevel, 0.9372, 5e-5);
  close(b.asa, 3.43, 5e-3);
  close(b.occupancy, 0.8333, 5e-5);
});

test('Erlang C: optional ASA target and the textbook Erlang B value', () => {
  close(erlangB(10, 10), 0.2146, 5e-5);
  const q = { calls: 1000, intervalSeconds: 3600, aht: 120, target: 0.8, within: 20 };
  const r = erlangC({ ...q, maxAsa: 5 });
  assert.ok(r.asa <= 5);
  assert.ok(erlangCMetrics(q, r.agents - 1).asa > 5);
  assert.ok(r.agents > erlangC(q).agents, "the ASA limit binds beyond the SL target");
});

test('Erlang C: zero calls need zero agents', () => {
  const r = erlangC({ calls: 0, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20, shrinkage: 0.3 });
  assert.equal(r.agents, 0);
  assert.equal(r.scheduled, 0);
  assert.equal(r.serviceLevel, 1);
  assert.equal(r.probWait, 0);
});

/** log Erlang B computed directly in log space (log-sum-exp of A^j / j!), independent of the recursion. */
function logErlangBDirect(A: number, n: number): number {
  const terms = Array.from({ length: n + 1 }, (_, j) => j * Math.log(A) - logGamma(j + 1));
  const m = Math.max(...terms);
  const lse = m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
  return terms[n] - lse;
}

test('Erlang C: stable for large loads (5,000 calls per 30 min and 180,000 — 18,000 Erlangs, near the limit)', () => {
  const r = erlangC({ calls: 5000, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20 });
  assert.ok(Number.isFinite(r.serviceLevel) && r.serviceLevel >= 0.8);
  assert.ok(r.probWait > 0 && r.probWait < 1);
  assert.ok(r.agents > 500 && r.agents < 560);
  assert.ok(erlangCMetrics({ calls: 5000, intervalSeconds: 1800, aht: 180, within: 20 }, r.agents - 1).serviceLevel < 0.8);
  close(Math.log(erlangB(500, r.agents)), logErlangBDirect(500, r.agents), 1e-9, 'Erlang B at A = 500');
  const big = erlangC({ calls: 180000, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20 });
  assert.ok(big.agents > 18000 && big.agents < 18100 && big.serviceLevel >= 0.8, `agents ${big.agents}`);
  // past the offered-load limit (20,000 Erlangs): refused up front, not computed
  assert.throws(() => erlangC({ calls: 500000, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20 }), /20,?000/);
});

test('Erlang C: invalid inputs are typed option errors', () => {
  const ok = { calls: 100, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20 };
  for (const bad of [{ calls: -1 }, { calls: NaN }, { aht: 0 }, { intervalSeconds: -5 }, { target: 1 }, { target: 0 }, { within: -1 }, { shrinkage: 1 }, { maxOccupancy: 0 }, { maxOccupancy: 1.2 }]) {
    assert.throws(() => erlangC({ ...ok, ...bad }), (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION', JSON.stringify(bad));
  }
  assert.throws(() => erlangCMetrics(ok, 2.5), (e: unknown) => e instanceof MixcastError);
});

test('incomplete gamma and log Γ against closed forms', () => {
  close(logGamma(1), 0, 1e-13);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13);
  close(logGamma(101), 363.73937555556347, 1e-10);
  for (const z of [0.3, 1, 4, 20]) {
    close(regularizedGammaP(1, z), -Math.expm1(-z), 1e-14, `P(1, ${z})`);
    close(regularizedGammaP(2, z), 1 - Math.exp(-z) * (1 + z), 1e-14, `P(2, ${z})`);
  }
  // integer a: P(a, z) = P(Poisson(z) ≥ a), summed in log space
  const poissonTail = (a: number, z: number) => {
    const logs = Array.from({ length: a }, (_, k) => -z + k * Math.log(z) - logGamma(k + 1));
    const m = Math.max(...logs);
    return 1 - Math.exp(m) * logs.reduce((s, l) => s + Math.exp(l - m), 0);
  };
  for (const [a, z] of [[30, 25], [30, 40], [2000, 1950], [2000, 2050]]) {
    close(regularizedGammaP(a, z), poissonTail(a, z), 1e-10, `P(${a}, ${z})`);
  }
});

/**
 * Independent Erlang A: stationary law of the truncated birth–death chain, then the tagged
 * arrival's absorption (served / abandoned) by uniformization of its pure-death chain.
 */
function erlangACtmc(lambda: number, mu: number, gamma: number, n: number, T: number) {
  const logp: number[] = [0];
  for (let j = 1; ; j++) {
    const death = j <= n ? j * mu : n * mu + (j - n) * gamma;
    logp.push(logp[j - 1] + Math.log(lambda / death));
    if (j > n + 10 && logp[j] < Math.max(...logp) - 60) break;
  }
  const m = Math.max(...logp);
  const w = logp.map((l) => Math.exp(l - m));
  const Z = w.reduce((a, b) => a + b, 0);
  const pi = w.map((x) => x / Z);
  const K = pi.length - 1 - n; // largest number ahead
  let pWait = 0;
  let queue = 0;
  for (let j = n; j < pi.length; j++) {
    pWait += pi[j];
    queue += (j - n) * pi[j];
  }
  const pAb = (gamma * queue) / lambda;
  const rate = n * mu + K * gamma + gamma;
  let v = Array.from({ length: K + 1 }, (_, k) => pi[n + k]);
  let served = 0;
  let poisson = Math.exp(-rate * T);
  let cumPois = 0;
  let servedByT = 0;
  let waitingAtT = 0;
  for (let step = 0; cumPois < 1 - 1e-15 && step < 100000; step++) {
    const transient = v.reduce((a, b) => a + b, 0);
    servedByT += poisson * served;
    waitingAtT += poisson * transient;
    cumPois += poisson;
    const next = new Array<number>(K + 1).fill(0);
    for (let k = 0; k <= K; k++) {
      const adv = n * mu + k * gamma;
      next[k] += v[k] * (1 - (adv + gamma) / rate);
      if (k === 0) served += (v[0] * adv) / rate;
      else next[k - 1] += (v[k] * adv) / rate;
    }
    v = next;
    poisson *= (rate * T) / (step + 1);
  }
  return { pWait, pAb, serviceLevel: 1 - pWait + servedByT, waitWithin: 1 - waitingAtT };
}

test('Erlang A agrees with a direct birth–death / uniformization computation', () => {
  for (const [calls, n, patience] of [[100, 14, 120], [100, 12, 300], [100, 8, 60], [300, 30, 90]]) {
    const m = erlangAMetrics({ calls, intervalSeconds: 1800, aht: 180, within: 20, patience }, n);
    const c = erlangACtmc(calls / 1800, 1 / 180, 1 / patience, n, 20);
    const tag = `calls ${calls}, n ${n}, patience ${patience}`;
    close(m.probWait, c.pWait, 1e-9, `P(wait) ${tag}`);
    close(m.probAbandon, c.pAb, 1e-9, `P(abandon) ${tag}`);
    close(m.serviceLevel, c.serviceLevel, 1e-8, `SL ${tag}`);
    close(m.waitWithin, c.waitWithin, 1e-8, `P(W ≤ T) ${tag}`);
    close(m.meanWait, patience * m.probAbandon, 1e-9);
  }
});

test('Erlang A tends to Erlang C as patience grows (θ = 1e7 s)', () => {
  const q = { calls: 1000, intervalSeconds: 3600, aht: 120, within: 20 };
  for (const n of [34, 38, 40, 45]) {
    const c = erlangCMetrics(q, n);
    const a = erlangAMetrics({ ...q, patience: 1e7 }, n);
    close(a.probWait, c.probWait, 1e-3, `P(wait) n=${n}`);
    close(a.serviceLevel, c.serviceLevel, 1e-3, `SL n=${n}`);
    close(a.asa, c.asa, 1e-2 * c.asa, `ASA n=${n}`);
    assert.ok(a.probAbandon < 1e-4);
  }
  const ra = erlangA({ ...q, target: 0.8, patience: 1e7 });
  assert.equal(ra.agents, 38);
  const rc = erlangA({ calls: 100, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20, maxOccupancy: 0.85, shrinkage: 0.3, patience: 1e7 });
  assert.equal(rc.agents, 14);
  assert.equal(rc.scheduled, 20);
});

test('Erlang A: abandonment rises as patience falls; fewer agents suffice than under Erlang C', () => {
  const q = { calls: 1000, intervalSeconds: 3600, aht: 120, within: 20 };
  let prev = -1;
  for (const patience of [1e5, 3000, 600, 120, 30, 5]) {
    const m = erlangAMetrics({ ...q, patience }, 36);
    assert.ok(m.probAbandon > prev, `P(abandon) at patience ${patience}`);
    prev = m.probAbandon;
  }
  const a = erlangA({ ...q, target: 0.8, patience: 120 });
  assert.ok(a.agents < 38 && a.serviceLevel >= 0.8);
  assert.ok(erlangAMetrics({ ...q, patience: 120 }, a.agents - 1).serviceLevel < 0.8);
  const strict = erlangA({ ...q, target: 0.8, patience: 120, maxAbandon: 0.01 });
  assert.ok(strict.probAbandon <= 0.01 && strict.agents > a.agents);
  // large load and an overloaded evaluation stay finite
  const big = erlangA({ calls: 5000, intervalSeconds: 1800, aht: 180, target: 0.8, within: 20, patience: 120 });
  assert.ok(big.serviceLevel >= 0.8 && big.agents > 400 && big.agents < 520);
  const over = erlangAMetrics({ calls: 5000, intervalSeconds: 1800, aht: 180, within: 20, patience: 120 }, 400);
  close(over.probAbandon, 1 - 400 / 500, 0.02, 'fluid limit of abandonment when overloaded');
  assert.throws(() => erlangA({ ...q, target: 0.8, patience: 0 }), (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION');
});

test('parseDuration', () => {
  assert.equal(parseDuration('20s'), 20);
  assert.equal(parseDuration('3m'), 180);
  assert.equal(parseDuration('180s'), 180);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('1m30s'), 90);
  assert.equal(parseDuration('1.5h'), 5400);
  assert.equal(parseDuration('180'), 180, 'a bare number is seconds, as over HTTP');
  for (const junk of ['', 'abc', '5x', '-3m', '-30', '3m junk', 'm']) {
    assert.throws(() => parseDuration(junk), (e: unknown) => e instanceof MixcastError && e.code === 'BAD_OPTION', junk);
  }
});
