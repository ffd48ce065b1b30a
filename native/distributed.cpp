// torch.distributed on LibTorch's c10d: stores (TCP, file, hash, prefix), Gloo
// process groups and their collectives, and the work objects they return.
// lib/distributed.ts repeats Python's init_process_group sequence (store
// prefixes, the store-based barrier, sequence numbers) on top of these, so
// that Node and Python ranks can share one job.
//
// Stores, groups and works are plain JS objects wrapping an intrusive_ptr,
// marked with a type tag each, as the other native handles are. Blocking calls
// (a collective's wait) block the JS thread, as they block Python's; works
// also settle a promise (wait_async) from the thread that completes them.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO  // ProcessGroupGloo.hpp declares its class only under it
#endif
#include "common.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/autograd/functions/utils.h>

#include <chrono>
#include <cstdlib>

namespace tn {
namespace {

using c10d::ProcessGroup;
using c10d::Store;
using c10d::Work;

constexpr napi_type_tag kStoreTag = {0x3f5a6b7c8d9e0f11ULL, 0x2233445566778899ULL};
constexpr napi_type_tag kGroupTag = {0x4a5b6c7d8e9f0a1bULL, 0x1c2d3e4f5a6b7c8dULL};
constexpr napi_type_tag kWorkTag = {0x5b6c7d8e9f0a1b2cULL, 0x3d4e5f6a7b8c9d0eULL};
constexpr napi_type_tag kReducerTag = {0x6c7d8e9f0a1b2c3dULL, 0x4e5f6a7b8c9d0e1fULL};
constexpr napi_type_tag kFutureTag = {0x7d8e9f0a1b2c3d4eULL, 0x5f6a7b8c9d0e1f20ULL};

template <typename T>
struct Box {
  c10::intrusive_ptr<T> ptr;
};

template <typename T>
Napi::Value box(Napi::Env env, c10::intrusive_ptr<T> ptr, const napi_type_tag* tag) {
  return wrap_object(env, new Box<T>{std::move(ptr)}, tag);
}

template <typename T>
const c10::intrusive_ptr<T>& unbox(Napi::Value v, const napi_type_tag* tag, const char* what) {
  return unwrap_object<Box<T>>(v, tag, what)->ptr;
}

const c10::intrusive_ptr<Store>& store_of(Napi::Value v) { return unbox<Store>(v, &kStoreTag, "store"); }
const c10::intrusive_ptr<ProcessGroup>& group_of(Napi::Value v) { return unbox<ProcessGroup>(v, &kGroupTag, "group"); }
const c10::intrusive_ptr<Work>& work_of(Napi::Value v) { return unbox<Work>(v, &kWorkTag, "work"); }

std::chrono::milliseconds millis(Napi::Value v, const char* what) {
  const int64_t ms = to_int(v, what);
  if (ms < 0) throw JsRangeError(std::string(what) + " must not be negative");
  return std::chrono::milliseconds(ms);
}

std::vector<uint8_t> bytes_arg(Napi::Value v, const char* what) {
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    return {s.begin(), s.end()};
  }
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    auto* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    return {p, p + ta.ByteLength()};
  }
  bad_type(v, what, "a string or bytes");
}

std::vector<std::string> string_list(Napi::Value v, const char* what) {
  std::vector<std::string> out;
  for_each_element(v, what, "an array of strings", [&](Napi::Value e) { out.push_back(to_string(e, what)); });
  return out;
}

std::vector<at::Tensor> tensors(Napi::Value v, const char* what) {
  std::vector<at::Tensor> out;
  for_each_element(v, what, "an array of tensors", [&](Napi::Value e) { out.push_back(unwrap_tensor(e, what)); });
  return out;
}

std::vector<std::vector<at::Tensor>> tensor_lists(Napi::Value v, const char* what) {
  std::vector<std::vector<at::Tensor>> out;
  for_each_element(v, what, "an array of arrays of tensors", [&](Napi::Value e) { out.push_back(tensors(e, what)); });
  return out;
}

// ---- stores ------------------------------------------------------------------------

// store_tcp(host, port, world_size | null, is_master, timeout_ms, wait_for_workers, multi_tenant)
Napi::Value store_tcp(const Napi::CallbackInfo& info) {
  c10d::TCPStoreOptions opts;
  const int64_t port = to_int(info[1], "TCPStore(): port");
  if (port < 0 || port > 65535) throw JsRangeError("TCPStore(): port must be between 0 and 65535");
  opts.port = static_cast<uint16_t>(port);
  if (!is_nullish(info[2])) {
    const int64_t n = to_int(info[2], "TCPStore(): world_size");
    if (n < 1) throw JsRangeError("TCPStore(): world_size must be positive");
    opts.numWorkers = static_cast<size_t>(n);
  }
  opts.isServer = to_bool(info[3], "TCPStore(): is_master");
  opts.timeout = millis(info[4], "TCPStore(): timeout");
  opts.waitWorkers = to_bool(info[5], "TCPStore(): wait_for_workers");
  opts.multiTenant = to_bool(info[6], "TCPStore(): multi_tenant");
  return box<Store>(info.Env(), c10::make_intrusive<c10d::TCPStore>(to_string(info[0], "TCPStore(): host_name"), opts), &kStoreTag);
}

