// Every difference between the LibTorch versions we build against lives here.
#pragma once
#include <ATen/core/jit_type.h>
#include <c10/util/Exception.h>
#include <c10/util/Optional.h>
#include <c10/util/intrusive_ptr.h>
#include <memory>
#include <torch/csrc/api/include/torch/version.h>

#define TN_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||     \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace at::autocast {
#if TN_TORCH_AT_LEAST(2, 4)
TORCH_API bool is_autocast_enabled(at::DeviceType device_type);
TORCH_API void set_autocast_enabled(at::DeviceType device_type, bool enabled);
TORCH_API at::ScalarType get_autocast_dtype(at::DeviceType device_type);
TORCH_API void set_autocast_dtype(at::DeviceType device_type, at::ScalarType dtype);
#else
TORCH_API bool is_enabled();
TORCH_API void set_enabled(bool enabled);
TORCH_API bool is_cpu_enabled();
TORCH_API void set_cpu_enabled(bool enabled);
TORCH_API at::ScalarType get_autocast_gpu_dtype();
TORCH_API at::ScalarType get_autocast_cpu_dtype();
TORCH_API void set_autocast_gpu_dtype(at::ScalarType dtype);
TORCH_API void set_autocast_cpu_dtype(at::ScalarType dtype);
#endif
TORCH_API void clear_cache();
TORCH_API int increment_nesting();
TORCH_API int decrement_nesting();
TORCH_API bool is_autocast_cache_enabled();
TORCH_API void set_autocast_cache_enabled(bool enabled);
}  // namespace at::autocast

namespace torch::autograd {
struct Node;
#if !TN_TORCH_AT_LEAST(2, 13)
TORCH_API void deleteNode(Node* function);
#endif
}  // namespace torch::autograd

namespace tn::compat {

// Who owns an autograd graph Node: std::shared_ptr (made with deleteNode, which frees long graphs
// without deep recursion) before 2.13, c10::intrusive_ptr since (Node is an intrusive_ptr_target).
#if TN_TORCH_AT_LEAST(2, 13)
template <typename T>
using NodeRef = c10::intrusive_ptr<T>;
template <typename T>
using WeakNodeRef = c10::weak_intrusive_ptr<T>;
template <typename T>
inline NodeRef<T> make_node() { return c10::make_intrusive<T>(); }
#else
template <typename T>
using NodeRef = std::shared_ptr<T>;
template <typename T>
using WeakNodeRef = std::weak_ptr<T>;
template <typename T>
inline NodeRef<T> make_node() { return NodeRef<T>(new T(), torch::autograd::deleteNode); }
#endif
using NodePtr = NodeRef<torch::autograd::Node>;

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

// at::autocast's thread-local state per device type: one set of functions per
// device (is_enabled/is_cpu_enabled, get_autocast_gpu_dtype/_cpu_dtype) before
// 2.4, functions taking the DeviceType since (the old ones are gone or inline).
// Declared here: ATen/autocast_mode.h pulls in all of ATen/ATen.h.
namespace autocast {
#if TN_TORCH_AT_LEAST(2, 4)
inline bool is_enabled(at::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
inline void set_enabled(at::DeviceType d, bool b) { at::autocast::set_autocast_enabled(d, b); }
inline at::ScalarType get_dtype(at::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
inline void set_dtype(at::DeviceType d, at::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }
#else
inline bool is_enabled(at::DeviceType d) { return d == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled(); }
inline void set_enabled(at::DeviceType d, bool b) { d == at::kCPU ? at::autocast::set_cpu_enabled(b) : at::autocast::set_enabled(b); }
inline at::ScalarType get_dtype(at::DeviceType d) {
  return d == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
}
inline void set_dtype(at::DeviceType d, at::ScalarType t) {
  d == at::kCPU ? at::autocast::set_autocast_cpu_dtype(t) : at::autocast::set_autocast_gpu_dtype(t);
}
#endif
}  // namespace autocast

// Python's own autograd messages (python_variable.cpp, python_engine.cpp), which the addon
// repeats: 2.x reworded them (the text is 2.13's Python's; 1.13's before 2.0).
#if TN_TORCH_AT_LEAST(2, 0)
inline std::string grad_dtype_message(const at::Tensor& t, const at::Tensor& g) {
  return std::string("attempting to assign a gradient with dtype '") + std::string(g.dtype().name()) +
         "' to a tensor with grad_dtype '" + c10::toString(t.scalar_type()) +
         "'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
         "tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
         "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.";
}
inline std::string grad_size_message(const at::Tensor& t, const at::Tensor& g) {
  return "attempting to assign a gradient of size '" + c10::str(g.sizes()) + "' to a tensor of size '" +
         c10::str(t.sizes()) + "'. Please ensure that the gradient and the tensor are the same size";
}
inline std::string unused_input_message(size_t i) {
  return "The differentiated Tensor at index " + std::to_string(i) +
         " appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.";
}
#else
inline std::string grad_dtype_message(const at::Tensor&, const at::Tensor&) { return "assigned grad has data of a different type"; }
inline std::string grad_size_message(const at::Tensor&, const at::Tensor&) { return "assigned grad has data of a different size"; }
inline std::string unused_input_message(size_t) {
  return "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.";
}
#endif

// Initialises CUDA through its hooks (throws LibTorch's "Found no NVIDIA driver"
// when it cannot): initCUDA() in older versions, the accelerator hooks' init()
// in newer ones (picked by which one the hooks class has).
template <typename Hooks>
inline auto cuda_init_impl(const Hooks& hooks, int) -> decltype(hooks.initCUDA(), void()) { hooks.initCUDA(); }
template <typename Hooks>
inline void cuda_init_impl(const Hooks& hooks, long) { hooks.init(); }
template <typename Hooks>
inline void cuda_init(const Hooks& hooks) { cuda_init_impl(hooks, 0); }

}  // namespace tn::compat
