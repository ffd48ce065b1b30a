// Every ATen op, reached through the c10 dispatcher by schema name.
//
// op_handle("aten::add", "Tensor") resolves a schema once and returns a small
// integer; call(op, ...args) converts the JS arguments by the schema's own
// argument types (defaults filled in for `undefined`), calls the boxed kernel
// (autograd included) and converts the results. One mechanism for every op:
// no per-op native code.
#include "common.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <ATen/ScalarOps.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/anomaly_mode.h>

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

#include <array>
#include <memory>
#include <set>
#include <thread>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace tn {
namespace {

enum class Kind : uint8_t {
  Tensor, TensorList, OptTensorList, Scalar, Int, IntList, Float, FloatList, Bool,
  BoolList, String, ScalarType, Layout, MemoryFormat, Device, Generator, Unsupported
};

struct ArgSpec {
  Kind kind;
  bool optional;
  int list_size;      // N of a fixed-size list such as int[2] (0: any)
  std::string label;  // "aten::add(): argument 'other'" for messages
  c10::optional<c10::IValue> default_value;
};

struct OpEntry {
  c10::OperatorHandle handle;
  std::string name;
  std::vector<ArgSpec> args;
  // For each return: index of the argument it writes in place (a!), or -1.
  std::vector<int> return_alias_of;
  explicit OpEntry(c10::OperatorHandle h) : handle(std::move(h)) {}
};

Kind kind_of(const c10::TypePtr& type) {
  using K = c10::TypeKind;
  switch (type->kind()) {
    case K::TensorType: return Kind::Tensor;
    case K::NumberType: return Kind::Scalar;
    case K::IntType: return Kind::Int;
    case K::FloatType: return Kind::Float;
    case K::BoolType: return Kind::Bool;
    case K::StringType: return Kind::String;
    case K::ScalarTypeType: return Kind::ScalarType;
    case K::LayoutType: return Kind::Layout;
    case K::MemoryFormatType: return Kind::MemoryFormat;
    case K::DeviceObjType: return Kind::Device;
    case K::GeneratorType: return Kind::Generator;
    case K::ListType: {
      const auto& elem = type->containedType(0);
      if (elem->kind() == K::TensorType) return Kind::TensorList;
      if (elem->kind() == K::OptionalType &&
          elem->containedType(0)->kind() == K::TensorType)
        return Kind::OptTensorList;
      if (elem->kind() == K::IntType || compat::is_sym_int(elem->kind())) return Kind::IntList;
      if (elem->kind() == K::FloatType) return Kind::FloatList;
      if (elem->kind() == K::BoolType) return Kind::BoolList;
      return Kind::Unsupported;
    }
    default:
      if (compat::is_sym_int(type->kind())) return Kind::Int;
      return Kind::Unsupported;
  }
}

// Ops are process-wide: the table is shared by every worker. Entries are never
// removed, so a reader needs no lock once it holds an index below the count.
constexpr size_t kMaxOps = 16384;
std::array<OpEntry*, kMaxOps> g_ops{};
std::atomic<size_t> g_op_count{0};
std::mutex g_ops_mutex;
std::unordered_map<std::string, uint32_t> g_op_index;

uint32_t resolve(const std::string& name, const std::string& overload) {
  std::lock_guard<std::mutex> lock(g_ops_mutex);
  std::string key = name + "." + overload;
  auto it = g_op_index.find(key);
  if (it != g_op_index.end()) return it->second;
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle)
    throw JsTypeError("unknown operator " + name + (overload.empty() ? "" : "." + overload));
  auto* e = new OpEntry(*handle);
  e->name = name.substr(name.find("::") == std::string::npos ? 0 : name.find("::") + 2);
  const auto& schema = handle->schema();
  for (const auto& arg : schema.arguments()) {
    ArgSpec spec;
    c10::TypePtr type = arg.real_type();
    spec.optional = type->kind() == c10::TypeKind::OptionalType;
    if (spec.optional) type = type->containedType(0);
    spec.kind = kind_of(type);
    spec.list_size = arg.N() ? *arg.N() : 0;
    spec.label = e->name + "(): argument '" + arg.name() + "'";
    spec.default_value = arg.default_value();
    e->args.push_back(std::move(spec));
  }
  for (const auto& ret : schema.returns()) {
    int alias = -1;
    if (ret.alias_info() && ret.alias_info()->isWrite()) {
      for (size_t i = 0; i < schema.arguments().size(); i++) {
        const auto* ai = schema.arguments()[i].alias_info();
        if (ai && ai->isWrite() && ai->beforeSets() == ret.alias_info()->beforeSets()) {
          alias = static_cast<int>(i);
          break;
        }
      }
    }
    e->return_alias_of.push_back(alias);
  }
  size_t index = g_op_count.load();
  if (index >= kMaxOps) throw std::runtime_error("too many distinct operators");
  g_ops[index] = e;
  g_op_count.store(index + 1);
  g_op_index.emplace(key, static_cast<uint32_t>(index));
  return static_cast<uint32_t>(index);
}

