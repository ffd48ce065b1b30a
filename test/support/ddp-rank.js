'use strict';
// A Node DDP rank: the same model, data, seeds and steps as
// scripts/reference/ddp_twin.py (see there for the config), so that Node and
// Python ranks train together and compare. `world_size: 0` runs the single-process
// reference instead: no DDP, the whole batch of every step at once.
const torch = require('torch-node');
const { nn } = torch;
const F = nn.functional;
const dist = torch.distributed;

const cfg = process.argv[2] ? JSON.parse(process.argv[2]) : {};
torch.set_num_threads(1);
const single = cfg.world_size === 0;
if (!single) {
  const init_method = cfg.init_method ?? 'env://';
  if ('rank' in cfg) dist.init_process_group('gloo', { init_method, rank: cfg.rank, world_size: cfg.world_size });
  else dist.init_process_group('gloo', { init_method });
}
const rank = single ? 0 : dist.get_rank(), world = single ? 1 : dist.get_world_size();
const steps = cfg.steps ?? 3, batch = cfg.batch ?? 4;
const fullWorld = single ? cfg.as_world : world; // the single process sees every rank's slice

class Net extends nn.Module {
  constructor(bn, unused) {
    super();
    this.fc1 = new nn.Linear(6, 16);
    this.bn = bn ? new nn.BatchNorm1d(16) : null;
    this.fc2 = new nn.Linear(16, 16);
    this.fc3 = new nn.Linear(16, 3);
    this.unused = unused ? new nn.Linear(16, 16) : null;
  }
  forward(x) {
    x = F.relu(this.fc1(x));
    if (this.bn) x = this.bn(x);
    return this.fc3(F.relu(this.fc2(x)));
  }
}

torch.manual_seed(rank);
const model = new Net(cfg.bn ?? false, cfg.unused ?? false);
const ddp = single ? model : new nn.parallel.DistributedDataParallel(model, {
  bucket_cap_mb: cfg.bucket_cap_mb ?? 25, find_unused_parameters: cfg.unused ?? false,
  gradient_as_bucket_view: cfg.gradient_as_bucket_view ?? false,
});
const opt = new torch.optim.SGD(ddp.parameters(), { lr: cfg.lr ?? 0.1, momentum: 0.9 });

torch.manual_seed(1234);
const micro = cfg.no_sync ? 2 : 1;
const data = Array.from({ length: steps }, () => Array.from({ length: micro }, () => [torch.randn(fullWorld * batch, 6), torch.randn(fullWorld * batch, 3)]));
const losses = [];
let firstGrads = null;
for (let step = 0; step < steps; step++) {
  opt.zero_grad();
  let total = 0;
  data[step].forEach(([x, y], m) => {
    const xs = single ? x : x.narrow(0, rank * batch, batch), ys = single ? y : y.narrow(0, rank * batch, batch);
    const run = () => {
      const loss = F.mse_loss(ddp(xs), ys);
      loss.backward();
      return loss.item();
    };
    total += m < micro - 1 && !single ? ddp.no_sync(run) : run();
  });
  if (step === 0) {
    firstGrads = Object.fromEntries([...model.named_parameters()].map(([n, p]) => [n, p.grad ? p.grad.flatten().tolist() : null]));
  }
  opt.step();
  losses.push(total);
}
const flat = (pairs) => Object.fromEntries([...pairs].map(([n, t]) => [n, t.detach().flatten().tolist()]));
const out = { rank, params: flat(model.named_parameters()), buffers: flat(model.named_buffers()), first_grads: firstGrads, losses };
if (!single) out.bucket_sizes = ddp._bucket_sizes();
console.log(JSON.stringify(out));
if (!single) dist.destroy_process_group();
