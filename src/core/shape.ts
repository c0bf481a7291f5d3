// Shape arithmetic: validation, sizes, contiguous strides, broadcasting, and the collapsing of
// dimensions that are contiguous for every operand (so kernels see as few, long dimensions as possible).

export type Shape = readonly number[];

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function checkShape(shape: Shape, op: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of integers, got ${String(shape)}`);
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0)
      throw new RangeError(`${op}: shape ${fmt(shape)} has an invalid dimension ${d} (expected non-negative integers)`);
  if (shape.length > 8) throw new RangeError(`${op}: shape ${fmt(shape)} has ${shape.length} dimensions (at most 8 supported)`);
  return [...shape];
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Normalises a possibly negative axis; throws naming the op and shape when out of range. */
export function normAxis(axis: number, ndim: number, op: string, shape: Shape): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim)
    throw new RangeError(`${op}: axis ${axis} is out of range for a tensor of shape ${fmt(shape)}`);
  return axis < 0 ? axis + ndim : axis;
}

/** NumPy broadcasting of two shapes; throws naming the op and the first incompatible dimension. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new RangeError(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} are not broadcastable (dimension ${i} from the left of the ` +
          `broadcast shape: ${da} vs ${db}; sizes must match or one of them be 1)`,
      );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of `shape` read as if broadcast to `target` (0 on broadcast dimensions). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = contiguousStrides(shape);
  const off = target.length - shape.length;
  return target.map((d, i) => {
    const j = i - off;
    if (j < 0) return 0;
    return shape[j] === 1 && d !== 1 ? 0 : own[j]!;
  });
}

/**
 * Merges adjacent dimensions that are laid out contiguously for every stride vector, and drops
 * size-1 dimensions. Returns at least one dimension.
 */
export function collapse(shape: Shape, strides: number[][]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => out[k]![last] === s[i]! * d)) {
      dims[last] = dims[last]! * d;
      strides.forEach((s, k) => (out[k]![last] = s[i]!));
    } else {
      dims.push(d);
      strides.forEach((s, k) => out[k]!.push(s[i]!));
    }
  }
  if (dims.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  return { shape: dims, strides: out };
}
