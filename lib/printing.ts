// Port of PyTorch 1.13 torch/_tensor_str.py: String(tensor) === Python's str(tensor).
// Covers dense strided real tensors (float/int/bool dtypes).
import { torchAtLeast } from './native';

// 2.13's Python decides sci_mode (the option or the automatic rule) before it measures
// the widths, and prints an edgeitems=0 summary as [...] with a size= suffix; 1.13's
// measured with the automatic mode and applied the option afterwards.
const PY2_FORMAT = torchAtLeast(2, 13);

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sci_mode: boolean | null;
}

export const printOptions: PrintOptions = {
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sci_mode: null,
};

/** As torch.set_printoptions; like Python, sci_mode is reset to null unless given. */
export function set_printoptions(
  opts: Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' } = {},
): void {
  const o = printOptions;
  if (opts.profile != null) {
    if (opts.profile === 'default') {
      Object.assign(o, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
    } else if (opts.profile === 'short') {
      Object.assign(o, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
    } else if (opts.profile === 'full') {
      Object.assign(o, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
    }
  }
  if (opts.precision != null) o.precision = opts.precision;
  if (opts.threshold != null) o.threshold = opts.threshold;
  if (opts.edgeitems != null) o.edgeitems = opts.edgeitems;
  if (opts.linewidth != null) o.linewidth = opts.linewidth;
  o.sci_mode = opts.sci_mode ?? null;
}

export interface TensorView {
  shape: number[];
  dtype: string;
  device: string;
  values: ArrayLike<number | bigint | boolean>;
  requires_grad: boolean;
  grad_fn: string | null;
}

// ---------------------------------------------------------------------------
// Python float formatting ('{:.Nf}', '{:.Ne}'): exact, round-half-even.

const BIG10 = 10n;

/** |x| = mant * 2^exp exactly (x finite). */
function decompose(x: number): { mant: bigint; exp: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (bexp === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = bexp - 1075;
  }
  return { mant, exp };
}

/** round(num/den) with ties to even; num, den > 0. */
function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** |x| as a fraction num/den. */
function toFraction(x: number): [bigint, bigint] {
  const { mant, exp } = decompose(x);
  return exp >= 0 ? [mant << BigInt(exp), 1n] : [mant, 1n << BigInt(-exp)];
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

function isNeg(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/** Python '{:.<prec>f}'.format(x) */
export function pyFormatFixed(x: number, prec: number): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  const sign = isNeg(x) ? '-' : '';
  let digits: string;
  if (x === 0) {
    digits = '0';
  } else {
    const [num, den] = toFraction(x);
    digits = divRoundHalfEven(num * BIG10 ** BigInt(prec), den).toString();
  }
  if (prec === 0) return sign + digits;
  digits = digits.padStart(prec + 1, '0');
  return sign + digits.slice(0, -prec) + '.' + digits.slice(-prec);
}

/** Python '{:.<prec>e}'.format(x) */
export function pyFormatExp(x: number, prec: number): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  const sign = isNeg(x) ? '-' : '';
  let mantissa: bigint;
  let e10: number;
  if (x === 0) {
    mantissa = 0n;
    e10 = 0;
  } else {
    const [num, den] = toFraction(x);
    const lower = BIG10 ** BigInt(prec);
    const upper = lower * BIG10;
    e10 = Math.floor(Math.log10(Math.abs(x)));
    // find e10 so that floor(|x| / 10^(e10 - prec)) has prec+1 digits
    for (;;) {
      const s = e10 - prec;
      const n = s >= 0 ? num : num * BIG10 ** BigInt(-s);
      const d = s >= 0 ? den * BIG10 ** BigInt(s) : den;
      const q = n / d;
      if (q < lower) { e10 -= 1; continue; }
      if (q >= upper) { e10 += 1; continue; }
      mantissa = divRoundHalfEven(n, d);
      if (mantissa === upper) { mantissa = lower; e10 += 1; }
      break;
    }
  }
  const ds = mantissa.toString().padStart(prec + 1, '0');
  const m = prec === 0 ? ds : ds[0] + '.' + ds.slice(1);
  const es = (e10 < 0 ? '-' : '+') + String(Math.abs(e10)).padStart(2, '0');
  return sign + m + 'e' + es;
}

// ---------------------------------------------------------------------------

// Names as canonicalDtype leaves them (formatTensor resolves the aliases first).
const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

function isFloating(dtype: string): boolean {
  return FLOAT_DTYPES.has(dtype);
}

function toNumber(v: number | bigint | boolean): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Python "{}".format(v) for a non-floating element. */
function formatIntLike(v: number | bigint | boolean, dtype: string): string {
  if (dtype === 'bool') {
    const b = typeof v === 'boolean' ? v : typeof v === 'bigint' ? v !== 0n : v !== 0;
    return b ? 'True' : 'False';
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? '1' : '0';
  return Number.isInteger(v) ? BigInt(v).toString() : String(v);
}

class Formatter {
  floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;
  dtype: string;

  constructor(dtype: string, values: Array<number | bigint | boolean>) {
    this.dtype = dtype;
    this.floating = isFloating(dtype);
    const p = printOptions.precision;
    if (!this.floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, formatIntLike(v, dtype).length);
      // Python applies the sci_mode option here too; unused for ints
    } else {
      const nz: number[] = [];
      for (const v of values) {
        const x = toNumber(v);
        if (Number.isFinite(x) && x !== 0) nz.push(x);
      }
      if (nz.length === 0) return; // Python returns early: sci_mode option ignored
      let mn = Infinity;
      let mx = -Infinity;
      for (const x of nz) {
        const a = Math.abs(x);
        if (a < mn) mn = a;
        if (a > mx) mx = a;
      }
      for (const x of nz) {
        if (x !== Math.ceil(x)) { this.intMode = false; break; }
      }
      const auto = mx / mn > 1000.0 || mx > 1.0e8 || (!this.intMode && mn < 1.0e-4);
      if (PY2_FORMAT) {
        this.sciMode = printOptions.sci_mode ?? auto;
        for (const x of nz) {
          const w = this.sciMode ? pyFormatExp(x, p).length : this.intMode ? pyFormatFixed(x, 0).length + 1 : pyFormatFixed(x, p).length;
          this.maxWidth = Math.max(this.maxWidth, w);
        }
        return;
      }
      if (this.intMode) {
        if (mx / mn > 1000.0 || mx > 1.0e8) {
          this.sciMode = true;
          for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatExp(x, p).length);
        } else {
          for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatFixed(x, 0).length + 1);
        }
      } else if (mx / mn > 1000.0 || mx > 1.0e8 || mn < 1.0e-4) {
        this.sciMode = true;
        for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatExp(x, p).length);
      } else {
        for (const x of nz) this.maxWidth = Math.max(this.maxWidth, pyFormatFixed(x, p).length);
      }
    }
    if (printOptions.sci_mode !== null) this.sciMode = printOptions.sci_mode;
  }

  width(): number {
    return this.maxWidth;
  }

  format(v: number | bigint | boolean): string {
    let ret: string;
    if (this.floating) {
      const x = toNumber(v);
      if (this.sciMode) {
        ret = pyFormatExp(x, printOptions.precision);
      } else if (this.intMode) {
        ret = pyFormatFixed(x, 0);
        if (Number.isFinite(x)) ret += '.';
      } else {
        ret = pyFormatFixed(x, printOptions.precision);
      }
    } else {
      ret = formatIntLike(v, this.dtype);
    }
    return ret.padStart(this.maxWidth, ' ');
  }
}

