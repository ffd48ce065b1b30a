// Mixed precision: torch.autocast over at::autocast's thread-local state (per
// device type: native/torch_compat.h), and GradScaler with PyTorch's
// scale / unscale_ / step / update arithmetic written with plain tensor ops
// (LibTorch 1.13 has no CPU kernels for _amp_update_scale_ and
// _amp_foreach_non_finite_check_and_unscale_), so that it runs on any device.
import { Tensor } from './tensor';
import { keep } from './memory';
import * as dt from './dtype';
import { dtype } from './dtype';
import { no_grad } from './autograd';
import { warn } from './warnings';
import * as F from './functions';
import * as cuda from './cuda';
import { expect } from './guard';

function typeName(v: unknown): string {
  return v === null ? 'None' : typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}
function checkKeys(fn: string, opts: object, allowed: string[]): void {
  for (const k of Object.keys(opts)) if (!allowed.includes(k)) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
}
const isOptions = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

export interface AutocastOptions { dtype?: dtype | null; enabled?: boolean; cache_enabled?: boolean | null }

/**
 * torch.autocast(device_type, { dtype, enabled, cache_enabled }, fn): runs fn with autocast on
 * (Python's `with torch.autocast(...)`) and returns its result. fn must be synchronous: the state
 * is per thread and cannot span an await.
 */
export function autocast<T>(device_type: string, opts: AutocastOptions | (() => T), fn?: () => T): T {
  if (typeof opts === 'function') { fn = opts; opts = {}; }
  if (!isOptions(opts)) throw new TypeError(`autocast(): the second argument must be an options object or the function to run, not ${typeName(opts)}`);
  checkKeys('autocast', opts, ['dtype', 'enabled', 'cache_enabled']);
  if (typeof fn !== 'function') throw new TypeError(`autocast(): the function to run must be a function, not ${typeName(fn)}`);
  if (typeof device_type !== 'string') throw new TypeError(`autocast(): argument 'device_type' must be str, not ${typeName(device_type)}`);
  if (device_type !== 'cpu' && device_type !== 'cuda') {
    throw new Error(`User specified an unsupported autocast device_type '${device_type}'`);
  }
  const o = opts as AutocastOptions;
  let enabled: boolean = o.enabled ?? true;
  if (typeof enabled !== 'boolean') throw new TypeError(`autocast(): argument 'enabled' must be bool, not ${typeName(enabled)}`);
  const fast = o.dtype ?? F.get_autocast_dtype(device_type);
  if (!(fast instanceof dtype)) throw new TypeError(`autocast(): argument 'dtype' must be torch.dtype, not ${typeName(fast)}`);
  const cache = o.cache_enabled ?? F.is_autocast_cache_enabled();
  if (typeof cache !== 'boolean') throw new TypeError(`autocast(): argument 'cache_enabled' must be bool, not ${typeName(cache)}`);
  // Python's checks, in its order: an unusable device or dtype warns and disables.
  if (device_type === 'cuda' && enabled && !cuda.is_available()) {
    warn("User provided device_type of 'cuda', but CUDA is not available. Disabling");
    enabled = false;
  }
  if (device_type === 'cpu' && enabled && fast !== dt.bfloat16 && !(CPU_FP16 && fast === dt.float16)) {
    warn('In CPU autocast, but the target dtype is not supported. Disabling autocast.\n' +
      `CPU Autocast only supports dtype of ${CPU_FP16 ? 'torch.bfloat16, torch.float16' : 'torch.bfloat16'} currently.`);
    enabled = false;
  }
  if (device_type === 'cuda' && enabled && fast !== dt.float16 && fast !== dt.bfloat16) {
    warn('In CUDA autocast, but the target dtype is not supported. Disabling autocast.\n' +
      'CUDA Autocast only supports dtypes of torch.float16 and torch.bfloat16 currently.');
    enabled = false;
  }
  const prev = { enabled: F.is_autocast_enabled(device_type), dtype: F.get_autocast_dtype(device_type), cache: F.is_autocast_cache_enabled() };
  F.set_autocast_enabled(device_type, enabled);
  F.set_autocast_dtype(device_type, fast);
  F.autocast_increment_nesting();
  F.set_autocast_cache_enabled(cache);
  let result: T;
  try {
    result = fn();
  } finally {
    // Leaving the outermost region frees the casts it cached (Python's __exit__).
    if (F.autocast_decrement_nesting() === 0) F.clear_autocast_cache();
    F.set_autocast_enabled(device_type, prev.enabled);
    F.set_autocast_dtype(device_type, prev.dtype);
    F.set_autocast_cache_enabled(prev.cache);
  }
  if (result !== null && typeof (result as { then?: unknown })?.then === 'function') {
    throw new TypeError('autocast(): the function returned a Promise; autocast applies to synchronous code only (its state is per thread)');
  }
  return result;
}
// CPU float16 autocast came with PyTorch 2.x's LibTorch (the addon's version decides).
const CPU_FP16 = !/^1\./.exec(require('./native').native.build_info().torch_version); // eslint-disable-line @typescript-eslint/no-require-imports

