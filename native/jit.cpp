// TorchScript: torch.jit.load'ed modules, their methods called with arguments
// converted by each method's own schema, their parameters, buffers and
// submodules, save, freeze; and calls that run on a native worker pool off the
// JS thread (call_async), settled through a thread-safe function.
//
// A module handle is a plain JS object wrapping a torch::jit::Module (itself a
// reference to the module's object), marked with a type tag as the zip handles
// are; handles of submodules share their parent's objects, as Python's do.
#include "common.h"

#include <ATen/ThreadLocalState.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/passes/fixup_trace_scope_blocks.h>
#include <torch/csrc/jit/passes/normalize_ops.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/csrc/jit/serialization/python_print.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace tn {
namespace {

using torch::jit::Module;

constexpr napi_type_tag kModuleTag = {0x5c1e4a2b9d0f7e31ULL, 0x1b2c3d4e5f607182ULL};

struct ModuleBox {
  Module module;
};

Napi::Value module_handle(Napi::Env env, Module m) {
  return wrap_object(env, new ModuleBox{std::move(m)}, &kModuleTag);
}

Module& unwrap_module(Napi::Value v) {
  return unwrap_object<ModuleBox>(v, &kModuleTag, "ScriptModule")->module;
}

// ---- JS -> IValue, by TorchScript type ----------------------------------------

c10::IValue to_typed(Napi::Value v, const c10::TypePtr& type, const std::string& what);

c10::IValue infer_any(Napi::Value v, const std::string& what) {
  const char* w = what.c_str();
  if (is_nullish(v)) return c10::IValue();
  if (is_tensor_handle(v)) return unwrap_tensor(v, w);
  if (v.IsBoolean()) return to_bool(v, w);
  if (v.IsString()) return to_string(v, w);
  if (v.IsNumber() || v.IsBigInt()) {
    c10::Scalar s = to_scalar(v, w);
    return s.isIntegral(false) ? c10::IValue(s.toLong()) : c10::IValue(s.toDouble());
  }
  throw JsTypeError(what + ": cannot infer a TorchScript type for this value; the method's schema must name it");
}

c10::IValue to_typed(Napi::Value v, const c10::TypePtr& type, const std::string& what) {
  using K = c10::TypeKind;
  const char* w = what.c_str();
  switch (type->kind()) {
    case K::OptionalType:
      if (is_nullish(v)) return c10::IValue();
      return to_typed(v, type->containedType(0), what);
    case K::NoneType:
      if (!is_nullish(v)) bad_type(v, w, "null");
      return c10::IValue();
    case K::TensorType: return unwrap_tensor(v, w);
    case K::IntType: return to_int(v, w);
    case K::FloatType: return to_double(v, w);
    case K::BoolType: return to_bool(v, w);
    case K::StringType: return to_string(v, w);
    case K::NumberType: return to_scalar(v, w);
    case K::DeviceObjType: return to_device(v, w);
    case K::ScalarTypeType: return static_cast<int64_t>(to_scalar_type(v, w));
    case K::AnyType: return infer_any(v, what);
    case K::ListType: {
      const c10::TypePtr& elem = type->containedType(0);
      c10::impl::GenericList list(elem);
      for_each_element(v, w, "an array", [&](Napi::Value e) {
        list.push_back(to_typed(e, elem, what + "[" + std::to_string(list.size()) + "]"));
      });
      return list;
    }
    case K::TupleType: {
      const auto elems = type->containedTypes();
      if (!v.IsArray() || v.As<Napi::Array>().Length() != elems.size())
        throw JsTypeError(what + " must be an array of " + std::to_string(elems.size()) + " elements (a tuple)");
      std::vector<c10::IValue> out;
      Napi::Array array = v.As<Napi::Array>();
      for (uint32_t i = 0; i < elems.size(); i++)
        out.push_back(to_typed(array.Get(i), elems[i], what + "[" + std::to_string(i) + "]"));
      return c10::ivalue::Tuple::create(std::move(out));
    }
    case K::DictType: {
      const c10::TypePtr& key = type->containedType(0);
      const c10::TypePtr& value = type->containedType(1);
      c10::impl::GenericDict dict(key, value);
      if (!v.IsObject() || v.IsArray()) bad_type(v, w, "an object or a Map (a dict)");
      Napi::Object obj = v.As<Napi::Object>();
      Napi::Function map_class = v.Env().Global().Get("Map").As<Napi::Function>();
      if (obj.InstanceOf(map_class)) {
        // A Map: keys of any type, converted by the dict's key type.
        Napi::Function from = v.Env().Global().Get("Array").As<Napi::Object>().Get("from").As<Napi::Function>();
        Napi::Array entries = from.Call({obj.Get("entries").As<Napi::Function>().Call(obj, {})}).As<Napi::Array>();
        for (uint32_t i = 0; i < entries.Length(); i++) {
          Napi::Array pair = entries.Get(i).As<Napi::Array>();
          dict.insert_or_assign(to_typed(pair.Get(0u), key, what + " key"), to_typed(pair.Get(1u), value, what + "[...]"));
        }
        return dict;
      }
      Napi::Array keys = obj.GetPropertyNames();
      for (uint32_t i = 0; i < keys.Length(); i++) {
        Napi::Value k = keys.Get(i);
        std::string name = k.ToString().Utf8Value();
        c10::IValue key_value;
        if (key->kind() == K::StringType) key_value = name;
        else if (key->kind() == K::IntType) key_value = to_int(Napi::Number::New(v.Env(), std::stod(name)), w);
        else throw JsTypeError(what + ": dict keys of type " + key->str() + " cannot come from a JS object");
        dict.insert_or_assign(key_value, to_typed(obj.Get(k), value, what + "['" + name + "']"));
      }
      return dict;
    }
    default:
      throw JsTypeError(what + " has the TorchScript type " + type->str() + ", which torch-node cannot pass");
  }
}

// The stack for a method call: positional values, then keywords by name,
// then the schema's defaults, with Python's messages for what does not fit.
torch::jit::Stack bind_arguments(const c10::FunctionSchema& schema, const Module& self,
                                 Napi::Value positional, Napi::Value keywords) {
  const auto& args = schema.arguments();
  const std::string fn = schema.name().substr(schema.name().rfind('.') == std::string::npos ? 0 : schema.name().rfind('.') + 1);
  torch::jit::Stack stack;
  stack.emplace_back(self._ivalue());
  Napi::Array pos = positional.IsArray() ? positional.As<Napi::Array>() : Napi::Array::New(positional.Env());
  const size_t given = pos.Length(), takes = args.size() - 1;
  if (given > takes)
    throw JsTypeError(fn + "() takes " + std::to_string(takes) + " positional arguments but " +
                      std::to_string(given) + " were given");
  Napi::Object kw = keywords.IsObject() ? keywords.As<Napi::Object>() : Napi::Object::New(positional.Env());
  size_t used = 0;
  for (size_t i = 1; i < args.size(); i++) {
    const auto& arg = args[i];
    const std::string what = fn + "(): argument '" + arg.name() + "'";
    bool by_name = kw.HasOwnProperty(arg.name());
    if (by_name) used++;
    if (i - 1 < given) {
      if (by_name) throw JsTypeError(fn + "() got multiple values for argument '" + arg.name() + "'");
      stack.push_back(to_typed(pos.Get(static_cast<uint32_t>(i - 1)), arg.type(), what));
    } else if (by_name) {
      stack.push_back(to_typed(kw.Get(arg.name()), arg.type(), what));
    } else if (arg.default_value()) {
      stack.push_back(*arg.default_value());
    } else {
      throw JsTypeError(fn + "() missing required argument: '" + arg.name() + "'");
    }
  }
  if (used != kw.GetPropertyNames().Length()) {
    Napi::Array names = kw.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); i++) {
      std::string name = names.Get(i).ToString().Utf8Value();
      if (!schema.argumentIndexWithName(name) || name == "self")
        throw JsTypeError(fn + "() got an unexpected keyword argument '" + name + "'");
    }
  }
  return stack;
}

