// nn.Sequential, nn.ModuleList, nn.ModuleDict.
import { Tensor } from '../../tensor';
import { Module, INDEX_KEY, DELETE_INDEX, addIndent } from '../module';
import { torchAtLeast } from '../../native';
import { Parameter } from '../parameter';
import { warn } from '../../warnings';
import { isOptions, typename } from '../common';
import { expect } from '../../guard';

type Named = Record<string, Module> | Map<string, Module>;
const entriesOf = (m: Named): [string, Module][] => (m instanceof Map ? [...m] : Object.entries(m));

/** Python's index check for Sequential and ModuleList: -len <= idx < len, negatives from the end. */
function absIndex(idx: number, size: number): number {
  if (!Number.isInteger(idx)) throw new TypeError(`indices must be integers, not ${typename(idx)}`);
  if (idx < -size || idx >= size) throw new RangeError(`index ${idx} is out of range`);
  return idx < 0 ? idx + size : idx;
}

/** Renumbers the keys 0..n-1 after a deletion, as Python does (keys of a named Sequential too). */
function renumber(m: Module): void {
  m._modules = new Map([...m._modules.values()].map((v, i) => [String(i), v]));
}

/**
 * Modules applied one after another. `new Sequential(a, b, c)` names them
 * '0', '1', '2'; `new Sequential({ conv: a, relu: b })` or a Map keeps the
 * given names (an object's integer-like keys come first in JS: use a Map for
 * those). `seq[0]` and `seq.at(-1)` index by position; `seq.slice(1, 3)` is a
 * Sequential (Python's seq[1:3]).
 */
export class Sequential<M extends Module[] = Module[]> extends Module {
  [index: number]: Module;

  /** `new Sequential(a, b)`: the modules' types are kept (`seq.at(0)` is typed as `a`'s class). */
  constructor(...args: M);
  constructor(named: Named);
  constructor(...args: Module[] | [Named]) {
    super();
    if (args.length === 1 && (args[0] instanceof Map || isOptions(args[0]))) {
      for (const [key, module] of entriesOf(args[0] as Named)) this.add_module(key, module);
    } else {
      (args as Module[]).forEach((module, i) => this.add_module(String(i), module));
    }
  }

  /** @internal `seq[i]` -> its key in _modules. */
  [INDEX_KEY](idx: number): string { return [...this._modules.keys()][absIndex(idx, this._modules.size)]; }
  /** @internal `delete seq[i]` */
  [DELETE_INDEX](idx: number): void { this._modules.delete(this[INDEX_KEY](idx)); renumber(this); }

  get length(): number { return this._modules.size; }
  [Symbol.iterator](): IterableIterator<Module> { return this._modules.values() as IterableIterator<Module>; }
  /** Python's seq[i]: typed by position for a Sequential built from positional modules. */
  at<I extends number>(idx: I): number extends M['length'] ? Module : I extends keyof M ? M[I] : Module;
  at(idx: number): Module { return this._modules.get(this[INDEX_KEY](idx)) as Module; }
  /** Python's seq[start:end], names kept. */
  slice(start?: number, end?: number): this {
    const Cls = this.constructor as new (m: Named) => this;
    return new Cls(new Map([...this._modules].slice(start, end) as [string, Module][]));
  }

  forward(input: Tensor): Tensor {
    for (const module of this) input = module(input);
    return input;
  }

  append(module: Module): this { this.add_module(String(this.length), module); return this; }
  extend(modules: Iterable<Module>): this { for (const m of modules) this.append(m); return this; }
  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw new Error("module should be of type: <class 'torch.nn.modules.module.Module'>");
    const n = this._modules.size;
    if (!(-n <= index && index <= n)) throw new RangeError(`Index out of range: ${index}`);
    if (index < 0) index += n;
    for (let i = n; i > index; i--) this._modules.set(String(i), this._modules.get(String(i - 1)) ?? null);
    this._modules.set(String(index), module);
    return this;
  }
  pop(idx: number): Module {
    const m = this.at(idx);
    this[DELETE_INDEX](idx);
    return m;
  }
}

