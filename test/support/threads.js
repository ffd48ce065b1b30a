'use strict';
// Loaded by .mocharc before any test file: TORCH_NODE_TEST_THREADS=N runs the whole suite with
// torch.set_num_threads(N), to shake out comparisons that hold only for one thread count (parallel
// reductions, BLAS and oneDNN split their work by thread). OMP_NUM_THREADS is set to N as well, so
// that every child process (the Python references, the tutorial, workers) runs with the same count.
const n = process.env.TORCH_NODE_TEST_THREADS;
if (n) {
  if (!/^[1-9]\d*$/.test(n)) throw new Error(`TORCH_NODE_TEST_THREADS must be a positive integer, got ${n}`);
  process.env.OMP_NUM_THREADS = n;
  const torch = require('torch-node');
  torch.set_num_threads(Number(n));
  if (torch.get_num_threads() !== Number(n)) throw new Error(`torch.set_num_threads(${n}) did not take`);
}
