#!/usr/bin/python3
"""Reference values for test/binder.test.js (argument binding, generators, Python behaviours).

Run with Debian's /usr/bin/python3: writes test/fixtures/binder.json.
"""
import json
import os

import torch

from fixture_json import fixture_dir  # noqa: E402
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    out = {}
    g = torch.Generator().manual_seed(3)
    out['generator_randn'] = torch.randn(4, generator=g).tolist()
    out['generator_rand_next'] = torch.rand(3, generator=g).tolist()
    torch.manual_seed(7)
    state = torch.get_rng_state()
    a = torch.rand(3).tolist()
    torch.set_rng_state(state)
    out['rng_state_replay'] = [a, torch.rand(3).tolist()]
    out['rng_state_size'] = list(state.shape)
    g = torch.Generator().manual_seed(5)
    out['randperm_generator'] = torch.randperm(6, generator=g).tolist()
    g = torch.Generator().manual_seed(11)
    out['multinomial_generator'] = torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 5, replacement=True, generator=g).tolist()
    g = torch.Generator().manual_seed(4)
    out['randint_generator'] = torch.randint(0, 10, (5,), generator=g).tolist()
    out['arange_step'] = torch.arange(0, 10, step=2).tolist()
    out['eye_m'] = list(torch.eye(3, m=2).shape)
    out['zeros_size_kw'] = list(torch.zeros(size=[2]).shape)
    x = torch.tensor([[1., 5., 2.], [7., 2., 0.]])
    out['max_dim'] = [t.tolist() for t in torch.max(x, 1)]
    out['max_kw'] = [t.tolist() for t in x.max(dim=0, keepdim=True)]
    out['topk_kw'] = [t.tolist() for t in torch.topk(x, k=2, dim=1, largest=False)]
    out['clamp_kw'] = torch.clamp(x, min=1.0, max=4.0).tolist()
    out['cat_kw'] = list(torch.cat(tensors=[x, x], dim=1).shape)
    out['einsum'] = torch.einsum('ij,kj->ik', x, x).tolist()
    out['argsort'] = torch.argsort(x, dim=1, descending=True).tolist()
    out['baddbmm'] = torch.baddbmm(torch.ones(1, 2, 2), torch.ones(1, 2, 3), torch.ones(1, 3, 2), beta=0.5, alpha=2).tolist()
    out['cdist'] = torch.cdist(x, x).tolist()
    out['histc'] = torch.histc(torch.tensor([1., 2., 1.]), bins=4, min=0, max=3).tolist()
    out['bincount'] = torch.bincount(torch.tensor([0, 1, 1, 3])).tolist()
    out['tril'] = torch.tril(torch.ones(3, 3), diagonal=-1).tolist()
    out['kron'] = torch.kron(torch.eye(2), torch.ones(2, 2)).tolist()
    out['repeat_interleave'] = torch.repeat_interleave(torch.tensor([1, 2]), 2).tolist()
    out['outer'] = torch.outer(torch.tensor([1., 2.]), torch.tensor([3., 4.])).tolist()
    out['type_names'] = [torch.ones(1).type(), torch.ones(1, dtype=torch.int64).type(), torch.ones(1, dtype=torch.bool).type()]
    out['kl_div_default_shape'] = list(torch.kl_div(torch.zeros(2, 3), torch.ones(2, 3)).shape)
    with open(fixture_dir('binder.json'), 'w') as fh:
        json.dump(out, fh)
        fh.write('\n')


if __name__ == '__main__':
    main()
