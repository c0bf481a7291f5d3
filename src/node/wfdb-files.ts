// Node helpers with wfdb-python's names: rdheader / rdrecord / rdann read `<dir>/<record>.hea`, the
// signal files it names and `<dir>/<record>.<ext>`; wrsamp / wrann write them. The decoding itself is
// the browser-safe code in src/ecg/wfdb.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WfdbError } from '../ecg/errors.ts';
import { type AnnotationInput, type Annotations, parseAnnotations, writeAnnotations } from '../ecg/wfdb/annotations.ts';
import { type Header, parseHeader } from '../ecg/wfdb/header.ts';
import { readRecord, type ReadRecordOptions, type WfdbRecord } from '../ecg/wfdb/record.ts';
import { writeRecord, type WriteRecordInput, type WrittenRecord } from '../ecg/wfdb/write.ts';

function readFile(path: string, what: string): Uint8Array {
  if (!existsSync(path)) {
    throw new WfdbError(`${path}: file not found (${what}); check the data directory (--data or $ECGRAD_DATA) or run \`ecgrad download\``, path);
  }
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads and parses `<recordPath>.hea` (recordPath is "<dir>/<record>", without extension). */
export function rdheader(recordPath: string): Header {
  const path = `${recordPath}.hea`;
  const text = new TextDecoder().decode(readFile(path, 'the record header'));
  return parseHeader(text, path);
}

/** Reads a record: its header and every signal file the header names (resolved beside the header). */
export function rdrecord(recordPath: string, options: ReadRecordOptions = {}): WfdbRecord {
  const header = rdheader(recordPath);
  const dir = dirname(recordPath);
  return readRecord(header, (name) => readFile(join(dir, name), `signal file named in ${recordPath}.hea`), options);
}

/** Reads the annotations `<recordPath>.<extension>` (MIT format), e.g. rdann('data/100', 'atr'). */
export function rdann(recordPath: string, extension: string): Annotations {
  const path = `${recordPath}.${extension}`;
  const name = recordPath.split(/[\\/]/).pop()!;
  return parseAnnotations(readFile(path, `annotator "${extension}"`), path, name, extension);
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
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${recordName}.${extension}`), writeAnnotations(ann));
}
