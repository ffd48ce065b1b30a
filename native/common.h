// Shared declarations of the native layer. The only place (with the .cpp files
// beside it) that includes LibTorch headers.
#pragma once

// node-addon-api over stable Node-API: finalizers of Node-API objects run
// after the GC, when the event loop turns, where they may touch JS. Tensor
// handles, which must be freed during the GC itself, use V8 weak handles
// instead (addon.cpp says why). C++ exceptions: every Napi:: call that fails
// throws a Napi::Error; guarded() turns LibTorch's and our own exceptions into
// JS errors with PyTorch's messages, and CPP_EXCEPTIONS_ALL is the safety net
// for anything thrown outside it.
#define NAPI_VERSION 8
#define NODE_ADDON_API_DISABLE_DEPRECATED
#define NODE_ADDON_API_CPP_EXCEPTIONS
#define NODE_ADDON_API_CPP_EXCEPTIONS_ALL
// A worker thread being terminated (a DataLoader left early) cannot run JS: an error thrown
// into it then is dropped, not rethrown as C++ out of the callback (std::terminate, the
// whole process aborted).
#define NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#include <napi.h>
#include <v8.h>

#include <ATen/core/Tensor.h>
#include <ATen/core/ivalue.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "torch_compat.h"

namespace tn {

// napi_value is a v8::Local in Node's own implementation (v8impl's
// JsValueFromV8LocalValue): the hot paths that make V8 objects directly (tensor
// handles, autograd.Function's arrays and ctx boxes) rely on it through these two.
inline napi_value to_napi(v8::Local<v8::Value> local) { return reinterpret_cast<napi_value>(*local); }
inline v8::Local<v8::Value> to_v8(napi_value v) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(v), "napi_value is a v8::Local");
  std::memcpy(static_cast<void*>(&local), &v, sizeof(v));
  return local;
}

// ---- JS errors -------------------------------------------------------------
// Thrown where no Napi::Env is at hand (argument conversion deep in a call),
// turned into a JS TypeError / RangeError by guarded().
struct JsTypeError : std::exception {
  std::string msg;
  explicit JsTypeError(std::string m) : msg(std::move(m)) {}
  const char* what() const noexcept override { return msg.c_str(); }
};
struct JsRangeError : JsTypeError {
  using JsTypeError::JsTypeError;
};

// The C++ exception in flight as a JS error: PyTorch's message without the C++
// backtrace (kept on `cppBacktrace`); a pending JS exception is taken as it is.
Napi::Error current_exception_as_js(Napi::Env env);

// LibTorch's warnings (TORCH_WARN) raised on a JS thread wait here until the
// native call that raised them returns, then go to torch.warnings.warn, so
// that they appear at the JS call site as Python's do (addon.cpp).
extern thread_local bool t_warnings_pending;
void flush_warnings(napi_env env);

// The default CPU generator of this thread: LibTorch's process-wide one, unless
// the thread was given its own (a DataLoader worker, seeded as Python seeds a
// worker process's). Random ops called with generator=None draw from it.
extern thread_local c10::optional<at::Generator> t_thread_generator;
inline at::Generator default_cpu_generator() {
  return t_thread_generator ? *t_thread_generator : at::detail::getDefaultCPUGenerator();
}

using Callback = Napi::Value (*)(const Napi::CallbackInfo&);

// A native function as JS sees it: every exception becomes a JS error.
template <Callback f>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  Napi::Value result;
  try {
    result = f(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    if (t_warnings_pending && !info.Env().IsExceptionPending()) flush_warnings(info.Env());
    throw current_exception_as_js(info.Env());
  }
  if (t_warnings_pending) flush_warnings(info.Env());  // a warning turned error throws from here
  return result;
}

// A property for exports.DefineProperties: {fn<name>(env, "name"), ...}.
template <Callback f>
Napi::PropertyDescriptor fn(Napi::Env env, const char* name) {
  return Napi::PropertyDescriptor::Value(name, Napi::Function::New<guarded<f>>(env, name), napi_enumerable);
}

// Throws a Napi::Error for a failed raw napi_* call (a pending JS exception
// comes with it). Only the raw hot paths need it.
void check(napi_env env, napi_status status);

