#!/usr/bin/python3
"""Generates torch-node's op surface from LibTorch's schemas.

Run with Debian's /usr/bin/python3 (python3-torch 1.13 ships torchgen and
native_functions.yaml). Writes, committed, so that building needs no Python:
  lib/generated/signatures.ts  Python-facing signatures per namespace
                                 (torch, Tensor, linalg, fft, special, nn),
                                 overloads in the order Python's parser tries them
  lib/generated/aten.ts          every ATen schema (torch.ops.aten), loaded lazily
  lib/generated/api.ts           TypeScript declarations of the generated names

Compact record of one overload: [op, out_op, args, returns, flags]
  op      "name.overload" of the functional schema
  out_op  "name.overload" of the out= variant, or ""
  args    [[name, type, size, default, kwonly, schema_index, out_schema_index], ...]
          type: T Tensor, S Scalar, i int, f float, b bool, s str, D dtype,
          Y layout, V device, M memory_format, G generator, I int[], F float[],
          B bool[], L Tensor[], O Tensor?[]; a trailing '?' means None is accepted.
          schema_index -1: Python-only (requires_grad).
  returns [[type, name], ...]; a Tensor(a!) return of an in-place op has type 'A'
  flags   'o': out tensors at out_schema_indices, listed in args as 'out' (type T or L)
"""
import inspect
import json
import os
import re
import sys
from collections import defaultdict

import torchgen
from torchgen.gen import parse_native_yaml
from torchgen.api import python as pyapi
from torchgen.model import (BaseTy, BaseType, ListType, OptionalType, Variant)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(os.path.dirname(torchgen.__file__), 'packaged', 'ATen', 'native')
OUT = os.path.join(ROOT, 'lib', 'generated')

# Ops Python does not bind from the schema (it binds them by hand, or not at all),
# after tools/autograd/gen_python_functions.py's skip lists (names as regexes).
SKIP = [
    'alias', 'contiguous', 'is_cuda', 'is_sparse', 'is_sparse_csr', 'size', 'stride',
    r'.*_backward', r'.*_backward_(out|input|weight|bias)', r'.*_forward', r'.*_forward_out', r'.*_jvp',
    '_unsafe_view', 'tensor', r'_?sparse_(coo|compressed|csr|csc|bsr|bsc)_tensor.*', r'_range.*',
    '_sparse_add_out', r'_sparse_div.*', r'_sparse_mul.*', r'_sparse_sub.*', '_sparse_dense_add_out',
    'index', 'index_out', 'unique_dim_consecutive', r'_cumsum.*', r'_cumprod.*', r'_sum.*', r'_prod.*',
    r'_th_.*', r'_thnn_.*', r'range.*', r'_solve.*', r'_inverse.*', r'full(_out)?', r'_cholesky.*',
    r'_triangular_solve.*', r'_qr.*', r'_symeig.*', r'_svd.*', 'slice', r'randint(_out)?', 'item',
    '_local_scalar_dense', 'to', '_to_copy', 'copy_sparse_to_sparse_', 'copy_', 'numpy_T', 'matrix_H',
    'mT', 'mH', r'nonzero(_(out|numpy))?', 'set_data', r'.*_overrideable', 'data', 'is_leaf',
    'output_nr', '_version', 'requires_grad_', 'retains_grad', 'set_', '_fw_primal',
    'fake_quantize_per_tensor_affine_cachemask', 'fake_quantize_per_channel_affine_cachemask',
    '_new_zeros_with_same_feature_meta', '_has_same_storage_numel', '_reshape_alias', 'replace_',
    'copy', 'fill.Tensor', 'fill.Scalar', r'lift.*', 'normal_functional', 'nbytes', 'itemsize',
]
SKIP_RE = [re.compile(f'^{p}$') for p in SKIP]
# Overloads Python hides (a number goes to the Tensor overload as a wrapped number).
SKIP_OVERLOADS = {'add.Scalar', 'add_.Scalar', 'sub.Scalar', 'sub_.Scalar', 'mul.Scalar', 'mul_.Scalar',
                  'div.Scalar', 'div_.Scalar', 'div.Scalar_mode', 'div_.Scalar_mode'}
