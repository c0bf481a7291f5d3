// Files of a run folder: atomic writes (temporary file in the same folder, fsync, rename, so a kill
// never leaves a half-written file under the final name), the default folder runs/<timestamp>-<command>,
// and an up-front check that the folder can be written (before any work is done).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, writeSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes a file atomically: a temporary file in the same folder, fsync, then a rename, so a kill never leaves
 * a half-written file under the final name. Throws an Error naming the path and the system error.
 */
export function atomicWrite(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.floor(Math.random() * 1e9)}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** The default run folder of a command: runs/<yyyymmdd-hhmmss>-<command> (local time, absolute path). */
export function defaultRunDir(command: string): string {
  return resolve('runs', `${stamp()}-${command}`);
}

export interface RunDir {
  path: string;
  /** True when this call created the folder (so a failure before any output may remove it). */
  created: boolean;
  /** Removes the folder if this call created it and it is still empty. */
  discardIfEmpty(): void;
}

/** Creates the folder if needed and proves it writable by writing and removing a probe file. */
export function prepareRunDir(dir: string): RunDir {
  const path = resolve(dir);
  // Find the first missing ancestor, so a failure can remove exactly what was created.
  let top: string | null = null;
  for (let p = path; !existsSync(p); p = dirname(p)) top = p;
  try {
    mkdirSync(path, { recursive: true });
    atomicWrite(join(path, '.ecgrad-write-test'), 'ok');
    rmSync(join(path, '.ecgrad-write-test'), { force: true });
  } catch (e) {
    if (top) {
      try {
        rmSync(top, { recursive: true, force: true });
      } catch {
        // nothing was created there
      }
    }
    const code = (e as NodeJS.ErrnoException).code ?? /: (E[A-Z]+)$/.exec((e as Error).message)?.[1] ?? (e as Error).message;
    throw new Error(`the output folder ${path} is not writable (${code}); choose another with --out`);
  }
  return {
    path, created: top !== null,
    discardIfEmpty() {
      if (top && existsSync(path) && readdirSync(path).length === 0) {
        for (let p = path; ; p = dirname(p)) {
          try {
            rmdirSync(p);
          } catch {
            break;
          }
          if (p === top) break;
        }
      }
    },
  };
}
