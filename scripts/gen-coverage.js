'use strict';
// Writes docs/coverage.md: every public name of PyTorch's Python API (docs/python-api.json,
// listed by scripts/list-python-api.py against the reference Python) and whether torch-node
// has it, with the reason for each one it lacks.   node scripts/gen-coverage.js
const fs = require('node:fs');
const path = require('node:path');
const torch = require('..');
const F = require('../dist/nn/functional');
const nn = require('../dist/nn');

// nn.utils is being written in parallel: it may be nn.utils or its own entry point.
function tryRequire(p) {
  try { return require(p); } catch (e) { if (e.code === 'MODULE_NOT_FOUND') return {}; throw e; }
}
const nnUtils = nn.utils ?? tryRequire('../dist/nn/utils');
const optim = torch.optim ?? tryRequire('../dist/optim');
const autograd = torch.autograd ?? {};
const inNs = (obj) => (n) => obj != null && obj[n] !== undefined;

const root = path.join(__dirname, '..');
const { torch_version: version, names } = JSON.parse(fs.readFileSync(path.join(root, 'docs', 'python-api.json'), 'utf8'));
const has = {
  torch: (n) => torch[n] !== undefined,
  Tensor: (n) => n in torch.Tensor.prototype,
  'nn.functional': (n) => F[n] !== undefined,
  linalg: (n) => n in torch.linalg,
  fft: (n) => n in torch.fft,
  special: (n) => n in torch.special,
  nn: inNs(nn),
  'nn.utils': inNs(nnUtils),
  'nn.utils.rnn': inNs(nnUtils.rnn),
  'nn.utils.parametrize': inNs(nnUtils.parametrize),
  optim: inNs(optim),
  'optim.lr_scheduler': inNs(optim.lr_scheduler),
  autograd: inNs(autograd),
};
const targets = {
  torch: 95, Tensor: 95, 'nn.functional': 90, linalg: 100, fft: 100, special: 100,
  nn: 95, 'nn.utils': 95, 'nn.utils.rnn': 95, 'nn.utils.parametrize': 95, optim: 95, 'optim.lr_scheduler': 95, autograd: 95,
};

// Why a name is missing: first matching rule.
const REASONS = [
  [/^(sparse_.*_tensor|sparse_compressed_tensor|dsmm|hsmm|saddmm|spmm|to_sparse_coo)$/, 'sparse tensors: torch-node makes dense (strided) tensors only'],
  [/^(quantized_gru|quantized_lstm)$/, 'quantized RNN kernels: quantized tensors are not supported'],
  [/^(cfloat|cdouble)$/, 'complex dtypes are not supported (torch-node\'s dtypes are the real ones and bool)'],
  [/^(align_to|names|name|refine_names|rename|rename_)$/, 'named tensors (Dimname) are not supported'],
  [/^(fork|wait|import_ir_module|import_ir_module_from_buffer|merge_type_from_type_comment|parse_ir|parse_schema|parse_type_comment|unify_type_list)$/, 'TorchScript compiler internals (torch.jit uses them)'],
  [/^(read_vitals|set_vital|vitals_enabled|get_file_path|prepare_multiprocessing_environment)$/, 'Python-process internals (vitals logging, multiprocessing setup)'],
  [/^(from_dlpack|to_dlpack)$/, 'DLPack capsules are a Python protocol; torch.from_numpy / frombuffer share TypedArray memory instead'],
  [/^(lobpcg|pca_lowrank|svd_lowrank)$/, 'Python-level iterative algorithms (torch._lobpcg, torch._lowrank): not yet written'],
  [/^(has_torch_function|has_torch_function_unary|has_torch_function_variadic|assert_int_or_pair)$/, 'Python\'s __torch_function__ protocol / argument-check helpers: no JS meaning'],
  [/^(as_subclass|volatile|reinforce)$/, 'Python subclassing / removed legacy attributes (volatile and reinforce raise in Python too)'],
  [/^(storage|storage_type|data_ptr|share_memory_|record_stream)$/, 'storages, raw pointers, shared memory and CUDA streams are not exposed'],
  [/^(xpu|ipu)$/, 'XPU/IPU devices: not in LibTorch builds torch-node supports'],
  [/^(numpy)$/, 'zero-copy TypedArray view of a tensor needs a native external ArrayBuffer (not yet built); typed_array() copies'],
  [/^(register_hook)$/, 'tensor hooks need a native autograd hook that calls back into JS (not yet built)'],
  [/^(resize|resize_as)$/, 'deprecated Python-level non-in-place resize (resize_ and resize_as_ are bound)'],
  [/^(embedding_bag)$/, 'Python-level wrapper with offsets/mode handling: not yet written (torch.embedding_bag is bound)'],
  [/^(RNNBase|RNN|LSTM|GRU|RNNCellBase|RNNCell|LSTMCell|GRUCell)$/, 'recurrent layers: being written in parallel (issue 10, RNN/Transformer/Embedding share)'],
  [/^(MultiheadAttention|Transformer|TransformerEncoder|TransformerDecoder|TransformerEncoderLayer|TransformerDecoderLayer)$/, 'attention and Transformer layers: being written in parallel (issue 10, RNN/Transformer/Embedding share)'],
  [/^(Embedding|EmbeddingBag)$/, 'embedding layers: being written in parallel (issue 10, RNN/Transformer/Embedding share)'],
  [/^(PackedSequence_|bind)$/, 'nn.utils.rnn internals: PackedSequence\'s namedtuple base and a TorchScript helper, not API'],
  [/^(NestedIOFunction|Variable|variable)$/, 'legacy autograd API (Variable is Tensor since 0.4; NestedIOFunction is the old-style Function)'],
  [/^(gradcheck|gradgradcheck)$/, 'numerical gradient checks (torch.autograd.gradcheck): not yet written'],
  [/^(multi_head_attention_forward)$/, 'Python-level, 300 lines of nn.MultiheadAttention: not yet written'],
];
// Namespaces other engineers are filling in parallel (issue 10): the integrator reruns this generator after the merge.
const PARALLEL = {
  'nn.utils': 'nn.utils: being written in parallel (issue 10, nn.utils share)',
  'nn.utils.rnn': 'nn.utils.rnn: being written in parallel (issue 10, nn.utils share)',
  'nn.utils.parametrize': 'nn.utils.parametrize: being written in parallel (issue 10, nn.utils share)',
  autograd: 'torch.autograd: being written in parallel (issue 10, autograd share)',
};
const reasonOf = (n, ns) => (REASONS.find(([re]) => re.test(n)) ?? [null, PARALLEL[ns] ?? 'not yet bound'])[1];

