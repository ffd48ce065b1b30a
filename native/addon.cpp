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


#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>
#endif

namespace tn {

// ---- errors ------------------------------------------------------------------

void check(napi_env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);  // takes a pending JS exception along
}

static Napi::Error make_error(Napi::Env env, const char* kind, const std::string& msg,
                              const std::string* backtrace = nullptr) {
  Napi::Error error = std::strcmp(kind, "TypeError") == 0    ? Napi::TypeError::New(env, msg)
                      : std::strcmp(kind, "RangeError") == 0 ? Napi::RangeError::New(env, msg)
                                                             : Napi::Error::New(env, msg);
  if (backtrace) error.Set("cppBacktrace", Napi::String::New(env, *backtrace));
  return error;
}

Napi::Error current_exception_as_js(Napi::Env env) {
  // A JS exception raised under a raw napi_* call (a getter that threw) wins.
  if (env.IsExceptionPending()) return env.GetAndClearPendingException();
  try {
    throw;
  } catch (const Napi::Error& e) {
    return e;
  } catch (const JsRangeError& e) {
    return make_error(env, "RangeError", e.msg);
  } catch (const JsTypeError& e) {
    return make_error(env, "TypeError", e.msg);
  } catch (const c10::IndexError& e) {  // Python: IndexError
    std::string bt = e.what();
    return make_error(env, "RangeError", e.what_without_backtrace(), &bt);
  } catch (const c10::ValueError& e) {  // Python: ValueError (LibTorch 2.x's TORCH_CHECK_VALUE)
    std::string bt = e.what();
    return make_error(env, "RangeError", e.what_without_backtrace(), &bt);
  } catch (const c10::TypeError& e) {
    std::string bt = e.what();
    return make_error(env, "TypeError", e.what_without_backtrace(), &bt);
  } catch (const c10::Error& e) {
    std::string bt = e.what();
    return make_error(env, "Error", e.what_without_backtrace(), &bt);
  } catch (const std::bad_alloc&) {
    return make_error(env, "RangeError", "out of memory: a native allocation failed");
  } catch (const std::exception& e) {
    return make_error(env, "Error", e.what());
  } catch (...) {
    return make_error(env, "Error", "unknown C++ exception");
  }
}

// ---- LibTorch's warnings ---------------------------------------------------------
// A handler queues each warning raised on a JS thread; flush_warnings hands
// them to the callback torch-node's JS side registered (torch.warnings.warn)
// when the native call returns. Warnings on other threads (the jit pool) go
// to the handler that was there before (stderr).

thread_local bool t_warnings_pending = false;
static thread_local bool t_is_js_thread = false;
static thread_local std::vector<std::string> t_warnings;
static thread_local Napi::FunctionReference* t_warning_callback = nullptr;

class QueueingWarningHandler : public c10::WarningHandler {
 public:
  explicit QueueingWarningHandler(c10::WarningHandler* fallback) : fallback_(fallback) {}
#if TN_TORCH_AT_LEAST(2, 0)
  void process(const c10::Warning& warning) override {
    if (!queue(warning.msg())) fallback_->process(warning);
  }
#else
  void process(const c10::SourceLocation& location, const std::string& msg, const bool verbatim) override {
    if (!queue(msg)) fallback_->process(location, msg, verbatim);
  }
#endif

 private:
  static bool queue(const std::string& msg) {
    if (!t_is_js_thread || !t_warning_callback) return false;
    t_warnings.push_back(msg);
    t_warnings_pending = true;
    return true;
  }
  c10::WarningHandler* fallback_;
};

void flush_warnings(napi_env raw_env) {
  Napi::Env env(raw_env);
  std::vector<std::string> pending;
  pending.swap(t_warnings);
  t_warnings_pending = false;
  if (!t_warning_callback || t_warning_callback->IsEmpty()) return;
  for (const auto& msg : pending) t_warning_callback->Call({Napi::String::New(env, msg)});
}

