// Python's t[...] and t[...] = v, through LibTorch's own implementation of
// Python indexing (at::indexing), so that every rule matches.
//
// An index item from JS is: a number (int), null (None), the string "..."
// (Ellipsis), a boolean, a tensor handle, or {start, stop, step} (a slice,
// fields null when absent).
#include "common.h"

#include <ATen/TensorIndexing.h>

namespace tn {
namespace {

compat::SliceBound slice_bound(Napi::Object obj, const char* key) {
  Napi::Value v = obj.Get(key);  // a getter may throw
  if (is_nullish(v)) return c10::nullopt;
  return compat::SliceBound(to_int(v, "index(): slice bound"));
}

std::vector<at::indexing::TensorIndex> to_indices(Napi::Value list) {
  using namespace at::indexing;
  std::vector<TensorIndex> out;
  for_each_element(list, "index(): indices", "an array", [&](Napi::Value v) {
    switch (v.Type()) {
      case napi_null:
      case napi_undefined: out.emplace_back(None); break;
      case napi_number:
      case napi_bigint: out.emplace_back(to_int(v, "index(): integer index")); break;
      case napi_boolean: out.emplace_back(to_bool(v, "index()")); break;
      case napi_external: out.emplace_back(unwrap_tensor(v, "index(): tensor index")); break;
      case napi_string: {
        if (to_string(v, "index()") != "...")
          throw JsTypeError("index(): the only string index is \"...\" (Ellipsis)");
        out.emplace_back(Ellipsis);
        break;
      }
      case napi_object: {
        Napi::Object slice = v.As<Napi::Object>();
        auto start = slice_bound(slice, "start"), stop = slice_bound(slice, "stop"),
             step = slice_bound(slice, "step");
        out.emplace_back(Slice(start, stop, step));
        break;
      }
      default:
        throw JsTypeError("index(): unsupported index type (use numbers, slices, null, \"...\", booleans or tensors)");
    }
  });
  return out;
}

Napi::Value index(const Napi::CallbackInfo& info) {
  if (info.Length() < 2) throw JsTypeError("index(): expected a tensor and indices");
  // Indices first: reading them can run JS (a getter) that disposes self.
  auto indices = to_indices(info[1]);
  return wrap_tensor(info.Env(), unwrap_tensor(info[0], "index(): self").index(indices));
}

Napi::Value index_put_(const Napi::CallbackInfo& info) {
  if (info.Length() < 3) throw JsTypeError("index_put_(): expected a tensor, indices and a value");
  auto indices = to_indices(info[1]);  // first, as in index()
  at::Tensor t = unwrap_tensor(info[0], "index_put_(): self");
  if (is_tensor_handle(info[2]))
    t.index_put_(indices, unwrap_tensor(info[2], "index_put_(): value"));
  else
    t.index_put_(indices, to_scalar(info[2], "index_put_(): value"));
  return info[0];
}

}  // namespace

void init_indexing(Napi::Env env, Napi::Object exports) {
  exports.DefineProperties({fn<index>(env, "index"), fn<index_put_>(env, "index_put_")});
}

}  // namespace tn
