// nn.DataParallel. Without CUDA it is Python's pass-through (device_ids empty:
// forward calls the module). On one GPU, as Python: the module moves to
// cuda:device_ids[0] and forward moves tensor inputs there. Splitting a batch
// over several GPUs (replicate/scatter/gather) is not implemented: it throws
// rather than silently running on one device (DistributedDataParallel is the
// supported way to use several).
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { bind, REQUIRED, Rest } from '../common';
import { native } from '../../native';

interface DataParallelArgs { module: Module; device_ids: number[] | null; output_device: number | null; dim: number }

function cudaCount(): number {
  const info = (native as unknown as { build_info(): { cuda_available: boolean; cuda_device_count: number } }).build_info();
  return info.cuda_available ? info.cuda_device_count : 0;
}

export class DataParallel extends Module {
  declare module: Module;
  declare device_ids: number[];
  declare output_device: number | null;
  declare dim: number;
  constructor(module: Module, ...args: Rest<[number[] | null, number | null, number], Partial<DataParallelArgs>>) {
    super();
    const a = bind<DataParallelArgs>('DataParallel', [module, ...args], { module: REQUIRED, device_ids: null, output_device: null, dim: 0 });
    if (!(a.module instanceof Module)) throw new TypeError('DataParallel: module must be an nn.Module');
    this.module = a.module;
    this.dim = a.dim;
    const count = cudaCount();
    if (count === 0) {
      this.device_ids = [];
      this.output_device = null;
      return;
    }
    this.device_ids = a.device_ids ?? Array.from({ length: count }, (_, i) => i);
    this.output_device = a.output_device ?? this.device_ids[0];
    if (this.device_ids.length === 1) this.module.to(`cuda:${this.device_ids[0]}`);
  }
  forward(...inputs: unknown[]): unknown {
    if (!this.device_ids.length) return this.module(...inputs);
    if (this.device_ids.length > 1) {
      throw new Error('DataParallel over more than one GPU (replicate/scatter/gather) is not implemented in torch-node; use DistributedDataParallel');
    }
    const dev = `cuda:${this.device_ids[0]}`;
    for (const t of [...this.module.parameters(), ...this.module.buffers()]) {
      if (String(t.device) !== dev) {
        throw new Error(`module must have its parameters and buffers on device ${dev} (device_ids[0]) but found one of them on device: ${String(t.device)}`);
      }
    }
    return this.module(...inputs.map((x) => (x instanceof Tensor ? x.to(dev) : x)));
  }
}
