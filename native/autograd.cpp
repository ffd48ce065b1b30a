// Autograd state that is not an ATen op: .grad, grad_fn, grad mode and
// torch.autograd.grad. (backward, requires_grad_, retain_grad, detach... are
// ATen ops and go through dispatch.cpp.)
#include "common.h"

#include <c10/core/GradMode.h>
#include <c10/core/AutogradState.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/anomaly_mode.h>
#include <torch/csrc/autograd/forward_grad.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/csrc/autograd/functions/basic_ops.h>
#include <torch/csrc/autograd/saved_variable.h>
#include <torch/csrc/autograd/variable.h>

#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>


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

// ---- JS references held by autograd nodes ------------------------------------------
// A graph node (a custom Function's node, a grad_fn hook) holds references to JS values. The node
// dies when its last tensor goes: inside the GC (a tensor handle collected), on another thread (a
// graph freed by a jit pool thread), or after its env is gone. No Node-API call is allowed in the
// first two, so a reference is never deleted where it is dropped: it is queued on its env's list
// and deleted on that env's thread, woken through a thread-safe function. Once the env is torn
// down its references went with it and are forgotten.
struct EnvRefs {
  napi_env env = nullptr;
  std::thread::id thread;
  std::mutex mu;
  bool alive = true;
  std::vector<napi_ref> dead;
  napi_threadsafe_function wake = nullptr;
  // lib/autograd_function.ts's runBackward(ctx, grads) (strong, for the env's life): a call to
  // it costs less than looking `_run_backward` up on each ctx by name.
  napi_ref run_backward = nullptr;

  // Any thread, any time (GC included).
  void release(napi_ref r) {
    if (!r) return;
    std::lock_guard<std::mutex> lock(mu);
    if (!alive) return;
    dead.push_back(r);
    if (dead.size() == 1) napi_call_threadsafe_function(wake, nullptr, napi_tsfn_nonblocking);
  }
  // On the env's thread, outside the GC.
  void drain() {
    std::vector<napi_ref> todo;
    {
      std::lock_guard<std::mutex> lock(mu);
      todo.swap(dead);
    }
    for (napi_ref r : todo) napi_delete_reference(env, r);
  }
  bool on_js_thread() const { return std::this_thread::get_id() == thread; }
};
thread_local std::shared_ptr<EnvRefs> t_refs;

std::shared_ptr<EnvRefs> env_refs(Napi::Env env) {
  if (!t_refs || t_refs->env != env) throw std::runtime_error("torch-node: autograd is not initialised in this env");
  t_refs->drain();
  return t_refs;
}

napi_ref strong_ref(Napi::Env env, Napi::Value v) {
  napi_ref r;
  check(env, napi_create_reference(env, v, 1, &r));
  return r;
}

Napi::Value ref_value(Napi::Env env, napi_ref r) {
  napi_value v = nullptr;
  check(env, napi_get_reference_value(env, r, &v));
  return v ? Napi::Value(env, v) : env.Undefined();
}

// Where the engine would call JS on a thread that has no JS (a jit pool thread, a CUDA device
// thread, another worker's graph), or after the env has gone: a clear error, raised by backward().
void check_js_thread(const EnvRefs& refs, const std::string& what) {
  TORCH_CHECK(refs.alive && refs.on_js_thread(), what,
              " needs to run JS, but backward reached it on a thread that is not the JS thread that created it "
              "(torch-node runs JS in the backward pass only on that thread: call backward() / autograd.grad() from it, "
              "synchronously)");
}

// A JS exception caught by tc (a getter or setter threw) as the Napi::Error that carries it out.
[[noreturn]] void rethrow_caught(Napi::Env env, v8::TryCatch& tc) {
  v8::Local<v8::Value> exc = tc.Exception();
  tc.Reset();
  if (exc.IsEmpty()) throw Napi::Error::New(env, "torch-node: a JS call was terminated");
  throw Napi::Error(env, to_napi(exc));
}

// The tensors of a JS array of handles (null: an undefined tensor); null/undefined: none. V8's own
// element reads: Node-API's napi_get_element sets up a TryCatch per element.
std::vector<at::Tensor> handles_to_tensors(Napi::Value v, const char* what) {
  std::vector<at::Tensor> out;
  if (v.IsEmpty() || to_v8(v)->IsNullOrUndefined()) return out;
  if (!v.IsArray()) bad_type(v, what, "an array of tensors");
  Napi::Env env = v.Env();
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Array> arr = to_v8(v).As<v8::Array>();
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  const uint32_t n = arr->Length();
  out.reserve(n);
  v8::TryCatch tc(isolate);
  for (uint32_t i = 0; i < n; i++) {
    v8::Local<v8::Value> e;
    if (!arr->Get(context, i).ToLocal(&e)) rethrow_caught(env, tc);  // a getter threw
    out.push_back(e->IsNullOrUndefined() ? at::Tensor() : unwrap_tensor(Napi::Value(env, to_napi(e)), what));
  }
  return out;
}

