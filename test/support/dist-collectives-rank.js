'use strict';
// One rank of test/distributed-collectives.test.js: joins a Gloo group of
// WORLD ranks, runs every collective on inputs made from its rank, and prints
// what each produced (or the error it raised) as one JSON line. The test checks
// them against each collective's definition.
//   node dist-collectives-rank.js RANK WORLD PORT
const torch = require('torch-node');
const dist = torch.distributed;
const [rank, world, port] = process.argv.slice(2).map(Number);
torch.set_num_threads(1);
dist.init_process_group('gloo', { init_method: `tcp://127.0.0.1:${port}`, rank, world_size: world, timeout: 30000 });

const out = {};
const record = (name, fn) => {
  try {
    out[name] = fn();
  } catch (e) {
    out[name] = { error: e.message.split('\n')[0] };
  }
};
const v = (r) => [r + 1, 2 * r + 3, 0 - r]; // rank r's float input
const list = (t) => t.tolist();

for (const op of ['SUM', 'PRODUCT', 'MIN', 'MAX']) {
  record(`all_reduce_${op}`, () => { const t = torch.tensor(v(rank)); dist.all_reduce(t, { op: dist.ReduceOp[op] }); return list(t); });
}
for (const op of ['BAND', 'BOR', 'BXOR']) {
  record(`all_reduce_${op}`, () => { const t = torch.tensor([rank + 1, 6 + rank], { dtype: torch.int32 }); dist.all_reduce(t, { op: dist.ReduceOp[op] }); return list(t); });
}
record('all_reduce_AVG', () => dist.all_reduce(torch.ones(1), { op: dist.ReduceOp.AVG }));
record('all_reduce_async', () => { const t = torch.tensor(v(rank)); dist.all_reduce(t, { async_op: true }).wait(); return list(t); });
for (let src = 0; src < world; src++) {
  record(`broadcast_${src}`, () => { const t = torch.tensor(v(rank)); dist.broadcast(t, src); return list(t); });
}
const dst = world - 1;
record('reduce_MAX', () => { const t = torch.tensor(v(rank)); dist.reduce(t, dst, { op: dist.ReduceOp.MAX }); return rank === dst ? list(t) : null; });
record('all_gather', () => { const outs = Array.from({ length: world }, () => torch.zeros(3)); dist.all_gather(outs, torch.tensor(v(rank))); return outs.map(list); });
record('gather', () => {
  const outs = rank === dst ? Array.from({ length: world }, () => torch.zeros(3)) : null;
  dist.gather(torch.tensor(v(rank)), { gather_list: outs, dst });
  return outs && outs.map(list);
});
record('scatter', () => {
  const t = torch.zeros(3);
  dist.scatter(t, { scatter_list: rank === 0 ? Array.from({ length: world }, (_, r) => torch.tensor(v(r))) : null, src: 0 });
  return list(t);
});
// all_to_all_single: rank r sends [100 r + j] to rank j; uneven: r sends j + 1 copies of 100 r + j to rank j.
record('all_to_all_single', () => {
  const o = torch.zeros(world);
  dist.all_to_all_single(o, torch.tensor(Array.from({ length: world }, (_, j) => 100 * rank + j)));
  return list(o);
});
record('all_to_all_single_uneven', () => {
  const input = [];
  for (let j = 0; j < world; j++) for (let k = 0; k <= j; k++) input.push(100 * rank + j);
  const o = torch.zeros(world * (rank + 1));
  dist.all_to_all_single(o, torch.tensor(input), Array(world).fill(rank + 1), Array.from({ length: world }, (_, j) => j + 1));
  return list(o);
});
record('all_to_all', () => dist.all_to_all([torch.zeros(1)], [torch.ones(1)]));
record('reduce_scatter', () => dist.reduce_scatter(torch.zeros(1), Array.from({ length: world }, () => torch.ones(1))));
record('all_gather_into_tensor', () => dist.all_gather_into_tensor(torch.zeros(world), torch.ones(1)));
record('reduce_scatter_tensor', () => dist.reduce_scatter_tensor(torch.zeros(1), torch.ones(world)));
// A ring of send/recv: each rank sends to the next and receives from the previous.
record('send_recv_ring', () => {
  const got = torch.zeros(1);
  const s = dist.isend(torch.tensor([rank * 10]), (rank + 1) % world);
  const from = dist.recv(got, { src: (rank + world - 1) % world });
  s.wait();
  return [from, ...list(got)];
});
record('all_reduce_coalesced', () => {
  const ts = [torch.tensor(v(rank)), torch.tensor([rank * 2])];
  dist.all_reduce_coalesced(ts);
  return ts.map(list);
});
record('all_gather_coalesced', () => {
  const outs = Array.from({ length: world }, () => [torch.zeros(3), torch.zeros(1)]);
  dist.all_gather_coalesced(outs, [torch.tensor(v(rank)), torch.tensor([rank * 2])]);
  return outs.map((l) => l.map(list));
});
// batch_isend_irecv: send to the next rank and receive from the previous one in one batch.
record('batch_isend_irecv', () => {
  const got = torch.zeros(1);
  const works = dist.batch_isend_irecv([
    new dist.P2POp(dist.isend, torch.tensor([rank + 0.5]), (rank + 1) % world),
    new dist.P2POp(dist.irecv, got, (rank + world - 1) % world),
  ]);
  works.forEach((w) => w.wait());
  return list(got);
});
record('monitored_barrier', () => { dist.monitored_barrier({ timeout: 20000 }); return 'ok'; });
// A subgroup of the even ranks.
record('new_group_even', () => {
  const g = dist.new_group(Array.from({ length: world }, (_, r) => r).filter((r) => r % 2 === 0));
  if (!g) return null;
  const t = torch.tensor([rank]);
  dist.all_reduce(t, { group: g });
  return [...list(t), dist.get_group_rank(g, rank), dist.get_global_rank(g, dist.get_world_size(g) - 1), dist.get_process_group_ranks(g)];
});
// Object collectives (plain data).
const obj = (r) => ({ rank: r, name: `rank-${r}`, items: Array.from({ length: r + 1 }, (_, i) => i * 0.5), nested: { ok: r % 2 === 0 } });
record('all_gather_object', () => { const l = Array(world).fill(null); dist.all_gather_object(l, obj(rank)); return l; });
record('gather_object', () => { const l = rank === 0 ? Array(world).fill(null) : null; dist.gather_object(obj(rank), l, 0); return l; });
record('broadcast_object_list', () => { const l = rank === 1 ? [obj(1), 'two', [3]] : [null, null, null]; dist.broadcast_object_list(l, 1); return l; });
record('scatter_object_list', () => { const l = [null]; dist.scatter_object_list(l, rank === 0 ? Array.from({ length: world }, (_, r) => obj(r)) : null, 0); return l[0]; });
record('get_backend', () => dist.get_backend());
console.log(JSON.stringify(out));
dist.destroy_process_group();