/** A list of modules, registered (so parameters(), to(), state_dict() see them); no forward. */
export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> | null = null) {
    super();
    if (modules !== null) this.extend(modules);
  }

  /** @internal */
  [INDEX_KEY](idx: number): string { return String(absIndex(idx, this._modules.size)); }
  /** @internal */
  [DELETE_INDEX](idx: number): void { this._modules.delete(this[INDEX_KEY](idx)); renumber(this); }

  get length(): number { return this._modules.size; }
  [Symbol.iterator](): IterableIterator<Module> { return this._modules.values() as IterableIterator<Module>; }
  at(idx: number): Module { return this._modules.get(this[INDEX_KEY](idx)) as Module; }

  /**
   * print(list): 2.13's Python folds a run of modules that print alike into one entry,
   * "(0-1): 2 x Block(...)" (1.13 prints each; the release between them that added it is
   * not pinned down here: the addon's LibTorch version decides, 2.13 tested).
   */
  toString(): string {
    if (!torchAtLeast(2, 13)) return super.toString();
    const reprs = [...this].map((m) => (m === null ? 'None' : m.toString()));
    if (reprs.length === 0) return `${this._get_name()}()`;
    const runs: { start: number; end: number; repr: string }[] = [];
    reprs.forEach((r, i) => {
      const last = runs[runs.length - 1];
      if (last && last.repr === r) last.end = i;
      else runs.push({ start: i, end: i, repr: r });
    });
    const lines = runs.map(({ start, end, repr }) =>
      addIndent(start === end ? `(${start}): ${repr}` : `(${start}-${end}): ${end - start + 1} x ${repr}`, 2));
    return `${this._get_name()}(\n  ${lines.join('\n  ')}\n)`;
  }
  /** Python's list[start:end], as a new ModuleList. */
  slice(start?: number, end?: number): ModuleList { return new ModuleList([...this].slice(start, end)); }

  append(module: Module): this { this.add_module(String(this.length), module); return this; }
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ModuleList.extend should be called with an iterable, but got ${typename(modules)}`);
    }
    const offset = this.length;
    let i = 0;
    for (const m of modules) this.add_module(String(offset + i++), m);
    return this;
  }
  insert(index: number, module: Module): void {
    for (let i = this._modules.size; i > index; i--) this._modules.set(String(i), this._modules.get(String(i - 1)) ?? null);
    this._modules.set(String(index), module);
  }
  pop(idx: number): Module {
    const m = this.at(idx);
    this[DELETE_INDEX](idx);
    return m;
  }
}

/**
 * An ordered dict of modules. Entries are reachable as properties
 * (`md.conv`), and by key with get(key) when a key is also a method's name.
 * Iterating gives the keys, as in Python.
 */
export class ModuleDict extends Module {
  constructor(modules: Named | ModuleDict | Iterable<[string, Module]> | null = null) {
    super();
    if (modules !== null) this.update(modules);
  }

  get length(): number { return this._modules.size; }
  [Symbol.iterator](): IterableIterator<string> { return this._modules.keys(); }
  get(key: string): Module | undefined { return this._modules.get(key) ?? undefined; }
  set(key: string, module: Module): void { this.add_module(key, module); }
  has(key: string): boolean { return this._modules.has(key); }
  delete(key: string): boolean { return this._modules.delete(key); }
  keys(): string[] { return [...this._modules.keys()]; }
  values(): Module[] { return [...this._modules.values()] as Module[]; }
  items(): [string, Module][] { return [...this._modules] as [string, Module][]; }
  clear(): void { this._modules.clear(); }
  pop(key: string): Module {
    const m = this._modules.get(key);
    if (m === undefined) throw new RangeError(`'${key}'`); // Python's KeyError
    this._modules.delete(key);
    return m as Module;
  }

  /** Adds or replaces entries from a ModuleDict, a Map, an object, or [key, module] pairs, in their order. */
  update(modules: Named | ModuleDict | Iterable<[string, Module]>): void {
    if (modules instanceof ModuleDict) { for (const [k, m] of modules.items()) this.set(k, m); return; }
    if (modules instanceof Map || isOptions(modules)) { for (const [k, m] of entriesOf(modules as Named)) this.set(k, m); return; }
    if (modules === null || typeof (modules as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ModuleDict.update should be called with an iterable of key/value pairs, but got ${typename(modules)}`);
    }
    let j = 0;
    for (const pair of modules as Iterable<unknown>) {
      if (!Array.isArray(pair)) throw new TypeError(`ModuleDict update sequence element #${j} should be Iterable; is${typename(pair)}`);
      if (pair.length !== 2) throw new Error(`ModuleDict update sequence element #${j} has length ${pair.length}; 2 is required`);
      this.set(pair[0], pair[1]);
      j++;
    }
  }
}