// One JS array made from its elements (v8::Array::New): napi_set_element per element costs
// ~1,000 instructions each (a TryCatch and a generic keyed store).
Napi::Array tensors_to_handles(Napi::Env env, const std::vector<at::Tensor>& ts) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  c10::SmallVector<v8::Local<v8::Value>, 8> elems;
  elems.reserve(ts.size());
  for (const auto& t : ts) elems.push_back(to_v8(wrap_tensor(env, t)));
  v8::Local<v8::Array> arr = v8::Array::New(isolate, elems.data(), elems.size());
  return Napi::Array(env, to_napi(arr));
}

// ---- torch.autograd.Function: the graph node -------------------------------------------
// Python's PyNode: apply() hands the incoming gradients to the JS ctx's _run_backward, which calls
// the class's static backward(ctx, ...grads) and returns one gradient per tensor input. The node
// holds the ctx (a strong reference); the ctx reaches the node only weakly (JsFnBox), so the pair
// is freed with the graph.
struct JsFunctionNode;
using NodePtr = tn::compat::node_ptr_t<torch::autograd::Edge, torch::autograd::Node>;
using JsNodePtr = tn::compat::node_ptr_t<torch::autograd::Edge, JsFunctionNode>;
using JsNodeWeak = tn::compat::weak_node_ptr_t<torch::autograd::Edge, JsFunctionNode>;

struct JsFunctionNode : torch::autograd::Node {
  std::shared_ptr<EnvRefs> refs;
  napi_ref ctx = nullptr;
  std::shared_ptr<const std::string> name_;
  std::vector<torch::autograd::SavedVariable> saved;
  std::vector<bool> saved_is_none;
  std::vector<torch::autograd::VariableInfo> output_info;
  std::vector<bool> output_is_tensor;
  bool materialize_grads = true;

  std::string name() const override { return name_ ? *name_ : std::string(); }
  void release_variables() override {
    for (auto& s : saved) s.reset_data();
  }
  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    TORCH_CHECK(refs && ctx, *name_, ": this Function's apply() failed; its node cannot run backward");
    check_js_thread(*refs, *name_);
    Napi::Env env(refs->env);
    Napi::HandleScope scope(env);
    at::OptionalDeviceGuard guard;
    for (size_t i = 0; i < grads.size(); i++) {
      if (!grads[i].defined() && materialize_grads && i < output_info.size() && output_is_tensor[i]) grads[i] = output_info[i].zeros(guard);
    }
    Napi::Array arr = tensors_to_handles(env, grads);
    Napi::Value ctxv = ref_value(env, ctx);
    // A JS exception comes out as a Napi::Error: the engine carries it to backward()'s caller
    // unchanged (an exception_ptr), so JS sees the very error the backward threw.
    Napi::Value result;
    if (refs->run_backward) {
      result = ref_value(env, refs->run_backward).As<Napi::Function>().Call({ctxv, arr});
    } else {
      Napi::Object ctxo = ctxv.As<Napi::Object>();
      Napi::Value run = ctxo.Get("_run_backward");
      if (!run.IsFunction()) throw std::runtime_error(*name_ + ": the ctx has no _run_backward");
      result = run.As<Napi::Function>().Call(ctxo, {arr});
    }
    auto out = handles_to_tensors(result, "autograd.Function backward result");
    TORCH_CHECK(out.size() == num_outputs(), "function ", *name_, " returned an incorrect number of gradients (expected ",
                num_outputs(), ", got ", out.size(), ")");
    return out;
  }
  void drop_ctx() {
    if (refs && ctx) refs->release(ctx);
    ctx = nullptr;
  }
  // 2.x's intrusive nodes call this when the last strong reference goes; the destructor also
  // waits for the weak ones, and the ctx's JsFnBox holds one: the ctx is let go here, or the
  // pair would keep each other. (1.13's Node has no such hook: never called there.)
  void release_resources() {
    tn::compat::release_base_resources<torch::autograd::Node>(this);
    drop_ctx();
  }
  ~JsFunctionNode() override { drop_ctx(); }
};