torch::jit::Method method_of(Module& m, const std::string& name) {
  auto method = m.find_method(name);
  if (!method) throw JsTypeError("the ScriptModule has no method '" + name + "'");
  return *method;
}

// ---- loading, saving, structure --------------------------------------------------

// jit_load(path | bytes, device | null) -> handle
Napi::Value jit_load(const Napi::CallbackInfo& info) {
  c10::optional<c10::Device> device;
  if (!is_nullish(info[1])) device = to_device(info[1], "torch.jit.load(): map_location");
  if (info[0].IsString()) return module_handle(info.Env(), torch::jit::load(to_string(info[0], "torch.jit.load(): f"), device));
  std::string bytes;
  if (info[0].IsTypedArray()) {
    Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
    bytes.assign(static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength());
  } else if (info[0].IsArrayBuffer()) {
    Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
    bytes.assign(static_cast<const char*>(ab.Data()), ab.ByteLength());
  } else {
    bad_type(info[0], "torch.jit.load(): f", "a path or bytes");
  }
  std::istringstream in(bytes);
  return module_handle(info.Env(), torch::jit::load(in, device));
}

// jit_save(handle, path | null) -> Buffer (in memory) or undefined
Napi::Value jit_save(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  if (!is_nullish(info[1])) {
    m.save(to_string(info[1], "save(): f"));
    return info.Env().Undefined();
  }
  std::ostringstream out;
  m.save(out);
  std::string s = out.str();
  return Napi::Buffer<char>::Copy(info.Env(), s.data(), s.size());
}

