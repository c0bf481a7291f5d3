// Prints the op support table of README.md (op x forward kernel / backward / SIMD) from the list below.
// test/ops/op-table.test.ts checks that README.md holds exactly this output, and both ways that the list
// is complete: every public function of src/ops is in a row (or in NOT_IN_TABLE, with its reason), every
// src/ops file has one, and every row names exported ops (or optimizers) and existing kernels (`name`).
// Usage: npx tsx scripts/op-table.ts

export interface OpRow {
  ops: string[];
  forward: string;
  backward: string;
  simd: string;
}

export const OP_TABLE: OpRow[] = [
  { ops: ['add', 'sub', 'mul', 'div'], forward: '`binary` (broadcasting)', backward: 'hand-written; broadcast dims summed by `stridedAdd`', simd: 'yes' },
  { ops: ['pow'], forward: '`binary` POW / `unary` POW', backward: 'hand-written / fused `unaryBackward`', simd: 'yes' },
  { ops: ['maximum', 'minimum'], forward: '`binary`', backward: 'hand-written (winner takes it, ties split)', simd: 'yes' },
  { ops: ['neg', 'abs', 'relu', 'leakyRelu', 'elu', 'gelu', 'sigmoid', 'tanh', 'exp', 'log', 'sqrt', 'square', 'reciprocal', 'clamp'], forward: '`unary`', backward: 'fused `unaryBackward`', simd: 'yes' },
  { ops: ['matmul'], forward: '`gemm` NN (packed panels, 4x8 micro-kernel)', backward: '`gemm` NT and TN', simd: 'yes' },
  { ops: ['linear'], forward: '`gemm` NT, bias folded in (output pre-filled with it, β = 1)', backward: '`gemm` NN and TN; bias: `reduce` SUM', simd: 'yes' },
  { ops: ['sum'], forward: '`reduce` SUM', backward: 'broadcast (`stridedCopy`)', simd: 'yes' },
  { ops: ['mean'], forward: 'composite: sum · 1/n', backward: 'free (composite)', simd: 'yes' },
  { ops: ['max', 'min'], forward: '`reduce` MAX / MIN', backward: 'fused `reduceExtremeBackward`', simd: 'yes' },
  { ops: ['argmax', 'argmin'], forward: '`argReduce`', backward: 'not differentiable', simd: 'scalar' },
  { ops: ['softmax', 'logSoftmax'], forward: '`softmax` / `logSoftmax`', backward: 'fused `softmaxBackward` / `logSoftmaxBackward`', simd: 'yes' },
  { ops: ['reshape', 'flatten', 'squeeze', 'unsqueeze'], forward: 'view (no copy)', backward: 'view', simd: 'n/a' },
  { ops: ['permute', 'transpose', 'slice', 'narrow', 'pad', 'concat', 'stack', 'expand', 'clone'], forward: '`stridedCopy`', backward: '`stridedCopy` / `stridedAdd`', simd: 'yes (contiguous inner axis)' },
  { ops: ['conv1d'], forward: '`conv1dForward` (per shape: direct rows, pointwise GEMM, Winograd F(4,3) / F(4,5), im2col + GEMM); `conv1dForwardCached` without a graph', backward: '`conv1dBackwardData` / `conv1dBackwardWeight`; bias: `reduce` SUM', simd: 'yes' },
  { ops: ['batchNorm'], forward: 'fused `batchNormForward` (mean, centred variance, output; running stats in place)', backward: 'fused `batchNormBackward` (dx, dγ, dβ in two passes)', simd: 'yes' },
  { ops: ['maxPool1d', 'avgPool1d'], forward: '`maxPool1d` (argmax kept) / `avgPool1d`', backward: '`maxPool1dBackward` / `avgPool1dBackward`', simd: 'yes (kernel = stride = 2)' },
  { ops: ['adaptiveAvgPool1d', 'globalAvgPool1d', 'globalMaxPool1d'], forward: '`adaptiveAvgPool1d` / `globalMaxPool1d`', backward: '`adaptiveAvgPool1dBackward` / `globalMaxPool1dBackward`', simd: 'yes (global pools)' },
  { ops: ['dropout'], forward: '`dropout` (counter-based mask)', backward: 'same kernel, same key (mask regenerated)', simd: 'yes' },
  { ops: ['rnn'], forward: '`lstmSeqForward` / `gruSeqForward` (the whole time loop in one call, the cell fused with the recurrent GEMM tiles)', backward: '`lstmSeqBackward` / `gruSeqBackward` (BPTT), then `gemm` for the weight gradients', simd: 'yes' },
  { ops: ['SGD', 'Adam', 'AdamW'], forward: 'fused in-place `sgdStep` / `adamStep`', backward: 'n/a', simd: 'yes' },
];

/**
 * Public functions of src/ops that are not rows of the table, each with its reason; the test requires
 * every other public function of src/ops to be in a row.
 */
export const NOT_IN_TABLE: Record<string, string> = {
  tensor: 'creation: a leaf from JS values, no kernel or backward',
  fromArray: 'creation',
  zeros: 'creation (`fill`)',
  ones: 'creation (`fill`)',
  full: 'creation (`fill`)',
  zerosLike: 'creation (`fill`)',
  onesLike: 'creation (`fill`)',
  arange: 'creation',
  rand: 'creation (seeded generator)',
  randn: 'creation (seeded generator)',
  manualSeed: 'seeds the global generator',
  dropoutSeed: "draws a dropout op's mask key",
};

export function opTableMarkdown(): string {
  const lines = ['| op | forward kernel | backward | SIMD |', '| --- | --- | --- | --- |'];
  for (const r of OP_TABLE) lines.push(`| ${r.ops.map((o) => `\`${o}\``).join(', ')} | ${r.forward} | ${r.backward} | ${r.simd} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(opTableMarkdown());
