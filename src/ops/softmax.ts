// softmax and logSoftmax along an axis, with fused backward kernels (assembly/reduce.ts):
//   softmax:    y = exp(x - max) / Σ exp(x - max);   dx = y·(dy − Σ dy·y)
//   logSoftmax: y = x − max − log Σ exp(x − max);    dx = dy − exp(y)·Σ dy
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend } from '../core/runtime.ts';
import { normAxis } from '../core/shape.ts';
import { empty } from './creation.ts';
import { axisView } from './reduce.ts';

function run(x: Tensor, axis: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  if (!(x instanceof Tensor)) throw new TypeError(`${name}: input must be a Tensor`);
  if (x.ndim === 0) throw new RangeError(`${name}: input must have at least one dimension`);
  const ax = normAxis(axis, x.ndim, name, x.shape);
  const [outer, n, inner] = axisView(x.shape, ax);
  const y = empty(x.shape);
  const k = backend().k;
  if (y.size) (log ? k.logSoftmax : k.softmax)(x.ptr, y.ptr, outer, n, inner);
  return record(y, name, [x], (g) => {
    const dx = empty(x.shape);
    if (dx.size) (log ? k.logSoftmaxBackward : k.softmaxBackward)(y.ptr, g.ptr, dx.ptr, outer, n, inner);
    return [dx];
  });
}

/**
 * exp(x − max) / Σ exp(x − max) along `axis` (default the last, negative counts from the end). Throws a
 * RangeError for an axis out of range.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return run(x, axis, false);
}

/**
 * log(softmax(x)) along `axis` (default the last, negative counts from the end), computed stably as x − max −
 * log Σ exp(x − max). Throws a RangeError for an axis out of range.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return run(x, axis, true);
}
