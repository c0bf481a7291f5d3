// Helpers shared by the zoo's architectures: the RR-feature join, the model input check, kernel sizes
// from physiological durations, and the stored-size rule for budgets.
import type { Tensor } from '../core/tensor.ts';
import { fmt } from '../core/shape.ts';
import { concat } from '../ops/shape-ops.ts';
import type { Module } from '../nn/module.ts';
import type { ModelInput } from './spec.ts';

/** Validates a ModelInput (positive integers; fs > 0) and returns it. */
export function checkInput(name: string, i: ModelInput): ModelInput {
  for (const k of ['length', 'channels', 'classes'] as const)
    if (!Number.isInteger(i[k]) || i[k] < 1) throw new RangeError(`${name}: input.${k} must be a positive integer, got ${i[k]}`);
  if (!Number.isInteger(i.rrFeatures) || i.rrFeatures < 0)
    throw new RangeError(`${name}: input.rrFeatures must be a non-negative integer, got ${i.rrFeatures}`);
  if (!(i.fs > 0)) throw new RangeError(`${name}: input.fs must be a positive number of Hz, got ${i.fs}`);
  if (!Number.isInteger(i.seed)) throw new RangeError(`${name}: input.seed must be an integer, got ${i.seed}`);
  return i;
}

/** Checks the beat batch x [B, channels, length] (length checked only when `length` is given). */
export function checkBeats(name: string, x: Tensor, channels: number, length?: number): void {
  if (x.ndim !== 3 || x.shape[1] !== channels || (length !== undefined && x.shape[2] !== length))
    throw new RangeError(`${name}: expected beats [batch, ${channels}, ${length ?? 'length'}], got ${fmt(x.shape)}`);
}

/**
 * Joins the RR features to pooled features h [B, F] → [B, F + rrFeatures]. A model built without RR
 * features (rrFeatures = 0) ignores an rr argument, so a training loop may always pass it; a model built
 * with them requires rr [B, rrFeatures].
 */
export function joinRR(name: string, h: Tensor, rr: Tensor | undefined, rrFeatures: number): Tensor {
  if (rrFeatures === 0) return h;
  if (!rr)
    throw new RangeError(`${name}: this model was built with rrFeatures = ${rrFeatures}; call forward(x, rr) with rr [batch, ${rrFeatures}]`);
  if (rr.ndim !== 2 || rr.shape[0] !== h.shape[0] || rr.shape[1] !== rrFeatures)
    throw new RangeError(`${name}: expected RR features [${h.shape[0]}, ${rrFeatures}], got ${fmt(rr.shape)}`);
  return concat([h, rr], 1);
}

/** The odd kernel size nearest to `seconds`·fs samples (ties round up: 12.5 → 13), at least 1. */
export function oddKernel(seconds: number, fs: number): number {
  const n = seconds * fs;
  return Math.max(1, 2 * Math.floor(n / 2) + 1);
}

/**
 * Stored floats: every parameter and buffer of the state dict (BatchNorm running mean / variance and
 * its numBatchesTracked counter included), i.e. what a model file holds.
 */
export function storedFloats(m: Module): number {
  let n = 0;
  for (const [, t] of m.stateDict()) n += t.size;
  return n;
}

/** Size in KB (1 KB = 1024 bytes) of the stored floats as float32. */
export function storedKB(m: Module): number {
  return (storedFloats(m) * 4) / 1024;
}