/** A strided view into the flat row-major values. */
interface Sub {
  offset: number;
  shape: number[];
  strides: number[];
}

function subIndex(s: Sub, i: number): Sub {
  return { offset: s.offset + i * s.strides[0], shape: s.shape.slice(1), strides: s.strides.slice(1) };
}

/** Indices kept along a dimension of size n when summarising (Python slicing semantics). */
function edgeIndices(n: number, summarize: boolean, edge: number): { head: number[]; tail: number[] } | null {
  if (!(summarize && n > 2 * edge)) return null;
  const head: number[] = [];
  for (let i = 0; i < Math.min(edge, n); i++) head.push(i);
  const tail: number[] = [];
  // self[-edge:] with edge == 0 is the whole dim in Python
  const start = edge === 0 ? 0 : Math.max(0, n - edge);
  for (let i = start; i < n; i++) tail.push(i);
  return { head, tail };
}

function range(a: number, b: number): number[] {
  const r: number[] = [];
  for (let i = a; i < b; i++) r.push(i);
  return r;
}

/** Elements of get_summarized_data(self) (order irrelevant to the formatter). */
function summarizedValues(vals: ArrayLike<number | bigint | boolean>, s: Sub, summarize: boolean, out: Array<number | bigint | boolean>): void {
  const dim = s.shape.length;
  if (dim === 0) {
    out.push(vals[s.offset]);
    return;
  }
  const n = s.shape[0];
  const edge = printOptions.edgeitems;
  let idx: number[];
  if (summarize && n > 2 * edge) {
    if (dim === 1) {
      const e = edgeIndices(n, true, edge)!;
      idx = [...e.head, ...e.tail];
    } else {
      idx = [...range(0, edge), ...range(n - edge, n)];
    }
  } else {
    idx = range(0, n);
  }
  for (const i of idx) summarizedValues(vals, subIndex(s, i), summarize, out);
}

