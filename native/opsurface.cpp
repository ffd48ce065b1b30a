// Python's behaviours that need native code, beside the dispatcher: torch.Generator objects,
// LibTorch's global switches (torch.use_deterministic_algorithms, set_num_interop_threads,
// autocast and anomaly state...), Tensor.numpy()'s zero-copy view and Tensor.register_hook.
// Raw Node-API, as dispatch.cpp.
#include "common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/anomaly_mode.h>

#include <memory>
#include <mutex>
#include <set>
#include <thread>

// at::autocast's API (ATen/autocast_mode.h pulls in all of ATen/ATen.h: declared here instead).
namespace at { namespace autocast {
TORCH_API bool is_enabled();
TORCH_API void set_enabled(bool enabled);
TORCH_API void clear_cache();
TORCH_API int increment_nesting();
TORCH_API int decrement_nesting();
TORCH_API bool is_cpu_enabled();
TORCH_API void set_cpu_enabled(bool enabled);
TORCH_API at::ScalarType get_autocast_gpu_dtype();
TORCH_API at::ScalarType get_autocast_cpu_dtype();
TORCH_API void set_autocast_gpu_dtype(at::ScalarType dtype);
TORCH_API void set_autocast_cpu_dtype(at::ScalarType dtype);
TORCH_API bool is_autocast_cache_enabled();
TORCH_API void set_autocast_cache_enabled(bool enabled);
}}  // namespace at::autocast

namespace tn {

// torch.Generator: a JS External owning an at::Generator (CPU). The finalizer
// only deletes it (no JS values), so it may run inside GC.
namespace {
struct GenBox { at::Generator gen; };
const napi_type_tag kGenTag = {0x746f7263686e6f64ULL, 0x67656e657261746fULL};

}  // namespace

at::Generator& unwrap_generator(napi_env env, napi_value v, const char* what) {
  bool tagged = false;
  if (type_of(env, v) == napi_external) napi_check_object_type_tag(env, v, &kGenTag, &tagged);
  if (!tagged) throw JsTypeError(std::string(what) + " must be a torch.Generator");
  void* data = nullptr;
  napi_get_value_external(env, v, &data);
  return static_cast<GenBox*>(data)->gen;
}

namespace {

// generator_new() -> a new CPU generator (seeded as torch.Generator() is: default_rng_seed_val)
napi_value generator_new(napi_env env, napi_callback_info) {
  return guard(env, [&]() -> napi_value {
    auto* box = new GenBox{at::make_generator<at::CPUGeneratorImpl>()};
    napi_value ext;
    check(env, napi_create_external(env, box, [](napi_env, void* d, void*) { delete static_cast<GenBox*>(d); }, nullptr, &ext));
    check(env, napi_type_tag_object(env, ext, &kGenTag));
    return ext;
  });
}

// The generator given, or the default CPU generator for null.
at::Generator gen_arg(napi_env env, const Args& a) {
  if (a.size() < 1 || is_nullish(env, a[0])) return at::detail::getDefaultCPUGenerator();
  return unwrap_generator(env, a[0], "generator");
}

napi_value generator_manual_seed(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    auto gen = gen_arg(env, a);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(static_cast<uint64_t>(to_int(env, a.size() > 1 ? a[1] : nullptr, "manual_seed(): seed")));
    return js_undefined(env);
  });
}

napi_value generator_seed(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    auto gen = gen_arg(env, a);
    std::lock_guard<std::mutex> lock(gen.mutex());
    return js_string(env, std::to_string(gen.seed()));
  });
}

napi_value generator_initial_seed(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    auto gen = gen_arg(env, a);
    return js_string(env, std::to_string(gen.current_seed()));
  });
}

napi_value generator_get_state(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    auto gen = gen_arg(env, a);
    std::lock_guard<std::mutex> lock(gen.mutex());
    return wrap_tensor(env, at::Tensor(gen.get_state()));
  });
}

napi_value generator_set_state(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    auto gen = gen_arg(env, a);
    const at::Tensor& state = unwrap_tensor(env, a.size() > 1 ? a[1] : nullptr, "set_state(): new_state");
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
    return js_undefined(env);
  });
}

