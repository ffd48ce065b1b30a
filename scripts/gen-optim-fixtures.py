#!/usr/bin/python3
"""Reference values for torch.optim (test/optim*.test.js), from real PyTorch.

Run with Debian's Python and python3-torch (1.13):  /usr/bin/python3 scripts/gen-optim-fixtures.py
Writes test/fixtures/optim-optimizers.json, optim-schedulers.json, optim-errors.json.

Tensors are written as {"dtype", "shape", "values"}: float64 values exactly,
float32 values in 9 significant digits (Float32Array.from gives back the same bits).
"""
import copy
import json
import sys
import math
import os
import warnings

import torch

from fixture_json import fixture_dir, json_float

warnings.simplefilter('ignore')
torch.set_num_threads(1)
OUT = fixture_dir()


def enc_num(x):
    return json_float(x) if isinstance(x, float) else x


def enc_f32(x):
    """A float32 value in 9 significant digits: enough to read back the same float32
    (JS: Float32Array.from), and far from any rounding boundary."""
    return enc_num(x) if math.isnan(x) or math.isinf(x) else float('%.9g' % x)


def enc(v):
    """JSON form of optimizer values: tensors, None, tuples, numbers."""
    if isinstance(v, torch.Tensor):
        values = v.detach().reshape(-1).tolist()
        return {'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape),
                'values': [enc_f32(x) for x in values] if v.dtype == torch.float32 else [enc_num(x) for x in values]}
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    return enc_num(v)


OPTIMS = {name: getattr(torch.optim, name) for name in [
    'SGD', 'Adam', 'AdamW', 'Adadelta', 'Adagrad', 'Adamax', 'ASGD', 'NAdam', 'RAdam', 'RMSprop', 'Rprop', 'LBFGS', 'SparseAdam']}
SHAPES = [[4, 3], [3], [2, 3, 5]]  # 30 elements: a vectorized chunk (16 floats with AVX2) and a scalar tail


def explicit_case(name, optim, options, seed, steps=5, dtype=torch.float32, groups=None, skip=None):
    """Parameters and gradients drawn from seed; grads given explicitly each step.

    groups: list of (param indices, group options); skip: set of (step, param) with no grad.
    """
    torch.manual_seed(seed)
    params = [torch.randn(s, dtype=dtype).requires_grad_() for s in SHAPES]
    init = [enc(p) for p in params]
    grads = [[torch.randn(s, dtype=dtype) for s in SHAPES] for _ in range(steps)]
    if groups is None:
        opt = OPTIMS[optim](params, **options)
    else:
        opt = OPTIMS[optim]([dict(params=[params[i] for i in idx], **o) for idx, o in groups], **options)
    after = {}  # parameters after steps 1, 3 and the last (keeps the file small)
    for k in range(steps):
        for j, p in enumerate(params):
            p.grad = None if skip and (k, j) in skip else grads[k][j].clone()
        opt.step()
        if k + 1 in (1, 3, steps):
            after[str(k + 1)] = [enc(p) for p in params]
        if k + 1 == 3:
            mid = opt.state_dict()
            state_dict_mid = {'state': enc(mid['state']), 'param_groups': enc(mid['param_groups'])}
            mid = copy.deepcopy(mid)
            params_mid = [p.detach().clone() for p in params]
    sd = opt.state_dict()
    # Python loading that state into a new optimizer and going on. (Not always the uninterrupted
    # run: load_state_dict casts state tensors but `step` to the parameter's dtype, so a float64
    # parameter's ASGD eta/mu or NAdam mu_product become float64.)
    after_load = None
    if steps >= 4:
        loaded = [p.clone().requires_grad_() for p in params_mid]
        if groups is None:
            opt2 = OPTIMS[optim](loaded, **options)
        else:
            opt2 = OPTIMS[optim]([dict(params=[loaded[i] for i in idx], **o) for idx, o in groups], **options)
        opt2.load_state_dict(mid)
        for k in range(3, steps):
            for j, p in enumerate(loaded):
                p.grad = None if skip and (k, j) in skip else grads[k][j].clone()
            opt2.step()
        after_load = [enc(p) for p in loaded]
    return {
        'name': name, 'kind': 'explicit', 'optim': optim, 'options': enc(options), 'dtype': str(dtype).replace('torch.', ''),
        'groups': None if groups is None else [{'params': idx, 'options': enc(o)} for idx, o in groups],
        'skip': None if skip is None else sorted([list(x) for x in skip]),
        'steps': steps, 'init': init, 'grads': [[enc(g) for g in gs] for gs in grads], 'after': after,
        'state_dict_mid': state_dict_mid,  # Python's state_dict after step 3, for JS to load and continue
        'after_load': after_load,
        'state_dict': {'state': enc(sd['state']), 'state_order': [str(k) for k in sd['state'].keys()],
                       'param_groups': enc(sd['param_groups']),
                       'group_keys': [list(g.keys()) for g in sd['param_groups']]},
        'repr': repr(opt),
    }


