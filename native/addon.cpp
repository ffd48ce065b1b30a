// Module entry, JS<->C++ plumbing (errors, arguments, tensor handles) and the
// few tensor functions that are not ATen ops: data in and out, memory stats,
// seeds, threads, build facts.
#include "common.h"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/DefaultDtype.h>

#include <v8.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace tn {

// ---- errors ------------------------------------------------------------------

void check(napi_env env, napi_status status) {
  if (status == napi_ok) return;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) throw std::runtime_error("");  // keep the JS exception as it is
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  throw std::runtime_error(info && info->error_message ? info->error_message
                                                       : "Node-API call failed");
}

static void throw_js(napi_env env, const char* kind, const std::string& msg,
                     const std::string* backtrace = nullptr) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  napi_value message, error;
  napi_create_string_utf8(env, msg.c_str(), msg.size(), &message);
  if (strcmp(kind, "TypeError") == 0)
    napi_create_type_error(env, nullptr, message, &error);
  else if (strcmp(kind, "RangeError") == 0)
    napi_create_range_error(env, nullptr, message, &error);
  else
    napi_create_error(env, nullptr, message, &error);
  if (backtrace) {
    napi_value bt;
    napi_create_string_utf8(env, backtrace->c_str(), backtrace->size(), &bt);
    napi_set_named_property(env, error, "cppBacktrace", bt);
  }
  napi_throw(env, error);
}

void throw_current_exception(napi_env env) {
  try {
    throw;
  } catch (const JsRangeError& e) {
    throw_js(env, "RangeError", e.msg);
  } catch (const JsTypeError& e) {
    throw_js(env, "TypeError", e.msg);
  } catch (const c10::IndexError& e) {  // Python: IndexError
    std::string bt = e.what();
    throw_js(env, "RangeError", e.what_without_backtrace(), &bt);
  } catch (const c10::TypeError& e) {
    std::string bt = e.what();
    throw_js(env, "TypeError", e.what_without_backtrace(), &bt);
  } catch (const c10::Error& e) {
    std::string bt = e.what();
    throw_js(env, "Error", e.what_without_backtrace(), &bt);
  } catch (const std::exception& e) {
    throw_js(env, "Error", e.what());
  } catch (...) {
    throw_js(env, "Error", "unknown C++ exception");
  }
}

// ---- arguments and values ------------------------------------------------------

Args get_args(napi_env env, napi_callback_info info, size_t max_args) {
  Args a;
  const size_t cap = std::min(max_args, Args::kMax);
  size_t argc = cap;  // in: argv's room; out: the count given, which may be more
  TN_CHECK(napi_get_cb_info(env, info, &argc, a.argv, nullptr, nullptr));
  a.n = std::min(argc, cap);
  return a;
}

napi_valuetype type_of(napi_env env, napi_value v) {
  napi_valuetype t;
  TN_CHECK(napi_typeof(env, v, &t));
  return t;
}

bool is_nullish(napi_env env, napi_value v) {
  if (v == nullptr) return true;
  napi_valuetype t = type_of(env, v);
  return t == napi_undefined || t == napi_null;
}

bool is_array(napi_env env, napi_value v) {
  bool r = false;
  napi_is_array(env, v, &r);
  return r;
}

static const char* type_name(napi_env env, napi_value v) {
  switch (type_of(env, v)) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_object: return is_array(env, v) ? "Array" : "object";
    case napi_function: return "function";
    case napi_external: return "Tensor";
    case napi_bigint: return "bigint";
  }
  return "value";
}

[[noreturn]] void bad_type(napi_env env, napi_value v, const char* what,
                           const char* expected) {
  throw JsTypeError(std::string(what) + " must be " + expected + ", not " +
                    type_name(env, v));
}

double to_double(napi_env env, napi_value v, const char* what) {
  napi_valuetype t = type_of(env, v);
  if (t == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    return d;
  }
  if (t == napi_bigint) return static_cast<double>(to_int(env, v, what));
  if (t == napi_boolean) return to_bool(env, v, what) ? 1.0 : 0.0;
  bad_type(env, v, what, "a number");
}

