// torch.nn.parallel.DistributedDataParallel over LibTorch's own c10d::Reducer
// (native/distributed.cpp): the Reducer hooks every parameter's gradient
// accumulator, buckets the gradients and all-reduces each bucket as soon as it
// is full, during backward. The Python-side steps of PyTorch 1.13's DDP are
// repeated here in the same order (_verify_params_across_processes, the
// constructor's _broadcast_coalesced of parameters and buffers, the bucket
// assignment, prepare_for_forward, _rebuild_buckets, the buffer broadcast,
// prepare_for_backward), so a Node rank and a Python rank issue the same
// collectives and can train one model together.
import { native } from '../native';
import { Tensor } from '../tensor';
import { is_grad_enabled, no_grad } from '../autograd';
import { Module } from './module';
import { bind, Rest } from './common';
import { ProcessGroup, _get_default_group, GradBucket, Work, all_reduce, get_rank, ReduceOp } from '../distributed';
import { Future } from '../futures';
import { JoinContext, JoinHook, JoinConfig, DISABLED_JOIN_CONFIG, _parse_join_args, _check_comm_hook } from '../distributed_algorithms';
import { ones, zeros, tensor as makeTensor } from '../creation';
import { int64 } from '../dtype';
import { device as Device } from '../device';
import { warn } from '../warnings';

type Native = Record<string, (...args: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const addon = native as unknown as Native;

/** Python's dist._DEFAULT_FIRST_BUCKET_BYTES: the first bucket (the last parameters) is small, so its all-reduce starts early. */
export const _DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024;
/** Python's DDP broadcast_bucket_size (250 MB) for the parameter and buffer broadcasts. */
const BROADCAST_BUCKET_SIZE = 250 * 1024 * 1024;
/** sys.maxsize: "one bucket for everything" (the native side reads it as no limit). */
const MAXSIZE = 2 ** 63;

/** Every tensor in a forward's output (Python's _find_tensors): arrays, Maps and plain objects are searched. */
function findTensors(v: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (v !== null && typeof v === 'object' && !seen.has(v)) {
    seen.add(v);
    if (Array.isArray(v)) for (const x of v) findTensors(x, out, seen);
    else if (v instanceof Map) for (const x of v.values()) findTensors(x, out, seen);
    else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) findTensors(x, out, seen);
  }
  return out;
}

/** `v` with every tensor replaced by `swap(tensor)`, arrays, Maps and plain objects rebuilt (Python's tree unflatten). */
function mapTensors(v: unknown, swap: (t: Tensor) => Tensor): unknown {
  if (v instanceof Tensor) return swap(v);
  if (Array.isArray(v)) return v.map((x) => mapTensors(x, swap));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, mapTensors(x, swap)]));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapTensors(x, swap)]));
  }
  return v;
}

export interface DDPOptions {
  device_ids?: number[] | null;
  output_device?: number | null;
  dim?: number;
  broadcast_buffers?: boolean;
  process_group?: ProcessGroup | null;
  bucket_cap_mb?: number;
  find_unused_parameters?: boolean;
  check_reduction?: boolean;
  gradient_as_bucket_view?: boolean;
  static_graph?: boolean;
}

/** Python's repr of a device, as DDP's messages print them. */
function pyDevice(d: Device): string {
  return d.index === null || d.index === undefined ? `device(type='${d.type}')` : `device(type='${d.type}', index=${d.index})`;
}
/** Python's repr of a list of ints, or None. */
const pyList = (v: unknown): string => (v === null || v === undefined ? 'None' : Array.isArray(v) ? `[${v.map((x) => pyRepr(x)).join(', ')}]` : String(v));
const pyRepr = (v: unknown): string => (v === null || v === undefined ? 'None' : Array.isArray(v) ? pyList(v) : typeof v === 'string' ? `'${v}'` : String(v));
/** Python's _get_device_index(x, optional=True) for device_ids / output_device: an int, 'cuda:i' or a cuda device. */
function deviceIndex(x: unknown, what: string): number {
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  const d = x instanceof Device ? x : typeof x === 'string' ? new Device(x) : null;
  if (d && d.type === 'cuda') return d.index ?? 0;
  throw new TypeError(`DistributedDataParallel(): ${what} must hold CUDA device indices (ints, 'cuda:i' or torch.device('cuda', i)), got ${pyRepr(x)}`);
}