def closure_case(name, optim, options, seed, steps=6, loss='lsq'):
    """Least squares: x (6x4), y (6x3) ~ randn, w (4x3) ~ randn, b = zeros(3);
    loss = ((x.mm(w) + b - y) ** 2).mean(), through step(closure).
    loss='quartic' adds (w ** 4).sum() * 0.1 (not quadratic: LBFGS's line search has work to do)."""
    torch.manual_seed(seed)
    x = torch.randn(6, 4)
    y = torch.randn(6, 3)
    w = torch.randn(4, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    opt = OPTIMS[optim]([w, b], **options)
    losses, after = [], []
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            value = ((x.mm(w) + b - y) ** 2).mean()
            if loss == 'quartic':
                value = value + (w ** 4).sum() * 0.1
            value.backward()
            return value
        losses.append(opt.step(closure).item())
        after.append([enc(w), enc(b)])
    sd = opt.state_dict()
    return {'name': name, 'kind': 'closure', 'optim': optim, 'options': enc(options), 'seed': seed, 'loss': loss,
            'losses': losses, 'after': after,
            'state_scalars': {k: enc(v) for k, v in sd['state'].get(0, {}).items() if isinstance(v, (int, float))}}


def optimizer_cases():
    cases = []
    sgd = [
        ('plain', {'lr': 0.1}),
        ('momentum', {'lr': 0.1, 'momentum': 0.9}),
        ('dampening', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.5}),
        ('nesterov', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}),
        ('weight_decay', {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.01}),
        ('maximize', {'lr': 0.1, 'weight_decay': 0.1, 'maximize': True}),
        ('all', {'lr': 0.01, 'momentum': 0.8, 'nesterov': True, 'weight_decay': 1e-4, 'maximize': True}),
        ('int lr', {'lr': 1, 'momentum': 0.5}),
    ]
    for i, (n, o) in enumerate(sgd):
        cases.append(explicit_case(f'SGD {n}', 'SGD', o, 100 + i))
    adam = [
        ('default', {}),
        ('lr', {'lr': 0.01}),
        ('betas eps', {'lr': 0.01, 'betas': (0.8, 0.99), 'eps': 1e-6}),
        ('weight_decay', {'lr': 0.01, 'weight_decay': 0.1}),
        ('amsgrad', {'lr': 0.01, 'amsgrad': True}),
        ('maximize', {'lr': 0.01, 'maximize': True}),
        ('all', {'lr': 0.02, 'betas': (0.5, 0.9), 'weight_decay': 0.05, 'amsgrad': True, 'maximize': True}),
    ]
    for i, (n, o) in enumerate(adam):
        cases.append(explicit_case(f'Adam {n}', 'Adam', o, 200 + i))
    adamw = [
        ('default', {}),
        ('weight_decay', {'lr': 0.01, 'weight_decay': 0.1}),
        ('no weight_decay', {'lr': 0.01, 'weight_decay': 0}),
        ('amsgrad', {'lr': 0.01, 'amsgrad': True}),
        ('maximize', {'lr': 0.01, 'maximize': True}),
        ('all', {'lr': 0.03, 'betas': (0.7, 0.95), 'eps': 1e-5, 'weight_decay': 0.2, 'amsgrad': True, 'maximize': True}),
    ]
    for i, (n, o) in enumerate(adamw):
        cases.append(explicit_case(f'AdamW {n}', 'AdamW', o, 300 + i))
    # float64 parameters
    cases.append(explicit_case('SGD nesterov float64', 'SGD', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}, 400, dtype=torch.float64))
    cases.append(explicit_case('Adam amsgrad float64', 'Adam', {'lr': 0.01, 'amsgrad': True}, 401, dtype=torch.float64))
    cases.append(explicit_case('AdamW float64', 'AdamW', {'lr': 0.01}, 402, dtype=torch.float64))
    # parameter groups with their own options
    cases.append(explicit_case('SGD groups', 'SGD', {'lr': 0.01, 'momentum': 0.9}, 500,
                               groups=[([0], {'lr': 0.1}), ([1, 2], {'momentum': 0.5, 'nesterov': True})]))
    cases.append(explicit_case('Adam groups', 'Adam', {'lr': 0.01}, 501,
                               groups=[([2, 0], {'betas': (0.5, 0.6), 'amsgrad': True}), ([1], {'lr': 0.1, 'weight_decay': 0.1})]))
    cases.append(explicit_case('AdamW groups', 'AdamW', {'lr': 0.01}, 502,
                               groups=[([1], {'weight_decay': 0}), ([0, 2], {'lr': 0.05})]))
    # parameters without a gradient at some steps (skipped; no state until their first grad)
    cases.append(explicit_case('SGD missing grads', 'SGD', {'lr': 0.1, 'momentum': 0.9}, 600, skip={(0, 0), (1, 0), (2, 2), (0, 1)}))
    cases.append(explicit_case('Adam missing grads', 'Adam', {'lr': 0.01}, 601, skip={(0, 0), (1, 0), (3, 2)}))
    cases.append(explicit_case('AdamW missing grads', 'AdamW', {'lr': 0.01, 'amsgrad': True}, 602, skip={(0, 1), (4, 1)}))
    # a real loss through step(closure)
    cases.append(closure_case('SGD closure', 'SGD', {'lr': 0.1, 'momentum': 0.9}, 700))
    cases.append(closure_case('Adam closure', 'Adam', {'lr': 0.05}, 701))
    cases.append(closure_case('AdamW closure', 'AdamW', {'lr': 0.05, 'amsgrad': True}, 702))
    cases += more_optimizer_cases()
    return cases


