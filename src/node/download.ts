// Downloads a PhysioNet database: reads the database's SHA256SUMS.txt, fetches every file it lists (or
// only the files of the chosen records) over HTTPS (http:// base URLs work too, for local mirrors and
// tests), resumes partial downloads (`<file>.part`) with HTTP Range requests, and verifies each file's
// SHA-256. Files already present with the right hash are skipped; a file with the wrong hash is
// fetched again; a file that still fails verification is an error naming it.
//
// Robustness: every request has an idle timeout (connecting, waiting for the response, and between
// body chunks; `timeoutMs`) and a minimum rate (`minBytesPerSecond` over every `rateWindowMs`: a server
// that trickles a byte now and then, never silent long enough for the idle timeout, is cut off too),
// failed requests (timeouts, resets, truncated bodies, HTTP 5xx / 429) are
// retried with exponential backoff (`retries`, `backoffMs`) resuming what already arrived, and every
// file has a size cap (`maxBytes`, else a default by kind: headers 1 MiB, signal and archive files
// 4 GiB, annotations and anything else 16 MiB): an announced or received size beyond it stops the transfer at once.
// Concurrent downloads into one folder are safe: each download writes its own temporary file
// (`<file>.<pid>.<random>.tmp`, after atomically claiming an existing `<file>.part` by renaming it) and
// renames it into place once verified; an interrupted download leaves `<file>.part` for the next run.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { get as httpGet, type ClientRequest, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Options of downloadDatabase: database, output folder, base URL, which records, progress messages, and the
 * timeouts, rate floor, retries and size bound of each file.
 */
export interface DownloadOptions {
  /** PhysioNet database name (default "mitdb"). */
  db?: string;
  /** Output folder (default data/<db>). */
  out?: string;
  /** Base URL (default https://physionet.org/files/<db>/1.0.0/). */
  baseUrl?: string;
  /** Only files of these records ("100.hea", "100.dat", ...); default every file listed. */
  records?: string[];
  /** Progress messages (default: none). */
  log?: (message: string) => void;
  /**
   * Idle timeout of every request in ms: connecting, waiting for the response headers, and the longest
   * silence between two body chunks (default 30000).
   */
  timeoutMs?: number;
  /**
   * The slowest transfer accepted: a body that brings fewer than minBytesPerSecond x rateWindowMs / 1000
   * bytes in any rateWindowMs is cut off and retried (resuming), as a timeout is (defaults 1024 B/s over
   * 60000 ms; 0 turns the check off).
   */
  minBytesPerSecond?: number;
  rateWindowMs?: number;
  /** Retries of a request that failed for a transient reason (default 3). */
  retries?: number;
  /** Wait before the first retry in ms, doubled for each further one (default 1000). */
  backoffMs?: number;
  /**
   * Largest size accepted per file in bytes: one number for every file, or a function of the file's
   * path in the listing (undefined: the default). Default: $ECGRAD_DOWNLOAD_MAX_MB if set, else by
   * kind (see defaultMaxBytes).
   */
  maxBytes?: number | ((file: string) => number | undefined);
}

/**
 * What downloadDatabase did: the files already present, fetched, fetched again after a wrong hash, and
 * completed by resuming.
 */
export interface DownloadReport {
  out: string;
  /** Files already present and verified. */
  present: string[];
  /** Files downloaded (fully or by resuming). */
  fetched: string[];
  /** Files that were present with a wrong hash (or failed verification once) and were fetched again. */
  refetched: string[];
  /** Files completed by resuming a partial download. */
  resumed: string[];
}

/** A download that failed: the message names the URL (and the local file) and says what to do. */
export class DownloadError extends Error {
  readonly url: string;
  /** True if a later attempt may succeed (timeouts, resets, truncated bodies, HTTP 5xx / 429). */
  readonly transient: boolean;
  constructor(message: string, url: string, transient = false) {
    super(message);
    this.name = 'DownloadError';
    this.url = url;
    this.transient = transient;
  }
}

const MiB = 1024 * 1024;
const BULK = /\.(dat|mat|edf|bdf|rec|wav|flac|zip|gz|tgz|tar|xz|bz2|zst|7z|h5|hdf5|npy|npz|parquet|csv|tsv|mp4|avi)$/i;

