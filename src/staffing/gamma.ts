/**
 * Log-space special functions for Erlang A: log Γ and the regularized lower incomplete gamma
 * P(a, z) expressed relative to the continuous "Poisson weight" e^{−z} z^a / Γ(a+1).
 *
 *   gammaSeriesLog(a, z) = log( P(a, z) / (e^{−z} z^a / Γ(a+1)) )
 *                        = log Σ_{k≥0} z^k / ((a+1)(a+2)…(a+k))
 *
 * For z < a + 1 the series is summed directly (terms fall monotonically, no overflow, no
 * log Γ needed). For z ≥ a + 1 P = 1 − Q with Q from the Legendre continued fraction
 * (modified Lentz, as in Numerical Recipes `gcf`), evaluated in log space. Both converge in
 * O(√a) steps, so a = 10⁷ (an Erlang A patience of 10⁷ s) is fine.
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log Γ(x) for x > 0: Stirling's series after shifting x ≥ 15 (absolute error ≲ 1e-13 · log scale). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0 (got ${x})`);
  let shift = 0;
  let y = x;
  while (y < 15) {
    shift += Math.log(y);
    y += 1;
  }
  const inv = 1 / y;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
  return (y - 0.5) * Math.log(y) - y + HALF_LOG_2PI + series - shift;
}

/** log of the continuous Poisson weight e^{−z} z^a / Γ(a+1) (z > 0, a ≥ 0). */
export function logPoissonWeight(a: number, z: number): number {
  return -z + a * Math.log(z) - logGamma(a + 1);
}

const MAX_ITER = 100_000_000;
const EPS = 1e-16;
const FPMIN = 1e-300;

/** log( P(a, z) / (e^{−z} z^a / Γ(a+1)) ), a ≥ 0, z ≥ 0. Equals log Σ_k z^k / ((a+1)…(a+k)). */
export function gammaSeriesLog(a: number, z: number): number {
  if (!(a >= 0) || !(z >= 0) || !Number.isFinite(a) || !Number.isFinite(z)) {
    throw new RangeError(`gammaSeriesLog needs finite a ≥ 0, z ≥ 0 (got a=${a}, z=${z})`);
  }
  if (z === 0) return 0;
  if (a === 0) return z; // Σ z^k / k! = e^z
  if (z < a + 1) {
    let term = 1;
    let sum = 1;
    for (let k = 1; k < MAX_ITER; k++) {
      term *= z / (a + k);
      sum += term;
      if (term < sum * EPS) return Math.log(sum);
    }
    throw new Error(`incomplete gamma series did not converge (a=${a}, z=${z})`);
  }
  // Continued fraction for Q(a, z) = e^{−z} z^a / Γ(a) · CF.
  let b = z + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  let converged = false;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) {
      converged = true;
      break;
    }
  }
  if (!converged) throw new Error(`incomplete gamma continued fraction did not converge (a=${a}, z=${z})`);
  const logQ = -z + a * Math.log(z) - logGamma(a) + Math.log(h);
  const logP = Math.log(-Math.expm1(logQ));
  return logP - logPoissonWeight(a, z);
}

/** Regularized lower incomplete gamma P(a, z) (for tests and callers that want it directly). */
export function regularizedGammaP(a: number, z: number): number {
  if (z === 0) return 0;
  if (a === 0) return 1;
  return Math.exp(gammaSeriesLog(a, z) + logPoissonWeight(a, z));
}

/** log(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}