int64_t to_int(napi_env env, napi_value v, const char* what) {
  napi_valuetype t = type_of(env, v);
  if (t == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    if (!std::isfinite(d) || d != std::trunc(d))
      throw JsTypeError(std::string(what) + " must be an integer, not " +
                        c10::str(d));
    // Checked before the cast: a double outside int64 does not convert (UB).
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0)
      throw JsRangeError(std::string(what) + " does not fit in int64");
    return static_cast<int64_t>(d);
  }
  if (t == napi_bigint) {
    int64_t i;
    bool lossless;
    napi_get_value_bigint_int64(env, v, &i, &lossless);
    if (!lossless)
      throw JsRangeError(std::string(what) + " does not fit in int64");
    return i;
  }
  if (t == napi_boolean) return to_bool(env, v, what) ? 1 : 0;
  bad_type(env, v, what, "an integer");
}

bool to_bool(napi_env env, napi_value v, const char* what) {
  if (type_of(env, v) != napi_boolean) bad_type(env, v, what, "a boolean");
  bool b;
  napi_get_value_bool(env, v, &b);
  return b;
}

std::string to_string(napi_env env, napi_value v, const char* what) {
  if (type_of(env, v) != napi_string) bad_type(env, v, what, "a string");
  size_t len;
  napi_get_value_string_utf8(env, v, nullptr, 0, &len);
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, v, s.data(), len + 1, &len);
  return s;
}

std::vector<int64_t> to_int_list(napi_env env, napi_value v, const char* what) {
  if (!is_array(env, v)) {
    napi_valuetype t = type_of(env, v);
    if (t == napi_number || t == napi_bigint) return {to_int(env, v, what)};
  }
  std::vector<int64_t> out;
  for_each_element(env, v, what, "an array of integers",
                   [&](napi_value e) { out.push_back(to_int(env, e, what)); });
  return out;
}

napi_value js_number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}
napi_value js_bool(napi_env env, bool v) {
  napi_value r;
  napi_get_boolean(env, v, &r);
  return r;
}
napi_value js_string(napi_env env, const std::string& s) {
  napi_value r;
  napi_create_string_utf8(env, s.data(), s.size(), &r);
  return r;
}
napi_value js_undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}
napi_value js_null(napi_env env) {
  napi_value r;
  napi_get_null(env, &r);
  return r;
}
napi_value js_int_array(napi_env env, c10::IntArrayRef values) {
  napi_value arr;
  napi_create_array_with_length(env, values.size(), &arr);
  for (size_t i = 0; i < values.size(); i++)
    napi_set_element(env, arr, i, js_number(env, static_cast<double>(values[i])));
  return arr;
}

void export_functions(napi_env env, napi_value exports,
                      std::initializer_list<std::pair<const char*, napi_callback>> functions) {
  std::vector<napi_property_descriptor> props;
  props.reserve(functions.size());
  for (const auto& [name, cb] : functions)
    props.push_back({name, nullptr, cb, nullptr, nullptr, nullptr, napi_enumerable, nullptr});
  TN_CHECK(napi_define_properties(env, exports, props.size(), props.data()));
}

// ---- tensor handles ------------------------------------------------------------
// A tensor's JS handle is a v8::External pointing to a Slot, held by a weak
// v8::Global whose callback frees the slot inside the GC itself. That is what
// keeps a loop that never disposes flat in memory.
//
// Why V8 and not a Node-API finalizer: Node runs a module's finalizers through
// napi_env's CallIntoModule, which re-raises whatever exception the env has
// pending. A native call that throws sets that pending exception, V8 then
// allocates the error message, the allocation collects, a finalizer runs inside
// the GC and Node calls into JS there: the process dies ("Check failed:
// AllowJavascriptExecution::IsAllowed"). A first-pass V8 weak callback touches
// no JS state. The cost is a binary tied to the Node ABI, which experimental
// Node-API already was.

// Process-wide counts (tensors are process-wide; workers share them).
static std::atomic<int64_t> g_live_tensors{0};
static std::atomic<int64_t> g_live_bytes{0};
// Native bytes not yet reported to this thread's V8 heap; reported in batches
// from ordinary calls, never from inside the GC.
static thread_local int64_t t_unreported_bytes = 0;
static thread_local bool t_in_adjust = false;

// Tags the first word of every External this addon makes, so that an External
// of another kind (or another addon's) is never read as a Slot.
constexpr uint64_t kSlotTag = 0x74656e736f72534cULL;  // "tensorSL"

