// torch.hub: the weights cache and its download, as PyTorch 1.13's torch/hub.py.
//
// The cache is PyTorch's own: `get_dir()` is `$TORCH_HOME/hub` (`$TORCH_HOME` defaulting to
// `$XDG_CACHE_HOME/torch`, then `~/.cache/torch`), checkpoints live in `<hub_dir>/checkpoints`,
// under the file name of the URL. A checkpoint that PyTorch has already downloaded is used as it is.
//
// Python downloads synchronously; Node's network is asynchronous. So:
//   - `download_url_to_file` and `load_state_dict_from_url` return Promises (`await` them);
//   - `cached_checkpoint_path` looks the cache up synchronously (no network);
//   - `download_url_to_file_sync`, `cached_file_from_url_sync` and `load_state_dict_from_url_sync`
//     block as Python does: the download runs in a child Node process (the same code as the async
//     path, run to completion while this process waits), so that a model constructor with
//     pretrained weights can stay synchronous, as in torchvision.
//
// Proxies go through maintained agents: https-proxy-agent (a CONNECT tunnel for https URLs) and
// http-proxy-agent (absolute-URI requests for http URLs), the ones npm's own HTTP agent uses; they
// plug into Node's http/https, so redirects, progress, timeouts and errors stay in this file's
// hands. undici's EnvHttpProxyAgent was the other choice: it would replace Node's http client as a
// whole, its current releases need Node 22 (this package supports 18), and it reads the environment
// with rules of its own. Which proxy applies is urllib's rule (only `<scheme>_proxy`); NO_PROXY's
// matching is proxy-from-env's (see _proxy_for). Temporary files are removed on a signal by
// signal-exit, the legacy one-file zip is read by fflate.
//
// Kept here, with no package that does the same: the redirect loop (the proxy is chosen again for
// each hop; urllib's limit and messages), the progress bar (tqdm's exact look), and the synchronous
// download in a child process (synckit-style worker threads blocked in Atomics.wait would hold back
// the progress bar: a worker's stderr goes through the blocked main thread).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import type { IncomingMessage } from 'node:http';
import * as crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { HttpProxyAgent } from 'http-proxy-agent';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { onExit } from 'signal-exit';
import { warn } from './warnings';
// torch.load is required on first use (see _torch_load): the hub, and the child process that runs
// a synchronous download, then never load the native addon for nothing.
import type { MapLocation } from './serialization';
import type { Tensor } from './tensor';
// proxy-from-env ships no type declarations; this is its one function.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getProxyForUrl } = require('proxy-from-env') as { getProxyForUrl(url: string): string };

/** Matches `bfd8deac` from `resnet18-bfd8deac.pth` (PyTorch's `HASH_REGEX`). */
export const HASH_REGEX = /-([a-f0-9]*)\./;

const ENV_TORCH_HOME = 'TORCH_HOME';
const ENV_XDG_CACHE_HOME = 'XDG_CACHE_HOME';
const DEFAULT_CACHE_DIR = '~/.cache';
/** Seconds without any data from the server after which a download is abandoned (Python has no limit). */
const DEFAULT_TIMEOUT_S = 60;
const MAX_REDIRECTIONS = 10; // urllib's HTTPRedirectHandler.max_redirections
const CHILD_FLAG = '--torch-node-hub-download';

let _hub_dir: string | null = null;

/** os.path.expanduser for `~` and `~/...` ($HOME first, as Python). */
function _expanduser(p: string): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith(`~${path.sep}`)) {
    const home = process.env.HOME || os.homedir();
    return p === '~' ? home : path.join(home, p.slice(2));
  }
  return p;
}

function _get_torch_home(): string {
  const env = process.env[ENV_TORCH_HOME];
  if (env !== undefined) return _expanduser(env);
  return _expanduser(path.join(process.env[ENV_XDG_CACHE_HOME] ?? DEFAULT_CACHE_DIR, 'torch'));
}

