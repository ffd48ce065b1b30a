// torch.utils.data: datasets, samplers, collation and the DataLoader (PyTorch 1.13).
export { Dataset, IterableDataset, TensorDataset, ConcatDataset, ChainDataset, Subset, random_split } from './dataset';
export type { MapDataset } from './dataset';
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler, DistributedSampler } from './sampler';
export { default_collate, default_convert } from './collate';
export { DataLoader } from './dataloader';
export type { DataLoaderOptions } from './dataloader';
export { get_worker_info, WorkerInfo } from './_worker_info';
export type { GeneratorLike } from './_random';
/** torch.utils.data.distributed */
export * as distributed from './_distributed';

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../../guard';
installGuards(module);