// torch.Generator: a JS External owning an at::Generator (CPU). The finalizer
// only deletes it (no JS values), so it may run inside GC.
struct GenBox { at::Generator gen; };
const napi_type_tag kGenTag = {0x746f7263686e6f64ULL, 0x67656e657261746fULL};

at::Generator& unwrap_generator(napi_env env, napi_value v, const char* what) {
  bool tagged = false;
  if (type_of(env, v) == napi_external) napi_check_object_type_tag(env, v, &kGenTag, &tagged);
  if (!tagged) throw JsTypeError(std::string(what) + " must be a torch.Generator");
  void* data = nullptr;
  napi_get_value_external(env, v, &data);
  return static_cast<GenBox*>(data)->gen;
}

// `t` is v's type, which call() has already read.
c10::IValue to_ivalue(napi_env env, napi_value v, napi_valuetype t, const ArgSpec& spec) {
  const char* label = spec.label.c_str();
  switch (spec.kind) {
    case Kind::Tensor: {
      // A JS number where a Tensor goes becomes a "wrapped number", exactly as
      // Python's argument parser does for `x * 2`: promotion treats it as a
      // scalar, and autograd records the same node (MulBackward0) as Python.
      if (t == napi_number || t == napi_boolean || t == napi_bigint) {
        at::Tensor w = c10::scalar_to_tensor(to_scalar(env, v, label));
        w.unsafeGetTensorImpl()->set_wrapped_number(true);
        return w;
      }
      return unwrap_tensor(env, v, label);
    }
    case Kind::Scalar: return to_scalar(env, v, label);
    case Kind::Int: return to_int(env, v, label);
    case Kind::Float: return to_double(env, v, label);
    case Kind::Bool: return to_bool(env, v, label);
    case Kind::String: return to_string(env, v, label);
    case Kind::ScalarType: return static_cast<int64_t>(to_scalar_type(env, v, label));
    case Kind::Layout:
    case Kind::MemoryFormat: return to_int(env, v, label);
    case Kind::Device: return to_device(env, v, label);
    case Kind::IntList: {
      auto list = to_int_list(env, v, label);
      // Python's argument parser expands one int to a fixed-size list: int[2] k=3 -> [3, 3].
      if (list.size() == 1 && spec.list_size > 1 && !is_array(env, v)) list.assign(spec.list_size, list[0]);
      return list;
    }
    case Kind::TensorList: {
      std::vector<at::Tensor> list;
      for_each_element(env, v, label, "an array", [&](napi_value e) { list.push_back(unwrap_tensor(env, e, label)); });
      return list;
    }
    case Kind::OptTensorList: {
      c10::List<c10::optional<at::Tensor>> list;
      for_each_element(env, v, label, "an array", [&](napi_value e) {
        list.push_back(is_nullish(env, e) ? c10::optional<at::Tensor>()
                                          : c10::optional<at::Tensor>(unwrap_tensor(env, e, label)));
      });
      return list;
    }
    case Kind::FloatList: {
      std::vector<double> list;
      if (!is_array(env, v)) return std::vector<double>{to_double(env, v, label)};
      for_each_element(env, v, label, "an array", [&](napi_value e) { list.push_back(to_double(env, e, label)); });
      return list;
    }
    case Kind::BoolList: {
      c10::List<bool> list;
      for_each_element(env, v, label, "an array", [&](napi_value e) { list.push_back(to_bool(env, e, label)); });
      return list;
    }
    case Kind::Generator: return unwrap_generator(env, v, label);
    case Kind::Unsupported: break;
  }
  throw JsTypeError(spec.label + " has a type that torch-node cannot pass");
}

