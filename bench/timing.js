'use strict';
// The timing helpers the side-by-side benchmarks share.

/** Median ns per call over batches, after a warm-up (JIT tiers, heap sizing) that both sides do. */
function perCallNs(fn, calls, batch = 100) {
  for (let i = 0; i < Math.min(calls, 20000); i++) fn();
  const samples = [];
  for (let s = 0; s < calls / batch; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1];
}

/** Mean ns per call over all calls: unlike the median, it includes the garbage collections. */
function meanNs(fn, calls) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - t0) / calls;
}

module.exports = { perCallNs, meanNs };