def more_optimizer_cases():
    """The other optimizers of torch.optim: option combinations x 5 (RAdam: 8) steps."""
    table = {
        'Adadelta': [('default', {}), ('lr rho eps', {'lr': 0.5, 'rho': 0.8, 'eps': 1e-4}),
                     ('weight_decay', {'weight_decay': 0.1}), ('maximize', {'lr': 0.7, 'maximize': True, 'weight_decay': 0.01})],
        'Adagrad': [('default', {}), ('lr_decay', {'lr': 0.1, 'lr_decay': 0.05}), ('weight_decay', {'lr': 0.1, 'weight_decay': 0.1}),
                    ('initial_accumulator_value eps', {'lr': 0.1, 'initial_accumulator_value': 0.5, 'eps': 1e-3}),
                    ('maximize', {'lr': 0.1, 'maximize': True, 'lr_decay': 0.01})],
        'Adamax': [('default', {}), ('betas eps', {'lr': 0.01, 'betas': (0.8, 0.9), 'eps': 1e-3}),
                   ('weight_decay', {'lr': 0.01, 'weight_decay': 0.1}), ('maximize', {'lr': 0.01, 'maximize': True})],
        'ASGD': [('default', {}), ('t0 lambd alpha', {'lr': 0.05, 'lambd': 0.01, 'alpha': 0.5, 't0': 2}),
                 ('weight_decay', {'lr': 0.05, 'weight_decay': 0.1, 't0': 1}), ('maximize', {'lr': 0.05, 'maximize': True, 't0': 3})],
        'NAdam': [('default', {}), ('momentum_decay', {'lr': 0.01, 'momentum_decay': 0.1, 'betas': (0.8, 0.95)}),
                  ('weight_decay', {'lr': 0.01, 'weight_decay': 0.1, 'eps': 1e-4})],
        'RAdam': [('default', {}), ('betas', {'lr': 0.01, 'betas': (0.5, 0.7)}), ('weight_decay', {'lr': 0.01, 'weight_decay': 0.1, 'betas': (0.9, 0.8)})],
        'RMSprop': [('default', {}), ('alpha eps', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-4}), ('momentum', {'lr': 0.01, 'momentum': 0.9}),
                    ('centered', {'lr': 0.01, 'centered': True}), ('centered momentum', {'lr': 0.01, 'centered': True, 'momentum': 0.5}),
                    ('weight_decay', {'lr': 0.01, 'weight_decay': 0.1}), ('maximize', {'lr': 0.01, 'maximize': True, 'momentum': 0.3})],
        'Rprop': [('default', {}), ('etas step_sizes', {'lr': 0.05, 'etas': (0.3, 1.5), 'step_sizes': (0.01, 0.06)}),
                  ('maximize', {'lr': 0.02, 'maximize': True})],
    }
    cases = []
    for k, (optim, combos) in enumerate(table.items()):
        steps = 8 if optim == 'RAdam' else 5
        for i, (n, o) in enumerate(combos):
            cases.append(explicit_case(f'{optim} {n}', optim, o, 1000 + 100 * k + i, steps=steps))
        base = dict(combos[1][1])
        cases.append(explicit_case(f'{optim} float64', optim, base, 1050 + 100 * k, steps=steps, dtype=torch.float64))
        cases.append(explicit_case(f'{optim} groups', optim, base, 1060 + 100 * k, steps=steps,
                                   groups=[([2, 0], {'lr': 0.03}), ([1], dict(combos[-1][1]))]))
        cases.append(explicit_case(f'{optim} missing grads', optim, base, 1070 + 100 * k, steps=steps, skip={(0, 0), (1, 0), (3, 2)}))
        cases.append(closure_case(f'{optim} closure', optim, base, 1080 + 100 * k))
    lbfgs = [
        ('default', {}),
        ('lr max_iter history_size', {'lr': 0.5, 'max_iter': 5, 'history_size': 3}),
        ('strong_wolfe', {'line_search_fn': 'strong_wolfe'}),
        ('strong_wolfe small', {'lr': 0.8, 'max_iter': 7, 'history_size': 2, 'line_search_fn': 'strong_wolfe', 'tolerance_change': 1e-12}),
        ('max_eval tolerance_grad', {'max_iter': 10, 'max_eval': 6, 'tolerance_grad': 1e-3}),
    ]
    for i, (n, o) in enumerate(lbfgs):
        cases.append(closure_case(f'LBFGS {n}', 'LBFGS', o, 1900 + i, steps=4))
        cases.append(closure_case(f'LBFGS {n} quartic', 'LBFGS', o, 1950 + i, steps=4, loss='quartic'))
    cases += [sparse_case('SparseAdam default', {}, 2000), sparse_case('SparseAdam lr betas eps', {'lr': 0.05, 'betas': (0.7, 0.8), 'eps': 1e-4}, 2001),
              sparse_case('SparseAdam maximize', {'lr': 0.01, 'maximize': True}, 2002),
              sparse_case('Adagrad sparse', {'lr': 0.1, 'lr_decay': 0.01}, 2003, optim='Adagrad'),
              sparse_case('SGD sparse', {'lr': 0.1}, 2004, optim='SGD'),
              embedding_case('SparseAdam embedding(sparse=True)', 'SparseAdam', {'lr': 0.1}, 2005),
              embedding_case('Adagrad embedding(sparse=True)', 'Adagrad', {'lr': 0.1}, 2006)]
    return cases


