// Classify an image with a pretrained ResNet-18: the top-5 ImageNet classes and their probabilities.
//
//   npm run classify -- path/to/image.jpg
//
// What it ports: torchvision's own inference example (Python):
//
//   img = read_image(path, ImageReadMode.RGB)
//   weights = ResNet18_Weights.IMAGENET1K_V1
//   model = resnet18(weights=weights)
//   model.eval()
//   preprocess = weights.transforms()
//   batch = preprocess(img).unsqueeze(0)
//   prediction = model(batch).squeeze(0).softmax(0)
//
// The weights come from the torch.hub cache ($TORCH_HOME/hub/checkpoints, by default
// ~/.cache/torch/hub/checkpoints: the very file PyTorch downloads), downloaded first when missing.
// Without them there is nothing to classify with: it says where to put the file and stops.
// PNG and JPEG images are read (torch-node/torchvision/io).
import * as torch from 'torch-node';
import * as models from 'torch-node/torchvision/models';
import { read_image, ImageReadMode } from 'torch-node/torchvision/io';

async function main(): Promise<number> {
  const path = process.argv[2];
  if (!path || path === '-h' || path === '--help') {
    console.error('usage: npm run classify -- <image.png|image.jpg>');
    return path ? 0 : 2;
  }

  const weights = models.ResNet18_Weights.IMAGENET1K_V1;
  if (!weights.is_cached()) {
    try {
      await weights.download({ progress: true });
    } catch (e) {
      // torch.hub's error names the URL and the exact path where the file can be put by hand.
      console.error(`The pretrained ResNet-18 weights (${weights}) are missing and could not be downloaded.\n` +
        `${(e as Error).message}\n` +
        `(The cache is <TORCH_HOME>/hub/checkpoints; TORCH_HOME can point elsewhere.) Then run this again.`);
      return 1;
    }
  }

  const img = read_image(path, ImageReadMode.RGB);
  const model = models.resnet18({ weights });
  model.eval();
  const preprocess = weights.transforms();
  const batch = preprocess(img).unsqueeze(0);
  const prediction = torch.no_grad(() => model(batch)).squeeze(0).softmax(0);

  const categories = weights.meta.categories!;
  const { values, indices } = prediction.topk(5);
  const scores = values.tolist() as number[], ids = indices.tolist() as number[];
  console.log(`${path} (${img.shape[2]}x${img.shape[1]}), ResNet-18 ${weights}:`);
  ids.forEach((id, k) => {
    console.log(`${(100 * scores[k]).toFixed(1).padStart(5)}%  ${categories[id]}`);
  });
  return 0;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
