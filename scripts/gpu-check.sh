#!/usr/bin/env bash
# The GPU check, one command on a GPU machine that has a CUDA PyTorch (with its LibTorch), CMake
# and g++, but no Node and no network:
#
#   scripts/gpu-check.sh pack   here, once built (npm run compile, tsc -p examples): stages what
#                               the GPU machine lacks in .gpu-check/ (git-ignored): this Node's
#                               binary and headers, the npm dependencies, dist/ and the compiled
#                               examples; about 27 MB, xz-compressed (OpenSSL's headers left out).
#   scripts/gpu-check.sh        there, in the checkout with .gpu-check/ beside it (the device
#                               tool: carry [".gpu-check"]): unpacks them, builds the addon against
#                               the machine's Python torch (build-gpu/), runs test/cuda.test.js and
#                               test/amp.test.js, the tutorial on cuda next to Python's, the
#                               ResNet-18 and small-op (launch-bound) benchmarks on cuda next to
#                               Python's, a one-rank NCCL group, and the loader's choice of the CUDA prebuild variant
#                               (libtorch-<v>-cu<XY>). Ten minutes at most;
#                               the log is also written to $OUT/gpu-check.log when $OUT is set.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
stage="$root/.gpu-check"
cd "$root"

if [ "${1:-}" = pack ]; then
  set -e
  rm -rf "$stage" && mkdir -p "$stage/node/bin"
  node_bin="$(readlink -f "$(command -v node)")"
  prefix="$(cd "$(dirname "$node_bin")/.." && pwd)"
  xz -T0 -6 -c "$node_bin" > "$stage/node/bin/node.xz"
  [ -f "$prefix/include/node/v8.h" ] || { echo "gpu-check pack: no Node headers at $prefix/include/node" >&2; exit 1; }
  # The headers (the addon compiles against the running Node's full headers), xz-compressed.
  tar -cJf "$stage/node-headers.tar.xz" -C "$prefix" --exclude=include/node/openssl include/node
  [ -f dist/index.js ] && [ -f build/examples/transfer-learning.js ] ||
    { echo "gpu-check pack: build first: npm run build:ts && npx tsc -p examples/tsconfig.json" >&2; exit 1; }
  # Runtime dependencies, cmake-js and mocha: the compilers and type packages stay here.
  tar -cJf "$stage/payload.tar.xz" --exclude=node_modules/typescript --exclude=node_modules/@types \
    --exclude=node_modules/autocannon --exclude=node_modules/prebuildify node_modules dist build/examples
  du -sh "$stage"
  exit 0
fi

# Ten minutes in all: the script runs itself under timeout once.
if [ -z "${GPU_CHECK_INNER:-}" ]; then
  log="${OUT:-$stage}/gpu-check.log"
  mkdir -p "$(dirname "$log")"
  GPU_CHECK_INNER=1 timeout --kill-after=10 600 bash "$0" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && echo "gpu-check: stopped at its 10-minute limit" | tee -a "$log"
  exit "$rc"
fi

t0=$(date +%s)
say() { echo "=== gpu-check [$(( $(date +%s) - t0 )) s] $*"; }
failed=()
[ -d "$stage" ] || { echo "gpu-check: no $stage: run 'scripts/gpu-check.sh pack' where Node is, and carry .gpu-check" >&2; exit 1; }

say "unpacking Node and the npm dependencies"
[ -x "$stage/node/bin/node" ] || xz -d -k -c "$stage/node/bin/node.xz" > "$stage/node/bin/node" && chmod +x "$stage/node/bin/node"
tar -xJf "$stage/payload.tar.xz" -C "$root"
[ -f "$stage/node/include/node/v8.h" ] || tar -xJf "$stage/node-headers.tar.xz" -C "$stage/node"
export PATH="$stage/node/bin:$PATH" npm_config_nodedir="$stage/node"
node --version

PY="${TORCH_NODE_REFERENCE_PYTHON:-$(command -v python3)}"
export TORCH_NODE_PYTHON="$PY" TORCH_NODE_REFERENCE_PYTHON="$PY"
"$PY" -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda, "gpus", torch.cuda.device_count())'
have_tv=$("$PY" -c 'import torchvision' 2>/dev/null && echo 1 || echo 0)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null