// die_with_parent(launcher_pid) -> whether the kernel will kill this process when its parent
// dies (Linux: PR_SET_PDEATHSIG, SIGKILL). torch-node-run's ranks call it so that a SIGKILLed
// launcher (which can pass nothing on) leaves no rank behind: the signal comes from the kernel, so
// it reaches a rank whose JS thread is blocked in a collective too. If the launcher died before
// the call, the rank has been re-parented already: getppid() no longer names the launcher, so it
// ends itself here (closing that race). false elsewhere (no such facility).
static Napi::Value die_with_parent(const Napi::CallbackInfo& info) {
  const int64_t launcher = to_int(info[0], "die_with_parent(): launcher_pid");
#ifdef __linux__
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return Napi::Boolean::New(info.Env(), false);
  if (static_cast<int64_t>(getppid()) != launcher) raise(SIGKILL);
  return Napi::Boolean::New(info.Env(), true);
#else
  (void)launcher;
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// set_warning_callback(fn): fn(message) receives LibTorch's warnings.
static Napi::Value set_warning_callback(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) bad_type(info[0], "set_warning_callback(): callback", "a function");
  if (!t_warning_callback) {
    t_warning_callback = new Napi::FunctionReference();
    // Freed with the env (a worker's): the reference must not outlive it.
    check(info.Env(), napi_add_env_cleanup_hook(info.Env(), [](void*) {
      delete t_warning_callback;
      t_warning_callback = nullptr;
    }, nullptr));
  }
  *t_warning_callback = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

static void install_warning_handler() {
  static QueueingWarningHandler* handler = new QueueingWarningHandler(compat::get_warning_handler());
  compat::set_warning_handler(handler);  // per thread in newer LibTorch, so on each JS thread
  t_is_js_thread = true;
}

// ---- arguments and values ------------------------------------------------------

bool is_nullish(Napi::Value v) { return v.IsEmpty() || v.IsUndefined() || v.IsNull(); }

static const char* type_name(Napi::Value v) {
  if (v.IsEmpty()) return "undefined";
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_object: return v.IsArray() ? "Array" : "object";
    case napi_function: return "function";
    case napi_external: return is_tensor_handle(v) ? "Tensor" : "external";
    case napi_bigint: return "bigint";
  }
  return "value";
}

[[noreturn]] void bad_type(Napi::Value v, const char* what, const char* expected) {
  throw JsTypeError(std::string(what) + " must be " + expected + ", not " + type_name(v));
}

double to_double(Napi::Value v, const char* what) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) return static_cast<double>(to_int(v, what));
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1.0 : 0.0;
  bad_type(v, what, "a number");
}

int64_t to_int(Napi::Value v, const char* what) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::trunc(d))
      throw JsTypeError(std::string(what) + " must be an integer, not " + c10::str(d));
    // Checked before the cast: a double outside int64 does not convert (UB).
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0)
      throw JsRangeError(std::string(what) + " does not fit in int64");
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless;
    int64_t i = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw JsRangeError(std::string(what) + " does not fit in int64");
    return i;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  bad_type(v, what, "an integer");
}

bool to_bool(Napi::Value v, const char* what) {
  if (!v.IsBoolean()) bad_type(v, what, "a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string to_string(Napi::Value v, const char* what) {
  if (!v.IsString()) bad_type(v, what, "a string");
  return v.As<Napi::String>().Utf8Value();
}

std::vector<int64_t> to_int_list(Napi::Value v, const char* what) {
  if (v.IsNumber() || v.IsBigInt()) return {to_int(v, what)};
  std::vector<int64_t> out;
  for_each_element(v, what, "an array of integers",
                   [&](Napi::Value e) { out.push_back(to_int(e, what)); });
  return out;
}

Napi::Array js_int_array(Napi::Env env, c10::IntArrayRef values) {
  Napi::Array arr = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); i++)
    arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(values[i])));
  return arr;
}

// ---- tensor handles ------------------------------------------------------------
// A tensor's JS handle is a v8::External pointing to a Slot, held by a weak
// v8::Global whose callback frees the slot inside the GC itself. That is what
// keeps a loop that never disposes flat in memory.
//
// Why V8 and not a Node-API finalizer: Node runs a module's finalizers through
// napi_env's CallIntoModule, which re-raises whatever exception the env has
// pending. A native call that throws sets that pending exception, V8 then
// allocates the error message, the allocation collects, a finalizer running
// inside the GC finds the exception and Node calls into JS there: the process
// dies ("Check failed: AllowJavascriptExecution::IsAllowed"). A first-pass V8
// weak callback touches no JS state. The cost is a binary tied to the Node
// ABI. This is also the measured hot path of every op (a handle per result),
// which is why it stays below node-addon-api.

// Process-wide counts (tensors are process-wide; workers share them).
static std::atomic<int64_t> g_live_tensors{0};
static std::atomic<int64_t> g_live_bytes{0};
// Native bytes not yet reported to this thread's V8 heap; reported in batches
// from ordinary calls, never from inside the GC.
static thread_local int64_t t_unreported_bytes = 0;
static thread_local bool t_in_adjust = false;

