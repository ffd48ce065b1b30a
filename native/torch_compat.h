// Every difference between the LibTorch versions we build against lives here.
#pragma once
#include <ATen/core/jit_type.h>
#include <c10/util/Exception.h>
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

// The thread's LibTorch warning handler: c10::Warning's before 2.0,
// c10::WarningUtils' since.
#if TN_TORCH_AT_LEAST(2, 0)
inline c10::WarningHandler* get_warning_handler() { return c10::WarningUtils::get_warning_handler(); }
inline void set_warning_handler(c10::WarningHandler* h) { c10::WarningUtils::set_warning_handler(h); }
inline bool get_warn_always() { return c10::WarningUtils::get_warnAlways(); }
inline void set_warn_always(bool b) { c10::WarningUtils::set_warnAlways(b); }
#else
inline bool get_warn_always() { return c10::Warning::get_warnAlways(); }
inline void set_warn_always(bool b) { c10::Warning::set_warnAlways(b); }
inline c10::WarningHandler* get_warning_handler() { return c10::Warning::get_warning_handler(); }
inline void set_warning_handler(c10::WarningHandler* h) { c10::Warning::set_warning_handler(h); }
#endif

}  // namespace tn::compat