/** torch.cpu.amp.autocast / torch.cuda.amp.autocast: autocast with the device fixed. */
function deviceAutocast(device_type: 'cpu' | 'cuda') {
  return function <T>(opts: AutocastOptions | (() => T), fn?: () => T): T { return autocast(device_type, opts, fn); };
}
export const cpu_autocast = deviceAutocast('cpu');
export const cuda_autocast = deviceAutocast('cuda');

// ---- GradScaler ------------------------------------------------------------------------------

export interface GradScalerOptions { init_scale?: number; growth_factor?: number; backoff_factor?: number; growth_interval?: number; enabled?: boolean }
interface OptimizerLike { param_groups: Array<{ params: Tensor[] }>; step(...args: unknown[]): unknown }
type Stage = 'ready' | 'unscaled' | 'stepped';

/**
 * torch.amp.GradScaler(device, { init_scale, growth_factor, backoff_factor, growth_interval, enabled })
 * (torch.cuda.amp.GradScaler: device 'cuda'). As Python's: a CUDA scaler on a machine without CUDA
 * warns and disables itself (then scale() returns its input and step() just steps).
 */
export class GradScaler {
  readonly device: string;
  private _enabled: boolean;
  private _init_scale: number;
  private _growth_factor: number;
  private _backoff_factor: number;
  private _growth_interval: number;
  private _scale: Tensor | null = null;
  private _growth_tracker: Tensor | null = null;
  private _per_optimizer = new Map<OptimizerLike, { stage: Stage; found_inf: Tensor | null }>();