const lines = [
  '# Coverage of PyTorch\'s Python API',
  '',
  `Generated by \`node scripts/gen-coverage.js\` from \`docs/python-api.json\` (every public name of PyTorch ${version}, listed by`,
  '`/usr/bin/python3 scripts/list-python-api.py`). A name counts as present when torch-node defines it in the same place',
  '(torch.X, Tensor.prototype.X, torch-node/nn/functional X, torch.linalg/fft/special.X, torch-node/nn X for torch.nn\'s',
  'module and parameter classes, nn.utils(.rnn/.parametrize).X, torch.optim(.lr_scheduler).X, torch.autograd.X).',
  '',
  '| namespace | PyTorch | torch-node | coverage | target |',
  '| --- | --- | --- | --- | --- |',
];
const missing = {};
for (const [ns, list] of Object.entries(names)) {
  const miss = list.filter((n) => !has[ns](n));
  missing[ns] = miss;
  const got = list.length - miss.length;
  lines.push(`| ${ns} | ${list.length} | ${got} | ${(100 * got / list.length).toFixed(1)}% | ${targets[ns]}% |`);
}
lines.push('', '## Missing names and why', '');
for (const [ns, miss] of Object.entries(missing)) {
  if (!miss.length) continue;
  lines.push(`### ${ns}`, '');
  const byReason = new Map();
  for (const n of miss) {
    const r = reasonOf(n, ns);
    if (!byReason.has(r)) byReason.set(r, []);
    byReason.get(r).push(n);
  }
  for (const [r, ns2] of byReason) lines.push(`- ${ns2.map((n) => `\`${n}\``).join(', ')}: ${r}`);
  lines.push('');
}
lines.push('## How names are bound', '',
  '- Generated from LibTorch\'s schemas (`scripts/gen-bindings.py`, torchgen\'s Python signatures): torch.*, Tensor methods,',
  '  torch.linalg/fft/special, torch._C._nn and the nn.functional names whose Python body is one op. One binder',
  '  (`lib/binder.ts`) binds every call as Python\'s parser does.',
  '- Written by hand where Python writes them in Python (torch/functional.py, torch/nn/functional.py, Tensor\'s Python',
  '  methods) or adds behaviour: printing, indexing, `to`, `item`, factories with dtype inference, F\'s multi-op functions.',
  '- `torch.ops.aten.<name>.<overload>` reaches every registered ATen operator, private ones included.', '');
fs.writeFileSync(path.join(root, 'docs', 'coverage.md'), lines.join('\n'));
console.log(lines.slice(6, 14).join('\n'));
