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
#include <ATen/ExpandUtils.h>
#include <ATen/ops/result_type.h>
#include <ATen/ops/scalar_tensor.h>
#include <ATen/core/grad_mode.h>

#include <limits>

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace tn {

// torch.Generator handles (native/opsurface.inc, included at the end).
at::Generator& unwrap_generator(Napi::Value v, const char* what);

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
  // An integer division-like op (see guard_integer_division): 0 none, 1 a
  // quotient, 2 a remainder; with the stack positions of its operands.
  int int_division = 0;
  int dividend = -1, divisor = -1, rounding_mode = -1;
  // An op that draws from the default generator without taking one (rand,
  // randint, randn, randperm): its overload that takes one, and where the
  // generator goes, for threads with a default generator of their own.
  const OpEntry* generator_twin = nullptr;
  int twin_generator_pos = -1;
  explicit OpEntry(c10::OperatorHandle h) : handle(std::move(h)) {}
};

// x86's idiv traps (SIGFPE, the process dies) on INT_MIN / -1 in 32 and 64
// bits, and ATen's CPU kernels divide without a check: PyTorch itself dies on
// `torch.full([2], -2**31, dtype=torch.int32) // -1`. Every op that divides
// integers is recognised by name when it is resolved, and checked before its
// kernel runs: a quotient that overflows is a RuntimeError; a remainder by -1
// is 0 whatever the dividend, so the divisor -1 is replaced by 1.
void classify_integer_division(OpEntry& e, const c10::FunctionSchema& schema) {
  std::string base = e.name;
  if (!base.empty() && base.back() == '_') base.pop_back();
  if (base == "div" || base == "divide" || base == "floor_divide") e.int_division = 1;
  else if (base == "remainder" || base == "fmod") e.int_division = 2;
  else return;
  const auto& args = schema.arguments();
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i].name() == "self") e.dividend = static_cast<int>(i);
    else if (args[i].name() == "other") e.divisor = static_cast<int>(i);
    else if (args[i].name() == "rounding_mode") e.rounding_mode = static_cast<int>(i);
  }
  // div without rounding_mode is true division (float); others lack operands.
  if (e.dividend < 0 || e.divisor < 0 || (base != "floor_divide" && e.int_division == 1 && e.rounding_mode < 0))
    e.int_division = 0;
}

at::ScalarType operand_type(const c10::IValue& a, const c10::IValue& b) {
  if (a.isTensor() && b.isTensor()) return at::result_type(a.toTensor(), b.toTensor());
  if (a.isTensor() && b.isScalar()) return at::result_type(a.toTensor(), b.toScalar());
  if (a.isScalar() && b.isTensor()) return at::result_type(a.toScalar(), b.toTensor());
  return at::kDouble;  // not an operand pair this check knows: leave it to the kernel
}

at::Tensor as_tensor(const c10::IValue& v, at::ScalarType type) {
  return v.isTensor() ? v.toTensor().detach().to(type) : at::scalar_tensor(v.toScalar(), at::kLong).to(type);
}

void guard_integer_division(const OpEntry& op, torch::jit::Stack& stack) {
  if (op.int_division == 1 && op.rounding_mode >= 0 && stack[op.rounding_mode].isNone()) return;
  const c10::IValue& a = stack[op.dividend];
  c10::IValue& b = stack[op.divisor];
  const at::ScalarType type = operand_type(a, b);
  if (type != at::kInt && type != at::kLong) return;  // narrower ints divide in int, floats do not trap
  if (b.isTensor() && !b.toTensor().device().is_cpu()) return;  // GPUs do not trap
  at::NoGradGuard no_grad;
  at::Tensor divisor_is_minus_one = as_tensor(b, type).eq(-1);
  if (!divisor_is_minus_one.any().item<bool>()) return;
  if (op.int_division == 2) {  // x % -1 == x % 1 == 0
    at::Tensor divisor = as_tensor(b, type);
    b = b.isTensor() ? c10::IValue(divisor.masked_fill(divisor_is_minus_one, 1).to(b.toTensor().scalar_type()))
                     : c10::IValue(c10::Scalar(int64_t{1}));
    return;
  }
  const int64_t min = type == at::kInt ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int64_t>::min();
  if (as_tensor(a, type).eq(min).logical_and(divisor_is_minus_one).any().item<bool>())
    TORCH_CHECK(false, op.name, "(): integer overflow: the smallest ", type == at::kInt ? "int32" : "int64",
                " value divided by -1 does not fit in ", type == at::kInt ? "int32" : "int64");
}

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

uint32_t resolve_locked(const std::string& name, const std::string& overload);

