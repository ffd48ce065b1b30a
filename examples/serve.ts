// An image classifier over HTTP: a TorchScript ResNet-18 (written by Python's
// torch.jit.save, e.g. scripts/reference/export_resnet18.py), top-5 ImageNet
// classes for each uploaded image, requests batched dynamically (collected for a
// few milliseconds, one forward per batch), forwards off the JS thread
// (forward_async), so the event loop keeps serving while the model runs.
//
//   /usr/bin/python3 scripts/reference/export_resnet18.py /tmp/resnet18.pt
//   npm run serve -- /tmp/resnet18.pt [--port 8080] [--max-batch 8] [--wait-ms 5] [--sync]
//   curl --data-binary @image.jpg http://127.0.0.1:8080/classify
//
// --sync runs each batch on the JS thread instead (for comparison: bench/serve.js).
// GET /stats reports the event loop's worst stall since the last call.
import * as http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as torch from 'torch-node';
import { ResNet18_Weights } from 'torch-node/torchvision/models';
import { decode_image, ImageReadMode } from 'torch-node/torchvision/io';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const modelPath = process.argv[2];
if (!modelPath || modelPath.startsWith('--')) {
  console.error('usage: npm run serve -- <model.pt> [--port 8080] [--max-batch 8] [--wait-ms 5] [--sync]');
  process.exit(2);
}
const port = Number(option('port', '8080')), maxBatch = Number(option('max-batch', '8')), waitMs = Number(option('wait-ms', '5'));
const sync = process.argv.includes('--sync');
const maxBody = 16 * 2 ** 20;

const model = torch.jit.load(modelPath).eval();
const preprocess = ResNet18_Weights.IMAGENET1K_V1.transforms(); // resize 256, crop 224, normalize
const categories = ResNet18_Weights.IMAGENET1K_V1.meta.categories!;

interface Pending { input: torch.Tensor; resolve: (top5: { category: string; probability: number }[]) => void; reject: (e: Error) => void }
let queue: Pending[] = [];
let timer: NodeJS.Timeout | null = null;

async function runBatch(batch: Pending[]): Promise<void> {
  try {
    const input = torch.stack(batch.map((p) => p.input));
    const logits = await torch.no_grad(() => (sync ? Promise.resolve(model(input)) : model.forward_async(input))) as torch.Tensor;
    const { values, indices } = logits.softmax(1).topk(5, 1);
    const probs = values.tolist() as number[][], ids = indices.tolist() as number[][];
    batch.forEach((p, i) => p.resolve(ids[i].map((id, k) => ({ category: categories[id], probability: probs[i][k] }))));
    for (const t of [input, logits, values, indices, ...batch.map((p) => p.input)]) t.dispose();
  } catch (e) {
    for (const p of batch) p.reject(e as Error);
  }
}

function flush(): void {
  if (timer) { clearTimeout(timer); timer = null; }
  const batch = queue;
  queue = [];
  if (batch.length) void runBatch(batch);
}

function classify(image: Buffer): Promise<{ category: string; probability: number }[]> {
  return new Promise((resolve, reject) => {
    const input = torch.scope(() => torch.keep(preprocess(decode_image(image, ImageReadMode.RGB)) as torch.Tensor));
    queue.push({ input, resolve, reject });
    if (queue.length >= maxBatch) flush();
    else if (!timer) timer = setTimeout(flush, waitMs);
  });
}

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

const server = http.createServer((req, res) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/stats') {
    reply(200, { max_stall_ms: loopDelay.max / 1e6, p99_stall_ms: loopDelay.percentile(99) / 1e6 });
    loopDelay.reset();
    return;
  }
  if (req.method !== 'POST' || req.url !== '/classify') return reply(404, { error: 'POST an image to /classify' });
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > maxBody) { reply(413, { error: 'image too large' }); req.destroy(); } else chunks.push(c);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    classify(Buffer.concat(chunks)).then((top5) => reply(200, { top5 }), (e) => reply(400, { error: (e as Error).message }));
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`serving ${modelPath} on http://127.0.0.1:${port}/classify (${sync ? 'sync' : 'async'}, batches up to ${maxBatch}, ${waitMs} ms)`);
});