// jit_methods(handle) -> [[name, schema string, [argument names without self],
//                          [whether each takes a dict]], ...]
Napi::Value jit_methods(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Module& m = unwrap_module(info[0]);
  auto methods = m.get_methods();
  Napi::Array out = Napi::Array::New(env, methods.size());
  uint32_t i = 0;
  for (const auto& method : methods) {
    const auto& schema = method.function().getSchema();
    Napi::Array names = Napi::Array::New(env), dicts = Napi::Array::New(env);
    for (size_t a = 1; a < schema.arguments().size(); a++) {
      c10::TypePtr type = schema.arguments()[a].type();
      if (type->kind() == c10::TypeKind::OptionalType) type = type->containedType(0);
      names.Set(static_cast<uint32_t>(a - 1), schema.arguments()[a].name());
      dicts.Set(static_cast<uint32_t>(a - 1), type->kind() == c10::TypeKind::DictType);
    }
    Napi::Array entry = Napi::Array::New(env, 4);
    entry.Set(0u, method.name());
    entry.Set(1u, c10::toString(schema));
    entry.Set(2u, names);
    entry.Set(3u, dicts);
    out.Set(i++, entry);
  }
  return out;
}

// jit_call(handle, method, positional[], keywords{}) -> result
Napi::Value jit_call(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  torch::jit::Method method = method_of(m, to_string(info[1], "ScriptModule: method name"));
  torch::jit::Stack stack = bind_arguments(method.function().getSchema(), m, info[2], info[3]);
  method.function().run(stack);
  return from_ivalue(info.Env(), stack.empty() ? c10::IValue() : stack.back());
}

// jit_named_tensors(handle, "parameters" | "buffers", recurse) -> [[name, tensor], ...]
Napi::Value jit_named_tensors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Module& m = unwrap_module(info[0]);
  const std::string kind = to_string(info[1], "kind");
  const bool recurse = to_bool(info[2], "recurse");
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  auto add = [&](const std::string& name, const at::Tensor& t) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, name);
    pair.Set(1u, wrap_tensor(env, t));
    out.Set(i++, pair);
  };
  if (kind == "parameters") for (const auto& p : m.named_parameters(recurse)) add(p.name, p.value);
  else if (kind == "buffers") for (const auto& b : m.named_buffers(recurse)) add(b.name, b.value);
  else throw JsTypeError("jit_named_tensors(): kind must be 'parameters' or 'buffers'");
  return out;
}

// jit_named_children(handle) -> [[name, handle], ...]
Napi::Value jit_named_children(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Module& m = unwrap_module(info[0]);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& child : m.named_children()) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, child.name);
    pair.Set(1u, module_handle(env, child.value));
    out.Set(i++, pair);
  }
  return out;
}

