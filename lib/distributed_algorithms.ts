// torch.distributed.algorithms: the generic Join context manager for uneven
// inputs (PyTorch 1.13's join.py, step for step, so Node and Python ranks issue
// the same collectives) and DDP's default communication hooks
// (ddp_comm_hooks.default_hooks). JS has no `with`: Join(joinables, ..., fn)
// runs fn inside the context; Join(joinables, ...) without fn returns it
// (run(fn), or __enter__() / __exit__(error)).
import { Tensor } from './tensor';
import { Future } from './futures';
import { ProcessGroup, GradBucket, Work, all_reduce, get_rank, _get_default_group, is_nccl_available } from './distributed';
import { ones, zeros } from './creation';
import { float16, bfloat16 } from './dtype';
import { warn } from './warnings';
import { expect } from './guard';

/** A Joinable's settings inside a Join context (Python's _JoinConfig). */
export interface JoinConfig { enable: boolean; throw_on_early_termination: boolean; is_first_joinable: boolean }
/** Outside any Join context. */
export const DISABLED_JOIN_CONFIG: JoinConfig = Object.freeze({ enable: false, throw_on_early_termination: false, is_first_joinable: false });

/** Called repeatedly while some rank has not joined (main_hook), then once when all have (post_hook). */
export class JoinHook {
  main_hook(): void {}
  post_hook(is_last_joiner: boolean): void { void is_last_joiner; }
}

/** What Join takes: DistributedDataParallel is one. */
export interface Joinable {
  join_hook(kwargs: Record<string, unknown>): JoinHook;
  readonly join_device: unknown;
  readonly join_process_group: ProcessGroup;
  _join_config: JoinConfig;
}

const WARN_THRESHOLD = 1000;

export class JoinContext {
  private readonly _joinables: Joinable[];
  private readonly _join_hooks: JoinHook[];
  private readonly _enable: boolean;
  private readonly _throw_on_early_termination: boolean;
  private readonly _process_group: ProcessGroup;
  private readonly _rank: number;
  private readonly _device: unknown;

  constructor(joinables: Joinable[], enable = true, throw_on_early_termination = false, kwargs: Record<string, unknown> = {}) {
    if (!Array.isArray(joinables) || joinables.length === 0) throw new Error('The join context manager requires at least one joinable');
    for (const j of joinables) {
      if (j === null || (typeof j !== 'object' && typeof j !== 'function') || typeof (j as Joinable).join_hook !== 'function') {
        throw new TypeError('Join(): every joinable must be a Joinable (e.g. a DistributedDataParallel)');
      }
    }
    this._joinables = joinables;
    this._join_hooks = joinables.map((j) => j.join_hook(kwargs));
    this._enable = enable;
    this._throw_on_early_termination = throw_on_early_termination;
    joinables.forEach((j, i) => { j._join_config = { enable, throw_on_early_termination, is_first_joinable: i === 0 }; });
    let group: ProcessGroup | null = null;
    for (const j of joinables) {
      if (group === null) group = j.join_process_group;
      else if (group !== j.join_process_group) throw new Error('Using join context manager with multiple process groups');
    }
    this._process_group = group as ProcessGroup;
    this._rank = get_rank(this._process_group);
    this._device = joinables[0].join_device;
  }

  __enter__(): void {}

  /**
   * Leaving the context: with an error, nothing (it propagates); else, while
   * some rank still trains, shadow its collectives (every hook's main_hook),
   * then every post_hook (DDP: the final model from a last joiner).
   */
  __exit__(error?: unknown): void {
    if (!this._enable || error !== undefined) return;
    let all_joined = false, is_last_joiner = true, i = 0;
    while (!all_joined) {
      if (i > WARN_THRESHOLD) {
        warn(`Detected uneven input skew of greater than ${WARN_THRESHOLD}. This means that rank ${this._rank} has at least ${WARN_THRESHOLD} ` +
          'fewer inputs than other currently-active ranks. This level of skew could lead to performance degradation during training.');
      }
      if (this._get_num_nonjoined_procs() === 0) {
        all_joined = true;
      } else {
        if (this._throw_on_early_termination) this._notify_procs_to_terminate();
        for (const hook of this._join_hooks) hook.main_hook();
        is_last_joiner = false;
        i++;
      }
    }
    for (const hook of this._join_hooks) hook.post_hook(is_last_joiner);
  }

  /** Runs fn inside the context (a promise fn returns: until it settles). */
  run<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TypeError('Join.run(): expected a function to run');
    this.__enter__();
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.__exit__(e);
      throw e;
    }
    if (result instanceof Promise) return result.then((v) => { this.__exit__(); return v; }) as T;
    this.__exit__();
    return result;
  }

  private _device_opts(): { device?: never } {
    return this._device === undefined || this._device === null ? {} : { device: this._device as never };
  }

  private _get_num_nonjoined_procs(): number {
    const n = zeros([1], this._device_opts());
    all_reduce(n, { group: this._process_group });
    return n.item() as number;
  }

  private _notify_procs_to_terminate(): never {
    all_reduce(ones([1], this._device_opts()), { group: this._process_group });
    throw new Error(`Rank ${this._rank} exhausted all inputs.`);
  }

  /**
   * Called by a Joinable before its per-iteration collectives: the first
   * joinable all-reduces a one ("not joined"), and with
   * throw_on_early_termination checks whether some rank has run out.
   */
  static notify_join_context(joinable: Joinable): Work | null {
    if (joinable === undefined) throw new TypeError("Join.notify_join_context() missing 1 required positional argument: 'joinable'");
    expect.like('notify_join_context', 'joinable', joinable, 'Joinable', ['join_hook'], 0);
    const config = joinable._join_config;
    if (!config || !config.is_first_joinable || !config.enable) return null;
    const opts = joinable.join_device === null || joinable.join_device === undefined ? {} : { device: joinable.join_device as never };
    const work = all_reduce(ones([1], opts), { group: joinable.join_process_group, async_op: true }) as Work;
    if (config.throw_on_early_termination) {
      const z = zeros([1], opts);
      all_reduce(z, { group: joinable.join_process_group });
      if (z.item()) throw new Error('Detected at least one rank that exhausted inputs. Throwing across all ranks.');
    }
    return work;
  }
}