// The ctx's view of its node (ctx._fn). It is a V8 object made from a template with an internal
// field, held by a weak v8::Global whose callback deletes the box inside the GC, as tensor handles
// are (addon.cpp): a napi_wrap'd, type-tagged object cost ~5,000 instructions per apply() and a
// Node-API finalizer after the GC. The box holds no JS value and nothing that runs JS when
// freed (a weak node pointer, tensors), so freeing it inside the GC is safe.
struct JsFnBox {
  JsNodeWeak node{JsNodePtr()};
  bool executable = false;
  std::vector<at::Tensor> unsaved;
  v8::Global<v8::Object> handle;
  JsFnBox* prev = nullptr;
  JsFnBox* next = nullptr;
};

// This thread's boxes (freed by the env's cleanup hook while the isolate still exists: a
// v8::Global must not outlive it), the template they are made from, and the last node names.
struct BoxPool {
  JsFnBox live;  // list head
  v8::Global<v8::FunctionTemplate> tmpl;
  // apply() passes one JS string per class (lib/autograd_function.ts caches it): the last few
  // are recognised by identity and their UTF-8 copy shared, instead of read on every call.
  struct Name { v8::Global<v8::String> js; std::shared_ptr<const std::string> utf8; };
  Name names[4];
  size_t next_name = 0;
  BoxPool() { live.prev = live.next = &live; }
};
thread_local BoxPool* t_boxes = nullptr;

BoxPool* box_pool(v8::Isolate* isolate) {
  if (!t_boxes) {
    t_boxes = new BoxPool();
    v8::Local<v8::FunctionTemplate> ft = v8::FunctionTemplate::New(isolate);
    ft->SetClassName(v8::String::NewFromUtf8Literal(isolate, "AutogradFunctionHandle"));
    ft->InstanceTemplate()->SetInternalFieldCount(1);
    t_boxes->tmpl.Reset(isolate, ft);
  }
  return t_boxes;
}

void unlink_box(JsFnBox* b) {
  b->prev->next = b->next;
  b->next->prev = b->prev;
}

void free_boxes() {
  if (!t_boxes) return;
  while (t_boxes->live.next != &t_boxes->live) {
    JsFnBox* b = t_boxes->live.next;
    b->handle.Reset();
    unlink_box(b);
    delete b;
  }
  t_boxes->tmpl.Reset();
  for (auto& n : t_boxes->names) n.js.Reset();
  delete t_boxes;
  t_boxes = nullptr;
}

Napi::Value wrap_box(Napi::Env env, std::unique_ptr<JsFnBox> box) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  box_pool(isolate);
  v8::Local<v8::Object> obj;
  v8::TryCatch tc(isolate);
  if (!t_boxes->tmpl.Get(isolate)->InstanceTemplate()->NewInstance(isolate->GetCurrentContext()).ToLocal(&obj))
    rethrow_caught(env, tc);  // (termination)
  JsFnBox* b = box.release();
  obj->SetAlignedPointerInInternalField(0, b);
  b->handle.Reset(isolate, obj);
  b->handle.SetWeak(b, [](const v8::WeakCallbackInfo<JsFnBox>& data) {
    JsFnBox* b = data.GetParameter();
    b->handle.Reset();
    unlink_box(b);
    delete b;
  }, v8::WeakCallbackType::kParameter);
  b->next = t_boxes->live.next;
  b->prev = &t_boxes->live;
  b->next->prev = b;
  t_boxes->live.next = b;
  return Napi::Value(env, to_napi(obj));
}

std::shared_ptr<const std::string> node_name_of(Napi::Value v) {
  if (!v.IsString()) bad_type(v, "Function.apply(): name", "a string");
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  BoxPool* pool = box_pool(isolate);
  v8::Local<v8::String> local = to_v8(v).As<v8::String>();
  for (auto& n : pool->names)
    if (!n.js.IsEmpty() && n.js == local) return n.utf8;
  auto& slot = pool->names[pool->next_name++ % 4];
  slot.js.Reset(isolate, local);
  slot.utf8 = std::make_shared<const std::string>(to_string(v, "Function.apply(): name"));
  return slot.utf8;
}

JsFnBox* unwrap_box(Napi::Value v, const char* what) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Value> local = to_v8(v);
  if (!t_boxes || local.IsEmpty() || !t_boxes->tmpl.Get(isolate)->HasInstance(local))
    throw JsTypeError(std::string(what) + " must be a handle made by the addon");
  return static_cast<JsFnBox*>(local.As<v8::Object>()->GetAlignedPointerFromInternalField(0));
}