// Tags the first word of every tensor External, so that an External of another
// kind (or another addon's) is never read as a Slot.
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

// At most 4,096 free slots are kept. Holding a whole young-generation cycle's
// worth (65,536) saved 180 instructions per dropped 1-element result but cost
// 15% of its median and half again on its mean (docs/gc-cost.md, session 5):
// slots reused from a large pool are cold.
constexpr size_t kSlotPoolMax = 4096;
static void free_slot(Slot* s) {
  if (t_pool.free.size() < kSlotPoolMax) t_pool.free.push_back(s);
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

static void release_minor_gc();

static void free_live_slots(void*) {
  release_minor_gc();
  while (t_pool.live.next != &t_pool.live) {
    Slot* s = t_pool.live.next;
    s->handle.Reset();
    unlink_slot(s);
    release(s);
    free_slot(s);
  }
}

// A minor GC each time this thread has wrapped 8 MB of new storage
// (TORCH_NODE_YOUNG_GC_MB=<MB> sets it, 0 turns it off). Dropped tensors die
// young, and a scavenge frees them for the cost of the few live young objects,
// whereas V8's external-memory heuristic waits for 64 MB and then runs an
// incremental mark-compact, during which new tensors are marked live
// (docs/gc-cost.md: the garbage loop's peak tensor bytes 121 MB without it,
// 22 MB with it, and faster). V8 offers a minor GC only through its testing
// API, behind --expose-gc, and that flag gives every context created while it
// is on (workers, vm) a global `gc`. So each thread turns it on once, just long
// enough to make a private context, keeps that context's gc function (it calls
// V8's heap directly, flag or not) and turns the flag off again, unless it was
// on already. Toggling the flag around each request instead costs ~94,000
// instructions (V8 re-derives its flag implications), a fifth of a scavenge.
constexpr long long kDefaultYoungGcMb = 8;
static thread_local int64_t t_new_bytes_since_minor = 0;
static const int64_t g_young_gc_bytes = [] {
  const char* v = std::getenv("TORCH_NODE_YOUNG_GC_MB");
  long long mb = v && *v ? std::atoll(v) : kDefaultYoungGcMb;
  return mb > 0 ? static_cast<int64_t>(mb) << 20 : int64_t{0};
}();
// This thread's gc function; a pointer, freed by the env's cleanup hook
// (free_live_slots) while its isolate still exists.
static thread_local v8::Global<v8::Function>* t_minor_gc = nullptr;
static thread_local bool t_minor_gc_failed = false;

static v8::Local<v8::Function> gc_function_of(v8::Isolate* isolate, v8::Local<v8::Context> context) {
  v8::Local<v8::Value> v;
  if (!context->Global()->Get(context, v8::String::NewFromUtf8Literal(isolate, "gc")).ToLocal(&v) || !v->IsFunction())
    return {};
  return v.As<v8::Function>();
}

static bool capture_minor_gc(v8::Isolate* isolate) {
  // The flag is process-wide: one thread at a time looks at it and toggles it,
  // so none turns it off under another, nor takes another's `on` for the user's.
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  v8::HandleScope scope(isolate);
  // V8 has no getter for a flag; a fresh context shows it (gc is there iff on).
  v8::Local<v8::Function> fn = gc_function_of(isolate, v8::Context::New(isolate));
  if (fn.IsEmpty()) {
    v8::V8::SetFlagsFromString("--expose-gc");
    v8::Local<v8::Context> context = v8::Context::New(isolate);
    v8::V8::SetFlagsFromString("--no-expose-gc");
    fn = gc_function_of(isolate, context);
  }
  if (fn.IsEmpty()) return false;
  t_minor_gc = new v8::Global<v8::Function>(isolate, fn);
  return true;
}

static void release_minor_gc() {
  delete t_minor_gc;
  t_minor_gc = nullptr;
}

// TORCH_NODE_YOUNG_GC_COUNT=<N>: also a minor GC per N new tensors, so that
// small results are freed while their memory is still in cache (Python frees
// each at once and reuses the same hot blocks). Off by default: with Node's
// snapshot a scavenge's fixed cost eats the gain; under --no-node-snapshot
// N=500-1000 measured 8-15% less CPU per 1-element op (docs/gc-cost.md).
static thread_local int64_t t_new_tensors_since_minor = 0;
static const int64_t g_young_gc_count = [] {
  const char* v = std::getenv("TORCH_NODE_YOUNG_GC_COUNT");
  long long n = v && *v ? std::atoll(v) : 0;
  return n > 0 ? static_cast<int64_t>(n) : int64_t{0};
}();

static void count_new_storage(v8::Isolate* isolate, const at::Tensor& t, int64_t bytes) {
  bool due = g_young_gc_count && ++t_new_tensors_since_minor >= g_young_gc_count;
  // A view shares its base's storage: only storage this tensor alone holds is new.
  if (g_young_gc_bytes && bytes && t.storage().use_count() == 1)
    due |= (t_new_bytes_since_minor += bytes) >= g_young_gc_bytes;
  if (!due) return;
  t_new_bytes_since_minor = 0;
  t_new_tensors_since_minor = 0;
  if (!t_minor_gc) {
    if (t_minor_gc_failed) return;
    if (!capture_minor_gc(isolate)) { t_minor_gc_failed = true; return; }
  }
  v8::HandleScope scope(isolate);
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  if (context.IsEmpty()) return;
  v8::TryCatch try_catch(isolate);  // a terminating worker: nothing to report
  v8::Local<v8::Value> minor = v8::True(isolate);  // gc(true): {type: 'minor', execution: 'sync'}
  v8::MaybeLocal<v8::Value> ignored = t_minor_gc->Get(isolate)->Call(context, v8::Undefined(isolate), 1, &minor);
  (void)ignored;
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

Napi::Value wrap_tensor(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  if (!t_pool.cleanup_hook_added) {
    check(env, napi_add_env_cleanup_hook(env, free_live_slots, nullptr));
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
  count_new_storage(isolate, s->tensor, s->bytes);
  return Napi::Value(env, to_napi(external));
}

// The Slot behind v, or nullptr for anything but one of our tensor handles.
static Slot* slot_of(Napi::Value v) {
  if (v.IsEmpty()) return nullptr;
  v8::Local<v8::Value> local = to_v8(v);
  if (!local->IsExternal()) return nullptr;
  auto* s = static_cast<Slot*>(local.As<v8::External>()->Value());
  return s && s->tag == kSlotTag ? s : nullptr;
}

bool is_tensor_handle(Napi::Value v) { return slot_of(v) != nullptr; }

const at::Tensor* peek_tensor(Napi::Value v) {
  Slot* s = slot_of(v);
  return s && s->tensor.defined() ? &s->tensor : nullptr;
}

const at::Tensor& unwrap_tensor(Napi::Value v, const char* what) {
  Slot* s = slot_of(v);
  if (!s) bad_type(v, what, "a Tensor");
  if (!s->tensor.defined())
    throw std::runtime_error(std::string(what) + ": the tensor was disposed and cannot be used");
  return s->tensor;
}

// ---- conversions ------------------------------------------------------------------

c10::ScalarType to_scalar_type(Napi::Value v, const char* what) {
  int64_t i = to_int(v, what);
  if (i < 0 || i >= static_cast<int64_t>(c10::ScalarType::NumOptions))
    throw JsTypeError(std::string(what) + ": unknown dtype code " + std::to_string(i));
  return static_cast<c10::ScalarType>(i);
}

c10::Device to_device(Napi::Value v, const char* what) {
  if (!v.IsString()) bad_type(v, what, "a device string");
  return c10::Device(to_string(v, what));  // c10::Error on a bad string
}

c10::Scalar to_scalar(Napi::Value v, const char* what) {
  switch (v.Type()) {
    case napi_boolean: return c10::Scalar(v.As<Napi::Boolean>().Value());
    case napi_bigint: return c10::Scalar(to_int(v, what));
    case napi_number: {
      double d = v.As<Napi::Number>().DoubleValue();
      // Integral JS numbers behave as Python ints (type promotion keeps int
      // tensors integral), also beyond 2^53 while they fit in int64; others
      // (and integral values outside int64, such as 1e20) as Python floats.
      if (std::isfinite(d) && d == std::trunc(d) && d >= -9223372036854775808.0 &&
          d < 9223372036854775808.0)
        return c10::Scalar(static_cast<int64_t>(d));
      return c10::Scalar(d);
    }
    case napi_external: {
      const at::Tensor& t = unwrap_tensor(v, what);
      if (t.numel() != 1)
        throw JsTypeError(std::string(what) + " must be a number or a one-element tensor");
      return t.item();
    }
    default: bad_type(v, what, "a number");
  }
}

Napi::Value from_ivalue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return wrap_tensor(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isIntList()) return js_int_array(env, v.toIntVector());
  if (v.isTensorList() || v.isList() || v.isTuple()) {
    std::vector<c10::IValue> elems;
    if (v.isTuple()) elems = v.toTupleRef().elements().vec();
    else elems = v.toListRef().vec();
    Napi::Array arr = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) arr.Set(static_cast<uint32_t>(i), from_ivalue(env, elems[i]));
    return arr;
  }
  if (v.isGenericDict()) {
    // String keys (a state dict, kwargs): a plain object, as JSON would; other keys: a Map.
    auto dict = v.toGenericDict();
    if (dict.keyType()->kind() == c10::TypeKind::StringType) {
      Napi::Object obj = Napi::Object::New(env);
      for (const auto& item : dict) obj.Set(item.key().toStringRef(), from_ivalue(env, item.value()));
      return obj;
    }
    Napi::Object map = env.Global().Get("Map").As<Napi::Function>().New({});
    Napi::Function set = map.Get("set").As<Napi::Function>();
    for (const auto& item : dict) set.Call(map, {from_ivalue(env, item.key()), from_ivalue(env, item.value())});
    return map;
  }
  if (v.isScalar()) {
    auto s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    return Napi::Number::New(env, s.toDouble());
  }
  if (v.isDevice()) return Napi::String::New(env, v.toDevice().str());
  throw std::runtime_error("cannot convert a LibTorch value of type " + v.tagKind() + " to JS");
}

// ---- zero-copy buffers ---------------------------------------------------------------

// frombuffer(arrayBuffer, byteOffset, count, dtype) -> zero-copy 1-D tensor.
// The tensor shares the buffer's V8 backing store, not the ArrayBuffer object:
// transferring or detaching the ArrayBuffer (postMessage, structuredClone)
// moves the memory but never frees it under the tensor. A resizable
// ArrayBuffer is refused: it can shrink, which no tensor could survive (as
// Python refuses to resize a bytearray while a tensor exports it).
// A SharedArrayBuffer is shared the same way (DataLoader workers map one copy of the dataset).
static Napi::Value frombuffer(const Napi::CallbackInfo& info) {
  Napi::Value buffer = info[0];
  const bool shared = to_v8(buffer)->IsSharedArrayBuffer();
  if (!buffer.IsArrayBuffer() && !shared) throw JsTypeError("frombuffer(): buffer must be an ArrayBuffer");
  int64_t offset = to_int(info[1], "frombuffer(): offset");
  int64_t count = to_int(info[2], "frombuffer(): count");
  auto dtype = to_scalar_type(info[3], "frombuffer(): dtype");
  std::unique_ptr<std::shared_ptr<v8::BackingStore>> store;
  if (shared) {
    store = std::make_unique<std::shared_ptr<v8::BackingStore>>(to_v8(buffer).As<v8::SharedArrayBuffer>()->GetBackingStore());
  } else {
    // Read after the arguments above, which can run JS (a valueOf) that detaches it.
    v8::Local<v8::ArrayBuffer> ab = to_v8(buffer).As<v8::ArrayBuffer>();
    if (ab->WasDetached()) throw JsTypeError("frombuffer(): the ArrayBuffer is detached");
    store = std::make_unique<std::shared_ptr<v8::BackingStore>>(ab->GetBackingStore());
  }
  if ((*store)->IsResizableByUserJavaScript())
    throw JsTypeError("frombuffer(): a resizable ArrayBuffer cannot be shared with a tensor (it could "
                      "shrink under it); copy it into a fixed-length one first");
  const size_t byte_length = (*store)->ByteLength();
  const int64_t elem = static_cast<int64_t>(c10::elementSize(dtype));
  // The TS layer checks these with PyTorch's messages; this keeps a direct
  // call from reading outside the buffer.
  if (elem <= 0 || offset < 0 || count < 0 || static_cast<uint64_t>(offset) > byte_length ||
      static_cast<uint64_t>(count) > (byte_length - static_cast<uint64_t>(offset)) / static_cast<uint64_t>(elem))
    throw JsRangeError("frombuffer(): offset and count reach outside the buffer");
  char* data = static_cast<char*>((*store)->Data()) + offset;
  auto* owner = store.release();  // freed with the storage, on whatever thread
  at::Tensor t = at::from_blob(
      data, {count}, [owner](void*) { delete owner; }, at::TensorOptions().dtype(dtype));
  return wrap_tensor(info.Env(), std::move(t));
}

static size_t typed_array_element_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

// fromdata(typedArray, shape, dtype) -> a new tensor holding a copy
static Napi::Value fromdata(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray()) throw JsTypeError("tensor(): data must be a TypedArray");
  // The shape first: reading it can run JS (a getter), which could detach
  // the buffer whose memory is borrowed below.
  auto shape = to_int_list(info[1], "tensor(): shape");
  auto dtype = to_scalar_type(info[2], "tensor(): dtype");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  const size_t nbytes = t.nbytes();
  const size_t have = ta.ElementLength() * typed_array_element_size(ta.TypedArrayType());
  if (have != nbytes)
    throw JsRangeError("tensor(): data holds " + std::to_string(have) + " bytes, shape " +
                       c10::str(c10::IntArrayRef(shape)) + " needs " + std::to_string(nbytes));
  if (nbytes) {
    auto* src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    std::memcpy(t.data_ptr(), src, nbytes);
  }
  return wrap_tensor(info.Env(), std::move(t));
}

