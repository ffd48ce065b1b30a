# The transfer-learning tutorial that examples/transfer-learning.ts ports line for line: PyTorch's
# own, plus two things both sides do the same way: a seed taken from the environment variable
# TORCH_SEED (unseeded by default, like the original), and running on with randomly initialised
# weights when the pretrained ones cannot be had.
#
# Run it with Debian's system Python (python3-torch 1.13.1, python3-torchvision 0.14.1):
#     TORCH_SEED=0 /usr/bin/python3 scripts/reference/transfer_learning.py
# With the same seed and the same checkpoint in the hub cache ($TORCH_HOME/hub/checkpoints), it
# prints the same five loss lines as `TORCH_SEED=0 npm run tutorial`.
import os
import sys

import torch
import torch.nn as nn
import torchvision.models as models

# Seed from the environment when asked (unseeded by default, like the original)
if os.environ.get('TORCH_SEED'):
    torch.manual_seed(int(os.environ['TORCH_SEED']))

# Load the pre-trained model
try:
    resnet18 = models.resnet18(pretrained=True)
except Exception as e:
    checkpoint = os.path.join(torch.hub.get_dir(), 'checkpoints', os.path.basename(models.ResNet18_Weights.IMAGENET1K_V1.url))
    print(f'Could not load the pretrained ResNet-18 weights.\n{e}\nThe file can be put by hand at: {checkpoint}', file=sys.stderr)
    print('Running on with randomly initialised weights instead (the freezing and fine-tuning work the same).', file=sys.stderr)
    resnet18 = models.resnet18()

# Freeze all layers
for param in resnet18.parameters():
    param.requires_grad = False

# Unfreeze last layer
for param in resnet18.fc.parameters():
    param.requires_grad = True

# Replace last layer
num_ftrs = resnet18.fc.in_features
resnet18.fc = nn.Linear(num_ftrs, 10)

# Create random data
device = os.environ.get('TORCH_DEVICE', 'cpu')
resnet18.to(device)
inputs = torch.randn(5, 3, 224, 224).to(device)
labels = torch.randint(0, 10, (5,)).to(device)

# Loss and optimizer
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(resnet18.fc.parameters(), lr=0.001, momentum=0.9)

# Training loop
for epoch in range(5):
    optimizer.zero_grad()
    outputs = resnet18(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()
    print(f'Epoch {epoch+1}/5, Loss: {loss.item()}')