/**
 * The default size cap of a file in a PhysioNet listing: 1 MiB for WFDB headers (.hea), 256 MiB for the
 * checksum list (SHA256SUMS.txt), 4 GiB for signal, archive and table files (.dat, .mat, .edf, .wav,
 * .flac, .zip, .csv, ...), 16 MiB for anything else (annotation files: a day of beats is under 1 MiB;
 * text files).
 */
export function defaultMaxBytes(file: string): number {
  if (/\.hea$/i.test(file)) return MiB;
  if (/(^|\/)SHA256SUMS\.txt$/.test(file)) return 256 * MiB;
  if (BULK.test(file)) return 4096 * MiB;
  return 16 * MiB;
}

interface Net {
  timeoutMs: number;
  minBytesPerSecond: number;
  rateWindowMs: number;
  retries: number;
  backoffMs: number;
  log: (message: string) => void;
}

const mb = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} bytes`);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);

interface Response {
  res: IncomingMessage;
  req: ClientRequest;
  /** Set when the idle timeout destroyed the request. */
  timedOut: () => boolean;
  url: string;
}

function request(url: string, headers: Record<string, string>, net: Net, redirects = 5): Promise<Response> {
  return new Promise((resolvePromise, reject) => {
    const get = url.startsWith('https:') ? httpsGet : url.startsWith('http:') ? httpGet : null;
    if (!get) return reject(new DownloadError(`${url}: only http:// and https:// URLs are supported; check --base-url`, url));
    let timedOut = false;
    let req: ClientRequest;
    try {
      // `timeout` sets the socket's idle timeout before it connects: it covers connecting too.
      req = get(url, { headers: { 'user-agent': 'ecgrad', ...headers }, timeout: net.timeoutMs }, (res) => {
        const code = res.statusCode ?? 0;
        if (code >= 300 && code < 400 && res.headers.location) {
          res.resume();
          if (redirects === 0) return reject(new DownloadError(`${url}: too many redirects; check --base-url`, url));
          let next: string;
          try {
            next = new URL(res.headers.location, url).toString();
          } catch {
            return reject(new DownloadError(`${url}: redirect to an invalid URL "${res.headers.location}"; check --base-url`, url));
          }
          resolvePromise(request(next, headers, net, redirects - 1));
          return;
        }
        resolvePromise({ res, req, timedOut: () => timedOut, url });
      });
    } catch (e) {
      return reject(new DownloadError(`${url}: ${(e as Error).message}; check --base-url`, url));
    }
    req.on('timeout', () => {
      timedOut = true;
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (timedOut) reject(timeoutError(url, net));
      else reject(new DownloadError(`${url}: ${e.message}`, url, TRANSIENT_CODES.has(e.code ?? '') || e.message === 'socket hang up'));
    });
  });
}

const timeoutError = (url: string, net: Net) =>
  new DownloadError(`${url}: no data from the server for ${net.timeoutMs / 1000} s (timed out); check the network and run again`, url, true);

/** Checks the status and the announced size of a response; returns the announced body length, if any. */
function checkResponse(r: Response, cap: number, already: number, capNote: string): number | undefined {
  const code = r.res.statusCode ?? 0;
  if (code >= 500 || code === 429) throw new DownloadError(`${r.url}: HTTP ${code} from the server; try again later`, r.url, true);
  if (code !== 200 && code !== 206) throw new DownloadError(`${r.url}: HTTP ${code}; check --base-url and --db`, r.url);
  const len = r.res.headers['content-length'] === undefined ? undefined : Number(r.res.headers['content-length']);
  const total = (code === 206 ? already : 0) + (len ?? 0);
  if (len !== undefined && Number.isFinite(len) && total > cap) {
    throw new DownloadError(`${r.url}: the server announces ${mb(total)}, more than the ${mb(cap)} accepted for this file; refused. ${capNote}`, r.url);
  }
  return len !== undefined && Number.isFinite(len) ? len : undefined;
}

/**
 * Reads a response body chunk by chunk into `sink`, enforcing the cap (counting `already` bytes) and
 * reporting a body shorter than announced or cut off with the sizes and the URL.
 */
