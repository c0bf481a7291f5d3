// Learning-rate schedules. Each sets optimizer.lr from the epoch (or step) count; call step() once per
// epoch (ReduceOnPlateau: step(metric)). Formulas follow torch.optim.lr_scheduler:
//   CosineAnnealing:  lr = ηmin + (η0 − ηmin)·(1 + cos(π·Tcur/Ti))/2, with optional warm restarts
//                     (SGDR: T0, Tmult) and an optional linear warm-up from warmupStartLr over warmup epochs
//   StepDecay:        lr = η0·γ^⌊epoch/stepSize⌋
//   ReduceOnPlateau:  lr ← max(lr·factor, minLr) after `patience` epochs without improvement
import type { Optimizer } from './optimizer.ts';

/** A learning-rate schedule: sets its optimizer's lr on each step(). */
export interface Scheduler {
  /** Advances one epoch; returns the new learning rate. */
  step(metric?: number): number;
  /** The learning rate the schedule gives at the current epoch. */
  readonly lr: number;
}

function checkPositiveInt(name: string, field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: ${field} must be a positive integer, got ${v}`);
}

/** Options of CosineAnnealing: the period, the floor etaMin (default 0), restarts and warm-up. */
export interface CosineOptions {
  /** Epochs of one cosine period (the first period when restarting). */
  tMax: number;
  etaMin?: number;
  /** Restart every period (SGDR), each period tMult times longer than the previous. */
  restarts?: boolean;
  tMult?: number;
  /** Linear warm-up epochs before the cosine part. */
  warmup?: number;
  warmupStartLr?: number;
}

/**
 * Cosine learning-rate annealing, as torch's CosineAnnealingLR (SGDR warm restarts with `restarts`, an
 * optional linear warm-up): lr = ηmin + (η0 − ηmin)·(1 + cos(π·Tcur/Ti))/2, η0 the optimizer's lr at
 * construction. Call step() once per epoch. Throws a RangeError for a tMax, tMult or warmup that is not a
 * valid integer.
 */
export class CosineAnnealing implements Scheduler {
  private epoch = 0;
  private readonly base: number;
  lr: number;

  constructor(private readonly opt: Optimizer, private readonly o: CosineOptions) {
    checkPositiveInt('CosineAnnealing', 'tMax', o.tMax);
    if (o.tMult !== undefined) checkPositiveInt('CosineAnnealing', 'tMult', o.tMult);
    if (o.warmup !== undefined && (!Number.isInteger(o.warmup) || o.warmup < 0))
      throw new RangeError(`CosineAnnealing: warmup must be a non-negative integer, got ${o.warmup}`);
    this.base = opt.lr;
    this.lr = this.at(0);
    opt.lr = this.lr;
  }

  /** The learning rate at a given epoch. */
  at(epoch: number): number {
    const { tMax, etaMin = 0, restarts = false, tMult = 1, warmup = 0, warmupStartLr = 0 } = this.o;
    if (epoch < warmup) return warmupStartLr + ((this.base - warmupStartLr) * epoch) / warmup;
    let t = epoch - warmup;
    let period = tMax;
    if (restarts) {
      while (t >= period) {
        t -= period;
        period *= tMult;
      }
    } // without restarts the cosine continues past tMax (back up), exactly as PyTorch's CosineAnnealingLR
    return etaMin + ((this.base - etaMin) * (1 + Math.cos((Math.PI * t) / period))) / 2;
  }

  step(): number {
    this.epoch++;
    this.lr = this.at(this.epoch);
    this.opt.lr = this.lr;
    return this.lr;
  }
}

/**
 * Step decay, as torch's StepLR: lr = η0·γ^⌊epoch/stepSize⌋ (γ in (0, 1], default 0.1). Call step() once per
 * epoch.
 */
export class StepDecay implements Scheduler {
  private epoch = 0;
  private readonly base: number;
  lr: number;

  constructor(private readonly opt: Optimizer, private readonly stepSize: number, private readonly gamma = 0.1) {
    checkPositiveInt('StepDecay', 'stepSize', stepSize);
    if (!(gamma > 0 && gamma <= 1)) throw new RangeError(`StepDecay: gamma must be in (0, 1], got ${gamma}`);
    this.base = opt.lr;
    this.lr = opt.lr;
  }

  step(): number {
    this.epoch++;
    this.lr = this.base * this.gamma ** Math.floor(this.epoch / this.stepSize);
    this.opt.lr = this.lr;
    return this.lr;
  }
}

/** Options of ReduceOnPlateau (defaults as PyTorch's: mode 'min', factor 0.1). */
export interface PlateauOptions {
  /** 'min' for a loss, 'max' for an accuracy. */
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  /** Relative improvement needed to count as better (PyTorch's threshold, 'rel' mode). */
  threshold?: number;
  minLr?: number;
  cooldown?: number;
}

/**
 * Multiplies the learning rate by `factor` (never below minLr) after `patience` epochs without a relative
 * improvement of the metric, then waits `cooldown` epochs, as torch's ReduceLROnPlateau. Call step(metric)
 * once per epoch.
 */
export class ReduceOnPlateau implements Scheduler {
  private best: number;
  private bad = 0;
  private cool = 0;
  lr: number;

  constructor(private readonly opt: Optimizer, private readonly o: PlateauOptions = {}) {
    const factor = o.factor ?? 0.1;
    if (!(factor > 0 && factor < 1)) throw new RangeError(`ReduceOnPlateau: factor must be in (0, 1), got ${factor}`);
    this.best = (o.mode ?? 'min') === 'min' ? Infinity : -Infinity;
    this.lr = opt.lr;
  }

  step(metric?: number): number {
    if (metric === undefined || !Number.isFinite(metric))
      throw new RangeError(`ReduceOnPlateau.step: needs the monitored metric as a finite number, got ${metric}`);
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, minLr = 0, cooldown = 0 } = this.o;
    const better = mode === 'min' ? metric < this.best * (1 - threshold) : metric > this.best * (1 + threshold);
    if (better) {
      this.best = metric;
      this.bad = 0;
    } else this.bad++;
    if (this.cool > 0) {
      this.cool--;
      this.bad = 0;
    }
    if (this.bad > patience) {
      this.lr = Math.max(this.lr * factor, minLr);
      this.opt.lr = this.lr;
      this.cool = cooldown;
      this.bad = 0;
    }
    return this.lr;
  }
}