// todata(tensor) -> a TypedArray copy of the (CPU, contiguous) tensor, in its dtype;
// float16/bfloat16 come back as float32, bool as uint8.
static Napi::Value todata(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& src = unwrap_tensor(info[0], "typed_array(): tensor");
  napi_typedarray_type tat;
  switch (src.scalar_type()) {
    case at::kFloat: case at::kHalf: case at::kBFloat16: tat = napi_float32_array; break;
    case at::kDouble: tat = napi_float64_array; break;
    case at::kByte: case at::kBool: tat = napi_uint8_array; break;
    case at::kChar: tat = napi_int8_array; break;
    case at::kShort: tat = napi_int16_array; break;
    case at::kInt: tat = napi_int32_array; break;
    case at::kLong: tat = napi_bigint64_array; break;
    default:
      throw JsTypeError(std::string("typed_array(): unsupported dtype ") + c10::toString(src.scalar_type()));
  }
  // Checked before anything is allocated: an expanded tensor can claim far
  // more elements than memory holds, and V8 aborts the process when an
  // ArrayBuffer allocation fails.
  const uint64_t numel = static_cast<uint64_t>(src.numel());
  const uint64_t nbytes = numel * typed_array_element_size(tat);
  if (numel > v8::TypedArray::kMaxLength)
    throw JsRangeError("typed_array(): " + std::to_string(numel) + " elements exceed the largest TypedArray (" +
                       std::to_string(v8::TypedArray::kMaxLength) + ")");
  at::Tensor t = src.detach();
  if (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16) t = t.to(at::kFloat);
  t = t.to(at::kCPU).contiguous();
  void* dst = nbytes ? std::malloc(nbytes) : nullptr;
  if (nbytes && !dst)
    throw JsRangeError("typed_array(): cannot allocate " + std::to_string(nbytes) + " bytes");
  if (nbytes) std::memcpy(dst, t.data_ptr(), nbytes);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
      env, dst, nbytes, [](Napi::Env, void* p) { std::free(p); });
  napi_value raw;
  check(env, napi_create_typedarray(env, tat, numel, ab, 0, &raw));
  return Napi::Value(env, raw);
}

