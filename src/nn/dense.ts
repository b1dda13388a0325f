/**
 * A dense layer whose backward pass multiplies by explicitly materialised transposes.
 *
 * tfjs' built-in MatMul gradient calls matMul with transposeA/transposeB flags, which the wasm
 * backend executes several times slower than a plain matMul. Materialising the transposes
 * first gives the same numbers (checked in test/nn.test.ts) and ~4× faster training on wasm.
 */
import * as tf from '@tensorflow/tfjs';

const denseOp = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

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
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** y = x·W with the transpose-free backward pass. */
export function matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return matMulOp(x, w) as tf.Tensor2D;
}

/** y = x·W + b with the transpose-free backward pass. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return denseOp(x, w, b) as tf.Tensor2D;
}

/** y = x·W + b with tfjs' built-in gradient (reference for the equality test). */
export function denseReference(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, w), b);
}

export const silu = (x: tf.Tensor2D): tf.Tensor2D => tf.mul(x, tf.sigmoid(x));
