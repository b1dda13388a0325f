import { solveCholesky, tryCholesky } from '../core/linalg.js';

/**
 * Multi-output ridge regression without intercept, in closed form:
 * B = (XᵀX + Λ)⁻¹ XᵀY (m × d), solved by Cholesky (XᵀX + Λ is symmetric positive definite
 * for Λ > 0). `lambda` is one penalty or one per feature; a feature with an infinite penalty is
 * left out (its row of B is zero).
 */
export function ridge(X: readonly (readonly number[])[], Y: readonly (readonly number[])[], lambda: number | readonly number[]): number[][] {
  return ridgeFromGram(gram(X, Y, X[0]?.length ?? 0, Y[0]?.length ?? 0), lambda);
}

/** The sufficient statistics of a ridge fit: A = XᵀX (m × m) and R = XᵀY (m × d). */
export interface Gram {
  A: Float64Array[];
  R: Float64Array[];
}

export function gram(X: readonly (readonly number[])[], Y: readonly (readonly number[])[], m: number, d: number): Gram {
  const A = Array.from({ length: m }, () => new Float64Array(m));
  const R = Array.from({ length: m }, () => new Float64Array(d));
  for (let i = 0; i < X.length; i++) {
    const x = X[i];
    const y = Y[i];
    for (let a = 0; a < m; a++) {
      const xa = x[a];
      if (xa === 0) continue;
      for (let b = 0; b < m; b++) A[a][b] += xa * x[b];
      for (let q = 0; q < d; q++) R[a][q] += xa * y[q];
    }
  }
  return { A, R };
}

/** g1 − g2 (the statistics of the rows in g1 but not in g2). */
export function gramMinus(g1: Gram, g2: Gram): Gram {
  return { A: g1.A.map((r, a) => r.map((v, b) => v - g2.A[a][b])), R: g1.R.map((r, a) => r.map((v, q) => v - g2.R[a][q])) };
}

/** Ridge coefficients from the statistics; a feature with an infinite penalty is left out. */
export function ridgeFromGram(g: Gram, lambda: number | readonly number[]): number[][] {
  const m = g.A.length;
  const d = g.R[0]?.length ?? 0;
  const lam = typeof lambda === 'number' ? new Array<number>(m).fill(lambda) : lambda;
  const keep = lam.map((l, j) => (Number.isFinite(l) ? j : -1)).filter((j) => j >= 0);
  const out = Array.from({ length: m }, () => new Array<number>(d).fill(0));
  if (!keep.length) return out;
  const A = keep.map((a) => Float64Array.from(keep, (b) => g.A[a][b] + (a === b ? Math.max(lam[a], 1e-9) : 0)));
  const L = tryCholesky(A);
  if (!L) throw new Error('ridge: matrix is not positive definite');
  for (let q = 0; q < d; q++) {
    const col = solveCholesky(L, keep.map((a) => g.R[a][q]));
    keep.forEach((j, a) => (out[j][q] = col[a]));
  }
  return out;
}
