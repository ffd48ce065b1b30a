// torch.cuda's state through LibTorch's device-generic interfaces only: the CUDA
// hooks (at::detail::getCUDAHooks()), the registered DeviceGuardImpl, the
// context's default generators and (LibTorch >= 2.9) the device allocator. None
// of them links libtorch_cuda: the same addon loads on a CPU-only LibTorch (the
// hooks are then LibTorch's stubs and no CUDA guard is registered) and uses the
// GPU when the LibTorch it loads is a CUDA build.
#include "common.h"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/Event.h>
#include <c10/core/Stream.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#if TN_TORCH_AT_LEAST(2, 9)
#include <c10/core/CachingDeviceAllocator.h>
#endif

#include <dlfcn.h>

#include <mutex>

namespace tn {
namespace {

const char* const kNotCompiled = "Torch not compiled with CUDA enabled";

// Compiled with CUDA: libc10_cuda registers its DeviceGuardImpl when loaded.
bool compiled() { return c10::impl::hasDeviceGuardImpl(c10::DeviceType::CUDA); }

const c10::impl::DeviceGuardImplInterface* guard() {
  if (!compiled()) throw std::runtime_error(kNotCompiled);
  return c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA);
}

c10::DeviceIndex index_arg(Napi::Value v, const char* what) {
  const int64_t i = to_int(v, what);
  if (i < 0 || i >= at::detail::getCUDAHooks().getNumGPUs())
    throw JsRangeError(std::string(what) + ": invalid device ordinal " + std::to_string(i));
  return static_cast<c10::DeviceIndex>(i);
}

at::Generator cuda_generator(c10::DeviceIndex i) {
  return at::globalContext().defaultGenerator(c10::Device(c10::DeviceType::CUDA, i));
}

#if TN_TORCH_AT_LEAST(2, 9)
c10::DeviceAllocator* allocator() {
  guard();
  return c10::getDeviceAllocator(c10::DeviceType::CUDA);
}
#else
[[noreturn]] void no_allocator_stats() {
  throw std::runtime_error("torch.cuda memory statistics: torch-node reads them through c10's DeviceAllocator, which LibTorch " TORCH_VERSION " does not have (2.9 or newer)");
}
#endif

// A GPU's name, capability and memory from the CUDA driver API (libcuda.so.1,
// loaded by the CUDA LibTorch already): a stable C ABI, unlike cudaDeviceProp's
// layout, and no link-time dependency.
Napi::Value device_properties(Napi::Env env, c10::DeviceIndex i) {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (!lib) lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib) throw std::runtime_error(std::string("get_device_properties(): cannot load libcuda.so.1: ") + dlerror());
  using Init = int (*)(unsigned);
  using Get = int (*)(int*, int);
  using Name = int (*)(char*, int, int);
  using Mem = int (*)(size_t*, int);
  using Attr = int (*)(int*, int, int);
  auto sym = [&](const char* s) {
    void* p = dlsym(lib, s);
    if (!p) throw std::runtime_error(std::string("get_device_properties(): libcuda.so.1 has no ") + s);
    return p;
  };
  auto ok = [](int rc, const char* what) {
    if (rc != 0) throw std::runtime_error(std::string("get_device_properties(): ") + what + " failed with CUresult " + std::to_string(rc));
  };
  ok(reinterpret_cast<Init>(sym("cuInit"))(0), "cuInit");
  int dev = 0;
  ok(reinterpret_cast<Get>(sym("cuDeviceGet"))(&dev, i), "cuDeviceGet");
  char name[256] = {0};
  ok(reinterpret_cast<Name>(sym("cuDeviceGetName"))(name, sizeof name - 1, dev), "cuDeviceGetName");
  size_t total = 0;
  ok(reinterpret_cast<Mem>(sym("cuDeviceTotalMem_v2"))(&total, dev), "cuDeviceTotalMem_v2");
  auto attr = [&](int a) {
    int v = 0;
    ok(reinterpret_cast<Attr>(sym("cuDeviceGetAttribute"))(&v, a, dev), "cuDeviceGetAttribute");
    return v;
  };
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", name);
  o.Set("major", attr(75));  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
  o.Set("minor", attr(76));  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
  o.Set("total_memory", static_cast<double>(total));
  o.Set("multi_processor_count", attr(16));  // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
  return o;
}