# Python accepts a number where these ops take a Tensor (python_arg_parser.cpp).
NUMBERS_AS_TENSORS = {
    'add', 'add_', 'div', 'div_', 'divide', 'divide_', 'mul', 'mul_', 'multiply', 'multiply_',
    'sub', 'sub_', 'subtract', 'subtract_', 'true_divide', 'true_divide_', 'floor_divide', 'floor_divide_',
}
MODULE_PREFIX = {'linalg': 'linalg_', 'fft': 'fft_', 'special': 'special_', 'nn': ''}


def skipped(f):
    name = str(f.func.name.name)
    full = str(f.func.name)
    if any(r.match(name) or r.match(full) for r in SKIP_RE):
        return True
    if full in SKIP_OVERLOADS:
        return True
    return False


def tcode(t):
    """The binder's type code, or None for a type torch-node cannot pass."""
    opt = isinstance(t, OptionalType)
    if opt:
        t = t.elem
    size = 0
    if isinstance(t, BaseType):
        c = {BaseTy.Tensor: 'T', BaseTy.Scalar: 'S', BaseTy.int: 'i', BaseTy.SymInt: 'i', BaseTy.float: 'f',
             BaseTy.bool: 'b', BaseTy.str: 's', BaseTy.ScalarType: 'D', BaseTy.Layout: 'Y',
             BaseTy.Device: 'V', BaseTy.MemoryFormat: 'M', BaseTy.Generator: 'G'}.get(t.name)
    elif isinstance(t, ListType):
        size = t.size or 0
        e = str(t.elem)
        c = {'Tensor': 'L', 'Tensor?': 'O', 'int': 'I', 'SymInt': 'I', 'float': 'F', 'bool': 'B'}.get(e)
    else:
        c = None
    if c is None:
        return None, 0
    return c + ('?' if opt else ''), size


def pydefault(a):
    d = a.default
    if d is None:
        return None
    return {'nullptr': 'None', 'c10::nullopt': 'None', '{}': 'None'}.get(d, d)


def schema_index(f):
    return {a.name: i for i, a in enumerate(f.func.schema_order_arguments())}


def record(sig, f, fout, method, pyname):
    """One overload as the compact record; None when an argument cannot be passed."""
    sidx = schema_index(f)
    oidx = schema_index(fout) if fout is not None else {}
    args = []
    for a in sig.input_args:
        if method and a.name == 'self':
            continue
        args.append((a, 0))
    for a in sig.input_kwargs:
        args.append((a, 1))
    for a in sig.tensor_options_args:
        args.append((a, 1))
    out = []
    for a, kw in args:
        c, size = tcode(a.type)
        if c is None:
            return None
        name = a.name
        if name == 'self' and not method:
            name = 'input'
        if c == 'T' and pyname in NUMBERS_AS_TENSORS and a.name != 'self':
            c = 'N'  # Tensor, or a number wrapped as Python wraps it
        d = pydefault(a)
        si = sidx.get(a.name, -1)
        if si == -1 and a.name != 'requires_grad':
            # TensorOptions of an op that takes none: Python accepts and applies them; we cannot
            if a.name in ('dtype', 'layout', 'device', 'pin_memory'):
                return None
        out.append([name, c, size, d, kw, si, oidx.get(a.name, -1)])
    flags = ''
    if fout is not None:
        outs = list(fout.func.arguments.out)
        if len(outs) == 1:
            out.append(['out', 'T?', 0, 'None', 1, -1, oidx[outs[0].name]])
        else:
            out.append(['out', 'L?', len(outs), 'None', 1, -1, [oidx[o.name] for o in outs]])
        flags += 'o'
    if method:
        flags += 'm'
        if 'self' in sidx:
            flags += str(sidx['self']) if sidx['self'] != 0 else ''
    rets = []
    rs = f.func.returns
    fields = [r.name for r in rs] if len(rs) > 1 and all(r.name for r in rs) else []
    for i, r in enumerate(f.func.returns):
        c, _ = tcode(r.type)
        if r.annotation is not None and r.annotation.is_write:
            c = 'A'
        rets.append([c or '?', fields[i] if fields else ''])
    return [str(f.func.name), str(fout.func.name) if fout is not None else '', out, rets, flags]