Napi::Value store_tcp_port(const Napi::CallbackInfo& info) {
  auto* tcp = dynamic_cast<c10d::TCPStore*>(store_of(info[0]).get());
  if (!tcp) throw JsTypeError("port: not a TCPStore");
  return Napi::Number::New(info.Env(), tcp->getPort());
}

Napi::Value store_file(const Napi::CallbackInfo& info) {
  const int64_t n = to_int(info[1], "FileStore(): world_size");
  return box<Store>(info.Env(), c10::make_intrusive<c10d::FileStore>(to_string(info[0], "FileStore(): file_name"), static_cast<int>(n)), &kStoreTag);
}

Napi::Value store_hash(const Napi::CallbackInfo& info) {
  return box<Store>(info.Env(), c10::make_intrusive<c10d::HashStore>(), &kStoreTag);
}

Napi::Value store_prefix(const Napi::CallbackInfo& info) {
  return box<Store>(info.Env(), c10::make_intrusive<c10d::PrefixStore>(to_string(info[0], "PrefixStore(): prefix"), store_of(info[1])), &kStoreTag);
}

Napi::Value store_set(const Napi::CallbackInfo& info) {
  store_of(info[0])->set(to_string(info[1], "set(): key"), bytes_arg(info[2], "set(): value"));
  return info.Env().Undefined();
}

Napi::Value store_get(const Napi::CallbackInfo& info) {
  std::vector<uint8_t> v = store_of(info[0])->get(to_string(info[1], "get(): key"));
  return Napi::Buffer<uint8_t>::Copy(info.Env(), v.data(), v.size());
}

Napi::Value store_add(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(
      store_of(info[0])->add(to_string(info[1], "add(): key"), to_int(info[2], "add(): amount"))));
}

Napi::Value store_compare_set(const Napi::CallbackInfo& info) {
  std::vector<uint8_t> v = store_of(info[0])->compareSet(to_string(info[1], "compare_set(): key"),
                                                         bytes_arg(info[2], "compare_set(): expected_value"),
                                                         bytes_arg(info[3], "compare_set(): desired_value"));
  return Napi::Buffer<uint8_t>::Copy(info.Env(), v.data(), v.size());
}

// store_wait(store, keys, timeout_ms | null)
Napi::Value store_wait(const Napi::CallbackInfo& info) {
  auto keys = string_list(info[1], "wait(): keys");
  if (is_nullish(info[2])) store_of(info[0])->wait(keys);
  else store_of(info[0])->wait(keys, millis(info[2], "wait(): timeout"));
  return info.Env().Undefined();
}

Napi::Value store_check(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), store_of(info[0])->check(string_list(info[1], "check(): keys")));
}

Napi::Value store_num_keys(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(store_of(info[0])->getNumKeys()));
}

Napi::Value store_delete_key(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), store_of(info[0])->deleteKey(to_string(info[1], "delete_key(): key")));
}

Napi::Value store_set_timeout(const Napi::CallbackInfo& info) {
  store_of(info[0])->setTimeout(millis(info[1], "set_timeout(): timeout"));
  return info.Env().Undefined();
}

// ---- process groups ----------------------------------------------------------------

// group_gloo(store, rank, size, timeout_ms): as Python's ProcessGroupGloo(store,
// rank, size, timeout): one device from GLOO_SOCKET_IFNAME or the host name,
// two threads per device.
Napi::Value group_gloo(const Napi::CallbackInfo& info) {
  const int64_t rank = to_int(info[1], "ProcessGroupGloo(): rank"), size = to_int(info[2], "ProcessGroupGloo(): size");
  if (size < 1 || rank < 0 || rank >= size) throw JsRangeError("ProcessGroupGloo(): rank must be in [0, size)");
  auto options = c10d::ProcessGroupGloo::Options::create(millis(info[3], "ProcessGroupGloo(): timeout"));
  if (const char* ifnames = std::getenv("GLOO_SOCKET_IFNAME")) {
    std::string list(ifnames);
    for (size_t start = 0; start <= list.size();) {
      size_t end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(list.substr(start, end - start)));
      start = end + 1;
    }
  }
  if (options->devices.empty()) options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  options->threads = static_cast<int>(options->devices.size() * 2);
  c10::intrusive_ptr<ProcessGroup> pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store_of(info[0]), static_cast<int>(rank), static_cast<int>(size), options);
  return box<ProcessGroup>(info.Env(), pg, &kGroupTag);
}