#if TN_TORCH_AT_LEAST(2, 4)
// Streams travel to JS as [stream_id, device_index] (c10::Stream::pack3, device type CUDA);
// events are native objects (c10::Event: record / block / query / synchronize / elapsedTime).
const napi_type_tag kEventTag = {0x746f7263686e6f64ULL, 0x6375646145766e74ULL};

Napi::Value pack_stream(Napi::Env env, const c10::Stream& s) {
  const auto d = s.pack3();
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Napi::String::New(env, std::to_string(d.stream_id)));
  a.Set(1u, Napi::Number::New(env, d.device_index));
  return a;
}
c10::Stream unpack_stream(Napi::Value v) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 2) throw JsTypeError("stream must be a torch.cuda.Stream");
  auto a = v.As<Napi::Array>();
  return c10::Stream::unpack3(std::stoll(to_string(a.Get(0u), "stream id")),
      static_cast<c10::DeviceIndex>(to_int(a.Get(1u), "stream device")), c10::DeviceType::CUDA);
}
c10::Event& unwrap_event(Napi::Value v) { return *unwrap_object<c10::Event>(v, &kEventTag, "event"); }

Napi::Value streams(const Napi::CallbackInfo& info, const std::string& name) {
  Napi::Env env = info.Env();
  const auto* g = guard();
  if (name == "stream_new") {
    const c10::Device d(c10::DeviceType::CUDA, index_arg(info[1], "Stream(): device"));
    return pack_stream(env, g->getNewStream(d, static_cast<int>(to_int(info[2], "Stream(): priority"))));
  }
  if (name == "stream_current") return pack_stream(env, g->getStream(c10::Device(c10::DeviceType::CUDA, index_arg(info[1], "current_stream(): device"))));
  if (name == "stream_default") return pack_stream(env, g->getDefaultStream(c10::Device(c10::DeviceType::CUDA, index_arg(info[1], "default_stream(): device"))));
  if (name == "stream_exchange") return pack_stream(env, g->exchangeStream(unpack_stream(info[1])));
  if (name == "stream_synchronize") { unpack_stream(info[1]).synchronize(); return env.Undefined(); }
  if (name == "stream_query") return Napi::Boolean::New(env, unpack_stream(info[1]).query());
  if (name == "event_new") {
    const auto flag = to_bool(info[1], "Event(): enable_timing") ? c10::EventFlag::BACKEND_DEFAULT : c10::EventFlag::PYTORCH_DEFAULT;
    return wrap_object(env, new c10::Event(c10::DeviceType::CUDA, flag), &kEventTag);
  }
  if (name == "event_record") { unwrap_event(info[1]).record(unpack_stream(info[2])); return env.Undefined(); }
  if (name == "event_block") { unwrap_event(info[1]).block(unpack_stream(info[2])); return env.Undefined(); }
  if (name == "event_query") return Napi::Boolean::New(env, unwrap_event(info[1]).query());
  if (name == "event_synchronize") { unwrap_event(info[1]).synchronize(); return env.Undefined(); }
  if (name == "event_elapsed_time") return Napi::Number::New(env, unwrap_event(info[1]).elapsedTime(unwrap_event(info[2])));
  throw JsTypeError("cuda(): unknown name " + name);
}
#endif