// ---- Python's operators on Sequential and ModuleList ---------------------------------------------
export interface Sequential {
  /** Python's seq + other: a new Sequential of both's modules, renumbered. */
  __add__(other: Sequential): Sequential;
  /** Python's seq += other. */
  __iadd__(other: Sequential): Sequential;
  /** Python's seq * n: the same modules n times over (shared, not copied). */
  __mul__(n: number): Sequential;
  __rmul__(n: number): Sequential;
  /** Python's seq *= n. */
  __imul__(n: number): Sequential;
}
const SEQ = "<class 'torch.nn.modules.container.Sequential'>";
function checkFactor(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`unsupported operand type(s) for *: ${SEQ} and <class '${typename(n)}'>`);
  if (n <= 0) throw new Error(`Non-positive multiplication factor ${n} for ${SEQ}`);
  return n;
}
Sequential.prototype.__add__ = function (this: Sequential, other: Sequential): Sequential {
  if (!(other instanceof Sequential)) throw new Error(`add operator supports only objects of Sequential class, but <class '${typename(other)}'> is given.`);
  const ret = new Sequential(...([] as Module[]));
  for (const m of [...this, ...other]) ret.append(m);
  return ret;
};
Sequential.prototype.__iadd__ = function (this: Sequential, other: Sequential): Sequential {
  if (!(other instanceof Sequential)) throw new Error(`add operator supports only objects of Sequential class, but <class '${typename(other)}'> is given.`);
  for (const m of [...other]) this.append(m);
  return this;
};
Sequential.prototype.__mul__ = function (this: Sequential, n: number): Sequential {
  checkFactor(n);
  const ret = new Sequential(...([] as Module[]));
  for (let i = 0; i < n; i++) for (const m of [...this]) ret.append(m);
  return ret;
};
Sequential.prototype.__rmul__ = Sequential.prototype.__mul__;
Sequential.prototype.__imul__ = function (this: Sequential, n: number): Sequential {
  checkFactor(n);
  const mods = [...this];
  for (let i = 1; i < n; i++) for (const m of mods) this.append(m);
  return this;
};

export interface ModuleList {
  /** Python's list + other: a new ModuleList (other: any iterable of modules). */
  __add__(other: Iterable<Module>): ModuleList;
  /** Python's list += other: extend. */
  __iadd__(other: Iterable<Module>): ModuleList;
}
ModuleList.prototype.__add__ = function (this: ModuleList, other: Iterable<Module>): ModuleList {
  return new ModuleList([...this, ...expect.iterable<Module>('ModuleList.__add__', 'other', other, 0)]);
};
ModuleList.prototype.__iadd__ = function (this: ModuleList, other: Iterable<Module>): ModuleList { return this.extend(expect.iterable<Module>('ModuleList.__iadd__', 'other', other, 0)); };

// ---- ParameterList and ParameterDict -------------------------------------------------------------

