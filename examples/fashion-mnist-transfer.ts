// Transfer learning on real data: the seed tutorial's recipe (a pretrained ResNet-18, every layer
// frozen, a new `fc`, SGD on it) fine-tuned on Fashion-MNIST, read by torchvision.datasets.FashionMNIST
// through transforms and a DataLoader with worker threads. Prints the mean training loss and the test
// accuracy per epoch, and saves the fine-tuned state_dict.
//
//   npm run fashion-mnist-transfer                     defaults below
//   npm run fashion-mnist-transfer -- --epochs 3 --train 4096 --size 96 --seed 0
//
// Its Python twin, scripts/reference/fashion_mnist_transfer.py, takes the same options and prints
// the same lines for the same seed (same weights, same batches, same losses):
//   /usr/bin/python3 scripts/reference/fashion_mnist_transfer.py --seed 0
//
// The data: Debian's dataset-fashion-mnist (the real Fashion-MNIST IDX files, installed by
// scripts/setup.js) extracted into <root>/FashionMNIST/raw, torchvision's layout; or files already there.
// The pretrained weights come from the torch.hub cache as in examples/transfer-learning.ts; without
// them it says so and runs on with randomly initialised weights (as the Python twin does).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as torch from 'torch-node';
import * as nn from 'torch-node/nn';
import * as models from 'torch-node/torchvision/models';
import * as transforms from 'torch-node/torchvision/transforms';
import { FashionMNIST } from 'torch-node/torchvision/datasets';
import { DataLoader, Subset } from 'torch-node/utils/data';
import { to_three_channels } from './fashion-mnist-channels';

const DEFAULTS = { root: 'data', epochs: 2, train: 2048, test: 1024, size: 64, batch_size: 64, workers: 2, lr: 0.001, seed: 0, save: 'fashion-mnist-resnet18.pth' };
type Options = typeof DEFAULTS;

function parseArgs(argv: string[]): Options {
  const o: Record<string, string | number> = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-/g, '_');
    if (!(key in DEFAULTS) || i + 1 >= argv.length) throw new TypeError(`unknown or incomplete option ${argv[i]} (options: ${Object.keys(DEFAULTS).join(', ')})`);
    o[key] = typeof DEFAULTS[key as keyof Options] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return o as Options;
}

/**
 * Debian's Fashion-MNIST files, extracted where torchvision's FashionMNIST looks for them (what its
 * download step leaves: <root>/FashionMNIST/raw/<name> from <name>.gz).
 */
function extractDebianFiles(root: string): void {
  const debian = '/usr/share/datasets/fashion-mnist';
  const raw = path.join(root, 'FashionMNIST', 'raw');
  if (!fs.existsSync(debian)) return;
  fs.mkdirSync(raw, { recursive: true });
  for (const f of fs.readdirSync(debian).filter((n) => n.endsWith('.gz'))) {
    const out = path.join(raw, f.slice(0, -3));
    if (!fs.existsSync(out)) fs.writeFileSync(out, zlib.gunzipSync(fs.readFileSync(path.join(debian, f))));
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  torch.manual_seed(args.seed);
  extractDebianFiles(args.root);

  // 28x28 grayscale -> 3 channels at the network's input size, normalised as ImageNet's inputs
  const transform = new transforms.Compose([
    new transforms.ToTensor(),
    new transforms.Resize(args.size),
    to_three_channels,
    new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
  ]);
  const train_set = new Subset(new FashionMNIST(args.root, { train: true, transform }), [...Array(args.train).keys()]);
  const test_set = new Subset(new FashionMNIST(args.root, { train: false, transform }), [...Array(args.test).keys()]);
  // worker_modules: where the workers find to_three_channels (Python pickles it by reference too)
  const worker_modules = [require.resolve('./fashion-mnist-channels')];
  const train_loader = new DataLoader(train_set, { batch_size: args.batch_size, shuffle: true, num_workers: args.workers, worker_modules });
  const test_loader = new DataLoader(test_set, { batch_size: args.batch_size, num_workers: args.workers, worker_modules });

  // Load the pre-trained model
  let model: models.ResNet;
  try {
    model = models.resnet18({ weights: models.ResNet18_Weights.IMAGENET1K_V1 });
  } catch (e) {
    console.error(`Could not load the pretrained ResNet-18 weights.\n${(e as Error).message}`);
    console.error('Running on with randomly initialised weights instead (the freezing and fine-tuning work the same).');
    model = models.resnet18();
  }
  // Freeze all layers, then replace the last one (its parameters are trainable)
  for (const param of model.parameters()) param.requires_grad = false;
  model.fc = new nn.Linear(model.fc.in_features, 10);

  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new torch.optim.SGD(model.fc.parameters(), { lr: args.lr, momentum: 0.9 });

  for (let epoch = 0; epoch < args.epochs; epoch++) {
    model.train();
    let total_loss = 0, batches = 0;
    for (const [inputs, labels] of train_loader) {
      optimizer.zero_grad();
      const loss = criterion(model(inputs), labels);
      loss.backward();
      optimizer.step();
      total_loss += loss.item();
      batches += 1;
    }
    model.eval();
    let correct = 0;
    torch.no_grad(() => {
      for (const [inputs, labels] of test_loader) {
        correct += model(inputs).argmax(1).eq(labels).sum().item();
      }
    });
    console.log(`Epoch ${epoch + 1}/${args.epochs}, train loss: ${(total_loss / batches).toFixed(6)}, test accuracy: ${(correct / args.test).toFixed(4)}`);
  }
  torch.save(model.state_dict(), args.save);
  console.log(`Saved the fine-tuned state_dict to ${args.save}`);
}

main();