// function_apply(ctx, name, inputs[], outputs[], to_save[] | null, dirty[] | null,
//                non_differentiable[] | null, materialize_grads) -> fnHandle
// Python's THPFunction_apply after forward ran (under no_grad): the node gets the tensor inputs'
// edges, the outputs get the node (or are rebased when dirty), saved tensors become SavedVariables.
// outputs[] (handles, null for a non-tensor) is rewritten in place with the outputs' handles where
// they are new tensors (an input returned as is becomes an alias).
Napi::Value function_apply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto refs = env_refs(env);
  if (!info[0].IsObject()) bad_type(info[0], "Function.apply(): ctx", "an object");
  if (!info[3].IsArray()) bad_type(info[3], "Function.apply(): outputs", "an array of tensors");
  auto name = node_name_of(info[1]);
  auto inputs = handles_to_tensors(info[2], "Function.apply(): inputs");
  auto raw = handles_to_tensors(info[3], "Function.apply(): outputs");
  auto to_save = handles_to_tensors(info[4], "save_for_backward(): tensors");
  auto dirty = handles_to_tensors(info[5], "mark_dirty(): tensors");
  auto nondiff = handles_to_tensors(info[6], "mark_non_differentiable(): tensors");
  bool materialize = to_bool(info[7], "set_materialize_grads(): value");

  bool executable = c10::GradMode::is_enabled();
  if (executable) {
    executable = false;
    for (const auto& t : inputs) executable |= t.defined() && t.requires_grad();
  }
  JsNodePtr node = tn::compat::make_node<torch::autograd::Edge, JsFunctionNode>();
  node->name_ = std::move(name);
  node->materialize_grads = materialize;
  if (executable) {
    node->set_next_edges(torch::autograd::collect_next_edges(inputs));
    // Before anything below can throw: a dirty input may already point at this node then.
    node->refs = refs;
    node->ctx = strong_ref(env, info[0]);
  }

  std::unordered_set<at::TensorImpl*> dirty_set, nondiff_set;
  for (const auto& t : dirty) {
    dirty_set.insert(t.unsafeGetTensorImpl());
    torch::autograd::impl::bump_version(t);  // as Python's mark_dirty: saved copies of it are now stale
  }
  for (const auto& t : nondiff) nondiff_set.insert(t.unsafeGetTensorImpl());
  std::vector<c10::optional<at::Tensor>> raw_opt;
  raw_opt.reserve(raw.size());
  for (const auto& t : raw) raw_opt.push_back(t.defined() ? c10::optional<at::Tensor>(t) : c10::nullopt);
  // Forward AD (a dual input): LibTorch calls this inside _wrap_outputs, i.e. synchronously in
  // this call on this thread, so the ctx's JS jvp can run directly.
  // (It captures one pointer, which std::function holds without a heap allocation.)
  struct JvpCtx { Napi::Env env; Napi::Object ctxo; } jvp_ctx{env, info[0].As<Napi::Object>()};
  auto jvp = [p = &jvp_ctx](torch::autograd::variable_list, torch::autograd::variable_list tangents) -> torch::autograd::variable_list {
    Napi::Env env = p->env;
    Napi::Object ctxo = p->ctxo;
    Napi::HandleScope scope(env);
    Napi::Value run = ctxo.Get("_run_jvp");
    if (!run.IsFunction()) throw std::runtime_error("autograd.Function: the ctx has no _run_jvp");
    return handles_to_tensors(run.As<Napi::Function>().Call(ctxo, {tensors_to_handles(env, tangents)}), "jvp result");
  };
  const NodePtr cdata = executable ? NodePtr(node) : NodePtr();
  auto wrapped = tn::compat::wrap_outputs(inputs, nondiff_set, dirty_set, at::ArrayRef<c10::optional<at::Tensor>>(raw_opt), cdata,
                                          torch::autograd::_jvp_fn_t(jvp));
  auto box = std::make_unique<JsFnBox>();
  if (executable) {
    node->output_info.reserve(wrapped.size());
    node->output_is_tensor.reserve(wrapped.size());
    for (auto& w : wrapped) {
      node->output_info.emplace_back(w.has_value() && w->defined() ? torch::autograd::VariableInfo(*w) : torch::autograd::VariableInfo());
      node->output_is_tensor.push_back(w.has_value() && w->defined());
    }
    node->saved.reserve(to_save.size());
    node->saved_is_none.reserve(to_save.size());
    for (const auto& t : to_save) {
      bool is_output = t.defined() && t.grad_fn().get() == node.get();
      node->saved.emplace_back(t, is_output);
      node->saved_is_none.push_back(!t.defined());
    }
    box->node = JsNodeWeak(node);
    box->executable = true;
  } else {
    box->unsaved = std::move(to_save);  // nothing will run backward: saved_tensors are the tensors themselves
  }
  // The outputs' handles, over the raw ones, in the caller's array. An output that is the very
  // tensor forward returned (a new result given its history in place, a dirty input) keeps the
  // caller's handle, and JS returns forward's own Tensor object, as Python returns forward's object.
  v8::Local<v8::Array> outs = to_v8(info[3]).As<v8::Array>();
  v8::Local<v8::Context> context = v8::Isolate::GetCurrent()->GetCurrentContext();
  v8::TryCatch tc(v8::Isolate::GetCurrent());
  for (size_t i = 0; i < wrapped.size(); i++) {
    if (!wrapped[i].has_value() || !wrapped[i]->defined()) continue;  // not a tensor: the caller keeps its value
    if (i < raw.size() && raw[i].defined() && raw[i].unsafeGetTensorImpl() == wrapped[i]->unsafeGetTensorImpl()) continue;
    Napi::Value h = wrap_tensor(env, std::move(*wrapped[i]));
    if (outs->Set(context, static_cast<uint32_t>(i), to_v8(h)).IsNothing()) rethrow_caught(env, tc);  // a setter threw
  }
  return wrap_box(env, std::move(box));
}