// jit_type_name(handle) -> the scripted class's name ("ResNet"), Python's original_name
Napi::Value jit_type_name(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  const auto& name = m.type()->name();
  return Napi::String::New(info.Env(), name ? name->name() : "Module");
}

// jit_train(handle, mode | null) -> training (sets it first when mode is given)
Napi::Value jit_train(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  if (!is_nullish(info[1])) m.train(to_bool(info[1], "train(): mode"));
  return Napi::Boolean::New(info.Env(), m.is_training());
}

// jit_to(handle, device | null, dtype code | null, non_blocking)
Napi::Value jit_to(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  const bool non_blocking = !is_nullish(info[3]) && to_bool(info[3], "to(): non_blocking");
  const bool has_device = !is_nullish(info[1]), has_dtype = !is_nullish(info[2]);
  if (has_device && has_dtype)
    m.to(to_device(info[1], "to(): device"), to_scalar_type(info[2], "to(): dtype"), non_blocking);
  else if (has_device) m.to(to_device(info[1], "to(): device"), non_blocking);
  else if (has_dtype) m.to(to_scalar_type(info[2], "to(): dtype"), non_blocking);
  return info[0];
}

// jit_code(handle, method) -> the method's TorchScript source, as Python's `.code`
Napi::Value jit_code(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  torch::jit::Method method = method_of(m, to_string(info[1], "code: method"));
  std::vector<c10::IValue> constants;
  torch::jit::PrintDepsTable deps;
  torch::jit::PythonPrint printer(constants, deps);
  printer.printMethod(method.function());
  return Napi::String::New(info.Env(), printer.str());
}

// jit_graph(handle, method) -> the method's graph, as Python's `.graph` prints
Napi::Value jit_graph(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  torch::jit::Method method = method_of(m, to_string(info[1], "graph: method"));
  return Napi::String::New(info.Env(), method.graph()->toString());
}

// jit_freeze(handle, optimize_for_inference) -> a new frozen module handle
Napi::Value jit_freeze(const Napi::CallbackInfo& info) {
  Module& m = unwrap_module(info[0]);
  const bool optimize = to_bool(info[1], "optimize_for_inference");
  if (optimize) return module_handle(info.Env(), torch::jit::optimize_for_inference(m));
  return module_handle(info.Env(), torch::jit::freeze(m));
}

// ---- tracing -----------------------------------------------------------------------
// torch.jit.trace of a module or function written in JS, through LibTorch's own
// tracer: every op JS runs goes through the dispatcher, where the Tracer key
// records it. The module tree is mirrored as TorchScript modules holding the
// very same parameter and buffer tensors, so that the tracer turns their uses
// into attribute reads of `self`, as Python's tracer does
// (torch._C._create_method_from_trace).

// spec: { name, params: [[name, tensor]], buffers: [[name, tensor]], children: [[name, spec]] }
Module mirror_module(Napi::Object spec, const std::shared_ptr<torch::jit::CompilationUnit>& cu) {
  Module m(c10::QualifiedName("__torch__." + to_string(spec.Get("name"), "trace(): module name")), cu,
           /*shouldMangle=*/true);
  auto pairs = [&](const char* key, auto&& f) {
    for_each_element(spec.Get(key), key, "an array of [name, value] pairs", [&](Napi::Value pair) {
      if (!pair.IsArray()) bad_type(pair, key, "a [name, value] pair");
      Napi::Array p = pair.As<Napi::Array>();
      f(to_string(p.Get(0u), key), p.Get(1u));
    });
  };
  pairs("params", [&](const std::string& n, Napi::Value t) { m.register_parameter(n, unwrap_tensor(t, "trace(): parameter"), false); });
  pairs("buffers", [&](const std::string& n, Napi::Value t) { m.register_buffer(n, unwrap_tensor(t, "trace(): buffer")); });
  pairs("children", [&](const std::string& n, Napi::Value child) {
    if (!child.IsObject()) bad_type(child, "trace(): submodule", "a module description");
    m.register_module(n, mirror_module(child.As<Napi::Object>(), cu));
  });
  return m;
}