/** Python's description of one entry in ParameterList/ParameterDict's extra_repr (the list prints the dtype, the dict the type name). */
function describe(p: unknown, typeName = false): string {
  if (p instanceof Tensor) {
    const device = p.is_cuda ? ` (GPU ${p.get_device()})` : '';
    return `${p instanceof Parameter ? 'Parameter' : 'Tensor'} containing: [${typeName ? typename(p) : `torch.${p.dtype.name}`} of size ${p.shape.join('x')}${device}]`;
  }
  return `Object of type: ${typename(p)}`;
}
/** A tensor entry becomes a Parameter (sharing its storage), as Python's containers do. */
const asParameter = (v: unknown): unknown => (v instanceof Tensor && !(v instanceof Parameter) ? new Parameter(v) : v);

/**
 * A list of parameters (or other values), registered under '0', '1', ... so
 * that parameters() and state_dict() see them. `pl[i]` reads entry i (also
 * `pl.at(-1)`); plain tensors are wrapped as Parameters.
 */
export class ParameterList extends Module {
  [index: number]: unknown;
  declare _size: number;
  constructor(values: Iterable<unknown> | null = null) {
    super();
    Object.defineProperty(this, '_size', { value: 0, writable: true, enumerable: false });
    if (values !== null) this.extend(values);
  }
  _get_abs_string_index(idx: number): string {
    if (!Number.isInteger(idx)) throw new TypeError(`indices must be integers, not ${typename(idx)}`);
    if (!(-this._size <= idx && idx < this._size)) throw new RangeError(`index ${idx} is out of range`);
    return String(idx < 0 ? idx + this._size : idx);
  }
  get length(): number { return this._size; }
  at(idx: number): unknown { return (this as unknown as Record<string, unknown>)[this._get_abs_string_index(idx)]; }
  /** Python's pl[start:end]: a new ParameterList of the same entries. */
  slice(start?: number, end?: number): ParameterList { return new ParameterList([...this].slice(start, end)); }
  set(idx: number, value: unknown): void { (this as unknown as Record<string, unknown>)[this._get_abs_string_index(idx)] = asParameter(value); }
  *[Symbol.iterator](): IterableIterator<unknown> { for (let i = 0; i < this._size; i++) yield this.at(i); }
  append(value: unknown): this {
    const i = this._size;
    this._size++;
    this.set(i, value);
    return this;
  }
  extend(values: Iterable<unknown>): this {
    if (values === null || typeof (values as Iterable<unknown>)[Symbol.iterator] !== 'function' || values instanceof Tensor) {
      throw new TypeError(`ParameterList.extend should be called with an iterable, but got ${typename(values)}`);
    }
    for (const v of values) this.append(v);
    return this;
  }
  __iadd__(values: Iterable<unknown>): this { return this.extend(values); }
  _call_impl(): never { throw new Error('ParameterList should not be called.'); }
  extra_repr(): string { return [...this].map((p, k) => `  (${k}): ${describe(p)}`).join('\n'); }
}

type ParamSource = Map<string, unknown> | Record<string, unknown> | ParameterDict | Iterable<[string, unknown]>;
/**
 * An ordered dict of parameters (or other values). `pd.get(key)`/`pd.set(key, v)`,
 * and entries are properties too (`pd.weight`). A plain object's entries are
 * added in sorted key order (Python sorts a plain dict's items); a Map keeps its order.
 */
