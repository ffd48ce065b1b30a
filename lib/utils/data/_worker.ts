// A DataLoader worker thread (torch/utils/data/_utils/worker.py's _worker_loop):
// re-creates the dataset from what the main thread sent (_transport.ts),
// then answers fetch requests in order: the samples at the given indices (or
// the next ones of an iterable dataset), collated, encoded with their tensor
// buffers transferred. After each reply it bumps a shared counter so that the
// main thread, blocked in Atomics.wait, wakes up (the DataLoader is a
// synchronous iterator, as Python's).
import { workerData, MessagePort } from 'node:worker_threads';
import '../../index'; // the torch namespace as the main thread has it (warnings, defaults)
import { native } from '../../native';
import { decode, encode } from './_transport';
import { WorkerInfo, _set_worker_info } from './_worker_info';
import { END, Fetcher } from './_fetch';
import { default_collate, default_convert } from './collate';

const d = workerData as {
  port: MessagePort; signal: SharedArrayBuffer; id: number; num_workers: number; seed: string;
  dataset: unknown; iterable: boolean; auto_collation: boolean; drop_last: boolean;
  collate: 'default' | 'convert' | 'main' | unknown; init_fn: unknown; modules: string[];
};
// Seeding: Python's worker calls torch.manual_seed(base_seed + id) in its own process. A worker
// thread gets a default CPU generator of its own, seeded so (the addon's use_thread_generator), so its
// random transforms draw the stream a Python worker draws and the main thread's stream stays put.
// Composite kernels that draw without a generator argument (dropout, rrelu) still use LibTorch's
// process-wide generator: LibTorch has no per-thread default.
native.use_thread_generator(BigInt(d.seed));
// Python's worker loop runs torch.set_num_threads(1): workers share the cores, each with one
// intra-op thread (here for this thread only; the main thread keeps its count).
native.set_thread_num_threads(1);
const sig = new Int32Array(d.signal);
const wake = () => { Atomics.add(sig, 0, 1); Atomics.notify(sig, 0); };
// Seen by the main thread however this thread ends (an error, process.exit in user code).
process.on('exit', () => { Atomics.store(sig, 1 + d.id, 1); wake(); });

function errorReply(e: unknown) {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, stack: err.stack ?? `${err.name}: ${err.message}` };
}

let dataset: unknown, collate: (b: unknown) => unknown, initError: unknown = null;
try {
  dataset = decode(d.dataset);
  _set_worker_info(new WorkerInfo(d.id, d.num_workers, BigInt(d.seed), dataset));
  collate = d.collate === 'default' ? default_collate as (b: unknown) => unknown
    : d.collate === 'convert' ? default_convert : d.collate === 'main' ? (b) => b : decode(d.collate) as (b: unknown) => unknown;
  if (d.init_fn) (decode(d.init_fn) as (id: number) => void)(d.id);
} catch (e) { initError = e; }

const fetcher = new Fetcher(dataset, d.iterable, d.auto_collation, (b) => collate(b), d.drop_last);
// After its iterable ran out a worker answers nothing more until the next epoch, as Python's:
// the main thread skips the requests it had queued here.
let ended = false;

d.port.on('message', (m: { idx?: number; index?: number | number[] | null; epoch: number; resume?: boolean; stop?: boolean }) => {
  if (m.stop) { d.port.close(); return; }
  if (m.resume) { fetcher.reset(); ended = false; return; } // a new epoch of persistent workers: a fresh iterator
  if (ended) return;
  let reply: Record<string, unknown>;
  const transfer: ArrayBuffer[] = [];
  try {
    if (initError) throw initError;
    const data = fetcher.fetch(m.index ?? null);
    ended = data === END;
    reply = ended ? { idx: m.idx, wid: d.id, epoch: m.epoch, end: true } : { idx: m.idx, wid: d.id, epoch: m.epoch, data: encode(data, transfer, d.modules) };
  } catch (e) {
    reply = { idx: m.idx, wid: d.id, epoch: m.epoch, error: errorReply(e) };
  }
  d.port.postMessage(reply, transfer);
  wake();
});
