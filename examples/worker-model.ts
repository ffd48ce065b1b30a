// An eager (TypeScript) model on a worker thread, so that its forwards and
// training steps never block the main thread's event loop: the recipe for
// models that are not TorchScript (docs/serving.md).
//
//   npm run compile && npx tsc -p examples/tsconfig.json && node build/examples/worker-model.js
//
// Each worker_threads Worker has its own V8 isolate, so tensors do not cross
// threads as objects: their data does, as an ArrayBuffer transferred (moved,
// not copied) with postMessage, and torch.frombuffer makes a tensor over it
// on the other side without a copy.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import * as torch from 'torch-node';
import * as nn from 'torch-node/nn';

type Request = { id: number; data: ArrayBuffer; shape: number[] };
type Reply = { id: number; data: ArrayBuffer; shape: number[]; loss: number };

if (isMainThread) {
  const worker = new Worker(__filename);
  const pending = new Map<number, (r: Reply) => void>();
  worker.on('message', (r: Reply) => { pending.get(r.id)!(r); pending.delete(r.id); });
  const ask = (id: number, x: torch.Tensor) => new Promise<Reply>((resolve) => {
    pending.set(id, resolve);
    const data = (x.typed_array() as Float32Array).buffer as ArrayBuffer; // a copy of x's data, owned by JS
    worker.postMessage({ id, data, shape: x.shape } satisfies Request, [data]);
  });
  (async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 1);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(i, torch.randn(64, 32))));
    clearInterval(timer);
    const out = torch.frombuffer(replies[19].data, { dtype: torch.float32 }).view(replies[19].shape);
    console.log(`20 training steps on the worker; last loss ${replies[19].loss.toFixed(4)}; output ${out.shape}; ` +
      `the main thread's timer ran ${ticks} times meanwhile`);
    await worker.terminate();
  })();
} else {
  torch.manual_seed(0);
  const model = new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Linear(64, 8));
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.05 });
  const target = torch.zeros(64, 8);
  parentPort!.on('message', ({ id, data, shape }: Request) => {
    const x = torch.frombuffer(data, { dtype: torch.float32 }).view(shape);
    optimizer.zero_grad();
    const out = model(x);
    const loss = nn.functional.mse_loss(out, target);
    loss.backward();
    optimizer.step();
    const result = (out.detach().typed_array() as Float32Array).buffer as ArrayBuffer;
    parentPort!.postMessage({ id, data: result, shape: out.shape, loss: loss.item() as number } satisfies Reply, [result]);
  });
}
