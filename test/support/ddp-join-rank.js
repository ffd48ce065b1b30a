'use strict';
// The Node twin of scripts/reference/ddp_join_twin.py (the same model, data,
// seeds and loop; see its docstring for the config): DDP under Join with
// uneven inputs, and communication hooks written in JS.
const torch = require('torch-node');
const nn = torch.nn;
const F = nn.functional;
const dist = torch.distributed;
const { Join, ddp_comm_hooks } = dist.algorithms;

const cfg = JSON.parse(process.argv[2]);
torch.set_num_threads(1);
dist.init_process_group('gloo', { init_method: cfg.init_method, rank: cfg.rank, world_size: cfg.world_size });
const rank = dist.get_rank(), world = dist.get_world_size();
const batches = cfg.batches ?? [3, 5], batch = cfg.batch ?? 4;

class Net extends nn.Module {
  constructor(bn, unused) {
    super();
    this.fc1 = new nn.Linear(6, 16);
    this.bn = bn ? new nn.BatchNorm1d(16) : null;
    this.fc2 = new nn.Linear(16, 3);
    this.unused = unused ? new nn.Linear(16, 16) : null;
  }
  forward(x) {
    x = F.relu(this.fc1(x));
    if (this.bn) x = this.bn(x);
    return this.fc2(x);
  }
}

torch.manual_seed(rank);
const model = new Net(cfg.bn ?? false, cfg.unused ?? false);
const ddp = new nn.parallel.DistributedDataParallel(model, { find_unused_parameters: cfg.unused ?? false, static_graph: cfg.static_graph ?? false });

// Python's documented example, line for line.
const custom_hook = (state, bucket) => dist.all_reduce(bucket.buffer(), { async_op: true }).get_future().then((fut) => fut.value()[0].div_(world));
const zero_hook = (state, bucket) => {
  const fut = new torch.futures.Future();
  fut.set_result(bucket.buffer().mul_(0));
  return fut;
};
const hook = cfg.hook ?? 'none';
if (hook !== 'none') {
  const { allreduce_hook, fp16_compress_hook } = ddp_comm_hooks.default_hooks;
  ddp.register_comm_hook(null, { allreduce: allreduce_hook, fp16: fp16_compress_hook, custom: custom_hook, zero: zero_hook }[hook]);
}
const opt = new torch.optim.SGD(ddp.parameters(), { lr: cfg.lr ?? 0.1, momentum: 0.9 });

torch.manual_seed(1234);
const data = Array.from({ length: Math.max(...batches) }, () => [torch.randn(world * batch, 6), torch.randn(world * batch, 3)]);
const losses = [];
let first_grads = null;

function train() {
  for (let step = 0; step < batches[rank]; step++) {
    const [x, y] = data[step];
    opt.zero_grad();
    const loss = F.mse_loss(ddp(x.narrow(0, rank * batch, batch)), y.narrow(0, rank * batch, batch));
    loss.backward();
    if (step === 0) first_grads = Object.fromEntries([...model.named_parameters()].map(([n, p]) => [n, p.grad ? p.grad.flatten().tolist() : null]));
    opt.step();
    losses.push(loss.item());
  }
}

let error = null;
try {
  if (cfg.join ?? true) {
    Join([ddp], { throw_on_early_termination: cfg.throw_on_early_termination ?? false, divide_by_initial_world_size: cfg.divide_by_initial_world_size ?? true }, train);
  } else {
    train();
  }
} catch (e) {
  error = e.message;
}
const flat = (pairs) => Object.fromEntries([...pairs].map(([n, t]) => [n, t.detach().flatten().tolist()]));
console.log(JSON.stringify({ rank, params: flat(model.named_parameters()), buffers: flat(model.named_buffers()), first_grads, losses, error }));
dist.destroy_process_group();