// context(name[, value]): LibTorch's global switches (torch.use_deterministic_algorithms,
// set_num_interop_threads, autocast state, anomaly mode...): read without value, set with one.
napi_value context(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    std::string name = to_string(env, a.size() ? a[0] : nullptr, "context(): name");
    bool set = a.size() > 1 && type_of(env, a[1]) != napi_undefined;
    napi_value v = set ? a[1] : nullptr;
    auto& ctx = at::globalContext();
    namespace ac = at::autocast;
    using torch::autograd::AnomalyMode;
    auto flag = [&](bool (*get)(), void (*put)(bool)) -> napi_value {
      if (set) { put(to_bool(env, v, name.c_str())); return js_undefined(env); }
      return js_bool(env, get());
    };
    if (name == "deterministic") {
      if (set) { ctx.setDeterministicAlgorithms(to_bool(env, v, "mode"), ctx.deterministicAlgorithmsWarnOnly()); return js_undefined(env); }
      return js_bool(env, ctx.deterministicAlgorithms());
    }
    if (name == "deterministic_warn_only") {
      if (set) { ctx.setDeterministicAlgorithms(ctx.deterministicAlgorithms(), to_bool(env, v, "warn_only")); return js_undefined(env); }
      return js_bool(env, ctx.deterministicAlgorithmsWarnOnly());
    }
    if (name == "num_interop_threads") {
      if (set) { at::set_num_interop_threads(static_cast<int>(to_int(env, v, "num"))); return js_undefined(env); }
      return js_number(env, at::get_num_interop_threads());
    }
    if (name == "init_num_threads") { at::init_num_threads(); return js_undefined(env); }
    if (name == "flush_denormal") return js_bool(env, at::Context::setFlushDenormal(to_bool(env, v, "mode")));
    if (name == "float32_matmul_precision") {
      if (set) { ctx.setFloat32MatmulPrecision(to_string(env, v, "precision")); return js_undefined(env); }
      auto p = ctx.float32MatmulPrecision();
      return js_string(env, p == at::Float32MatmulPrecision::HIGHEST ? "highest" : p == at::Float32MatmulPrecision::HIGH ? "high" : "medium");
    }
    if (name == "autocast_enabled") return flag(ac::is_enabled, ac::set_enabled);
    if (name == "autocast_cpu_enabled") return flag(ac::is_cpu_enabled, ac::set_cpu_enabled);
    if (name == "autocast_cache_enabled") return flag(ac::is_autocast_cache_enabled, ac::set_autocast_cache_enabled);
    if (name == "autocast_cpu_dtype") {
      if (set) { ac::set_autocast_cpu_dtype(to_scalar_type(env, v, "dtype")); return js_undefined(env); }
      return js_number(env, static_cast<int>(ac::get_autocast_cpu_dtype()));
    }
    if (name == "autocast_gpu_dtype") {
      if (set) { ac::set_autocast_gpu_dtype(to_scalar_type(env, v, "dtype")); return js_undefined(env); }
      return js_number(env, static_cast<int>(ac::get_autocast_gpu_dtype()));
    }
    if (name == "autocast_clear_cache") { ac::clear_cache(); return js_undefined(env); }
    if (name == "autocast_increment_nesting") return js_number(env, ac::increment_nesting());
    if (name == "autocast_decrement_nesting") return js_number(env, ac::decrement_nesting());
    if (name == "anomaly_enabled") {
      if (set) { AnomalyMode::set_enabled(to_bool(env, v, "mode")); return js_undefined(env); }
      return js_bool(env, AnomalyMode::is_enabled());
    }
    if (name == "anomaly_check_nan") return js_bool(env, AnomalyMode::should_check_nan());
    if (name == "warn_always") {
      if (set) { c10::Warning::set_warnAlways(to_bool(env, v, "b")); return js_undefined(env); }
      return js_bool(env, c10::Warning::get_warnAlways());
    }
    throw JsTypeError("context(): unknown switch " + name);
  });
}

// numpy_view(tensor) -> a TypedArray over the tensor's own memory (Tensor.numpy(): no copy).
// The ArrayBuffer holds a reference to the tensor's storage, released by its finalizer (which
// runs no JS, so it may run inside GC). Refused as PyTorch refuses numpy(): requires_grad,
// not on the CPU; and where a TypedArray cannot stand for it (strides, half/bfloat16).
napi_value numpy_view(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    const at::Tensor& t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "numpy(): tensor");
    if (t.requires_grad())
      throw std::runtime_error("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
    if (!t.device().is_cpu())
      throw JsTypeError("can't convert " + t.device().str() + " device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.");
    if (!t.is_contiguous())
      throw std::runtime_error("numpy(): a TypedArray cannot view a non-contiguous tensor; call contiguous() first (or typed_array() for a copy)");
    napi_typedarray_type tat;
    switch (t.scalar_type()) {
      case at::kFloat: tat = napi_float32_array; break;
      case at::kDouble: tat = napi_float64_array; break;
      case at::kByte: case at::kBool: tat = napi_uint8_array; break;
      case at::kChar: tat = napi_int8_array; break;
      case at::kShort: tat = napi_int16_array; break;
      case at::kInt: tat = napi_int32_array; break;
      case at::kLong: tat = napi_bigint64_array; break;
      default: throw JsTypeError(std::string("Got unsupported ScalarType ") + c10::toString(t.scalar_type()));
    }
    napi_value ab, out;
    size_t nbytes = t.nbytes();
    if (nbytes == 0) {
      void* unused;
      check(env, napi_create_arraybuffer(env, 0, &unused, &ab));
    } else {
      auto* keep = new at::Tensor(t.detach());
      napi_status st = napi_create_external_arraybuffer(
          env, keep->data_ptr(), nbytes, [](napi_env, void*, void* hint) { delete static_cast<at::Tensor*>(hint); }, keep, &ab);
      if (st != napi_ok) { delete keep; check(env, st); }
    }
    check(env, napi_create_typedarray(env, tat, t.numel(), ab, 0, &out));
    return out;
  });
}

