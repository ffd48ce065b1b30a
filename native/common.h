// Shared declarations of the native layer. The only place (with the .cpp files
// beside it) that includes LibTorch headers.
#pragma once

// A stable Node-API module: its finalizers run after the GC, when the event
// loop turns, where they may touch JS. Tensor handles, which must be freed
// during the GC itself, use V8 weak handles instead (addon.cpp says why).
#define NAPI_VERSION 8
#include <node_api.h>

#include <ATen/core/Tensor.h>
#include <ATen/core/ivalue.h>
#include <c10/util/Exception.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "torch_compat.h"

namespace tn {

// ---- JS errors -------------------------------------------------------------
// Thrown inside native code, turned into a pending JS exception by `guard`.
struct JsTypeError : std::exception {
  std::string msg;
  explicit JsTypeError(std::string m) : msg(std::move(m)) {}
  const char* what() const noexcept override { return msg.c_str(); }
};
struct JsRangeError : JsTypeError {
  using JsTypeError::JsTypeError;
};

// Converts any C++ exception in flight into a JS exception: PyTorch's message
// without the C++ backtrace (kept on `cppBacktrace`).
void throw_current_exception(napi_env env);

// Runs `body` and converts every exception; returns nullptr when one was thrown.
template <typename F>
napi_value guard(napi_env env, F&& body) {
  try {
    return body();
  } catch (...) {
    throw_current_exception(env);
    return nullptr;
  }
}

// Throws a C++ exception for a failed napi call (a pending JS exception stays).
void check(napi_env env, napi_status status);
#define TN_CHECK(call) ::tn::check(env, (call))

// ---- arguments -------------------------------------------------------------
// The first (at most max_args) arguments of a call, held inline: no allocation
// on paths as hot as t.shape or dispose().
struct Args {
  static constexpr size_t kMax = 8;
  napi_value argv[kMax];
  size_t n = 0;
  size_t size() const { return n; }
  napi_value operator[](size_t i) const { return argv[i]; }
};
Args get_args(napi_env env, napi_callback_info info, size_t max_args = Args::kMax);

napi_valuetype type_of(napi_env env, napi_value v);
bool is_nullish(napi_env env, napi_value v);
bool is_array(napi_env env, napi_value v);
// Throws the TypeError "<what> must be <expected>, not <v's type>".
[[noreturn]] void bad_type(napi_env env, napi_value v, const char* what, const char* expected);
double to_double(napi_env env, napi_value v, const char* what);
int64_t to_int(napi_env env, napi_value v, const char* what);
bool to_bool(napi_env env, napi_value v, const char* what);
std::string to_string(napi_env env, napi_value v, const char* what);
std::vector<int64_t> to_int_list(napi_env env, napi_value v, const char* what);

// Calls f(element) for each element of the JS array v; anything else is
// bad_type(..., expected). Reading an element can run JS (a getter): when that
// throws, its exception stays pending and f is not called with garbage.
template <typename F>
void for_each_element(napi_env env, napi_value v, const char* what, const char* expected, F&& f) {
  if (!is_array(env, v)) bad_type(env, v, what, expected);
  uint32_t n;
  TN_CHECK(napi_get_array_length(env, v, &n));
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    TN_CHECK(napi_get_element(env, v, i, &e));
    f(e);
  }
}

napi_value js_number(napi_env env, double v);
napi_value js_bool(napi_env env, bool v);
napi_value js_string(napi_env env, const std::string& s);
napi_value js_undefined(napi_env env);
napi_value js_null(napi_env env);
napi_value js_int_array(napi_env env, c10::IntArrayRef values);

// ---- tensor handles ----------------------------------------------------------
// A JS tensor handle is an External pointing to a slot that holds the tensor
// (addon.cpp). dispose() empties the slot at once; the GC frees the slot (and
// the tensor, if still held) through a V8 weak callback.
napi_value wrap_tensor(napi_env env, at::Tensor t);
// The tensor of a handle; throws a TypeError naming `what` for anything else
// and an Error for a disposed tensor.
const at::Tensor& unwrap_tensor(napi_env env, napi_value v, const char* what);
bool is_tensor_handle(napi_env env, napi_value v);
// The live tensor of a handle, or nullptr (not a handle, or disposed); never throws.
const at::Tensor* peek_tensor(napi_env env, napi_value v);

// ---- conversions shared by several files -------------------------------------
c10::ScalarType to_scalar_type(napi_env env, napi_value v, const char* what);
c10::Device to_device(napi_env env, napi_value v, const char* what);
c10::Scalar to_scalar(napi_env env, napi_value v, const char* what);
napi_value from_ivalue(napi_env env, const c10::IValue& v);

// ---- per-file export registration ---------------------------------------------
// Adds native functions to the exports object: {{"name", callback}, ...}.
void export_functions(napi_env env, napi_value exports,
                      std::initializer_list<std::pair<const char*, napi_callback>> functions);
void init_tensor(napi_env env, napi_value exports);
void init_dispatch(napi_env env, napi_value exports);
void init_autograd(napi_env env, napi_value exports);
void init_indexing(napi_env env, napi_value exports);
void init_serialize(napi_env env, napi_value exports);

}  // namespace tn