/** DDP's join hook (Python's _DDPJoinHook): a joined rank shadows the training ranks' DDP collectives. */
class DDPJoinHook extends JoinHook {
  constructor(readonly ddp: DistributedDataParallel, divide_by_initial_world_size: boolean) {
    super();
    ddp._divide_by_initial_world_size = divide_by_initial_world_size;
  }

  main_hook(): void {
    const ddp = this.ddp;
    addon.reducer_rebuild_buckets(ddp._reducer);
    ddp._check_and_sync_module_buffers();
    // Whether the training ranks synchronize gradients this iteration (no_sync() says not).
    const flag = zeros([1], ddp._factory());
    (ddp._check_global_requires_backward_grad_sync(true, flag)).wait();
    const should_sync = flag.item() !== 0;
    ddp.require_forward_param_sync = should_sync;
    if (!should_sync) return;
    addon.reducer_match_all_reduce(ddp._reducer);
    // The training ranks' Reducer all-reduces its map of locally used parameters: match it (not waited for, as in Python).
    if (ddp.find_unused_parameters) all_reduce(new Tensor(addon.reducer_local_used_map(ddp._reducer)), { group: ddp.process_group, async_op: true });
    addon.reducer_push_all_rebuilt_params(ddp._reducer);
  }

  post_hook(is_last_joiner: boolean): void {
    this.ddp._sync_final_model(is_last_joiner);
  }
}

/**
 * DistributedDataParallel(module, device_ids=None, output_device=None, dim=0,
 * broadcast_buffers=True, process_group=None, bucket_cap_mb=25,
 * find_unused_parameters=False, check_reduction=False,
 * gradient_as_bucket_view=False, static_graph=False): CPU modules on the gloo
 * backend here. `ddp.module` is the wrapped module (state_dict keys start with
 * `module.`, as in Python). no_sync(fn) runs fn without gradient
 * synchronization (Python's `with ddp.no_sync():`).
 */
export class DistributedDataParallel<M extends Module = Module> extends Module {
  declare module: M;
  declare process_group: ProcessGroup;
  declare broadcast_buffers: boolean;
  declare find_unused_parameters: boolean;
  declare gradient_as_bucket_view: boolean;
  declare static_graph: boolean;
  declare bucket_bytes_cap: number;
  declare broadcast_bucket_size: number;
  declare require_backward_grad_sync: boolean;
  declare require_forward_param_sync: boolean;
  declare num_iterations: number;
  declare _has_rebuilt_buckets: boolean;
  /** @internal the native Reducer */
  declare _reducer: unknown;
  declare device_ids: number[] | null;
  declare output_device: number | null;
  declare device_type: string;
  declare device: Device;
  /** The Join context's settings (Python's Joinable._join_config): disabled outside one. */
  declare _join_config: JoinConfig;
  declare _divide_by_initial_world_size: boolean;

