export { DistributedSampler } from './sampler';
