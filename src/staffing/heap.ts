/** A binary min-heap of numbers (agent free / call completion times) on a growable Float64Array. */
export class MinHeap {
  private a: Float64Array;
  size = 0;
  constructor(capacity = 64) {
    this.a = new Float64Array(Math.max(1, capacity));
  }
  clear(): void {
    this.size = 0;
  }
  peek(): number {
    return this.size > 0 ? this.a[0] : Infinity;
  }
  push(v: number): void {
    if (this.size === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const a = this.a;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a[--this.size];
    const n = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && a[c + 1] < a[c]) c++;
      if (a[c] >= last) break;
      a[i] = a[c];
      i = c;
    }
    if (n > 0) a[i] = last;
    return top;
  }
}