  constructor(module: M, ...args: Rest<[number[] | null, number | null, number, boolean, ProcessGroup | null, number, boolean, boolean, boolean, boolean], DDPOptions>) {
    super();
    const o = bind<Required<DDPOptions>>('DistributedDataParallel', args, {
      device_ids: null, output_device: null, dim: 0, broadcast_buffers: true, process_group: null, bucket_cap_mb: 25,
      find_unused_parameters: false, check_reduction: false, gradient_as_bucket_view: false, static_graph: false,
    });
    if (!(module instanceof Module)) throw new TypeError('DistributedDataParallel(): module must be a torch.nn.Module');
    if (o.device_ids !== null && !Array.isArray(o.device_ids)) throw new TypeError(`DistributedDataParallel(): device_ids must be a list or None, got ${pyRepr(o.device_ids)}`);
    // Python's checks, in its order and words (ValueError there).
    if (o.device_ids !== null && o.device_ids.length > 1) throw new Error('device_ids can only be None or contain a single element.');
    const allParams = [...module.parameters()];
    const devices = new Map<string, Device>();
    for (const p of allParams) devices.set(String(p.device), p.device);
    const types = new Set([...devices.values()].map((d) => d.type));
    if (types.size !== 1) {
      throw new Error(`DistributedDataParallel's input module must be on the same type of devices, but input module parameters locate in {${[...types].map((t) => `'${t}'`).join(', ')}}.`);
    }
    const device_type = [...types][0];
    let device_ids: number[] | null = null, output_device: number | null = null;
    if (o.device_ids === null || o.device_ids.length === 0 || device_type === 'cpu' || devices.size > 1) {
      // Python tests truthiness: [] and output_device 0 pass.
      if ((o.device_ids !== null && o.device_ids.length > 0) || (o.output_device !== null && o.output_device !== 0 as unknown)) {
        throw new Error('DistributedDataParallel device_ids and output_device arguments only work with single-device/multiple-device GPU modules ' +
          `or CPU modules, but got device_ids ${pyList(o.device_ids)}, output_device ${pyRepr(o.output_device)}, and module parameters {${[...devices.values()].map(pyDevice).join(', ')}}.`);
      }
    } else {
      device_ids = o.device_ids.map((x) => deviceIndex(x, 'device_ids'));
      output_device = deviceIndex(o.output_device ?? o.device_ids[0], 'output_device');
    }
    if (!(typeof o.bucket_cap_mb === 'number' && o.bucket_cap_mb > 0)) throw new RangeError('DistributedDataParallel(): bucket_cap_mb must be a positive number');
    if (o.process_group !== null && !(o.process_group instanceof ProcessGroup)) throw new TypeError('DistributedDataParallel(): process_group must be a ProcessGroup');
    if (o.check_reduction) warn('The `check_reduction` argument in `DistributedDataParallel` module is deprecated. Please avoid using it.');
    // Python's parameters_to_ignore: names set by _set_params_and_buffers_to_ignore_for_model.
    const ignore = new Set<string>((module as unknown as { _ddp_params_and_buffers_to_ignore?: string[] })._ddp_params_and_buffers_to_ignore ?? []);
    // _build_params_for_reducer: module by module, deduplicated (the key is Python's `f"{module_name}.{param_name}"`).
    const params: Tensor[] = [];
    for (const [mname, m] of module.named_modules()) {
      for (const [pname, p] of m.named_parameters({ recurse: false })) {
        if (p.requires_grad && !ignore.has(`${mname}.${pname}`) && !params.includes(p)) params.push(p);
      }
    }
    if (params.length === 0) {
      throw new Error("DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient.");
    }
    this.module = module;
    Object.defineProperty(this, '_ignore', { value: ignore, enumerable: false });
    // Plain attributes as Python's (read by forward and no_sync).
    Object.assign(this as object, {
      process_group: o.process_group ?? _get_default_group(),
      broadcast_buffers: o.broadcast_buffers,
      find_unused_parameters: o.find_unused_parameters,
      gradient_as_bucket_view: o.gradient_as_bucket_view,
      static_graph: false,
      require_backward_grad_sync: true,
      require_forward_param_sync: true,
      broadcast_bucket_size: BROADCAST_BUCKET_SIZE,
      bucket_bytes_cap: Math.trunc(o.bucket_cap_mb * 1024 * 1024),
      num_iterations: 0,
      _has_rebuilt_buckets: false,
      device_ids, output_device, device_type,
      device: allParams[0].device,
      _join_config: DISABLED_JOIN_CONFIG,
      _divide_by_initial_world_size: true,
    });
    const pg = this.process_group._h;
    // Sparse gradients come from Embedding / EmbeddingBag with sparse=True only.
    const sparse = new Set<Tensor>();
    for (const m of module.modules()) {
      const name = m._get_name();
      if ((name === 'Embedding' || name === 'EmbeddingBag') && (m as unknown as { sparse?: boolean }).sparse === true) {
        for (const p of m.parameters({ recurse: false })) sparse.add(p);
      }
    }
    const expectSparse = params.map((p) => sparse.has(p));

    addon.ddp_verify_params(pg, params.map((p) => p._h));
    // _sync_module_states: every parameter and buffer (detached), from rank 0.
    const states = [...module.named_parameters(), ...module.named_buffers()].filter(([n]) => !ignore.has(n)).map(([, t]) => t.detach());
    if (states.length) addon.ddp_broadcast_coalesced(pg, states.map((t) => t._h), BROADCAST_BUCKET_SIZE, 0);
    // Until the first iteration shows the order gradients arrive in, one bucket
    // holds everything (unless unused parameters of a dynamic graph must be found); the Reducer
    // then rebuilds buckets of [first bucket, bucket_cap_mb] in that order.
    const limits = o.static_graph || !this.find_unused_parameters ? [MAXSIZE] : [_DEFAULT_FIRST_BUCKET_BYTES, this.bucket_bytes_cap];
    const [buckets, perBucket] = addon.ddp_compute_bucket_assignment(params.map((p) => p._h), limits, expectSparse) as [number[][], number[]];
    this._reducer = addon.reducer_new(params.map((p) => p._h), [...buckets].reverse(), [...perBucket].reverse(), pg, expectSparse,
      this.bucket_bytes_cap, this.find_unused_parameters, this.gradient_as_bucket_view, _DEFAULT_FIRST_BUCKET_BYTES);
    if (o.static_graph) this._set_static_graph();
  }

