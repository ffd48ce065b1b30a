// Transfer learning with a pretrained ResNet-18: PyTorch's tutorial, ported line for line.
// The Python it ports: scripts/reference/transfer_learning.py; the two side by side: docs/tutorial.md.
//
//   npm run tutorial                  unseeded, as the original
//   TORCH_SEED=0 npm run tutorial     torch.manual_seed(0) first: prints the losses that
//                                     `TORCH_SEED=0 python3 scripts/reference/transfer_learning.py` prints
//   TORCH_DEVICE=cuda npm run tutorial on the GPU (both sides; the data is drawn on the CPU, then moved)
//
// The pretrained weights come from the torch.hub cache ($TORCH_HOME/hub/checkpoints, by default
// ~/.cache/torch/hub/checkpoints: the file PyTorch itself downloads), downloaded first when missing.
// When they cannot be had, it says so and runs on with randomly initialised weights.
import * as torch from 'torch-node';
import * as nn from 'torch-node/nn';
import * as models from 'torch-node/torchvision/models';

// Seed from the environment when asked (unseeded by default, like the original)
if (process.env.TORCH_SEED) {
  torch.manual_seed(BigInt(process.env.TORCH_SEED));
}

// Load the pre-trained model
let resnet18: models.ResNet;
try {
  resnet18 = models.resnet18({ pretrained: true });
} catch (e) {
  console.error(`Could not load the pretrained ResNet-18 weights.\n${(e as Error).message}`);
  console.error('Running on with randomly initialised weights instead (the freezing and fine-tuning work the same).');
  resnet18 = models.resnet18();
}

// Freeze all layers
for (const param of resnet18.parameters()) {
  param.requires_grad = false;
}

// Unfreeze last layer
for (const param of resnet18.fc.parameters()) {
  param.requires_grad = true;
}

// Replace last layer
const num_ftrs = resnet18.fc.in_features;
resnet18.fc = new nn.Linear(num_ftrs, 10);

// Create random data
const device = process.env.TORCH_DEVICE || 'cpu';
resnet18.to(device);
const inputs = torch.randn(5, 3, 224, 224).to(device);
const labels = torch.randint(0, 10, [5]).to(device);

// Loss and optimizer
const criterion = new nn.CrossEntropyLoss();
const optimizer = new torch.optim.SGD(resnet18.fc.parameters(), { lr: 0.001, momentum: 0.9 });

// Training loop
for (let epoch = 0; epoch < 5; epoch++) {
  optimizer.zero_grad();
  const outputs = resnet18(inputs);
  const loss = criterion(outputs, labels);
  loss.backward();
  optimizer.step();
  console.log(`Epoch ${epoch + 1}/5, Loss: ${loss.item()}`);
}
