'use strict';
// torch.hub (lib/hub.ts): the cache directory, the download (redirects, proxies, hash check,
// progress, failures leaving nothing behind) against servers on 127.0.0.1 started here.
// No traffic leaves 127.0.0.1.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const crypto = require('node:crypto');
const { execFile, spawn } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const { zipSync } = require('fflate');

const HUB = path.join(__dirname, '..', 'dist', 'hub.js');
const hub = require(HUB);

// A self-signed certificate for 127.0.0.1 (valid 2000-2999), for the https tests only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeMXO2LYPuas4AHrp
x2flzlAYi4m/bTQYXELFb04kWUOhRANCAAS8/xN600ZUdR5IM9dRXy0XWi3UFQZn
MY2doJt2DZY3SY5+Teu+Nf/Nk9R2jsccd57/54/LOhABv/TJOgHWu9EF
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBWjCCAQGgAwIBAgIUI+hp5uB4M89Yl58jwImZpn8MXR4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTAwMDEwMTAwMDAwMFoYDzI5OTkxMjMx
MDAwMDAwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAS8/xN600ZUdR5IM9dRXy0XWi3UFQZnMY2doJt2DZY3SY5+Teu+Nf/N
k9R2jsccd57/54/LOhABv/TJOgHWu9EFoy8wLTAaBgNVHREEEzARhwR/AAABggls
b2NhbGhvc3QwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiABjhEQ
tDAxC3omjIJsRx8yxISYddvN6e9Hn1qPV2cKEAIgGSQ6FrpSgK5go0PfripRVX3l
aeG8192FIf0Kl2kc74Q=
-----END CERTIFICATE-----
`;

// The files served: a "checkpoint" whose name carries its SHA-256 prefix, as PyTorch's do.
const PAYLOAD = crypto.createHash('sha512').update('torch-node hub').digest();
const CONTENT = Buffer.concat(Array.from({ length: 4096 }, (_, i) => Buffer.concat([PAYLOAD, Buffer.from([i & 255])]))); // ~260 KiB
const SHA = crypto.createHash('sha256').update(CONTENT).digest('hex');
const GOOD = `weights-${SHA.slice(0, 8)}.pth`;
const BAD = 'weights-deadbeef.pth'; // served with CONTENT, whose hash is not deadbeef...
const FILES = { [GOOD]: CONTENT, [BAD]: CONTENT, 'plain.bin': CONTENT };

// Self-contained (also evaluated inside a worker thread for the synchronous tests).
function makeHandler(files, log) {
  return (req, res) => {
    log.push({ method: req.method, url: req.url, headers: req.headers });
    const m = /^\/([a-z]+)(?:\/(\d+))?\/([^/?]+)$/.exec(req.url.split('?')[0]) || [];
    const [, route, num, name] = m;
    const data = name !== undefined ? files[name] : undefined;
    if (req.url === '/loop') {
      res.writeHead(302, { Location: '/loop' });
      return res.end();
    }
    if (!route || data === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('nothing here');
    }
    switch (route) {
      case 'files':
        res.writeHead(200, { 'Content-Length': data.length, 'Content-Type': 'application/octet-stream' });
        return res.end(data);
      case 'nolength':
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); // chunked
        return res.end(data);
      case 'redirect': {
        const n = Number(num);
        const location = n > 1 ? `/redirect/${n - 1}/${name}` : `${req.socket.encrypted ? 'https' : 'http'}://${req.headers.host}/files/${name}`;
        res.writeHead(n % 2 ? 302 : 301, { Location: location });
        return res.end();
      }
      case 'cut': // Content-Length says all of it, half of it comes, then the connection dies
      case 'chunkcut':
        res.writeHead(200, route === 'cut' ? { 'Content-Length': data.length } : {});
        res.write(data.subarray(0, data.length >> 1));
        setTimeout(() => req.socket.destroy(), 20);
        return undefined;
      case 'stall': // some data, then silence
        res.writeHead(200, { 'Content-Length': data.length });
        res.write(data.subarray(0, 1000));
        return undefined;
      case 'slow': { // a slice every 10 ms
        res.writeHead(200, { 'Content-Length': data.length });
        let off = 0;
        const step = () => {
          if (res.destroyed) return;
          res.write(data.subarray(off, off + 8000));
          off += 8000;
          if (off < data.length) setTimeout(step, 10);
          else res.end();
        };
        return step();
      }
      default:
        res.writeHead(404);
        return res.end();
    }
  };
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function close(server) {
  if (!server) return Promise.resolve();
  server.closeAllConnections?.();
  for (const s of server.tunnels || []) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

// A small forward proxy: absolute-URI requests for http, CONNECT tunnels for https.
function makeProxy(log, { deny = false } = {}) {
  const server = http.createServer((req, res) => {
    log.push({ method: req.method, url: req.url, host: req.headers.host, auth: req.headers['proxy-authorization'] });
    let u;
    try {
      u = new URL(req.url);
    } catch {
      res.writeHead(400);
      return res.end('not a proxy request');
    }
    const up = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
      r.on('error', () => res.destroy());
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
    return undefined;
  });
  server.on('connect', (req, sock, head) => {
    log.push({ method: 'CONNECT', url: req.url, host: req.headers.host, auth: req.headers['proxy-authorization'] });
    sock.on('error', () => {});
    if (deny) {
      sock.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const i = req.url.lastIndexOf(':');
    const up = net.connect(Number(req.url.slice(i + 1)), req.url.slice(0, i), () => {
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) up.write(head);
      up.pipe(sock);
      sock.pipe(up);
    });
    up.on('error', () => sock.destroy());
    sock.on('close', () => up.destroy());
  });
  // CONNECT tunnels leave the HTTP server's hands: destroyed by close() through this list.
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.tunnels = sockets;
  return server;
}

const ENV_KEYS = ['TORCH_HOME', 'XDG_CACHE_HOME', 'HOME', 'TORCH_HUB', 'TORCH_MODEL_ZOO',
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

function listDir(dir) {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

describe('torch.hub', function () {
  this.timeout(10000);
  let server, port, base, requests;
  let savedEnv, tmp, ckptDir;
  let stderr, origWrite, origTTY;

  before(async () => {
    requests = [];
    server = http.createServer(makeHandler(FILES, requests));
    port = await listen(server);
    base = `http://127.0.0.1:${port}`;
  });
  after(() => close(server));

  beforeEach(() => {
    savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
    for (const k of ENV_KEYS) if (k !== 'HOME') delete process.env[k];
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-hub-'));
    process.env.TORCH_HOME = tmp;
    ckptDir = path.join(tmp, 'hub', 'checkpoints');
    requests.length = 0;
    // stderr captured: the "Downloading: ..." line and the progress bar are checked where they matter.
    stderr = [];
    origWrite = process.stderr.write;
    origTTY = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    process.stderr.write = function (chunk, enc, cb) {
      stderr.push(String(chunk));
      const done = typeof enc === 'function' ? enc : cb;
      if (done) done();
      return true;
    };
  });

  afterEach(() => {
    process.stderr.write = origWrite;
    if (origTTY) Object.defineProperty(process.stderr, 'isTTY', origTTY);
    else delete process.stderr.isTTY;
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function setTTY(value) {
    Object.defineProperty(process.stderr, 'isTTY', { value, configurable: true, writable: true });
  }

  describe('get_dir / set_dir', () => {
    it('is $TORCH_HOME/hub, else $XDG_CACHE_HOME/torch/hub, else ~/.cache/torch/hub', () => {
      process.env.TORCH_HOME = '/some/torch/home';
      process.env.XDG_CACHE_HOME = '/xdg';
      assert.equal(hub.get_dir(), path.join('/some/torch/home', 'hub'));
      delete process.env.TORCH_HOME;
      assert.equal(hub.get_dir(), path.join('/xdg', 'torch', 'hub'));
      delete process.env.XDG_CACHE_HOME;
      process.env.HOME = '/home/someone';
      assert.equal(hub.get_dir(), path.join('/home/someone', '.cache', 'torch', 'hub'));
      process.env.TORCH_HOME = '~/th';
      assert.equal(hub.get_dir(), path.join('/home/someone', 'th', 'hub'));
    });

    it('set_dir overrides the environment and expands ~', () => {
      // A fresh copy of the module: set_dir's state must not leak into the other tests.
      const shared = require.cache[HUB];
      delete require.cache[HUB];
      const fresh = require(HUB);
      require.cache[HUB] = shared;
      process.env.HOME = '/home/someone';
      fresh.set_dir('~/my-hub');
      assert.equal(fresh.get_dir(), path.join('/home/someone', 'my-hub'));
      fresh.set_dir('/abs/hub');
      assert.equal(fresh.get_dir(), '/abs/hub');
      assert.equal(fresh.checkpoint_path('https://x.org/models/a-1234abcd.pth'), path.join('/abs/hub', 'checkpoints', 'a-1234abcd.pth'));
      assert.equal(hub.get_dir(), path.join(tmp, 'hub')); // the shared module is untouched
    });

    it('HASH_REGEX is PyTorch\'s', () => {
      assert.equal(hub.HASH_REGEX.exec('resnet18-f37072fd.pth')[1], 'f37072fd');
      assert.equal(hub.HASH_REGEX.exec('resnet50-11ad3fa6.pth')[1], '11ad3fa6');
      assert.equal(hub.HASH_REGEX.exec('noprefix.pth'), null);
    });
  });

  describe('the cache', () => {
    it('finds PyTorch\'s cached file under its own name, without any request', async () => {
      const url = `${base}/files/${GOOD}`;
      assert.equal(hub.cached_checkpoint_path(url), null);
      assert.equal(hub.checkpoint_path(url), path.join(ckptDir, GOOD));
      fs.mkdirSync(ckptDir, { recursive: true });
      fs.writeFileSync(path.join(ckptDir, GOOD), 'cached');
      assert.equal(hub.cached_checkpoint_path(url), path.join(ckptDir, GOOD));
      assert.equal(await hub.cached_file_from_url(url, { check_hash: true }), path.join(ckptDir, GOOD));
      assert.equal(hub.cached_file_from_url_sync(url), path.join(ckptDir, GOOD));
      // an unreachable URL with the same file name is fine too: nothing is asked of the network
      assert.equal(await hub.cached_file_from_url(`http://127.0.0.1:1/elsewhere/${GOOD}`), path.join(ckptDir, GOOD));
      assert.equal(requests.length, 0);
      assert.equal(fs.readFileSync(path.join(ckptDir, GOOD), 'utf8'), 'cached');
      assert.equal(stderr.join(''), '');
    });

    it('model_dir and file_name as PyTorch\'s; the query is not part of the name', () => {
      const dir = path.join(tmp, 'elsewhere');
      assert.equal(hub.checkpoint_path('https://h.org/a/b/resnet18-f37072fd.pth?x=1#y', { model_dir: dir }), path.join(dir, 'resnet18-f37072fd.pth'));
      assert.equal(hub.checkpoint_path('https://h.org/a/b/resnet18-f37072fd.pth', { file_name: 'mine.pth' }), path.join(ckptDir, 'mine.pth'));
      assert.throws(() => hub.checkpoint_path('https://h.org/'), /file name/);
    });
  });

  describe('download_url_to_file', () => {
    it('downloads, checks the hash prefix and leaves only the file', async () => {
      const dst = path.join(tmp, 'dl', GOOD);
      await hub.download_url_to_file(`${base}/files/${GOOD}`, dst, { hash_prefix: SHA.slice(0, 8), progress: false });
      assert.ok(fs.readFileSync(dst).equals(CONTENT));
      assert.deepEqual(listDir(path.dirname(dst)), [GOOD]);
      assert.equal(requests.length, 1);
      assert.equal(requests[0].headers['user-agent'], 'torch.hub');
    });

    it('cached_file_from_url downloads into $TORCH_HOME/hub/checkpoints with check_hash', async () => {
      const url = `${base}/files/${GOOD}`;
      const f = await hub.cached_file_from_url(url, { check_hash: true, progress: false });
      assert.equal(f, path.join(ckptDir, GOOD));
      assert.ok(fs.readFileSync(f).equals(CONTENT));
      assert.deepEqual(listDir(ckptDir), [GOOD]);
      assert.equal(stderr.join(''), `Downloading: "${url}" to ${f}\n`);
      // second time: from the cache
      await hub.cached_file_from_url(url, { check_hash: true, progress: false });
      assert.equal(requests.length, 1);
    });

    it('works without Content-Length (chunked)', async () => {
      const dst = path.join(tmp, 'x.bin');
      await hub.download_url_to_file(`${base}/nolength/plain.bin`, dst, { progress: false });
      assert.ok(fs.readFileSync(dst).equals(CONTENT));
    });

    it('replaces an existing destination only once complete', async () => {
      const dst = path.join(tmp, 'x.bin');
      fs.writeFileSync(dst, 'old');
      await assert.rejects(hub.download_url_to_file(`${base}/cut/plain.bin`, dst, { progress: false }));
      assert.equal(fs.readFileSync(dst, 'utf8'), 'old');
      await hub.download_url_to_file(`${base}/files/plain.bin`, dst, { progress: false });
      assert.ok(fs.readFileSync(dst).equals(CONTENT));
      assert.deepEqual(listDir(tmp), ['x.bin']);
    });

    it('file:// URLs, as urllib', async () => {
      const src = path.join(tmp, 'src.bin');
      fs.writeFileSync(src, CONTENT);
      const dst = path.join(tmp, 'dst.bin');
      await hub.download_url_to_file(`file://${src}`, dst, { hash_prefix: SHA.slice(0, 12), progress: false });
      assert.ok(fs.readFileSync(dst).equals(CONTENT));
    });
  });

  describe('progress', () => {
    it('draws a bar on stderr when it is a terminal: percentage, bytes, rate, time left', async () => {
      setTTY(true);
      const dst = path.join(tmp, 'p.bin');
      await hub.download_url_to_file(`${base}/slow/plain.bin`, dst, { progress: true });
      const out = stderr.join('');
      const frames = out.split('\r').filter(Boolean);
      assert.ok(frames.length >= 3, `several frames expected, got ${JSON.stringify(out)}`);
      const total = `${(CONTENT.length / 1024).toFixed(0)}k`; // 260k
      assert.match(frames[0], new RegExp(`^  0%\\|\\s*\\| 0\\.00/${total} \\[00:00<\\?, \\?B/s\\]$`));
      const last = frames[frames.length - 1];
      assert.match(last, new RegExp(`^100%\\|█+\\| ${total}/${total} \\[00:0\\d<00:00, [\\d.]+[kMG]?B/s\\] *\\n$`));
      // somewhere in the middle: a partial bar, a time left
      assert.ok(frames.some((f) => /^\s*\d{1,2}%\|█*[ ▏▎▍▌▋▊▉]? *\| [\d.]+k\/260k \[00:00<00:0\d, [\d.]+[kMG]?B\/s\] *$/.test(f)), out);
      assert.ok(out.endsWith('\n'));
    });

    it('without Content-Length: bytes and rate', async () => {
      setTTY(true);
      await hub.download_url_to_file(`${base}/nolength/plain.bin`, path.join(tmp, 'p.bin'));
      const frames = stderr.join('').split('\r').filter(Boolean);
      assert.match(frames[frames.length - 1], /^260kB \[00:00, [\d.]+[kMG]?B\/s\] *\n$/);
    });

    it('quiet when stderr is not a terminal, or with progress: false', async () => {
      setTTY(false);
      await hub.download_url_to_file(`${base}/files/plain.bin`, path.join(tmp, 'a.bin'));
      setTTY(true);
      await hub.download_url_to_file(`${base}/files/plain.bin`, path.join(tmp, 'b.bin'), { progress: false });
      assert.equal(stderr.join(''), '');
    });
  });

  describe('failures leave nothing in the cache', () => {
    it('hash mismatch: PyTorch\'s message, no file, no temporary file', async () => {
      const url = `${base}/files/${BAD}`;
      await assert.rejects(hub.cached_file_from_url(url, { check_hash: true, progress: false }),
        (e) => e.message === `invalid hash value (expected "deadbeef", got "${SHA}")`);
      assert.deepEqual(listDir(ckptDir), []);
      // without check_hash the same file is accepted, as in PyTorch
      await hub.cached_file_from_url(url, { progress: false });
      assert.deepEqual(listDir(ckptDir), [BAD]);
    });

    it('connection cut half-way (Content-Length): the URL, IncompleteRead, the path', async () => {
      const url = `${base}/cut/${GOOD}`;
      const dst = path.join(ckptDir, GOOD);
      await assert.rejects(hub.cached_file_from_url(url, { check_hash: true, progress: false }), (e) => {
        assert.equal(e.name, 'DownloadError');
        assert.equal(e.url, url);
        assert.match(e.message, new RegExp(`^Could not download "${url}": IncompleteRead\\(\\d+ bytes read, \\d+ more expected\\)`));
        assert.ok(e.message.includes(`put it at:\n  ${dst}`), e.message);
        return true;
      });
      assert.deepEqual(listDir(ckptDir), []);
    });

    it('connection cut half-way (chunked)', async () => {
      const dst = path.join(ckptDir, 'plain.bin');
      await assert.rejects(hub.download_url_to_file(`${base}/chunkcut/plain.bin`, dst, { progress: false }), /Could not download/);
      assert.deepEqual(listDir(ckptDir), []);
    });

    it('404: urllib\'s "HTTP Error 404: Not Found", nothing written', async () => {
      const url = `${base}/files/missing-12345678.pth`;
      await assert.rejects(hub.cached_file_from_url(url, { progress: false }), (e) => {
        assert.equal(e.status, 404);
        assert.match(e.message, /^Could not download ".*missing-12345678\.pth": HTTP Error 404: Not Found\n/);
        assert.ok(e.message.endsWith(path.join(ckptDir, 'missing-12345678.pth')));
        return true;
      });
      assert.deepEqual(listDir(ckptDir), []);
    });

    it('no server (offline): the URL, the cause, the path', async () => {
      const dead = http.createServer();
      const deadPort = await listen(dead);
      await close(dead);
      const url = `http://127.0.0.1:${deadPort}/models/resnet18-f37072fd.pth`;
      await assert.rejects(hub.cached_file_from_url(url, { progress: false }), (e) => {
        assert.equal(e.code, 'ECONNREFUSED');
        assert.ok(e.message.startsWith(`Could not download "${url}": `), e.message);
        assert.ok(e.message.includes('ECONNREFUSED'), e.message);
        assert.ok(e.message.includes(path.join(ckptDir, 'resnet18-f37072fd.pth')), e.message);
        return true;
      });
      assert.deepEqual(listDir(ckptDir), []);
    });

    it('a stalled server times out', async () => {
      const dst = path.join(tmp, 'stall.bin');
      await assert.rejects(hub.download_url_to_file(`${base}/stall/plain.bin`, dst, { progress: false, timeout: 0.2 }),
        (e) => e.code === 'ETIMEDOUT' && /no data received/.test(e.message));
      assert.deepEqual(listDir(tmp), []);
    });

    it('an interrupted process (SIGINT) leaves no temporary file', async () => {
      const dir = path.join(tmp, 'int');
      const dst = path.join(dir, 'plain.bin');
      const child = spawn(process.execPath, ['-e',
        `require(${JSON.stringify(HUB)}).download_url_to_file(${JSON.stringify(`${base}/slow/plain.bin`)}, ${JSON.stringify(dst)}, { progress: false })`],
      { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      const t0 = Date.now();
      while (!listDir(dir).some((f) => f.endsWith('.partial'))) {
        if (Date.now() - t0 > 5000) throw new Error('the download never started');
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGINT');
      const { signal } = await exited;
      assert.equal(signal, 'SIGINT');
      assert.deepEqual(listDir(dir), []);
    });
  });

  describe('redirects', () => {
    it('follows 301/302, relative and absolute', async () => {
      const f = await hub.cached_file_from_url(`${base}/redirect/3/${GOOD}`, { check_hash: true, progress: false });
      assert.ok(fs.readFileSync(f).equals(CONTENT));
      assert.deepEqual(requests.map((r) => r.url), [`/redirect/3/${GOOD}`, `/redirect/2/${GOOD}`, `/redirect/1/${GOOD}`, `/files/${GOOD}`]);
    });

    it('gives up on a redirect loop', async () => {
      await assert.rejects(hub.download_url_to_file(`${base}/loop`, path.join(tmp, 'loop'), { progress: false }),
        /HTTP Error 302: The HTTP server returned a redirect error that would lead to an infinite loop/);
      assert.equal(requests.length, 11);
      assert.deepEqual(listDir(tmp), []);
    });
  });

  describe('proxies', () => {
    let proxy, proxyPort, proxyLog;
    beforeEach(async () => {
      proxyLog = [];
      proxy = makeProxy(proxyLog);
      proxyPort = await listen(proxy);
    });
    afterEach(() => close(proxy));

    it('HTTP_PROXY: an absolute-URI request to the proxy', async () => {
      process.env.HTTP_PROXY = `http://127.0.0.1:${proxyPort}`;
      const f = await hub.cached_file_from_url(`${base}/files/${GOOD}`, { check_hash: true, progress: false });
      assert.ok(fs.readFileSync(f).equals(CONTENT));
      assert.deepEqual(proxyLog.map((r) => [r.method, r.url, r.host]), [['GET', `${base}/files/${GOOD}`, `127.0.0.1:${port}`]]);
      assert.equal(requests.length, 1);
    });

    it('http_proxy (lower case, without a scheme, with credentials)', async () => {
      process.env.http_proxy = `user:p%40ss@127.0.0.1:${proxyPort}`;
      await hub.download_url_to_file(`${base}/files/plain.bin`, path.join(tmp, 'a.bin'), { progress: false });
      assert.equal(proxyLog.length, 1);
      assert.equal(proxyLog[0].auth, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    });

    it('NO_PROXY / no_proxy bypass the proxy', async () => {
      process.env.HTTP_PROXY = `http://127.0.0.1:${proxyPort}`;
      // (a leading dot: the names that end with it, as curl and urllib)
      for (const [k, v] of [['NO_PROXY', '127.0.0.1'], ['no_proxy', 'example.org, 127.0.0.1'], ['NO_PROXY', '*'], ['NO_PROXY', `127.0.0.1:${port}`], ['NO_PROXY', '.0.0.1']]) {
        delete process.env.NO_PROXY;
        delete process.env.no_proxy;
        process.env[k] = v;
        await hub.download_url_to_file(`${base}/files/plain.bin`, path.join(tmp, 'a.bin'), { progress: false });
      }
      assert.equal(proxyLog.length, 0);
      assert.equal(requests.length, 5);
      // a NO_PROXY that does not match keeps the proxy
      process.env.NO_PROXY = 'example.org,127.0.0.2';
      await hub.download_url_to_file(`${base}/files/plain.bin`, path.join(tmp, 'a.bin'), { progress: false });
      assert.equal(proxyLog.length, 1);
    });

    it('HTTPS_PROXY is not used for http URLs', async () => {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${proxyPort}`;
      await hub.download_url_to_file(`${base}/files/plain.bin`, path.join(tmp, 'a.bin'), { progress: false });
      assert.equal(proxyLog.length, 0);
    });

    it('ALL_PROXY is not used, as urllib (only <scheme>_proxy)', async () => {
      process.env.ALL_PROXY = `http://127.0.0.1:${proxyPort}`;
      await hub.download_url_to_file(`${base}/files/plain.bin`, path.join(tmp, 'a.bin'), { progress: false });
      assert.equal(proxyLog.length, 0);
      assert.equal(requests.length, 1);
    });

    it('a proxy that never answers the CONNECT: a timeout naming the proxy', async () => {
      const silent = net.createServer((sock) => sock.on('error', () => {}).resume()); // reads, never answers
      silent.tunnels = new Set();
      let closed = 0;
      silent.on('connection', (sock) => {
        silent.tunnels.add(sock);
        sock.on('close', () => closed++);
      });
      const silentPort = await listen(silent);
      process.env.HTTPS_PROXY = `http://127.0.0.1:${silentPort}`;
      try {
        await assert.rejects(hub.download_url_to_file('https://127.0.0.1:9/x.bin', path.join(ckptDir, 'x.bin'), { progress: false, timeout: 0.3 }),
          (e) => e.name === 'DownloadError' && e.code === 'ETIMEDOUT' &&
            e.reason === `proxy 127.0.0.1:${silentPort}: no data received for 0.3 s (ETIMEDOUT)` && e.message.endsWith(path.join(ckptDir, 'x.bin')));
        // and the connection to the proxy is closed, not left to hold the process
        for (let i = 0; i < 100 && closed < 1; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(closed, 1);
      } finally {
        for (const sock of silent.tunnels) sock.destroy();
        await new Promise((r) => silent.close(r));
      }
      assert.deepEqual(listDir(ckptDir), []);
    });

    it('a proxy that is down: the error says so', async () => {
      const dead = http.createServer();
      const deadPort = await listen(dead);
      await close(dead);
      process.env.HTTP_PROXY = `http://127.0.0.1:${deadPort}`;
      await assert.rejects(hub.download_url_to_file(`${base}/files/plain.bin`, path.join(ckptDir, 'a.bin'), { progress: false }),
        (e) => e.code === 'ECONNREFUSED' && e.message.includes(path.join(ckptDir, 'a.bin')));
      assert.deepEqual(listDir(ckptDir), []);
    });
  });

  describe('https (in a child process that trusts a test certificate)', () => {
    let tlsServer, tlsPort, tlsRequests, proxy, proxyPort, proxyLog, denyProxy, denyPort, certFile;
    before(async () => {
      tlsRequests = [];
      tlsServer = https.createServer({ key: TEST_KEY, cert: TEST_CERT }, makeHandler(FILES, tlsRequests));
      tlsPort = await listen(tlsServer);
      proxyLog = [];
      proxy = makeProxy(proxyLog);
      proxyPort = await listen(proxy);
      denyProxy = makeProxy([], { deny: true });
      denyPort = await listen(denyProxy);
    });
    after(async () => {
      await close(tlsServer);
      await close(proxy);
      await close(denyProxy);
    });
    beforeEach(() => {
      certFile = path.join(tmp, 'ca.pem');
      fs.writeFileSync(certFile, TEST_CERT);
      tlsRequests.length = 0;
      proxyLog.length = 0;
    });

    function download(url, dst, env) {
      const script = `require(${JSON.stringify(HUB)}).download_url_to_file(${JSON.stringify(url)}, ${JSON.stringify(dst)}, { hash_prefix: ${JSON.stringify(SHA.slice(0, 8))}, progress: false })` +
        `.then(() => console.log('OK'), (e) => console.log('ERR ' + e.message.split('\\n')[0]))`;
      return new Promise((resolve, reject) => {
        execFile(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile, ...env }, timeout: 8000 },
          (err, stdout) => (err ? reject(err) : resolve(stdout.trim())));
      });
    }

    it('direct', async () => {
      const dst = path.join(ckptDir, GOOD);
      assert.equal(await download(`https://127.0.0.1:${tlsPort}/files/${GOOD}`, dst, {}), 'OK');
      assert.ok(fs.readFileSync(dst).equals(CONTENT));
      assert.equal(tlsRequests.length, 1);
    });

    it('through HTTPS_PROXY with a CONNECT tunnel', async () => {
      const dst = path.join(ckptDir, GOOD);
      const out = await download(`https://127.0.0.1:${tlsPort}/redirect/2/${GOOD}`, dst, { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` });
      assert.equal(out, 'OK');
      assert.ok(fs.readFileSync(dst).equals(CONTENT));
      // one tunnel per request: two redirects, then the file
      assert.deepEqual(proxyLog.map((r) => `${r.method} ${r.url}`), Array(3).fill(`CONNECT 127.0.0.1:${tlsPort}`));
      assert.equal(tlsRequests.length, 3);
    });

    it('HTTPS_PROXY without a scheme is an http:// proxy (as urllib and curl)', async () => {
      const dst = path.join(ckptDir, GOOD);
      assert.equal(await download(`https://127.0.0.1:${tlsPort}/files/${GOOD}`, dst, { https_proxy: `127.0.0.1:${proxyPort}` }), 'OK');
      assert.deepEqual(proxyLog.map((r) => `${r.method} ${r.url}`), [`CONNECT 127.0.0.1:${tlsPort}`]);
    });

    it('a proxy that refuses the tunnel', async () => {
      const dst = path.join(ckptDir, GOOD);
      const out = await download(`https://127.0.0.1:${tlsPort}/files/${GOOD}`, dst, { https_proxy: `http://127.0.0.1:${denyPort}` });
      assert.equal(out, `ERR Could not download "https://127.0.0.1:${tlsPort}/files/${GOOD}": HTTP Error 407: Tunnel connection failed: 407 Proxy Authentication Required`);
      assert.deepEqual(listDir(ckptDir), []);
    });

    it('an untrusted certificate is refused', async () => {
      const dst = path.join(ckptDir, GOOD);
      fs.writeFileSync(certFile, ''); // trust nothing extra
      const out = await download(`https://127.0.0.1:${tlsPort}/files/${GOOD}`, dst, {});
      assert.match(out, /^ERR Could not download .*self.signed certificate/i);
      assert.deepEqual(listDir(ckptDir), []);
    });
  });

  describe('synchronous download (a child process; the server runs in a worker thread)', () => {
    let worker, wport, wbase;
    before(async () => {
      const src = `
        const http = require('node:http');
        const { parentPort, workerData } = require('node:worker_threads');
        const makeHandler = ${makeHandler.toString()};
        const files = Object.fromEntries(Object.entries(workerData).map(([k, v]) => [k, Buffer.from(v)]));
        const server = http.createServer(makeHandler(files, []));
        server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
        parentPort.on('message', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
      `;
      worker = new Worker(src, { eval: true, workerData: FILES });
      wport = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      wbase = `http://127.0.0.1:${wport}`;
    });
    after(async () => {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    });

    it('download_url_to_file_sync blocks until the file is there', () => {
      const dst = path.join(ckptDir, GOOD);
      hub.download_url_to_file_sync(`${wbase}/redirect/2/${GOOD}`, dst, { hash_prefix: SHA.slice(0, 8), progress: false });
      assert.ok(fs.readFileSync(dst).equals(CONTENT));
      assert.deepEqual(listDir(ckptDir), [GOOD]);
    });

    it('cached_file_from_url_sync: download once, then the cache', () => {
      const url = `${wbase}/files/${GOOD}`;
      const f = hub.cached_file_from_url_sync(url, { check_hash: true, progress: false });
      assert.equal(f, path.join(ckptDir, GOOD));
      assert.ok(fs.readFileSync(f).equals(CONTENT));
      assert.equal(stderr.join(''), `Downloading: "${url}" to ${f}\n`);
      assert.equal(hub.cached_file_from_url_sync(url, { check_hash: true, progress: false }), f);
    });

    it('errors come back as they are: hash mismatch, 404, cut', () => {
      assert.throws(() => hub.cached_file_from_url_sync(`${wbase}/files/${BAD}`, { check_hash: true, progress: false }),
        (e) => e.message === `invalid hash value (expected "deadbeef", got "${SHA}")`);
      assert.throws(() => hub.cached_file_from_url_sync(`${wbase}/files/nothing.pth`, { progress: false }),
        (e) => e.name === 'DownloadError' && e.status === 404 && /HTTP Error 404: Not Found/.test(e.message) &&
          e.message.endsWith(path.join(ckptDir, 'nothing.pth')));
      assert.throws(() => hub.cached_file_from_url_sync(`${wbase}/cut/${GOOD}`, { progress: false }),
        (e) => e.name === 'DownloadError' && /IncompleteRead/.test(e.message));
      assert.deepEqual(listDir(ckptDir), []);
    });
  });

  describe('load_state_dict_from_url', () => {
    const haveLoad = fs.existsSync(path.join(__dirname, '..', 'dist', 'serialization.js'));
    let torch, serialization, sd, bytes, name;
    before(function () {
      if (!haveLoad) this.skip();
      torch = require('../dist/index.js');
      serialization = require('../dist/serialization.js');
      torch.manual_seed(0);
      sd = { 'fc.weight': torch.randn(4, 3), 'fc.bias': torch.randn(4) };
      const f = path.join(os.tmpdir(), `torch-node-hub-sd-${process.pid}.pth`);
      serialization.save(sd, f);
      bytes = fs.readFileSync(f);
      fs.unlinkSync(f);
      name = `sd-${crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 8)}.pth`;
      FILES[name] = bytes;
      // the same file inside a one-member zip: the legacy layout hub still reads
      FILES['legacy-00.zip'] = zipSync({ 'inner-sd.pth': bytes });
    });

    function assertSame(loaded) {
      assert.deepEqual(Object.keys(loaded), Object.keys(sd));
      for (const k of Object.keys(sd)) assert.ok(loaded[k].equal(sd[k]), k);
    }

    it('downloads, checks, then returns torch.load(cached_file) (a Promise)', async () => {
      const p = hub.load_state_dict_from_url(`${base}/files/${name}`, { check_hash: true, progress: false, map_location: 'cpu' });
      assert.ok(p instanceof Promise);
      assertSame(await p);
      assert.deepEqual(listDir(ckptDir), [name]);
      // from the cache, synchronously, without a request
      requests.length = 0;
      assertSame(hub.load_state_dict_from_url_sync(`${base}/files/${name}`, { check_hash: true }));
      assert.equal(requests.length, 0);
    });

    it('a one-member zip (legacy layout) is extracted next to it and loaded, with PyTorch\'s warning at the call', async () => {
      const warnings = require('../dist/warnings.js');
      const log = await warnings.catch_warnings(async () => {
        assertSame(await hub.load_state_dict_from_url(`${base}/files/legacy-00.zip`, { progress: false }));
      }, { record: true });
      assert.deepEqual(listDir(ckptDir), ['inner-sd.pth', 'legacy-00.zip']);
      assert.equal(log.length, 1);
      assert.match(String(log[0].message), /^Falling back to the old format < 1\.6/);
      assert.equal(log[0].category, warnings.UserWarning);
      assert.equal(log[0].filename, __filename);
      assert.equal(log[0].line, 'assertSame(await hub.load_state_dict_from_url(`${base}/files/legacy-00.zip`, { progress: false }));');
    });

    it('a zip of several files is not the legacy layout: torch.load\'s own error', async () => {
      FILES['two-00.zip'] = zipSync({ 'a.pth': bytes, 'b.pth': bytes });
      await assert.rejects(hub.load_state_dict_from_url(`${base}/files/two-00.zip`, { progress: false }),
        /not a readable PyTorch zip archive/);
      assert.deepEqual(listDir(ckptDir), ['two-00.zip']);
    });
  });
});
