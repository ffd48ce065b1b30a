'use strict';
// examples/serve.ts under load, forwards off the JS thread (forward_async) and
// on it (--sync), side by side: throughput, p50/p99 latency, and the event
// loop's worst stall under load. Bounded: a fixed number of requests on
// 127.0.0.1, then both servers are stopped.
//   node bench/serve.js [requests] [connections]
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');

const requests = Number(process.argv[2]) || 200, connections = Number(process.argv[3]) || 8;
const root = path.resolve(__dirname, '..');
const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const image = fs.readFileSync(path.join(root, 'test', 'fixtures', 'images', 'rgb444.jpg'));

async function serve(model, port, extra) {
  const child = spawn(process.execPath, [path.join(root, 'build', 'examples', 'serve.js'), model, '--port', String(port), ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
  return child;
}

async function measure(port) {
  const url = `http://127.0.0.1:${port}`;
  await fetch(`${url}/classify`, { method: 'POST', body: image }); // warm-up
  await fetch(`${url}/stats`);
  const r = await autocannon({ url: `${url}/classify`, method: 'POST', body: image, connections, amount: requests, timeout: 60 });
  const stats = await (await fetch(`${url}/stats`)).json();
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, stall: stats.max_stall_ms, errors: r.errors + r.non2xx };
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-serve-'));
  const model = path.join(dir, 'resnet18.pt');
  execFileSync(PYTHON, [path.join(root, 'scripts', 'reference', 'export_resnet18.py'), model], { stdio: 'ignore' });
  const rows = [];
  for (const [name, extra, port] of [['async (forward_async)', [], 18431], ['sync (forward on the JS thread)', ['--sync'], 18432]]) {
    const child = await serve(model, port, extra);
    try { rows.push([name, await measure(port)]); } finally { child.kill(); }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`examples/serve.ts, TorchScript ResNet-18, ${requests} requests over ${connections} connections, 127.0.0.1`);
  console.log('mode | requests/s | p50 ms | p99 ms | worst event-loop stall ms | errors\n--- | --- | --- | --- | --- | ---');
  for (const [name, m] of rows) console.log(`${name} | ${m.rps.toFixed(1)} | ${m.p50} | ${m.p99} | ${m.stall.toFixed(1)} | ${m.errors}`);
})().catch((e) => { console.error(e); process.exitCode = 1; });
