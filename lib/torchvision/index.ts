// torchvision: `import * as torchvision from 'torch-node/torchvision'`, then
// `torchvision.models.resnet18(...)`, `torchvision.transforms.Compose([...])`,
// `torchvision.io.read_image(path)`, `torchvision.datasets.FashionMNIST(root)`. Each is also its own entry point:
// 'torch-node/torchvision/models', 'torch-node/torchvision/transforms', 'torch-node/torchvision/io', 'torch-node/torchvision/datasets'.
import * as models from './models';
import * as transforms from './transforms';
import * as io from './io';
import * as datasets from './datasets';
import * as ops from './ops';
import * as utils from './utils';

export { models, transforms, io, datasets, ops, utils };

/** The torchvision release whose API and numerics this mirrors. */
export const __version__ = '0.14.1';

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../guard';
installGuards(module);
