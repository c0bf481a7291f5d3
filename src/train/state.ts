// The state of a training run, and how it becomes a checkpoint and back. Everything a resumed run needs
// to end bit-for-bit like an uninterrupted one lives here: the model and its module generators, the
// optimizer and schedule, the position (epoch, batch in it, global step), the running epoch loss, the
// history, the best epoch and its weights, and the early-stopping count. Browser-safe.
import { Rng, type RngState } from '../core/random.ts';
import type { Module } from '../nn/module.ts';
import { initSeed } from '../nn/init.ts';
import { Adam, AdamW } from '../optim/adam.ts';
import { SGD } from '../optim/sgd.ts';
import type { Optimizer, OptimizerState } from '../optim/optimizer.ts';
import { CosineAnnealing } from '../optim/schedules.ts';
import { decayGroups } from '../optim/groups.ts';
import { modelSpec, type ModelInput, type TrainingRecipe } from '../models/index.ts';
import { decodeCheckpoint, encodeCheckpoint, CheckpointError } from './checkpoint.ts';
import { isCount, isJsonObject } from '../core/container.ts';
import { mixSeed } from './seeds.ts';

/** One epoch of the history (epoch is 1-based). */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valAccuracy: number;
  valMacroF1: number;
  /** The selection score (= valMacroF1 unless select is 'sv-f1'). */
  valScore: number;
  lr: number;
  seconds: number;
}

/** Where a run is: `epoch` epochs are complete, `batch` batches of the next one are done. */
export interface Position {
  epoch: number;
  batch: number;
  step: number;
}

/** The best epoch so far (1-based) and its validation macro-F1 and selection score. */
export interface BestEpoch {
  epoch: number;
  macroF1: number;
  score?: number;
}

/** The JSON part of a checkpoint (the float arrays travel beside it). */
interface CheckpointHeader {
  fingerprint: Record<string, unknown>;
  position: Position;
  epochLoss: { sum: number; count: number; seconds: number };
  history: EpochRecord[];
  best: BestEpoch | null;
  badEpochs: number;
  finished: boolean;
  stoppedEarly: boolean;
  trainSeconds: number;
  optimizer: Omit<OptimizerState, 'buffers'> & { slots: Record<string, boolean[]> };
  rngs: Record<string, RngState>;
}

/** Every generator held by a module of the model, by "<module path>#<field>". */
export function moduleRngs(model: Module): Map<string, Rng> {
  const out = new Map<string, Rng>();
  for (const [path, m] of model.namedModules())
    for (const [k, v] of Object.entries(m as unknown as Record<string, unknown>)) if (v instanceof Rng) out.set(`${path}#${k}`, v);
  return out;
}

function makeOptimizer(model: Module, recipe: TrainingRecipe): Optimizer {
  const groups = decayGroups(model.namedParameters(), recipe.weightDecay);
  switch (recipe.optimizer) {
    case 'adam':
      return new Adam(groups, { lr: recipe.lr, weightDecay: recipe.weightDecay });
    case 'adamw':
      return new AdamW(groups, { lr: recipe.lr, weightDecay: recipe.weightDecay });
    case 'sgd':
      return new SGD(groups, { lr: recipe.lr, momentum: 0.9, nesterov: true, weightDecay: recipe.weightDecay });
    default:
      throw new RangeError(`train: unknown optimizer "${(recipe as TrainingRecipe).optimizer}" (adam, adamw, sgd)`);
  }
}

/** A copy of the model's parameters and buffers, by name. */
export function copyWeights(model: Module): Map<string, Float32Array> {
  return new Map([...model.stateDict()].map(([k, t]) => [k, t.data()]));
}

/**
 * Everything a training run needs to resume bit for bit: model, module generators, optimizer and schedule,
 * position (epoch, batch, step), running epoch loss, history, best epoch and weights, early-stopping count.
 * toCheckpoint() and restore() are exact inverses.
 */
export class TrainState {
  readonly model: Module;
  readonly optimizer: Optimizer;
  readonly schedule: CosineAnnealing | null;
  /** The generators held by modules (dropout masks), saved in checkpoints. */
  readonly rngs: Map<string, Rng>;
  position: Position = { epoch: 0, batch: 0, step: 0 };
  /** Loss summed over the current epoch's beats so far, and the seconds earlier sessions spent in it. */
  epochLoss = { sum: 0, count: 0, seconds: 0 };
  history: EpochRecord[] = [];
  best: BestEpoch | null = null;
  bestWeights: Map<string, Float32Array> | null = null;
  /** Epochs since the best one. */
  badEpochs = 0;
  finished = false;
  stoppedEarly = false;
  /** Seconds of the completed epochs (summed over sessions). */
  trainSeconds = 0;

  /** A fresh run: the model built from input.seed, in training mode, with the recipe's optimizer and schedule. */
  constructor(model: string, input: ModelInput, recipe: TrainingRecipe) {
    initSeed(mixSeed(input.seed, 0x1a17));
    this.model = modelSpec(model).build(input);
    this.model.train();
    this.optimizer = makeOptimizer(this.model, recipe);
    this.schedule = recipe.schedule === 'cosine' ? new CosineAnnealing(this.optimizer, { tMax: recipe.epochs }) : null;
    this.rngs = moduleRngs(this.model);
  }

