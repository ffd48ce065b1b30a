// Data-parallel training with DistributedDataParallel: every rank trains the
// same model on its slice of each batch; DDP all-reduces the gradients during
// backward, so every rank takes the same optimizer steps. Its Python twin,
// scripts/reference/ddp_twin.py, is the same program line for line: Node and
// Python ranks can train together in one job.
//
//   npm run compile && npx tsc -p examples/tsconfig.json
//   npx torch-node-run --nproc_per_node 2 build/examples/ddp.js
//   node build/examples/ddp.js '{"rank":0,"world_size":2,"init_method":"tcp://127.0.0.1:29500"}'   (and rank 1 elsewhere,
//       or /usr/bin/python3 scripts/reference/ddp_twin.py '{"rank":1,...}')
//
// The config (JSON, all keys optional) is ddp_twin.py's: rank, world_size,
// init_method (env:// by default, as under torch-node-run), steps, batch (per
// rank), hidden, bn, unused (with find_unused_parameters), aux (a second output
// head the loss ignores, with find_unused_parameters), static_graph, fp16_hook
// (the built-in FP16_COMPRESS communication hook), no_sync,
// bucket_cap_mb, gradient_as_bucket_view, lr. `"world_size": 0` runs the single-process
// reference instead (no DDP; `as_world` ranks' batches at once), which DDP must match.
// Prints one JSON line: parameters after the last step, first-step gradients, losses.
import * as torch from 'torch-node';
import * as nn from 'torch-node/nn';

const F = nn.functional;
const dist = torch.distributed;

interface Config {
  rank?: number; world_size?: number; init_method?: string; as_world?: number; steps?: number; batch?: number; hidden?: number; bn?: boolean; aux?: boolean; static_graph?: boolean; fp16_hook?: boolean;
  unused?: boolean; no_sync?: boolean; bucket_cap_mb?: number; gradient_as_bucket_view?: boolean; lr?: number;
}
const cfg: Config = process.argv[2] ? JSON.parse(process.argv[2]) : {};
torch.set_num_threads(1);
const single = cfg.world_size === 0;
if (!single) {
  const init_method = cfg.init_method ?? 'env://';
  if (cfg.rank !== undefined) dist.init_process_group('gloo', { init_method, rank: cfg.rank, world_size: cfg.world_size });
  else dist.init_process_group('gloo', { init_method });
}
const rank = single ? 0 : dist.get_rank();
const world = single ? (cfg.as_world ?? 1) : dist.get_world_size();
const steps = cfg.steps ?? 3, batch = cfg.batch ?? 4;

class Net extends nn.Module {
  fc1: nn.Linear;
  bn: nn.BatchNorm1d | null;
  fc2: nn.Linear;
  fc3: nn.Linear;
  unused: nn.Linear | null;
  aux: nn.Linear | null;
  constructor(hidden: number, bn: boolean, unused: boolean, aux: boolean) {
    super();
    this.fc1 = new nn.Linear(6, hidden);
    this.bn = bn ? new nn.BatchNorm1d(hidden) : null;
    this.fc2 = new nn.Linear(hidden, hidden);
    this.fc3 = new nn.Linear(hidden, 3);
    this.unused = unused ? new nn.Linear(hidden, hidden) : null;
    this.aux = aux ? new nn.Linear(hidden, 3) : null;
  }
  forward(x: torch.Tensor): torch.Tensor | [torch.Tensor, torch.Tensor] {
    x = F.relu(this.fc1(x));
    if (this.bn) x = this.bn(x);
    const h = F.relu(this.fc2(x));
    return this.aux ? [this.fc3(h), this.aux(h)] : this.fc3(h);
  }
}

// Each rank starts from different weights: DDP's constructor broadcasts rank 0's.
torch.manual_seed(rank);
const model = new Net(cfg.hidden ?? 16, cfg.bn ?? false, cfg.unused ?? false, cfg.aux ?? false);
const ddp = single ? null : new nn.parallel.DistributedDataParallel(model, {
  bucket_cap_mb: cfg.bucket_cap_mb ?? 25, find_unused_parameters: (cfg.unused ?? false) || (cfg.aux ?? false),
  gradient_as_bucket_view: cfg.gradient_as_bucket_view ?? false, static_graph: cfg.static_graph ?? false,
});
if (ddp && cfg.fp16_hook) ddp._register_builtin_comm_hook(dist.BuiltinCommHookType.FP16_COMPRESS);
const net = (x: torch.Tensor): torch.Tensor => {
  const out = ddp ? ddp(x) : model(x);
  return Array.isArray(out) ? out[0] : out;
};
const opt = new torch.optim.SGD((ddp ?? model).parameters(), { lr: cfg.lr ?? 0.1, momentum: 0.9 });

// The whole batch of every step, the same on every rank; each rank takes its slice.
torch.manual_seed(1234);
const micro = cfg.no_sync ? 2 : 1;
const data = Array.from({ length: steps }, () =>
  Array.from({ length: micro }, () => [torch.randn(world * batch, 6), torch.randn(world * batch, 3)] as const));
const losses: number[] = [];
let firstGrads: Record<string, number[] | null> = {};
for (let step = 0; step < steps; step++) {
  opt.zero_grad();
  let total = 0;
  data[step].forEach(([x, y], m) => {
    const xs = single ? x : x.narrow(0, rank * batch, batch), ys = single ? y : y.narrow(0, rank * batch, batch);
    const run = (): number => {
      const loss = F.mse_loss(net(xs), ys);
      loss.backward();
      return loss.item() as number;
    };
    // All micro-batches but the last only accumulate local gradients.
    total += ddp && m < micro - 1 ? ddp.no_sync(run) : run();
  });
  if (step === 0) {
    firstGrads = Object.fromEntries([...model.named_parameters()].map(([n, p]) => [n, p.grad ? p.grad.flatten().tolist() as number[] : null]));
  }
  opt.step();
  losses.push(total);
}
const flat = (pairs: Iterable<[string, torch.Tensor]>) => Object.fromEntries([...pairs].map(([n, t]) => [n, t.detach().flatten().tolist()]));
console.log(JSON.stringify({
  rank, params: flat(model.named_parameters()), buffers: flat(model.named_buffers()), first_grads: firstGrads, losses,
  ...(ddp ? { bucket_sizes: ddp._bucket_sizes() } : {}),
}));
if (!single) dist.destroy_process_group();
