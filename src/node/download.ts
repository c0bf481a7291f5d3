// Downloads a PhysioNet database: reads the database's SHA256SUMS.txt, fetches every file it lists (or
// only the files of the chosen records) over HTTPS (http:// base URLs work too, for local mirrors and
// tests), resumes partial downloads (`<file>.part`) with HTTP Range requests, and verifies each file's
// SHA-256. Files already present with the right hash are skipped; a file with the wrong hash is
// fetched again; a file that still fails verification is an error naming it.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname, join, resolve } from 'node:path';

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
}

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

function request(url: string, headers: Record<string, string>, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const get = url.startsWith('https:') ? httpsGet : url.startsWith('http:') ? httpGet : null;
    if (!get) return reject(new Error(`${url}: only http:// and https:// URLs are supported`));
    const req = get(url, { headers: { 'user-agent': 'ecgrad', ...headers } }, (res) => {
      const code = res.statusCode ?? 0;
      if (code >= 300 && code < 400 && res.headers.location) {
        res.resume();
        if (redirects === 0) return reject(new Error(`${url}: too many redirects`));
        resolvePromise(request(new URL(res.headers.location, url).toString(), headers, redirects - 1));
        return;
      }
      resolvePromise(res);
    });
    req.on('error', (e) => reject(new Error(`${url}: ${e.message}`)));
  });
}

async function fetchText(url: string): Promise<string> {
  const res = await request(url, {});
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`${url}: HTTP ${res.statusCode}; check --base-url and --db`);
  }
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Fetches url into `part`, appending from its current size with a Range request. Returns true if it resumed. */
async function fetchInto(url: string, part: string): Promise<boolean> {
  const have = existsSync(part) ? statSync(part).size : 0;
  const res = await request(url, have > 0 ? { range: `bytes=${have}-` } : {});
  const code = res.statusCode ?? 0;
  if (code === 416) {
    // The partial file is already complete (or longer than the file): let verification decide.
    res.resume();
    return have > 0;
  }
  if (code !== 200 && code !== 206) {
    res.resume();
    throw new Error(`${url}: HTTP ${code}`);
  }
  const append = code === 206;
  await new Promise<void>((ok, fail) => {
    const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
    res.pipe(out);
    res.on('error', fail);
    out.on('error', fail);
    out.on('finish', () => ok());
  });
  return append;
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

export async function downloadDatabase(options: DownloadOptions = {}): Promise<DownloadReport> {
  const db = options.db ?? 'mitdb';
  const base = (options.baseUrl ?? `https://physionet.org/files/${db}/1.0.0/`).replace(/\/?$/, '/');
  const out = resolve(options.out ?? join('data', db));
  const log = options.log ?? (() => {});
  const sums = parseSha256Sums(await fetchText(`${base}SHA256SUMS.txt`), `${base}SHA256SUMS.txt`);
  let files = [...sums.keys()];
  if (options.records) {
    const wanted = new Set(options.records);
    files = files.filter((f) => wanted.has(f.split('/').pop()!.split('.')[0]!));
    const missing = options.records.filter((r) => !files.some((f) => f.split('/').pop()!.split('.')[0] === r));
    if (missing.length) throw new Error(`${base}SHA256SUMS.txt lists no files for record(s) ${missing.join(', ')}`);
  }
  const report: DownloadReport = { out, present: [], fetched: [], refetched: [], resumed: [] };
  for (const f of files) {
    if (f.split('/').some((p) => p === '..')) throw new Error(`${base}SHA256SUMS.txt: refusing path "${f}" outside the output folder`);
    const local = join(out, f), part = `${local}.part`, want = sums.get(f)!;
    mkdirSync(dirname(local), { recursive: true });
    if (existsSync(local)) {
      if ((await sha256(local)) === want) {
        report.present.push(f);
        continue;
      }
      log(`${f}: SHA-256 mismatch, fetching it again`);
      rmSync(local);
      report.refetched.push(f);
    }
    for (let attempt = 0; ; attempt++) {
      const resumed = await fetchInto(base + f, part);
      if ((await sha256(part)) === want) {
        if (resumed) report.resumed.push(f);
        break;
      }
      rmSync(part);
      if (attempt === 1) throw new Error(`${local}: SHA-256 does not match ${base}SHA256SUMS.txt after downloading twice; the server copy differs from its checksum list`);
      log(`${f}: SHA-256 mismatch after download${resumed ? ' (resumed)' : ''}, fetching it whole`);
      if (!report.refetched.includes(f)) report.refetched.push(f);
    }
    renameSync(part, local);
    report.fetched.push(f);
    log(`${f}: ok`);
  }
  return report;
}