type JoinRest = [] | [boolean] | [boolean, boolean];

/** Python's Join(joinables, enable=True, throw_on_early_termination=False, **kwargs) arguments, then the optional fn. */
export function _parse_join_args(what: string, names: string[], defaults: unknown[], rest: unknown[]): [unknown[], Record<string, unknown>, (() => unknown) | null] {
  const args = [...rest];
  const fn = typeof args[args.length - 1] === 'function' ? args.pop() as () => unknown : null;
  let opts: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && Object.getPrototypeOf(last) === Object.prototype) opts = { ...(args.pop() as Record<string, unknown>) };
  if (args.length > names.length) throw new TypeError(`${what}() takes at most ${names.length} positional arguments after joinables (${args.length} given)`);
  const values = names.map((name, i) => {
    if (i < args.length && name in opts) throw new TypeError(`${what}() got multiple values for argument '${name}'`);
    const v = i < args.length ? args[i] : name in opts ? opts[name] : defaults[i];
    delete opts[name];
    if (typeof v !== 'boolean') throw new TypeError(`${what}(): ${name} must be a boolean, got ${typeof v}`);
    return v;
  });
  return [values, opts, fn];
}

/**
 * Join(joinables, enable=true, throw_on_early_termination=false, {...kwargs}, fn?):
 * with fn, runs it inside the join context (Python's `with Join(joinables): ...`)
 * and returns its result; without, returns the context.
 */
export function Join(joinables: Joinable[], ...rest: [...JoinRest, (() => unknown)?] | [...JoinRest, Record<string, unknown>, (() => unknown)?]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const [[enable, throwEarly], kwargs, fn] = _parse_join_args('Join', ['enable', 'throw_on_early_termination'], [true, false], rest);
  const ctx = new JoinContext(joinables, enable as boolean, throwEarly as boolean, kwargs);
  return fn ? ctx.run(fn) : ctx;
}
Join.notify_join_context = JoinContext.notify_join_context;

// ---- ddp_comm_hooks.default_hooks ----------------------------------------------------------

function groupOrWorld(process_group: ProcessGroup | null | undefined): ProcessGroup {
  return process_group ?? _get_default_group();
}

/** Averages `tensor` across the group: divided first (against fp16 overflow), then summed by an async all-reduce. */
function allreduce_fut(process_group: ProcessGroup | null, tensor: Tensor): Future<Tensor> {
  const group = groupOrWorld(process_group);
  tensor.div_(group.size());
  return (all_reduce(tensor, { group, async_op: true }) as Work).get_future().then((fut) => fut.value()[0]);
}

/** The bucket all-reduced and averaged: what DDP does with no hook (state: the process group, or null for the default). */
function allreduce_hook(process_group: ProcessGroup | null, bucket: GradBucket): Future<Tensor> {
  return allreduce_fut(process_group, bucket.buffer());
}

function compress_hook(to: typeof float16) {
  return (process_group: ProcessGroup | null, bucket: GradBucket): Future<Tensor> => {
    const group = groupOrWorld(process_group);
    const compressed = bucket.buffer().to(to).div_(group.size());
    return (all_reduce(compressed, { group, async_op: true }) as Work).get_future().then((fut) => {
      // Decompressed in place, as Python does, to keep the peak memory down.
      const out = bucket.buffer();
      out.copy_(fut.value()[0]);
      return out;
    });
  };
}

/** The bucket cast to float16 and divided by the world size, all-reduced, cast back. */
const fp16_compress_hook = compress_hook(float16);
Object.defineProperty(fp16_compress_hook, 'name', { value: 'fp16_compress_hook' });
/** As fp16_compress_hook with bfloat16; DDP accepts it only with NCCL 2.10+ (as Python: never on gloo-only builds). */
const bf16_compress_hook = compress_hook(bfloat16);
Object.defineProperty(bf16_compress_hook, 'name', { value: 'bf16_compress_hook' });

export const ddp_comm_hooks = Object.freeze({
  default_hooks: Object.freeze({ allreduce_hook, fp16_compress_hook, bf16_compress_hook }),
});

/** @internal Python's DDP._check_comm_hook. */
export function _check_comm_hook(hook: unknown): void {
  if (typeof hook !== 'function') throw new TypeError('Communication hook must be callable.');
  if ((hook.name === 'bf16_compress_hook' || hook.name === 'bf16_compress_wrapper_hook') && !is_nccl_available()) {
    throw new TypeError('BF16 all reduce communication hook required CUDA 11+ and NCCL 2.10+.');
  }
}

/** Python's module path torch.distributed.algorithms.join. */
export const join = Object.freeze({ Join, JoinHook, JoinContext });
