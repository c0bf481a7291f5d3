// The error type of the ECG data layer. Every message names the file, the place in it (line or byte
// offset) and what was expected, so a bad input can be found and fixed without a debugger.

/**
 * A WFDB header, signal or annotation file (or an ECG input) that cannot be read or written. The message
 * names the file, the place in it (line or byte offset) and what was expected.
 */
export class WfdbError extends Error {
  /** The file the problem is in (as the caller named it), if any. */
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(message);
    this.name = 'WfdbError';
    this.file = file;
  }
}