def is_arg_smaller(t1, t2):
    return ((t1 == 'Scalar' and t2 == 'Tensor') or (t1 == 'Scalar?' and t2 == 'Tensor?')
            or ('Dimname' in t1 and 'Dimname' not in t2)
            or (t1 == 'int[]' and t2 in ('int', 'int?'))
            or (t1 == 'Tensor[]' and '[]' in t2)
            or (t1 == 'SymInt[]' and t2 == 'int[]'))


def is_smaller(s1, s2):
    a1, a2 = s1.arguments(skip_outputs=True), s2.arguments(skip_outputs=True)
    if len(a1) != len(a2):
        return False
    equal = all(x.type == y.type for x, y in zip(a1, a2))
    le = all(str(x.type) == str(y.type) or is_arg_smaller(str(x.type), str(y.type)) for x, y in zip(a1, a2))
    return le and not equal


def sort_overloads(items):
    """Python's parser order: larger signatures (Tensor over Scalar...) before smaller ones."""
    items = sorted(items, key=lambda x: x[0].signature_str(skip_outputs=True))
    larger = {i: set() for i in range(len(items))}
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if is_smaller(a[0], b[0]):
                larger[i].add(j)
    order, done = [], set()
    while len(order) < len(items):
        for i in range(len(items)):
            if i not in done and larger[i] <= done:
                order.append(i)
                done.add(i)
                break
    return [items[i] for i in order]


def build():
    parsed = parse_native_yaml(os.path.join(PKG, 'native_functions.yaml'), os.path.join(PKG, 'tags.yaml'))
    fns = parsed.native_functions
    # functional / out pairing by (name, Python signature without outputs)
    groups = defaultdict(list)  # (namespace, pyname) -> [(sig, f, fout)]
    by_key = {}
    outs = []
    for f in fns:
        if f.func.is_out_fn():
            outs.append(f)
        else:
            by_key.setdefault(str(f.func.name.name), []).append(f)
    out_of = {}
    for fo in outs:
        base = str(fo.func.name.name)
        so = pyapi.signature(fo, method=False).signature_str(skip_outputs=True)
        for f in by_key.get(base, []):
            if pyapi.signature(f, method=False).signature_str(skip_outputs=True) == so:
                out_of[id(f)] = fo
    table = defaultdict(dict)
    counts = defaultdict(int)
    for f in fns:
        if f.func.is_out_fn() or skipped(f):
            continue
        name = str(f.func.name.name)
        mod = f.python_module
        fout = out_of.get(id(f))
        if mod is None:
            spaces = []
            if Variant.function in f.variants:
                spaces.append(('torch', name, False))
            if Variant.method in f.variants:
                spaces.append(('Tensor', name, True))
        elif mod in MODULE_PREFIX:
            pre = MODULE_PREFIX[mod]
            spaces = [(mod, name[len(pre):] if name.startswith(pre) else name, False)]
        else:
            continue
        for ns, pyname, method in spaces:
            if ns == 'torch' and name.startswith('_') and not name.startswith('__'):
                pass  # private, still bound (torch._foo), as Python does
            sig = pyapi.signature(f, method=method)
            rec = record(sig, f, None if method else fout, method, name)
            if rec is None:
                counts['unsupported'] += 1
                continue
            table[ns].setdefault(pyname, []).append((sig, rec))
    result = {}
    for ns, names in sorted(table.items()):
        result[ns] = {}
        for pyname, items in sorted(names.items()):
            result[ns][pyname] = [rec for _, rec in sort_overloads(items)]
    # every schema for torch.ops.aten
    aten = {}
    for f in fns:
        a = []
        ok = True
        for i, arg in enumerate(f.func.schema_order_arguments()):
            c, size = tcode(arg.type)
            if c is None:
                ok = False
                c = '?'
            kw = 1 if arg in f.func.arguments.flat_kwarg_only or arg in f.func.arguments.out else 0
            a.append([arg.name, c, size, pydefault(pyapi.argument(arg)), kw, i, -1])
        rets = [[(tcode(r.type)[0] or '?') if not (r.annotation and r.annotation.is_write) else 'A', r.name or '']
                for r in f.func.returns]
        aten.setdefault(str(f.func.name.name), []).append([str(f.func.name), '', a, rets, '' if ok else 'x'])
    return result, aten, counts


