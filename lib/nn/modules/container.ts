// nn.Sequential, nn.ModuleList, nn.ModuleDict.
import { Tensor } from '../../tensor';
import { Module, INDEX_KEY, DELETE_INDEX } from '../module';
import { isOptions, typename } from '../common';

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
