// Pooling layers over [B, C, L] (PyTorch's MaxPool1d, AvgPool1d, AdaptiveAvgPool1d) plus global pools
// [B, C, L] → [B, C] (or [B, C, 1] with keepDim). See src/ops/pool.ts for the math.
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';
import { adaptiveAvgPool1d, avgPool1d, globalAvgPool1d, globalMaxPool1d, maxPool1d, poolGeometry } from '../ops/pool.ts';

/**
 * Options of MaxPool1d and AvgPool1d: stride (default: the kernel size) and padding (default 0, at most
 * kernelSize/2).
 */
export interface Pool1dLayerOptions {
  stride?: number;
  padding?: number;
}

function validate(name: string, kernel: number, opts: Pool1dLayerOptions): void {
  // Geometry checks that do not depend on the input (a huge L stands in for it).
  poolGeometry(Number.MAX_SAFE_INTEGER / 4, kernel, opts, name, []);
}

/**
 * Max pooling layer over the last axis of [B, C, L] (see maxPool1d): kernelSize, stride (default kernelSize)
 * and padding (default 0).
 */
export class MaxPool1d extends Module {
  readonly stride: number;
  readonly padding: number;
  constructor(readonly kernelSize: number, opts: Pool1dLayerOptions = {}) {
    super();
    validate('MaxPool1d', kernelSize, opts);
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
  }
  forward(x: Tensor): Tensor {
    return maxPool1d(x, this.kernelSize, { stride: this.stride, padding: this.padding, name: `MaxPool1d(${this.kernelSize})` });
  }
}

/**
 * Options of AvgPool1d: those of MaxPool1d and whether padded positions count in the divisor (default true).
 */
export interface AvgPool1dLayerOptions extends Pool1dLayerOptions {
  countIncludePad?: boolean;
}

/**
 * Average pooling layer over the last axis of [B, C, L] (see avgPool1d): kernelSize, stride (default
 * kernelSize), padding and countIncludePad (default true).
 */
export class AvgPool1d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly countIncludePad: boolean;
  constructor(readonly kernelSize: number, opts: AvgPool1dLayerOptions = {}) {
    super();
    validate('AvgPool1d', kernelSize, opts);
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.countIncludePad = opts.countIncludePad ?? true;
  }
  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad, name: `AvgPool1d(${this.kernelSize})`,
    });
  }
}

/** PyTorch's AdaptiveAvgPool1d(outputSize); [B, C, L] → [B, C, outputSize]. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
    if (!Number.isInteger(outputSize) || outputSize < 1)
      throw new RangeError(`AdaptiveAvgPool1d: output size must be a positive integer, got ${outputSize}`);
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize, `AdaptiveAvgPool1d(${this.outputSize})`);
  }
}

/** Options of GlobalAvgPool1d and GlobalMaxPool1d. */
export interface GlobalPoolOptions {
  /** Keep the pooled axis as size 1 ([B, C, 1], like AdaptiveAvgPool1d(1)). Default false ([B, C]). */
  keepDim?: boolean;
}

/** The mean over the length axis as a layer: [B, C, L] → [B, C] (or [B, C, 1] with keepDim). */
export class GlobalAvgPool1d extends Module {
  readonly keepDim: boolean;
  constructor(opts: GlobalPoolOptions = {}) {
    super();
    this.keepDim = opts.keepDim ?? false;
  }
  forward(x: Tensor): Tensor {
    return globalAvgPool1d(x, this.keepDim, 'GlobalAvgPool1d');
  }
}

/** The maximum over the length axis as a layer: [B, C, L] → [B, C] (or [B, C, 1] with keepDim). */
export class GlobalMaxPool1d extends Module {
  readonly keepDim: boolean;
  constructor(opts: GlobalPoolOptions = {}) {
    super();
    this.keepDim = opts.keepDim ?? false;
  }
  forward(x: Tensor): Tensor {
    return globalMaxPool1d(x, this.keepDim, 'GlobalMaxPool1d');
  }
}
