#!/usr/bin/python3
"""Lists every public name of PyTorch's Python API that docs/coverage.md measures.

Run with Debian's /usr/bin/python3 (python3-torch 1.13.1): writes docs/python-api.json.
  torch          public callables of `torch` (functions and builtins; classes, modules and the
                 leftovers in NOT_API left out)
  Tensor         public attributes of torch.Tensor (methods and properties; dunders left out)
  nn.functional  public functions of torch.nn.functional
  linalg, fft, special   public functions of those modules
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


def main():
    api = {
        'torch': callables(torch),
        'Tensor': sorted(n for n in dir(torch.Tensor) if not n.startswith('_')),
        'nn.functional': callables(F, fn_only=True),
        'linalg': callables(torch.linalg),
        'fft': callables(torch.fft),
        'special': callables(torch.special),
    }
    with open(os.path.join(ROOT, 'docs', 'python-api.json'), 'w') as fh:
        json.dump({'torch_version': torch.__version__, 'names': api}, fh, indent=0, sort_keys=True)
        fh.write('\n')
    for k, v in api.items():
        print(k, len(v))


if __name__ == '__main__':
    main()