TS_TYPE = {'T': 'Tensor', 'N': 'Tensor | Scalar', 'S': 'Scalar', 'i': 'number', 'f': 'number', 'b': 'boolean',
           's': 'string', 'D': 'dtype', 'Y': 'layout', 'V': 'DeviceLike', 'M': 'memory_format',
           'G': 'Generator', 'I': 'number | number[]', 'F': 'number | number[]', 'B': 'boolean[]',
           'L': 'Tensor[]', 'O': 'Array<Tensor | null>'}


def ts_type(c):
    opt = c.endswith('?')
    t = TS_TYPE[c.rstrip('?')]
    return f'{t} | null' if opt else t


def ts_return(rets, self_type):
    if not rets:
        return 'void'
    conv = {'T': 'Tensor', 'A': self_type, 'L': 'Tensor[]', 'i': 'number', 'f': 'number', 'b': 'boolean',
            'S': 'number', 's': 'string', 'D': 'dtype', 'O': 'Array<Tensor | null>'}
    ts = [conv.get(r[0], 'unknown') for r in rets]
    if len(ts) == 1:
        return ts[0]
    if all(r[1] for r in rets):
        return 'NamedTuple<[' + ', '.join(ts) + '], {' + ' '.join(f'{r[1]}: {t};' for r, t in zip(rets, ts)) + '}>'
    return '[' + ', '.join(ts) + ']'


JS_RESERVED = {'var', 'new', 'delete', 'in', 'typeof', 'function', 'class', 'default', 'import', 'export',
               'return', 'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'break', 'continue', 'with',
               'this', 'throw', 'try', 'catch', 'finally', 'const', 'let', 'void', 'instanceof', 'super',
               'enum', 'extends', 'yield', 'static', 'null', 'true', 'false'}


def ts_overloads(name, recs, method, self_type='Tensor'):
    """TypeScript overloads: positionals (the optional ones optional), then one options object
    that may carry every argument not given positionally."""
    lines = []
    seen = set()
    for rec in recs:
        args = rec[2]
        pos = [a for a in args if not a[4]]
        kws = [a for a in args if a[4]]
        ret = ts_return(rec[3], 'Tensor')
        if any(a[0] == 'out' for a in args):
            ret_out = ret
        nreq = 0
        for i, a in enumerate(pos):
            if a[3] is None:
                nreq = i + 1
        pname = lambda a: ('_' + a[0]) if a[0] in JS_RESERVED else a[0]
        for j in sorted({nreq, len(pos), 0}):
            params = []
            for i, a in enumerate(pos[:j]):
                opt = '?' if i >= nreq else ''
                params.append(f'{pname(a)}{opt}: {ts_type(a[1])}')
            rest = pos[j:] + kws
            fields = []
            for a in rest:
                opt = '' if (a[3] is None and not a[4]) else '?'
                fields.append(f'{a[0]}{opt}: {ts_type(a[1])}')
            all_opt = all(f.split(':')[0].endswith('?') for f in fields)
            if fields:
                params.append(f'opts{"?" if all_opt else ""}: {{ {"; ".join(fields)} }}')
            s = f'  {name}({", ".join(params)}): {ret};'
            if s not in seen:
                seen.add(s)
                lines.append(s)
        # Python's varargs int list: f(2, 3) for f([2, 3]) when it is the only positional
        if len(pos) == 1 and pos[0][1].startswith('I'):
            fields = [f'{a[0]}?: {ts_type(a[1])}' for a in kws]
            opt_t = f'{{ {"; ".join(fields)} }}' if fields else None
            s = f'  {name}(...{pname(pos[0])}: number[]): {ret};'
            if s not in seen:
                seen.add(s)
                lines.append(s)
            if opt_t:
                s = f'  {name}(...args: [...number[], {opt_t}]): {ret};'
                if s not in seen:
                    seen.add(s)
                    lines.append(s)
    return lines


