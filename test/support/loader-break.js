'use strict';
// Child process of test/data-speed.test.js: DataLoaders with 2 worker threads left early, again
// and again, so that workers are terminated in the middle of native calls. Exits 0 and prints
// "ok" when none of that aborted the process.  node loader-break.js <root with FashionMNIST/raw>
const torch = require('torch-node');
const { DataLoader } = require('torch-node/utils/data');
const { FashionMNIST } = require('torch-node/torchvision/datasets');
const T = require('torch-node/torchvision/transforms');

torch.set_num_threads(1);
const ds = new FashionMNIST(process.argv[2], { train: true, transform: new T.Compose([new T.ToTensor(), new T.Normalize([0.2860], [0.3530])]) });
for (let rep = 0; rep < 12; rep++) {
  const loader = new DataLoader(ds, { batch_size: 64, shuffle: true, num_workers: 2 });
  let k = 0;
  for (const batch of loader) { // eslint-disable-line no-unused-vars
    if (++k === 1 + (rep % 4)) break;
  }
}
console.log('ok');