  /** Python's _set_static_graph: the graph is the same every iteration (no unused-parameter search after the first). */
  _set_static_graph(): void {
    if (this.static_graph) {
      warn("You've set static_graph to be True, no need to set it again.");
      return;
    }
    this.static_graph = true;
    addon.reducer_set_static_graph(this._reducer);
    if (this.find_unused_parameters) {
      warn('You passed find_unused_parameters=true to DistributedDataParallel, `_set_static_graph` will detect unused parameters automatically, ' +
        'so you do not need to set find_unused_parameters=true, just be sure these unused parameters will not change during training loop while calling `_set_static_graph`.');
    }
  }

  /** The wrapped module's buffers, less the ignored ones: broadcast from rank 0 before every forward (broadcast_buffers). */
  get modules_buffers(): Tensor[] {
    const ignore = (this as unknown as { _ignore: Set<string> })._ignore;
    return [...this.module.named_buffers()].filter(([n]) => !ignore.has(n)).map(([, b]) => b);
  }

  will_sync_module_buffers(): boolean {
    return this.require_forward_param_sync && this.broadcast_buffers && this.modules_buffers.length > 0;
  }

  /** Parameters and buffers (by their names in `module`) that DDP leaves alone: neither broadcast nor all-reduced. */
  static _set_params_and_buffers_to_ignore_for_model(module: Module, params_and_buffers_to_ignore: string[]): void {
    if (!Array.isArray(params_and_buffers_to_ignore)) throw new TypeError('_set_params_and_buffers_to_ignore_for_model(): expected an array of names');
    (module as unknown as { _ddp_params_and_buffers_to_ignore: string[] })._ddp_params_and_buffers_to_ignore = [...params_and_buffers_to_ignore];
  }

  /** The wrapped module's forward (typed as it), with DDP's steps around it. */
  forward(...inputs: Parameters<M['forward']>): ReturnType<M['forward']> {
    const syncing = is_grad_enabled() && this.require_backward_grad_sync;
    if (syncing) {
      this.num_iterations++;
      addon.reducer_prepare_for_forward(this._reducer);
    }
    // Inside Join: tell the joined ranks this one still trains; their count divides the gradients.
    const work = JoinContext.notify_join_context(this);
    if (work) addon.reducer_set_forward_pass_work_handle(this._reducer, work._h, this._divide_by_initial_world_size);
    if (is_grad_enabled() && addon.reducer_rebuild_buckets(this._reducer)) this._has_rebuilt_buckets = true;
    if (this.will_sync_module_buffers()) this._sync_buffers();
    if (this._join_config.enable) this._check_global_requires_backward_grad_sync(false);
    // A JS comm hook's futures are finished from an engine callback after the graph, except in a
    // static graph's first iteration, whose all-reduces run from the last such callback.
    addon.reducer_comm_hook_sync(this._reducer, this.static_graph && this.num_iterations === 1);
    const output = this._run_ddp_forward(inputs);
    if (syncing) {
      this.require_forward_param_sync = true;
      const outs = this.find_unused_parameters && !this.static_graph ? findTensors(output) : [];
      addon.reducer_prepare_for_backward(this._reducer, outs.map((t) => t._h));
    } else {
      this.require_forward_param_sync = false;
    }
    // Python's _DDPSink (native: ddp_sink): for unused-parameter detection, and
    // to run a static graph's first all-reduce at the end of its first backward.
    const firstStatic = this.static_graph && this.num_iterations === 1;
    if ((this.find_unused_parameters && !this.static_graph) || firstStatic) {
      const through = findTensors(output).filter((t) => t.grad_fn !== null);
      if (through.length) {
        const clones = new Map<Tensor, Tensor>();
        const outs: unknown[] = addon.ddp_sink(this._reducer, through.map((t) => t._h), firstStatic);
        through.forEach((t, i) => clones.set(t, new Tensor(outs[i] as never)));
        return mapTensors(output, (t) => clones.get(t) ?? t) as ReturnType<M['forward']>;
      }
    }
    return output as ReturnType<M['forward']>;
  }

