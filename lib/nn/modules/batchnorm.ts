// nn.BatchNorm1d and nn.BatchNorm2d.
import { Tensor } from '../../tensor';
import { torchAtLeast } from '../../native';
import * as dt from '../../dtype';
import { zeros, ones, tensor } from '../../creation';
import { Module } from '../module';
import { Parameter, emptyParameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { bind, py, REQUIRED, Rest } from '../common';
import { FactoryArgs } from './linear';
import { checkInt, checkTensor } from './_check';
import { no_grad } from '../../autograd';

// eps and momentum are floats in Python's signature: 1 prints as 1.0.
const FLOAT = { float: true };

export interface BatchNormArgs extends FactoryArgs {
  num_features: number; eps: number; momentum: number | null; affine: boolean; track_running_stats: boolean;
}

/**
 * Python's _NormBase: num_features, eps, momentum, affine, track_running_stats,
 * the affine parameters and the running statistics. Subclasses set their
 * defaults (InstanceNorm: no affine, no running stats) in static _defaults.
 */
export abstract class _NormBase extends Module {
  static _defaults = { eps: 1e-5, momentum: 0.1 as number | null, affine: true, track_running_stats: true };
  /** Version 2 added num_batches_tracked; the loader fills it in for older state dicts. */
  static _version = 2;

  declare num_features: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare track_running_stats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(num_features: number, ...args: Rest<[number, number | null, boolean, boolean], Partial<BatchNormArgs>>) {
    super();
    const a = bind<BatchNormArgs>(new.target.name, [num_features, ...args], {
      num_features: REQUIRED, ...(new.target as unknown as typeof _NormBase)._defaults, device: null, dtype: null,
    });
    this._init(a);
  }

  /** Python's _NormBase.__init__ after binding (LazyBatchNorm/LazyInstanceNorm call it with num_features 0). */
  _init(a: BatchNormArgs): void {
    checkInt(this._get_name(), 'num_features', a.num_features);
    this.num_features = a.num_features;
    this.eps = a.eps;
    this.momentum = a.momentum;
    this.affine = a.affine;
    this.track_running_stats = a.track_running_stats;
    if (a.affine) {
      this.weight = emptyParameter([a.num_features], a);
      this.bias = emptyParameter([a.num_features], a);
    } else {
      this.register_parameter('weight', null);
      this.register_parameter('bias', null);
    }
    if (a.track_running_stats) {
      const factory = { device: a.device ?? undefined, dtype: a.dtype ?? undefined };
      this.register_buffer('running_mean', zeros(a.num_features, factory));
      this.register_buffer('running_var', ones(a.num_features, factory));
      this.register_buffer('num_batches_tracked', tensor(0n, { dtype: dt.int64, device: factory.device }));
    } else {
      this.register_buffer('running_mean', null);
      this.register_buffer('running_var', null);
      this.register_buffer('num_batches_tracked', null);
    }
    this.reset_parameters();
  }

  reset_running_stats(): void {
    if (!this.track_running_stats) return;
    this.running_mean!.zero_();
    this.running_var!.fill_(1);
    this.num_batches_tracked!.zero_();
  }

  reset_parameters(): void {
    this.reset_running_stats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  /** Throws PyTorch's message for an input of the wrong rank. */
  abstract _check_input_dim(input: Tensor): void;

  extra_repr(): string {
    // PyTorch 2.13 prints whether there is a bias (1.13 did not; the release between them that
    // added it is not pinned down here: the addon's LibTorch version decides, 2.13 tested).
    const bias = torchAtLeast(2, 13) ? `bias=${py(this.bias !== null)}, ` : '';
    return `${this.num_features}, eps=${py(this.eps, FLOAT)}, momentum=${py(this.momentum, FLOAT)}, affine=${py(this.affine)}, ` +
      `${bias}track_running_stats=${py(this.track_running_stats)}`;
  }

  _load_from_state_dict(state_dict: Map<string, unknown>, prefix: string, local_metadata: { version?: number },
    strict: boolean, missing_keys: string[], unexpected_keys: string[], error_msgs: string[]): void {
    const version = local_metadata.version;
    let added: Tensor | null = null;
    if ((version === undefined || version < 2) && this.track_running_stats) {
      const key = `${prefix}num_batches_tracked`;
      if (!state_dict.has(key)) state_dict.set(key, added = tensor(0n, { dtype: dt.int64 }));
    }
    try {
      super._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs);
    } finally {
      added?.dispose(); // copied into the buffer by now
    }
  }
}

/**
 * Python's _BatchNorm: normalises over every dimension but the
 * channel dimension (1). In training it uses the batch's statistics and
 * updates running_mean/running_var in place (momentum null: a cumulative
 * average); in eval it uses the running statistics.
 */
export abstract class _BatchNorm extends _NormBase {
  forward(input: Tensor): Tensor {
    checkTensor(this._get_name(), 'input', input);
    this._check_input_dim(input);
    let factor = this.momentum ?? 0.0;
    if (this.training && this.track_running_stats && this.num_batches_tracked !== null) {
      this.num_batches_tracked.add_(1);
      // momentum null: the running stats are the plain average of every batch seen.
      factor = this.momentum === null ? 1.0 / Number(this.num_batches_tracked.item()) : this.momentum;
    }
    // In eval mode, batch statistics are used only when there are no running ones.
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    // Without track_running_stats, training must not touch (absent) running stats.
    const useRunning = !this.training || this.track_running_stats;
    return F.batch_norm(input, useRunning ? this.running_mean : null, useRunning ? this.running_var : null,
      this.weight, this.bias, bnTraining, factor, this.eps);
  }
}

/** BatchNorm over [N, C] or [N, C, L] input. */
export class BatchNorm1d extends _BatchNorm {
  _check_input_dim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new Error(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** BatchNorm over [N, C, H, W] input. */
export class BatchNorm2d extends _BatchNorm {
  _check_input_dim(input: Tensor): void {
    if (input.dim() !== 4) throw new Error(`expected 4D input (got ${input.dim()}D input)`);
  }
}

/** BatchNorm over [N, C, D, H, W] input. */
export class BatchNorm3d extends _BatchNorm {
  _check_input_dim(input: Tensor): void {
    if (input.dim() !== 5) throw new Error(`expected 5D input (got ${input.dim()}D input)`);
  }
}

/**
 * nn.SyncBatchNorm: BatchNorm over the whole process group. With one process
 * (or no process group) it is BatchNorm over [N, C, ...]; Python requires
 * CUDA input, and so does this. A multi-process synchronised forward is not
 * implemented: it throws rather than normalising per process.
 */
export class SyncBatchNorm extends _BatchNorm {
  declare process_group: unknown;
  constructor(num_features: number, ...args: Rest<[number, number | null, boolean, boolean, unknown], Partial<BatchNormArgs & { process_group: unknown }>>) {
    const a = bind<BatchNormArgs & { process_group: unknown }>('SyncBatchNorm', [num_features, ...args], {
      num_features: REQUIRED, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true, process_group: null, device: null, dtype: null,
    });
    const { process_group, num_features: n, ...kw } = a;
    super(n, kw);
    this.process_group = process_group;
  }
  _check_input_dim(input: Tensor): void {
    if (input.dim() < 2) throw new Error(`expected at least 2D input (got ${input.dim()}D input)`);
  }
  forward(input: Tensor): Tensor {
    checkTensor('SyncBatchNorm', 'input', input);
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    if (torchAtLeast(2, 13)) {
      // 2.x: a CPU input is fine unless the batch statistics are synchronised (training under an
      // initialised process group); without sync it is a plain batch_norm.
      this._check_input_dim(input);
      if (input.size(1) === 0) throw new Error('SyncBatchNorm number of input channels should be non-zero');
      const dist = require('../../distributed') as { is_initialized(): boolean };
      if (bnTraining && this.training && dist.is_initialized() && !input.is_cuda) {
        throw new Error('SyncBatchNorm expected input tensor to be on GPU or XPU or privateuseone');
      }
    } else {
      if (!input.is_cuda) throw new Error('SyncBatchNorm expected input tensor to be on GPU');
      this._check_input_dim(input);
      if (input.size(1) === 0) throw new Error('SyncBatchNorm number of input channels should be non-zero');
    }
    if (bnTraining && this.training && worldSize(this.process_group) > 1) {
      throw new Error('SyncBatchNorm: synchronised batch statistics over more than one process are not implemented in torch-node');
    }
    return super.forward(input);
  }

  /** Python's classmethod: every _BatchNorm in module replaced by a SyncBatchNorm sharing its parameters and buffers. */
  static convert_sync_batchnorm(module: Module, process_group: unknown = null): Module {
    let out = module;
    if (module instanceof _BatchNorm) {
      const bn = module;
      const s = new SyncBatchNorm(bn.num_features, bn.eps, bn.momentum, bn.affine, bn.track_running_stats, { process_group });
      if (bn.affine) no_grad(() => { s.weight = bn.weight; s.bias = bn.bias; });
      s.running_mean = bn.running_mean;
      s.running_var = bn.running_var;
      s.num_batches_tracked = bn.num_batches_tracked;
      s.training = bn.training;
      out = s;
    }
    for (const [name, child] of module.named_children()) out.add_module(name, SyncBatchNorm.convert_sync_batchnorm(child, process_group));
    return out;
  }
}

function worldSize(group: unknown): number {
  const dist = require('../../distributed') as { is_initialized(): boolean; get_world_size(g?: unknown): number };
  if (!dist.is_initialized()) return 1;
  return dist.get_world_size((group ?? null) as never);
}