async function readBody(r: Response, expected: number | undefined, cap: number, already: number, capNote: string, net: Net, sink: (c: Buffer) => Promise<void> | void): Promise<number> {
  let got = 0;
  // The minimum rate, checked as chunks arrive (between chunks the idle timeout applies).
  let windowStart = Date.now(), windowBytes = 0;
  const minWindowBytes = (net.minBytesPerSecond * net.rateWindowMs) / 1000;
  try {
    for await (const c of r.res) {
      const chunk = c as Buffer;
      got += chunk.length;
      windowBytes += chunk.length;
      const now = Date.now();
      if (now - windowStart >= net.rateWindowMs) {
        if (windowBytes < minWindowBytes) {
          r.req.destroy();
          throw new DownloadError(
            `${r.url}: the transfer is too slow (${windowBytes} bytes in ${((now - windowStart) / 1000).toFixed(1)} s, below the ` +
              `${net.minBytesPerSecond} bytes/s accepted); cut off after ${got} bytes, run again to resume (or lower minBytesPerSecond)`,
            r.url,
            true,
          );
        }
        windowStart = now;
        windowBytes = 0;
      }
      if (already + got > cap) {
        r.req.destroy();
        throw new DownloadError(`${r.url}: the body passed ${mb(cap)}, the most accepted for this file; refused. ${capNote}`, r.url);
      }
      await sink(chunk);
    }
  } catch (e) {
    if (e instanceof DownloadError) throw e;
    if (r.timedOut()) throw timeoutError(r.url, net);
    throw truncated(r.url, expected, got, (e as Error).message);
  }
  if (r.timedOut()) throw timeoutError(r.url, net);
  if (expected !== undefined && got !== expected) throw truncated(r.url, expected, got, 'the connection closed early');
  return got;
}

const truncated = (url: string, expected: number | undefined, got: number, why: string) =>
  new DownloadError(
    `${url}: truncated body: expected ${expected === undefined ? 'more' : expected} bytes, got ${got} (${why}); ` +
    'the server or the network cut the transfer; run again to resume',
    url, true);

/** Runs `attempt` until it succeeds or fails for a non-transient reason, retrying with backoff. */
async function withRetries<T>(what: string, net: Net, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof DownloadError) || !e.transient || i >= net.retries) {
        if (e instanceof DownloadError && e.transient && net.retries > 0) e.message += ` (gave up after ${net.retries + 1} attempts)`;
        throw e;
      }
      const wait = net.backoffMs * 2 ** i * (0.75 + Math.random() / 2);
      net.log(`${what}: ${e.message}; retrying in ${(wait / 1000).toFixed(1)} s (${i + 1}/${net.retries})`);
      await new Promise((ok) => setTimeout(ok, wait));
    }
  }
}

async function fetchText(url: string, cap: number, capNote: string, net: Net): Promise<string> {
  return withRetries(url, net, async () => {
    const r = await request(url, {}, net);
    let expected: number | undefined;
    try {
      expected = checkResponse(r, cap, 0, capNote);
    } catch (e) {
      r.res.resume();
      throw e;
    }
    const chunks: Buffer[] = [];
    await readBody(r, expected, cap, 0, capNote, net, (c) => void chunks.push(c));
    return Buffer.concat(chunks).toString('utf8');
  });
}

/**
 * Fetches url into `tmp`, appending from its current size with a Range request; retries transient
 * failures, each time resuming from what arrived. Returns true if any bytes were appended to a partial file.
 */
async function fetchInto(url: string, tmp: string, cap: number, capNote: string, net: Net): Promise<boolean> {
  let resumed = false;
  await withRetries(url, net, async () => {
    const have = existsSync(tmp) ? statSync(tmp).size : 0;
    if (have > cap) {
      rmSync(tmp, { force: true });
      throw new DownloadError(`${url}: the partial download holds ${mb(have)}, more than the ${mb(cap)} accepted for this file; removed it, run again. ${capNote}`, url, true);
    }
    // Opened before the request: the body is read as soon as the headers arrive (a body cut off while
    // the file was being opened would lose what was already buffered).
    const fh = await open(tmp, 'a');
    try {
      await fetchAttempt(url, have, cap, capNote, net, fh, () => (resumed = true));
    } finally {
      await fh.close();
    }
  });
  return resumed;
}