// The overload of `name` that is `schema` plus a `Generator? generator`
// argument (rand -> rand.generator, randint.low -> randint.low_generator,
// rand.out -> rand.generator_out), checked argument by argument.
void find_generator_twin(OpEntry& e, const std::string& name, const std::string& overload,
                         const c10::FunctionSchema& schema) {
  for (const auto& arg : schema.arguments())
    if (arg.real_type()->kind() == c10::TypeKind::OptionalType &&
        arg.real_type()->containedType(0)->kind() == c10::TypeKind::GeneratorType)
      return;
  std::vector<std::string> names;
  if (overload.empty()) names = {"generator"};
  else if (overload == "out") names = {"generator_out"};
  else if (overload == "names") names = {"generator_with_names"};
  else if (overload.size() > 4 && overload.compare(overload.size() - 4, 4, "_out") == 0)
    names = {overload.substr(0, overload.size() - 4) + "_generator_out"};
  else names = {overload + "_generator"};
  for (const auto& twin_overload : names) {
    auto twin = c10::Dispatcher::singleton().findSchema({name, twin_overload});
    if (!twin) continue;
    const auto& targs = twin->schema().arguments();
    if (targs.size() != schema.arguments().size() + 1) continue;
    int pos = -1;
    bool same = true;
    for (size_t i = 0, j = 0; i < targs.size(); i++) {
      if (pos < 0 && targs[i].name() == "generator") { pos = static_cast<int>(i); continue; }
      if (j >= schema.arguments().size() || targs[i].name() != schema.arguments()[j].name()) { same = false; break; }
      j++;
    }
    if (!same || pos < 0) continue;
    e.generator_twin = g_ops[resolve_locked(name, twin_overload)];
    e.twin_generator_pos = pos;
    return;
  }
}

uint32_t resolve(const std::string& name, const std::string& overload) {
  std::lock_guard<std::mutex> lock(g_ops_mutex);
  return resolve_locked(name, overload);
}

uint32_t resolve_locked(const std::string& name, const std::string& overload) {
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
  classify_integer_division(*e, schema);
  find_generator_twin(*e, name, overload, schema);
  size_t index = g_op_count.load();
  if (index >= kMaxOps) throw std::runtime_error("too many distinct operators");
  g_ops[index] = e;
  g_op_count.store(index + 1);
  g_op_index.emplace(key, static_cast<uint32_t>(index));
  return static_cast<uint32_t>(index);
}

// `t` is v's type, which call() has already read.
c10::IValue to_ivalue(Napi::Value v, napi_valuetype t, const ArgSpec& spec) {
  const char* label = spec.label.c_str();
  switch (spec.kind) {
    case Kind::Tensor: {
      // A JS number where a Tensor goes becomes a "wrapped number", exactly as
      // Python's argument parser does for `x * 2`: promotion treats it as a
      // scalar, and autograd records the same node (MulBackward0) as Python.
      if (t == napi_number || t == napi_boolean || t == napi_bigint) {
        at::Tensor w = c10::scalar_to_tensor(to_scalar(v, label));
        w.unsafeGetTensorImpl()->set_wrapped_number(true);
        return w;
      }
      return unwrap_tensor(v, label);
    }
    case Kind::Scalar: return to_scalar(v, label);
    case Kind::Int: return to_int(v, label);
    case Kind::Float: return to_double(v, label);
    case Kind::Bool: return to_bool(v, label);
    case Kind::String: return to_string(v, label);
    case Kind::ScalarType: return static_cast<int64_t>(to_scalar_type(v, label));
    case Kind::Layout:
    case Kind::MemoryFormat: return to_int(v, label);
    case Kind::Device: return to_device(v, label);
    case Kind::IntList: {
      auto list = to_int_list(v, label);
      // Python's argument parser expands one int to a fixed-size list: int[2] k=3 -> [3, 3].
      if (list.size() == 1 && spec.list_size > 1 && !v.IsArray()) list.assign(spec.list_size, list[0]);
      return list;
    }
    case Kind::TensorList: {
      std::vector<at::Tensor> list;
      for_each_element(v, label, "an array", [&](Napi::Value e) { list.push_back(unwrap_tensor(e, label)); });
      return list;
    }
    case Kind::OptTensorList: {
      c10::List<c10::optional<at::Tensor>> list;
      for_each_element(v, label, "an array", [&](Napi::Value e) {
        list.push_back(is_nullish(e) ? c10::optional<at::Tensor>()
                                     : c10::optional<at::Tensor>(unwrap_tensor(e, label)));
      });
      return list;
    }
    case Kind::FloatList: {
      if (!v.IsArray()) return std::vector<double>{to_double(v, label)};
      std::vector<double> list;
      for_each_element(v, label, "an array", [&](Napi::Value e) { list.push_back(to_double(e, label)); });
      return list;
    }
    case Kind::BoolList: {
      c10::List<bool> list;
      for_each_element(v, label, "an array", [&](Napi::Value e) { list.push_back(to_bool(e, label)); });
      return list;
    }
    case Kind::Generator: return unwrap_generator(v, label);
    case Kind::Unsupported: break;
  }
  throw JsTypeError(spec.label + " has a type that torch-node cannot pass");
}