// Metadata in one call: [shape, dtype code, device string, requires_grad]
static Napi::Value meta(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = unwrap_tensor(info[0], "tensor");
  Napi::Array arr = Napi::Array::New(env, 4);
  arr.Set(0u, js_int_array(env, t.sizes()));
  arr.Set(1u, Napi::Number::New(env, static_cast<int>(t.scalar_type())));
  arr.Set(2u, Napi::String::New(env, t.device().str()));
  arr.Set(3u, Napi::Boolean::New(env, t.requires_grad()));
  return arr;
}

static Napi::Value shape(const Napi::CallbackInfo& info) {
  return js_int_array(info.Env(), unwrap_tensor(info[0], "tensor").sizes());
}

static Napi::Value dtype_of(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(unwrap_tensor(info[0], "tensor").scalar_type()));
}

static Napi::Value strides(const Napi::CallbackInfo& info) {
  return js_int_array(info.Env(), unwrap_tensor(info[0], "tensor").strides());
}

static Napi::Value is_contiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrap_tensor(info[0], "tensor").is_contiguous());
}

static Napi::Value device_of(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), unwrap_tensor(info[0], "tensor").device().str());
}

// dispose(handle): raw Node-API, called for every intermediate a scope frees.
static napi_value dispose(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {nullptr};
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc >= 1)
    if (Slot* s = slot_of(Napi::Value(env, argv[0]))) {
      // Storage freed here needs no GC: it no longer counts toward the next minor GC.
      if (s->tensor.defined() && t_new_tensors_since_minor > 0) t_new_tensors_since_minor--;
      if (s->tensor.defined() && s->tensor.has_storage() && s->tensor.storage().use_count() == 1)
        t_new_bytes_since_minor = std::max<int64_t>(0, t_new_bytes_since_minor - s->bytes);
      release(s);
    }
  report_external_memory(env);
  return nullptr;
}