#ifdef USE_C10D_NCCL
// group_nccl(store, rank, size, timeout_ms): as Python's ProcessGroupNCCL(store, rank, size, options)
// with the default options and the group's timeout (built only with a CUDA LibTorch and nccl.h).
Napi::Value group_nccl(const Napi::CallbackInfo& info) {
  const int64_t rank = to_int(info[1], "ProcessGroupNCCL(): rank"), size = to_int(info[2], "ProcessGroupNCCL(): size");
  if (size < 1 || rank < 0 || rank >= size) throw JsRangeError("ProcessGroupNCCL(): rank must be in [0, size)");
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = millis(info[3], "ProcessGroupNCCL(): timeout");
  c10::intrusive_ptr<ProcessGroup> pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store_of(info[0]), static_cast<int>(rank), static_cast<int>(size), options);
  return box<ProcessGroup>(info.Env(), pg, &kGroupTag);
}
#endif

Napi::Value group_info(const Napi::CallbackInfo& info) {
  const auto& pg = group_of(info[0]);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("rank", pg->getRank());
  o.Set("size", pg->getSize());
  o.Set("backend", pg->getBackendName());
  return o;
}

Napi::Value group_set_sequence_number(const Napi::CallbackInfo& info) {
  group_of(info[0])->setSequenceNumberForGroup();
  return info.Env().Undefined();
}

c10d::ReduceOp reduce_op(Napi::Value v) {
  const int64_t op = to_int(v, "op");
  if (op < 0 || op > c10d::ReduceOp::BXOR) throw JsRangeError("op: not a ReduceOp");
  return c10d::ReduceOp(static_cast<c10d::ReduceOp::RedOpType>(op));
}

int64_t root(Napi::Value v, const char* what) { return to_int(v, what); }

// group_collective(group, kind, ...): starts a collective, returns its work.
Napi::Value group_collective(const Napi::CallbackInfo& info) {
  const auto& pg = group_of(info[0]);
  const std::string kind = to_string(info[1], "collective");
  c10::intrusive_ptr<Work> work;
  if (kind == "allreduce") {
    auto ts = tensors(info[2], "all_reduce(): tensor");
    c10d::AllreduceOptions o;
    o.reduceOp = reduce_op(info[3]);
    work = pg->allreduce(ts, o);
  } else if (kind == "broadcast") {
    auto ts = tensors(info[2], "broadcast(): tensor");
    c10d::BroadcastOptions o;
    o.rootRank = root(info[3], "broadcast(): src");
    work = pg->broadcast(ts, o);
  } else if (kind == "reduce") {
    auto ts = tensors(info[2], "reduce(): tensor");
    c10d::ReduceOptions o;
    o.rootRank = root(info[3], "reduce(): dst");
    o.reduceOp = reduce_op(info[4]);
    work = pg->reduce(ts, o);
  } else if (kind == "allgather") {
    auto outs = tensor_lists(info[2], "all_gather(): tensor_list");
    auto ins = tensors(info[3], "all_gather(): tensor");
    work = pg->allgather(outs, ins);
  } else if (kind == "gather") {
    auto outs = tensor_lists(info[2], "gather(): gather_list");
    auto ins = tensors(info[3], "gather(): tensor");
    c10d::GatherOptions o;
    o.rootRank = root(info[4], "gather(): dst");
    work = pg->gather(outs, ins, o);
  } else if (kind == "scatter") {
    auto outs = tensors(info[2], "scatter(): tensor");
    auto ins = tensor_lists(info[3], "scatter(): scatter_list");
    c10d::ScatterOptions o;
    o.rootRank = root(info[4], "scatter(): src");
    work = pg->scatter(outs, ins, o);
  } else if (kind == "allreduce_coalesced") {
    auto ts = tensors(info[2], "all_reduce_coalesced(): tensors");
    c10d::AllreduceCoalescedOptions o;
    o.reduceOp = reduce_op(info[3]);
    work = pg->allreduce_coalesced(ts, o);
  } else if (kind == "allgather_coalesced") {
    auto outs = tensor_lists(info[2], "all_gather_coalesced(): output_tensor_lists");
    auto ins = tensors(info[3], "all_gather_coalesced(): input_tensor_list");
    work = pg->allgather_coalesced(outs, ins);
  } else if (kind == "reduce_scatter") {
    auto outs = tensors(info[2], "reduce_scatter(): output");
    auto ins = tensor_lists(info[3], "reduce_scatter(): input_list");
    c10d::ReduceScatterOptions o;
    o.reduceOp = reduce_op(info[4]);
    work = pg->reduce_scatter(outs, ins, o);
  } else if (kind == "allgather_base") {
    at::Tensor out = unwrap_tensor(info[2], "all_gather_into_tensor(): output_tensor");
    at::Tensor in = unwrap_tensor(info[3], "all_gather_into_tensor(): input_tensor");
    work = pg->_allgather_base(out, in);
  } else if (kind == "reduce_scatter_base") {
    at::Tensor out = unwrap_tensor(info[2], "reduce_scatter_tensor(): output");
    at::Tensor in = unwrap_tensor(info[3], "reduce_scatter_tensor(): input");
    c10d::ReduceScatterOptions o;
    o.reduceOp = reduce_op(info[4]);
    work = pg->_reduce_scatter_base(out, in, o);
  } else if (kind == "alltoall_base") {
    at::Tensor out = unwrap_tensor(info[2], "all_to_all_single(): output");
    at::Tensor in = unwrap_tensor(info[3], "all_to_all_single(): input");
    std::vector<int64_t> out_splits = to_int_list(info[4], "all_to_all_single(): output_split_sizes");
    std::vector<int64_t> in_splits = to_int_list(info[5], "all_to_all_single(): input_split_sizes");
    work = pg->alltoall_base(out, in, out_splits, in_splits);
  } else if (kind == "alltoall") {
    auto outs = tensors(info[2], "all_to_all(): output_tensor_list");
    auto ins = tensors(info[3], "all_to_all(): input_tensor_list");
    work = pg->alltoall(outs, ins);
  } else if (kind == "barrier") {
    work = pg->barrier();
  } else if (kind == "send" || kind == "recv") {
    auto ts = tensors(info[2], kind == "send" ? "send(): tensor" : "recv(): tensor");
    const int64_t peer = to_int(info[3], kind == "send" ? "send(): dst" : "recv(): src");
    const int64_t tag = to_int(info[4], "tag");
    if (kind == "send") work = pg->send(ts, static_cast<int>(peer), static_cast<int>(tag));
    else if (peer < 0) work = pg->recvAnysource(ts, static_cast<int>(tag));
    else work = pg->recv(ts, static_cast<int>(peer), static_cast<int>(tag));
  } else {
    throw JsTypeError("unknown collective '" + kind + "'");
  }
  return box<Work>(info.Env(), work, &kWorkTag);
}