// call(op, ...args): raw Node-API, not node-addon-api, because it is the
// measured hot path of every op (a 1-element add is about 1 us in all).
napi_value call(napi_env env, napi_callback_info info) {
  constexpr size_t kMaxArgs = 32;  // the handle + the most arguments an ATen op takes (26)
  size_t argc = kMaxArgs;
  napi_value argv[kMaxArgs];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  try {
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
      if (t == napi_undefined || t == napi_null) {
        // generator=None: this thread's default generator when it has one of its own.
        if (spec.kind == Kind::Generator && spec.optional && t_thread_generator) {
          stack.emplace_back(*t_thread_generator);
          continue;
        }
        if (t == napi_undefined && spec.default_value) { stack.push_back(*spec.default_value); continue; }
        if (spec.optional) { stack.emplace_back(); continue; }
        throw JsTypeError(spec.label + (t == napi_null ? " must not be null" : " is required"));
      }
      stack.push_back(to_ivalue(Napi::Value(env, v), t, spec));
      if (i == 0 && t == napi_external && spec.kind == Kind::Tensor)
        self_impl = stack.back().toTensor().unsafeGetTensorImpl();
    }
    if (op.int_division) guard_integer_division(op, stack);
    if (op.generator_twin && t_thread_generator) {
      stack.insert(stack.begin() + op.twin_generator_pos, c10::IValue(*t_thread_generator));
      op.generator_twin->handle.callBoxed(stack);
    } else {
      op.handle.callBoxed(stack);
    }
    size_t nret = op.return_alias_of.size();
    if (nret == 0) {
      if (t_warnings_pending) flush_warnings(env);
      return nullptr;  // undefined
    }
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
    napi_value result;
    if (nret == 1) {
      result = convert(0);
    } else {
      check(env, napi_create_array_with_length(env, nret, &result));
      for (size_t r = 0; r < nret; r++) check(env, napi_set_element(env, result, r, convert(r)));
    }
    if (t_warnings_pending) flush_warnings(env);  // a warning turned error throws from here
    return result;
  } catch (...) {
    Napi::Env e(env);
    if (t_warnings_pending && !e.IsExceptionPending()) {
      try {
        flush_warnings(env);
      } catch (...) {  // the warning's own error wins, as in Python
        current_exception_as_js(env).ThrowAsJavaScriptException();
        return nullptr;
      }
    }
    current_exception_as_js(env).ThrowAsJavaScriptException();
    return nullptr;
  }
}

// op_handle(name, overload) -> integer handle
Napi::Value op_handle(const Napi::CallbackInfo& info) {
  if (info.Length() < 1) throw JsTypeError("op_handle(): name is required");
  std::string name = to_string(info[0], "op_handle(): name");
  std::string overload = is_nullish(info[1]) ? "" : to_string(info[1], "op_handle(): overload");
  if (name.find("::") == std::string::npos) name = "aten::" + name;
  return Napi::Number::New(info.Env(), resolve(name, overload));
}

// op_schema(handle) -> the schema as a string (for docs, errors and tests)
Napi::Value op_schema(const Napi::CallbackInfo& info) {
  int64_t index = to_int(info[0], "op_schema(): handle");
  if (index < 0 || static_cast<size_t>(index) >= g_op_count.load())
    throw JsTypeError("op_schema(): bad handle");
  return Napi::String::New(info.Env(), c10::toString(g_ops[index]->handle.schema()));
}

}  // namespace

// Python's behaviours that need native code (native/opsurface.inc, included at the end).
void init_opsurface(Napi::Env env, Napi::Object exports);

void init_dispatch(Napi::Env env, Napi::Object exports) {
  exports.DefineProperties({fn<op_handle>(env, "op_handle"), fn<op_schema>(env, "op_schema")});
  napi_value call_fn;
  check(env, napi_create_function(env, "call", NAPI_AUTO_LENGTH, call, nullptr, &call_fn));
  exports.Set("call", Napi::Value(env, call_fn));
  init_opsurface(env, exports);
}

}  // namespace tn

// torch.Generator, global switches, numpy view, tensor hooks: see the file.
#include "opsurface.inc"
