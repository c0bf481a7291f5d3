// The command table of the `ecgrad` CLI. Each command lives in its own file under src/cli/ and
// handles its own --help.
import { datasetCommand } from './dataset.ts';
import { downloadCommand } from './download.ts';
import { explainCommand } from './explain.ts';
import { qrsCommand } from './qrs.ts';
import { classicCommand } from './classic.ts';
import { trainCommand } from './train.ts';
import { evaluateCommand } from './evaluate.ts';
import { compareCommand } from './compare.ts';
import { quantizeCommand } from './quantize.ts';
import { cvCommand } from './cv.ts';
import { personalizeCommand } from './personalize.ts';
import { adaptiveCommand } from './adaptive.ts';
import { replayBankCommand } from './replay-bank.ts';
import { exportCommand } from './export.ts';
import { mergeCommand } from './merge.ts';

import type { Command } from './command.ts';

export type { Command };

export const commands: Record<string, Command> = {
  qrs: qrsCommand,
  dataset: datasetCommand,
  download: downloadCommand,
  classic: classicCommand,
  explain: explainCommand,
  train: trainCommand,
  evaluate: evaluateCommand,
  compare: compareCommand,
  merge: mergeCommand,
  quantize: quantizeCommand,
  cv: cvCommand,
  personalize: personalizeCommand,
  adaptive: adaptiveCommand,
  'replay-bank': replayBankCommand,
  export: exportCommand,
};