  /** The checkpoint bytes of this state; `epochSeconds` is the time spent in the current epoch so far. */
  toCheckpoint(fingerprint: Record<string, unknown>, epochSeconds: number): Uint8Array {
    const arrays = new Map<string, Float32Array>();
    for (const [k, v] of copyWeights(this.model)) arrays.set(`model/${k}`, v);
    if (this.bestWeights) for (const [k, v] of this.bestWeights) arrays.set(`best/${k}`, v);
    const o = this.optimizer.stateDict();
    const slots: Record<string, boolean[]> = {};
    for (const [slot, list] of Object.entries(o.buffers)) {
      slots[slot] = list.map((v) => v !== null);
      list.forEach((v, i) => v && arrays.set(`optim/${slot}/${i}`, v));
    }
    const header: CheckpointHeader = {
      fingerprint, position: this.position, epochLoss: { ...this.epochLoss, seconds: this.position.batch > 0 ? epochSeconds : 0 },
      history: this.history, best: this.best, badEpochs: this.badEpochs, finished: this.finished, stoppedEarly: this.stoppedEarly,
      trainSeconds: this.trainSeconds,
      optimizer: { name: o.name, stepCount: o.stepCount, lr: o.lr, counters: o.counters, slots },
      rngs: Object.fromEntries([...this.rngs].map(([k, r]) => [k, r.getState()])),
    };
    return encodeCheckpoint(header as unknown as Record<string, unknown>, arrays);
  }

  /**
   * Continues from checkpoint bytes written by a run with the same fingerprint (a CheckpointError lists
   * every setting that differs). Must be called on a fresh state.
   */
  restore(bytes: Uint8Array, fingerprint: Record<string, unknown>, source = '(resume)'): void {
    const { header, arrays } = decodeCheckpoint(bytes, source);
    const h = checkedHeader(header, source);
    const diff = Object.keys({ ...fingerprint, ...h.fingerprint })
      .filter((k) => JSON.stringify(fingerprint[k]) !== JSON.stringify(h.fingerprint[k]));
    if (diff.length)
      throw new CheckpointError('(resume)', `was written with other settings (${diff.map((k) => `${k}: ${JSON.stringify(h.fingerprint[k])} there, ${JSON.stringify(fingerprint[k])} now`).join('; ')})`);
    const pick = (prefix: string) => new Map([...arrays].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    this.model.loadStateDict(pick('model/'));
    this.bestWeights = h.best ? pick('best/') : null;
    if (this.schedule) for (let e = 0; e < h.position.epoch; e++) this.schedule.step();
    const buffers: OptimizerState['buffers'] = {};
    for (const [slot, present] of Object.entries(h.optimizer.slots))
      buffers[slot] = present.map((p, i) => (p ? arrays.get(`optim/${slot}/${i}`) ?? missing(`optim/${slot}/${i}`) : null));
    this.optimizer.loadStateDict({ name: h.optimizer.name, stepCount: h.optimizer.stepCount, lr: h.optimizer.lr, counters: h.optimizer.counters, buffers });
    for (const [k, r] of this.rngs) {
      const s = h.rngs[k];
      if (!s) throw new CheckpointError('(resume)', `has no state for the generator ${k}`);
      r.setState(s);
    }
    ({ position: this.position, epochLoss: this.epochLoss, history: this.history, best: this.best, badEpochs: this.badEpochs } = h);
    ({ finished: this.finished, stoppedEarly: this.stoppedEarly, trainSeconds: this.trainSeconds } = h);
  }
}


/** The checkpoint's JSON header, checked field by field (a valid CRC does not make it complete). */
function checkedHeader(header: Record<string, unknown>, source: string): CheckpointHeader {
  const h = header as Partial<Record<keyof CheckpointHeader, unknown>>;
  const p = h.position as Record<string, unknown> | undefined, o = h.optimizer as Record<string, unknown> | undefined;
  const l = h.epochLoss as Record<string, unknown> | undefined;
  const checks: [string, boolean][] = [
    ['fingerprint', isJsonObject(h.fingerprint)],
    ['position (epoch, batch, step)', isJsonObject(p) && isCount(p.epoch) && isCount(p.batch) && isCount(p.step)],
    ['epochLoss (sum, count, seconds)', isJsonObject(l) && typeof l.sum === 'number' && isCount(l.count) && typeof l.seconds === 'number'],
    ['history', Array.isArray(h.history) && h.history.every(isJsonObject)],
    ['best', h.best === null || (isJsonObject(h.best) && isCount(h.best.epoch))],
    ['badEpochs', isCount(h.badEpochs)],
    ['finished, stoppedEarly', typeof h.finished === 'boolean' && typeof h.stoppedEarly === 'boolean'],
    ['trainSeconds', typeof h.trainSeconds === 'number'],
    ['optimizer (name, stepCount, lr, slots)', isJsonObject(o) && typeof o.name === 'string' && isCount(o.stepCount) && typeof o.lr === 'number' &&
      isJsonObject(o.slots) && Object.values(o.slots).every((v) => Array.isArray(v) && v.every((b) => typeof b === 'boolean'))],
    ['rngs', isJsonObject(h.rngs)],
  ];
  const bad = checks.filter(([, ok]) => !ok).map(([name]) => name);
  if (bad.length) throw new CheckpointError(source, `header field(s) ${bad.join('; ')} missing or malformed: not a checkpoint this ecgrad wrote, or a damaged one`);
  return h as unknown as CheckpointHeader;
}

function missing(name: string): never {
  throw new CheckpointError('(resume)', `lists the optimizer buffer ${name} but does not hold it`);
}

/** Reads the position of a checkpoint without training (for reports and --resume messages). */
export function checkpointInfo(bytes: Uint8Array, source?: string): Position & { finished: boolean; model: string } {
  const h = decodeCheckpoint(bytes, source).header as unknown as CheckpointHeader;
  return { ...h.position, finished: h.finished, model: String(h.fingerprint.model) };
}