def embedding_case(name, optim, options, seed, steps=4):
    """Sparse gradients from autograd: loss = F.embedding(idx, w, sparse=True).pow(2).sum(), idx ~ randint(0, 10, (8,))."""
    torch.manual_seed(seed)
    w = torch.randn(10, 3).requires_grad_()
    init = enc(w)
    idxs = [torch.randint(0, 10, (8,)) for _ in range(steps)]
    opt = OPTIMS[optim]([w], **options)
    after, losses = {}, []
    for k, idx in enumerate(idxs):
        opt.zero_grad()
        loss = torch.nn.functional.embedding(idx, w, sparse=True).pow(2).sum()
        loss.backward()
        assert w.grad.is_sparse
        opt.step()
        losses.append(loss.item())
        after[str(k + 1)] = [enc(w)]
    return {'name': name, 'kind': 'embedding', 'optim': optim, 'options': enc(options), 'steps': steps, 'init': [init],
            'indices': [i.tolist() for i in idxs], 'losses': losses, 'after': after}


def sparse_case(name, options, seed, steps=5, optim='SparseAdam'):
    """An embedding-like 10x3 parameter with sparse COO gradients (rows drawn with repeats: uncoalesced)."""
    torch.manual_seed(seed)
    param = torch.randn(10, 3).requires_grad_()
    init = enc(param)
    grads = []
    for _ in range(steps):
        idx = torch.randint(0, 10, (1, 6))
        grads.append((idx, torch.randn(6, 3)))
    opt = OPTIMS[optim]([param], **options)
    after = {}
    for k, (idx, vals) in enumerate(grads):
        param.grad = torch.sparse_coo_tensor(idx, vals, (10, 3))
        opt.step()
        after[str(k + 1)] = [enc(param)]
    return {'name': name, 'kind': 'sparse', 'optim': optim, 'options': enc(options), 'steps': steps, 'init': [init],
            'grads': [{'indices': idx.tolist(), 'values': enc(v)} for idx, v in grads], 'after': after}