/**
 * The Torch Hub cache directory used for storing downloaded models and weights.
 *
 * Unless `set_dir()` was called, `$TORCH_HOME/hub`, where `$TORCH_HOME` defaults to
 * `$XDG_CACHE_HOME/torch` and `$XDG_CACHE_HOME` to `~/.cache`: the directory PyTorch uses.
 */
export function get_dir(): string {
  if (process.env.TORCH_HUB) warn('TORCH_HUB is deprecated, please use env TORCH_HOME instead');
  if (_hub_dir !== null) return _hub_dir;
  return path.join(_get_torch_home(), 'hub');
}

/** Sets the Torch Hub directory used to save downloaded models and weights. */
export function set_dir(d: string): void {
  _hub_dir = _expanduser(String(d));
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * A download that could not be completed: no network, DNS, refused connection, proxy, TLS, HTTP
 * status, timeout, a connection cut before the end. The message names the URL, the cause and
 * the exact path where the file can be put by hand.
 */
export class DownloadError extends Error {
  /** The URL that was asked for. */
  url: string;
  /** The file that was to be written. */
  dst: string;
  /** The HTTP status when the server answered with an error (Python's `HTTPError.code`). */
  status?: number;
  /** The system error code of the cause when there is one (`ENOTFOUND`, `ECONNREFUSED`, ...). */
  code?: string;
  /** What went wrong, without the advice. */
  reason: string;
  constructor(url: string, dst: string, reason: string, opts: { status?: number; code?: string; cause?: unknown } = {}) {
    super(
      `Could not download "${url}": ${reason}\n` +
        `To use this file without downloading it here, fetch it from that URL by other means and put it at:\n` +
        `  ${path.resolve(dst)}`,
      opts.cause !== undefined ? { cause: opts.cause } : undefined,
    );
    this.name = 'DownloadError';
    this.url = url;
    this.dst = dst;
    this.reason = reason;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.code !== undefined) this.code = opts.code;
  }
}

/** What urllib's HTTPError says: `HTTP Error 404: Not Found`. */
class HTTPStatusError extends Error {
  status: number;
  constructor(status: number, msg: string) {
    super(`HTTP Error ${status}: ${msg}`);
    this.status = status;
  }
}

function _describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message || String(e);
    if (code && !msg.includes(code)) return `${msg} (${code})`;
    return msg;
  }
  return String(e);
}

function _as_download_error(url: string, dst: string, e: unknown): unknown {
  if (e instanceof DownloadError) return e;
  const status = e instanceof HTTPStatusError ? e.status : undefined;
  const code = e instanceof Error ? ((e as NodeJS.ErrnoException).code as string | undefined) : undefined;
  return new DownloadError(url, dst, _describe(e), { status, code: typeof code === 'string' ? code : undefined, cause: e });
}

// ---------------------------------------------------------------------------------------------
// Proxies

function _env(name: string): string | undefined {
  const lower = process.env[name.toLowerCase()];
  if (lower !== undefined && lower !== '') return lower;
  const upper = process.env[name.toUpperCase()];
  return upper !== undefined && upper !== '' ? upper : undefined;
}

/**
 * The proxy for `u`, or null for a direct connection. Which variable is urllib's rule: only
 * `<scheme>_proxy` (lower case first; no ALL_PROXY fallback), and a value without a scheme is an
 * http:// proxy (proxy-from-env would take the URL's scheme: TLS to the proxy for every https URL).
 * Whether NO_PROXY/no_proxy bypasses it is proxy-from-env's (curl's) matching: `*`, names and
 * `name:port`, `.example.com` or `*.example.com` for the names under example.com. Unlike urllib,
 * a bare `example.com` matches only itself: write `example.com,.example.com` for both.
 */
