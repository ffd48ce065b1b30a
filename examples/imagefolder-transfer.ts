// PyTorch's "Transfer Learning for Computer Vision" tutorial (the ConvNet as a fixed feature
// extractor), ported line for line: an ImageFolder of JPEGs (<data>/train/<class>/*.jpg,
// <data>/val/<class>/*.jpg, the tutorial's hymenoptera_data layout), random crops and flips drawn in
// DataLoader worker threads, a pretrained ResNet-18 with every layer frozen and a new fc, SGD with
// StepLR, train and val phases per epoch, the best weights kept.
//
//   npm run imagefolder-transfer -- --data path/to/hymenoptera_data [--epochs 25 --crop 224 --seed 0]
//   /usr/bin/python3 scripts/reference/make_fashion_jpegs.py <dir>   such a folder, from Fashion-MNIST
//
// Its Python twin, scripts/reference/imagefolder_transfer.py, takes the same options and prints the
// same lines for the same seed (the images decoded to the same pixels, the same crops drawn in the
// workers, the same losses). Both decode, crop and flip image tensors (ToTensor first), where the
// original crops PIL images: torchvision's tensor path, so that both sides compute the same thing.
import * as path from 'node:path';
import * as torch from 'torch-node';
import * as nn from 'torch-node/nn';
import * as models from 'torch-node/torchvision/models';
import * as transforms from 'torch-node/torchvision/transforms';
import { ImageFolder } from 'torch-node/torchvision/datasets';
import { DataLoader } from 'torch-node/utils/data';

const DEFAULTS = { data: 'hymenoptera_data', epochs: 25, crop: 224, resize: 256, batch_size: 4, workers: 4, seed: 0 };
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

const args = parseArgs(process.argv.slice(2));
torch.manual_seed(args.seed);

// Data augmentation and normalization for training; just normalization for validation
const data_transforms: Record<string, transforms.Compose> = {
  train: new transforms.Compose([
    new transforms.ToTensor(),
    new transforms.RandomResizedCrop(args.crop),
    new transforms.RandomHorizontalFlip(),
    new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
  ]),
  val: new transforms.Compose([
    new transforms.ToTensor(),
    new transforms.Resize(args.resize),
    new transforms.CenterCrop(args.crop),
    new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
  ]),
};

const phases = ['train', 'val'] as const;
const image_datasets = Object.fromEntries(phases.map((x) => [x, new ImageFolder(path.join(args.data, x), { transform: data_transforms[x] })]));
const dataloaders = Object.fromEntries(phases.map((x) => [x, new DataLoader(image_datasets[x], { batch_size: args.batch_size, shuffle: true, num_workers: args.workers })]));
const dataset_sizes = Object.fromEntries(phases.map((x) => [x, image_datasets[x].__len__()]));
const class_names = image_datasets.train.classes;
console.log(`Classes: ${class_names.join(', ')}; images: train ${dataset_sizes.train}, val ${dataset_sizes.val}`);

function train_model(model: nn.Module, criterion: nn.CrossEntropyLoss, optimizer: torch.optim.SGD, scheduler: torch.optim.lr_scheduler.StepLR, num_epochs = 25): nn.Module {
  const since = Date.now();
  let best_model_wts = clone(model.state_dict());
  let best_acc = 0.0;

  for (let epoch = 0; epoch < num_epochs; epoch++) {
    console.log(`Epoch ${epoch}/${num_epochs - 1}`);
    console.log('-'.repeat(10));

    // Each epoch has a training and validation phase
    for (const phase of phases) {
      if (phase === 'train') model.train(); // Set model to training mode
      else model.eval(); // Set model to evaluate mode

      let running_loss = 0.0;
      let running_corrects = 0;

      // Iterate over data.
      for (const [inputs, labels] of dataloaders[phase]) {
        // zero the parameter gradients
        optimizer.zero_grad();

        // forward; track history if only in train
        const [outputs, preds, loss] = torch.set_grad_enabled(phase === 'train', () => {
          const outputs = model(inputs);
          const [, preds] = torch.max(outputs, 1);
          const loss = criterion(outputs, labels);
          // backward + optimize only if in training phase
          if (phase === 'train') {
            loss.backward();
            optimizer.step();
          }
          return [outputs, preds, loss];
        });

        // statistics
        running_loss += loss.item() * inputs.size(0);
        running_corrects += torch.sum(preds.eq(labels)).item();
        outputs.dispose();
      }
      if (phase === 'train') scheduler.step();

      const epoch_loss = running_loss / dataset_sizes[phase];
      const epoch_acc = running_corrects / dataset_sizes[phase];

      console.log(`${phase} Loss: ${epoch_loss.toFixed(4)} Acc: ${epoch_acc.toFixed(4)}`);

      // deep copy the model
      if (phase === 'val' && epoch_acc > best_acc) {
        best_acc = epoch_acc;
        best_model_wts = clone(model.state_dict());
      }
    }
    console.log();
  }

  const time_elapsed = (Date.now() - since) / 1000;
  console.log(`Training complete in ${Math.floor(time_elapsed / 60)}m ${Math.round(time_elapsed % 60)}s`);
  console.log(`Best val Acc: ${best_acc.toFixed(6)}`);

  // load best model weights
  model.load_state_dict(best_model_wts);
  return model;
}

/** copy.deepcopy of a state_dict: its own copy of every tensor. */
function clone(sd: Record<string, torch.Tensor>): Record<string, torch.Tensor> {
  return Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.clone()]));
}

// ConvNet as fixed feature extractor
let model_conv: models.ResNet;
try {
  model_conv = models.resnet18({ weights: models.ResNet18_Weights.IMAGENET1K_V1 });
} catch (e) {
  console.error(`Could not load the pretrained ResNet-18 weights.\n${(e as Error).message}`);
  console.error('Running on with randomly initialised weights instead (the freezing and fine-tuning work the same).');
  model_conv = models.resnet18();
}
for (const param of model_conv.parameters()) param.requires_grad = false;

// Parameters of newly constructed modules have requires_grad=True by default
const num_ftrs = model_conv.fc.in_features;
model_conv.fc = new nn.Linear(num_ftrs, class_names.length);

const criterion = new nn.CrossEntropyLoss();
// Observe that only parameters of final layer are being optimized as opposed to before.
const optimizer_conv = new torch.optim.SGD(model_conv.fc.parameters(), { lr: 0.001, momentum: 0.9 });
// Decay LR by a factor of 0.1 every 7 epochs
const exp_lr_scheduler = new torch.optim.lr_scheduler.StepLR(optimizer_conv, { step_size: 7, gamma: 0.1 });

train_model(model_conv, criterion, optimizer_conv, exp_lr_scheduler, args.epochs);