say "building the addon against the Python torch (build-gpu/)"
if ! TORCH_NODE_BUILD_DIR=build-gpu JOBS="$(nproc)" node scripts/build-native.js; then
  say "build failed"; exit 1
fi
export TORCH_NODE_BINARY="$root/build-gpu/Release/torch_node.node"
node -e 'const t = require("./dist"); console.log(JSON.stringify(t.backend_info()))'

say "CUDA tests: test/cuda.test.js test/amp.test.js"
node node_modules/mocha/bin/mocha.js --no-config --require test/support/threads.js --reporter test/support/summary-reporter.js \
  --timeout 300000 --exit test/cuda.test.js test/amp.test.js || failed+=("tests")

say "the tutorial on cuda (TORCH_SEED=0 TORCH_DEVICE=cuda), torch-node then Python"
export TORCH_SEED=0 TORCH_DEVICE=cuda TORCH_HOME="${TORCH_HOME:-$stage/torch-home}"
node build/examples/transfer-learning.js > "$stage/tutorial-node.txt" || failed+=("tutorial")
cat "$stage/tutorial-node.txt"
if [ "$have_tv" = 1 ]; then
  "$PY" scripts/reference/transfer_learning.py > "$stage/tutorial-python.txt" || failed+=("tutorial (python)")
  cat "$stage/tutorial-python.txt"
  if diff -q "$stage/tutorial-node.txt" "$stage/tutorial-python.txt" >/dev/null; then say "tutorial: the same loss lines as Python"
  else say "tutorial: loss lines differ from Python's"; failed+=("tutorial losses"); fi
else
  say "no torchvision for $PY: the Python tutorial and the ResNet-18 benchmark's Python side cannot run"
fi

if [ "$have_tv" = 1 ]; then
  say "ResNet-18 on cuda, torch-node vs Python (ratio <= 1.02 wanted)"
  TORCH_DEVICE=cuda node bench/resnet18.js 20 || failed+=("bench")
fi

say "launch-bound small ops on cuda, torch-node vs Python"
TORCH_DEVICE=cuda node bench/small-ops.js 5 2000 || failed+=("small-ops bench")

say "NCCL: a one-rank group on cuda:0 (is_nccl_available, all_reduce, broadcast)"
rm -f "$stage/nccl-store"
node -e 'const t = require("./dist"); const d = t.distributed; console.log("nccl available:", d.is_nccl_available());
  if (!d.is_nccl_available()) process.exit(1);
  d.init_process_group("nccl", { init_method: "file://'"$stage"'/nccl-store", rank: 0, world_size: 1 });
  const x = t.arange(4, { device: "cuda", dtype: t.float32 }); d.all_reduce(x); d.broadcast(x, 0); t.cuda.synchronize();
  console.log(String(x)); if (x.cpu().sum().item() !== 6) process.exit(1); d.destroy_process_group()' || failed+=("nccl")

say "the CUDA prebuild variant: with no local build, the loader picks prebuilds/libtorch-<v>-cu<XY>/ for this LibTorch"
variant_dir=$(node -e 'const b = require("./dist/binary"); const t = require("./scripts/libtorch.js").findLibTorch();
  console.log(b.variantRoot(process.cwd(), t.version, t.cuda, t.cuda_version))')
echo "$variant_dir"
mkdir -p "$variant_dir/prebuilds/linux-x64"
cp "$TORCH_NODE_BINARY" "$variant_dir/prebuilds/linux-x64/node.abi$(node -p process.versions.modules).glibc.node"
env -u TORCH_NODE_BINARY node -e 'const t = require("./dist"); const i = t.backend_info(); console.log(JSON.stringify(i));
  if (i.kind !== "prebuild" || !i.libtorch.cuda || !/-cu\d+\//.test(i.binary)) process.exit(1);
  console.log(String(t.ones(2, { device: "cuda" }).add(1)))' || failed+=("cuda prebuild variant")
rm -rf "$root/prebuilds"

say "done in $(( $(date +%s) - t0 )) s${failed[*]:+; failed: ${failed[*]}}"
[ "${#failed[@]}" -eq 0 ]