function _proxy_for(u: URL): URL | null {
  const scheme = u.protocol.slice(0, -1);
  const value = _env(`${scheme}_proxy`);
  if (!value || !getProxyForUrl(u.href)) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let p: URL;
  try {
    p = new URL(withScheme);
  } catch {
    throw new Error(`invalid proxy URL in ${scheme}_proxy: ${JSON.stringify(value)}`);
  }
  if (p.protocol !== 'http:' && p.protocol !== 'https:') {
    throw new Error(`unsupported proxy scheme ${p.protocol} in ${scheme}_proxy (http:// and https:// proxies are supported)`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// One request, redirects, a body

interface Body {
  stream: Readable;
  /** Content-Length, when the server gave one. */
  length: number | null;
}

// The HTTP client, the proxy agents and the unzipper are required on first download: every
// `require('torch-node')` (and every DataLoader worker) would otherwise load them (~20 ms).
/* eslint-disable @typescript-eslint/no-var-requires */
let _net: {
  http: typeof import('node:http'); https: typeof import('node:https');
  HttpProxyAgent: typeof HttpProxyAgent; HttpsProxyAgent: typeof HttpsProxyAgent;
} | null = null;
const net = () => (_net ??= {
  http: require('node:http'), https: require('node:https'),
  HttpProxyAgent: require('http-proxy-agent').HttpProxyAgent, HttpsProxyAgent: require('https-proxy-agent').HttpsProxyAgent,
});
const unzipSync: typeof import('fflate').unzipSync = (...a) => (require('fflate') as typeof import('fflate')).unzipSync(...a);
/* eslint-enable @typescript-eslint/no-var-requires */

const BASE_HEADERS = { 'User-Agent': 'torch.hub', 'Accept-Encoding': 'identity', Connection: 'close' };

/** One GET of `u`, directly or through its proxy; resolves with the response once its headers are in. */
function _request_once(u: URL, timeout_ms: number): Promise<IncomingMessage> {
  const { http, https, HttpProxyAgent, HttpsProxyAgent } = net();
  const proxy = _proxy_for(u);
  const secure = u.protocol === 'https:';
  // Closes the connection to the proxy while the agent is still setting it up (see expire).
  const abort = new AbortController();
  // A new agent per request: the environment is read at each download, and no connection is kept.
  const agent = proxy === null ? false
    : secure ? new HttpsProxyAgent(proxy, { signal: abort.signal }) : new HttpProxyAgent(proxy, { signal: abort.signal });
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | null = null;
    let tunnel: { statusCode: number; statusText: string } | null = null;
    const req = (secure ? https : http).request(u, { agent, headers: BASE_HEADERS }, (res: IncomingMessage) => {
      response = res;
      if (tunnel !== null && tunnel.statusCode !== 200) {
        // https-proxy-agent hands a refused CONNECT's answer on as if the server had sent it.
        res.resume();
        reject(new HTTPStatusError(tunnel.statusCode, `Tunnel connection failed: ${tunnel.statusCode} ${tunnel.statusText}`.trim()));
      } else resolve(res);
    });
    const fail = (e: NodeJS.ErrnoException) => {
      // Before the request has a socket, a proxied request is still talking to the proxy.
      if (proxy !== null && !req.socket) {
        reject(Object.assign(new Error(`proxy ${proxy.host}: ${_describe(e)}`, { cause: e }), { code: e.code }));
      } else reject(e);
    };
    req.once('proxyConnect', (c: { statusCode: number; statusText: string }) => { tunnel = c; });
    req.on('error', fail);
    if (timeout_ms > 0) {
      const expire = () => {
        const err = new Error(`no data received for ${timeout_ms / 1000} s`) as NodeJS.ErrnoException;
        err.code = 'ETIMEDOUT';
        if (response) response.destroy(err);
        else if (req.socket) req.destroy(err);
        else {
          // No socket yet (a proxy that does not answer): destroying the request would wait for one.
          fail(err);
          abort.abort(err);
          req.destroy(err);
        }
      };
      // Until the headers: a timer (the request has no socket while a proxy sets up the tunnel);
      // then the socket's idle timeout, while the body comes.
      const timer = setTimeout(expire, timeout_ms);
      const clear = () => clearTimeout(timer);
      req.once('response', clear);
      req.once('close', clear);
      req.setTimeout(timeout_ms, expire);
    }
    req.end();
  });
}

/** Opens `url` (http, https, file), following redirects; resolves once the body can be read. */
async function _open(url: string, timeout_ms: number): Promise<Body> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`unknown url type: ${JSON.stringify(url)}`);
  }
  for (let redirects = 0; ; redirects++) {
    if (u.protocol === 'file:') {
      const file = decodeURIComponent(u.pathname);
      const st = fs.statSync(file);
      return { stream: fs.createReadStream(file), length: st.size };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new Error(`unknown url type: ${u.protocol.slice(0, -1)}`);
    }
    const res = await _request_once(u, timeout_ms);
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
      res.resume();
      if (redirects >= MAX_REDIRECTIONS) {
        throw new HTTPStatusError(status, 'The HTTP server returned a redirect error that would lead to an infinite loop.');
      }
      const next = new URL(res.headers.location, u);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new HTTPStatusError(status, `redirection to url '${next.href}' is not allowed`);
      }
      u = next;
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new HTTPStatusError(status, res.statusMessage || net().http.STATUS_CODES[status] || 'error');
    }
    const cl = res.headers['content-length'];
    const length = cl !== undefined && /^\d+$/.test(cl.trim()) ? Number(cl) : null;
    return { stream: res, length };
  }
}

