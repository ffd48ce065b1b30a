// Stand-in for LibTorch's distributed-autograd context header, which Debian's
// libtorch-dev does not ship although c10d/reducer.hpp includes it. The
// Reducer only names two things from it: DistAutogradContext::GradCallback (in
// a static_assert) and ContextPtr (a shared_ptr member, whose layout does not
// depend on the pointee). This declares exactly those, as the real header does;
// torch-node never creates or touches a DistAutogradContext. CMakeLists.txt
// puts this folder on distributed.cpp's include path only when the real header
// is missing.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
  DistAutogradContext() = delete;  // never instantiated here
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
