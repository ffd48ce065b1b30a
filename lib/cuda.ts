// torch.cuda: PyTorch's answers through LibTorch's CUDA hooks (native/cuda.cpp),
// so that the same addon loads on a CPU-only LibTorch. As in Python, queries that
// need CUDA initialise it lazily, and fail with "Torch not compiled with CUDA
// enabled" on a CPU-only LibTorch (LibTorch's own "Found no NVIDIA driver ..."
// when it is a CUDA build without a usable GPU); seeding is remembered for later
// and the memory counters read 0 while CUDA is not initialised.
import { native } from './native';
import { device as Device, DeviceLike } from './device';

type CudaCall = (name: string, ...args: unknown[]) => unknown;
const call = (native as unknown as { cuda: CudaCall }).cuda;

const NOT_COMPILED = 'Torch not compiled with CUDA enabled';
let initialized = false;
let pendingSeed: { all: boolean; seed: number | bigint } | null = null;

/** Python's torch.cuda._lazy_init(): the errors every CUDA query gives without CUDA. */
export function lazyInit(): void {
  if (initialized) return;
  if (!call('compiled')) throw new Error(NOT_COMPILED);
  call('init');
  initialized = true;
  if (pendingSeed) {
    const { all, seed } = pendingSeed;
    pendingSeed = null;
    if (all) manual_seed_all(seed);
    else manual_seed(seed);
  }
}

function typeName(v: unknown): string {
  return v === null ? 'None' : typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}

/** Python's _get_device_index(device, optional=True): an int, 'cuda[:i]' or torch.device; null/undefined the current one. */
function deviceIndex(d: DeviceLike | number | null | undefined, fn: string): number {
  if (d === null || d === undefined) return -1;
  if (typeof d === 'number') {
    if (!Number.isInteger(d)) throw new TypeError(`${fn}(): device must be an int, a str or a torch.device, not float`);
    return d;
  }
  if (typeof d !== 'string' && !(d instanceof Device)) throw new TypeError(`${fn}(): device must be an int, a str or a torch.device, not ${typeName(d)}`);
  const dv = typeof d === 'string' ? new Device(d) : d;
  if (dv.type !== 'cuda') throw new Error(`Expected a cuda device, but got: ${dv}`);
  return dv.index ?? -1;
}
function resolved(d: DeviceLike | number | null | undefined, fn: string): number {
  const i = deviceIndex(d, fn);
  lazyInit();
  return i < 0 ? current_device() : i;
}

export function is_available(): boolean { return device_count() > 0; }
export function device_count(): number { return call('device_count') as number; }
export function is_initialized(): boolean { return initialized; }
export function init(): void { lazyInit(); }
export function current_device(): number { lazyInit(); return call('current_device') as number; }
/** torch.cuda.set_device(device): a negative index is a no-op, as in Python. */
export function set_device(d: DeviceLike | number): void {
  const i = deviceIndex(d, 'set_device');
  if (i < 0) return;
  lazyInit();
  call('set_device', i);
}
export function synchronize(d?: DeviceLike | number | null): void { call('synchronize', resolved(d, 'synchronize')); }

/** What torch.cuda.get_device_properties gives that LibTorch's hooks can tell. */
export interface DeviceProperties { name: string; major: number; minor: number; total_memory: number; multi_processor_count: number }
/** torch.cuda.get_device_properties(device): read from the CUDA driver (native/cuda.cpp). */
export function get_device_properties(d?: DeviceLike | number | null): DeviceProperties {
  return call('properties', resolved(d, 'get_device_properties')) as DeviceProperties;
}
export function get_device_name(d?: DeviceLike | number | null): string { return get_device_properties(d).name; }
export function get_device_capability(d?: DeviceLike | number | null): [number, number] {
  const p = get_device_properties(d);
  return [p.major, p.minor];
}

// ---- random ----------------------------------------------------------------------------------
/** torch.cuda.manual_seed(seed): the current GPU's generator; remembered until CUDA is initialised. */
export function manual_seed(seed: number | bigint): void {
  if (typeof seed !== 'number' && typeof seed !== 'bigint') throw new TypeError(`manual_seed(): seed must be an int, not ${typeName(seed)}`);
  if (!initialized) { pendingSeed = { all: false, seed }; return; }
  call('manual_seed', current_device(), seed);
}
export function manual_seed_all(seed: number | bigint): void {
  if (typeof seed !== 'number' && typeof seed !== 'bigint') throw new TypeError(`manual_seed_all(): seed must be an int, not ${typeName(seed)}`);
  if (!initialized) { pendingSeed = { all: true, seed }; return; }
  for (let i = 0; i < device_count(); i++) call('manual_seed', i, seed);
}
export function seed(): void { if (initialized) call('seed', current_device()); }
export function seed_all(): void { if (initialized) for (let i = 0; i < device_count(); i++) call('seed', i); }
export function initial_seed(): bigint { lazyInit(); return BigInt(call('initial_seed', current_device()) as string); }