// ---- arguments -------------------------------------------------------------
bool is_nullish(Napi::Value v);
// Throws the TypeError "<what> must be <expected>, not <v's type>".
[[noreturn]] void bad_type(Napi::Value v, const char* what, const char* expected);
double to_double(Napi::Value v, const char* what);
int64_t to_int(Napi::Value v, const char* what);
bool to_bool(Napi::Value v, const char* what);
std::string to_string(Napi::Value v, const char* what);
std::vector<int64_t> to_int_list(Napi::Value v, const char* what);

// Calls f(element) for each element of the JS array v; anything else is
// bad_type(..., expected). Reading an element can run JS (a getter): when that
// throws, a Napi::Error carries it out and f is not called with garbage.
template <typename F>
void for_each_element(Napi::Value v, const char* what, const char* expected, F&& f) {
  if (!v.IsArray()) bad_type(v, what, expected);
  Napi::Array array = v.As<Napi::Array>();
  const uint32_t n = array.Length();
  for (uint32_t i = 0; i < n; i++) f(array.Get(i));
}

Napi::Array js_int_array(Napi::Env env, c10::IntArrayRef values);

// ---- tensor handles ----------------------------------------------------------
// A JS tensor handle is an External pointing to a slot that holds the tensor
// (addon.cpp). dispose() empties the slot at once; the GC frees the slot (and
// the tensor, if still held) through a V8 weak callback.
Napi::Value wrap_tensor(Napi::Env env, at::Tensor t);
// The tensor of a handle; throws a TypeError naming `what` for anything else
// and an Error for a disposed tensor.
const at::Tensor& unwrap_tensor(Napi::Value v, const char* what);
bool is_tensor_handle(Napi::Value v);
// The live tensor of a handle, or nullptr (not a handle, or disposed); never throws.
const at::Tensor* peek_tensor(Napi::Value v);

// ---- handles to other native objects ---------------------------------------------
// A C++ object owned by a plain JS object (napi_wrap), marked with a type tag so
// that no other value, a tensor handle or another kind of handle, is ever taken
// for it. Destroy runs in a Node-API finalizer, after the GC.
template <typename T>
void delete_object(T* p) { delete p; }

template <typename T, void (*Destroy)(T*) = delete_object<T>>
Napi::Object wrap_object(Napi::Env env, T* ptr, const napi_type_tag* tag) {
  Napi::Object obj = Napi::Object::New(env);
  napi_status st = napi_wrap(env, obj, ptr, [](napi_env, void* data, void*) { Destroy(static_cast<T*>(data)); }, nullptr, nullptr);
  if (st != napi_ok) {
    Destroy(ptr);
    check(env, st);
  }
  obj.TypeTag(tag);
  return obj;
}

// The object behind a handle made by wrap_object with this tag; a TypeError
// naming `what` for anything else.
template <typename T>
T* unwrap_object(Napi::Value v, const napi_type_tag* tag, const char* what) {
  if (!v.IsObject() || !v.As<Napi::Object>().CheckTypeTag(tag))
    throw JsTypeError(std::string(what) + " must be a handle made by the addon");
  void* data = nullptr;
  check(v.Env(), napi_unwrap(v.Env(), v, &data));
  return static_cast<T*>(data);
}

// ---- conversions shared by several files -------------------------------------
c10::ScalarType to_scalar_type(Napi::Value v, const char* what);
c10::Device to_device(Napi::Value v, const char* what);
c10::Scalar to_scalar(Napi::Value v, const char* what);
Napi::Value from_ivalue(Napi::Env env, const c10::IValue& v);

// ---- per-file export registration ---------------------------------------------
void init_tensor(Napi::Env env, Napi::Object exports);
void init_dispatch(Napi::Env env, Napi::Object exports);
void init_autograd(Napi::Env env, Napi::Object exports);
void init_indexing(Napi::Env env, Napi::Object exports);
void init_serialize(Napi::Env env, Napi::Object exports);
void init_jit(Napi::Env env, Napi::Object exports);
void init_cuda(Napi::Env env, Napi::Object exports);
void init_distributed(Napi::Env env, Napi::Object exports);

// native/autograd.cpp's JS-thread check and deferred reference release, for JS called from backward elsewhere.
std::shared_ptr<void> js_thread_token(Napi::Env env);
void check_js_thread_token(const std::shared_ptr<void>& token, const std::string& what);
void release_js_ref(const std::shared_ptr<void>& token, napi_ref r);

}  // namespace tn
