// The fused inference plan on real beats: committed trained model files (batch norm folded into their
// convolutions) classify the first 5 minutes of MIT-BIH record 208 through ecgrad/infer's Classifier (the plan) and through the
// unfused forward (the model's own, under noGrad); the predicted classes agree on every beat and the
// probabilities within the fold's rounding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync, loadClassifier, classifyRecordBatch, softmaxRows, type Classifier } from '../../src/infer/index.ts';
import { forwardInBatches, forwardOf, sliceBatches } from '../../src/nn/forward.ts';
import type { BeatClassifier } from '../../src/stream/index.ts';
import { projectRoot } from '../ecg/helpers.ts';
import { mlii, readMitdb } from './helpers.ts';

/** The classifier's model without the plan: model.forward in batches, then the same softmax. */
function unfused(c: Classifier): BeatClassifier {
  return {
    info: c.info, header: c.header,
    classify(x, rr) {
      const { channels, length, rrFeatures, classes } = c.info;
      const shape = { channels, length, rrFeatures }, n = x.length / (channels * length), C = classes.length;
      const { out } = forwardInBatches(n, sliceBatches(x, rrFeatures ? rr : null, shape, 256), shape, forwardOf(c.model));
      const pred = new Int32Array(n), probs = new Float32Array(n * C);
      softmaxRows(out, n, C, probs, 0, pred, 0);
      return { pred, probs };
    },
  };
}

initSync();
const rec = readMitdb('208');
const sig = mlii(rec).subarray(0, 5 * 60 * rec.fs); // the first 5 minutes (about 500 beats) keep the test fast
for (const file of ['models/intra-patient/ft-cnn.ecgm', 'models/arrhythminet-v2-rr.ecgm'])
  test(`${file} on record 208 (5 min): the fused plan and the unfused forward predict the same class for every beat`, () => {
    const c = loadClassifier(new Uint8Array(readFileSync(join(projectRoot, file))), file);
    const fused = classifyRecordBatch(c, sig, rec.fs), plain = classifyRecordBatch(unfused(c), sig, rec.fs);
    assert.ok(fused.pred.length > 400, `${fused.pred.length} beats`);
    let differ = 0, worst = 0;
    for (let i = 0; i < fused.pred.length; i++) if (fused.pred[i] !== plain.pred[i]) differ++;
    for (let i = 0; i < fused.probs.length; i++) worst = Math.max(worst, Math.abs(fused.probs[i]! - plain.probs[i]!));
    console.log(`  ${file}: ${fused.pred.length} beats, ${differ} predictions differ, worst probability difference ${worst.toExponential(2)}`);
    assert.is(differ, 0);
    assert.ok(worst <= 1e-5, `worst probability difference ${worst}`);
  });

test.run();