// function_saved_tensors(fnHandle) -> (Tensor | null)[]
Napi::Value function_saved_tensors(const Napi::CallbackInfo& info) {
  auto* box = unwrap_box(info[0], "saved_tensors: ctx");
  auto node = box->node.lock();
  if (!node) {
    if (box->executable)
      throw std::runtime_error("saved_tensors: the graph of this Function has been freed");
    return tensors_to_handles(info.Env(), box->unsaved);
  }
  std::vector<at::Tensor> out;
  out.reserve(node->saved.size());
  for (size_t i = 0; i < node->saved.size(); i++)
    out.push_back(node->saved_is_none[i] ? at::Tensor() : node->saved[i].unpack(node));
  return tensors_to_handles(info.Env(), out);
}

// once_differentiable's guard (Python's DelayedError): aliases of the outputs whose node raises
// when a second backward reaches it.
Napi::Value delayed_error(const Napi::CallbackInfo& info) {
  auto ts = handles_to_tensors(info[0], "once_differentiable: outputs");
  std::string msg = to_string(info[1], "once_differentiable: message");
  torch::autograd::variable_list in;
  for (auto& t : ts) {
    if (!t.defined()) { in.emplace_back(); continue; }
    in.push_back(t.detach().requires_grad_(true));
  }
  auto err = std::make_shared<torch::autograd::DelayedError>(msg, static_cast<int>(in.size()));
  auto out = err->apply(std::move(in));
  return tensors_to_handles(info.Env(), out);
}

// gradcheck's torch._C._functions.UndefinedGrad()(t): an alias of t whose backward passes an
// undefined gradient on.
Napi::Value undefined_grad(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap_tensor(info[0], "UndefinedGrad: tensor");
  auto node = std::make_shared<torch::autograd::UndefinedGrad>();
  return wrap_tensor(info.Env(), node->apply({t})[0]);
}

// ---- grad_fn objects ----------------------------------------------------------------------
// A JS grad_fn holds its node (as Python's does). Each node that JS has seen carries an anchor, a
// pre-hook that does nothing to the gradients: it keeps the JS handle (weakly, so that
// `t.grad_fn === t.grad_fn` while JS holds it) and grad_fn.metadata (strongly, for the node's life).
struct NodeBox { NodePtr node; };
const napi_type_tag kNodeTag = {0x746f7263686e6f64ULL, 0x6e6f646568616e64ULL};

struct Anchor : torch::autograd::FunctionPreHook {
  std::shared_ptr<EnvRefs> refs;
  napi_ref handle = nullptr;    // weak
  napi_ref metadata = nullptr;  // strong
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& grads) override { return grads; }
  ~Anchor() override {
    refs->release(handle);
    refs->release(metadata);
  }
};

Anchor* anchor_of(torch::autograd::Node* node, const std::shared_ptr<EnvRefs>& refs, bool create) {
  for (auto& h : node->pre_hooks()) {
    auto* a = dynamic_cast<Anchor*>(h.get());
    if (a && a->refs == refs) return a;
  }
  if (!create) return nullptr;
  auto a = std::make_unique<Anchor>();
  a->refs = refs;
  Anchor* raw = a.get();
  node->add_pre_hook(std::move(a));
  return raw;
}

Napi::Value node_handle(Napi::Env env, const NodePtr& node) {
  if (!node) return env.Null();
  auto refs = env_refs(env);
  Anchor* a = anchor_of(node.get(), refs, true);
  if (a->handle) {
    Napi::Value v = ref_value(env, a->handle);
    if (v.IsObject()) return v;
    napi_delete_reference(env, a->handle);
    a->handle = nullptr;
  }
  Napi::Object obj = wrap_object(env, new NodeBox{node}, &kNodeTag);
  check(env, napi_create_reference(env, obj, 0, &a->handle));
  return obj;
}