// ---------------------------------------------------------------------------------------------
// Progress bar (tqdm's look: ` 45%|████▌     | 20.1M/44.7M [00:02<00:02, 9.87MB/s]`)

function _format_sizeof(num: number): string {
  for (const unit of ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z']) {
    if (Math.abs(num) < 999.5) {
      if (Math.abs(num) < 99.95) {
        if (Math.abs(num) < 9.995) return `${num.toFixed(2)}${unit}`;
        return `${num.toFixed(1)}${unit}`;
      }
      return `${num.toFixed(0)}${unit}`;
    }
    num /= 1024;
  }
  return `${num.toFixed(1)}Y`;
}

function _format_interval(t: number): string {
  const s = Math.floor(t);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (x: number) => String(x).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}

const BAR_PARTS = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

class ProgressBar {
  private n = 0;
  private readonly start = Date.now();
  private lastRender = 0;
  private lastN = 0;
  private lastT = this.start;
  private rate: number | null = null;
  private closed = false;
  private lastLen = 0;

  constructor(private readonly total: number | null, private readonly enabled: boolean, private readonly stream: NodeJS.WriteStream) {
    if (enabled) this.render();
  }

  update(k: number): void {
    if (!this.enabled || this.closed) return;
    this.n += k;
    const now = Date.now();
    if (now - this.lastRender >= 100) this.render(now);
  }

  close(): void {
    if (!this.enabled || this.closed) return;
    this.closed = true;
    const elapsed = Math.max(0.001, (Date.now() - this.start) / 1000);
    this.rate = this.n / elapsed; // the final line shows the average
    this.render(Date.now(), true);
    this.stream.write('\n');
  }

