// torch.backends.cudnn and torch.backends.cuda.matmul: LibTorch's global flags
// (at::globalContext(), native/opsurface.inc), read and set as Python's
// attributes are (`torch.backends.cudnn.benchmark = true`).
import { native } from './native';

function flag(target: object, prop: string, ctxName: string): void {
  Object.defineProperty(target, prop, {
    enumerable: true,
    get: () => native.context(ctxName) as boolean,
    set: (v: unknown) => {
      if (typeof v !== 'boolean') throw new TypeError(`torch.backends: ${prop} must be bool, not ${v === null ? 'None' : typeof v}`);
      native.context(ctxName, v);
    },
  });
}

const cudnn = {} as { enabled: boolean; benchmark: boolean; deterministic: boolean; allow_tf32: boolean; is_available(): boolean; version(): number | null };
flag(cudnn, 'enabled', 'cudnn_enabled');
flag(cudnn, 'benchmark', 'cudnn_benchmark');
flag(cudnn, 'deterministic', 'cudnn_deterministic');
flag(cudnn, 'allow_tf32', 'cudnn_allow_tf32');
cudnn.is_available = () => native.context('cudnn_available') as boolean;
cudnn.version = () => { const v = native.context('cudnn_version') as number; return v > 0 ? v : null; };

const matmul = {} as { allow_tf32: boolean };
flag(matmul, 'allow_tf32', 'matmul_allow_tf32');

export const backends = Object.freeze({ cudnn: Object.seal(cudnn), cuda: Object.freeze({ matmul: Object.seal(matmul) }) });