export class ParameterDict extends Module {
  declare _keys: Map<string, null>;
  constructor(parameters: ParamSource | null = null) {
    super();
    Object.defineProperty(this, '_keys', { value: new Map(), writable: true, enumerable: false });
    if (parameters !== null) this.update(parameters);
  }
  _key_to_attr(key: unknown): string {
    if (typeof key !== 'string') {
      throw new TypeError(`Index given to ParameterDict cannot be used as a key as it is not a string (type is '${typename(key)}'). ` +
        'Open an issue on github if you need non-string keys.');
    }
    return key;
  }
  get length(): number { return this._keys.size; }
  [Symbol.iterator](): IterableIterator<string> { return this._keys.keys(); }
  /** Python's d[key] (a KeyError, here a RangeError, when absent); get(key, default) as dict.get. */
  getitem(key: string): unknown {
    const attr = this._key_to_attr(key);
    if (!this._keys.has(attr)) throw new RangeError(`'${key}'`);
    return (this as unknown as Record<string, unknown>)[attr];
  }
  get(key: string, defaultValue: unknown = null): unknown { return this._keys.has(key) ? this.getitem(key) : defaultValue; }
  set(key: string, value: unknown): void {
    const attr = this._key_to_attr(key);
    this._keys.set(attr, null);
    (this as unknown as Record<string, unknown>)[attr] = asParameter(value);
  }
  has(key: string): boolean { return this._keys.has(key); }
  delete(key: string): void {
    const attr = this._key_to_attr(key);
    if (!this._keys.delete(attr)) throw new RangeError(`'${key}'`);
    delete (this as unknown as Record<string, unknown>)[attr];
  }
  keys(): string[] { return [...this._keys.keys()]; }
  values(): unknown[] { return this.keys().map((k) => this.getitem(k)); }
  items(): [string, unknown][] { return this.keys().map((k) => [k, this.getitem(k)]); }
  reversed(): string[] { return this.keys().reverse(); }
  copy(): ParameterDict { return new ParameterDict(new Map(this.items())); }
  setdefault(key: string, defaultValue: unknown = null): unknown {
    if (!this._keys.has(key)) this.set(key, defaultValue);
    return this.getitem(key);
  }
  clear(): void { for (const k of this.keys()) this.delete(k); }
  pop(key: string): unknown {
    const v = this.getitem(key);
    this.delete(key);
    return v;
  }
  popitem(): [string, unknown] {
    const keys = this.keys();
    if (!keys.length) throw new RangeError('popitem(): dictionary is empty');
    const k = keys[keys.length - 1];
    return [k, this.pop(k)];
  }
  fromkeys(keys: Iterable<string>, defaultValue: unknown = null): ParameterDict {
    return new ParameterDict(new Map([...expect.iterable<string>('ParameterDict.fromkeys', 'keys', keys, 0)].map((k) => [k, defaultValue])));
  }
  /** Python's d | other: a copy updated with other. */
  __or__(other: ParameterDict): ParameterDict { const c = this.copy(); c.update(other); return c; }
  __ior__(other: ParamSource): this { this.update(other); return this; }
  update(parameters: ParamSource): void {
    if (parameters instanceof ParameterDict) { for (const [k, v] of parameters.items()) this.set(k, v); return; }
    if (parameters instanceof Map) { for (const [k, v] of parameters) this.set(k, v); return; }
    if (isOptions(parameters)) { for (const k of Object.keys(parameters).sort()) this.set(k, parameters[k]); return; }
    if (parameters === null || typeof (parameters as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ParametersDict.update should be called with an iterable of key/value pairs, but got ${typename(parameters)}`);
    }
    let j = 0;
    for (const p of parameters as Iterable<unknown>) {
      if (!Array.isArray(p)) throw new TypeError(`ParameterDict update sequence element #${j} should be Iterable; is${typename(p)}`);
      if (p.length !== 2) throw new Error(`ParameterDict update sequence element #${j} has length ${p.length}; 2 is required`);
      this.set(p[0], p[1]);
      j++;
    }
  }
  _call_impl(): never { throw new Error('ParameterDict should not be called.'); }
  extra_repr(): string { return this.items().map(([k, p]) => `  (${k}): ${describe(p, true)}`).join('\n'); }
}

/** Python's deprecated nn.Container: a Module whose keyword arguments are its submodules. */
export class Container extends Module {
  constructor(kwargs: Record<string, Module> = {}) {
    super();
    warn("nn.Container is deprecated. All of it's functionality is now implemented in nn.Module. Subclass that instead.");
    for (const [key, value] of Object.entries(kwargs)) this.add_module(key, value);
  }
}
