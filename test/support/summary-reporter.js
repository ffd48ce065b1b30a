'use strict';
// mocha's spec reporter plus the plain closing line CI reads: "N passed, N failed, N skipped".
// With TORCH_NODE_SUMMARY_FILE set, it also appends the counts there as a JSON line
// (.ci/run adds up the runs against each LibTorch version into one closing line).
const fs = require('node:fs');
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
      if (process.env.TORCH_NODE_SUMMARY_FILE) {
        fs.appendFileSync(process.env.TORCH_NODE_SUMMARY_FILE, JSON.stringify({ passed: s.passes, failed: s.failures, skipped: s.pending }) + '\n');
      }
    });
  }
}
module.exports = SummaryReporter;