// ---- memory ----------------------------------------------------------------------------------
type Stat = { current: number; peak: number; allocated: number; freed: number };
/** torch.cuda.memory_stats(device): Python's flat "allocated_bytes.all.current" keys; {} before CUDA is initialised. */
export function memory_stats(d?: DeviceLike | number | null): Record<string, number> {
  if (!initialized) { deviceIndex(d, 'memory_stats'); return {}; }
  const raw = call('memory_stats', resolved(d, 'memory_stats')) as Record<string, Stat>;
  const out: Record<string, number> = {};
  for (const [k, s] of Object.entries(raw)) for (const [f, v] of Object.entries(s)) out[`${k}.all.${f}`] = v;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
const stat = (key: string) => (d?: DeviceLike | number | null): number => memory_stats(d)[key] ?? 0;
export const memory_allocated = stat('allocated_bytes.all.current');
export const max_memory_allocated = stat('allocated_bytes.all.peak');
export const memory_reserved = stat('reserved_bytes.all.current');
export const max_memory_reserved = stat('reserved_bytes.all.peak');
export function empty_cache(): void { if (initialized) call('empty_cache'); }
export function reset_peak_memory_stats(d?: DeviceLike | number | null): void { call('reset_peak_memory_stats', resolved(d, 'reset_peak_memory_stats')); }
export function mem_get_info(d?: DeviceLike | number | null): [number, number] { return call('mem_get_info', resolved(d, 'mem_get_info')) as [number, number]; }

// ---- streams and events (LibTorch >= 2.4: c10::Stream / c10::Event through the CUDA guard) ----
type PackedStream = [string, number];

/** torch.cuda.Stream(device?, priority = 0): a new stream from LibTorch's pool. */
export class Stream {
  /** @internal */ readonly _s: PackedStream;
  constructor(device?: DeviceLike | number | null, priority = 0, packed?: PackedStream) {
    if (packed !== undefined && packed !== null) {
      if (!Array.isArray(packed)) throw new TypeError(`Stream(): argument 'packed' (position 3) must be a stream from torch-node, not ${typeName(packed)}`);
      this._s = packed; return;
    }
    if (!Number.isInteger(priority)) throw new TypeError(`Stream(): argument 'priority' must be int, not ${typeName(priority)}`);
    this._s = call('stream_new', resolved(device, 'Stream'), priority) as PackedStream;
  }
  get device(): Device { return new Device('cuda', this._s[1]); }
  get stream_id(): bigint { return BigInt(this._s[0]); }
  query(): boolean { return call('stream_query', this._s) as boolean; }
  synchronize(): void { call('stream_synchronize', this._s); }
  /** Work queued on this stream afterwards waits for `event`. */
  wait_event(event: Event): void { event.wait(this); }
  /** Work queued on this stream afterwards waits for what `stream` has queued so far. */
  wait_stream(stream: Stream): void { this.wait_event(stream.record_event()); }
  record_event(event?: Event): Event {
    const e = event ?? new Event();
    e.record(this);
    return e;
  }
  equals(other: unknown): boolean { return other instanceof Stream && other._s[0] === this._s[0] && other._s[1] === this._s[1]; }
  toString(): string { return `<torch.cuda.Stream device=cuda:${this._s[1]} cuda_stream=${this._s[0]}>`; }
}

/** torch.cuda.Event({ enable_timing }): c10::Event on CUDA. */
export class Event {
  private readonly _e: unknown;
  constructor(opts: { enable_timing?: boolean; blocking?: boolean; interprocess?: boolean } = {}) {
    for (const k of Object.keys(opts)) if (!['enable_timing', 'blocking', 'interprocess'].includes(k)) throw new TypeError(`Event() got an unexpected keyword argument '${k}'`);
    if (opts.interprocess) throw new Error('torch-node: interprocess CUDA events are not supported');
    lazyInit();
    this._e = call('event_new', opts.enable_timing ?? false);
  }
  /** Records on `stream` (the current stream by default). */
  record(stream?: Stream): void { call('event_record', this._e, (stream ?? current_stream())._s); }
  /** Makes `stream` (the current one by default) wait for this event. */
  wait(stream?: Stream): void { call('event_block', this._e, (stream ?? current_stream())._s); }
  query(): boolean { return call('event_query', this._e) as boolean; }
  synchronize(): void { call('event_synchronize', this._e); }
  /** Milliseconds from this event to `end` (both recorded, made with enable_timing). */
  elapsed_time(end: Event): number {
    if (!(end instanceof Event)) throw new TypeError(`elapsed_time(): argument 'end_event' must be torch.cuda.Event, not ${typeName(end)}`);
    return call('event_elapsed_time', this._e, end._e) as number;
  }
}

export function current_stream(d?: DeviceLike | number | null): Stream {
  return new Stream(undefined, 0, call('stream_current', resolved(d, 'current_stream')) as PackedStream);
}
export function default_stream(d?: DeviceLike | number | null): Stream {
  return new Stream(undefined, 0, call('stream_default', resolved(d, 'default_stream')) as PackedStream);
}
/** torch.cuda.stream(s, fn): runs fn with `s` as the current stream of its device (Python's `with torch.cuda.stream(s)`). */
export function stream<T>(s: Stream | null, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`stream(): the function to run must be a function, not ${typeName(fn)}`);
  if (s === null) return fn();
  if (!(s instanceof Stream)) throw new TypeError(`stream(): argument 'stream' must be torch.cuda.Stream, not ${typeName(s)}`);
  const prev = call('stream_exchange', s._s) as PackedStream;
  try {
    return fn();
  } finally {
    call('stream_exchange', prev);
  }
}
