// torch.distributed over LibTorch's c10d (native/distributed.cpp): stores, the
// Gloo backend, collectives and point-to-point. init_process_group repeats the
// steps of PyTorch 1.13's distributed_c10d.py exactly (rendezvous store,
// PrefixStore('default_pg'), the group's PrefixStore(<group count>), the
// store-based barrier, the group's sequence number), so that Node ranks and
// Python ranks can form one group.
import { native } from './native';
import { Tensor } from './tensor';
import { bind, REQUIRED, Rest } from './nn/common';
import { dumps, loads, UnpicklingError } from './pickle';
import { warn } from './warnings';
import { dtype, uint8, int64 } from './dtype';
import { Future } from './futures';
import { expect } from './guard';
import { checkedLength } from './arraylike';

type Native = Record<string, (...args: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const raw = native as unknown as Native;
// A build without c10d (a LibTorch without Gloo's headers) has none of the native
// distributed functions: any use is then Python's "not available" error, not a JS one.
const addon = new Proxy(raw, {
  get(target, key) {
    const v = target[key as string];
    if (v !== undefined || typeof key !== 'string') return v;
    return () => { throw new Error(`torch.distributed is not available: this build of torch-node has no c10d (its LibTorch lacks Gloo's headers), so ${key} cannot run`); };
  },
});
type StoreHandle = { readonly __brand: 'Store' };
type GroupHandle = { readonly __brand: 'ProcessGroup' };
type WorkHandle = { readonly __brand: 'Work' };

/** Python's default timeout for process groups and stores: 30 minutes, in milliseconds here. */
export const default_pg_timeout = 30 * 60 * 1000;

/** Whether this build of the addon has torch.distributed (it needs LibTorch's Gloo headers at build time). */
export function is_available(): boolean { return typeof raw.group_gloo === 'function'; }
export function is_gloo_available(): boolean { return is_available(); }
/** Whether this build has the NCCL backend (a CUDA LibTorch with ProcessGroupNCCL and nccl.h at build time). */
export function is_nccl_available(): boolean { return typeof raw.group_nccl === 'function'; }
export function is_mpi_available(): boolean { return false; }

function need(): void {
  if (!is_available()) {
    throw new Error('torch.distributed is not available: the addon was built without Gloo headers ' +
      '(Debian/Ubuntu: apt-get install libgloo-dev, then npm rebuild torch-node)');
  }
}

/**
 * The reduction of a collective: torch.distributed.ReduceOp (1.13's values).
 * Gloo has neither AVG nor PREMUL_SUM: a collective given one raises as Python's does.
 */
export const ReduceOp = Object.freeze({ SUM: 0, AVG: 1, PRODUCT: 2, MIN: 3, MAX: 4, BAND: 5, BOR: 6, BXOR: 7, PREMUL_SUM: 8 } as const);
export type ReduceOpValue = typeof ReduceOp[keyof typeof ReduceOp];
/** DDP's built-in communication hooks (DistributedDataParallel._register_builtin_comm_hook), LibTorch's values. */
export const BuiltinCommHookType = Object.freeze({ ALLREDUCE: 1, FP16_COMPRESS: 2 } as const);

// ---- stores ----------------------------------------------------------------------------

/** A key-value store shared by the ranks (torch.distributed.Store): values are bytes (Buffers). */
export class Store {
  /** @internal */
  constructor(readonly _h: StoreHandle) {}
  set(key: string, value: string | Uint8Array): void { addon.store_set(this._h, key, value); }
  get(key: string): Buffer { return addon.store_get(this._h, key); }
  add(key: string, amount: number): number { return addon.store_add(this._h, key, amount); }
  compare_set(key: string, expected_value: string | Uint8Array, desired_value: string | Uint8Array): Buffer {
    return addon.store_compare_set(this._h, key, expected_value, desired_value);
  }
  /** Blocks until every key is set (or the timeout, in ms, passes: an Error). */
  wait(keys: string[], timeout?: number): void { addon.store_wait(this._h, keys, timeout ?? null); }
  check(keys: string[]): boolean { return addon.store_check(this._h, keys); }
  num_keys(): number { return addon.store_num_keys(this._h); }
  delete_key(key: string): boolean { return addon.store_delete_key(this._h, key); }
  set_timeout(timeout: number): void { addon.store_set_timeout(this._h, timeout); }
}

export interface TCPStoreOptions { world_size?: number | null; is_master?: boolean; timeout?: number; wait_for_workers?: boolean; multi_tenant?: boolean }

/** TCPStore(host_name, port, world_size=None, is_master=False, timeout=300 s, wait_for_workers=True, multi_tenant=False). */
export class TCPStore extends Store {
  constructor(...args: Rest<[string, number, number | null, boolean, number, boolean, boolean], TCPStoreOptions & { host_name?: string; port?: number }>) {
    need();
    const a = bind<{ host_name: string; port: number; world_size: number | null; is_master: boolean; timeout: number; wait_for_workers: boolean; multi_tenant: boolean }>(
      'TCPStore', args, { host_name: REQUIRED, port: REQUIRED, world_size: null, is_master: false, timeout: 300000, wait_for_workers: true, multi_tenant: false });
    super(addon.store_tcp(a.host_name, a.port, a.world_size, a.is_master, a.timeout, a.wait_for_workers, a.multi_tenant));
  }
  get port(): number { return addon.store_tcp_port(this._h); }
}

/** FileStore(file_name, world_size=-1). */
export class FileStore extends Store {
  constructor(file_name: string, world_size = -1) { need(); super(addon.store_file(file_name, world_size)); }
}

/** HashStore(): in this process only. */
export class HashStore extends Store {
  constructor() { need(); super(addon.store_hash()); }
}

/** PrefixStore(prefix, store): every key prefixed with `prefix/`. */
export class PrefixStore extends Store {
  constructor(prefix: string, store: Store) {
    need();
    if (!(store instanceof Store)) throw new TypeError('PrefixStore(): store must be a torch.distributed.Store');
    super(addon.store_prefix(prefix, store._h));
  }
}

// ---- groups and works --------------------------------------------------------------------

/** What an async collective returns (Python's Work): wait() blocks, wait_async() settles a promise. */
export class Work {
  /** @internal */
  constructor(readonly _h: WorkHandle, private readonly _keep: unknown[]) {}
  /** Blocks until done (as Python's); timeout in ms. */
  wait(timeout?: number): boolean { return addon.work_wait(this._h, timeout ?? null); }
  /** Resolves when done, without blocking the event loop. */
  wait_async(): Promise<void> { return addon.work_wait_async(this._h).then(() => { this._keep.length = 0; }); }
  is_completed(): boolean { return addon.work_is_completed(this._h); }
  /** The rank a recv from any source received from. */
  _source_rank(): number { return addon.work_source_rank(this._h); }
  /** A torch.futures.Future completed with the collective's output tensors (a list) when the work is done. */
  get_future(): Future<Tensor[]> { return Future._fromNative<Tensor[]>(addon.work_get_future(this._h), this._keep); }
}

/**
 * What a DDP communication hook receives (torch.distributed.GradBucket): one
 * bucket of gradients, flattened into buffer(). Valid while the hook runs
 * (set_buffer only then, as the Reducer reads the buffer there).
 */
export class GradBucket {
  /** @internal */
  constructor(private readonly _index: number, private _buffer: Tensor, private readonly _gradients: Tensor[],
    private readonly _parameters: Tensor[], private readonly _is_last: boolean, private readonly _set: ((h: unknown) => void) | null) {
    // Made by DDP's Reducer during backward only (Python has no constructor for it).
    if (!(_buffer instanceof Tensor) || !Array.isArray(_gradients) || !Array.isArray(_parameters)) {
      throw new TypeError('torch.distributed.GradBucket: No constructor defined!');
    }
  }
  /** The bucket's index; 0 is the bucket of the last parameters (all-reduced first). */
  index(): number { return this._index; }
  /** The flattened gradients of the bucket's parameters. */
  buffer(): Tensor { return this._buffer; }
  /** Each parameter's gradient, views into buffer() (unless gradient_as_bucket_view makes them the .grad themselves). */
  gradients(): Tensor[] { return [...this._gradients]; }
  /** The bucket's parameters. */
  parameters(): Tensor[] { return [...this._parameters]; }
  /** Whether this is the last bucket of the iteration. */
  is_last(): boolean { return this._is_last; }
  /** Replaces the bucket's buffer. */
  set_buffer(buffer: Tensor): void {
    if (!(buffer instanceof Tensor)) throw new TypeError('GradBucket.set_buffer(): buffer must be a Tensor');
    if (this._set) this._set(buffer._h);
    this._buffer = buffer;
  }
}

/** A process group (torch.distributed.ProcessGroup). */
export class ProcessGroup {
  /** @internal */
  constructor(readonly _h: GroupHandle, readonly _ranks: number[] | null) {}
  rank(): number { return addon.group_info(this._h).rank; }
  size(): number { return addon.group_info(this._h).size; }
  name(): string { return addon.group_info(this._h).backend; }
}

interface State {
  group: ProcessGroup;
  store: Store;         // the default group's PrefixStore('default_pg', rendezvous store)
  backend: string;
  groupCount: number;   // Python's _group_count
  initMethod: string;
}
let state: State | null = null;

function defaultGroup(): State {
  if (!state) throw new Error('Default process group has not been initialized, please make sure to call init_process_group.');
  return state;
}

/** Python's rendezvous: the store, rank and world size for an init_method. */
function rendezvous(init_method: string, rank: number, world_size: number, timeout: number): [Store, number, number] {
  const fromEnv = (name: string, given: number): number => {
    if (given !== -1) return given;
    const v = process.env[name];
    if (v === undefined) throw new Error(`Error initializing torch.distributed using env:// rendezvous: environment variable ${name} expected, but not set`);
    return Number(v);
  };
  if (init_method.startsWith('env://')) {
    rank = fromEnv('RANK', rank);
    world_size = fromEnv('WORLD_SIZE', world_size);
    const addr = process.env.MASTER_ADDR, port = process.env.MASTER_PORT;
    if (!addr) throw new Error('Error initializing torch.distributed using env:// rendezvous: environment variable MASTER_ADDR expected, but not set');
    if (!port) throw new Error('Error initializing torch.distributed using env:// rendezvous: environment variable MASTER_PORT expected, but not set');
    return [new TCPStore(addr, Number(port), world_size, rank === 0, timeout, true, true), rank, world_size];
  }
  const url = new URL(init_method);
  const q = url.searchParams;
  if (q.has('rank')) rank = Number(q.get('rank'));
  if (q.has('world_size')) world_size = Number(q.get('world_size'));
  if (rank < 0 || world_size < 1) throw new Error(`${url.protocol}// rendezvous needs a rank and a world_size (as arguments or in the URL)`);
  if (url.protocol === 'tcp:') {
    if (!url.port) throw new Error('port number missing');
    return [new TCPStore(url.hostname, Number(url.port), world_size, rank === 0, timeout, true, true), rank, world_size];
  }
  if (url.protocol === 'file:') return [new FileStore(decodeURIComponent(url.pathname), world_size), rank, world_size];
  throw new Error(`No rendezvous handler for ${url.protocol}//`);
}

/** Python's _store_based_barrier: every rank adds itself to a counter, then waits for world_size. */
function storeBarrier(store: Store, groupCount: number, worldSize: number, timeout: number): void {
  const key = `store_based_barrier_key:${groupCount}`;
  store.add(key, 1);
  const start = Date.now();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (store.add(key, 0) !== worldSize) {
    Atomics.wait(sleeper, 0, 0, 10); // 10 ms, as Python's time.sleep(0.01)
    if (Date.now() - start > timeout) {
      throw new Error(`Timed out initializing process group in store based barrier on rank: ${groupCount}, for key: ${key} ` +
        `(world_size=${worldSize}, worker_count=${store.add(key, 0)}, timeout=${timeout} ms)`);
    }
  }
}

export interface InitOptions { init_method?: string | null; timeout?: number; world_size?: number; rank?: number; store?: Store | null; group_name?: string }

/** init_process_group(backend, { init_method, timeout, world_size, rank, store, group_name }). Only 'gloo' here. */
export function init_process_group(...args: Rest<[string, string | null, number, number, number, Store | null, string], InitOptions & { backend?: string }>): void {
  need();
  const a = bind<{ backend: string; init_method: string | null; timeout: number; world_size: number; rank: number; store: Store | null; group_name: string }>(
    'init_process_group', args, { backend: REQUIRED, init_method: null, timeout: default_pg_timeout, world_size: -1, rank: -1, store: null, group_name: '' });
  if (state) throw new Error('trying to initialize the default process group twice!');
  const backend = a.backend.toLowerCase();
  if (backend === 'nccl' && !is_nccl_available()) throw new Error("Distributed package doesn't have NCCL built in");
  if (backend !== 'gloo' && backend !== 'nccl') throw new Error(`torch-node has the gloo and nccl backends only (asked for '${a.backend}')`);
  if (a.store !== null && a.init_method !== null) throw new Error('Cannot specify both init_method and store.');
  let store: Store, rank = a.rank, world = a.world_size;
  if (a.store !== null) {
    if (rank < 0 || world <= 0) throw new Error('world_size and rank must be given with a store');
    store = a.store;
  } else {
    [store, rank, world] = rendezvous(a.init_method ?? 'env://', rank, world, a.timeout);
    store.set_timeout(a.timeout);
    store = new PrefixStore('default_pg', store);
  }
  const groupName = a.group_name || '0';
  const group = new ProcessGroup(addon[backend === 'nccl' ? 'group_nccl' : 'group_gloo'](new PrefixStore(groupName, store)._h, rank, world, a.timeout), null);
  state = { group, store, backend, groupCount: 1, initMethod: a.init_method ?? 'env://' };
  storeBarrier(store, state.groupCount, world, a.timeout);
  addon.group_set_sequence_number(group._h);
}

/** new_group(ranks = all): every rank of the default group must call it, as in Python. */
export function new_group(ranks: number[] | null = null, options: { timeout?: number } = {}): ProcessGroup | null {
  const s = defaultGroup();
  const world = s.group.size(), me = s.group.rank();
  const members = ranks === null ? [...Array(world).keys()] : [...ranks].sort((x, y) => x - y);
  const name = String(s.groupCount++);
  const timeout = options.timeout ?? default_pg_timeout;
  const group = members.includes(me)
    ? new ProcessGroup(addon[s.backend === 'nccl' ? 'group_nccl' : 'group_gloo'](new PrefixStore(name, s.store)._h, members.indexOf(me), members.length, timeout), members)
    : null;
  storeBarrier(s.store, s.groupCount, world, timeout);
  if (group) addon.group_set_sequence_number(group._h);
  return group;
}

export function is_initialized(): boolean { return state !== null; }
export function get_rank(group?: ProcessGroup | null): number { return (group == null ? defaultGroup().group : expect.like<ProcessGroup>('get_rank', 'group', group, 'ProcessGroup', ['rank'], 0)).rank(); }
export function get_world_size(group?: ProcessGroup | null): number { return (group == null ? defaultGroup().group : expect.like<ProcessGroup>('get_world_size', 'group', group, 'ProcessGroup', ['size'], 0)).size(); }
export function get_backend(group?: ProcessGroup | null): string { void group; return defaultGroup().backend; }
/** destroy_process_group(group = all): without a group (or the default one) every group ends, as in Python. */
export function destroy_process_group(group?: ProcessGroup | null): void {
  if (group !== undefined && group !== null && !(group instanceof ProcessGroup)) throw new TypeError('destroy_process_group(): group must be a ProcessGroup');
  if (state === null) throw new Error('Invalid process group specified');
  if (group === undefined || group === null || group === state.group) state = null;
}
/** @internal The default group (Python's _get_default_group), for DDP. */
export function _get_default_group(): ProcessGroup { return defaultGroup().group; }

function groupOf(group: ProcessGroup | null | undefined): ProcessGroup { return group ?? defaultGroup().group; }
/** A global rank as the group's own rank (Python's _get_group_rank). */
function groupRank(group: ProcessGroup | null | undefined, rank: number): number {
  const g = groupOf(group);
  if (!g._ranks) return rank;
  const i = g._ranks.indexOf(rank);
  if (i < 0) throw new Error(`The global rank ${rank} is not part of the group`);
  return i;
}
function h(t: Tensor, what: string): unknown {
  if (!(t instanceof Tensor)) throw new TypeError(`${what} must be a Tensor`);
  return t._h;
}
/** Runs a collective: a Work when async_op, else waits (blocking, as Python's) and returns null. */
function run(kind: string, args: unknown[], keep: unknown[], async_op: boolean, group?: ProcessGroup | null): Work | null {
  const op = kind === 'allreduce' ? args[1] : kind === 'reduce' ? args[2] : kind.startsWith('reduce_scatter') ? args[2] : undefined;
  if (op === ReduceOp.AVG || op === ReduceOp.PREMUL_SUM) {
    // Gloo's own message (LibTorch refuses to even build a PREMUL_SUM without its scale).
    if (groupOf(group).name() === 'gloo') throw new Error(`Cannot use ReduceOp.${op === ReduceOp.AVG ? 'AVG' : 'PREMUL_SUM'} with Gloo`);
  }
  return runChecked(kind, args, keep, async_op, group);
}
function runChecked(kind: string, args: unknown[], keep: unknown[], async_op: boolean, group?: ProcessGroup | null): Work | null {
  const work = new Work(addon.group_collective(groupOf(group)._h, kind, ...args), keep);
  if (async_op) return work;
  work.wait();
  return null;
}

interface CollectiveOptions { group?: ProcessGroup | null; async_op?: boolean }

export function all_reduce(tensor: Tensor, options: CollectiveOptions & { op?: ReduceOpValue } = {}): Work | null {
  const o = bind<{ op: ReduceOpValue; group: ProcessGroup | null; async_op: boolean }>('all_reduce', [options], { op: ReduceOp.SUM, group: null, async_op: false });
  return run('allreduce', [[h(tensor, 'all_reduce(): tensor')], o.op], [tensor], o.async_op, o.group);
}
export function broadcast(tensor: Tensor, src: number, options: CollectiveOptions = {}): Work | null {
  const o = bind<{ group: ProcessGroup | null; async_op: boolean }>('broadcast', [options], { group: null, async_op: false });
  return run('broadcast', [[h(tensor, 'broadcast(): tensor')], groupRank(o.group, src)], [tensor], o.async_op, o.group);
}
export function reduce(tensor: Tensor, dst: number, options: CollectiveOptions & { op?: ReduceOpValue } = {}): Work | null {
  const o = bind<{ op: ReduceOpValue; group: ProcessGroup | null; async_op: boolean }>('reduce', [options], { op: ReduceOp.SUM, group: null, async_op: false });
  return run('reduce', [[h(tensor, 'reduce(): tensor')], groupRank(o.group, dst), o.op], [tensor], o.async_op, o.group);
}
export function all_gather(tensor_list: Tensor[], tensor: Tensor, options: CollectiveOptions = {}): Work | null {
  const o = bind<{ group: ProcessGroup | null; async_op: boolean }>('all_gather', [options], { group: null, async_op: false });
  return run('allgather', [[tensor_list.map((t) => h(t, 'all_gather(): tensor_list'))], [h(tensor, 'all_gather(): tensor')]],
    [tensor, ...tensor_list], o.async_op, o.group);
}
export function gather(tensor: Tensor, options: CollectiveOptions & { gather_list?: Tensor[] | null; dst?: number } = {}): Work | null {
  const o = bind<{ gather_list: Tensor[] | null; dst: number; group: ProcessGroup | null; async_op: boolean }>('gather', [options], { gather_list: null, dst: 0, group: null, async_op: false });
  const list = o.gather_list ?? [];
  const outs = get_rank(o.group) === groupRank(o.group, o.dst) ? [list.map((t) => h(t, 'gather(): gather_list'))] : [];
  return run('gather', [outs, [h(tensor, 'gather(): tensor')], groupRank(o.group, o.dst)], [tensor, ...list], o.async_op, o.group);
}
export function scatter(tensor: Tensor, options: CollectiveOptions & { scatter_list?: Tensor[] | null; src?: number } = {}): Work | null {
  const o = bind<{ scatter_list: Tensor[] | null; src: number; group: ProcessGroup | null; async_op: boolean }>('scatter', [options], { scatter_list: null, src: 0, group: null, async_op: false });
  const list = o.scatter_list ?? [];
  const ins = get_rank(o.group) === groupRank(o.group, o.src) ? [list.map((t) => h(t, 'scatter(): scatter_list'))] : [];
  return run('scatter', [[h(tensor, 'scatter(): tensor')], ins, groupRank(o.group, o.src)], [tensor, ...list], o.async_op, o.group);
}
export function barrier(options: CollectiveOptions = {}): Work | null {
  const o = bind<{ group: ProcessGroup | null; async_op: boolean }>('barrier', [options], { group: null, async_op: false });
  return run('barrier', [], [], o.async_op, o.group);
}
export function isend(tensor: Tensor, dst: number, options: { group?: ProcessGroup | null; tag?: number } = {}): Work {
  const o = bind<{ group: ProcessGroup | null; tag: number }>('isend', [options], { group: null, tag: 0 });
  return run('send', [[h(tensor, 'isend(): tensor')], groupRank(o.group, dst), o.tag], [tensor], true, o.group) as Work;
}
export function irecv(tensor: Tensor, options: { src?: number | null; group?: ProcessGroup | null; tag?: number } = {}): Work {
  const o = bind<{ src: number | null; group: ProcessGroup | null; tag: number }>('irecv', [options], { src: null, group: null, tag: 0 });
  return run('recv', [[h(tensor, 'irecv(): tensor')], o.src === null ? -1 : groupRank(o.group, o.src), o.tag], [tensor], true, o.group) as Work;
}
export function send(tensor: Tensor, dst: number, options: { group?: ProcessGroup | null; tag?: number } = {}): void { isend(tensor, dst, options).wait(); }
/** recv(tensor, { src }): the sender's rank (any sender when src is omitted). */
export function recv(tensor: Tensor, options: { src?: number | null; group?: ProcessGroup | null; tag?: number } = {}): number {
  const work = irecv(tensor, options);
  work.wait();
  return options.src ?? work._source_rank();
}

// ---- the remaining collectives ---------------------------------------------------------

type Opt = { group?: ProcessGroup | null; async_op?: boolean };
function tensorList(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new TypeError(`${what} must be an array of Tensors`);
  return v.map((t) => h(t as Tensor, what));
}

/** reduce_scatter(output, input_list, op=SUM, group=None, async_op=False). Gloo does not have it (it raises, as in Python). */
export function reduce_scatter(...args: Rest<[Tensor, Tensor[], ReduceOpValue, ProcessGroup | null, boolean], { output?: Tensor; input_list?: Tensor[]; op?: ReduceOpValue } & Opt>): Work | null {
  const a = bind<{ output: Tensor; input_list: Tensor[]; op: ReduceOpValue; group: ProcessGroup | null; async_op: boolean }>(
    'reduce_scatter', args, { output: REQUIRED, input_list: REQUIRED, op: ReduceOp.SUM, group: null, async_op: false });
  return run('reduce_scatter', [[h(a.output, 'reduce_scatter(): output')], [tensorList(a.input_list, 'reduce_scatter(): input_list')], a.op],
    [a.output, ...a.input_list], a.async_op, a.group);
}

/** all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False) (1.13's _all_gather_base; Gloo raises). */
export function all_gather_into_tensor(...args: Rest<[Tensor, Tensor, ProcessGroup | null, boolean], { output_tensor?: Tensor; input_tensor?: Tensor } & Opt>): Work | null {
  const a = bind<{ output_tensor: Tensor; input_tensor: Tensor; group: ProcessGroup | null; async_op: boolean }>(
    'all_gather_into_tensor', args, { output_tensor: REQUIRED, input_tensor: REQUIRED, group: null, async_op: false });
  return run('allgather_base', [h(a.output_tensor, 'all_gather_into_tensor(): output_tensor'), h(a.input_tensor, 'all_gather_into_tensor(): input_tensor')],
    [a.output_tensor, a.input_tensor], a.async_op, a.group);
}
export const _all_gather_base = all_gather_into_tensor;

/** reduce_scatter_tensor(output, input, op=SUM, group=None, async_op=False) (1.13's _reduce_scatter_base; Gloo raises). */
export function reduce_scatter_tensor(...args: Rest<[Tensor, Tensor, ReduceOpValue, ProcessGroup | null, boolean], { output?: Tensor; input?: Tensor; op?: ReduceOpValue } & Opt>): Work | null {
  const a = bind<{ output: Tensor; input: Tensor; op: ReduceOpValue; group: ProcessGroup | null; async_op: boolean }>(
    'reduce_scatter_tensor', args, { output: REQUIRED, input: REQUIRED, op: ReduceOp.SUM, group: null, async_op: false });
  return run('reduce_scatter_base', [h(a.output, 'reduce_scatter_tensor(): output'), h(a.input, 'reduce_scatter_tensor(): input'), a.op],
    [a.output, a.input], a.async_op, a.group);
}
export const _reduce_scatter_base = reduce_scatter_tensor;

/** all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None, async_op=False). */
export function all_to_all_single(...args: Rest<[Tensor, Tensor, number[] | null, number[] | null, ProcessGroup | null, boolean],
  { output?: Tensor; input?: Tensor; output_split_sizes?: number[] | null; input_split_sizes?: number[] | null } & Opt>): Work | null {
  const a = bind<{ output: Tensor; input: Tensor; output_split_sizes: number[] | null; input_split_sizes: number[] | null; group: ProcessGroup | null; async_op: boolean }>(
    'all_to_all_single', args, { output: REQUIRED, input: REQUIRED, output_split_sizes: null, input_split_sizes: null, group: null, async_op: false });
  return run('alltoall_base', [h(a.output, 'all_to_all_single(): output'), h(a.input, 'all_to_all_single(): input'),
    a.output_split_sizes ?? [], a.input_split_sizes ?? []], [a.output, a.input], a.async_op, a.group);
}

/** all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False). Gloo does not have it (it raises, as in Python). */
export function all_to_all(...args: Rest<[Tensor[], Tensor[], ProcessGroup | null, boolean], { output_tensor_list?: Tensor[]; input_tensor_list?: Tensor[] } & Opt>): Work | null {
  const a = bind<{ output_tensor_list: Tensor[]; input_tensor_list: Tensor[]; group: ProcessGroup | null; async_op: boolean }>(
    'all_to_all', args, { output_tensor_list: REQUIRED, input_tensor_list: REQUIRED, group: null, async_op: false });
  return run('alltoall', [tensorList(a.output_tensor_list, 'all_to_all(): output_tensor_list'), tensorList(a.input_tensor_list, 'all_to_all(): input_tensor_list')],
    [...a.output_tensor_list, ...a.input_tensor_list], a.async_op, a.group);
}

/**
 * monitored_barrier(group=None, timeout=None, wait_all_ranks=False): a barrier
 * that, past the timeout (ms; the group default when null), names the ranks
 * that did not reach it. Gloo only, as in Python.
 */
export function monitored_barrier(...args: Rest<[ProcessGroup | null, number | null, boolean], { group?: ProcessGroup | null; timeout?: number | null; wait_all_ranks?: boolean }>): void {
  const a = bind<{ group: ProcessGroup | null; timeout: number | null; wait_all_ranks: boolean }>(
    'monitored_barrier', args, { group: null, timeout: null, wait_all_ranks: false });
  const g = groupOf(a.group);
  if (g.name() !== 'gloo') throw new Error('monitored_barrier is only implemented for GLOO backend.');
  addon.group_monitored_barrier(g._h, a.timeout ?? default_pg_timeout, a.wait_all_ranks);
}

// ---- object collectives -----------------------------------------------------------------
// Python's sequence exactly: each object pickled into a uint8 tensor and its
// size into an int64 tensor, sizes exchanged first, then the bytes. Objects go
// through lib/pickle.ts, so they are plain data (None, bool, int, float, str,
// bytes, list, tuple, dict) both ways; a Python rank reads them with pickle.

/** A new CPU tensor holding a copy of `data`'s bytes. */
function fromData(data: ArrayBufferView, shape: number[], d: dtype): Tensor {
  return new Tensor(addon.fromdata(data, shape, d.code));
}

function objectToTensor(obj: unknown, what: string): [Tensor, Tensor] {
  let bytes: Uint8Array;
  try {
    bytes = dumps(obj);
  } catch (e) {
    throw new TypeError(`${what}: cannot pickle the object: ${(e as Error).message}`);
  }
  const t = fromData(bytes, [bytes.length], uint8);
  return [t, fromData(new BigInt64Array([BigInt(bytes.length)]), [1], int64)];
}

const refuse = (what: string) => (): never => { throw new UnpicklingError(`${what}: only plain data (no Python classes) can be received here`); };
function tensorToObject(t: Tensor, size: number, what: string): unknown {
  const bytes = (t.typed_array() as Uint8Array).subarray(0, size);
  return loads(bytes, { findGlobal: (m, n) => refuse(`${what} (the object uses ${m}.${n})`)(), persistentLoad: refuse(what), reduce: refuse(what), newobj: refuse(what), build: refuse(what) });
}
const sizeOf = (t: Tensor): number => Number((t.typed_array() as BigInt64Array)[0]);

function sizesGathered(group: ProcessGroup | null, local: Tensor): number[] {
  const n = get_world_size(group);
  const sizes = Array.from({ length: n }, () => fromData(new BigInt64Array(1), [1], int64));
  all_gather(sizes, local, { group });
  return sizes.map(sizeOf);
}

/**
 * all_gather_object(object_list, obj, group=None): object_list[i] becomes rank
 * i's obj. `obj` is always positional (a plain object there is the object to
 * send, not options).
 */
export function all_gather_object(object_list: unknown[], obj: unknown, ...rest: Rest<[ProcessGroup | null], { group?: ProcessGroup | null }>): void {
  const a = { object_list, obj, ...bind<{ group: ProcessGroup | null }>('all_gather_object', rest, { group: null }) };
  if (!Array.isArray(a.object_list)) throw new TypeError('all_gather_object(): object_list must be an array');
  const [input, local] = objectToTensor(a.obj, 'all_gather_object()');
  const sizes = sizesGathered(a.group, local);
  const max = Math.max(...sizes);
  const padded = input.new_zeros([max]);
  padded.narrow(0, 0, sizes[get_rank(a.group)]).copy_(input);
  const outs = sizes.map(() => input.new_empty([max]));
  all_gather(outs, padded, { group: a.group });
  outs.forEach((t, i) => { a.object_list[i] = tensorToObject(t, sizes[i], 'all_gather_object()'); });
}

/** gather_object(obj, object_gather_list=None, dst=0, group=None): on dst, object_gather_list[i] becomes rank i's obj (`obj` always positional). */
export function gather_object(obj: unknown, ...rest: Rest<[unknown[] | null, number, ProcessGroup | null], { object_gather_list?: unknown[] | null; dst?: number; group?: ProcessGroup | null }>): void {
  const a = { obj, ...bind<{ object_gather_list: unknown[] | null; dst: number; group: ProcessGroup | null }>(
    'gather_object', rest, { object_gather_list: null, dst: 0, group: null }) };
  const me = get_rank();
  if (me === a.dst && !Array.isArray(a.object_gather_list)) throw new Error('Argument ``gather_list`` must be specified on destination rank.');
  if (me !== a.dst && a.object_gather_list) throw new Error('Argument ``gather_list`` must NOT be specified on non-destination ranks.');
  const [input, local] = objectToTensor(a.obj, 'gather_object()');
  const sizes = sizesGathered(a.group, local);
  const max = Math.max(...sizes);
  const padded = input.new_zeros([max]);
  padded.narrow(0, 0, input.numel()).copy_(input);
  const outs = me === a.dst ? sizes.map(() => input.new_empty([max])) : null;
  gather(padded, { gather_list: outs, dst: a.dst, group: a.group });
  if (outs) outs.forEach((t, i) => { (a.object_gather_list as unknown[])[i] = tensorToObject(t, sizes[i], 'gather_object()'); });
}

/** broadcast_object_list(object_list, src=0, group=None, device=None): object_list becomes src's, element by element. */
export function broadcast_object_list(...args: Rest<[unknown[], number, ProcessGroup | null, unknown], { object_list?: unknown[]; src?: number; group?: ProcessGroup | null; device?: unknown }>): void {
  const a = bind<{ object_list: unknown[]; src: number; group: ProcessGroup | null; device: unknown }>(
    'broadcast_object_list', args, { object_list: REQUIRED, src: 0, group: null, device: null });
  if (!Array.isArray(a.object_list)) throw new TypeError('broadcast_object_list(): object_list must be an array');
  if (a.device !== null && String(a.device) !== 'cpu') throw new Error('broadcast_object_list(): the gloo backend works on cpu tensors only');
  const mine = get_rank() === a.src;
  const n = a.object_list.length;
  const pairs = mine ? a.object_list.map((o) => objectToTensor(o, 'broadcast_object_list()')) : [];
  const sizesT = mine ? catTensors(pairs.map((p) => p[1]), int64) : fromData(new BigInt64Array(n), [n], int64);
  broadcast(sizesT, a.src, { group: a.group });
  const sizes = Array.from(sizesT.typed_array() as BigInt64Array, Number);
  const total = sizes.reduce((x, y) => x + y, 0);
  const bytesT = mine ? catTensors(pairs.map((p) => p[0]), uint8) : fromData(new Uint8Array(total), [total], uint8);
  broadcast(bytesT, a.src, { group: a.group });
  if (mine) return;
  const bytes = bytesT.typed_array() as Uint8Array;
  let offset = 0;
  sizes.forEach((size, i) => {
    a.object_list[i] = tensorToObject(fromData(bytes.subarray(offset, offset + size), [size], uint8), size, 'broadcast_object_list()');
    offset += size;
  });
}

/** scatter_object_list(scatter_object_output_list, scatter_object_input_list, src=0, group=None): output[0] becomes src's input[rank]. */
export function scatter_object_list(...args: Rest<[unknown[], unknown[] | null, number, ProcessGroup | null],
  { scatter_object_output_list?: unknown[]; scatter_object_input_list?: unknown[] | null; src?: number; group?: ProcessGroup | null }>): void {
  const a = bind<{ scatter_object_output_list: unknown[]; scatter_object_input_list: unknown[] | null; src: number; group: ProcessGroup | null }>(
    'scatter_object_list', args, { scatter_object_output_list: REQUIRED, scatter_object_input_list: null, src: 0, group: null });
  if (!Array.isArray(a.scatter_object_output_list) || a.scatter_object_output_list.length < 1) {
    throw new Error('Expected argument scatter_object_output_list to be a list of size at least 1.');
  }
  const mine = get_rank(a.group) === a.src;
  let inputs: Tensor[] = [], sizes: Tensor[] = [];
  const maxT = fromData(new BigInt64Array(1), [1], int64);
  if (mine) {
    if (!Array.isArray(a.scatter_object_input_list)) throw new TypeError('scatter_object_list(): scatter_object_input_list must be an array on the source rank');
    const pairs = a.scatter_object_input_list.map((o) => objectToTensor(o, 'scatter_object_list()'));
    sizes = pairs.map((p) => p[1]);
    const max = Math.max(...sizes.map(sizeOf));
    inputs = pairs.map(([t]) => { const p = t.new_zeros([max]); p.narrow(0, 0, t.numel()).copy_(t); return p; });
    maxT.fill_(max);
  }
  broadcast(maxT, a.src, { group: a.group });
  const out = fromData(new Uint8Array(sizeOf(maxT)), [sizeOf(maxT)], uint8);
  scatter(out, { scatter_list: mine ? inputs : null, src: a.src, group: a.group });
  const size = fromData(new BigInt64Array(1), [1], int64);
  scatter(size, { scatter_list: mine ? sizes : null, src: a.src, group: a.group });
  a.scatter_object_output_list[0] = tensorToObject(out, sizeOf(size), 'scatter_object_list()');
}

function catTensors(ts: Tensor[], d: dtype): Tensor {
  if (ts.length === 0) return fromData(d === int64 ? new BigInt64Array(0) : new Uint8Array(0), [0], d);
  return fromData(Buffer.concat(ts.map((t) => {
    const a = t.typed_array();
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  })), [ts.reduce((n, t) => n + t.numel(), 0)], d);
}

// ---- coalesced collectives and batched point-to-point ---------------------------------------

/** all_reduce_coalesced(tensors, op=SUM, group=None, async_op=False): one all-reduce over several tensors (deprecated in Python, warned as there). */
export function all_reduce_coalesced(...args: Rest<[Tensor[], ReduceOpValue, ProcessGroup | null, boolean], { tensors?: Tensor[]; op?: ReduceOpValue } & Opt>): Work | null {
  const a = bind<{ tensors: Tensor[]; op: ReduceOpValue; group: ProcessGroup | null; async_op: boolean }>(
    'all_reduce_coalesced', args, { tensors: REQUIRED, op: ReduceOp.SUM, group: null, async_op: false });
  warn('torch.distributed.all_reduce_coalesced will be deprecated. If you must use it, please revisit our documentation later at ' +
    'https://pytorch.org/docs/master/distributed.html#collective-functions');
  return run('allreduce_coalesced', [tensorList(a.tensors, 'all_reduce_coalesced(): tensors'), a.op], [...a.tensors], a.async_op, a.group);
}

/** all_gather_coalesced(output_tensor_lists, input_tensor_list, group=None, async_op=False) (deprecated in Python, warned as there). */
export function all_gather_coalesced(...args: Rest<[Tensor[][], Tensor[], ProcessGroup | null, boolean], { output_tensor_lists?: Tensor[][]; input_tensor_list?: Tensor[] } & Opt>): Work | null {
  const a = bind<{ output_tensor_lists: Tensor[][]; input_tensor_list: Tensor[]; group: ProcessGroup | null; async_op: boolean }>(
    'all_gather_coalesced', args, { output_tensor_lists: REQUIRED, input_tensor_list: REQUIRED, group: null, async_op: false });
  warn('torch.distributed.all_gather_coalesced will be deprecated. If you must use it, please revisit our documentation later at ' +
    'https://pytorch.org/docs/master/distributed.html#collective-functions');
  if (!Array.isArray(a.output_tensor_lists)) throw new TypeError('all_gather_coalesced(): output_tensor_lists must be an array of arrays of Tensors');
  const outs = a.output_tensor_lists.map((l) => tensorList(l, 'all_gather_coalesced(): output_tensor_lists'));
  return run('allgather_coalesced', [outs, tensorList(a.input_tensor_list, 'all_gather_coalesced(): input_tensor_list')],
    [...a.output_tensor_lists.flat(), ...a.input_tensor_list], a.async_op, a.group);
}

/** One point-to-point operation for batch_isend_irecv: P2POp(op = isend | irecv, tensor, peer, group=None, tag=0). */
export class P2POp {
  readonly op!: typeof isend | typeof irecv;
  readonly tensor!: Tensor;
  readonly peer!: number;
  readonly group!: ProcessGroup | null;
  readonly tag!: number;
  constructor(...args: Rest<[typeof isend | typeof irecv, Tensor, number, ProcessGroup | null, number], { op?: typeof isend | typeof irecv; tensor?: Tensor; peer?: number; group?: ProcessGroup | null; tag?: number }>) {
    const a = bind<{ op: typeof isend | typeof irecv; tensor: Tensor; peer: number; group: ProcessGroup | null; tag: number }>(
      'P2POp', args, { op: REQUIRED, tensor: REQUIRED, peer: REQUIRED, group: null, tag: 0 });
    if (a.op !== isend && a.op !== irecv) {
      throw new TypeError('Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or ``torch.distributed.irecv``.');
    }
    if (!(a.tensor instanceof Tensor)) throw new TypeError('P2POp(): tensor must be a Tensor');
    Object.assign(this, a);
  }
}

/** batch_isend_irecv(p2p_op_list): starts every op (Gloo has no coalescing: one by one, as Python does) and returns their works. */
export function batch_isend_irecv(p2p_op_list: P2POp[]): Work[] {
  // a length read once and no longer than a list can be (`every` visits each index of a sparse 2^32-1)
  if (!Array.isArray(p2p_op_list) || checkedLength(p2p_op_list, 'batch_isend_irecv(): p2p_op_list') === 0 ||
    !p2p_op_list.every((p) => p instanceof P2POp)) {
    throw new TypeError('Invalid ``p2p_op_list``. Each op is expected to to be of type ``torch.distributed.P2POp``.');
  }
  return p2p_op_list.map((p) => (p.op === isend
    ? isend(p.tensor, p.peer, { group: p.group, tag: p.tag })
    : irecv(p.tensor, { src: p.peer, group: p.group, tag: p.tag })));
}

// ---- group ranks ----------------------------------------------------------------------------

function groupRanks(group: ProcessGroup, what: string): number[] {
  if (!(group instanceof ProcessGroup)) throw new TypeError(`${what}: group must be a ProcessGroup`);
  return group._ranks ?? [...Array(defaultGroup().group.size()).keys()];
}
/** get_group_rank(group, global_rank): the rank in `group` of the process with that global rank. */
export function get_group_rank(group: ProcessGroup, global_rank: number): number {
  const ranks = groupRanks(group, 'get_group_rank()');
  const i = ranks.indexOf(global_rank);
  if (i < 0) throw new Error(`Global rank ${global_rank} is not part of group ${group}`);
  return i;
}
/** get_global_rank(group, group_rank): the global rank of `group`'s rank group_rank. */
export function get_global_rank(group: ProcessGroup, group_rank: number): number {
  const ranks = groupRanks(group, 'get_global_rank()');
  if (!Number.isInteger(group_rank) || group_rank < 0 || group_rank >= ranks.length) throw new Error(`Group rank ${group_rank} is not part of group ${group}`);
  return ranks[group_rank];
}
/** get_process_group_ranks(group): the global ranks of `group`'s members, in group-rank order. */
export function get_process_group_ranks(group: ProcessGroup): number[] { return [...groupRanks(group, 'get_process_group_ranks()')]; }
/** Whether torch-node-run (or torchrun) started this process (it sets TORCHELASTIC_RUN_ID). */
export function is_torchelastic_launched(): boolean { return process.env.TORCHELASTIC_RUN_ID !== undefined; }

/** torch.distributed.algorithms: Join (uneven inputs) and DDP's communication hooks. */
export * as algorithms from './distributed_algorithms';
