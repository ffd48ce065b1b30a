// The sharp decoder behind torchvision.io, synchronous as torchvision's API is.
//
// Why a thread: sharp (libvips) only decodes asynchronously, and torchvision's read_image /
// decode_image are synchronous (a Dataset's __getitem__ calls them). Keeping jpeg-js for the
// synchronous API would keep its errors (up to 3 levels off libjpeg on 11% of samples); an
// `*_async`-only sharp API would make every ported Dataset async. So sharp runs on one worker
// thread (_sharp_worker.ts) and a synchronous call posts the bytes, blocks in Atomics.wait on a
// counter the worker bumps after each reply, and takes the reply with receiveMessageOnPort (the
// DataLoader's mechanism). The cost is a copy of the encoded bytes there and of the pixels back
// (~0.1 ms per megapixel), small next to decoding; the *_async functions share the same thread
// and let several images decode at once on libvips' threads.
//
// If sharp cannot be loaded (no prebuilt libvips for the platform), torchvision.io warns once and
// decodes with its JavaScript decoders (pngjs, jpeg-js), which are slower and not bit-exact on JPEG.
import * as path from 'node:path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { warn } from '../warnings';
import { native } from '../native';

/** Decoded samples as sharp hands them out: interleaved HWC, `channels` per pixel. */
export interface RawImage { data: Uint8Array; width: number; height: number; channels: number }

interface Reply { id: number; error?: string; versions?: Record<string, string>; data?: Uint8Array; width?: number; height?: number; channels?: number }

interface State {
  worker: Worker;
  port: MessagePort;
  sig: Int32Array;
  nextId: number;
  /** Replies taken off the port whose caller has not come for them yet (sync callers), by id. */
  done: Map<number, Reply>;
  /** Promises of the *_async calls, by id. */
  waiting: Map<number, (r: Reply) => void>;
  versions: Record<string, string>;
}

let state: State | null = null;
let unavailable: string | null = null;
type DecoderName = 'libjpeg' | 'sharp' | 'js';
const fromEnv = process.env.TORCH_NODE_IMAGE_DECODER;
let chosen: DecoderName = fromEnv === 'js' || fromEnv === 'sharp' ? fromEnv : 'libjpeg';

function dispatch(s: State, r: Reply): void {
  const cb = s.waiting.get(r.id);
  if (cb) {
    s.waiting.delete(r.id);
    if (s.waiting.size === 0) s.port.unref();
    cb(r);
  } else {
    s.done.set(r.id, r);
  }
}

/** Blocks until the reply to request `id` has come (or the worker has ended), taking every reply that arrives. */
function waitFor(s: State, id: number): Reply {
  for (;;) {
    const seen = Atomics.load(s.sig, 0);
    let m;
    while ((m = receiveMessageOnPort(s.port))) dispatch(s, m.message as Reply);
    const r = s.done.get(id);
    if (r) { s.done.delete(id); return r; }
    if (Atomics.load(s.sig, 1) === 1) {
      state = null;
      throw new Error('torchvision.io: the sharp decoding thread has ended unexpectedly');
    }
    Atomics.wait(s.sig, 0, seen, 1000);
  }
}

function start(): State | null {
  if (state || unavailable !== null) return state;
  const { port1, port2 } = new MessageChannel();
  const sig = new Int32Array(new SharedArrayBuffer(8));
  let worker: Worker;
  try {
    worker = new Worker(path.join(__dirname, '_sharp_worker.js'), {
      workerData: { port: port2, signal: sig.buffer, maxPixels: MAX_PIXELS },
      transferList: [port2],
    });
  } catch (e) {
    unavailable = (e as Error).message;
  }
  if (unavailable === null) {
    worker!.unref(); // never keeps the process alive
    worker!.on('error', () => { /* seen through the exit flag */ });
    const s: State = { worker: worker!, port: port1, sig, nextId: 1, done: new Map(), waiting: new Map(), versions: {} };
    port1.on('message', (r: Reply) => dispatch(s, r)); // the replies to *_async calls (sync calls take theirs first)
    port1.unref();
    // A thread that ends under pending *_async calls fails them (a sync caller sees the exit flag).
    worker!.on('exit', () => {
      if (state === s) state = null;
      for (const [id, cb] of s.waiting) { s.waiting.delete(id); cb({ id, error: 'torchvision.io: the sharp decoding thread has ended unexpectedly' }); }
      s.port.unref();
    });
    let r: Reply;
    try { r = waitFor(s, 0); } catch (e) { r = { id: 0, error: (e as Error).message }; }
    if (r.error === undefined) {
      s.versions = r.versions ?? {};
      state = s;
      return s;
    }
    unavailable = r.error;
    void worker!.terminate();
  }
  warn(`torchvision.io: sharp could not be loaded (${unavailable}); images are decoded by the JavaScript ` +
    'decoders (pngjs, jpeg-js), which are slower, and whose JPEG pixels differ from libjpeg\'s (torchvision\'s) by a few levels');
  return null;
}

/** io.MAX_IMAGE_PIXELS, the pixel cap io.ts applies before decoding; sharp is given the same. */
const MAX_PIXELS = 2 ** 28;