torch::autograd::Node* unwrap_node(Napi::Value v, const char* what) {
  return unwrap_object<NodeBox>(v, &kNodeTag, what)->node.get();
}

Napi::Value tensor_grad_fn(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap_tensor(info[0], "grad_fn: tensor");
  return node_handle(info.Env(), t.grad_fn());
}

Napi::Value node_name(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), unwrap_node(info[0], "grad_fn")->name());
}

// node_next_functions(node) -> [node | null, input_nr][]
Napi::Value node_next_functions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* node = unwrap_node(info[0], "grad_fn");
  const auto& edges = node->next_edges();
  Napi::Array arr = Napi::Array::New(env, edges.size());
  for (size_t i = 0; i < edges.size(); i++) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, node_handle(env, edges[i].function));
    pair.Set(1u, Napi::Number::New(env, edges[i].input_nr));
    arr.Set(static_cast<uint32_t>(i), pair);
  }
  return arr;
}

// node_ctx(node) -> the JS ctx of a custom Function's node made in this env, else null.
Napi::Value node_ctx(const Napi::CallbackInfo& info) {
  auto* node = dynamic_cast<JsFunctionNode*>(unwrap_node(info[0], "grad_fn"));
  if (!node || !node->refs || node->refs->env != info.Env()) return info.Env().Null();
  return ref_value(info.Env(), node->ctx);
}

// node_metadata(node) -> the node's metadata object (made on first use, kept as long as the node).
Napi::Value node_metadata(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* node = unwrap_node(info[0], "grad_fn");
  Anchor* a = anchor_of(node, env_refs(env), true);
  if (!a->metadata) a->metadata = strong_ref(env, Napi::Object::New(env));
  return ref_value(env, a->metadata);
}

// function_node(fnHandle) -> the grad_fn handle of a custom Function's node, or null when none ran.
Napi::Value function_node(const Napi::CallbackInfo& info) {
  auto* box = unwrap_box(info[0], "grad_fn: ctx");
  auto node = box->node.lock();
  if (!node) return info.Env().Null();
  return node_handle(info.Env(), node);
}

// AccumulateGrad's `variable`: the leaf it accumulates into.
Napi::Value node_variable(const Napi::CallbackInfo& info) {
  auto* node = unwrap_node(info[0], "grad_fn");
  auto* acc = dynamic_cast<torch::autograd::AccumulateGrad*>(node);
  if (!acc) return info.Env().Undefined();
  return wrap_tensor(info.Env(), acc->variable);
}

// grad_fn.register_hook(fn): fn(grad_inputs, grad_outputs) after the node ran; an array it
// returns replaces grad_inputs.
struct JsPostHook : torch::autograd::FunctionPostHook {
  std::shared_ptr<EnvRefs> refs;
  napi_ref fn = nullptr;
  std::string node_name;
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& grad_inputs,
                                            const torch::autograd::variable_list& grad_outputs) override {
    check_js_thread(*refs, "a hook registered on " + node_name);
    Napi::Env env(refs->env);
    Napi::HandleScope scope(env);
    Napi::Value r = ref_value(env, fn).As<Napi::Function>().Call(
        {tensors_to_handles(env, grad_inputs), tensors_to_handles(env, grad_outputs)});
    if (is_nullish(r)) return grad_inputs;
    auto out = handles_to_tensors(r, "grad_fn hook result");
    TORCH_CHECK(out.size() == grad_inputs.size(), "hook '", node_name, "' has returned an incorrect number of values (got ",
                out.size(), ", but expected ", grad_inputs.size(), ")");
    return out;
  }
  ~JsPostHook() override { refs->release(fn); }
};

Napi::Value node_register_hook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* node = unwrap_node(info[0], "grad_fn");
  if (!info[1].IsFunction()) bad_type(info[1], "register_hook(): hook", "a function");
  auto hook = std::make_unique<JsPostHook>();
  hook->refs = env_refs(env);
  hook->fn = strong_ref(env, info[1]);
  hook->node_name = node->name();
  uintptr_t key = node->add_post_hook(std::move(hook));
  return Napi::String::New(env, std::to_string(key));
}

Napi::Value node_remove_hook(const Napi::CallbackInfo& info) {
  auto* node = unwrap_node(info[0], "grad_fn");
  uintptr_t key = std::stoull(to_string(info[1], "remove(): key"));
  return Napi::Boolean::New(info.Env(), node->del_post_hook(key));
}

