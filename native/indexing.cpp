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

compat::SliceBound slice_bound(napi_env env, napi_value obj, const char* key) {
  napi_value v;
  TN_CHECK(napi_get_named_property(env, obj, key, &v));  // a getter may throw
  if (is_nullish(env, v)) return c10::nullopt;
  return compat::SliceBound(to_int(env, v, "index(): slice bound"));
}

std::vector<at::indexing::TensorIndex> to_indices(napi_env env, napi_value list) {
  using namespace at::indexing;
  std::vector<TensorIndex> out;
  for_each_element(env, list, "index(): indices", "an array", [&](napi_value v) {
    switch (type_of(env, v)) {
      case napi_null:
      case napi_undefined: out.emplace_back(None); break;
      case napi_number:
      case napi_bigint: out.emplace_back(to_int(env, v, "index(): integer index")); break;
      case napi_boolean: out.emplace_back(to_bool(env, v, "index()")); break;
      case napi_external: out.emplace_back(unwrap_tensor(env, v, "index(): tensor index")); break;
      case napi_string: {
        if (to_string(env, v, "index()") != "...")
          throw JsTypeError("index(): the only string index is \"...\" (Ellipsis)");
        out.emplace_back(Ellipsis);
        break;
      }
      case napi_object: {
        auto start = slice_bound(env, v, "start"), stop = slice_bound(env, v, "stop"),
             step = slice_bound(env, v, "step");
        out.emplace_back(Slice(start, stop, step));
        break;
      }
      default:
        throw JsTypeError("index(): unsupported index type (use numbers, slices, null, \"...\", booleans or tensors)");
    }
  });
  return out;
}

napi_value index(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 2);
    if (a.size() < 2) throw JsTypeError("index(): expected a tensor and indices");
    // Indices first: reading them can run JS (a getter) that disposes self.
    auto indices = to_indices(env, a[1]);
    return wrap_tensor(env, unwrap_tensor(env, a[0], "index(): self").index(indices));
  });
}

napi_value index_put_(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args a = get_args(env, info, 3);
    if (a.size() < 3) throw JsTypeError("index_put_(): expected a tensor, indices and a value");
    auto indices = to_indices(env, a[1]);  // first, as in index()
    const at::Tensor& t = unwrap_tensor(env, a[0], "index_put_(): self");
    if (is_tensor_handle(env, a[2]))
      const_cast<at::Tensor&>(t).index_put_(indices, unwrap_tensor(env, a[2], "index_put_(): value"));
    else
      const_cast<at::Tensor&>(t).index_put_(indices, to_scalar(env, a[2], "index_put_(): value"));
    return a[0];
  });
}

}  // namespace

void init_indexing(napi_env env, napi_value exports) {
  export_functions(env, exports, {
      {"index", index},
      {"index_put_", index_put_},
  });
}

}  // namespace tn
