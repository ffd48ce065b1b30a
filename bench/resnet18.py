# Python side of bench/resnet18.js: the tutorial's training step (frozen backbone,
# new fc, SGD momentum), and a full-model step, on the same LibTorch. Prints JSON.
import json, os, sys, time
import torch, torch.nn as nn, torchvision.models as models

DEVICE = os.environ.get('TORCH_DEVICE', 'cpu')
sync = torch.cuda.synchronize if DEVICE.startswith('cuda') else (lambda: None)

def timed(fn, rounds):
    fn()  # warm-up
    best = float('inf')
    for _ in range(rounds):
        t0 = time.perf_counter(); fn(); sync(); best = min(best, time.perf_counter() - t0)
    return best * 1000

def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    torch.manual_seed(0)
    model = models.resnet18()
    for p in model.parameters():
        p.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, 10)
    model.to(DEVICE)
    x, y = torch.randn(5, 3, 224, 224).to(DEVICE), torch.randint(0, 10, (5,)).to(DEVICE)
    crit = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.fc.parameters(), lr=0.001, momentum=0.9)
    def step():
        opt.zero_grad(); loss = crit(model(x), y); loss.backward(); opt.step()
    out = {'frozen_step_ms': timed(step, rounds)}
    with torch.no_grad():
        out['eval_forward_ms'] = timed(lambda: model.eval()(x), rounds)
    model.train()
    for p in model.parameters():
        p.requires_grad = True
    opt2 = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    def full():
        opt2.zero_grad(); loss = crit(model(x), y); loss.backward(); opt2.step()
    out['full_step_ms'] = timed(full, rounds)
    print(json.dumps(out))

main()