// Test support: runs fn() on a new native thread (as a jit pool or CUDA device thread would run
// backward) and returns the error message it raised there, or null.
Napi::Value backward_on_other_thread(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap_tensor(info[0], "backward_on_other_thread(): tensor");
  at::Tensor root = t;
  std::string error;
  bool failed = false;
  std::thread th([&] {
    try {
      torch::autograd::backward({root.sum()});
    } catch (const std::exception& e) {
      failed = true;
      auto* ce = dynamic_cast<const c10::Error*>(&e);
      error = ce ? ce->what_without_backtrace() : e.what();
    }
  });
  th.join();
  return failed ? Napi::Value(Napi::String::New(info.Env(), error)) : info.Env().Null();
}

// torch.inference_mode(mode, fn): c10::InferenceMode is a scope guard; JS scopes nest strictly
// (try/finally in lib/autograd.ts), so the guards live on a per-thread stack.
thread_local std::vector<std::unique_ptr<c10::InferenceMode>> t_inference_guards;

Napi::Value inference_mode_enter(const Napi::CallbackInfo& info) {
  bool mode = to_bool(info[0], "inference_mode(): mode");
  t_inference_guards.push_back(std::make_unique<c10::InferenceMode>(mode));
  return Napi::Number::New(info.Env(), static_cast<double>(t_inference_guards.size()));
}

Napi::Value inference_mode_exit(const Napi::CallbackInfo& info) {
  size_t depth = static_cast<size_t>(to_int(info[0], "inference_mode(): depth"));
  TORCH_CHECK(depth == t_inference_guards.size() && depth > 0, "inference_mode(): scopes exited out of order");
  t_inference_guards.pop_back();
  return info.Env().Undefined();
}

Napi::Value is_inference_mode_enabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::InferenceMode::is_enabled());
}

// set_anomaly(enabled, check_nan) -> undefined (torch.set_anomaly_enabled(mode, check_nan))
Napi::Value set_anomaly(const Napi::CallbackInfo& info) {
  torch::autograd::AnomalyMode::set_enabled(to_bool(info[0], "set_detect_anomaly(): mode"),
                                            to_bool(info[1], "set_detect_anomaly(): check_nan"));
  return info.Env().Undefined();
}

// set_fw_grad_enabled(mode) -> the previous mode (Python runs a Function's forward with both grad
// modes off: AutoGradMode(false) and AutoFwGradMode(false)).
Napi::Value set_fw_grad_enabled(const Napi::CallbackInfo& info) {
  auto& state = c10::AutogradState::get_tls_state();
  bool prev = state.get_fw_grad_mode();
  state.set_fw_grad_mode(to_bool(info[0], "set_fw_grad_enabled(): mode"));
  return Napi::Boolean::New(info.Env(), prev);
}

// function_forward_begin() -> the grad modes before (bit 0: grad, bit 1: forward grad), both now
// off, as Python runs a Function's forward; function_forward_end(bits) restores them. One call
// each instead of four (is_grad_enabled, set_grad_enabled, set_fw_grad_enabled both ways).
Napi::Value function_forward_begin(const Napi::CallbackInfo& info) {
  auto& state = c10::AutogradState::get_tls_state();
  int prev = (state.get_grad_mode() ? 1 : 0) | (state.get_fw_grad_mode() ? 2 : 0);
  state.set_grad_mode(false);
  state.set_fw_grad_mode(false);
  return Napi::Number::New(info.Env(), prev);
}

Napi::Value function_forward_end(const Napi::CallbackInfo& info) {
  int64_t bits = to_int(info[0], "function_forward_end(): modes");
  auto& state = c10::AutogradState::get_tls_state();
  state.set_grad_mode((bits & 1) != 0);
  state.set_fw_grad_mode((bits & 2) != 0);
  return info.Env().Undefined();
}

// function_set_runner(runBackward): the JS function each custom Function's node calls as
// runBackward(ctx, gradHandles) (lib/autograd_function.ts registers it once per env).
Napi::Value function_set_runner(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto refs = env_refs(env);
  if (!info[0].IsFunction()) bad_type(info[0], "function_set_runner(): runBackward", "a function");
  if (refs->run_backward) napi_delete_reference(env, refs->run_backward);
  refs->run_backward = strong_ref(env, info[0]);
  return env.Undefined();
}

// tensor_requires_grad(tensor) -> boolean: the getter alone (meta() builds the whole metadata array).
Napi::Value tensor_requires_grad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrap_tensor(info[0], "requires_grad: tensor").requires_grad());
}

// forward_ad's levels (torch._C._enter_dual_level / _exit_dual_level).
Napi::Value dual_level_enter(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::autograd::ForwardADLevel::get_next_idx()));
}