struct Slot {
  uint64_t tag = kSlotTag;
  at::Tensor tensor;
  int64_t bytes = 0;  // its storage's size, as counted in g_live_bytes
  v8::Global<v8::External> handle;
  Slot* prev = nullptr;  // this thread's slots that have a JS handle
  Slot* next = nullptr;
};

static int64_t storage_bytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.storage().nbytes());
}

static void release(Slot* s) {
  if (!s->tensor.defined()) return;
  s->tensor.reset();
  g_live_tensors--;
  g_live_bytes -= s->bytes;
  t_unreported_bytes -= s->bytes;
  s->bytes = 0;
}

// Slots are recycled per thread (handles never cross threads): a tensor's
// handle then costs no malloc of its own. `live` lists the slots whose handle
// V8 still holds: V8 runs no weak callback when an isolate goes away, so the
// env's cleanup hook frees them (a worker that exits frees its tensors).
struct SlotPool {
  std::vector<Slot*> free;
  Slot live;  // sentinel of a circular list
  bool cleanup_hook_added = false;
  SlotPool() { live.prev = live.next = &live; }
  ~SlotPool() {  // a worker thread's pool goes with the thread
    for (auto* s : free) delete s;
  }
};
static thread_local SlotPool t_pool;

static Slot* new_slot() {
  if (t_pool.free.empty()) return new Slot();
  Slot* s = t_pool.free.back();
  t_pool.free.pop_back();
  return s;
}

static void free_slot(Slot* s) {
  if (t_pool.free.size() < 4096) t_pool.free.push_back(s);
  else delete s;
}

static void unlink_slot(Slot* s) {
  s->prev->next = s->next;
  s->next->prev = s->prev;
  s->prev = s->next = nullptr;
}

// Runs inside the GC: no V8 call but Reset, no JS, no Node-API.
static void on_handle_collected(const v8::WeakCallbackInfo<Slot>& info) {
  Slot* s = info.GetParameter();
  s->handle.Reset();
  unlink_slot(s);
  release(s);
  free_slot(s);
}

static void free_live_slots(void*) {
  while (t_pool.live.next != &t_pool.live) {
    Slot* s = t_pool.live.next;
    s->handle.Reset();
    unlink_slot(s);
    release(s);
    free_slot(s);
  }
}

static void report_external_memory(napi_env env) {
  constexpr int64_t kBatch = 1 << 20;
  if ((t_unreported_bytes > kBatch || t_unreported_bytes < -kBatch) && !t_in_adjust) {
    t_in_adjust = true;
    int64_t delta = t_unreported_bytes, ignored;
    t_unreported_bytes = 0;
    napi_adjust_external_memory(env, delta, &ignored);
    t_in_adjust = false;
  }
}

// napi_value is a v8::Local in Node's own implementation (v8impl's
// JsValueFromV8LocalValue); these two are the only places that rely on it.
static napi_value to_napi(v8::Local<v8::Value> local) {
  return reinterpret_cast<napi_value>(*local);
}
static v8::Local<v8::Value> to_v8(napi_value v) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(v), "napi_value is a v8::Local");
  std::memcpy(static_cast<void*>(&local), &v, sizeof(v));
  return local;
}

napi_value wrap_tensor(napi_env env, at::Tensor t) {
  if (!t.defined()) return js_null(env);
  if (!t_pool.cleanup_hook_added) {
    TN_CHECK(napi_add_env_cleanup_hook(env, free_live_slots, nullptr));
    t_pool.cleanup_hook_added = true;
  }
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  auto* s = new_slot();
  s->bytes = storage_bytes(t);
  s->tensor = std::move(t);
  g_live_tensors++;
  g_live_bytes += s->bytes;
  t_unreported_bytes += s->bytes;
  v8::Local<v8::External> external = v8::External::New(isolate, s);
  s->handle.Reset(isolate, external);
  s->handle.SetWeak(s, on_handle_collected, v8::WeakCallbackType::kParameter);
  s->next = t_pool.live.next;
  s->prev = &t_pool.live;
  s->next->prev = s;
  t_pool.live.next = s;
  report_external_memory(env);
  return to_napi(external);
}