// cuda(name, ...args): one entry per torch.cuda function that needs LibTorch.
Napi::Value cuda(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string name = to_string(info[0], "cuda(): name");
  const auto& hooks = at::detail::getCUDAHooks();
  if (name == "compiled") return Napi::Boolean::New(env, compiled());
  if (name == "device_count") return Napi::Number::New(env, compiled() ? hooks.getNumGPUs() : 0);
  if (name == "init") {  // LibTorch's "Found no NVIDIA driver..." when there is no GPU to use
    guard();
    tn::compat::cuda_init(hooks);
    return env.Undefined();
  }
  if (name == "current_device") return Napi::Number::New(env, guard()->getDevice().index());
  if (name == "properties") {
    guard();
    return device_properties(env, index_arg(info[1], "get_device_properties(): device"));
  }
  if (name == "set_device") {
    const auto* g = guard();
    g->setDevice(c10::Device(c10::DeviceType::CUDA, index_arg(info[1], "set_device(): device")));
    return env.Undefined();
  }
  if (name == "synchronize") {
    guard();
    hooks.deviceSynchronize(index_arg(info[1], "synchronize(): device"));
    return env.Undefined();
  }
  if (name == "manual_seed" || name == "initial_seed" || name == "seed") {
    guard();
    auto gen = cuda_generator(index_arg(info[1], "device"));
    std::lock_guard<std::mutex> lock(gen.mutex());
    if (name == "manual_seed") {
      gen.set_current_seed(static_cast<uint64_t>(to_int(info[2], "manual_seed(): seed")));
      return env.Undefined();
    }
    return Napi::String::New(env, std::to_string(name == "seed" ? gen.seed() : gen.current_seed()));
  }
  if (name == "memory_stats" || name == "empty_cache" || name == "reset_peak_memory_stats" || name == "mem_get_info") {
#if TN_TORCH_AT_LEAST(2, 9)
    auto* a = allocator();
    if (name == "empty_cache") { a->emptyCache(); return env.Undefined(); }
    const auto i = index_arg(info[1], name.c_str());
    if (name == "reset_peak_memory_stats") { a->resetPeakStats(i); return env.Undefined(); }
    if (name == "mem_get_info") {
      const auto [free, total] = a->getMemoryInfo(i);
      Napi::Array r = Napi::Array::New(env, 2);
      r.Set(0u, static_cast<double>(free));
      r.Set(1u, static_cast<double>(total));
      return r;
    }
    // The "all" pool of the counters torch.cuda.memory_stats() flattens.
    const auto s = a->getDeviceStats(i);
    Napi::Object o = Napi::Object::New(env);
    auto put = [&](const char* key, const c10::CachingDeviceAllocator::Stat& st) {
      Napi::Object v = Napi::Object::New(env);
      v.Set("current", static_cast<double>(st.current));
      v.Set("peak", static_cast<double>(st.peak));
      v.Set("allocated", static_cast<double>(st.allocated));
      v.Set("freed", static_cast<double>(st.freed));
      o.Set(key, v);
    };
    const auto all = static_cast<size_t>(c10::CachingDeviceAllocator::StatType::AGGREGATE);
    put("allocated_bytes", s.allocated_bytes[all]);
    put("reserved_bytes", s.reserved_bytes[all]);
    put("active_bytes", s.active_bytes[all]);
    put("allocation", s.allocation[all]);
    return o;
#else
    guard();
    no_allocator_stats();
#endif
  }
  if (name.rfind("stream_", 0) == 0 || name.rfind("event_", 0) == 0) {
#if TN_TORCH_AT_LEAST(2, 4)
    return streams(info, name);
#else
    guard();
    throw std::runtime_error("torch.cuda.Stream/Event: torch-node uses c10::Stream/c10::Event of LibTorch 2.4 or newer, not " TORCH_VERSION);
#endif
  }
  throw JsTypeError("cuda(): unknown name " + name);
}

}  // namespace

void init_cuda(Napi::Env env, Napi::Object exports) {
  exports.DefineProperties({fn<cuda>(env, "cuda")});
}

}  // namespace tn