static Napi::Value is_tensor(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), is_tensor_handle(info[0]));
}

static Napi::Value is_disposed(const Napi::CallbackInfo& info) {
  Slot* s = slot_of(info[0]);
  if (!s) throw JsTypeError("is_disposed: expected a tensor handle");
  return Napi::Boolean::New(info.Env(), !s->tensor.defined());
}

static Napi::Value memory_stats(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("tensors", static_cast<double>(g_live_tensors.load()));
  o.Set("bytes", static_cast<double>(g_live_bytes.load()));
  return o;
}

thread_local c10::optional<at::Generator> t_thread_generator;

static Napi::Value manual_seed(const Napi::CallbackInfo& info) {
  if (info.Length() < 1) throw JsTypeError("manual_seed(): seed is required");
  const uint64_t seed = static_cast<uint64_t>(to_int(info[0], "manual_seed(): seed"));
  if (t_thread_generator) {
    // A worker seeds its own generator only, as a Python worker process does.
    std::lock_guard<std::mutex> lock(t_thread_generator->mutex());
    t_thread_generator->set_current_seed(seed);
  } else {
    at::manual_seed(seed);  // CPU and every CUDA generator, as torch.manual_seed does.
  }
  return info.Env().Undefined();
}

// use_thread_generator(seed): from now on this thread draws from a CPU generator
// of its own seeded with `seed` (Python's DataLoader worker runs
// torch.manual_seed(base_seed + id) in its own process; a worker thread would
// otherwise reseed the generator the main thread draws from).
static Napi::Value use_thread_generator(const Napi::CallbackInfo& info) {
  const uint64_t seed = static_cast<uint64_t>(to_int(info[0], "use_thread_generator(): seed"));
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  t_thread_generator = gen;
  return info.Env().Undefined();
}