def write_ts(result):
    out = ['// Generated by scripts/gen-bindings.py from LibTorch\'s schemas: do not edit.',
           '/* eslint-disable */',
           "import type { Tensor } from '../tensor';",
           "import type { dtype } from '../dtype';",
           "import type { DeviceLike } from '../device';",
           "import type { Scalar, Generator, layout, memory_format, NamedTuple } from '../binder';",
           '']
    iface = {'torch': 'TorchFunctions', 'Tensor': 'TensorMethods', 'linalg': 'LinalgFunctions',
             'fft': 'FftFunctions', 'special': 'SpecialFunctions', 'nn': 'NnFunctions'}
    for ns, names in result.items():
        out.append(f'export interface {iface[ns]} {{')
        for name, recs in names.items():
            out.extend(ts_overloads(name if name.isidentifier() else repr(name), recs, ns == 'Tensor'))
        out.append('}')
        out.append('')
    return '\n'.join(out)


# torch.<name> that lib/ writes by hand in a module index.ts exports with `export *`
# (an ambiguous star export would drop both).
HAND_TORCH = {'promote_types'}


def write_torch_ts(result):
    out = ['// Generated by scripts/gen-bindings.py: torch.<name> for every generated name. Do not edit.',
           '// lib/index.ts exports the hand-written ones (Python\'s own Python-level functions) over these.',
           "import { makeFunction } from '../binder';",
           "import type { TorchFunctions as F } from './api';", '']
    renamed = []
    for name in result['torch']:
        if not name.isidentifier() or name in HAND_TORCH:
            continue
        ident = name + '_' if name in JS_RESERVED else name
        export = 'export ' if ident == name else ''
        out.append(f"{export}const {ident} = makeFunction('torch', '{name}') as F['{name}'];")
        if ident != name:
            renamed.append((ident, name))
    for ident, name in renamed:
        out.append(f'export {{ {ident} as {name} }};')
    return '\n'.join(out) + '\n'


# ---- torch.nn.functional ------------------------------------------------------------
# F's Python functions whose body is one ATen op: bound with F's own signature (names,
# defaults, from inspect), then the op called by keyword. Hand-written in
# lib/nn/functional.ts: the ones that exist there already.
F_HAND = {'linear', 'conv2d', 'pad', 'batch_norm', 'relu', 'relu_', 'sigmoid', 'tanh', 'gelu', 'softmax',
          'log_softmax', 'dropout', 'max_pool2d', 'max_pool2d_with_indices', 'avg_pool2d', 'adaptive_avg_pool2d',
          'cross_entropy', 'nll_loss', 'mse_loss', 'l1_loss', 'binary_cross_entropy',
          'binary_cross_entropy_with_logits'}
# F functions that pick an op by return_indices (Python's boolean_dispatch)
F_DISPATCH = {
    'max_pool1d': ('max_pool1d_with_indices', 'max_pool1d'),
    'max_pool3d': ('max_pool3d_with_indices', 'max_pool3d'),
    'adaptive_max_pool1d': ('adaptive_max_pool1d', None),
    'adaptive_max_pool2d': ('adaptive_max_pool2d', None),
    'adaptive_max_pool3d': ('adaptive_max_pool3d', None),
    'fractional_max_pool2d': ('fractional_max_pool2d', None),
    'fractional_max_pool3d': ('fractional_max_pool3d', None),
}
F_WITH_INDICES = {'max_pool1d_with_indices': 'max_pool1d_with_indices', 'max_pool3d_with_indices': 'max_pool3d_with_indices',
                  'adaptive_max_pool1d_with_indices': 'adaptive_max_pool1d',
                  'adaptive_max_pool2d_with_indices': 'adaptive_max_pool2d',
                  'adaptive_max_pool3d_with_indices': 'adaptive_max_pool3d',
                  'fractional_max_pool2d_with_indices': 'fractional_max_pool2d',
                  'fractional_max_pool3d_with_indices': 'fractional_max_pool3d'}
F_RENAME = {'alpha_dropout': {'training': 'train'}, 'feature_alpha_dropout': {'training': 'train'}}
F_EXTRA = {'instance_norm': {'cudnn_enabled': True}}
LEGACY = {'size_average', 'reduce'}
F_ALIAS = {'logsigmoid': ('nn', 'log_sigmoid')}


