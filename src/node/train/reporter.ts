// Where training progress goes. On a terminal (stderr is a TTY): one redrawn status line (a progress bar
// with epoch, batch, loss, samples/s and ETA; with several concurrent models, a compact status of each)
// and a permanent line per finished epoch. Otherwise: one JSON object per line (batch events at most
// every 2 s per model), so logs and CI can parse them.
import type { TrainEvent } from '../../train/trainer.ts';
import { epochLine, jsonLine, progressLine, shortStatus, formatDuration } from '../../train/progress.ts';

/** Where training progress goes: events, messages, and closing the status line. */
export interface Reporter {
  event(e: TrainEvent | { type: string; model?: string; [k: string]: unknown }): void;
  /** Prints a message above the status line (or as a JSON line {type: "message"}). */
  message(text: string): void;
  /** Clears the status line. */
  close(): void;
}

export interface ReporterOptions {
  stream?: NodeJS.WriteStream;
  /** Default: stream.isTTY. */
  tty?: boolean;
  /** Suppress everything (tests). */
  quiet?: boolean;
}

/**
 * A progress reporter on a stream (default stderr): one redrawn status line on a terminal, JSON lines
 * otherwise; `quiet` reports nothing.
 */
export function createReporter(opts: ReporterOptions = {}): Reporter {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  if (opts.quiet) return { event() {}, message() {}, close() {} };
  const latest = new Map<string, Extract<TrainEvent, { type: 'batch' }>>();
  const lastJson = new Map<string, number>();
  let status = '', lastDraw = 0;
  const clear = () => {
    if (status) stream.write(`\r${' '.repeat(status.length)}\r`);
    status = '';
  };
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const cols = (stream.columns || 120) - 1;
    let line: string;
    if (latest.size === 1) line = progressLine([...latest.values()][0]!);
    else {
      const eta = Math.max(...[...latest.values()].map((e) => e.etaSeconds));
      line = `${[...latest.values()].map(shortStatus).join(' | ')} | ETA ${formatDuration(eta)}`;
    }
    if (line.length > cols) line = line.slice(0, cols);
    clear();
    stream.write(line);
    status = line;
  };
  const print = (text: string) => {
    if (!tty) return void stream.write(`${jsonLine({ type: 'message', text })}\n`);
    const had = status !== '';
    clear();
    stream.write(`${text}\n`);
    if (had && latest.size) draw(true);
  };
  return {
    event(e) {
      const model = typeof e.model === 'string' ? e.model : '';
      if (!tty) {
        if (e.type === 'batch') {
          const now = Date.now();
          const b = e as Extract<TrainEvent, { type: 'batch' }>;
          if (now - (lastJson.get(model) ?? 0) < 2000 && b.batch !== b.batches) return;
          lastJson.set(model, now);
        }
        stream.write(`${jsonLine(e as Record<string, unknown>)}\n`);
        return;
      }
      switch (e.type) {
        case 'batch':
          latest.set(model, e as Extract<TrainEvent, { type: 'batch' }>);
          draw();
          break;
        case 'epoch':
          print(epochLine(e as Extract<TrainEvent, { type: 'epoch' }>));
          break;
        case 'early-stop': {
          const s = e as Extract<TrainEvent, { type: 'early-stop' }>;
          print(`${model}: no better validation macro-F1 for ${s.patience} epochs; stopping (best epoch ${s.bestEpoch})`);
          break;
        }
        case 'start': {
          const s = e as Extract<TrainEvent, { type: 'start' }>;
          print(`${model}: ${s.params.toLocaleString('en-US')} parameters, ${s.trainBeats} training / ${s.valBeats} validation beats, ${s.epochs} epochs of ${s.batches} batches` +
            (s.resumedAt ? `; resuming at epoch ${s.resumedAt.epoch}, batch ${s.resumedAt.batch}` : ''));
          break;
        }
        case 'done':
          latest.delete(model);
          if (!latest.size) clear();
          break;
        default:
          break;
      }
    },
    message: print,
    close: clear,
  };
}
