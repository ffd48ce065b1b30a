// Reading pickles that hold numpy arrays (CIFAR's batches), as Python's
// pickle.load(f, encoding='latin1') with numpy does: only the globals an
// ndarray's pickle uses are allowed (numpy's _reconstruct, ndarray, dtype and
// _codecs.encode for Python 3's protocol-2 bytes); anything else is refused,
// so nothing in the file chooses code to run. An array's byte count is checked
// against its shape and dtype before it is used.
import { loads, isTuple, UnpicklingError } from './pickle';
import { dtype, uint8, int8, int16, int32, int64, float32, float64, bool } from './dtype';

/** numpy dtype strings ('u1', '<f4') this reader turns into torch dtypes. */
const NP_DTYPES: Record<string, dtype> = { u1: uint8, i1: int8, i2: int16, i4: int32, i8: int64, f4: float32, f8: float64, b1: bool };

class NpDtype {
  byteorder = '|';
  constructor(readonly torch: dtype) {}
}

/** A numpy array read from a pickle: its shape, torch dtype, and bytes (little-endian, C order). */
export class NdArray {
  constructor(readonly shape: number[], readonly dtype: dtype, readonly data: Uint8Array) {}
}

const RECONSTRUCT = Symbol('numpy.core.multiarray._reconstruct');
const NDARRAY = Symbol('numpy.ndarray');
const DTYPE = Symbol('numpy.dtype');
const ENCODE = Symbol('_codecs.encode');
const GLOBALS: Record<string, symbol> = {
  'numpy.core.multiarray._reconstruct': RECONSTRUCT, 'numpy._core.multiarray._reconstruct': RECONSTRUCT,
  'numpy.ndarray': NDARRAY, 'numpy.dtype': DTYPE, '_codecs.encode': ENCODE,
};

/** A Python 2 str read with encoding='latin1' is a JS string of code units < 256: its bytes. */
function latin1Bytes(s: unknown, what: string): Uint8Array {
  if (s instanceof Uint8Array) return s;
  if (typeof s !== 'string') throw new UnpicklingError(`${what}: expected bytes, got ${typeof s}`);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 255) throw new UnpicklingError(`${what}: 'latin-1' codec can't encode character at position ${i}`);
  }
  return Buffer.from(s, 'latin1');
}

const fail = (msg: string): never => { throw new UnpicklingError(msg); };

/**
 * pickle.loads(data, encoding='latin1') for pickles of dicts, lists, strings,
 * numbers and numpy arrays (NdArray). Python 2 str comes back as a string.
 */
export function loadsNumpy(data: Uint8Array): unknown {
  return loads(data, {
    findGlobal(module, name) {
      return GLOBALS[`${module}.${name}`] ?? fail(`global '${module}.${name}' is forbidden: only numpy arrays can be read from this pickle`);
    },
    persistentLoad() { return fail('persistent ids are not supported in numpy pickles'); },
    newobj(cls) { return fail(`NEWOBJ of ${String(cls)} is not supported in numpy pickles`); },
    reduce(func, args) {
      if (func === ENCODE) {
        // Python 3 bytes in protocol 2: _codecs.encode(str, 'latin1')
        if (args.length !== 2 || args[1] !== 'latin1') fail('_codecs.encode: only latin1 is supported');
        return Buffer.from(latin1Bytes(args[0], '_codecs.encode'));
      }
      if (func === DTYPE) {
        const spec = args[0];
        if (typeof spec !== 'string') return fail('numpy.dtype: expected a string');
        const t = NP_DTYPES[spec.replace(/^[<>|=]/, '')];
        if (!t) return fail(`numpy dtype '${spec}' is not supported`);
        const d = new NpDtype(t);
        if (/^[<>]/.test(spec)) d.byteorder = spec[0];
        return d;
      }
      if (func === RECONSTRUCT) {
        if (args[0] !== NDARRAY) fail('_reconstruct: only numpy.ndarray is supported');
        return new NdArray([], uint8, new Uint8Array(0));  // filled by BUILD
      }
      return fail('REDUCE of an object that is not a numpy array');
    },
    build(inst, state) {
      if (!isTuple(state)) fail('BUILD state must be a tuple');
      const st = state as unknown[];
      if (inst instanceof NpDtype) {
        // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
        if (typeof st[1] === 'string' && st[1] !== '=') inst.byteorder = st[1];
        if (st[2] != null || st[3] != null || st[4] != null) fail('structured numpy dtypes are not supported');
        return;
      }
      if (!(inst instanceof NdArray)) { fail('BUILD on an object that is not a numpy array'); return; }
      // (version, shape, dtype, is_fortran, data)
      const [, shape, dt, fortran, raw] = st.length === 5 ? st : [0, ...st];
      if (!isTuple(shape) || !(shape as unknown[]).every((s) => Number.isInteger(s) && (s as number) >= 0)) fail('numpy array: bad shape');
      if (!(dt instanceof NpDtype)) return fail('numpy array: bad dtype');
      const dims = shape as number[];
      if (fortran && dims.filter((s) => s > 1).length > 1) fail('Fortran-ordered numpy arrays are not supported');
      const bytes = latin1Bytes(raw, 'numpy array data');
      const count = dims.reduce((a, b) => a * b, 1);
      if (count * dt.torch.itemsize !== bytes.length) {
        fail(`numpy array: ${bytes.length} bytes for shape (${dims.join(', ')}) of ${dt.torch.name} (expected ${count * dt.torch.itemsize})`);
      }
      const out = new Uint8Array(bytes);  // own, aligned copy
      const size = dt.torch.itemsize;
      if (dt.byteorder === '>' && size > 1) for (let i = 0; i < out.length; i += size) out.subarray(i, i + size).reverse();
      Object.assign(inst, { shape: [...dims], dtype: dt.torch, data: out });
    },
  });
}
