// Node helpers with wfdb-python's names: rdheader / rdrecord / rdann read `<dir>/<record>.hea`, the
// signal files it names and `<dir>/<record>.<ext>`; wrsamp / wrann write them. The decoding itself is
// the browser-safe code in src/ecg/wfdb.
//
// A header is data, not a list of paths to trust: the signal files it names are confined to the
// record's folder (no absolute paths, no ".." segments), only regular files are read (never a device,
// a FIFO or a folder: a header naming /dev/zero or /dev/urandom is refused, not read), and a signal
// file's size is checked against what the header needs before a byte of it is read.
import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readSync, type Stats, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, win32 } from 'node:path';
import { WfdbError } from '../ecg/errors.ts';
import { type AnnotationInput, type Annotations, parseAnnotations, writeAnnotations } from '../ecg/wfdb/annotations.ts';
import { describeValue, type Header, parseHeader } from '../ecg/wfdb/header.ts';
import { readRecord, type ReadRecordOptions, type WfdbRecord } from '../ecg/wfdb/record.ts';
import { writeRecord, type WriteRecordInput, type WrittenRecord } from '../ecg/wfdb/write.ts';

/**
 * The largest file read whole: a header (text; 1 MiB is over 100,000 signal lines, and parsing that
 * many takes about a second) and a signal or annotation file.
 */
export const MAX_HEADER_BYTES = 1024 * 1024;
export const MAX_DATA_BYTES = 2 ** 31 - 1;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a regular file whole. Opened non-blocking (a FIFO cannot stall the open), checked with fstat
 * on the open descriptor (no swap between check and read), refused if larger than `maxBytes` or if
 * `checkSize` throws for its size, and read only up to the size fstat gave.
 */
function readFile(
  path: string,
  what: string,
  maxBytes: number,
  checkSize?: (byteLength: number) => void,
  seen?: { ids: Map<string, string>; name: string },
): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new WfdbError(`${path}: file not found (${what}); check the data directory (--data or $ECGRAD_DATA) or run \`ecgrad download\``, path);
    }
    throw new WfdbError(`${path}: cannot open the ${what} (${code ?? (e as Error).message})`, path);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new WfdbError(`${path}: is ${kindOf(st)}, not a regular file (${what}); only plain files are read`, path);
    if (seen && st.ino !== 0) {
      // One file under several names ("a.dat", "./a.dat", a link) would be read, and decoded, once per name.
      const id = `${st.dev}:${st.ino}`;
      const before = seen.ids.get(id);
      if (before !== undefined) {
        throw new WfdbError(
          `${path}: the header names this file twice, as ${JSON.stringify(before)} and as ${JSON.stringify(seen.name)} (${what}); ` +
            'a header may name each signal file once',
          path,
        );
      }
      seen.ids.set(id, seen.name);
    }
    checkSize?.(st.size); // what the header needs: the more precise message comes first
    if (st.size > maxBytes) {
      throw new WfdbError(`${path}: the file holds ${st.size} bytes, more than the ${maxBytes} bytes ecgrad reads from one file (${what}); refusing to read it`, path);
    }
    const out = new Uint8Array(st.size);
    let got = 0;
    while (got < out.length) {
      const k = readSync(fd, out, got, out.length - got, got);
      if (k === 0) break; // the file shrank while being read: the decoder reports the truncation
      got += k;
    }
    return got === out.length ? out : out.subarray(0, got);
  } catch (e) {
    if (e instanceof WfdbError) throw e;
    throw new WfdbError(`${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  } finally {
    closeSync(fd);
  }
}

function checkPathArg(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new WfdbError(`${what} must be a non-empty string, got ${describeValue(value)}`);
  if (value.includes('\0')) throw new WfdbError(`${what} "${value.replace(/\0/g, '\\0')}" contains a NUL character`);
  return value;
}

/**
 * The path of a signal file named in a header, refused unless it stays inside the record's folder:
 * no absolute path (POSIX or Windows), no ".." segment, no NUL. Subfolders of the record's folder are
 * allowed; symbolic links are followed (the folder's owner made them), but only to regular files.
 */
export function signalFilePath(dir: string, name: string, headerPath: string): string {
  const quoted = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);
  const refuse = (why: string): never => {
    throw new WfdbError(`${headerPath}: the signal file name ${quoted} ${why}; signal files must be inside the record's folder`, headerPath);
  };
  if (name === '') refuse('is empty');
  if (name.includes('\0')) refuse('contains a NUL character');
  if (isAbsolute(name) || win32.isAbsolute(name) || /^[A-Za-z]:/.test(name)) refuse('is an absolute path');
  if (name.split(/[\\/]/).includes('..')) refuse('has a ".." segment');
  return join(dir, name);
}