// jit_trace(spec, fn, inputs[], strict, force_outplace) -> handle of a module whose
// forward is the trace of fn(...inputs); fn receives and returns tensor handles
// (or arrays of them).
Napi::Value jit_trace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) bad_type(info[0], "trace(): module", "a module description");
  if (!info[1].IsFunction()) bad_type(info[1], "trace(): func", "a function");
  Napi::Function fn = info[1].As<Napi::Function>();
  torch::jit::Stack inputs;
  for_each_element(info[2], "trace(): example_inputs", "an array of tensors",
                   [&](Napi::Value v) { inputs.emplace_back(unwrap_tensor(v, "trace(): example_inputs")); });
  const bool strict = to_bool(info[3], "trace(): strict"), force_outplace = to_bool(info[4], "trace(): _force_outplace");
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  Module self = mirror_module(info[0].As<Napi::Object>(), cu);
  auto traced = [&](torch::jit::Stack args) -> torch::jit::Stack {
    std::vector<napi_value> js_args;
    for (const auto& a : args) js_args.push_back(wrap_tensor(env, a.toTensor()));
    Napi::Value out = fn.Call(js_args);
    std::function<c10::IValue(Napi::Value)> to_output = [&](Napi::Value v) -> c10::IValue {
      if (v.IsArray()) {
        std::vector<c10::IValue> elems;
        for_each_element(v, "trace(): output", "tensors", [&](Napi::Value e) { elems.push_back(to_output(e)); });
        return c10::ivalue::Tuple::create(std::move(elems));
      }
      return unwrap_tensor(v, "trace(): the traced function's output");
    };
    return {to_output(out)};
  };
  auto result = torch::jit::tracer::trace(std::move(inputs), traced, [](const at::Tensor&) { return std::string(); },
                                          strict, force_outplace, &self);
  std::shared_ptr<torch::jit::Graph> graph = result.first->graph;
  torch::jit::FixupTraceScopeBlocks(graph, &self);
  torch::jit::NormalizeOps(graph);
  auto* method = self._ivalue()->compilation_unit()->create_function(c10::QualifiedName(*self.type()->name(), "forward"), graph);
  self.type()->addMethod(method);
  return module_handle(env, self);
}

// ---- async calls on a native pool --------------------------------------------------
// Arguments are converted on the JS thread (the job holds its own references to
// every tensor, so nothing JS does meanwhile can free them); the method runs on
// a pool thread under the caller's LibTorch thread-local state (grad mode,
// inference mode...); the result goes back through a thread-safe function and
// is converted on the JS thread. The pool is not libuv's: long forwards cannot
// starve file and DNS work.

struct Job {
  uint64_t id;
  Module module;
  torch::jit::Method method;
  torch::jit::Stack stack;
  at::ThreadLocalState state;
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction done;
  std::exception_ptr error;
  bool cancelled = false;
  Job(uint64_t i, Module m, torch::jit::Method f, torch::jit::Stack s, Napi::Env env, Napi::ThreadSafeFunction tsfn)
      : id(i), module(std::move(m)), method(std::move(f)), stack(std::move(s)), deferred(Napi::Promise::Deferred::New(env)),
        done(std::move(tsfn)) {}
};

