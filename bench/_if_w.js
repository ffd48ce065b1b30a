const { Worker, isMainThread, parentPort } = require('worker_threads');
const torch = require('torch-node');
const { ImageFolder } = require('torch-node/torchvision/datasets');
const transforms = require('torch-node/torchvision/transforms');
const { default_collate } = torch.utils.data;
function run(label) {
  const folder = new ImageFolder('/tmp/jpegs/train', { transform: new transforms.Compose([
    new transforms.ToTensor(), new transforms.RandomResizedCrop(224), new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]) });
  const out = [];
  for (let b = 0; b < 8; b++) {
    const t0 = process.hrtime.bigint();
    const samples = []; for (let i = 0; i < 32; i++) samples.push(folder.__getitem__((b * 32 + i) % 640));
    const t1 = process.hrtime.bigint();
    const batch = default_collate(samples);
    const t2 = process.hrtime.bigint();
    out.push(`${(Number(t1 - t0) / 1e6).toFixed(0)}+${(Number(t2 - t1) / 1e6).toFixed(0)}`);
  }
  return `${label}: getitem+collate ms per batch: ${out.join(' ')}`;
}
if (isMainThread) {
  console.log(run('main'));
  const w = new Worker(__filename);
  w.on('message', (m) => { console.log(m); });
} else parentPort.postMessage(run('worker'));
