// The decoding thread behind torchvision.io (see _decoder.ts): sharp (libvips
// with libjpeg-turbo / libspng) decodes here, asynchronously as sharp does;
// each reply is posted on the port, then a shared counter is bumped so that a
// thread blocked in Atomics.wait (the synchronous read_image) wakes up.
import { workerData, MessagePort } from 'node:worker_threads';

const d = workerData as { port: MessagePort; signal: SharedArrayBuffer; maxPixels: number };
const sig = new Int32Array(d.signal);
const wake = (): void => { Atomics.add(sig, 0, 1); Atomics.notify(sig, 0); };
// Slot 1: this thread has ended (however), so a waiter gives up instead of hanging.
process.on('exit', () => { Atomics.store(sig, 1, 1); wake(); });

/** A decode request (encoded bytes), or an encode request (HWC pixels). */
interface Request {
  id: number; bytes: Uint8Array; space: 'srgb' | 'b-w' | 'cmyk';
  encode?: { format: 'jpeg' | 'png'; width: number; height: number; channels: 1 | 3; quality: number; compression: number };
}
type Sharp = typeof import('sharp');

let sharp: Sharp | null = null;
try {
  sharp = require('sharp') as Sharp; // eslint-disable-line @typescript-eslint/no-require-imports
  sharp.cache(false); // every image is decoded once: libvips' operation cache would only hold memory
  // One libvips thread per image: a JPEG/PNG load is sequential, and extra threads only hand work
  // around (measured 2.15 vs 2.37 ms per 500x375 JPEG); *_async decodes run side by side on
  // libuv's pool instead.
  sharp.concurrency(1);
  d.port.postMessage({ id: 0, versions: sharp.versions });
} catch (e) {
  d.port.postMessage({ id: 0, error: (e as Error).message });
}
wake();

/**
 * libjpeg's defaults as torchvision's encode_jpeg uses them (4:2:0, Huffman tables not optimized,
 * baseline), with mozjpeg's extras off; PNG with zlib at the given level.
 */
async function encode(m: Request): Promise<Uint8Array> {
  const e = m.encode!;
  let img = sharp!(m.bytes, { raw: { width: e.width, height: e.height, channels: e.channels } });
  if (e.channels === 1) img = img.toColourspace('b-w'); // a one-component file (sharp writes sRGB otherwise)
  const out = e.format === 'jpeg'
    ? img.jpeg({ quality: e.quality, chromaSubsampling: '4:2:0', optimiseCoding: false, mozjpeg: false, trellisQuantisation: false,
      overshootDeringing: false, optimiseScans: false, progressive: false })
    : img.png({ compressionLevel: e.compression, adaptiveFiltering: false, palette: false, progressive: false });
  return out.toBuffer();
}

async function decode(m: Request): Promise<void> {
  try {
    if (m.encode) {
      const b = await encode(m);
      const out = new Uint8Array(b.length);
      out.set(b);
      d.port.postMessage({ id: m.id, data: out, width: out.length, height: 1, channels: 1 }, [out.buffer]);
      wake();
      return;
    }
    // failOn 'truncated': torchvision refuses a truncated JPEG; libjpeg's other warnings (corrupt
    // data, filled with gray) are not errors there either. The embedded ICC profile and EXIF
    // orientation are ignored, as torchvision does.
    let img = sharp!(m.bytes, { failOn: 'truncated', ignoreIcc: true, limitInputPixels: d.maxPixels, sequentialRead: true });
    if (m.space === 'b-w') img = img.toColourspace('b-w'); // a one-component image as one channel (not replicated to sRGB)
    if (m.space === 'cmyk') img = img.pipelineColourspace('cmyk').toColourspace('cmyk'); // no conversion on the way
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    // sharp's buffer wraps libvips memory (not transferable): one copy into a transferable buffer.
    const out = new Uint8Array(data.length);
    out.set(data);
    d.port.postMessage({ id: m.id, data: out, width: info.width, height: info.height, channels: info.channels }, [out.buffer]);
  } catch (e) {
    d.port.postMessage({ id: m.id, error: (e as Error).message });
  }
  wake();
}

d.port.on('message', (m: Request | { stop: true }) => {
  if ('stop' in m) { d.port.close(); return; }
  if (sharp) void decode(m);
});
