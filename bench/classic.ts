// Classical classifiers on the `intra` protocol: every registry classifier is trained on the training
// split (beat + RR + morphology features, standardised on train) and scored on val and test.
//
//   npx tsx bench/classic.ts [--json] [--data <dir>] [--only knn,logreg] [--params '{"knn":{"k":3}}']
//
// Prints accuracy and macro-F1 on val and test, training time, and inference time per beat (predict()
// on the standardised features of the split). --json prints one JSON object on stdout instead.
import { initSync, backendInfo } from '../src/all.ts';
import { classicModelNames, classicModels, runClassic, type ClassicRun } from '../src/classic/index.ts';
import { loadDataset } from '../src/node/index.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const json = argv.includes('--json');
const log = (m: string) => console.error(m);
const only = flag('--only')?.split(',') ?? classicModelNames();
const params = JSON.parse(flag('--params') ?? '{}') as Record<string, Record<string, unknown>>;
for (const n of only) if (!(n in classicModels)) throw new Error(`unknown classifier ${n} (known: ${classicModelNames().join(', ')})`);

initSync();
const { dataset: ds, seconds } = loadDataset('intra', { data: flag('--data'), seed: 0 });
log(`intra: ${ds.y.length} beats (train ${ds.split.train.length}, val ${ds.split.val.length}, test ${ds.split.test.length}), loaded in ${seconds} s; ${backendInfo().build} build`);

const runs: ClassicRun[] = [];
for (const name of only) runs.push(runClassic(name, ds, { params: params[name], log }));

const pct = (v: number) => `${(v * 100).toFixed(2)}`;
if (json) {
  console.log(JSON.stringify({
    protocol: 'intra', seed: 0, features: runs[0]?.nFeatures,
    classic: Object.fromEntries(runs.map((r) => [r.name, {
      params: r.params,
      val: { accuracy: r.val!.scores.accuracy, macroF1: r.val!.scores.macroF1 },
      test: { accuracy: r.test!.scores.accuracy, macroF1: r.test!.scores.macroF1, f1: r.test!.scores.f1 },
      trainSeconds: r.trainSeconds, inferMsPerBeat: r.test!.msPerBeat,
    }])),
  }));
} else {
  console.log(`\nintra protocol, ${runs[0]?.nFeatures} features (187 beat samples + 6 RR + 10 morphology), train ${ds.split.train.length} beats\n`);
  console.log('| classifier | val acc % | val macro-F1 % | test acc % | test macro-F1 % | train s | inference µs/beat |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of runs)
    console.log(`| ${r.name} | ${pct(r.val!.scores.accuracy)} | ${pct(r.val!.scores.macroF1)} | ${pct(r.test!.scores.accuracy)} | ${pct(r.test!.scores.macroF1)} | ${r.trainSeconds.toFixed(1)} | ${(r.test!.msPerBeat * 1000).toFixed(1)} |`);
  console.log('\nper-class test F1 (' + ds.classes.join(' / ') + '):');
  for (const r of runs) console.log(`  ${r.name}: ${r.test!.scores.f1.map((v) => pct(v)).join(' / ')}`);
}