// group_monitored_barrier(group, timeout_ms, wait_all_ranks): Gloo's barrier
// that names the ranks that did not reach it (it returns no work).
Napi::Value group_monitored_barrier(const Napi::CallbackInfo& info) {
  c10d::BarrierOptions o;
  o.timeout = millis(info[1], "monitored_barrier(): timeout");
  group_of(info[0])->monitoredBarrier(o, to_bool(info[2], "monitored_barrier(): wait_all_ranks"));
  return info.Env().Undefined();
}

// ---- DDP: LibTorch's own pieces of Python's DistributedDataParallel ----------------

// broadcast_coalesced(group, tensors, buffer_size, src): dist._broadcast_coalesced.
Napi::Value ddp_broadcast_coalesced(const Napi::CallbackInfo& info) {
  auto ts = tensors(info[1], "broadcast_coalesced(): tensors");
  const int64_t size = to_int(info[2], "broadcast_coalesced(): buffer_size");
  if (size <= 0) throw JsRangeError("broadcast_coalesced(): buffer_size must be positive");
  c10d::broadcast_coalesced(group_of(info[0]), ts, static_cast<size_t>(size), static_cast<int>(to_int(info[3], "broadcast_coalesced(): src")));
  return info.Env().Undefined();
}

// verify_params(group, params): dist._verify_params_across_processes.
Napi::Value ddp_verify_params(const Napi::CallbackInfo& info) {
  c10d::verify_params_across_processes(group_of(info[0]), tensors(info[1], "DistributedDataParallel: parameters"), c10::nullopt);
  return info.Env().Undefined();
}

std::vector<bool> bool_list(Napi::Value v, const char* what) {
  std::vector<bool> out;
  for_each_element(v, what, "an array of booleans", [&](Napi::Value e) { out.push_back(to_bool(e, what)); });
  return out;
}

// Sizes in bytes; Python passes sys.maxsize for "no limit", which a JS number
// cannot hold exactly: anything at or above 2^63 means that.
std::vector<size_t> size_list(Napi::Value v, const char* what) {
  std::vector<size_t> out;
  for_each_element(v, what, "an array of sizes", [&](Napi::Value e) {
    const double d = to_double(e, what);
    if (!(d >= 0)) throw JsRangeError(std::string(what) + ": sizes must not be negative");
    out.push_back(d >= 9223372036854775807.0 ? static_cast<size_t>(INT64_MAX) : static_cast<size_t>(d));
  });
  return out;
}

Napi::Array js_size_lists(Napi::Env env, const std::vector<std::vector<size_t>>& lists) {
  Napi::Array out = Napi::Array::New(env, lists.size());
  for (size_t i = 0; i < lists.size(); ++i) {
    Napi::Array inner = Napi::Array::New(env, lists[i].size());
    for (size_t j = 0; j < lists[i].size(); ++j) inner.Set(static_cast<uint32_t>(j), Napi::Number::New(env, static_cast<double>(lists[i][j])));
    out.Set(static_cast<uint32_t>(i), inner);
  }
  return out;
}

// compute_bucket_assignment(tensors, limits, expect_sparse) -> [buckets, per-bucket limits]:
// dist._compute_bucket_assignment_by_size.
Napi::Value ddp_compute_bucket_assignment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto result = c10d::compute_bucket_assignment_by_size(tensors(info[0], "compute_bucket_assignment(): tensors"),
                                                        size_list(info[1], "compute_bucket_assignment(): bucket_size_limits"),
                                                        bool_list(info[2], "compute_bucket_assignment(): expect_sparse_gradient"));
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, js_size_lists(env, std::get<0>(result)));
  out.Set(1u, js_size_lists(env, {std::get<1>(result)}).Get(0u));
  return out;
}

