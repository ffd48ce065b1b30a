#!/usr/bin/python3
"""Lists every public name of PyTorch's Python API that docs/coverage.md measures.

Run with Debian's /usr/bin/python3 (python3-torch 1.13.1): writes docs/python-api.json.
  torch          public callables of `torch` (functions and builtins; classes, modules and the
                 leftovers in NOT_API left out)
  Tensor         public attributes of torch.Tensor (methods and properties; dunders left out)
  nn.functional  public functions of torch.nn.functional
  linalg, fft, special   public functions of those modules
  nn             torch.nn's module classes (public subclasses of nn.Module) and its parameter classes
  nn.utils, nn.utils.rnn, nn.utils.parametrize, optim, optim.lr_scheduler, autograd
                 the public functions and classes defined in those packages (names a module only
                 imports from elsewhere, such as typing helpers or Tensor, left out)
"""
import inspect
import json
import os

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# In torch's namespace but not its API: typing imports and names left over from
# torch/__init__.py's own loops and helpers.
NOT_API = {'Callable', 'Set', 'Union', 'candidate', 'obj', 'classproperty'}


def callables(mod, fn_only=False):
    out = []
    for n in dir(mod):
        if n.startswith('_') or (mod is torch and n in NOT_API):
            continue
        v = getattr(mod, n)
        if inspect.isclass(v) or inspect.ismodule(v) or not callable(v):
            continue
        if fn_only and getattr(v, '__module__', None) not in (mod.__name__, 'torch._C._nn', None) \
                and not type(v).__name__ == 'builtin_function_or_method':
            continue  # names F imports from elsewhere (typing helpers, Tensor...)
        out.append(n)
    return sorted(out)


def defined_in(mod, prefix, classes=True):
    """Public functions (and classes) of mod whose home is under `prefix` (not ones it imports)."""
    out = []
    for n in dir(mod):
        if n.startswith('_'):
            continue
        v = getattr(mod, n)
        if inspect.ismodule(v) or not callable(v) or (inspect.isclass(v) and not classes):
            continue
        if not (getattr(v, '__module__', '') or '').startswith(prefix):
            continue
        out.append(n)
    return sorted(out)


def nn_classes():
    nn = torch.nn
    out = []
    for n in dir(nn):
        v = getattr(nn, n)
        if n.startswith('_') or not inspect.isclass(v):
            continue
        if issubclass(v, nn.Module) or issubclass(v, nn.Parameter) or n == 'UninitializedBuffer':
            out.append(n)
    return sorted(out)


def main():
    import torch.nn.utils.parametrize  # noqa: F401  (a submodule nn.utils does not import itself)
    api = {
        'torch': callables(torch),
        'Tensor': sorted(n for n in dir(torch.Tensor) if not n.startswith('_')),
        'nn.functional': callables(F, fn_only=True),
        'linalg': callables(torch.linalg),
        'fft': callables(torch.fft),
        'special': callables(torch.special),
        'nn': nn_classes(),
        'nn.utils': defined_in(torch.nn.utils, 'torch.nn.utils'),
        'nn.utils.rnn': defined_in(torch.nn.utils.rnn, 'torch.nn.utils.rnn'),
        'nn.utils.parametrize': defined_in(torch.nn.utils.parametrize, 'torch.nn.utils.parametrize'),
        'optim': defined_in(torch.optim, 'torch.optim'),
        'optim.lr_scheduler': defined_in(torch.optim.lr_scheduler, 'torch.optim.lr_scheduler'),
        'autograd': defined_in(torch.autograd, 'torch.autograd'),
    }
    with open(os.path.join(ROOT, 'docs', 'python-api.json'), 'w') as fh:
        json.dump({'torch_version': torch.__version__, 'names': api}, fh, indent=0, sort_keys=True)
        fh.write('\n')
    for k, v in api.items():
        print(k, len(v))


if __name__ == '__main__':
    main()