/** Reads and parses `<recordPath>.hea` (recordPath is "<dir>/<record>", without extension). */
export function rdheader(recordPath: string): Header {
  const path = `${checkPathArg(recordPath, 'rdheader: the record path')}.hea`;
  const text = new TextDecoder().decode(readFile(path, 'the record header', MAX_HEADER_BYTES));
  return parseHeader(text, path);
}

/** Reads a record: its header and every signal file the header names (resolved beside the header). */
export function rdrecord(recordPath: string, options: ReadRecordOptions = {}): WfdbRecord {
  const header = rdheader(checkPathArg(recordPath, 'rdrecord: the record path'));
  const dir = dirname(recordPath);
  const headerPath = `${recordPath}.hea`;
  const ids = new Map<string, string>();
  return readRecord(
    header,
    (name, checkSize) =>
      readFile(signalFilePath(dir, name, headerPath), `signal file named in ${headerPath}`, MAX_DATA_BYTES, checkSize, { ids, name }),
    options,
  );
}

/** Reads the annotations `<recordPath>.<extension>` (MIT format), e.g. rdann('data/100', 'atr'). */
export function rdann(recordPath: string, extension: string): Annotations {
  checkPathArg(recordPath, 'rdann: the record path');
  checkPathArg(extension, 'rdann: the annotator (extension)');
  if (/[\\/]/.test(extension)) throw new WfdbError(`rdann: the annotator (extension) "${extension}" contains a path separator; give a name such as "atr"`);
  const path = `${recordPath}.${extension}`;
  const name = recordPath.split(/[\\/]/).pop()!;
  // The record's frequency rescales a high-resolution annotator ("## time resolution: F") to samples.
  // Without a readable header the samples stay in the annotator's own ticks (as wfdb-python gives them).
  let fs: number | undefined;
  try {
    fs = existsSync(`${recordPath}.hea`) ? rdheader(recordPath).fs : undefined;
  } catch (e) {
    if (!(e instanceof WfdbError)) throw e;
  }
  return parseAnnotations(readFile(path, `annotator "${extension}"`, MAX_DATA_BYTES), path, name, extension, fs ? { fs } : {});
}

/** Writes `<dir>/<recordName>.hea` and its signal files; returns what was written. */
export function wrsamp(dir: string, input: WriteRecordInput): WrittenRecord {
  const written = writeRecord(input);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${input.recordName}.hea`), written.header);
  for (const [name, bytes] of written.files) writeFileSync(join(dir, name), bytes);
  return written;
}

/** Writes `<dir>/<recordName>.<extension>` in the MIT annotation format. */
export function wrann(dir: string, recordName: string, extension: string, ann: AnnotationInput): void {
  for (const [v, what] of [[recordName, 'record name'], [extension, 'annotator (extension)']] as const) {
    if (/[\\/]/.test(checkPathArg(v, `wrann: the ${what}`))) throw new WfdbError(`wrann: the ${what} "${v}" contains a path separator`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${recordName}.${extension}`), writeAnnotations(ann));
}