// A DDP communication hook written in JS (Python's PythonCommHook). The Reducer calls
// runHook(bucket) from backward, which in LibTorch runs CPU graphs on the thread that called
// backward(): the JS thread (checked as for autograd.Function; another thread gets a clear error).
// `dispatch(index, buffer, gradients, parameters, is_last, set_buffer)` (lib/nn/parallel.ts)
// calls the user's hook and returns `finish()`, which waits for the hook's torch.futures.Future
// and returns its tensor. JS futures cannot complete on Gloo's threads (their then-callbacks
// are JS), so the Reducer gets a c10 future that finish() completes on the JS thread: by
// default from an engine final callback, which runs after the whole graph and before the
// Reducer's own finalize_backward (queued later, when the last bucket is ready), so the
// all-reduces still overlap backward; in "sync" mode (join's shadow all-reduces outside
// backward, a static graph's delayed first all-reduce) right after the hook returns.
struct JsCommHook : c10d::CommHookInterface {
  std::shared_ptr<void> token;
  napi_env env = nullptr;
  napi_ref dispatch = nullptr;
  bool sync = false;
  struct Pending {
    c10::intrusive_ptr<c10::ivalue::Future> result;
    napi_ref finish;
  };
  std::vector<Pending> pending;

  ~JsCommHook() override {
    release_js_ref(token, dispatch);
    for (auto& p : pending) release_js_ref(token, p.finish);
  }

  c10::intrusive_ptr<c10::ivalue::Future> runHook(c10d::GradBucket& bucket) override {
    check_js_thread_token(token, "a DDP communication hook written in JS");
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    // set_buffer works while the hook runs only: the GradBucket is the Reducer's temporary.
    auto live = std::make_shared<c10d::GradBucket*>(&bucket);
    Napi::Function set_buffer = Napi::Function::New(e, [live](const Napi::CallbackInfo& info) -> Napi::Value {
      if (!*live) throw std::runtime_error("GradBucket.set_buffer(): the bucket can only be changed inside the communication hook");
      at::Tensor t = unwrap_tensor(info[0], "GradBucket.set_buffer(): buffer");
      (*live)->setBuffer(t);
      return info.Env().Undefined();
    });
    auto to_js = [&](const std::vector<at::Tensor>& ts) {
      Napi::Array a = Napi::Array::New(e, ts.size());
      for (size_t i = 0; i < ts.size(); ++i) a.Set(static_cast<uint32_t>(i), wrap_tensor(e, ts[i]));
      return a;
    };
    Napi::Value finish;
    try {
      napi_value fn = nullptr;
      check(env, napi_get_reference_value(env, dispatch, &fn));
      finish = Napi::Function(e, fn).Call({Napi::Number::New(e, static_cast<double>(bucket.getIndex())), wrap_tensor(e, bucket.getBuffer()),
                                           to_js(bucket.getGradients()), to_js(bucket.getParameters()), Napi::Boolean::New(e, bucket.isLast()), set_buffer});
    } catch (...) {
      *live = nullptr;
      throw;
    }
    *live = nullptr;
    auto result = c10::make_intrusive<c10::ivalue::Future>(c10::TensorType::get());
    napi_ref ref = nullptr;
    check(env, napi_create_reference(env, finish, 1, &ref));
    pending.push_back({result, ref});
    if (sync) flush();
    else if (pending.size() == 1) torch::autograd::Engine::get_default_engine().queue_callback([this] { flush(); });
    return result;
  }

  // Completes every pending bucket's future by calling its finish() (on the JS thread).
  void flush() {
    std::vector<Pending> todo;
    todo.swap(pending);
    check_js_thread_token(token, "a DDP communication hook written in JS");
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    for (size_t i = 0; i < todo.size(); ++i) {
      try {
        napi_value fn = nullptr;
        check(env, napi_get_reference_value(env, todo[i].finish, &fn));
        Napi::Value t = Napi::Function(e, fn).Call({});
        todo[i].result->markCompleted(c10::IValue(unwrap_tensor(t, "communication hook result")));
      } catch (...) {
        // The Reducer never waits on these now (the exception ends backward), but nothing may hang on them.
        for (size_t j = i; j < todo.size(); ++j) {
          todo[j].result->setErrorIfNeeded(std::current_exception());
          release_js_ref(token, todo[j].finish);
        }
        throw;
      }
      release_js_ref(token, todo[i].finish);
    }
  }

  at::Tensor parseHookResult(const c10::IValue& result) override {
    return result.isTensor() ? result.toTensor() : result.toTensorVector().at(0);
  }
};

struct ReducerBox {
  std::shared_ptr<c10d::Reducer> reducer;
  JsCommHook* js_hook = nullptr;  // owned by the Reducer
};

c10d::Reducer& reducer_of(Napi::Value v) { return *unwrap_object<ReducerBox>(v, &kReducerTag, "reducer")->reducer; }

