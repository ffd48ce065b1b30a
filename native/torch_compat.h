// Every difference between the LibTorch versions we build against lives here.
#pragma once
#include <ATen/core/jit_type.h>
#include <c10/util/Optional.h>
#include <torch/csrc/api/include/torch/version.h>

#define TN_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||     \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace tn::compat {

// SymInt arguments (LibTorch 2.x) take plain ints from us.
inline bool is_sym_int(c10::TypeKind k) {
  return k == c10::TypeKind::SymIntType;
}

// at::indexing::Slice bounds: int64 before 2.1, SymInt since.
#if TN_TORCH_AT_LEAST(2, 1)
using SliceBound = c10::optional<c10::SymInt>;
#else
using SliceBound = c10::optional<int64_t>;
#endif

}  // namespace tn::compat