def pyval(v):
    """A Python default as JSON (None -> null); None when it has no JSON form."""
    if isinstance(v, (bool, int, float, str)) or v is None:
        return [v]
    if isinstance(v, (tuple, list)) and all(isinstance(x, (int, float)) for x in v):
        return [list(v)]
    return None


def ann_ts(a):
    s = str(a)
    if a is inspect.Parameter.empty:
        return 'unknown'
    m = {'Tensor': 'Tensor', 'torch.Tensor': 'Tensor', 'float': 'number', 'int': 'number', 'bool': 'boolean',
         'str': 'string', "<class 'float'>": 'number', "<class 'int'>": 'number', "<class 'bool'>": 'boolean',
         "<class 'str'>": 'string', "<class 'torch.Tensor'>": 'Tensor'}
    if s in m:
        return m[s]
    if s.startswith('typing.Optional['):
        inner = s[len('typing.Optional['):-1]
        t = m.get(inner, None)
        return f'{t} | null' if t else 'unknown'
    if 'List[int]' in s or 'Tuple[int' in s or '_size' in s or 'BroadcastingList' in s:
        return 'number | number[]'
    if 'Union[int, float]' in s:
        return 'number'
    return 'unknown'


def f_specs(result):
    import torch.nn.functional as F
    specs, aliases, types = {}, {}, {}
    for n in sorted(dir(F)):
        if n.startswith('_') or n in F_HAND:
            continue
        v = getattr(F, n)
        if not callable(v) or inspect.isclass(v) or inspect.ismodule(v):
            continue
        try:
            params = list(inspect.signature(v).parameters.values())
        except (TypeError, ValueError):
            params = None
        if params is None:
            # a builtin: F.<n> is the ATen op itself
            if n in F_ALIAS:
                aliases[n] = F_ALIAS[n]
                continue
            for ns in ('nn', 'torch'):
                if n in result[ns]:
                    aliases[n] = ns
                    break
            continue
        target = None
        first = False
        if n in F_DISPATCH:
            src = F_DISPATCH[n]
            params = list(inspect.signature(getattr(F, n + '_with_indices')).parameters.values())
            if not any(p.name == 'return_indices' for p in params):
                params.append(inspect.Parameter('return_indices', inspect.Parameter.POSITIONAL_OR_KEYWORD, default=False))
            target = [src[0], src[1]]
        elif n in F_WITH_INDICES:
            target = [F_WITH_INDICES[n], None]
        else:
            for cand in (n, n.rstrip('_')):
                if cand in result['nn'] or cand in result['torch']:
                    target = [cand, None]
                    break
        if target is None:
            continue
        ns = 'nn' if target[0] in result['nn'] else 'torch'
        ns2 = None if target[1] is None else ('nn' if target[1] in result['nn'] else 'torch')
        opnames = set(a[0] for r in result[ns][target[0]] for a in r[2])
        rename = F_RENAME.get(n, {})
        ok = True
        ps = []
        for p in params:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                ok = False
                break
            name = p.name
            if name not in opnames and rename.get(name) not in opnames and name not in {'inplace', 'return_indices'} | LEGACY:
                ok = False
                break
            d = None if p.default is inspect.Parameter.empty else pyval(p.default)
            if p.default is not inspect.Parameter.empty and d is None:
                ok = False
                break
            ps.append([name, d[0] if d else None, 0 if d is None else 1])
        if not ok:
            continue
        inplace = None
        if any(p[0] == 'inplace' for p in ps):
            cand = target[0] + '_'
            inplace = [cand, 'nn' if cand in result['nn'] else 'torch'] if (cand in result['nn'] or cand in result['torch']) else None
        specs[n] = {'params': ps, 'target': [target[0], ns], 'alt': [target[1], ns2] if target[1] else None,
                    'inplace': inplace, 'rename': rename, 'extra': F_EXTRA.get(n, {}), 'dispatch': n in F_DISPATCH}
        types[n] = [(p.name, ann_ts(p.annotation), p.default is not inspect.Parameter.empty) for p in params]
    return specs, aliases, types