// reducer_new(params, bucket_indices, per_bucket_limits, group, expect_sparse,
// bucket_bytes_cap, find_unused_parameters, gradient_as_bucket_view, first_bucket_bytes_cap):
// dist.Reducer, which hooks every parameter's gradient accumulator (so its
// all-reduces overlap with backward, whoever runs backward).
Napi::Value reducer_new(const Napi::CallbackInfo& info) {
  std::vector<std::vector<size_t>> buckets;
  for_each_element(info[1], "Reducer(): bucket_indices", "an array of arrays of indices", [&](Napi::Value b) {
    std::vector<size_t> bucket;
    for (int64_t i : to_int_list(b, "Reducer(): bucket_indices")) bucket.push_back(static_cast<size_t>(i));
    buckets.push_back(std::move(bucket));
  });
  auto reducer = std::make_shared<c10d::Reducer>(
      tensors(info[0], "Reducer(): params"), std::move(buckets), size_list(info[2], "Reducer(): per_bucket_size_limits"),
      group_of(info[3]), bool_list(info[4], "Reducer(): expect_sparse_gradients"), to_int(info[5], "Reducer(): bucket_bytes_cap"),
      to_bool(info[6], "Reducer(): find_unused_parameters"), to_bool(info[7], "Reducer(): gradient_as_bucket_view"),
      std::unordered_map<size_t, std::string>(), to_int(info[8], "Reducer(): first_bucket_bytes_cap"));
  return wrap_object(info.Env(), new ReducerBox{std::move(reducer)}, &kReducerTag);
}

Napi::Value reducer_prepare_for_forward(const Napi::CallbackInfo& info) {
  reducer_of(info[0]).prepare_for_forward();
  return info.Env().Undefined();
}

Napi::Value reducer_prepare_for_backward(const Napi::CallbackInfo& info) {
  reducer_of(info[0]).prepare_for_backward(tensors(info[1], "prepare_for_backward(): outputs"));
  return info.Env().Undefined();
}

Napi::Value reducer_rebuild_buckets(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), reducer_of(info[0]).rebuild_buckets());
}

// reducer_register_builtin_comm_hook(reducer, type): dist._register_builtin_comm_hook
// (1: ALLREDUCE, 2: FP16_COMPRESS, c10d::BuiltinCommHookType's values).
Napi::Value reducer_register_builtin_comm_hook(const Napi::CallbackInfo& info) {
  const int64_t type = to_int(info[1], "_register_builtin_comm_hook(): comm_hook_type");
  if (type != static_cast<int64_t>(c10d::BuiltinCommHookType::ALLREDUCE) && type != static_cast<int64_t>(c10d::BuiltinCommHookType::FP16_COMPRESS)) {
    throw JsRangeError("_register_builtin_comm_hook(): comm_hook_type must be a BuiltinCommHookType");
  }
  reducer_of(info[0]).register_builtin_comm_hook(static_cast<c10d::BuiltinCommHookType>(type));
  return info.Env().Undefined();
}

// reducer_register_comm_hook(reducer, dispatch): dist._register_comm_hook with a JS hook (see JsCommHook).
Napi::Value reducer_register_comm_hook(const Napi::CallbackInfo& info) {
  auto* box = unwrap_object<ReducerBox>(info[0], &kReducerTag, "reducer");
  if (!info[1].IsFunction()) bad_type(info[1], "register_comm_hook(): hook", "a function");
  auto hook = std::make_unique<JsCommHook>();
  hook->token = js_thread_token(info.Env());
  hook->env = info.Env();
  check(info.Env(), napi_create_reference(info.Env(), info[1], 1, &hook->dispatch));
  JsCommHook* raw = hook.get();
  box->reducer->register_comm_hook(std::move(hook));  // throws (and frees the hook) when one is registered already
  box->js_hook = raw;
  return info.Env().Undefined();
}

// reducer_comm_hook_sync(reducer, sync): whether a JS hook's futures complete right after it returns.
Napi::Value reducer_comm_hook_sync(const Napi::CallbackInfo& info) {
  auto* box = unwrap_object<ReducerBox>(info[0], &kReducerTag, "reducer");
  if (box->js_hook) box->js_hook->sync = to_bool(info[1], "sync");
  return info.Env().Undefined();
}

// reducer_set_forward_pass_work_handle(reducer, work, use_static_world_size): the Join context's
// "not joined yet" all-reduce, whose result (the number of ranks still training) divides the
// gradients unless use_static_world_size (Python's _set_forward_pass_work_handle).
Napi::Value reducer_set_forward_pass_work_handle(const Napi::CallbackInfo& info) {
  reducer_of(info[0]).set_forward_pass_work_handle(work_of(info[1]), to_bool(info[2], "use_static_world_size"));
  return info.Env().Undefined();
}