napi_value call(napi_env env, napi_callback_info info) {
  constexpr size_t kMaxArgs = 32;  // the handle + the most arguments an ATen op takes (26)
  size_t argc = kMaxArgs;
  napi_value argv[kMaxArgs];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return guard(env, [&]() -> napi_value {
    if (argc < 1) throw JsTypeError("call(): missing operator");
    // argc is the count given, which may exceed what argv received.
    if (argc > kMaxArgs) throw JsTypeError("call(): too many arguments");
    uint32_t index;
    if (napi_get_value_uint32(env, argv[0], &index) != napi_ok || index >= g_op_count.load())
      throw JsTypeError("call(): bad operator handle");
    const OpEntry& op = *g_ops[index];
    size_t given = argc - 1;
    if (given > op.args.size())
      throw JsTypeError(op.name + "() takes " + std::to_string(op.args.size()) +
                        " arguments but " + std::to_string(given) + " were given");
    // One stack per thread, reused: saves an allocation per call. Cleared on
    // the way out (whatever happens) so that it holds no tensor between calls.
    // Converting an argument can run JS (an array getter) that calls an op:
    // that nested call gets a stack of its own.
    static thread_local torch::jit::Stack reused;
    static thread_local bool reused_busy = false;
    torch::jit::Stack nested;
    torch::jit::Stack& stack = reused_busy ? nested : reused;
    struct Release {
      torch::jit::Stack& stack;
      bool owns_reused;
      ~Release() {
        stack.clear();
        if (owns_reused) reused_busy = false;
      }
    } release{stack, !reused_busy};
    reused_busy = true;
    // The tensor behind a `self` handle, to recognise an op that returns it.
    const c10::TensorImpl* self_impl = nullptr;
    for (size_t i = 0; i < op.args.size(); i++) {
      const ArgSpec& spec = op.args[i];
      napi_value v = i < given ? argv[i + 1] : nullptr;
      napi_valuetype t = napi_undefined;
      if (v) napi_typeof(env, v, &t);
      if (t == napi_undefined) {
        if (spec.default_value) { stack.push_back(*spec.default_value); continue; }
        if (spec.optional) { stack.emplace_back(); continue; }
        throw JsTypeError(spec.label + " is required");
      }
      if (t == napi_null) {
        if (spec.optional) { stack.emplace_back(); continue; }
        throw JsTypeError(spec.label + " must not be null");
      }
      stack.push_back(to_ivalue(env, v, t, spec));
      if (i == 0 && t == napi_external && spec.kind == Kind::Tensor)
        self_impl = stack.back().toTensor().unsafeGetTensorImpl();
    }
    op.handle.callBoxed(stack);
    size_t nret = op.return_alias_of.size();
    if (nret == 0) return js_undefined(env);
    auto convert = [&](size_t r) -> napi_value {
      int alias = op.return_alias_of[r];
      // An in-place op returns its own argument: hand back the same JS handle.
      if (alias >= 0 && static_cast<size_t>(alias) < given) return argv[alias + 1];
      // An op that returns `self` unchanged (to(), contiguous()) hands back
      // the same handle too, so that JS sees the same object, as Python does.
      if (self_impl && stack[r].isTensor() && stack[r].toTensor().unsafeGetTensorImpl() == self_impl)
        return argv[1];
      return from_ivalue(env, stack[r]);
    };
    if (nret == 1) return convert(0);
    napi_value arr;
    napi_create_array_with_length(env, nret, &arr);
    for (size_t r = 0; r < nret; r++) napi_set_element(env, arr, r, convert(r));
    return arr;
  });
}

// op_handle(name, overload) -> integer handle
napi_value op_handle(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    if (a.size() < 1) throw JsTypeError("op_handle(): name is required");
    std::string name = to_string(env, a[0], "op_handle(): name");
    std::string overload = a.size() > 1 && !is_nullish(env, a[1])
                               ? to_string(env, a[1], "op_handle(): overload") : "";
    if (name.find("::") == std::string::npos) name = "aten::" + name;
    return js_number(env, resolve(name, overload));
  });
}

// op_schema(handle) -> the schema as a string (for docs, errors and tests)
napi_value op_schema(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 1);
    int64_t index = to_int(env, a.size() ? a[0] : nullptr, "op_schema(): handle");
    if (index < 0 || static_cast<size_t>(index) >= g_op_count.load())
      throw JsTypeError("op_schema(): bad handle");
    return js_string(env, c10::toString(g_ops[index]->handle.schema()));
  });
}

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

void init_dispatch(napi_env env, napi_value exports) {
  {
    std::lock_guard<std::mutex> lock(g_envs_mutex);
    g_live_envs.insert(env);
  }
  napi_add_env_cleanup_hook(env, [](void* e) {
    std::lock_guard<std::mutex> lock(g_envs_mutex);
    g_live_envs.erase(static_cast<napi_env>(e));
  }, env);
  export_functions(env, exports, {
      {"call", call},
      {"op_handle", op_handle},
      {"op_schema", op_schema},
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