  /**
   * Python's `with ddp.no_sync():` — runs fn with gradient synchronization off:
   * backward only accumulates local gradients, which the first synchronized
   * backward after it all-reduces. A promise returned by fn keeps it off until it settles.
   */
  no_sync<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TypeError('no_sync(): expected a function to run');
    const old = this.require_backward_grad_sync;
    this.require_backward_grad_sync = false;
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.require_backward_grad_sync = old;
      throw e;
    }
    if (result instanceof Promise) {
      return result.finally(() => { this.require_backward_grad_sync = old; }) as T;
    }
    this.require_backward_grad_sync = old;
    return result;
  }

  /**
   * Python's _register_builtin_comm_hook(comm_hook_type): the Reducer all-reduces
   * each bucket through LibTorch's built-in hook (torch.distributed.BuiltinCommHookType:
   * ALLREDUCE, or FP16_COMPRESS: the bucket cast to float16 for the all-reduce).
   * Before the first forward, and at most once, as in Python.
   */
  _register_builtin_comm_hook(comm_hook_type: number): void {
    addon.reducer_register_builtin_comm_hook(this._reducer, comm_hook_type);
  }

  /** The module's forward; with device_ids (a CUDA module), the inputs moved to device_ids[0] first (Python's _to_kwargs). */
  _run_ddp_forward(inputs: unknown[]): unknown {
    const call = this.module as unknown as (...a: unknown[]) => unknown;
    if (this.device_ids === null || this.device_ids.length === 0) return call(...inputs);
    const to = `cuda:${this.device_ids[0]}`;
    return call(...(mapTensors(inputs, (t) => t.to(to)) as unknown[]));
  }

  /** @internal options for DDP's own small tensors: on the module's device. */
  _factory(): { device: never } { return { device: String(this.device) as never }; }

  /** Python's _find_common_rank: the largest rank among those whose rank_cond holds. */
  _find_common_rank(input_rank: number, rank_cond: boolean): number {
    const t = makeTensor([rank_cond ? input_rank : -1], { dtype: int64, ...this._factory() });
    all_reduce(t, { op: ReduceOp.MAX, group: this.process_group });
    const r = Number(t.item());
    if (r === -1) throw new Error('BUG! Expected rank_cond to be true for at least one process. This indicates a bug in PyTorch, please report an issue.');
    return r;
  }

  /** Python's _sync_buffers: the buffers broadcast from rank 0, or inside Join from a rank still training. */
  _sync_buffers(): void {
    const src = this._join_config.enable ? this._find_common_rank(get_rank(this.process_group), true) : 0;
    this._sync_module_buffers(src);
  }

  _sync_module_buffers(authoritative_rank: number): void {
    const bufs = this.modules_buffers.map((b) => b.detach());
    no_grad(() => addon.ddp_broadcast_coalesced(this.process_group._h, bufs.map((b) => b._h), this.broadcast_bucket_size, authoritative_rank));
  }

  /** A joined rank's match of the buffer broadcast (Python's _check_and_sync_module_buffers). */
  _check_and_sync_module_buffers(): void {
    if (this.will_sync_module_buffers()) this._sync_module_buffers(this._find_common_rank(get_rank(this.process_group), false));
  }

  /** Python's _check_global_requires_backward_grad_sync: all-reduces 1 (a training rank that syncs) or 0; async. */
  _check_global_requires_backward_grad_sync(is_joined_rank: boolean, into?: Tensor): Work {
    const t = into ?? (!is_joined_rank && this.require_backward_grad_sync ? ones([1], this._factory()) : zeros([1], this._factory()));
    return all_reduce(t, { group: this.process_group, async_op: true }) as Work;
  }

  /** Python's _sync_final_model: parameters and buffers from the largest of the last ranks to join. */
  _sync_final_model(is_last_joiner: boolean): void {
    const src = this._find_common_rank(get_rank(this.process_group), is_last_joiner);
    const ignore = (this as unknown as { _ignore: Set<string> })._ignore;
    const states = [...this.module.named_parameters(), ...this.module.named_buffers()].filter(([n]) => !ignore.has(n)).map(([, t]) => t.detach());
    if (states.length) addon.ddp_broadcast_coalesced(this.process_group._h, states.map((t) => t._h), this.broadcast_bucket_size, src);
  }

  /** Joinable: DDP's join hook (kwargs: divide_by_initial_world_size, default true). */
  join_hook(kwargs: Record<string, unknown> = {}): JoinHook {
    const divide = kwargs.divide_by_initial_world_size ?? true;
    if (typeof divide !== 'boolean') throw new TypeError('join_hook(): divide_by_initial_world_size must be a boolean');
    return new DDPJoinHook(this, divide);
  }
  get join_device(): Device { return this.device; }
  get join_process_group(): ProcessGroup { return this.process_group; }

  /**
   * Python's `with ddp.join(divide_by_initial_world_size=True, enable=True, throw_on_early_termination=False):`.
   * With a function last, runs it inside the join context and returns its result; without, returns the context.
   */
  join(...args: unknown[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    const [[divide, enable, throwEarly], extra, fn] = _parse_join_args('join', ['divide_by_initial_world_size', 'enable', 'throw_on_early_termination'], [true, true, false], args);
    const unknown = Object.keys(extra);
    if (unknown.length) throw new TypeError(`join() got an unexpected keyword argument '${unknown[0]}'`);
    const ctx = new JoinContext([this], enable as boolean, throwEarly as boolean, { divide_by_initial_world_size: divide });
    return fn ? ctx.run(fn) : ctx;
  }

  /**
   * register_comm_hook(state, hook): the Reducer hands each bucket to hook(state, bucket) during backward
   * instead of all-reducing it; the hook returns a torch.futures.Future of the bucket's new gradients
   * (a tensor like bucket.buffer()). Before the first forward, once.
   */
  register_comm_hook(state: unknown, hook: (state: any, bucket: GradBucket) => Future<Tensor | Tensor[]>): void { // eslint-disable-line @typescript-eslint/no-explicit-any
    _check_comm_hook(hook);
    addon.reducer_register_comm_hook(this._reducer, (index: number, buffer: unknown, grads: unknown[], params: unknown[], isLast: boolean, setBuffer: (h: unknown) => void) => {
      const bucket = new GradBucket(index, new Tensor(buffer as never), grads.map((g) => new Tensor(g as never)), params.map((p) => new Tensor(p as never)), isLast, setBuffer);
      const fut = hook(state, bucket);
      if (!(fut instanceof Future)) {
        throw new TypeError(`DistributedDataParallel communication hook must return a torch.futures.Future, got ${fut === null ? 'null' : typeof fut}`);
      }
      return () => {
        const v = fut.wait();
        const t = Array.isArray(v) ? v[0] : v;
        if (!(t instanceof Tensor)) throw new TypeError('DistributedDataParallel communication hook: its Future must hold a Tensor (or a list whose first item is one)');
        return t._h;
      };
    });
  }

  /** @internal the number of parameters in each of the Reducer's buckets, in all-reduce order. */
  _bucket_sizes(): number[] { return addon.reducer_bucket_sizes(this._reducer); }
}
