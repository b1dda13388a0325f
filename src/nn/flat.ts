/**
 * The flat weight layout, written once: every variable's values one after another, in the
 * network's variable order. The optimizer, the training shards and the bundle's weights file
 * all use it.
 */

/** Where each variable starts in the flat layout, and the total length. */
export function flatLayout(sizes: readonly number[]): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let size = 0;
  for (const n of sizes) {
    offsets.push(size);
    size += n;
  }
  return { offsets, size };
}

/** `parts` one after another in one Float32Array (written into `out` when given, which must fit them). */
export function flatten(parts: readonly ArrayLike<number>[], out?: Float32Array): Float32Array {
  const { offsets, size } = flatLayout(parts.map((p) => p.length));
  const flat = out ?? new Float32Array(size);
  if (flat.length < size) throw new Error(`flat buffer holds ${flat.length} values, the parts ${size}`);
  parts.forEach((p, i) => flat.set(p, offsets[i]));
  return flat;
}
