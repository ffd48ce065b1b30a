#!/usr/bin/python3
"""Reference values for torch.optim (test/optim*.test.js), from real PyTorch.

Run with Debian's Python and python3-torch (1.13):  /usr/bin/python3 scripts/gen-optim-fixtures.py
Writes test/fixtures/optim-optimizers.json, optim-schedulers.json, optim-errors.json.

Tensors are written as {"dtype", "shape", "values"}: float64 values exactly,
float32 values in 9 significant digits (Float32Array.from gives back the same bits).
"""
import json
import math
import os
import warnings

import torch

from fixture_json import json_float

warnings.simplefilter('ignore')
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')


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


OPTIMS = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW}
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
    sd = opt.state_dict()
    return {
        'name': name, 'kind': 'explicit', 'optim': optim, 'options': enc(options), 'dtype': str(dtype).replace('torch.', ''),
        'groups': None if groups is None else [{'params': idx, 'options': enc(o)} for idx, o in groups],
        'skip': None if skip is None else sorted([list(x) for x in skip]),
        'steps': steps, 'init': init, 'grads': [[enc(g) for g in gs] for gs in grads], 'after': after,
        'state_dict': {'state': enc(sd['state']), 'state_order': [str(k) for k in sd['state'].keys()],
                       'param_groups': enc(sd['param_groups']),
                       'group_keys': [list(g.keys()) for g in sd['param_groups']]},
        'repr': repr(opt),
    }


def closure_case(name, optim, options, seed, steps=6):
    """Least squares: x (6x4), y (6x3) ~ randn, w (4x3) ~ randn, b = zeros(3);
    loss = ((x.mm(w) + b - y) ** 2).mean(), through step(closure)."""
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
            loss = ((x.mm(w) + b - y) ** 2).mean()
            loss.backward()
            return loss
        losses.append(opt.step(closure).item())
        after.append([enc(w), enc(b)])
    return {'name': name, 'kind': 'closure', 'optim': optim, 'options': enc(options), 'seed': seed,
            'losses': losses, 'after': after}


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
    return cases


def scheduler_cases():
    cases = []

    def run(name, make, epochs, lrs=(0.1, 0.05), step_epochs=None, groups_extra=None, last_epoch_groups=None):
        ps = [torch.zeros(2, requires_grad=True) for _ in lrs]
        groups = [{'params': [p], 'lr': lr} for p, lr in zip(ps, lrs)]
        if last_epoch_groups:
            for g, extra in zip(groups, last_epoch_groups):
                g.update(extra)
        opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9)
        sched = make(opt)
        seq = [sched.get_last_lr()]
        for e in range(epochs):
            opt.step()
            if step_epochs is None:
                sched.step()
            else:
                sched.step(step_epochs[e])
            seq.append(sched.get_last_lr())
        cases.append({'name': name, 'lrs': list(lrs), 'initial_lr': [g.get('initial_lr') for g in last_epoch_groups] if last_epoch_groups else None,
                      'step_epochs': step_epochs, 'sequence': seq, 'last_epoch': sched.last_epoch,
                      'group_lr': [g['lr'] for g in opt.param_groups]})

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
    # a scheduler's state_dict keys
    p = torch.zeros(2, requires_grad=True)
    sd = S.StepLR(torch.optim.SGD([p], lr=0.1), 3).state_dict()
    return {'cases': cases, 'steplr_state_dict_keys': list(sd.keys())}


def error_cases():
    """Each case: what JS does (by id) and PyTorch's exception."""
    out = []

    def expect(id_, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            msg = e.args[0] if isinstance(e, KeyError) else str(e)
            out.append({'id': id_, 'type': type(e).__name__, 'message': msg})
            return
        raise AssertionError(f'{id_}: no exception')

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
    main()