  constructor(device: string | GradScalerOptions = 'cuda', opts: GradScalerOptions = {}) {
    if (isOptions(device)) { opts = device; device = 'cuda'; }
    if (typeof device !== 'string') throw new TypeError(`GradScaler(): argument 'device' must be str, not ${typeName(device)}`);
    if (!isOptions(opts)) throw new TypeError(`GradScaler(): options must be an object, not ${typeName(opts)}`);
    checkKeys('GradScaler', opts, ['init_scale', 'growth_factor', 'backoff_factor', 'growth_interval', 'enabled']);
    const num = (k: keyof GradScalerOptions, d: number): number => {
      const v = opts[k] ?? d;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`GradScaler(): argument '${k}' must be a number, not ${typeName(v)}`);
      return v;
    };
    this.device = device;
    this._init_scale = num('init_scale', 2 ** 16);
    this._growth_factor = num('growth_factor', 2);
    this._backoff_factor = num('backoff_factor', 0.5);
    this._growth_interval = num('growth_interval', 2000);
    if (this._growth_factor <= 1) throw new Error('The growth factor must be > 1.0.');
    if (this._backoff_factor >= 1) throw new Error('The backoff factor must be < 1.0.');
    if (!Number.isInteger(this._growth_interval) || this._growth_interval <= 0) throw new Error('growth_interval must be a positive integer');
    const enabled = opts.enabled ?? true;
    if (typeof enabled !== 'boolean') throw new TypeError(`GradScaler(): argument 'enabled' must be bool, not ${typeName(enabled)}`);
    this._enabled = enabled;
    if (enabled && device === 'cuda' && !cuda.is_available()) {
      warn('torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.');
      this._enabled = false;
    }
  }

  is_enabled(): boolean { return this._enabled; }

  private _lazyInit(like: Tensor): void {
    if (this._scale) return;
    this._scale = keep(new Tensor(like.new_full([], this._init_scale, { dtype: dt.float32, device: this.device })._h));
    this._growth_tracker = keep(new Tensor(like.new_full([], 0, { dtype: dt.int32, device: this.device })._h));
  }

  private _state(o: OptimizerLike) {
    let s = this._per_optimizer.get(o);
    if (!s) { s = { stage: 'ready', found_inf: null }; this._per_optimizer.set(o, s); }
    return s;
  }

  /** scale(outputs): each tensor (in nested arrays) multiplied by the scale factor. */
  scale<T>(outputs: T): T {
    if (!this._enabled) return outputs;
    const apply = (v: unknown): unknown => {
      if (v instanceof Tensor) {
        this._lazyInit(v);
        return v.mul((this._scale as Tensor).to(v.device));
      }
      if (Array.isArray(v)) return v.map(apply);
      throw new Error('outputs must be a Tensor or an iterable of Tensors');
    };
    return apply(outputs) as T;
  }

  /** unscale_(optimizer): divides its gradients by the scale, recording whether any is inf/NaN. */
  unscale_(optimizer: OptimizerLike): void {
    if (!this._enabled) return;
    if (!this._scale) throw new Error('Attempted unscale_ but _scale is None.  This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.');
    const s = this._state(optimizer);
    if (s.stage === 'unscaled') throw new Error('unscale_() has already been called on this optimizer since the last update().');
    if (s.stage === 'stepped') throw new Error('unscale_() is being called after step().');
    no_grad(() => {
      // PyTorch: inv_scale = 1/scale in double, then float32; found_inf: any non-finite gradient.
      const inv = keep(new Tensor(this._scale!.double().reciprocal().float()._h));
      let found = false;
      for (const group of optimizer.param_groups) {
        for (const p of group.params) {
          const g = p.grad;
          if (g === null) continue;
          if (g.is_sparse) throw new Error('Attempting to unscale FP16 gradients.');
          if (!g.isfinite().all().item()) found = true;
          g.mul_(inv.to(g.device));
        }
      }
      s.found_inf = keep(new Tensor(this._scale!.new_full([], found ? 1 : 0)._h));
    });
    s.stage = 'unscaled';
  }

  /** step(optimizer, ...args): unscales if needed, then steps unless a gradient was inf/NaN. */
  step(optimizer: OptimizerLike, ...args: unknown[]): unknown {
    expect.like('GradScaler.step', 'optimizer', optimizer, 'Optimizer', ['step'], 0);
    if (!this._enabled) return optimizer.step(...args);
    const s = this._state(optimizer);
    if (s.stage === 'stepped') throw new Error('step() has already been called since the last update().');
    if (s.stage === 'ready') this.unscale_(optimizer);
    const skip = (s.found_inf as Tensor).item() !== 0;
    const ret = skip ? undefined : optimizer.step(...args);
    s.stage = 'stepped';
    return ret;
  }

  /**
   * update(new_scale?): after an inf/NaN the scale times backoff_factor (and the streak restarts),
   * after growth_interval clean steps in a row times growth_factor; or the scale given.
   */
  update(new_scale?: number | Tensor): void {
    if (!this._enabled) return;
    if (!this._scale) throw new Error('Attempted update but _scale is None.  This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.');
    no_grad(() => {
      if (new_scale !== undefined) {
        if (new_scale instanceof Tensor) {
          if (new_scale.numel() !== 1 || new_scale.dtype !== dt.float32 || new_scale.requires_grad) {
            throw new Error('new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor with requires_grad=False.');
          }
          this._scale!.copy_(new_scale);
        } else {
          this._scale!.fill_(new_scale);
        }
      } else {
        const found = [...this._per_optimizer.values()].map((s) => s.found_inf).filter((f): f is Tensor => f !== null);
        if (found.length === 0) throw new Error('No inf checks were recorded prior to update.');
        const anyInf = found.some((f) => f.item() !== 0);
        if (anyInf) {
          this._scale!.mul_(this._backoff_factor);
          this._growth_tracker!.fill_(0);
        } else {
          const successful = (this._growth_tracker!.item() as number) + 1;
          if (successful === this._growth_interval) {
            // The grown scale is kept only while it is finite (float32 arithmetic, as the kernel's).
            const grown = this._scale!.mul(this._growth_factor);
            if (grown.isfinite().item()) this._scale!.copy_(grown);
            this._growth_tracker!.fill_(0);
          } else {
            this._growth_tracker!.fill_(successful);
          }
        }
      }
    });
    this._per_optimizer.clear();
  }

  get_scale(): number { return this._enabled ? (this._scale ? this._scale.item() as number : this._init_scale) : 1.0; }
  get_growth_factor(): number { return this._growth_factor; }
  set_growth_factor(v: number): void { this._growth_factor = v; }
  get_backoff_factor(): number { return this._backoff_factor; }
  set_backoff_factor(v: number): void { this._backoff_factor = v; }
  get_growth_interval(): number { return this._growth_interval; }
  set_growth_interval(v: number): void { this._growth_interval = v; }
  /** Python's _get_growth_tracker(). */
  _get_growth_tracker(): number { return this._enabled && this._growth_tracker ? this._growth_tracker.item() as number : 0; }

  state_dict(): Record<string, number> {
    if (!this._enabled) return {};
    return { scale: this.get_scale(), growth_factor: this._growth_factor, backoff_factor: this._backoff_factor,
      growth_interval: this._growth_interval, _growth_tracker: this._get_growth_tracker() };
  }
  load_state_dict(sd: Record<string, number>): void {
    if (!this._enabled) return;
    if (Object.keys(sd).length === 0) throw new Error('The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.');
    this._init_scale = sd.scale;
    if (this._scale) this._scale.fill_(sd.scale);
    this._growth_factor = sd.growth_factor;
    this._backoff_factor = sd.backoff_factor;
    this._growth_interval = sd.growth_interval;
    if (this._growth_tracker) this._growth_tracker.fill_(sd._growth_tracker);
  }
}

/** torch.cuda.amp.GradScaler: GradScaler on 'cuda'. */
export class CudaGradScaler extends GradScaler {
  constructor(opts: GradScalerOptions = {}) { super('cuda', opts); }
}
