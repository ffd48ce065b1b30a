#!/usr/bin/env bash
# Runs a command (node, mocha, the fuzzer) with the ASan+UBSan addon built by
# `npm run build:asan`:   scripts/sanitize.sh npx mocha test/core-ops.test.js
# Node itself is not instrumented, so the ASan runtime is preloaded; leak
# detection is off unless LSAN=1 (then LeakSanitizer checks at exit; see
# docs/reliability.md for the create/dispose loop it is run over).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="${TORCH_NODE_BINARY:-$root/build-asan/Release/torch_node.node}"
if [ ! -f "$binary" ]; then echo "sanitize.sh: $binary is missing: run npm run build:asan" >&2; exit 1; fi
libasan="$(${CXX:-g++} -print-file-name=libasan.so)"
export TORCH_NODE_BINARY="$binary"
# Tests that measure RSS leave that check out: ASan holds freed memory in its
# quarantine (LeakSanitizer, LSAN=1, is the leak check under it).
export TORCH_NODE_UNDER_SANITIZER=1
export LD_PRELOAD="$libasan${LD_PRELOAD:+:$LD_PRELOAD}"
# allocator_may_return_null + max_allocation_size_mb: a huge tensor request is
# a bad_alloc (a JS RangeError), as without ASan, not an ASan abort, and never
# 40 GB of zeros written into a shared machine's memory.
export ASAN_OPTIONS="detect_leaks=${LSAN:-0}:allocator_may_return_null=1:max_allocation_size_mb=8192:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="suppressions=$root/scripts/sanitizers/ubsan.supp:print_stacktrace=1:halt_on_error=1:abort_on_error=1:${UBSAN_OPTIONS:-}"
exec "$@"
