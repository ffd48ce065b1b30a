#!/usr/bin/env node
'use strict';
// Image decoding, torch-node against torchvision 0.14 (Debian's /usr/bin/python3) on the same
// machine, one run side by side: images/s of read_image(path, RGB) over photo-like 500x375 JPEGs
// and PNGs (bench/decode.py makes them), with the addon's libjpeg (JPEG; the default), with sharp (synchronous: the worker thread waited on;
// async: read_image_async, 8 in flight), with the JavaScript decoders (pngjs, jpeg-js), and
// torchvision's read_image (one thread). Then how far each torch-node decoder's JPEG samples are
// from torchvision's (RGB and GRAY).
//
//   node bench/decode.js [--images 32] [--rounds 3] [--python /usr/bin/python3]
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const torch = require('torch-node');
const io = require('torch-node/torchvision/io');

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const N = Number(arg('images', 32));
const rounds = Number(arg('rounds', 5));
const python = arg('python', '/usr/bin/python3');
const PY = path.join(__dirname, 'decode.py');
torch.set_num_threads(1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-bench-decode-'));
execFileSync(python, [PY, 'make', dir, String(N)]);
const files = (ext) => fs.readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => path.join(dir, f));

/**
 * Best-of-rounds images/s of one pass over the files, for each decoder; the rounds interleave
 * the decoders, so that all see the same machine state (these machines are shared and swing).
 */
async function rates(list, passes) {
  const best = passes.map(() => Infinity);
  for (const [, dec, pass] of passes) { io.set_image_decoder(dec); await pass(list); } // warm-up: JIT, the decoding thread, the page cache
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, dec, pass]] of passes.entries()) {
      io.set_image_decoder(dec);
      const t0 = process.hrtime.bigint();
      await pass(list);
      best[i] = Math.min(best[i], Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }
  io.set_image_decoder('libjpeg');
  return best.map((b) => list.length / b);
}
const syncPass = (list) => { for (const f of list) io.read_image(f, 'RGB').dispose(); };
async function asyncPass(list, inFlight = 8) {
  let next = 0;
  const lane = async () => { while (next < list.length) (await io.read_image_async(list[next++], 'RGB')).dispose(); };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/** [max |diff|, % of samples that differ] between torch-node's decode of each JPEG and torchvision's. */
function exactness(mode, ext) {
  let max = 0, n = 0, total = 0;
  for (const f of files('.jpg')) {
    const got = io.read_image(f, mode).permute(1, 2, 0).contiguous().typed_array();
    const want = fs.readFileSync(f + ext);
    for (let i = 0; i < want.length; i++) { const d = Math.abs(got[i] - want[i]); if (d) { n++; if (d > max) max = d; } }
    total += want.length;
  }
  return `max |diff| ${max}, ${(100 * n / total).toFixed(2)}% of samples differ`;
}

(async () => {
  const py = JSON.parse(execFileSync(python, [PY, 'time', dir, String(rounds)], { encoding: 'utf8' }));
  const rows = [];
  for (const [ext, key] of [['.jpg', 'jpeg'], ['.png', 'png']]) {
    // libjpeg decodes JPEG only: for PNG its column is sharp's again
    const [libjpeg, sharpSync, sharpAsync, js] = await rates(files(ext),
      [['libjpeg', 'libjpeg', syncPass], ['sync', 'sharp', syncPass], ['async', 'sharp', asyncPass], ['js', 'js', syncPass]]);
    rows.push([key, ext === '.jpg' ? libjpeg : NaN, sharpSync, sharpAsync, js, py[key]]);
  }
  const f = (x) => (Number.isNaN(x) ? '-' : x.toFixed(0)).padStart(12);
  console.log(`read_image(path, RGB), ${N} photo-like 500x375 images, images/s (best of ${rounds}; ${os.cpus().length} CPUs)`);
  console.log(`${'format'.padEnd(6)}${'libjpeg'.padStart(12)}${'sharp sync'.padStart(12)}${'sharp async'.padStart(12)}${'js'.padStart(12)}${'torchvision'.padStart(12)}`);
  for (const [k, ...r] of rows) console.log(`${k.padEnd(6)}${r.map(f).join('')}`);
  console.log('JPEG samples against torchvision.io.decode_jpeg:');
  for (const dec of ['libjpeg', 'sharp', 'js']) {
    io.set_image_decoder(dec);
    console.log(`  ${dec.padEnd(7)} RGB: ${exactness('RGB', '.rgb')}; GRAY: ${exactness('GRAY', '.gray')}`);
  }
  io.set_image_decoder('libjpeg');
  fs.rmSync(dir, { recursive: true, force: true });
})();