// The Slot behind v, or nullptr for anything but one of our tensor handles.
static Slot* slot_of(napi_value v) {
  if (v == nullptr) return nullptr;
  v8::Local<v8::Value> local = to_v8(v);
  if (!local->IsExternal()) return nullptr;
  auto* s = static_cast<Slot*>(local.As<v8::External>()->Value());
  return s && s->tag == kSlotTag ? s : nullptr;
}

bool is_tensor_handle(napi_env, napi_value v) { return slot_of(v) != nullptr; }

const at::Tensor* peek_tensor(napi_env, napi_value v) {
  Slot* s = slot_of(v);
  return s && s->tensor.defined() ? &s->tensor : nullptr;
}

const at::Tensor& unwrap_tensor(napi_env env, napi_value v, const char* what) {
  Slot* s = slot_of(v);
  if (!s) bad_type(env, v, what, "a Tensor");
  if (!s->tensor.defined())
    throw std::runtime_error(std::string(what) +
                             ": the tensor was disposed and cannot be used");
  return s->tensor;
}

// ---- conversions ------------------------------------------------------------------

c10::ScalarType to_scalar_type(napi_env env, napi_value v, const char* what) {
  int64_t i = to_int(env, v, what);
  if (i < 0 || i >= static_cast<int64_t>(c10::ScalarType::NumOptions))
    throw JsTypeError(std::string(what) + ": unknown dtype code " + std::to_string(i));
  return static_cast<c10::ScalarType>(i);
}

c10::Device to_device(napi_env env, napi_value v, const char* what) {
  if (type_of(env, v) != napi_string) bad_type(env, v, what, "a device string");
  return c10::Device(to_string(env, v, what));  // c10::Error on a bad string
}

c10::Scalar to_scalar(napi_env env, napi_value v, const char* what) {
  switch (type_of(env, v)) {
    case napi_boolean: return c10::Scalar(to_bool(env, v, what));
    case napi_bigint: return c10::Scalar(to_int(env, v, what));
    case napi_number: {
      double d;
      napi_get_value_double(env, v, &d);
      // Integral JS numbers behave as Python ints (type promotion keeps int
      // tensors integral); others as Python floats.
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0)
        return c10::Scalar(static_cast<int64_t>(d));
      return c10::Scalar(d);
    }
    case napi_external: {
      const at::Tensor& t = unwrap_tensor(env, v, what);
      if (t.numel() != 1)
        throw JsTypeError(std::string(what) + " must be a number or a one-element tensor");
      return t.item();
    }
    default: bad_type(env, v, what, "a number");
  }
}

napi_value from_ivalue(napi_env env, const c10::IValue& v) {
  if (v.isTensor()) return wrap_tensor(env, v.toTensor());
  if (v.isNone()) return js_null(env);
  if (v.isDouble()) return js_number(env, v.toDouble());
  if (v.isInt()) return js_number(env, static_cast<double>(v.toInt()));
  if (v.isBool()) return js_bool(env, v.toBool());
  if (v.isString()) return js_string(env, v.toStringRef());
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    napi_value arr;
    napi_create_array_with_length(env, list.size(), &arr);
    for (size_t i = 0; i < list.size(); i++)
      napi_set_element(env, arr, i, wrap_tensor(env, list.get(i)));
    return arr;
  }
  if (v.isIntList()) return js_int_array(env, v.toIntVector());
  if (v.isList()) {
    auto list = v.toListRef();
    napi_value arr;
    napi_create_array_with_length(env, list.size(), &arr);
    for (size_t i = 0; i < list.size(); i++) napi_set_element(env, arr, i, from_ivalue(env, list[i]));
    return arr;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    napi_value arr;
    napi_create_array_with_length(env, elems.size(), &arr);
    for (size_t i = 0; i < elems.size(); i++) napi_set_element(env, arr, i, from_ivalue(env, elems[i]));
    return arr;
  }
  if (v.isScalar()) {
    auto s = v.toScalar();
    if (s.isBoolean()) return js_bool(env, s.toBool());
    return js_number(env, s.toDouble());
  }
  if (v.isDevice()) return js_string(env, v.toDevice().str());
  throw std::runtime_error("cannot convert a LibTorch value of type " + v.tagKind() + " to JS");
}

