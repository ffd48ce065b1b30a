// Autograd state that is not an ATen op: .grad, grad_fn, grad mode and
// torch.autograd.grad. (backward, requires_grad_, retain_grad, detach... are
// ATen ops and go through dispatch.cpp.)
#include "common.h"

#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>

namespace tn {
namespace {

// get_grad(tensor, last?): `last` is the handle this getter returned before;
// while it still holds the same gradient it is returned again, so that
// `p.grad === p.grad` as in Python, and reading .grad makes no new handle.
napi_value get_grad(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    const at::Tensor& t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "grad: tensor");
    const at::Tensor& g = t.grad();  // warns (not throws) for non-leaf tensors, as Python
    if (!g.defined()) return js_null(env);
    const at::Tensor* last = a.size() > 1 ? peek_tensor(env, a[1]) : nullptr;
    if (last && last->unsafeGetTensorImpl() == g.unsafeGetTensorImpl()) return a[1];
    return wrap_tensor(env, g);
  });
}

napi_value set_grad(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    const at::Tensor& t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "grad: tensor");
    if (a.size() < 2 || is_nullish(env, a[1])) {
      t.mutable_grad().reset();
      return js_undefined(env);
    }
    const at::Tensor& g = unwrap_tensor(env, a[1], "grad: value");
    // Python's checks (python_variable.cpp), with its messages.
    TORCH_CHECK(g.scalar_type() == t.scalar_type(), "assigned grad has data of a different type");
    TORCH_CHECK(g.device() == t.device(), "assigned grad has data located on a different device");
    TORCH_CHECK(g.sizes().equals(t.sizes()), "assigned grad has data of a different size");
    t.mutable_grad() = g;
    return js_undefined(env);
  });
}

napi_value grad_fn_name(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    const at::Tensor& t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "grad_fn: tensor");
    const auto& fn = t.grad_fn();
    if (!fn) return js_null(env);
    return js_string(env, fn->name());  // as Python's grad_fn.name(); printing strips namespaces
  });
}

napi_value is_grad_enabled(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value { return js_bool(env, c10::GradMode::is_enabled()); });
}

napi_value set_grad_enabled(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    c10::GradMode::set_enabled(to_bool(env, a.size() ? a[0] : nullptr, "set_grad_enabled(): mode"));
    return js_undefined(env);
  });
}

std::vector<at::Tensor> tensor_list(napi_env env, napi_value v, const char* what) {
  std::vector<at::Tensor> out;
  for_each_element(env, v, what, "an array of tensors", [&](napi_value e) {
    out.push_back(is_nullish(env, e) ? at::Tensor() : unwrap_tensor(env, e, what));
  });
  return out;
}

// autograd_grad(outputs[], inputs[], grad_outputs[] | null, retain_graph | null,
//               create_graph, allow_unused) -> (Tensor | null)[]
napi_value autograd_grad(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 6);
    if (a.size() < 6) throw JsTypeError("autograd.grad(): expected 6 arguments");
    auto outputs = tensor_list(env, a[0], "autograd.grad(): outputs");
    auto inputs = tensor_list(env, a[1], "autograd.grad(): inputs");
    std::vector<at::Tensor> grad_outputs;
    if (!is_nullish(env, a[2])) grad_outputs = tensor_list(env, a[2], "autograd.grad(): grad_outputs");
    c10::optional<bool> retain_graph;
    if (!is_nullish(env, a[3])) retain_graph = to_bool(env, a[3], "autograd.grad(): retain_graph");
    bool create_graph = to_bool(env, a[4], "autograd.grad(): create_graph");
    bool allow_unused = to_bool(env, a[5], "autograd.grad(): allow_unused");
    for (const auto& t : inputs)
      TORCH_CHECK(t.defined(), "autograd.grad(): inputs must be tensors");
    auto grads = torch::autograd::grad(outputs, inputs, grad_outputs, retain_graph,
                                       create_graph, allow_unused);
    napi_value arr;
    napi_create_array_with_length(env, grads.size(), &arr);
    for (size_t i = 0; i < grads.size(); i++) napi_set_element(env, arr, i, wrap_tensor(env, grads[i]));
    return arr;
  });
}

}  // namespace

void init_autograd(napi_env env, napi_value exports) {
  export_functions(env, exports, {
      {"get_grad", get_grad},
      {"set_grad", set_grad},
      {"grad_fn_name", grad_fn_name},
      {"is_grad_enabled", is_grad_enabled},
      {"set_grad_enabled", set_grad_enabled},
      {"autograd_grad", autograd_grad},
  });
}

}  // namespace tn
