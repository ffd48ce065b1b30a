// The one transform of examples/fashion-mnist-transfer.ts that torchvision does not name: a
// grayscale image [1, H, W] as the 3 channels ResNet-18 takes. In a module of its own so that
// DataLoader worker threads can load it by reference (as Python's workers unpickle a function).
import type { Tensor } from 'torch-node';

export function to_three_channels(x: Tensor): Tensor {
  return x.expand(3, -1, -1);
}
