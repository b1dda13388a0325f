/**
 * The pooled within-component covariance of the training days (model space), shrunk toward
 * its diagonal, as an eigenbasis Σ = U diag(λ) Uᵀ. Used by the Gaussian skip: the network
 * learns the departure from the exact ε of data distributed N(c_k, Σ).
 */
export interface CovarianceBasis {
  /** d × d, column j is the j-th eigenvector. */
  U: number[][];
  /** Eigenvalues, floored at 1e-3. */
  lambda: number[];
  /** Shrinkage weight toward the diagonal. */
  shrinkage: number;
}

/** Symmetric eigendecomposition by cyclic Jacobi rotations (d up to a few hundred). */
export function symmetricEigen(A: number[][]): { U: number[][]; lambda: number[] } {
  const d = A.length;
  const a = A.map((r) => Float64Array.from(r));
  const v = Array.from({ length: d }, (_, i) => {
    const r = new Float64Array(d);
    r[i] = 1;
    return r;
  });
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p][q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { U: v.map((r) => Array.from(r)), lambda: a.map((r, i) => r[i]) };
}

/**
 * Pooled covariance of z_i − c_{assign_i}, shrunk toward its diagonal with weight d/(d + n)
 * (more shrinkage when there are few days per dimension), as an eigenbasis.
 */
export function pooledCovarianceBasis(z: number[][], assign: number[], centers: number[][]): CovarianceBasis {
  const n = z.length;
  const d = z[0].length;
  const S = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < n; i++) {
    const c = centers[assign[i]];
    const r = z[i].map((v, q) => v - c[q]);
    for (let p = 0; p < d; p++) {
      const rp = r[p];
      if (rp === 0) continue;
      const Sp = S[p];
      for (let q = p; q < d; q++) Sp[q] += rp * r[q];
    }
  }
  const shrinkage = d / (d + n);
  const M = Array.from({ length: d }, (_, p) =>
    Array.from({ length: d }, (_, q) => {
      const v = (p <= q ? S[p][q] : S[q][p]) / Math.max(1, n);
      return p === q ? v : (1 - shrinkage) * v;
    }),
  );
  const { U, lambda } = symmetricEigen(M);
  return { U, lambda: lambda.map((l) => Math.max(1e-3, l)), shrinkage };
}