// ---- Tensor.register_hook: a JS function called with the gradient during backward ----
// Backward of a CPU graph runs its nodes on the calling (JS) thread; a hook that would run
// on another thread raises instead of calling JS. The function's reference is released with
// the hook, unless the environment has gone (then nothing may be touched).
std::mutex g_envs_mutex;
std::set<napi_env> g_live_envs;

struct JsHook {
  napi_env env = nullptr;
  napi_ref fn = nullptr;
  std::thread::id thread;
  JsHook() = default;
  JsHook(const JsHook&) = delete;
  JsHook& operator=(const JsHook&) = delete;
  ~JsHook() {
    if (!fn) return;
    std::lock_guard<std::mutex> lock(g_envs_mutex);
    if (g_live_envs.count(env)) napi_delete_reference(env, fn);
  }
};

std::string pending_message(napi_env env) {
  napi_value err, msg;
  std::string text = "an exception in a tensor hook";
  if (napi_get_and_clear_last_exception(env, &err) != napi_ok) return text;
  napi_value m;
  if (type_of(env, err) == napi_object && napi_get_named_property(env, err, "message", &m) == napi_ok &&
      napi_coerce_to_string(env, m, &msg) == napi_ok) {
    size_t len = 0;
    napi_get_value_string_utf8(env, msg, nullptr, 0, &len);
    std::string s(len, '\0');
    napi_get_value_string_utf8(env, msg, s.data(), len + 1, &len);
    return s;
  }
  return text;
}

napi_value register_hook(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    const at::Tensor& t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "register_hook(): tensor");
    if (a.size() < 2 || type_of(env, a[1]) != napi_function) throw JsTypeError("register_hook(): hook must be a function");
    if (!t.requires_grad()) throw std::runtime_error("cannot register a hook on a tensor that doesn't require gradient");
    auto hook = std::make_shared<JsHook>();
    hook->env = env;
    hook->thread = std::this_thread::get_id();
    check(env, napi_create_reference(env, a[1], 1, &hook->fn));
    unsigned pos = t.register_hook([hook](const at::Tensor& grad) -> at::Tensor {
      TORCH_CHECK(std::this_thread::get_id() == hook->thread,
                  "a torch-node tensor hook ran on another thread than the one that registered it (JS runs on one thread)");
      napi_env env = hook->env;
      napi_handle_scope scope;
      napi_open_handle_scope(env, &scope);
      struct Close { napi_env env; napi_handle_scope scope; ~Close() { napi_close_handle_scope(env, scope); } } close{env, scope};
      napi_value fn, global, result;
      napi_get_reference_value(env, hook->fn, &fn);
      napi_get_global(env, &global);
      napi_value g = wrap_tensor(env, grad);
      if (napi_call_function(env, global, fn, 1, &g, &result) != napi_ok) TORCH_CHECK(false, pending_message(env));
      if (type_of(env, result) == napi_external) return unwrap_tensor(env, result, "hook result");
      return at::Tensor();
    });
    return js_number(env, pos);
  });
}

napi_value remove_hook(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    const at::Tensor& t = unwrap_tensor(env, a.size() ? a[0] : nullptr, "remove_hook(): tensor");
    t.remove_hook(static_cast<unsigned>(to_int(env, a.size() > 1 ? a[1] : nullptr, "remove_hook(): handle")));
    return js_undefined(env);
  });
}

}  // namespace

void init_opsurface(napi_env env, napi_value exports) {
  {
    std::lock_guard<std::mutex> lock(g_envs_mutex);
    g_live_envs.insert(env);
  }
  napi_add_env_cleanup_hook(env, [](void* e) {
    std::lock_guard<std::mutex> lock(g_envs_mutex);
    g_live_envs.erase(static_cast<napi_env>(e));
  }, env);
  export_functions(env, exports, {
      {"generator_new", generator_new},
      {"generator_manual_seed", generator_manual_seed},
      {"generator_seed", generator_seed},
      {"generator_initial_seed", generator_initial_seed},
      {"generator_get_state", generator_get_state},
      {"generator_set_state", generator_set_state},
      {"context", context},
      {"numpy_view", numpy_view},
      {"register_hook", register_hook},
      {"remove_hook", remove_hook},
  });
}

}  // namespace tn