def write_functional_ts(result):
    specs, aliases, types = f_specs(result)
    out = ['// Generated by scripts/gen-bindings.py: torch.nn.functional names whose Python body is one ATen op',
           '// (bound with F\'s own signature, then the op called by keyword) or that are the op itself. Do not edit.',
           "import type { Tensor } from '../tensor';",
           "import type { TorchFunctions, NnFunctions } from './api';",
           "import { makeF, makeFunction } from '../binder';", "import type { FSpecs } from '../binder';", '',
           f'const SPECS = {json.dumps(specs, separators=(",", ":"), sort_keys=True)} as unknown as FSpecs;', '']
    for n, ns in aliases.items():
        ns, op = ns if isinstance(ns, tuple) else (ns, n)
        iface = 'NnFunctions' if ns == 'nn' else 'TorchFunctions'
        out.append(f"export const {n} = makeFunction('{ns}', '{op}') as {iface}['{op}'];")
    for n, ps in types.items():
        pos = []
        for name, t, has_default in ps:
            pos.append(f'{name}{"?" if has_default else ""}: {t}')
        fields = '; '.join(f'{name}?: {t}' for name, t, _ in ps)
        req = [p for p in ps if not p[2]]
        req_pos = ', '.join(f'{name}: {t}' for name, t, _ in req)
        opt_fields = '; '.join(f'{name}?: {t}' for name, t, d in ps if d)
        ret = 'Tensor | [Tensor, Tensor]' if n in F_DISPATCH else ('[Tensor, Tensor]' if n in F_WITH_INDICES else 'Tensor')
        sig = [f'({", ".join(pos)}): {ret}']
        if opt_fields:
            sig.append(f'({req_pos + ", " if req_pos else ""}opts: {{ {opt_fields} }}): {ret}')
        sig.append(f'(opts: {{ {fields} }}): {ret}')
        out.append(f"export const {n} = makeF('{n}', SPECS) as {{ {'; '.join(sig)} }};")
    return '\n'.join(out) + '\n', len(specs), len(aliases)


def main():
    result, aten, counts = build()
    os.makedirs(OUT, exist_ok=True)
    # One JSON text per name, parsed on the name's first call: a program that uses a hundred
    # ops never builds the objects of the other two thousand.
    per_name = {ns: {name: json.dumps(recs, separators=(',', ':')) for name, recs in sorted(names.items())}
                for ns, names in sorted(result.items())}
    with open(os.path.join(OUT, 'signatures.ts'), 'w') as fh:
        fh.write('// Generated by scripts/gen-bindings.py: do not edit. Per namespace and name, the overloads\n'
                 '// as JSON text (parsed on the first call of that name).\n')
        fh.write(f'export const TABLE: Record<string, Record<string, string>> = {json.dumps(per_name, separators=(",", ":"))};\n')
    with open(os.path.join(OUT, 'aten.ts'), 'w') as fh:
        fh.write('// Generated by scripts/gen-bindings.py: do not edit. JSON text (parsed once, on first use).\n')
        fh.write(f'export const json: string = {json.dumps(json.dumps(aten, separators=(",", ":"), sort_keys=True))};\n')
    with open(os.path.join(OUT, 'api.ts'), 'w') as fh:
        fh.write(write_ts(result))
    with open(os.path.join(OUT, 'torch.ts'), 'w') as fh:
        fh.write(write_torch_ts(result))
    with open(os.path.join(OUT, 'names.ts'), 'w') as fh:
        fh.write('// Generated by scripts/gen-bindings.py: the generated names per namespace, so that import\n'
                 '// installs them without parsing the signature table (parsed on the first call). Do not edit.\n')
        fh.write(f'export const NAMES: Record<string, string[]> = {json.dumps({ns: sorted(v) for ns, v in result.items()})};\n')
    text, nspec, nalias = write_functional_ts(result)
    with open(os.path.join(OUT, 'functional.ts'), 'w') as fh:
        fh.write(text)
    print(f'nn.functional: {nspec} bound to one op, {nalias} the op itself', file=sys.stderr)
    for ns, names in result.items():
        print(f'{ns}: {len(names)} names, {sum(len(v) for v in names.values())} overloads', file=sys.stderr)
    print(f'aten: {len(aten)} names, {sum(len(v) for v in aten.values())} schemas; '
          f'overloads with an argument torch-node cannot pass: {counts["unsupported"]}', file=sys.stderr)


if __name__ == '__main__':
    main()