// reducer_match_all_reduce(reducer): a joined rank's shadow of the backward all-reduces (Python's
// _match_all_reduce_for_bwd_pass): the communication hook (or the default all-reduce) run on
// zero buckets of the same layout, in the Reducer's order, then every one waited for.
Napi::Value reducer_match_all_reduce(const Napi::CallbackInfo& info) {
  auto* box = unwrap_object<ReducerBox>(info[0], &kReducerTag, "reducer");
  auto buckets = box->reducer->get_grad_buckets(/*return_zero_tensors=*/true);
  std::vector<c10::intrusive_ptr<c10::ivalue::Future>> futures;
  const bool was_sync = box->js_hook && box->js_hook->sync;
  if (box->js_hook) box->js_hook->sync = true;  // outside backward: no engine callback to finish them
  try {
    for (auto& b : buckets) futures.push_back(box->reducer->run_comm_hook(b));
  } catch (...) {
    if (box->js_hook) box->js_hook->sync = was_sync;
    throw;
  }
  if (box->js_hook) box->js_hook->sync = was_sync;
  for (auto& f : futures) {
    f->wait();
    if (f->hasError()) throw std::runtime_error(f->tryRetrieveErrorMessage());
  }
  return info.Env().Undefined();
}

Napi::Value reducer_push_all_rebuilt_params(const Napi::CallbackInfo& info) {
  reducer_of(info[0]).push_rebuilt_params_for_all_indices();
  return info.Env().Undefined();
}

// reducer_local_used_map(reducer) -> the tensor of which parameters this rank used (Python's _get_local_used_map).
Napi::Value reducer_local_used_map(const Napi::CallbackInfo& info) {
  return wrap_tensor(info.Env(), reducer_of(info[0]).get_local_used_map_on_device());
}

Napi::Value reducer_set_static_graph(const Napi::CallbackInfo& info) {
  reducer_of(info[0]).set_static_graph();
  return info.Env().Undefined();
}

// reducer_bucket_sizes(reducer) -> the number of parameters in each bucket, in
// all-reduce order (as Python's DDP logging reports bucket sizes), for tests.
Napi::Value reducer_bucket_sizes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto buckets = reducer_of(info[0]).get_grad_buckets(/*return_zero_tensors=*/true);
  Napi::Array out = Napi::Array::New(env, buckets.size());
  for (size_t i = 0; i < buckets.size(); ++i) {
    const auto& params = buckets[i].getParameters();
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(params.size())));
  }
  return out;
}

// Python DDP's _DDPSink: forward returns clones of the module's outputs, whose
// backward passes gradients through unchanged, undefined ones included (an
// output the loss does not use sends an undefined gradient down its path, so
// find_unused_parameters' Reducer sees those parameters' hooks fire instead of
// waiting for them), and in a static graph's first iteration queues the
// Reducer's delayed all-reduce at the end of backward.
struct DDPSinkBackward : public torch::autograd::Node {
  std::weak_ptr<c10d::Reducer> reducer;
  bool delay_all_reduce = false;
  std::string name() const override { return "_DDPSinkBackward"; }
  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    if (delay_all_reduce) {
      if (auto r = reducer.lock()) torch::autograd::Engine::get_default_engine().queue_callback([r] { r->delay_all_reduce(); });
    }
    return std::move(grads);
  }
};

// ddp_sink(reducer, tensors, delay_all_reduce) -> the clones, wired through one _DDPSinkBackward.
Napi::Value ddp_sink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* box = unwrap_object<ReducerBox>(info[0], &kReducerTag, "reducer");
  auto ins = tensors(info[1], "_DDPSink: outputs");
  auto node = tn::compat::make_node<torch::autograd::Edge, DDPSinkBackward>();
  node->reducer = box->reducer;
  node->delay_all_reduce = to_bool(info[2], "_DDPSink: delay_all_reduce");
  node->set_next_edges(torch::autograd::collect_next_edges(ins));
  std::vector<at::Tensor> outs;
  {
    at::NoGradGuard no_grad;
    for (const auto& t : ins) outs.push_back(t.clone());
  }
  Napi::Array out = Napi::Array::New(env, outs.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    torch::autograd::set_history(outs[i], node);
    out.Set(static_cast<uint32_t>(i), wrap_tensor(env, outs[i]));
  }
  return out;
}

// ---- works ---------------------------------------------------------------------------

const c10::intrusive_ptr<c10::ivalue::Future>& future_of(Napi::Value v) { return unbox<c10::ivalue::Future>(v, &kFutureTag, "future"); }

// work_get_future(work) -> the work's c10 future (its value: the collective's output tensors).
Napi::Value work_get_future(const Napi::CallbackInfo& info) {
  return box<c10::ivalue::Future>(info.Env(), work_of(info[0])->getFuture(), &kFutureTag);
}

Napi::Value future_done(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), future_of(info[0])->completed());
}

// future_wait(future) -> its value (tensors as handles); blocks this thread; the error's message if it failed.
Napi::Value future_wait(const Napi::CallbackInfo& info) {
  const auto& f = future_of(info[0]);
  f->wait();
  if (f->hasError()) throw std::runtime_error(f->tryRetrieveErrorMessage());
  return from_ivalue(info.Env(), f->value());
}

