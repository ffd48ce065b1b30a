#!/usr/bin/env node
'use strict';
// One SGD training step of a small LSTM language model (Embedding 1000x64, 2-layer
// LSTM 64->128, Linear 128->1000, cross-entropy over 20 x 16 tokens) and of a
// 2-layer Transformer encoder (d_model 64, 4 heads, feed-forward 128, batch 16 x 20),
// torch-node against PyTorch (Debian's /usr/bin/python3, the same LibTorch). Rounds
// alternate between this process and a Python child, so both see the same machine state.
//
//   node bench/rnn-transformer.js [--threads N] [--steps 5] [--rounds 5] [--python /usr/bin/python3]
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const optim = require('torch-node/optim');

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const threads = Number(arg('threads', torch.get_num_threads()));
const steps = Number(arg('steps', 5));
const rounds = Number(arg('rounds', 5));
const python = arg('python', '/usr/bin/python3');
torch.set_num_threads(threads);

const VOCAB = 1000, EMB = 64, HIDDEN = 128, BATCH = 16, SEQ = 20;
const D_MODEL = 64, NHEAD = 4, FF = 128;

class LSTMLM extends nn.Module {
  constructor() {
    super();
    this.emb = new nn.Embedding(VOCAB, EMB);
    this.lstm = new nn.LSTM(EMB, HIDDEN, 2);
    this.out = new nn.Linear(HIDDEN, VOCAB);
  }
  forward(x) { const [y] = this.lstm(this.emb(x)); return this.out(y); }
}

/** The same model, inputs and step as bench/rnn-transformer.py's make(). */
function make(name) {
  torch.manual_seed(0);
  let model, compute;
  if (name === 'lstm-lm') {
    model = new LSTMLM();
    const x = torch.randint(0, VOCAB, [SEQ, BATCH]);
    const target = torch.randint(0, VOCAB, [SEQ * BATCH]);
    const lossFn = new nn.CrossEntropyLoss();
    compute = () => lossFn(model(x).reshape(-1, VOCAB), target);
  } else {
    const layer = new nn.TransformerEncoderLayer(D_MODEL, NHEAD, FF, { batch_first: true });
    model = new nn.TransformerEncoder(layer, 2);
    const x = torch.randn(BATCH, SEQ, D_MODEL);
    compute = () => model(x).pow(2).mean();
  }
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const step = () => torch.scope(() => {
    opt.zero_grad();
    const loss = compute();
    loss.backward();
    opt.step();
    return loss.item();
  });
  step(); step();
  return step;
}

function roundMs(step, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) step();
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

async function main() {
  const py = spawn(python, [path.join(__dirname, 'rnn-transformer.py'), '--serve', '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  const next = async () => { const r = await lines.next(); if (r.done) throw new Error('the Python side exited'); return JSON.parse(r.value); };
  const info = await next();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const rows = [];
  for (const name of ['lstm-lm', 'transformer-encoder']) {
    const step = make(name);
    const jsLoss = step();
    py.stdin.write(`make ${name}\n`);
    const pyLoss = (await next()).loss;
    const js = [], pyMs = [];
    for (let r = 0; r < rounds; r++) {
      js.push(roundMs(step, steps));
      py.stdin.write(`run ${name} ${steps}\n`);
      pyMs.push((await next()).ms);
    }
    rows.push({ name, js: median(js), py: median(pyMs), jsMin: Math.min(...js), pyMin: Math.min(...pyMs), jsLoss, pyLoss });
    py.stdin.write(`free ${name}\n`);
    await next();
  }
  py.stdin.end();
  console.log(`torch-node (LibTorch ${torch.backend_info().torch_version}) vs PyTorch ${info.torch} (${python}); ${threads} thread(s) on both (Python reports ${info.threads})`);
  console.log(`${rounds} interleaved rounds of ${steps} training steps; ms per step (median of rounds, min in brackets)\n`);
  const pad = (s, n) => String(s).padStart(n);
  console.log(`${'model'.padEnd(22)}${pad('torch-node', 18)}${pad('PyTorch', 18)}${pad('ratio', 8)}${pad('loss (node / python, 3rd step)', 34)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(22)}${pad(`${r.js.toFixed(2)} (${r.jsMin.toFixed(2)})`, 18)}${pad(`${r.py.toFixed(2)} (${r.pyMin.toFixed(2)})`, 18)}` +
      `${pad((r.js / r.py).toFixed(2), 8)}${pad(`${r.jsLoss.toFixed(6)} / ${r.pyLoss.toFixed(6)}`, 34)}`);
  }
  console.log('\nratio = torch-node / PyTorch (below 1: torch-node is faster)');
}

main().catch((e) => { console.error(e); process.exit(1); });
