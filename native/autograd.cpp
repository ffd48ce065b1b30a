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
Napi::Value get_grad(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap_tensor(info[0], "grad: tensor");
  const at::Tensor& g = t.grad();  // warns (not throws) for non-leaf tensors, as Python
  if (!g.defined()) return info.Env().Null();
  const at::Tensor* last = peek_tensor(info[1]);
  if (last && last->unsafeGetTensorImpl() == g.unsafeGetTensorImpl()) return info[1];
  return wrap_tensor(info.Env(), g);
}

Napi::Value set_grad(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap_tensor(info[0], "grad: tensor");
  if (is_nullish(info[1])) {
    t.mutable_grad().reset();
    return info.Env().Undefined();
  }
  const at::Tensor& g = unwrap_tensor(info[1], "grad: value");
  // Python's checks (python_variable.cpp), with its messages.
  TORCH_CHECK(g.scalar_type() == t.scalar_type(), tn::compat::grad_dtype_message(t, g));
  TORCH_CHECK(g.device() == t.device(), "assigned grad has data located on a different device");
  TORCH_CHECK(g.sizes().equals(t.sizes()), tn::compat::grad_size_message(t, g));
  t.mutable_grad() = g;
  return info.Env().Undefined();
}

Napi::Value grad_fn_name(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap_tensor(info[0], "grad_fn: tensor");
  const auto& fn = t.grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());  // as Python's grad_fn.name(); printing strips namespaces
}

Napi::Value is_grad_enabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

Napi::Value set_grad_enabled(const Napi::CallbackInfo& info) {
  c10::GradMode::set_enabled(to_bool(info[0], "set_grad_enabled(): mode"));
  return info.Env().Undefined();
}

std::vector<at::Tensor> tensor_list(Napi::Value v, const char* what) {
  std::vector<at::Tensor> out;
  for_each_element(v, what, "an array of tensors", [&](Napi::Value e) {
    out.push_back(is_nullish(e) ? at::Tensor() : unwrap_tensor(e, what));
  });
  return out;
}

// autograd_grad(outputs[], inputs[], grad_outputs[] | null, retain_graph | null,
//               create_graph, allow_unused) -> (Tensor | null)[]
Napi::Value autograd_grad(const Napi::CallbackInfo& info) {
  if (info.Length() < 6) throw JsTypeError("autograd.grad(): expected 6 arguments");
  auto outputs = tensor_list(info[0], "autograd.grad(): outputs");
  auto inputs = tensor_list(info[1], "autograd.grad(): inputs");
  std::vector<at::Tensor> grad_outputs;
  if (!is_nullish(info[2])) grad_outputs = tensor_list(info[2], "autograd.grad(): grad_outputs");
  c10::optional<bool> retain_graph;
  if (!is_nullish(info[3])) retain_graph = to_bool(info[3], "autograd.grad(): retain_graph");
  bool create_graph = to_bool(info[4], "autograd.grad(): create_graph");
  bool allow_unused = to_bool(info[5], "autograd.grad(): allow_unused");
  for (const auto& t : inputs) TORCH_CHECK(t.defined(), "autograd.grad(): inputs must be tensors");
  // Python's checks and messages (python_engine.cpp), not the C++ API's.
  for (const auto& t : inputs) TORCH_CHECK(t.requires_grad(), "One of the differentiated Tensors does not require grad");
  auto grads = torch::autograd::grad(outputs, inputs, grad_outputs, retain_graph, create_graph, true);
  for (size_t i = 0; i < grads.size(); i++) TORCH_CHECK(allow_unused || grads[i].defined(), tn::compat::unused_input_message(i));
  Napi::Array arr = Napi::Array::New(info.Env(), grads.size());
  for (size_t i = 0; i < grads.size(); i++) arr.Set(static_cast<uint32_t>(i), wrap_tensor(info.Env(), grads[i]));
  return arr;
}

}  // namespace

void init_autograd(Napi::Env env, Napi::Object exports) {
  exports.DefineProperties({
      fn<get_grad>(env, "get_grad"),
      fn<set_grad>(env, "set_grad"),
      fn<grad_fn_name>(env, "grad_fn_name"),
      fn<is_grad_enabled>(env, "is_grad_enabled"),
      fn<set_grad_enabled>(env, "set_grad_enabled"),
      fn<autograd_grad>(env, "autograd_grad"),
  });
}

}  // namespace tn