/** Whether images are decoded by sharp now (else by the JavaScript decoders). Starts the decoding thread. */
export function sharpAvailable(): boolean {
  return chosen !== 'js' && start() !== null;
}

/**
 * Whether JPEG is decoded by the addon's libjpeg (native/image.cpp: torchvision's own decoder,
 * synchronous on the calling thread, several times faster than a round trip to sharp's thread on
 * small images). False where the addon was built without jpeglib.h or libjpeg cannot be loaded:
 * sharp, bit-identical too, decodes JPEG then.
 */
export function libjpegAvailable(): boolean {
  if (chosen !== 'libjpeg') return false;
  if (libjpegLoads === undefined) {
    const info = native.jpeg_decoder();
    libjpegLoads = info !== null && info.error === null;
  }
  return libjpegLoads;
}
/** Whether the addon has libjpeg and it loaded (asked once). */
let libjpegLoads: boolean | undefined;

/** JPEG bytes decoded by libjpeg into interleaved HWC samples; mode is ImageReadMode's UNCHANGED (0), GRAY (1) or RGB (3). */
export function libjpegDecode(bytes: Uint8Array, mode: 0 | 1 | 3): RawImage {
  return native.jpeg_decode(bytes, mode);
}

/**
 * How sharp hands out the samples: 'srgb' (RGB, RGBA; gray replicated), 'b-w' (a one-component image
 * as one channel) or 'cmyk' (the C, M, Y, K samples as libvips holds them: no color conversion).
 */
export type DecodeSpace = 'srgb' | 'b-w' | 'cmyk';

/** Decodes synchronously. Throws sharp's message. */
export function sharpDecode(bytes: Uint8Array, space: DecodeSpace): RawImage {
  const s = start();
  if (!s) throw new Error('torchvision.io: sharp is not available');
  const id = s.nextId++;
  s.port.postMessage({ id, bytes, space });
  return toRaw(waitFor(s, id));
}

/** HWC pixels to be encoded by sharpEncode. */
export interface EncodeRequest { format: 'jpeg' | 'png'; width: number; height: number; channels: 1 | 3; quality: number; compression: number }

/** Encodes HWC pixels synchronously (JPEG or PNG): the file's bytes. */
export function sharpEncode(pixels: Uint8Array, encode: EncodeRequest): Uint8Array {
  const s = start();
  if (!s) throw new Error('torchvision.io: encoding images needs sharp, which could not be loaded');
  const id = s.nextId++;
  s.port.postMessage({ id, bytes: pixels, space: 'srgb', encode });
  return toRaw(waitFor(s, id)).data;
}

/** Decodes without blocking: the promise of sharpDecode's result. */
export function sharpDecodeAsync(bytes: Uint8Array, space: DecodeSpace): Promise<RawImage> {
  const s = start();
  if (!s) return Promise.reject(new Error('torchvision.io: sharp is not available'));
  const id = s.nextId++;
  return new Promise((resolve, reject) => {
    if (s.waiting.size === 0) s.port.ref(); // a pending promise keeps the process alive, as a pending fs call does
    s.waiting.set(id, (r) => { try { resolve(toRaw(r)); } catch (e) { reject(e); } });
    s.port.postMessage({ id, bytes, space });
  });
}

function toRaw(r: Reply): RawImage {
  if (r.error !== undefined) throw new Error(r.error);
  return { data: r.data!, width: r.width!, height: r.height!, channels: r.channels! };
}

/**
 * torchvision.io's decoder: 'libjpeg' (the default: JPEG by the system's libjpeg-turbo through the
 * addon, PNG by sharp), 'sharp' (libvips: libjpeg-turbo, libspng) or 'js' (pngjs, jpeg-js).
 * TORCH_NODE_IMAGE_DECODER=sharp|js chooses from the start.
 */
export function set_image_decoder(name: DecoderName): void {
  if (name !== 'libjpeg' && name !== 'sharp' && name !== 'js') {
    throw new TypeError(`set_image_decoder(): name must be 'libjpeg', 'sharp' or 'js', got ${String(name)}`);
  }
  chosen = name;
}
/**
 * The decoder JPEG images are decoded with now: the one chosen, or the next that can be loaded
 * ('libjpeg', then 'sharp', then 'js'). PNG is decoded by sharp unless 'js' is chosen or sharp cannot be loaded.
 */
export function get_image_decoder(): DecoderName { return libjpegAvailable() ? 'libjpeg' : sharpAvailable() ? 'sharp' : 'js'; }
/** The library versions of sharp's libvips build (libjpeg-turbo appears as mozjpeg), or null without sharp. */
export function image_decoder_versions(): Record<string, string> | null { return start()?.versions ?? null; }

/**
 * Ends the decoding thread (pending *_async calls reject); the next decode starts a new one.
 * The thread never keeps a process alive; this is for tests and for freeing libvips' memory.
 */
export async function _stop_image_decoder(): Promise<void> {
  const s = state;
  if (!s) return;
  state = null;
  await s.worker.terminate();
}