function vectorStr(vals: ArrayLike<number | bigint | boolean>, s: Sub, indent: number, summarize: boolean, f: Formatter): string {
  const elementLength = f.width() + 2;
  const perLine = Math.max(1, Math.floor((printOptions.linewidth - indent) / elementLength));
  const n = s.shape[0];
  const at = (i: number) => f.format(vals[s.offset + i * s.strides[0]]);
  const e = edgeIndices(n, summarize, printOptions.edgeitems);
  const data = PY2_FORMAT && summarize && printOptions.edgeitems === 0 ? ['...']
    : e ? [...e.head.map(at), ' ...', ...e.tail.map(at)] : range(0, n).map(at);
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStrWithFormatter(vals: ArrayLike<number | bigint | boolean>, s: Sub, indent: number, summarize: boolean, f: Formatter): string {
  const dim = s.shape.length;
  if (dim === 0) return f.format(vals[s.offset]);
  if (dim === 1) return vectorStr(vals, s, indent, summarize, f);
  const n = s.shape[0];
  const edge = printOptions.edgeitems;
  const sub = (i: number) => tensorStrWithFormatter(vals, subIndex(s, i), indent + 1, summarize, f);
  const slices =
    summarize && n > 2 * edge
      ? [...range(0, edge).map(sub), '...', ...range(n - edge, n).map(sub)]
      : range(0, n).map(sub);
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

function numelOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function tensorStr(t: TensorView, indent: number): string {
  const numel = numelOf(t.shape);
  if (numel === 0) return '[]';
  const summarize = numel > printOptions.threshold;
  const strides: number[] = new Array(t.shape.length);
  let acc = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= t.shape[i];
  }
  const root: Sub = { offset: 0, shape: t.shape.slice(), strides };
  const fvals: Array<number | bigint | boolean> = [];
  summarizedValues(t.values, root, summarize, fvals);
  const f = new Formatter(t.dtype, fvals);
  return tensorStrWithFormatter(t.values, root, indent, summarize, f);
}

function addSuffixes(tensorStr: string, suffixes: string[], indent: number, forceNewline: boolean): string {
  const parts = [tensorStr];
  let lastLineLen = tensorStr.length - tensorStr.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    const len = suffix.length;
    if (forceNewline || lastLineLen + len + 2 > printOptions.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + len;
      forceNewline = false;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += len + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

const DTYPE_ALIASES: Record<string, string> = { float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16' };

function canonicalDtype(d: string): string {
  const s = d.startsWith('torch.') ? d.slice(6) : d;
  return DTYPE_ALIASES[s] ?? s;
}

function pyTuple(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : '(' + shape.join(', ') + ')';
}

/** Python str(tensor) for a dense strided real tensor. */
export function formatTensor(t: TensorView, defaultDtype: string = 'float32'): string {
  const dtype = canonicalDtype(t.dtype);
  const defDtype = canonicalDtype(defaultDtype);
  const view: TensorView = { ...t, dtype };
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];

  // device shown when its type differs from the default (cpu) device
  const devType = t.device.split(':')[0];
  if (devType !== 'cpu') suffixes.push(`device='${t.device}'`);

  const hasDefaultDtype = dtype === defDtype || dtype === 'int64' || dtype === 'bool';
  let body: string;
  if (numelOf(t.shape) === 0) {
    if (t.shape.length !== 1) suffixes.push('size=' + pyTuple(t.shape));
    if (dtype !== defDtype) suffixes.push('dtype=torch.' + dtype);
    body = '[]';
  } else {
    if (PY2_FORMAT && printOptions.edgeitems === 0) suffixes.push('size=' + pyTuple(t.shape));
    if (!hasDefaultDtype) suffixes.push('dtype=torch.' + dtype);
    body = tensorStr(view, indent);
  }

  if (t.grad_fn != null) suffixes.push(`grad_fn=<${t.grad_fn}>`);
  else if (t.requires_grad) suffixes.push('requires_grad=True');

  return addSuffixes(prefix + body, suffixes, indent, false);
}
