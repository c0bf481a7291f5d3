// `ecgrad export`: a model file to ONNX or to a PyTorch-named safetensors state dict, and a safetensors
// state dict (from PyTorch) to an ecgrad model file (docs/interop.md).
//   ecgrad export --model-file m.ecgm --format onnx [--out m.onnx] [--probabilities]
//   ecgrad export --model-file m.ecgq --format onnx            (int8 as QDQ)
//   ecgrad export --model-file m.ecgm --format safetensors     (PyTorch state-dict names)
//   ecgrad export --model-file s.safetensors --format ecgm [--arch ft-cnn --config '{"length":187,...}']
import { readFileSync } from 'node:fs';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { initSync } from '../core/runtime.ts';
import '../models/index.ts';
import { writeFileAtomic } from '../node/model-io.ts';
import { modelFileToOnnx } from '../export/onnx.ts';
import { modelFromBytes, encodeModel } from '../nn/model-file.ts';
import { isQuantizedModelFile } from '../quant/quant-file.ts';
import { modelFromSafetensors, modelToSafetensors } from '../nn/safetensors-state.ts';

const FORMATS = ['onnx', 'safetensors', 'ecgm'] as const;
const EXT = { onnx: '.onnx', safetensors: '.safetensors', ecgm: '.ecgm' } as const;

const spec: Record<string, OptionSpec> = {
  'model-file': { type: 'string', description: 'the model to export: .ecgm or .ecgq (to onnx, safetensors), or .safetensors (to ecgm)' },
  format: { type: 'string', description: `one of ${FORMATS.join(', ')}`, default: 'onnx' },
  out: { type: 'string', description: 'the file to write (default: the model file with the format\'s extension)' },
  probabilities: { type: 'boolean', description: 'onnx: add a "probabilities" output (Softmax of the logits)' },
  quantizer: { type: 'string', description: "onnx, int8 models: 'exact' (ecgrad's rounding, default) or 'standard' (QuantizeLinear(x, scale))", default: 'exact' },
  arch: { type: 'string', description: 'ecgm from safetensors: the architecture (default: the file\'s metadata "ecgrad.arch")' },
  config: { type: 'string', description: 'ecgm from safetensors: the architecture config as JSON, e.g. the zoo ModelInput (default: metadata "ecgrad.config")' },
  prefix: { type: 'string', description: 'ecgm from safetensors: a name prefix to strip (e.g. "module.")' },
};

export const exportCommand: Command = {
  summary: 'export a model file to ONNX (int8 as QDQ) or a PyTorch-named safetensors state dict, or a safetensors state dict to .ecgm',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('export', exportCommand.summary,
        'ecgrad export --model-file <file.ecgm|file.ecgq|file.safetensors> --format onnx|safetensors|ecgm [--out <file>]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'export');
    if (positionals.length) throw new UsageError(`export: unexpected argument "${positionals[0]}"`);
    if (!o['model-file']) throw new UsageError('export: --model-file is required');
    const format = String(o.format) as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`export: --format must be one of ${FORMATS.join(', ')}, got "${format}"`);
    const quantizer = String(o.quantizer);
    if (quantizer !== 'exact' && quantizer !== 'standard') throw new UsageError(`export: --quantizer must be exact or standard, got "${quantizer}"`);
    const path = String(o['model-file']);
    const out = o.out ? String(o.out) : path.replace(/\.(ecgm|ecgq|safetensors)$/i, '') + EXT[format];
    if (out === path) throw new UsageError('export: --out must differ from --model-file');
    const name = path.split('/').pop()!;
    const bytes = new Uint8Array(readFileSync(path));
    initSync();
    let result: Uint8Array, what: string;
    if (format === 'ecgm') {
      let config: Record<string, unknown> | undefined;
      if (o.config !== undefined) {
        try {
          config = JSON.parse(String(o.config)) as Record<string, unknown>;
        } catch {
          throw new UsageError('export: --config must be JSON, e.g. \'{"length":187,"channels":1,"classes":5,"rrFeatures":6,"fs":125,"seed":0}\'');
        }
      }
      const m = modelFromSafetensors(bytes, { source: name, arch: o.arch as string | undefined, config, prefix: o.prefix as string | undefined });
      result = encodeModel(m.model, { arch: m.arch, config: m.config, meta: { importedFrom: name } });
      what = `${m.arch} model file`;
    } else if (format === 'onnx') {
      const r = modelFileToOnnx(bytes, name, { probabilities: o.probabilities === true, quantizer });
      result = r.onnx;
      what = `ONNX opset 13 ${r.arch}${r.quantized ? ` int8 (QDQ, ${quantizer} quantizer)` : ''}: inputs x [batch, ${r.input.channels}, ${r.input.length}]` +
        `${r.input.rrFeatures ? `, rr [batch, ${r.input.rrFeatures}]` : ''}, output logits [batch, ${r.classes}]${o.probabilities ? ' and probabilities' : ''}`;
    } else {
      if (isQuantizedModelFile(bytes))
        throw new UsageError(`export: ${name} is an int8 model; a state dict holds float weights: export its float .ecgm, or export the int8 model to onnx`);
      const { model, header } = modelFromBytes(bytes, name);
      result = modelToSafetensors(model, { arch: header.arch, config: header.config });
      what = `safetensors state dict of ${header.arch} (PyTorch names)`;
    }
    writeFileAtomic(out, result, 'export');
    console.log(`wrote ${out} (${(result.length / 1024).toFixed(1)} KB): ${what}`);
    return 0;
  },
};