static Napi::Value seed(const Napi::CallbackInfo& info) {
  auto gen = default_cpu_generator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Napi::String::New(info.Env(), std::to_string(gen.seed()));
}

static Napi::Value initial_seed(const Napi::CallbackInfo& info) {
  auto gen = default_cpu_generator();
  return Napi::String::New(info.Env(), std::to_string(gen.current_seed()));
}

static Napi::Value set_num_threads(const Napi::CallbackInfo& info) {
  int64_t n = to_int(info[0], "set_num_threads(): n");
  if (n <= 0 || n > 65536) throw JsRangeError("set_num_threads expects a positive integer");
  at::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

// A DataLoader worker's intra-op threads: Python's worker process calls
// torch.set_num_threads(1), so N workers do not run N OpenMP teams on the
// machine's cores. A worker here is a thread, and at::set_num_threads would
// also change the count every later thread starts with: OpenMP's count is
// per thread, so only this thread's is set (after ATen's per-thread lazy init,
// which would reset it). LibTorch without OpenMP has no per-thread count: no-op.
extern "C" void omp_set_num_threads(int) __attribute__((weak));
static Napi::Value set_thread_num_threads(const Napi::CallbackInfo& info) {
  int64_t n = to_int(info[0], "set_thread_num_threads(): n");
  if (n <= 0 || n > 65536) throw JsRangeError("set_thread_num_threads expects a positive integer");
  (void)at::get_num_threads();
  if (omp_set_num_threads) omp_set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

static Napi::Value get_num_threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

static Napi::Value build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torch_version", TORCH_VERSION);
  o.Set("cuda_available", at::hasCUDA());
  o.Set("cuda_device_count", static_cast<double>(at::detail::getCUDAHooks().getNumGPUs()));
  o.Set("cxx11_abi", static_cast<bool>(_GLIBCXX_USE_CXX11_ABI));
  o.Set("parallel_info", at::get_parallel_info());
  return o;
}

static Napi::Value set_default_dtype(const Napi::CallbackInfo& info) {
  auto st = to_scalar_type(info[0], "set_default_dtype(): d");
  if (!c10::isFloatingType(st))
    throw JsTypeError("only floating-point types are supported as the default type");
  c10::set_default_dtype(c10::scalarTypeToTypeMeta(st));
  return info.Env().Undefined();
}

static Napi::Value get_default_dtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(c10::typeMetaToScalarType(c10::get_default_dtype())));
}

