// torch.distributed over LibTorch's c10d (native/distributed.cpp): stores, the
// Gloo backend, collectives and point-to-point. init_process_group repeats the
// steps of PyTorch 1.13's distributed_c10d.py exactly (rendezvous store,
// PrefixStore('default_pg'), the group's PrefixStore(<group count>), the
// store-based barrier, the group's sequence number), so that Node ranks and
// Python ranks can form one group.
import { native } from './native';
import { Tensor } from './tensor';
import { bind, REQUIRED, Rest } from './nn/common';

type Native = Record<string, (...args: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const addon = native as unknown as Native;
type StoreHandle = { readonly __brand: 'Store' };
type GroupHandle = { readonly __brand: 'ProcessGroup' };
type WorkHandle = { readonly __brand: 'Work' };

/** Python's default timeout for process groups and stores: 30 minutes, in milliseconds here. */
export const default_pg_timeout = 30 * 60 * 1000;

/** Whether this build of the addon has torch.distributed (it needs LibTorch's Gloo headers at build time). */
export function is_available(): boolean { return typeof addon.group_gloo === 'function'; }
export function is_gloo_available(): boolean { return is_available(); }
export function is_nccl_available(): boolean { return false; }
export function is_mpi_available(): boolean { return false; }

function need(): void {
  if (!is_available()) {
    throw new Error('torch.distributed is not available: the addon was built without Gloo headers ' +
      '(Debian/Ubuntu: apt-get install libgloo-dev, then npm rebuild torch-node)');
  }
}

/** The reduction of a collective: torch.distributed.ReduceOp. Gloo has no AVG. */
export const ReduceOp = Object.freeze({ SUM: 0, AVG: 1, PRODUCT: 2, MIN: 3, MAX: 4, BAND: 5, BOR: 6, BXOR: 7 } as const);
export type ReduceOpValue = typeof ReduceOp[keyof typeof ReduceOp];

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
  if (backend !== 'gloo') throw new Error(`torch-node has the gloo backend only (asked for '${a.backend}')`);
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
  const group = new ProcessGroup(addon.group_gloo(new PrefixStore(groupName, store)._h, rank, world, a.timeout), null);
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
    ? new ProcessGroup(addon.group_gloo(new PrefixStore(name, s.store)._h, members.indexOf(me), members.length, timeout), members)
    : null;
  storeBarrier(s.store, s.groupCount, world, timeout);
  if (group) addon.group_set_sequence_number(group._h);
  return group;
}

export function is_initialized(): boolean { return state !== null; }
export function get_rank(group?: ProcessGroup | null): number { return (group ?? defaultGroup().group).rank(); }
export function get_world_size(group?: ProcessGroup | null): number { return (group ?? defaultGroup().group).size(); }
export function get_backend(group?: ProcessGroup | null): string { void group; return defaultGroup().backend; }
export function destroy_process_group(group?: ProcessGroup | null): void {
  if (group === undefined || group === null || group === state?.group) state = null;
}

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