class Pool {
 public:
  static Pool& get() {
    static Pool pool;
    return pool;
  }
  void set_size(size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!threads_.empty() && n != size_)
      throw std::runtime_error("set_async_threads(): the pool has already started with " + std::to_string(size_) + " threads");
    size_ = n;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return size_;
  }
  void submit(Job* job) {
    std::lock_guard<std::mutex> lock(mutex_);
    while (threads_.size() < size_) threads_.emplace_back([this] { work(); });
    queue_.push_back(job);
    cv_.notify_one();
  }
  // True when the job had not started: it is settled as cancelled.
  bool cancel(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Job* job : queue_)
      if (job->id == id) {
        job->cancelled = true;
        return true;
      }
    return false;
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  Pool() {
    unsigned hw = std::thread::hardware_concurrency();
    size_ = hw > 2 ? hw / 2 : 1;
  }
  void work() {
    for (;;) {
      Job* job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (stop_ && queue_.empty()) return;
        job = queue_.front();
        queue_.pop_front();
      }
      if (!job->cancelled) {
        try {
          at::ThreadLocalStateGuard guard(job->state);
          job->method.function().run(job->stack);
        } catch (...) {
          job->error = std::current_exception();
        }
      }
      Napi::ThreadSafeFunction done = job->done;
      done.BlockingCall(job, [](Napi::Env env, Napi::Function, Job* j) { settle(env, j); });
      done.Release();
    }
  }
  static void settle(Napi::Env env, Job* job) {
    std::unique_ptr<Job> owned(job);
    Napi::HandleScope scope(env);
    if (job->cancelled) {
      Napi::Error e = Napi::Error::New(env, "The operation was aborted");
      e.Set("name", "AbortError");
      e.Set("code", "ABORT_ERR");
      job->deferred.Reject(e.Value());
      return;
    }
    try {
      if (job->error) std::rethrow_exception(job->error);
      job->deferred.Resolve(from_ivalue(env, job->stack.empty() ? c10::IValue() : job->stack.back()));
    } catch (...) {
      job->deferred.Reject(current_exception_as_js(env).Value());
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  std::vector<std::thread> threads_;
  size_t size_ = 1;
  bool stop_ = false;
};

std::atomic<uint64_t> g_next_job{1};

// jit_call_async(handle, method, positional[], keywords{}) -> [promise, job id]
Napi::Value jit_call_async(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Module& m = unwrap_module(info[0]);
  torch::jit::Method method = method_of(m, to_string(info[1], "ScriptModule: method name"));
  torch::jit::Stack stack = bind_arguments(method.function().getSchema(), m, info[2], info[3]);
  // One thread-safe function per call: it keeps the event loop alive exactly
  // while the job is pending, and is released by the pool thread.
  auto tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function(), "torch-node:jit", 0, 1);
  const uint64_t id = g_next_job++;
  auto* job = new Job(id, m, std::move(method), std::move(stack), env, tsfn);
  Napi::Promise promise = job->deferred.Promise();
  Pool::get().submit(job);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, promise);
  out.Set(1u, static_cast<double>(id));
  return out;
}

// jit_cancel(job id) -> true when the job had not started (its promise rejects with AbortError)
Napi::Value jit_cancel(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Pool::get().cancel(static_cast<uint64_t>(to_int(info[0], "job"))));
}

Napi::Value jit_async_threads(const Napi::CallbackInfo& info) {
  if (!is_nullish(info[0])) {
    int64_t n = to_int(info[0], "set_async_threads(): n");
    if (n <= 0 || n > 1024) throw JsRangeError("set_async_threads(): n must be between 1 and 1024");
    Pool::get().set_size(static_cast<size_t>(n));
  }
  return Napi::Number::New(info.Env(), static_cast<double>(Pool::get().size()));
}

}  // namespace

void init_jit(Napi::Env env, Napi::Object exports) {
  exports.DefineProperties({
      fn<jit_load>(env, "jit_load"),
      fn<jit_save>(env, "jit_save"),
      fn<jit_methods>(env, "jit_methods"),
      fn<jit_call>(env, "jit_call"),
      fn<jit_call_async>(env, "jit_call_async"),
      fn<jit_cancel>(env, "jit_cancel"),
      fn<jit_async_threads>(env, "jit_async_threads"),
      fn<jit_named_tensors>(env, "jit_named_tensors"),
      fn<jit_named_children>(env, "jit_named_children"),
      fn<jit_train>(env, "jit_train"),
      fn<jit_type_name>(env, "jit_type_name"),
      fn<jit_to>(env, "jit_to"),
      fn<jit_code>(env, "jit_code"),
      fn<jit_graph>(env, "jit_graph"),
      fn<jit_freeze>(env, "jit_freeze"),
      fn<jit_trace>(env, "jit_trace"),
  });
}

}  // namespace tn