// Tensors freed by the GC leave in bursts (a minor GC frees ~8 MB at once):
// glibc then consolidates them into the heap's top and, past its trim
// threshold, hands the pages back, and the next results fault them in again
// (1-4 faults per 400 KB result, several us of kernel time each on a loaded
// machine; Python, freeing one buffer at a time, reuses it). Pinned to what
// glibc's dynamic thresholds reach at most (mmap 32 MB, trim 64 MB): the
// garbage loop 22% less CPU, faults 10x fewer (docs/gc-cost.md). A user's
// MALLOC_*_THRESHOLD_ / glibc.malloc tunables win; TORCH_NODE_MMAP_THRESHOLD=<bytes>
// sets the mmap threshold (trim: twice it), 0 leaves glibc's dynamic thresholds.
constexpr long kDefaultMmapThreshold = 32L << 20;

static void set_allocator_policy() {
#ifdef __GLIBC__
  static std::once_flag once;
  std::call_once(once, [] {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") ||
        (tunables && (std::strstr(tunables, "mmap_threshold") || std::strstr(tunables, "trim_threshold"))))
      return;
    long threshold = kDefaultMmapThreshold;
    if (const char* env = std::getenv("TORCH_NODE_MMAP_THRESHOLD")) threshold = std::atol(env);
    if (threshold <= 0) return;
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(std::min(threshold, 1L << 30)));
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::min(2 * threshold, 1L << 30)));
  });
#endif
}

void init_tensor(Napi::Env env, Napi::Object exports) {
  set_allocator_policy();
  install_warning_handler();
  exports.DefineProperties({
      fn<frombuffer>(env, "frombuffer"),
      fn<fromdata>(env, "fromdata"),
      fn<todata>(env, "todata"),
      fn<meta>(env, "meta"),
      fn<shape>(env, "shape"),
      fn<dtype_of>(env, "dtype"),
      fn<strides>(env, "strides"),
      fn<device_of>(env, "device"),
      fn<is_contiguous>(env, "is_contiguous"),
      fn<is_disposed>(env, "is_disposed"),
      fn<is_tensor>(env, "is_tensor"),
      fn<memory_stats>(env, "memory_stats"),
      fn<manual_seed>(env, "manual_seed"),
      fn<seed>(env, "seed"),
      fn<initial_seed>(env, "initial_seed"),
      fn<use_thread_generator>(env, "use_thread_generator"),
      fn<set_num_threads>(env, "set_num_threads"),
      fn<get_num_threads>(env, "get_num_threads"),
      fn<set_thread_num_threads>(env, "set_thread_num_threads"),
      fn<build_info>(env, "build_info"),
      fn<set_default_dtype>(env, "set_default_dtype"),
      fn<get_default_dtype>(env, "get_default_dtype"),
      fn<set_warning_callback>(env, "set_warning_callback"),
      fn<die_with_parent>(env, "die_with_parent"),
  });
  napi_value dispose_fn;
  check(env, napi_create_function(env, "dispose", NAPI_AUTO_LENGTH, dispose, nullptr, &dispose_fn));
  exports.Set("dispose", Napi::Value(env, dispose_fn));
}

}  // namespace tn

namespace tn { void init_image(Napi::Env env, Napi::Object exports); }  // image.cpp: no LibTorch there

static Napi::Object init(Napi::Env env, Napi::Object exports) {
  tn::init_tensor(env, exports);
  tn::init_image(env, exports);
  tn::init_dispatch(env, exports);
  tn::init_autograd(env, exports);
  tn::init_indexing(env, exports);
  tn::init_serialize(env, exports);
  tn::init_jit(env, exports);
  tn::init_cuda(env, exports);
#ifdef TN_HAS_DISTRIBUTED
  tn::init_distributed(env, exports);
#endif
  return exports;
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, init)
