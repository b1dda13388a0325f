/** Small dense linear algebra shared by the library and the baselines. */
import { inputError } from './errors.js';

/** Lower Cholesky factor of a symmetric matrix with `jitter`·I added, or null if not positive definite. */
export function tryCholesky(a: ArrayLike<ArrayLike<number>>, jitter = 0): number[][] | null {
  const d = a.length;
  const L = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j] + (i === j ? jitter : 0);
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i][i] = Math.sqrt(s);
      } else {
        L[i][j] = s / L[j][j];
      }
    }
  }
  return L;
}

/**
 * Lower Cholesky factor of a symmetric matrix; if it is not positive definite, retries with
 * jitter ε·I added, ε = 1e-10·(mean diagonal) growing ×10 up to the mean diagonal itself
 * (an all-zero matrix gets absolute jitter from 1e-12). Returns the factor and the jitter used.
 */
export function cholesky(a: readonly number[][]): { L: number[][]; jitter: number } {
  const d = a.length;
  const meanDiag = a.reduce((s, row, i) => s + row[i], 0) / d;
  const base = meanDiag > 0 ? meanDiag : 1e-2;
  for (let jitter = 0, step = base * 1e-10; jitter <= base; jitter = jitter === 0 ? step : jitter * 10) {
    const L = tryCholesky(a, jitter);
    if (L) return { L, jitter };
  }
  throw inputError('the covariance could not be made positive definite even with jitter; the training values may be non-finite or degenerate');
}

/** Solve L Lᵀ x = b for a lower Cholesky factor L. */
export function solveCholesky(L: readonly (readonly number[])[], b: readonly number[]): number[] {
  const m = L.length;
  const y = new Array<number>(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  const x = new Array<number>(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}