/** One request of fetchInto: appends to (206) or replaces (200) the partial file open as `fh`. */
async function fetchAttempt(url: string, have: number, cap: number, capNote: string, net: Net, fh: FileHandle, resumedSome: () => void): Promise<void> {
  const r = await request(url, have > 0 ? { range: `bytes=${have}-` } : {}, net);
  const code = r.res.statusCode ?? 0;
  if (code === 416) {
    // The partial file is already complete (or longer than the file): let verification decide.
    r.res.resume();
    if (have > 0) resumedSome();
    return;
  }
  let expected: number | undefined;
  let misplaced = false;
  try {
    expected = checkResponse(r, cap, have, capNote);
    if (code === 206) {
      const start = Number(/^bytes (\d+)-/.exec(String(r.res.headers['content-range'] ?? ''))?.[1] ?? NaN);
      misplaced = start !== have;
      if (misplaced) throw new DownloadError(`${url}: asked for bytes from ${have}, the server sent "${r.res.headers['content-range']}"; starting the file again`, url, true);
    }
  } catch (e) {
    r.res.resume();
    if (misplaced) await fh.truncate(0);
    throw e;
  }
  const append = code === 206;
  // A whole file (200) replaces the partial one: the handle appends, so empty the file first.
  let fresh = append || have === 0;
  const sink = async (c: Buffer) => {
    if (!fresh) {
      await fh.truncate(0);
      fresh = true;
    }
    await fh.write(c);
  };
  await readBody(r, expected, cap, append ? have : 0, capNote, net, sink);
  if (!fresh) await fh.truncate(0);
  if (append) resumedSome();
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Parses "hash  path" lines of a SHA256SUMS file. */
export function parseSha256Sums(text: string, name = 'SHA256SUMS.txt'): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^([0-9a-fA-F]{64}) [ *]?(.+)$/.exec(line.trim());
    if (!m) throw new Error(`${name} line ${i + 1}: expected "<64 hex digits>  <path>", got "${line}"`);
    out.set(m[2]!.replace(/^\.\//, ''), m[1]!.toLowerCase());
  });
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Claims the partial download of `local` for this download by renaming it to `tmp` (atomic: of two
 * concurrent downloads only one gets it, the other starts afresh): `<file>.part`, else the largest
 * temporary file left by a process that is no longer running (an interrupted download). Returns true if
 * a partial file was claimed.
 */
function claimPartial(local: string, tmp: string): boolean {
  const dir = dirname(local), name = basename(local);
  const left = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  const orphans = readdirSync(dir)
    .map((n) => ({ n, m: left.exec(n) }))
    .filter((x) => x.m && Number(x.m[1]) !== process.pid && !alive(Number(x.m[1])))
    .map((x) => join(dir, x.n));
  const size = (p: string) => { try { return statSync(p).size; } catch { return -1; } };
  const candidates = [`${local}.part`, ...orphans.sort((a, b) => size(b) - size(a))];
  let claimed = false;
  for (const c of candidates) {
    try {
      if (!claimed) {
        renameSync(c, tmp);
        claimed = true;
      } else if (c !== `${local}.part`) rmSync(c, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return claimed;
}

/** Puts an unfinished temporary file back as `<file>.part`, for the next run to resume. */
function keepPartial(tmp: string, local: string): void {
  try {
    if (existsSync(tmp) && statSync(tmp).size > 0) renameSync(tmp, `${local}.part`);
    else rmSync(tmp, { force: true });
  } catch {
    rmSync(tmp, { force: true });
  }
}

function capOf(options: DownloadOptions, file: string): { cap: number; note: string } {
  const m = options.maxBytes;
  const given = typeof m === 'function' ? m(file) : m;
  if (given !== undefined) return { cap: given, note: 'If the file really is that large, raise the maxBytes option.' };
  const env = Number(process.env.ECGRAD_DOWNLOAD_MAX_MB);
  if (process.env.ECGRAD_DOWNLOAD_MAX_MB && Number.isFinite(env) && env > 0) {
    return { cap: env * MiB, note: 'If the file really is that large, raise $ECGRAD_DOWNLOAD_MAX_MB.' };
  }
  return { cap: defaultMaxBytes(file), note: 'If the file really is that large, set $ECGRAD_DOWNLOAD_MAX_MB (or the maxBytes option) above its size in MiB; else check --base-url.' };
}

/**
 * Downloads a PhysioNet database (default MIT-BIH, "mitdb") into a folder, verifying every file against the
 * database's SHA256SUMS: files already present and verified are kept, partial downloads resume, stalled or
 * failed transfers are retried. Throws a DownloadError naming the file or URL and what went wrong.
 */
export async function downloadDatabase(options: DownloadOptions = {}): Promise<DownloadReport> {
  const db = options.db ?? 'mitdb';
  const base = (options.baseUrl ?? `https://physionet.org/files/${db}/1.0.0/`).replace(/\/?$/, '/');
  const out = resolve(options.out ?? join('data', db));
  const log = options.log ?? (() => {});
  for (const [name, v, lo, integer] of [
    ['timeoutMs', options.timeoutMs, 1, false], ['minBytesPerSecond', options.minBytesPerSecond, 0, false],
    ['rateWindowMs', options.rateWindowMs, 1, false], ['retries', options.retries, 0, true], ['backoffMs', options.backoffMs, 0, false],
  ] as const) {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= lo && (!integer || Number.isInteger(v)))) {
      throw new DownloadError(`downloadDatabase: the ${name} option must be a finite ${integer ? 'integer' : 'number'} >= ${lo}, got ${String(v)}`, base);
    }
  }
  const net: Net = {
    timeoutMs: options.timeoutMs ?? 30_000,
    minBytesPerSecond: options.minBytesPerSecond ?? 1024,
    rateWindowMs: options.rateWindowMs ?? 60_000,
    retries: options.retries ?? 3, backoffMs: options.backoffMs ?? 1000, log };
  const sumsCap = capOf(options, 'SHA256SUMS.txt');
  const sums = parseSha256Sums(await fetchText(`${base}SHA256SUMS.txt`, sumsCap.cap, sumsCap.note, net), `${base}SHA256SUMS.txt`);
  let files = [...sums.keys()];
  if (options.records) {
    const wanted = new Set(options.records);
    files = files.filter((f) => wanted.has(f.split('/').pop()!.split('.')[0]!));
    const missing = options.records.filter((r) => !files.some((f) => f.split('/').pop()!.split('.')[0] === r));
    if (missing.length) throw new Error(`${base}SHA256SUMS.txt lists no files for record(s) ${missing.join(', ')}`);
  }
  const report: DownloadReport = { out, present: [], fetched: [], refetched: [], resumed: [] };
  for (const f of files) {
    if (f.split('/').some((p) => p === '..') || f.startsWith('/')) throw new Error(`${base}SHA256SUMS.txt: refusing path "${f}" outside the output folder`);
    const local = join(out, f), want = sums.get(f)!;
    const { cap, note } = capOf(options, f);
    mkdirSync(dirname(local), { recursive: true });
    if (existsSync(local)) {
      if ((await sha256(local)) === want) {
        report.present.push(f);
        continue;
      }
      log(`${f}: SHA-256 mismatch, fetching it again`);
      rmSync(local, { force: true });
      report.refetched.push(f);
    }
    const tmp = `${local}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    claimPartial(local, tmp);
    try {
      for (let attempt = 0; ; attempt++) {
        let resumed: boolean;
        try {
          resumed = await fetchInto(base + f, tmp, cap, note, net);
        } catch (e) {
          if (e instanceof DownloadError) e.message = `${local}: ${e.message}`;
          throw e;
        }
        if ((await sha256(tmp)) === want) {
          if (resumed) report.resumed.push(f);
          break;
        }
        rmSync(tmp, { force: true });
        if (attempt === 1) throw new Error(`${local}: SHA-256 does not match ${base}SHA256SUMS.txt after downloading twice; the server copy differs from its checksum list`);
        log(`${f}: SHA-256 mismatch after download${resumed ? ' (resumed)' : ''}, fetching it whole`);
        if (!report.refetched.includes(f)) report.refetched.push(f);
      }
      // Atomic: a concurrent download of the same file renames an identical, verified copy.
      renameSync(tmp, local);
    } catch (e) {
      // A transient failure keeps what arrived for the next run; anything else starts afresh.
      if (e instanceof DownloadError && e.transient) keepPartial(tmp, local);
      else rmSync(tmp, { force: true });
      throw e;
    }
    report.fetched.push(f);
    log(`${f}: ok`);
  }
  return report;
}
