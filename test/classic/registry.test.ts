// The classical-classifier registry: one ClassifierSpec per classifier, listed in CLASSIFIER_SPECS and
// looked up by name (src/core/registry.ts); a new classifier needs no edit here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, CLASSIFIER_SPECS, classicModels, classicModelNames, createClassifier, encodeClassifier, decodeClassifier,
  classifierSpec, LogisticRegression, type ClassicModelName,
} from '../../src/all.ts';
import { blobs } from './helpers.ts';

initSync();

// ClassicModelName stays the union of the listed names.
const listed: ClassicModelName = 'logreg';
// @ts-expect-error not a listed classifier
const unlisted: ClassicModelName = 'svm-rbf';
void listed, void unlisted;

test('the registry holds exactly the listed specs, in list order', () => {
  assert.equal(classicModelNames(), CLASSIFIER_SPECS.map((s) => s.name));
  for (const s of CLASSIFIER_SPECS) assert.is(classicModels[s.name], s);
});

test('every spec has a label, a description and its full default hyperparameters', () => {
  for (const s of CLASSIFIER_SPECS) {
    assert.ok(s.label.length > 0 && s.description.length > 0, s.name);
    assert.equal(createClassifier(s.name).getParams(), s.defaults, s.name);
  }
});

test('a created classifier carries its registry name, and its file is read back by that name', () => {
  const d = blobs(20, 3, 4, 1);
  for (const name of classicModelNames()) {
    const m = createClassifier(name, name === 'random-forest' ? { nTrees: 3 } : name === 'gboost' ? { nRounds: 3 } : {}).fit(d.X, d.y);
    assert.is(m.kind, name);
    assert.is(decodeClassifier(encodeClassifier(m)).model.kind, name);
  }
});

test('an unknown name is an error naming the known classifiers', () => {
  assert.throws(() => createClassifier('svm-rbf'), /unknown classical classifier "svm-rbf" \(known: logreg, linear-svm, /);
});

test('classifierSpec: the spec\'s defaults override the class\'s, params override both', () => {
  const s = classifierSpec({ name: 'strong-logreg', label: 'L', description: 'd', classifier: LogisticRegression, defaults: { l2: 0.5 } });
  assert.is(s.name, 'strong-logreg');
  assert.is(s.defaults.l2, 0.5);
  assert.is(s.create().getParams().l2, 0.5);
  assert.is(s.create({ l2: 2 }).getParams().l2, 2);
});

test.run();