def scheduler_cases():
    cases = []

    def run(name, make, epochs, lrs=(0.1, 0.05), step_epochs=None, groups_extra=None, last_epoch_groups=None,
            optim='SGD', metrics=None):
        """momentum: each group's momentum (Adam: betas[0]) after each step, where a scheduler cycles it;
        metrics: ReduceLROnPlateau's step(metric) argument at each epoch."""
        ps = [torch.zeros(2, requires_grad=True) for _ in lrs]
        groups = [{'params': [p], 'lr': lr} for p, lr in zip(ps, lrs)]
        if last_epoch_groups:
            for g, extra in zip(groups, last_epoch_groups):
                g.update(extra)
        opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9) if optim == 'SGD' else torch.optim.Adam(groups, lr=0.1)

        def momenta():
            return [g['betas'][0] if 'betas' in g else g['momentum'] for g in opt.param_groups]
        sched = make(opt)
        seq = [[g['lr'] for g in opt.param_groups] if metrics else sched.get_last_lr()]
        mom = [momenta()]
        for e in range(epochs):
            opt.step()
            if metrics is not None:
                sched.step(metrics[e])
            elif step_epochs is None:
                sched.step()
            else:
                sched.step(step_epochs[e])
            seq.append(sched.get_last_lr() if hasattr(sched, 'get_last_lr') else sched._last_lr)
            mom.append(momenta())
        sd = sched.state_dict()
        cases.append({'name': name, 'lrs': list(lrs), 'initial_lr': [g.get('initial_lr') for g in last_epoch_groups] if last_epoch_groups else None,
                      'optim': optim, 'metrics': metrics,
                      'step_epochs': step_epochs, 'sequence': seq, 'momentum': mom, 'last_epoch': getattr(sched, 'last_epoch', None),
                      'group_lr': [g['lr'] for g in opt.param_groups],
                      'state_dict_keys': sorted(sd.keys()),
                      'state_dict': {k: enc_num(v) for k, v in sd.items() if isinstance(v, (int, float, str, bool)) or v is None}})

    S = torch.optim.lr_scheduler
    run('StepLR step_size=3 gamma=0.5', lambda o: S.StepLR(o, 3, gamma=0.5), 12)
    run('StepLR step_size=2 default gamma', lambda o: S.StepLR(o, step_size=2), 9)
    run('MultiStepLR [2,5,5,8] gamma=0.5', lambda o: S.MultiStepLR(o, [2, 5, 5, 8], gamma=0.5), 12)
    run('MultiStepLR [3,6] default gamma', lambda o: S.MultiStepLR(o, milestones=[3, 6]), 8)
    run('CosineAnnealingLR T_max=10', lambda o: S.CosineAnnealingLR(o, 10), 25)
    run('CosineAnnealingLR T_max=7 eta_min=0.001', lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001), 30)
    run('LambdaLR 0.95**epoch', lambda o: S.LambdaLR(o, lambda e: 0.95 ** e), 15)
    run('LambdaLR per group', lambda o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]), 10)
    # closed forms, via the deprecated step(epoch)
    run('StepLR closed form', lambda o: S.StepLR(o, 3, gamma=0.5), 6, step_epochs=[1, 2, 5, 6, 9, 4])
    run('MultiStepLR closed form', lambda o: S.MultiStepLR(o, [2, 5, 5, 8], gamma=0.5), 6, step_epochs=[1, 2, 5, 8, 9, 3])
    run('CosineAnnealingLR closed form', lambda o: S.CosineAnnealingLR(o, 10, eta_min=0.01), 5, step_epochs=[3, 7, 10, 12, 1])
    run('LambdaLR closed form', lambda o: S.LambdaLR(o, lambda e: 0.5 ** e), 4, step_epochs=[2, 5, 1, 3])
    # resuming: last_epoch given, initial_lr in the groups
    run('CosineAnnealingLR resume last_epoch=4', lambda o: S.CosineAnnealingLR(o, 10, last_epoch=4), 10,
        last_epoch_groups=[{'initial_lr': 0.2}, {'initial_lr': 0.1}])
    run('StepLR resume last_epoch=5', lambda o: S.StepLR(o, 3, gamma=0.5, last_epoch=5), 6,
        last_epoch_groups=[{'initial_lr': 0.2}, {'initial_lr': 0.1}])
    # the other schedulers of torch.optim.lr_scheduler
    run('MultiplicativeLR 0.9', lambda o: S.MultiplicativeLR(o, lambda e: 0.9), 12)
    run('MultiplicativeLR per group', lambda o: S.MultiplicativeLR(o, [lambda e: 0.5, lambda e: 1.0 / (e + 1)]), 8)
    run('ConstantLR default', lambda o: S.ConstantLR(o), 9)
    run('ConstantLR factor=0.5 total_iters=3', lambda o: S.ConstantLR(o, factor=0.5, total_iters=3), 6)
    run('ConstantLR closed form', lambda o: S.ConstantLR(o, 0.25, 4), 5, step_epochs=[1, 4, 6, 2, 3])
    run('LinearLR default', lambda o: S.LinearLR(o), 9)
    run('LinearLR 0.1 to 0.9 over 7', lambda o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=7), 12)
    run('LinearLR decreasing', lambda o: S.LinearLR(o, 1.0, 0.05, 10), 12)
    run('LinearLR closed form', lambda o: S.LinearLR(o, 0.2, 1.0, 6), 5, step_epochs=[2, 5, 7, 1, 3])
    run('ExponentialLR 0.9', lambda o: S.ExponentialLR(o, 0.9), 20)
    run('ExponentialLR closed form', lambda o: S.ExponentialLR(o, gamma=0.7), 5, step_epochs=[3, 1, 7, 12, 4])
    run('PolynomialLR default', lambda o: S.PolynomialLR(o), 8)
    run('PolynomialLR power=2 total_iters=9', lambda o: S.PolynomialLR(o, total_iters=9, power=2.0), 12)
    run('PolynomialLR power=0.7', lambda o: S.PolynomialLR(o, 6, 0.7), 8)
    run('PolynomialLR closed form', lambda o: S.PolynomialLR(o, 6, 1.5), 5, step_epochs=[2, 4, 8, 1, 5])
    run('CosineAnnealingWarmRestarts T_0=4', lambda o: S.CosineAnnealingWarmRestarts(o, 4), 20)
    run('CosineAnnealingWarmRestarts T_0=3 T_mult=2 eta_min', lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001), 30)
    run('CosineAnnealingWarmRestarts fractional epochs', lambda o: S.CosineAnnealingWarmRestarts(o, 3, 2), 10,
        step_epochs=[0.5, 1.0, 2.5, 3.1, 4.75, 9.0, 10.2, 21.5, 30, 2])
    run('CosineAnnealingWarmRestarts T_mult=1 epochs', lambda o: S.CosineAnnealingWarmRestarts(o, 5), 5, step_epochs=[1.5, 7, 12.25, 3, 5])
    run('SequentialLR ConstantLR then ExponentialLR', lambda o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)], milestones=[2]), 12)
    run('SequentialLR three', lambda o: S.SequentialLR(
        o, [S.LinearLR(o, 0.5, 1.0, 3), S.StepLR(o, 2, 0.5), S.CosineAnnealingLR(o, 5)], [4, 8]), 16)
    run('ChainedScheduler ConstantLR ExponentialLR', lambda o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)]), 10)
    run('ChainedScheduler LinearLR StepLR', lambda o: S.ChainedScheduler([S.LinearLR(o, 0.25, 1.0, 4), S.StepLR(o, 3, 0.5)]), 12)
    run('OneCycleLR cos', lambda o: S.OneCycleLR(o, 0.5, total_steps=20), 20)
    run('OneCycleLR linear three_phase', lambda o: S.OneCycleLR(o, [0.4, 0.2], epochs=4, steps_per_epoch=6, pct_start=0.25,
                                                                  anneal_strategy='linear', three_phase=True,
                                                                  base_momentum=0.8, max_momentum=0.9), 24)
    run('OneCycleLR Adam betas', lambda o: S.OneCycleLR(o, 0.01, total_steps=15, div_factor=10., final_div_factor=100.), 15, optim='Adam')
    run('OneCycleLR no momentum', lambda o: S.OneCycleLR(o, 1.0, total_steps=12, cycle_momentum=False, pct_start=0.5), 12)
    run('CyclicLR triangular', lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4), 25)
    run('CyclicLR triangular2 step_size_down', lambda o: S.CyclicLR(o, [0.01, 0.02], [0.1, 0.3], step_size_up=3, step_size_down=5,
                                                                      mode='triangular2', base_momentum=0.7, max_momentum=0.95), 40)
    run('CyclicLR exp_range', lambda o: S.CyclicLR(o, 0.001, 0.01, 5, mode='exp_range', gamma=0.97), 30)
    run('CyclicLR scale_fn iterations', lambda o: S.CyclicLR(o, 0.001, 0.01, 2, scale_fn=lambda x: 1 / (x + 1), scale_mode='iterations',
                                                               cycle_momentum=False), 14)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
               0.5, 0.5, 0.5, 0.5, 0.5]
    run('ReduceLROnPlateau patience=2', lambda o: S.ReduceLROnPlateau(o, patience=2), len(metrics), metrics=metrics)
    run('ReduceLROnPlateau max abs cooldown min_lr', lambda o: S.ReduceLROnPlateau(
        o, 'max', factor=0.5, patience=1, threshold=0.01, threshold_mode='abs', cooldown=2, min_lr=[0.02, 0.001]),
        len(metrics), metrics=[-m for m in metrics])
    run('ReduceLROnPlateau min abs eps', lambda o: S.ReduceLROnPlateau(o, factor=0.3, patience=0, threshold=0.05, threshold_mode='abs', eps=0.01),
        len(metrics), metrics=metrics)
    run('ReduceLROnPlateau max rel', lambda o: S.ReduceLROnPlateau(o, mode='max', patience=3, threshold=0.1), len(metrics), metrics=metrics)
    # a scheduler's state_dict keys
    p = torch.zeros(2, requires_grad=True)
    sd = S.StepLR(torch.optim.SGD([p], lr=0.1), 3).state_dict()
    return {'cases': cases, 'steplr_state_dict_keys': list(sd.keys())}