// ---- zero-copy buffers ---------------------------------------------------------------
// A tensor made by frombuffer holds a reference to the JS ArrayBuffer. Storage
// can die anywhere (inside GC, inside an op), so the reference is dropped later,
// by the owning thread's next frombuffer() or dispose().
struct BufferRef {
  napi_env env;
  napi_ref ref;
};
static std::mutex g_dead_refs_mutex;
static std::vector<BufferRef> g_dead_refs;
// g_dead_refs is not empty; read without the lock, so that dispose() (called
// for every intermediate) takes the lock only when there is work.
static std::atomic<bool> g_have_dead_refs{false};

static void drop_dead_refs(napi_env env) {
  if (!g_have_dead_refs.load(std::memory_order_relaxed)) return;
  std::vector<BufferRef> mine;
  {
    std::lock_guard<std::mutex> lock(g_dead_refs_mutex);
    for (auto it = g_dead_refs.begin(); it != g_dead_refs.end();) {
      if (it->env == env) {
        mine.push_back(*it);
        it = g_dead_refs.erase(it);
      } else {
        ++it;
      }
    }
    g_have_dead_refs.store(!g_dead_refs.empty(), std::memory_order_relaxed);
  }
  for (auto& r : mine) napi_delete_reference(env, r.ref);
}

// frombuffer(arrayBuffer, byteOffset, count, dtype) -> zero-copy 1-D tensor
static napi_value frombuffer(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    drop_dead_refs(env);
    Args a = get_args(env, info, 4);
    if (a.size() < 4) throw JsTypeError("frombuffer: expected 4 arguments");
    bool is_ab = false;
    napi_is_arraybuffer(env, a[0], &is_ab);
    if (!is_ab) throw JsTypeError("frombuffer: buffer must be an ArrayBuffer");
    void* data;
    size_t byte_length;
    TN_CHECK(napi_get_arraybuffer_info(env, a[0], &data, &byte_length));
    int64_t offset = to_int(env, a[1], "frombuffer(): offset");
    int64_t count = to_int(env, a[2], "frombuffer(): count");
    auto dtype = to_scalar_type(env, a[3], "frombuffer(): dtype");
    int64_t elem = static_cast<int64_t>(c10::elementSize(dtype));
    // The TS layer checks these with PyTorch's messages; this keeps a direct
    // call from reading outside the buffer.
    if (offset < 0 || count < 0 || static_cast<uint64_t>(offset) > byte_length ||
        static_cast<uint64_t>(count) > (byte_length - static_cast<uint64_t>(offset)) / static_cast<uint64_t>(elem))
      throw JsRangeError("frombuffer(): offset and count reach outside the buffer");
    napi_ref ref;
    TN_CHECK(napi_create_reference(env, a[0], 1, &ref));
    BufferRef owner{env, ref};
    auto deleter = [owner](void*) {
      std::lock_guard<std::mutex> lock(g_dead_refs_mutex);
      g_dead_refs.push_back(owner);
      g_have_dead_refs.store(true, std::memory_order_relaxed);
    };
    at::Tensor t = at::from_blob(static_cast<char*>(data) + offset, {count}, deleter,
                                 at::TensorOptions().dtype(dtype));
    return wrap_tensor(env, std::move(t));
  });
}

// fromdata(typedArray, shape, dtype) -> a new tensor holding a copy
static napi_value fromdata(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 3);
    if (a.size() < 3) throw JsTypeError("fromdata: expected 3 arguments");
    bool is_ta = false;
    napi_is_typedarray(env, a[0], &is_ta);
    if (!is_ta) throw JsTypeError("tensor(): data must be a TypedArray");
    // The shape first: reading it can run JS (a getter), which could detach
    // the buffer whose memory is borrowed below.
    auto shape = to_int_list(env, a[1], "tensor(): shape");
    auto dtype = to_scalar_type(env, a[2], "tensor(): dtype");
    napi_typedarray_type tat;
    size_t length, offset;
    void* data;
    napi_value ab;
    TN_CHECK(napi_get_typedarray_info(env, a[0], &tat, &length, &data, &ab, &offset));
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t nbytes = t.nbytes();
    size_t have = length * [&] {
      switch (tat) {
        case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
        case napi_int16_array: case napi_uint16_array: return 2;
        case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
        default: return 8;
      }
    }();
    if (have != nbytes)
      throw JsRangeError("tensor(): data holds " + std::to_string(have) + " bytes, shape " +
                         c10::str(c10::IntArrayRef(shape)) + " needs " + std::to_string(nbytes));
    if (nbytes) std::memcpy(t.data_ptr(), data, nbytes);
    return wrap_tensor(env, std::move(t));
  });
}

