"""The Python twin of examples/serve.ts: torchvision's ResNet-18 as TorchScript.

    /usr/bin/python3 scripts/reference/export_resnet18.py resnet18.pt

With the pretrained weights in the torch.hub cache (ResNet18_Weights.IMAGENET1K_V1)
it exports those; otherwise it says so and exports a randomly initialised model
(seed 0), which serves the same way with meaningless classes.
"""
import sys

import torch
import torchvision
from torchvision.models import ResNet18_Weights

out = sys.argv[1] if len(sys.argv) > 1 else 'resnet18.pt'
torch.manual_seed(0)
try:
    model = torchvision.models.resnet18(weights=ResNet18_Weights.IMAGENET1K_V1)
    print('pretrained ImageNet weights')
except Exception as e:  # offline: no download possible
    print(f'no pretrained weights ({type(e).__name__}); random initialisation')
    model = torchvision.models.resnet18()
torch.jit.script(model.eval()).save(out)
print(f'wrote {out}')
