/**
 * Dense layers and SiLU with hand-written backward passes that keep the kernel count per
 * training step low on the wasm backend.
 *
 * - tfjs' built-in MatMul gradient calls matMul with transposeA/transposeB flags, which the wasm
 *   backend executes ~10× slower than a plain matMul; the backward passes here materialise the
 *   transposes instead (same numbers, checked in test/nn.test.ts).
 * - Inputs that need no gradient (data, one-hot labels, precomputed features) are closed over
 *   instead of passed in (and kept for the backward pass through `save`), so no dX = dY·Wᵀ product (and no transpose) is computed for them; a
 *   constant input built on the JS side can bring its transpose along, so its backward pass is
 *   one matMul and no transpose at all.
 * - SiLU's backward pass is one expression (4 kernels) instead of the chain rule through
 *   mul and sigmoid (6 kernels).
 * - Without a gradient tape (sampling) the plain kernels run without the custom-gradient
 *   wrappers.
 */
import * as tf from '@tensorflow/tfjs';

type Grad = Parameters<typeof tf.customGrad>[0];

/**
 * Whether a gradient tape is recording (inside tf.grads/variableGrads). When not — sampling —
 * the plain kernels run without the custom-gradient wrappers, which tf.profile counts as
 * kernels of their own. Falls back to "recording" if the engine's state is not readable.
 */
function recording(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return state?.gradientDepth === undefined || state.gradientDepth > 0;
}

/**
 * x·W + b. (tf.fused.matMul would be one _FusedMatMul, but it reshapes to rank 3 and back around
 * it — 3 Reshape kernels and an op scope — and is no faster on wasm.)
 */
const affine = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D => tf.add(tf.matMul(x, w), b);

const denseOp = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: affine(x, w, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)];
    },
  };
}) as unknown as Grad);

const matMulOp = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2)];
    },
  };
}) as unknown as Grad);

const siluOp = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const s = tf.sigmoid(x);
  const y = tf.mul(x, s);
  save([s, y]);
  return {
    value: y,
    // d/dx x·σ(x) = σ + x·σ·(1 − σ) = σ + y·(1 − σ)
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [ss, ys] = saved;
      return [tf.mul(dy, tf.add(ss, tf.mul(ys, tf.sub(1, ss))))];
    },
  };
}) as unknown as Grad);

/** y = x·W with the transpose-free backward pass. */
export function matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return recording() ? (matMulOp(x, w) as tf.Tensor2D) : tf.matMul(x, w);
}

/** y = x·W + b with the transpose-free backward pass. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return recording() ? (denseOp(x, w, b) as tf.Tensor2D) : affine(x, w, b);
}

/**
 * y = x·W (+ b) for an input that needs no gradient (data, features, one-hot rows). `xt`, when
 * given, is xᵀ (built on the JS side for free); otherwise the backward pass transposes x.
 */
export function denseConst(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D, xt?: tf.Tensor2D): tf.Tensor2D {
  if (!recording()) return b ? affine(x, w, b) : tf.matMul(x, w);
  if (b) {
    const op = tf.customGrad(((ww: tf.Tensor2D, bb: tf.Tensor1D, save: tf.GradSaveFunc) => {
      save([xt ?? x]);
      return {
        value: affine(x, ww, bb),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(xt ? (saved[0] as tf.Tensor2D) : tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D), tf.sum(dy, 0)],
      };
    }) as unknown as Grad);
    return op(w, b) as tf.Tensor2D;
  }
  const op = tf.customGrad(((ww: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([xt ?? x]);
    return {
      value: tf.matMul(x, ww),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(xt ? (saved[0] as tf.Tensor2D) : tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D)],
    };
  }) as unknown as Grad);
  return op(w) as tf.Tensor2D;
}

/** y = x·W + b with tfjs' built-in gradient (reference for the equality test). */
export function denseReference(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, w), b);
}

/** SiLU x·σ(x) with a one-expression backward pass. */
export const silu = (x: tf.Tensor2D): tf.Tensor2D => (recording() ? (siluOp(x) as tf.Tensor2D) : tf.mul(x, tf.sigmoid(x)));

/** SiLU through tfjs' own gradients (reference for the equality test). */
export const siluReference = (x: tf.Tensor2D): tf.Tensor2D => tf.mul(x, tf.sigmoid(x));
