#!/usr/bin/env bash
# CI's sanitizer step (.ci/run; docs/reliability.md): the ASan+UBSan addon
# (npm run build:asan, its own build-asan/ folder, ccache), the test files that
# drive native/ through its edge cases run under it, then LeakSanitizer over the
# create/dispose loop. Needs what `npm test` leaves: node_modules and dist/.
# Each part appends its counts to $TORCH_NODE_SUMMARY_FILE when that is set
# (mocha through test/support/summary-reporter.js; the build and the leak loop
# here, as one test each), so .ci/run's closing line includes them.
#   scripts/ci-sanitizers.sh [test files...]      (default: the list below)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# The native edge cases: tensors, indexing, errors, autograd (core-*), the zip
# and pickle readers and writers (serialization), hostile inputs that reach the
# addon (hardening, arraylike, abuse-native), and the GC paths that free
# storage from V8's weak callbacks (gc-release, gc-young, memory).
files=("$@")
if [ "${#files[@]}" -eq 0 ]; then
  files=(test/core-*.test.js test/serialization.test.js test/hardening.test.js test/arraylike.test.js
    test/abuse-native.test.js test/gc-release.test.js test/gc-young.test.js test/memory.test.js
    test/autograd-function-fast.test.js test/data-speed.test.js)
fi

summary() { # passed failed: one JSON line, as the mocha reporter writes
  if [ -n "${TORCH_NODE_SUMMARY_FILE:-}" ]; then
    echo "{\"passed\":$1,\"failed\":$2,\"skipped\":0}" >> "$TORCH_NODE_SUMMARY_FILE"
  fi
}
lines() { if [ -n "${TORCH_NODE_SUMMARY_FILE:-}" ]; then wc -l < "$TORCH_NODE_SUMMARY_FILE"; else echo 0; fi; }
status=0
t0=$(date +%s)

echo "=== sanitizers: npm run build:asan"
if npm run build:asan; then summary 1 0; else
  echo "ci-sanitizers: the ASan build failed" >&2
  summary 0 1
  exit 1
fi
t1=$(date +%s)

echo "=== sanitizers: mocha under ASan+UBSan: ${files[*]}   (build took $((t1 - t0)) s)"
before=$(lines)
# The ASan runtime slows every call: twice mocha's usual per-test timeout.
scripts/sanitize.sh npx mocha --timeout 120000 "${files[@]}" || status=1
# A run that died (an ASan report aborts the process) before its reporter's line is a failure.
if [ "$status" -ne 0 ] && [ "$(lines)" -eq "$before" ]; then summary 0 1; fi
t2=$(date +%s)

echo "=== sanitizers: LeakSanitizer over scripts/sanitizers/leak-loop.js   (mocha took $((t2 - t1)) s)"
# LSan checks at Node's exit and exits non-zero on a leak; the loop itself
# exits non-zero when tensors are still live at its end.
if LSAN=1 scripts/sanitize.sh node --expose-gc scripts/sanitizers/leak-loop.js 100; then summary 1 0; else
  echo "ci-sanitizers: LeakSanitizer or the leak loop failed" >&2
  summary 0 1
  status=1
fi
echo "=== sanitizers: done in $(( $(date +%s) - t0 )) s (build $((t1 - t0)) s, mocha $((t2 - t1)) s, leak loop $(( $(date +%s) - t2 )) s)"
exit "$status"
