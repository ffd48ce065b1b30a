const torch = require('torch-node');
const { ImageFolder } = require('torch-node/torchvision/datasets');
const transforms = require('torch-node/torchvision/transforms');
const { DataLoader } = torch.utils.data;
const folder = new ImageFolder('/tmp/jpegs/train', { transform: new transforms.Compose([
  new transforms.ToTensor(), new transforms.RandomResizedCrop(224), new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]) });
for (const w of [0, 2, 2]) {
  const t0 = process.hrtime.bigint(); const times = [];
  let n = 0; let last = t0;
  for (const [x] of new DataLoader(folder, { batch_size: 32, shuffle: true, num_workers: w })) { const now = process.hrtime.bigint(); times.push(Number(now - last) / 1e6); last = now; if (++n === 20) break; }
  console.log(`workers=${w}: total ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms; per batch ${times.map((t) => t.toFixed(0)).join(' ')}`);
}