// todata(tensor) -> a TypedArray copy of the (CPU, contiguous) tensor, in its dtype;
// float16/bfloat16 come back as float32, bool as uint8.
static napi_value todata(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    at::Tensor t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "typed_array(): tensor");
    t = t.detach();
    if (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16)
      t = t.to(at::kFloat);
    if (t.is_complex()) throw JsTypeError("typed_array(): complex tensors are not supported");
    t = t.to(at::kCPU).contiguous();
    napi_typedarray_type tat;
    switch (t.scalar_type()) {
      case at::kFloat: tat = napi_float32_array; break;
      case at::kDouble: tat = napi_float64_array; break;
      case at::kByte: case at::kBool: tat = napi_uint8_array; break;
      case at::kChar: tat = napi_int8_array; break;
      case at::kShort: tat = napi_int16_array; break;
      case at::kInt: tat = napi_int32_array; break;
      case at::kLong: tat = napi_bigint64_array; break;
      default: throw JsTypeError(std::string("typed_array(): unsupported dtype ") +
                                 c10::toString(t.scalar_type()));
    }
    size_t nbytes = t.nbytes();
    void* dst;
    napi_value ab, out;
    TN_CHECK(napi_create_arraybuffer(env, nbytes, &dst, &ab));
    if (nbytes) std::memcpy(dst, t.data_ptr(), nbytes);
    TN_CHECK(napi_create_typedarray(env, tat, t.numel(), ab, 0, &out));
    return out;
  });
}

// Metadata in one call: [shape, dtype code, device string, requires_grad]
static napi_value meta(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    const at::Tensor& t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "tensor");
    napi_value arr;
    napi_create_array_with_length(env, 4, &arr);
    napi_set_element(env, arr, 0, js_int_array(env, t.sizes()));
    napi_set_element(env, arr, 1, js_number(env, static_cast<int>(t.scalar_type())));
    napi_set_element(env, arr, 2, js_string(env, t.device().str()));
    napi_set_element(env, arr, 3, js_bool(env, t.requires_grad()));
    return arr;
  });
}

static napi_value shape(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    return js_int_array(env, unwrap_tensor(env, a.size() ? a[0] : nullptr, "tensor").sizes());
  });
}

static napi_value dtype_of(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    return js_number(env, static_cast<int>(
        unwrap_tensor(env, a.size() ? a[0] : nullptr, "tensor").scalar_type()));
  });
}

static napi_value strides(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    return js_int_array(env, unwrap_tensor(env, a.size() ? a[0] : nullptr, "tensor").strides());
  });
}

static napi_value is_contiguous(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    return js_bool(env, unwrap_tensor(env, a.size() ? a[0] : nullptr, "tensor").is_contiguous());
  });
}

static napi_value device_of(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    return js_string(env, unwrap_tensor(env, a.size() ? a[0] : nullptr, "tensor").device().str());
  });
}

static napi_value dispose(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    if (Slot* s = a.size() ? slot_of(a[0]) : nullptr) release(s);
    report_external_memory(env);
    drop_dead_refs(env);
    return js_undefined(env);
  });
}

static napi_value is_disposed(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    Slot* s = a.size() ? slot_of(a[0]) : nullptr;
    if (!s) throw JsTypeError("is_disposed: expected a tensor handle");
    return js_bool(env, !s->tensor.defined());
  });
}

static napi_value memory_stats(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value {
    napi_value o;
    napi_create_object(env, &o);
    napi_set_named_property(env, o, "tensors", js_number(env, g_live_tensors.load()));
    napi_set_named_property(env, o, "bytes", js_number(env, g_live_bytes.load()));
    return o;
  });
}