def error_cases():
    """Each case: what JS does (by id) and PyTorch's exception. Values that a message prints are
    ints or non-integral floats: a JS number cannot say whether it was 1 or 1.0."""
    out = []

    def expect(id_, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            msg = e.args[0] if isinstance(e, KeyError) else str(e)
            out.append({'id': id_, 'type': type(e).__name__, 'message': msg})
            return
        # Accepted by this torch version (2.x's SGD has a default lr): expected "no error".
        out.append({'id': id_, 'type': None, 'message': ''})

    def p():
        return torch.zeros(3, requires_grad=True)

    for kw in [{'lr': -0.1}, {'lr': -1}, {'lr': 0.1, 'momentum': -0.5}, {'lr': 0.1, 'weight_decay': -1e-5},
               {'lr': 0.1, 'nesterov': True}, {'lr': 0.1, 'momentum': 0.9, 'dampening': 0.1, 'nesterov': True},
               {'momentum': 0.9}]:
        expect({'optim': 'SGD', 'options': kw}, lambda: torch.optim.SGD([p()], **kw))
    for name in ['Adam', 'AdamW']:
        for kw in [{'lr': -0.001}, {'eps': -1e-8}, {'betas': (1, 0.999)}, {'betas': (-0.1, 0.999)}, {'betas': (0.9, 1.5)},
                   {'weight_decay': -0.01}, {'lr': -1e-07}]:
            expect({'optim': name, 'options': enc(kw)}, lambda: OPTIMS[name]([p()], **kw))
    bad = {
        'Adadelta': [{'lr': -1.5}, {'rho': 1.5}, {'rho': -0.1}, {'eps': -1e-6}, {'weight_decay': -0.5}],
        'Adagrad': [{'lr': -0.01}, {'lr_decay': -0.1}, {'weight_decay': -0.1}, {'initial_accumulator_value': -1}, {'eps': -1e-10}],
        'Adamax': [{'lr': -0.002}, {'eps': -1e-8}, {'betas': (1, 0.999)}, {'betas': (0.9, -0.5)}, {'weight_decay': -1}],
        'ASGD': [{'lr': -0.01}, {'weight_decay': -0.1}],
        'NAdam': [{'lr': -0.002}, {'eps': -1}, {'betas': (1.5, 0.999)}, {'betas': (0.9, 1)}, {'weight_decay': -0.1}, {'momentum_decay': -0.004}],
        'RAdam': [{'lr': -0.001}, {'eps': -1e-8}, {'betas': (-0.9, 0.999)}, {'betas': (0.9, 2)}, {'weight_decay': -0.1}],
        'RMSprop': [{'lr': -0.01}, {'eps': -1e-8}, {'momentum': -0.9}, {'weight_decay': -0.1}, {'alpha': -0.99}],
        'Rprop': [{'lr': -0.01}, {'etas': (1.5, 1.2)}, {'etas': (0.5, 0.9)}, {'etas': (0, 1.2)}],
        'SparseAdam': [{'lr': 0}, {'lr': -0.001}, {'eps': 0}, {'betas': (1, 0.999)}, {'betas': (0.9, 1)}],
    }
    for name, kws in bad.items():
        for kw in kws:
            expect({'optim': name, 'options': enc(kw)}, lambda: OPTIMS[name]([p()], **kw))
    expect('LBFGS groups', lambda: torch.optim.LBFGS([{'params': [p()]}, {'params': [p()], 'lr': 0.5}]))
    expect('SparseAdam sparse param', lambda: torch.optim.SparseAdam([p(), torch.sparse_coo_tensor([[0]], [1.0], (3,)).requires_grad_()]))

    def sched_opt(n=1):
        return torch.optim.SGD([{'params': [p()]} for _ in range(n)], lr=0.1, momentum=0.9)
    S = torch.optim.lr_scheduler
    expect('ConstantLR factor', lambda: S.ConstantLR(sched_opt(), factor=1.5))
    expect('LinearLR start_factor', lambda: S.LinearLR(sched_opt(), start_factor=-0.1))
    expect('LinearLR end_factor', lambda: S.LinearLR(sched_opt(), end_factor=2))
    expect('MultiplicativeLR count', lambda: S.MultiplicativeLR(sched_opt(2), [lambda e: 0.9]))
    expect('CosineAnnealingWarmRestarts T_0', lambda: S.CosineAnnealingWarmRestarts(sched_opt(), 0))
    expect('CosineAnnealingWarmRestarts T_0 float', lambda: S.CosineAnnealingWarmRestarts(sched_opt(), 2.5))
    expect('CosineAnnealingWarmRestarts T_mult', lambda: S.CosineAnnealingWarmRestarts(sched_opt(), 3, T_mult=0))
    expect('CosineAnnealingWarmRestarts negative epoch', lambda: S.CosineAnnealingWarmRestarts(sched_opt(), 3).step(-1))
    expect('ReduceLROnPlateau factor', lambda: S.ReduceLROnPlateau(sched_opt(), factor=1.0))
    expect('ReduceLROnPlateau mode', lambda: S.ReduceLROnPlateau(sched_opt(), mode='average'))
    expect('ReduceLROnPlateau threshold_mode', lambda: S.ReduceLROnPlateau(sched_opt(), threshold_mode='relative'))
    expect('ReduceLROnPlateau min_lr count', lambda: S.ReduceLROnPlateau(sched_opt(2), min_lr=[0.1]))
    expect('ReduceLROnPlateau non-optimizer', lambda: S.ReduceLROnPlateau(None))
    expect('OneCycleLR no total', lambda: S.OneCycleLR(sched_opt(), 0.1))
    expect('OneCycleLR total_steps', lambda: S.OneCycleLR(sched_opt(), 0.1, total_steps=0))
    expect('OneCycleLR epochs', lambda: S.OneCycleLR(sched_opt(), 0.1, epochs=-1, steps_per_epoch=3))
    expect('OneCycleLR steps_per_epoch', lambda: S.OneCycleLR(sched_opt(), 0.1, epochs=2, steps_per_epoch=0))
    expect('OneCycleLR pct_start', lambda: S.OneCycleLR(sched_opt(), 0.1, total_steps=10, pct_start=1.5))
    expect('OneCycleLR anneal_strategy', lambda: S.OneCycleLR(sched_opt(), 0.1, total_steps=10, anneal_strategy='exp'))
    expect('OneCycleLR max_lr count', lambda: S.OneCycleLR(sched_opt(2), [0.1, 0.2, 0.3], total_steps=10))
    expect('OneCycleLR no momentum', lambda: S.OneCycleLR(torch.optim.Adagrad([p()]), 0.1, total_steps=10))
    expect('OneCycleLR too many steps', lambda: [s.step() for s in [S.OneCycleLR(sched_opt(), 0.1, total_steps=3)] for _ in range(4)])
    expect('CyclicLR mode', lambda: S.CyclicLR(sched_opt(), 0.01, 0.1, mode='sine'))
    expect('CyclicLR no momentum', lambda: S.CyclicLR(torch.optim.Adam([p()]), 0.01, 0.1))
    expect('CyclicLR base_lr count', lambda: S.CyclicLR(sched_opt(2), [0.01], 0.1))
    expect('SequentialLR milestones', lambda: (lambda o: S.SequentialLR(o, [S.ConstantLR(o), S.ExponentialLR(o, 0.9)], [2, 4]))(sched_opt()))
    expect('SequentialLR other optimizer', lambda: (lambda o: S.SequentialLR(o, [S.ConstantLR(o), S.ExponentialLR(sched_opt(), 0.9)], [2]))(sched_opt()))
    expect('ChainedScheduler other optimizer', lambda: (lambda o: S.ChainedScheduler([S.ConstantLR(o), S.ExponentialLR(sched_opt(), 0.9)]))(sched_opt()))
    expect('empty', lambda: torch.optim.SGD([], lr=0.1))
    expect('tensor', lambda: torch.optim.SGD(p(), lr=0.1))
    expect('not a tensor', lambda: torch.optim.SGD([p(), 3], lr=0.1))
    expect('non-leaf', lambda: torch.optim.SGD([p() * 2], lr=0.1))
    expect('same param in two groups', lambda: (lambda a: torch.optim.SGD([{'params': [a]}, {'params': [p(), a]}], lr=0.1))(p()))
    expect('add_param_group overlap', lambda: (lambda a: torch.optim.Adam([a]).add_param_group({'params': a}))(p()))
    expect('group without lr', lambda: torch.optim.SGD([{'params': [p()]}]))
    expect('load: group count', lambda: torch.optim.SGD([p()], lr=0.1).load_state_dict(
        torch.optim.SGD([{'params': [p()]}, {'params': [p()]}], lr=0.1).state_dict()))
    expect('load: group size', lambda: torch.optim.SGD([p()], lr=0.1).load_state_dict(
        torch.optim.SGD([p(), p()], lr=0.1).state_dict()))
    expect('LambdaLR count', lambda: torch.optim.lr_scheduler.LambdaLR(
        torch.optim.SGD([{'params': [p()]}, {'params': [p()]}], lr=0.1), [lambda e: 1.0]))
    expect('resume without initial_lr', lambda: torch.optim.lr_scheduler.StepLR(torch.optim.SGD([p()], lr=0.1), 3, last_epoch=4))
    expect('scheduler of a non-optimizer', lambda: torch.optim.lr_scheduler.StepLR(None, 3))
    return out


def main():
    with open(os.path.join(OUT, 'optim-optimizers.json'), 'w') as f:
        json.dump({'torch_version': torch.__version__, 'cases': optimizer_cases()}, f)
    with open(os.path.join(OUT, 'optim-schedulers.json'), 'w') as f:
        json.dump({'torch_version': torch.__version__, **scheduler_cases()}, f, indent=1)
    with open(os.path.join(OUT, 'optim-errors.json'), 'w') as f:
        json.dump({'torch_version': torch.__version__, 'cases': error_cases()}, f, indent=1)


if __name__ == '__main__':
    if sys.argv[1:] == ['closure']:
        # test/optim.test.js's live reference: the step(closure) cases computed on the machine
        # that runs the tests (their losses go through its BLAS kernels).
        print(json.dumps([c for c in optimizer_cases() if c['kind'] == 'closure']))
    else:
        main()