// work_wait(work, timeout_ms | null) -> true; blocks this thread, as Python's wait().
Napi::Value work_wait(const Napi::CallbackInfo& info) {
  const auto& work = work_of(info[0]);
  bool done = is_nullish(info[1]) ? work->wait() : work->wait(millis(info[1], "wait(): timeout"));
  return Napi::Boolean::New(info.Env(), done);
}

Napi::Value work_is_completed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), work_of(info[0])->isCompleted());
}

Napi::Value work_source_rank(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), work_of(info[0])->sourceRank());
}

// work_wait_async(work) -> a promise settled when the work completes, from the
// thread that completes it (through a thread-safe function): the event loop
// keeps running meanwhile.
Napi::Value future_wait_async_of(const Napi::CallbackInfo& info, c10::intrusive_ptr<c10::ivalue::Future> future) {
  Napi::Env env = info.Env();
  auto deferred = std::make_shared<Napi::Promise::Deferred>(Napi::Promise::Deferred::New(env));
  auto tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function(), "torch-node:distributed", 0, 1);
  future->addCallback([deferred, tsfn](c10::ivalue::Future& f) mutable {
    std::string error = f.hasError() ? f.tryRetrieveErrorMessage() : std::string();
    auto* message = new std::string(std::move(error));
    tsfn.BlockingCall(message, [deferred](Napi::Env env, Napi::Function, std::string* msg) {
      std::unique_ptr<std::string> owned(msg);
      if (msg->empty()) deferred->Resolve(env.Undefined());
      else deferred->Reject(Napi::Error::New(env, *msg).Value());
    });
    tsfn.Release();
  });
  return deferred->Promise();
}

Napi::Value work_wait_async(const Napi::CallbackInfo& info) { return future_wait_async_of(info, work_of(info[0])->getFuture()); }
// future_wait_async(future) -> a promise settled when the future completes (the event loop runs meanwhile).
Napi::Value future_wait_async(const Napi::CallbackInfo& info) { return future_wait_async_of(info, future_of(info[0])); }

}  // namespace

void init_distributed(Napi::Env env, Napi::Object exports) {
  exports.DefineProperties({
      fn<store_tcp>(env, "store_tcp"),
      fn<store_tcp_port>(env, "store_tcp_port"),
      fn<store_file>(env, "store_file"),
      fn<store_hash>(env, "store_hash"),
      fn<store_prefix>(env, "store_prefix"),
      fn<store_set>(env, "store_set"),
      fn<store_get>(env, "store_get"),
      fn<store_add>(env, "store_add"),
      fn<store_compare_set>(env, "store_compare_set"),
      fn<store_wait>(env, "store_wait"),
      fn<store_check>(env, "store_check"),
      fn<store_num_keys>(env, "store_num_keys"),
      fn<store_delete_key>(env, "store_delete_key"),
      fn<store_set_timeout>(env, "store_set_timeout"),
      fn<group_gloo>(env, "group_gloo"),
      fn<group_info>(env, "group_info"),
      fn<group_set_sequence_number>(env, "group_set_sequence_number"),
      fn<group_collective>(env, "group_collective"),
      fn<group_monitored_barrier>(env, "group_monitored_barrier"),
      fn<ddp_broadcast_coalesced>(env, "ddp_broadcast_coalesced"),
      fn<ddp_verify_params>(env, "ddp_verify_params"),
      fn<ddp_compute_bucket_assignment>(env, "ddp_compute_bucket_assignment"),
      fn<reducer_new>(env, "reducer_new"),
      fn<ddp_sink>(env, "ddp_sink"),
      fn<reducer_prepare_for_forward>(env, "reducer_prepare_for_forward"),
      fn<reducer_prepare_for_backward>(env, "reducer_prepare_for_backward"),
      fn<reducer_rebuild_buckets>(env, "reducer_rebuild_buckets"),
      fn<reducer_set_static_graph>(env, "reducer_set_static_graph"),
      fn<reducer_register_builtin_comm_hook>(env, "reducer_register_builtin_comm_hook"),
      fn<reducer_bucket_sizes>(env, "reducer_bucket_sizes"),
      fn<work_wait>(env, "work_wait"),
      fn<work_is_completed>(env, "work_is_completed"),
      fn<work_source_rank>(env, "work_source_rank"),
      fn<work_wait_async>(env, "work_wait_async"),
      fn<work_get_future>(env, "work_get_future"),
      fn<future_done>(env, "future_done"),
      fn<future_wait>(env, "future_wait"),
      fn<future_wait_async>(env, "future_wait_async"),
      fn<reducer_register_comm_hook>(env, "reducer_register_comm_hook"),
      fn<reducer_comm_hook_sync>(env, "reducer_comm_hook_sync"),
      fn<reducer_set_forward_pass_work_handle>(env, "reducer_set_forward_pass_work_handle"),
      fn<reducer_match_all_reduce>(env, "reducer_match_all_reduce"),
      fn<reducer_push_all_rebuilt_params>(env, "reducer_push_all_rebuilt_params"),
      fn<reducer_local_used_map>(env, "reducer_local_used_map"),
#ifdef USE_C10D_NCCL
      fn<group_nccl>(env, "group_nccl"),
#endif
  });
}

}  // namespace tn
