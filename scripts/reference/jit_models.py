"""TorchScript models and Python's outputs for test/jit.test.js, written at test time.

    /usr/bin/python3 scripts/reference/jit_models.py OUT_DIR

Writes OUT_DIR/<name>.pt (torch.jit.save) and OUT_DIR/expected.pt (torch.save of
a dict of inputs and Python's outputs). Nothing here is committed: the
reference is computed by the same PyTorch on the machine that runs the tests.
"""
import os
import sys
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from fixture_json import import_torchvision  # noqa: E402

torchvision = import_torchvision()  # also PyTorch 2.13's torchvision 0.28 (see there)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
expected = {}


class Structured(nn.Module):
    """Dicts, lists, tuples, optional arguments and several methods."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 3)
        self.register_buffer('offset', torch.arange(3.0))

    def forward(self, x: torch.Tensor, extra: Optional[torch.Tensor] = None, scale: float = 2.0,
                names: Optional[List[str]] = None) -> Dict[str, torch.Tensor]:
        y = self.proj(x) * scale + self.offset
        if extra is not None:
            y = y + extra
        return {'y': y, 'n': torch.tensor(0 if names is None else len(names))}

    @torch.jit.export
    def encode(self, pair: Tuple[torch.Tensor, torch.Tensor], weights: Dict[str, float]) -> List[torch.Tensor]:
        return [pair[0] * weights['a'], pair[1] + weights['b']]

    @torch.jit.export
    def count(self, xs: List[int]) -> int:
        return sum(xs)

    @torch.jit.export
    def by_index(self, table: Dict[int, torch.Tensor]) -> Dict[int, torch.Tensor]:
        return {k + 1: v * 2 for k, v in table.items()}

    @torch.jit.export
    def grad_enabled(self) -> bool:
        return torch.is_grad_enabled()


m = torch.jit.script(Structured())
torch.jit.save(m, os.path.join(out, 'structured.pt'))
x = torch.randn(2, 4)
extra = torch.randn(2, 3)
expected['structured_x'] = x
expected['structured_extra'] = extra
expected['structured_y'] = m(x)['y']
expected['structured_y_kw'] = m(x, extra=extra, scale=0.5)['y']
expected['structured_encode'] = m.encode((x, x), {'a': 3.0, 'b': -1.0})

net = torchvision.models.resnet18(num_classes=10).eval()
scripted = torch.jit.script(net)
img = torch.randn(2, 3, 64, 64)
traced = torch.jit.trace(net, img)
torch.jit.save(scripted, os.path.join(out, 'resnet18_scripted.pt'))
torch.jit.save(traced, os.path.join(out, 'resnet18_traced.pt'))
expected['resnet_input'] = img
with torch.no_grad():
    expected['resnet_scripted'] = scripted(img)
    expected['resnet_traced'] = traced(img)

# Fine-tuning a loaded module: three SGD steps on fc only, in train mode.
tuned = torch.jit.load(os.path.join(out, 'resnet18_scripted.pt'))
tuned.train()
for p in tuned.parameters():
    p.requires_grad_(False)
tuned.fc.weight.requires_grad_(True)
tuned.fc.bias.requires_grad_(True)
opt = torch.optim.SGD([tuned.fc.weight, tuned.fc.bias], lr=0.1, momentum=0.9)
labels = torch.tensor([1, 7])
losses = []
for _ in range(3):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(tuned(img), labels)
    loss.backward()
    opt.step()
    losses.append(loss.item())
expected['finetune_labels'] = labels
expected['finetune_losses'] = torch.tensor(losses, dtype=torch.float64)
expected['finetune_fc_weight'] = tuned.fc.weight.detach().clone()

torch.save(expected, os.path.join(out, 'expected.pt'))
print('ok')
