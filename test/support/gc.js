'use strict';
// Tensors dropped by earlier tests are released whenever V8 collects, so a
// test that counts live tensors first lets every pending collection happen.
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** Runs full collections until nothing more is released. */
function settle(stats) {
  let last = -1;
  for (let i = 0; i < 10; i++) {
    gc();
    const now = stats().tensors;
    if (now === last) return;
    last = now;
  }
}
module.exports = { settle };

/** torch.memory_stats() once every pending collection has happened: what is really live. */
function liveStats(torch) {
  settle(torch.memory_stats);
  return torch.memory_stats();
}
module.exports.liveStats = liveStats;