Napi::Value dual_level_exit(const Napi::CallbackInfo& info) {
  torch::autograd::ForwardADLevel::release_idx(static_cast<uint64_t>(to_int(info[0], "exit_dual_level(): level")));
  return info.Env().Undefined();
}

void init_env_refs(Napi::Env env) {
  auto refs = std::make_shared<EnvRefs>();
  refs->env = env;
  refs->thread = std::this_thread::get_id();
  napi_value name;
  check(env, napi_create_string_utf8(env, "torch-node autograd references", NAPI_AUTO_LENGTH, &name));
  // The tsfn owns a share of the state: at teardown Node may call it (env null) after our hook ran.
  check(env, napi_create_threadsafe_function(
                 env, nullptr, nullptr, name, 0, 1, nullptr,
                 [](napi_env, void*, void* context) { delete static_cast<std::shared_ptr<EnvRefs>*>(context); },
                 new std::shared_ptr<EnvRefs>(refs),
                 [](napi_env e, napi_value, void* context, void*) {
                   if (e) (*static_cast<std::shared_ptr<EnvRefs>*>(context))->drain();
                 },
                 &refs->wake));
  check(env, napi_unref_threadsafe_function(env, refs->wake));  // never keeps the loop alive
  // The env's teardown: its references go with it; a node that dies later only forgets them.
  auto* holder = new std::shared_ptr<EnvRefs>(refs);
  check(env, napi_add_env_cleanup_hook(env, [](void* p) {
    auto* h = static_cast<std::shared_ptr<EnvRefs>*>(p);
    // Node drops an env's userland references at its teardown without freeing them (LSan's leak).
    if ((*h)->run_backward) napi_delete_reference((*h)->env, (*h)->run_backward);
    (*h)->run_backward = nullptr;
    {
      std::lock_guard<std::mutex> lock((*h)->mu);
      (*h)->alive = false;
      (*h)->dead.clear();
    }
    if (t_refs == *h) t_refs.reset();
    delete h;
    free_boxes();
  }, holder));
  t_refs = refs;
}

}  // namespace

// For other files that call JS from inside backward (native/distributed.cpp's DDP comm hook):
// the same JS-thread rule and the same deferred release of JS references as the nodes here.
std::shared_ptr<void> js_thread_token(Napi::Env env) { return env_refs(env); }
void check_js_thread_token(const std::shared_ptr<void>& token, const std::string& what) {
  check_js_thread(*static_cast<EnvRefs*>(token.get()), what);
}
void release_js_ref(const std::shared_ptr<void>& token, napi_ref r) { static_cast<EnvRefs*>(token.get())->release(r); }

void init_autograd(Napi::Env env, Napi::Object exports) {
  init_env_refs(env);
  exports.DefineProperties({
      fn<function_apply>(env, "function_apply"),
      fn<function_forward_begin>(env, "function_forward_begin"),
      fn<function_forward_end>(env, "function_forward_end"),
      fn<function_set_runner>(env, "function_set_runner"),
      fn<tensor_requires_grad>(env, "tensor_requires_grad"),
      fn<inference_mode_enter>(env, "inference_mode_enter"),
      fn<inference_mode_exit>(env, "inference_mode_exit"),
      fn<is_inference_mode_enabled>(env, "is_inference_mode_enabled"),
      fn<set_anomaly>(env, "set_anomaly"),
      fn<dual_level_enter>(env, "dual_level_enter"),
      fn<set_fw_grad_enabled>(env, "set_fw_grad_enabled"),
      fn<dual_level_exit>(env, "dual_level_exit"),
      fn<function_saved_tensors>(env, "function_saved_tensors"),
      fn<delayed_error>(env, "delayed_error"),
      fn<undefined_grad>(env, "undefined_grad"),
      fn<function_node>(env, "function_node"),
      fn<tensor_grad_fn>(env, "tensor_grad_fn"),
      fn<node_name>(env, "node_name"),
      fn<node_next_functions>(env, "node_next_functions"),
      fn<node_ctx>(env, "node_ctx"),
      fn<node_metadata>(env, "node_metadata"),
      fn<node_variable>(env, "node_variable"),
      fn<node_register_hook>(env, "node_register_hook"),
      fn<node_remove_hook>(env, "node_remove_hook"),
      fn<backward_on_other_thread>(env, "backward_on_other_thread"),
      fn<get_grad>(env, "get_grad"),
      fn<set_grad>(env, "set_grad"),
      fn<grad_fn_name>(env, "grad_fn_name"),
      fn<is_grad_enabled>(env, "is_grad_enabled"),
      fn<set_grad_enabled>(env, "set_grad_enabled"),
      fn<autograd_grad>(env, "autograd_grad"),
  });
}

}  // namespace tn