  private render(now = Date.now(), final = false): void {
    this.lastRender = now;
    const dt = (now - this.lastT) / 1000;
    if (!final && dt > 0 && this.n > this.lastN) {
      const r = (this.n - this.lastN) / dt;
      this.rate = this.rate === null ? r : 0.3 * r + 0.7 * this.rate; // tqdm's smoothing
      this.lastN = this.n;
      this.lastT = now;
    }
    const elapsed = (now - this.start) / 1000;
    const rate_fmt = this.rate === null ? '?B/s' : `${_format_sizeof(this.rate)}B/s`;
    let line: string;
    if (this.total !== null && this.total > 0) {
      const frac = Math.min(1, this.n / this.total);
      const remaining = this.rate ? _format_interval((this.total - this.n) / this.rate) : '?';
      const l_bar = `${(frac * 100).toFixed(0).padStart(3)}%|`;
      const r_bar = `| ${_format_sizeof(this.n)}/${_format_sizeof(this.total)} [${_format_interval(elapsed)}<${remaining}, ${rate_fmt}]`;
      const cols = this.stream.columns || 80;
      const width = Math.max(1, Math.min(cols - 1, 120) - l_bar.length - r_bar.length);
      const eighths = Math.floor(frac * width * 8);
      const full = Math.floor(eighths / 8);
      let bar = '█'.repeat(full);
      if (full < width) bar += BAR_PARTS[eighths % 8] + ' '.repeat(width - full - 1);
      line = l_bar + bar + r_bar;
    } else {
      line = `${_format_sizeof(this.n)}B [${_format_interval(elapsed)}, ${rate_fmt}]`;
    }
    const pad = Math.max(0, this.lastLen - line.length); // a shorter line must cover the last one
    this.lastLen = line.length;
    this.stream.write(`\r${line}${' '.repeat(pad)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Temporary files: removed on failure, and when the process exits or is killed by a signal.

/**
 * Removes `f` if the process exits, or dies of a signal, before the returned function is called.
 * signal-exit lets the signal kill the process afterwards only when the application has no handler
 * of its own for it (then the application decides, and the exit still cleans up).
 */
function _remove_on_exit(f: string): () => void {
  return onExit(() => {
    try {
      fs.unlinkSync(f);
    } catch {
      /* already gone */
    }
  });
}

// ---------------------------------------------------------------------------------------------
// download_url_to_file

export interface DownloadOptions {
  /** If set, the SHA-256 of the downloaded file must start with it. */
  hash_prefix?: string | null;
  /** Whether to show a progress bar on stderr (only when stderr is a terminal). Default: true. */
  progress?: boolean;
  /** Seconds without data from the server before giving up (0: never). Default: 60. Not in PyTorch. */
  timeout?: number;
}

/** Writes `stream` into `fd`, feeding `onChunk`; rejects if it ends early. */
function _pump(body: Body, fd: number, onChunk: (b: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    let done = false;
    const finish = (e?: unknown) => {
      if (done) return;
      done = true;
      if (e !== undefined) {
        body.stream.destroy();
        reject(e);
      } else resolve(n);
    };
    const incomplete = () =>
      body.length !== null
        ? new Error(`IncompleteRead(${n} bytes read, ${body.length - n} more expected)`)
        : new Error(`the connection was closed after ${n} bytes, before the end of the file`);
    body.stream.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        fs.writeSync(fd, chunk);
        onChunk(chunk);
        n += chunk.length;
      } catch (e) {
        (e as { _local?: boolean })._local = true;
        finish(e);
      }
    });
    body.stream.on('end', () => {
      if (body.length !== null && n !== body.length) finish(incomplete());
      else finish();
    });
    body.stream.on('error', (e: NodeJS.ErrnoException) => {
      // Node says "aborted" (ECONNRESET) when the server cuts the connection in the middle of a body.
      if (e && (e.message === 'aborted' || e.code === 'ECONNRESET')) finish(Object.assign(incomplete(), { code: 'ECONNRESET', cause: e }));
      else finish(e);
    });
    body.stream.on('close', () => finish(incomplete()));
  });
}

/**
 * Downloads the object at `url` to the local path `dst` (`torch.hub.download_url_to_file`).
 *
 * Asynchronous: returns a Promise (see `download_url_to_file_sync` for the blocking form). The data
 * goes to a temporary file next to `dst`, renamed to `dst` only once complete and checked, so a
 * failed, interrupted, truncated or mismatched download never leaves a file at `dst` (nor the
 * temporary file). Follows redirects; honours HTTP(S)_PROXY and NO_PROXY.
 *
 * Errors: `invalid hash value (expected "...", got "...")` as PyTorch; a `DownloadError` naming the
 * URL, the cause and the path where the file can be put by hand for everything the network does.
 */
export async function download_url_to_file(url: string, dst: string, options: DownloadOptions = {}): Promise<void> {
  const hash_prefix = options.hash_prefix ?? null;
  const progress = options.progress ?? true;
  const timeout_ms = Math.max(0, (options.timeout ?? DEFAULT_TIMEOUT_S) * 1000);
  dst = _expanduser(String(dst));

  let body: Body;
  try {
    body = await _open(String(url), timeout_ms);
  } catch (e) {
    throw _as_download_error(url, dst, e);
  }

  // Saved to a temporary file and moved once complete: a broken download must not replace a
  // working checkpoint (nor look like one).
  const dst_dir = path.dirname(path.resolve(dst));
  let fd: number | null = null;
  let tmp = '';
  let forget = () => {};
  try {
    fs.mkdirSync(dst_dir, { recursive: true });
    tmp = path.join(dst_dir, `${path.basename(dst)}.${crypto.randomBytes(6).toString('hex')}.partial`);
    // The handlers first: a signal right after the file is created must find them in place.
    forget = _remove_on_exit(tmp);
    fd = fs.openSync(tmp, 'wx', 0o644);
  } catch (e) {
    forget();
    body.stream.destroy();
    throw e;
  }
  let ok = false;
  const sha256 = hash_prefix !== null ? crypto.createHash('sha256') : null;
  const bar = new ProgressBar(body.length, progress && !!process.stderr.isTTY, process.stderr);
  try {
    try {
      await _pump(body, fd, (chunk) => {
        sha256?.update(chunk);
        bar.update(chunk.length);
      });
    } catch (e) {
      if ((e as { _local?: boolean })._local) throw e; // a local write error (ENOSPC...), not the network
      throw _as_download_error(url, dst, e);
    } finally {
      bar.close();
    }
    fs.closeSync(fd);
    fd = null;
    if (sha256 !== null) {
      const digest = sha256.digest('hex');
      if (digest.slice(0, hash_prefix!.length) !== hash_prefix) {
        throw new Error(`invalid hash value (expected "${hash_prefix}", got "${digest}")`);
      }
    }
    fs.renameSync(tmp, dst);
    ok = true;
  } finally {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        /* ignore */
      }
    }
    if (!ok) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* ignore */
      }
    }
    forget();
  }
}

// ---------------------------------------------------------------------------------------------
// The synchronous download: the same code, run in a child Node process while this one waits.

interface ChildError {
  name: string;
  message: string;
  url?: string;
  dst?: string;
  reason?: string;
  status?: number;
  code?: string;
}

/**
 * `download_url_to_file`, blocking until the file is there (or the download failed), as Python's.
 *
 * Runs the download in a child Node process (`process.execPath`), whose stderr is this process's
 * own, so the progress bar shows as usual. It blocks this process's event loop for the whole
 * download: meant for scripts and for model constructors, not for servers (use the async form).
 */
export function download_url_to_file_sync(url: string, dst: string, options: DownloadOptions = {}): void {
  dst = _expanduser(String(dst));
  const request = {
    url: String(url),
    dst,
    hash_prefix: options.hash_prefix ?? null,
    progress: options.progress ?? true,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_S,
  };
  const r = spawnSync(process.execPath, [__filename, CHILD_FLAG], {
    input: JSON.stringify(request),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    windowsHide: true,
    maxBuffer: 1 << 20,
  });
  if (r.error) throw new DownloadError(url, dst, `could not start the download process: ${_describe(r.error)}`, { cause: r.error });
  if (r.signal) throw new DownloadError(url, dst, `the download was interrupted (${r.signal})`);
  const out = (r.stdout?.toString('utf8') ?? '').trim().split('\n').pop() ?? '';
  let reply: { ok: boolean; error?: ChildError } | null = null;
  try {
    reply = JSON.parse(out);
  } catch {
    reply = null;
  }
  if (!reply) throw new DownloadError(url, dst, `the download process failed (exit code ${r.status})`);
  if (reply.ok) return;
  const e = reply.error!;
  if (e.name === 'DownloadError') {
    throw new DownloadError(url, dst, e.reason ?? e.message, { status: e.status, code: e.code });
  }
  const err = new Error(e.message) as NodeJS.ErrnoException;
  if (e.code) err.code = e.code;
  throw err;
}

async function _child_main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  let reply: { ok: boolean; error?: ChildError };
  try {
    await download_url_to_file(req.url, req.dst, { hash_prefix: req.hash_prefix, progress: req.progress, timeout: req.timeout });
    reply = { ok: true };
  } catch (e) {
    const err = e as DownloadError & NodeJS.ErrnoException;
    reply = {
      ok: false,
      error: {
        name: err?.name ?? 'Error', message: err?.message ?? String(e), reason: (err as DownloadError)?.reason,
        status: (err as DownloadError)?.status, code: typeof err?.code === 'string' ? err.code : undefined,
      },
    };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`, () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// The checkpoint cache

export interface CacheOptions {
  /** Directory in which to save the object. Default: `<get_dir()>/checkpoints`. */
  model_dir?: string | null;
  /** Name for the downloaded file. Default: the file name of the URL. */
  file_name?: string | null;
}

export interface FetchOptions extends CacheOptions {
  /** Whether to show a progress bar on stderr. Default: true. */
  progress?: boolean;
  /**
   * If true, the file name of the URL must follow `filename-<sha256>.ext`, where `<sha256>` is the
   * first eight or more digits of the SHA-256 of the file, and the download is checked against it.
   * Default: false.
   */
  check_hash?: boolean;
  /** Seconds without data from the server before giving up. Default: 60. Not in PyTorch. */
  timeout?: number;
}

export interface LoadStateDictOptions extends FetchOptions {
  /** How to remap storage locations, as `torch.load`'s `map_location`. */
  map_location?: MapLocation;
  /** Passed to `torch.load` (which always loads as `weights_only=True` does). Later PyTorch's option. */
  weights_only?: boolean;
}

function _url_basename(url: string): string {
  // os.path.basename(urlparse(url).path): no decoding, query and fragment left out.
  let rest = url.split('#', 1)[0].split('?', 1)[0];
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(rest);
  if (m) rest = rest.slice(m[0].length);
  else rest = rest.replace(/^[a-z][a-z0-9+.-]*:/i, '');
  return rest.slice(rest.lastIndexOf('/') + 1);
}

function _checkpoint_location(url: string, options: CacheOptions): { model_dir: string; filename: string; cached_file: string } {
  const model_dir = options.model_dir != null ? _expanduser(String(options.model_dir)) : path.join(get_dir(), 'checkpoints');
  const filename = options.file_name != null ? String(options.file_name) : _url_basename(String(url));
  if (!filename) {
    throw new Error(`cannot tell a file name from the URL "${url}": pass { file_name }`);
  }
  return { model_dir, filename, cached_file: path.join(model_dir, filename) };
}

/**
 * Where `load_state_dict_from_url(url, options)` keeps the file: `<model_dir>/<file_name>`,
 * whether it is there or not. Synchronous, no network.
 */
export function checkpoint_path(url: string, options: CacheOptions = {}): string {
  return _checkpoint_location(url, options).cached_file;
}

/**
 * The cached file for `url` if it is already there (PyTorch's or ours: same directory, same name),
 * else null. Synchronous, no network: what a model constructor checks before anything else.
 */
export function cached_checkpoint_path(url: string, options: CacheOptions = {}): string | null {
  const f = checkpoint_path(url, options);
  return fs.existsSync(f) ? f : null;
}

function _prepare(url: string, options: FetchOptions): { cached_file: string; hash_prefix: string | null } | string {
  if (process.env.TORCH_MODEL_ZOO) warn('TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead');
  const { model_dir, filename, cached_file } = _checkpoint_location(url, options);
  fs.mkdirSync(model_dir, { recursive: true });
  if (fs.existsSync(cached_file)) return cached_file;
  process.stderr.write(`Downloading: "${url}" to ${cached_file}\n`);
  let hash_prefix: string | null = null;
  if (options.check_hash) {
    const r = HASH_REGEX.exec(filename);
    hash_prefix = r ? r[1] : null;
  }
  return { cached_file, hash_prefix };
}

/**
 * The path of the cached file for `url`, downloading it first when it is not in the cache
 * (everything `load_state_dict_from_url` does except the `torch.load`). Asynchronous.
 */
export async function cached_file_from_url(url: string, options: FetchOptions = {}): Promise<string> {
  const p = _prepare(url, options);
  if (typeof p === 'string') return p;
  await download_url_to_file(url, p.cached_file, { hash_prefix: p.hash_prefix, progress: options.progress ?? true, timeout: options.timeout });
  return p.cached_file;
}

/** `cached_file_from_url`, blocking: no process, no wait when cached; else `download_url_to_file_sync`. */
export function cached_file_from_url_sync(url: string, options: FetchOptions = {}): string {
  const p = _prepare(url, options);
  if (typeof p === 'string') return p;
  download_url_to_file_sync(url, p.cached_file, { hash_prefix: p.hash_prefix, progress: options.progress ?? true, timeout: options.timeout });
  return p.cached_file;
}

// ---------------------------------------------------------------------------------------------
// The legacy zip format: a zip holding a single pre-1.6 `torch.save` file (e.g. resnet18-5c106cde.pth)
//
// Read with fflate, synchronously as the model constructors need (yauzl is callback-only), and
// only once torch.load has refused the file (LibTorch's reader wants every file in a folder): a
// checkpoint of today is a zip too, but never of one file, and is not read twice.

/** The member of a zip that holds exactly one file (Python's `_is_legacy_zip_format`), else null. */
function _legacy_zip_member(filename: string): { name: string; data: Uint8Array } | null {
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    // The filter sees every member; only the first is inflated, and used only when it is the only one.
    files = unzipSync(fs.readFileSync(filename), { filter: (f) => names.push(f.name) === 1 });
  } catch {
    return null; // not a zip (or not readable): not the legacy format
  }
  if (names.length !== 1 || names[0].endsWith('/')) return null;
  return { name: names[0], data: files[names[0]] };
}

/** Writes the member into `model_dir` (as zipfile.extractall: no absolute paths, no '..'); returns its path. */
function _legacy_zip_extract(member: { name: string; data: Uint8Array }, model_dir: string): string {
  const parts = member.name.split(/[\\/]+/).filter((s) => s && s !== '.' && s !== '..');
  if (!parts.length) throw new Error(`invalid member name in the zipfile: ${JSON.stringify(member.name)}`);
  const target = path.join(model_dir, ...parts);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, member.data);
  return target;
}

// ---------------------------------------------------------------------------------------------
// load_state_dict_from_url

function _torch_load<T>(file: string, options: LoadStateDictOptions): T {
  // `import { load } from './serialization'`, resolved on first use (it loads the native addon).
  const { load } = require('./serialization') as typeof import('./serialization');
  const opts: { map_location?: MapLocation; weights_only?: boolean } = { map_location: options.map_location ?? null };
  if (options.weights_only !== undefined) opts.weights_only = options.weights_only;
  return load<T>(file, opts);
}

function _load_cached<T>(cached_file: string, options: LoadStateDictOptions): T {
  try {
    return _torch_load<T>(cached_file, options);
  } catch (e) {
    const member = _legacy_zip_member(cached_file);
    if (member === null) throw e;
    warn('Falling back to the old format < 1.6. This support will be deprecated in favor of default zipfile format ' +
      'introduced in 1.6. Please redo torch.save() to save it in the new zipfile format.');
    return _torch_load<T>(_legacy_zip_extract(member, path.dirname(cached_file)), options);
  }
}

/**
 * Loads the Torch serialized object at `url` (`torch.hub.load_state_dict_from_url`): from the cache
 * (`<get_dir()>/checkpoints/<file name of the URL>` by default) when it is there, else downloaded
 * into it first. Returns `torch.load(cached_file, { map_location })`.
 *
 * Asynchronous (a Promise): `const sd = await torch.hub.load_state_dict_from_url(url)`. See
 * `load_state_dict_from_url_sync` for the blocking form.
 */
export async function load_state_dict_from_url<T = Record<string, Tensor>>(url: string, options: LoadStateDictOptions = {}): Promise<T> {
  const cached_file = await cached_file_from_url(url, options);
  return _load_cached<T>(cached_file, options);
}

/**
 * `load_state_dict_from_url`, blocking as Python's: returns at once from the cache, else downloads
 * in a child process while this one waits (see `download_url_to_file_sync`).
 */
export function load_state_dict_from_url_sync<T = Record<string, Tensor>>(url: string, options: LoadStateDictOptions = {}): T {
  const cached_file = cached_file_from_url_sync(url, options);
  return _load_cached<T>(cached_file, options);
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  _child_main().catch((e) => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: { name: 'Error', message: _describe(e) } })}\n`, () => process.exit(1));
  });
}