static napi_value manual_seed(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    if (!a.size()) throw JsTypeError("manual_seed(): seed is required");
    // CPU and every CUDA generator, as torch.manual_seed does.
    at::manual_seed(static_cast<uint64_t>(to_int(env, a[0], "manual_seed(): seed")));
    return js_undefined(env);
  });
}

static napi_value seed(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    uint64_t s = gen.seed();
    return js_string(env, std::to_string(s));
  });
}

static napi_value initial_seed(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value {
    auto gen = at::detail::getDefaultCPUGenerator();
    return js_string(env, std::to_string(gen.current_seed()));
  });
}

static napi_value set_num_threads(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    int64_t n = to_int(env, a.size() ? a[0] : nullptr, "set_num_threads(): n");
    if (n <= 0) throw JsRangeError("set_num_threads expects a positive integer");
    at::set_num_threads(static_cast<int>(n));
    return js_undefined(env);
  });
}

static napi_value get_num_threads(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value { return js_number(env, at::get_num_threads()); });
}

static napi_value build_info(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value {
    napi_value o;
    napi_create_object(env, &o);
    napi_set_named_property(env, o, "torch_version", js_string(env, TORCH_VERSION));
    napi_set_named_property(env, o, "cuda_available", js_bool(env, at::hasCUDA()));
    napi_set_named_property(env, o, "cuda_device_count",
                            js_number(env, at::detail::getCUDAHooks().getNumGPUs()));
    napi_set_named_property(env, o, "cxx11_abi", js_bool(env, _GLIBCXX_USE_CXX11_ABI));
    napi_set_named_property(env, o, "parallel_info", js_string(env, at::get_parallel_info()));
    return o;
  });
}

static napi_value set_default_dtype(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    auto st = to_scalar_type(env, a.size() ? a[0] : nullptr, "set_default_dtype(): d");
    if (!c10::isFloatingType(st))
      throw JsTypeError("only floating-point types are supported as the default type");
    c10::set_default_dtype(c10::scalarTypeToTypeMeta(st));
    return js_undefined(env);
  });
}

static napi_value get_default_dtype(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value {
    return js_number(env, static_cast<int>(c10::typeMetaToScalarType(c10::get_default_dtype())));
  });
}

// 0: glibc's dynamic threshold. Measured (bench/run.js): with finalizers running during
// GC the naive garbage loop stays flat under it, and a fixed 128 KiB threshold
// made every tensor above it an mmap + page faults (6x slower on 400 KB adds).
constexpr long kDefaultMmapThreshold = 0;

static void set_allocator_policy() {
#ifdef __GLIBC__
  // Large tensors must go back to the OS when freed: glibc's dynamic mmap
  // threshold otherwise keeps them (measured in DESIGN.md). A user's own
  // MALLOC_MMAP_THRESHOLD_ wins; TORCH_NODE_MMAP_THRESHOLD=<bytes> sets ours
  // (0: leave glibc's default).
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_")) return;
    long threshold = kDefaultMmapThreshold;
    if (const char* env = std::getenv("TORCH_NODE_MMAP_THRESHOLD")) threshold = std::atol(env);
    if (threshold > 0) mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold));
  });
#endif
}

void init_tensor(napi_env env, napi_value exports) {
  set_allocator_policy();
  export_functions(env, exports, {
      {"frombuffer", frombuffer},
      {"fromdata", fromdata},
      {"todata", todata},
      {"meta", meta},
      {"shape", shape},
      {"dtype", dtype_of},
      {"strides", strides},
      {"device", device_of},
      {"is_contiguous", is_contiguous},
      {"dispose", dispose},
      {"is_disposed", is_disposed},
      {"memory_stats", memory_stats},
      {"manual_seed", manual_seed},
      {"seed", seed},
      {"initial_seed", initial_seed},
      {"set_num_threads", set_num_threads},
      {"get_num_threads", get_num_threads},
      {"build_info", build_info},
      {"set_default_dtype", set_default_dtype},
      {"get_default_dtype", get_default_dtype},
  });
}

}  // namespace tn

static napi_value init(napi_env env, napi_value exports) {
  return tn::guard(env, [&]() -> napi_value {
    tn::init_tensor(env, exports);
    tn::init_dispatch(env, exports);
    tn::init_autograd(env, exports);
    tn::init_indexing(env, exports);
    tn::init_serialize(env, exports);
    return exports;
  });
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
