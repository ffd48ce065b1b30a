// torchvision.datasets (0.14): MNIST, FashionMNIST, KMNIST, EMNIST, FakeData, DatasetFolder, ImageFolder, CIFAR10, CIFAR100.
// Each works with DataLoader workers as it is: its class is found here and
// re-created in the worker from its properties (utils/data/_transport.ts).
export { VisionDataset, StandardTransform } from './vision';
export { MNIST, FashionMNIST, KMNIST, EMNIST, read_sn3_pascalvincent_tensor, read_image_file, read_label_file } from './mnist';
export { FakeData } from './fakedata';
export { DatasetFolder, ImageFolder, IMG_EXTENSIONS, has_file_allowed_extension, is_image_file, find_classes, make_dataset, pil_loader, default_loader } from './folder';
export * as utils from './utils';
export { CIFAR10, CIFAR100 } from './cifar';

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../../guard';
installGuards(module);
