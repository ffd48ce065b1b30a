// Argument checks at the public entry points, with the wording of Python's argument
// parser: "mse_loss(): argument 'input' (position 1) must be Tensor, not NoneType".
//
// Two ways in, one set of messages:
//  - `expect.*` below, called by hand where a check needs more than a declared type
//    (an iterable of datasets, a callable passed in an options object, ...);
//  - the guards: for every exported function, public method and class constructor,
//    scripts/gen-guards.js writes the declared parameters' kinds to dist/guards.json at
//    build time, and installGuards() (called at the end of each package entry point)
//    wraps those exports, prototype methods and classes (a Proxy with a construct
//    trap). A wrong value then fails naming the function and
//    the argument instead of with a JS-internal message from deep inside
//    ("input.norm is not a function").
import * as fs from 'fs';
import * as path from 'path';
import { Tensor } from './tensor';
import { isKwargs, pyTypeName } from './binder';

/**
 * A tensor made by torch: `Object.create(Tensor.prototype)` passes `instanceof` but has no
 * native tensor behind it (Python cannot make one: `object.__new__(torch.Tensor)` is refused).
 */
export const isTensor = (v: unknown): v is Tensor => v instanceof Tensor && (v as { _h?: unknown })._h !== undefined;

/** Python's `f(): argument 'x' (position n) must be T, not U`. */
function mustBe(fn: string, arg: string, pos: number | undefined, what: string, v: unknown): TypeError {
  return new TypeError(`${fn}(): argument '${arg}'${pos !== undefined ? ` (position ${pos + 1})` : ''} must be ${what}, not ${pyTypeName(v)}`);
}

/** A Module (a callable instance is a function) without importing lib/nn (which imports this file): anything with the Module API's core. */
const isModule = (v: unknown): boolean => (typeof v === 'object' || typeof v === 'function') && v !== null &&
  typeof (v as { named_children?: unknown }).named_children === 'function' && typeof (v as { parameters?: unknown }).parameters === 'function';

/** The hand-written checks; `pos` is 0-based (messages count from 1, as Python's); omitted for a keyword-only argument. */
export const expect = {
  tensor(fn: string, arg: string, v: unknown, pos?: number): Tensor {
    if (!isTensor(v)) throw mustBe(fn, arg, pos, 'Tensor', v);
    return v;
  },
  /** A Tensor or None (null / undefined). */
  optTensor(fn: string, arg: string, v: unknown, pos?: number): Tensor | null {
    if (v === null || v === undefined) return null;
    return expect.tensor(fn, arg, v, pos);
  },
  callable<F extends (...a: never[]) => unknown>(fn: string, arg: string, v: unknown, pos?: number): F {
    if (typeof v !== 'function') throw mustBe(fn, arg, pos, 'callable', v);
    return v as F;
  },
  module<M>(fn: string, arg: string, v: unknown, pos?: number): M {
    if (!isModule(v)) throw mustBe(fn, arg, pos, 'Module', v);
    return v as M;
  },
  string(fn: string, arg: string, v: unknown, pos?: number): string {
    if (typeof v !== 'string') throw mustBe(fn, arg, pos, 'str', v);
    return v;
  },
  /** Something `for...of` can walk (an array, a Map, a generator, ...). */
  iterable<T = unknown>(fn: string, arg: string, v: unknown, pos?: number): Iterable<T> {
    if (v === null || v === undefined || typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
      throw mustBe(fn, arg, pos, 'iterable', v);
    }
    return v as Iterable<T>;
  },
  /** An instance of the class `cls` (named as the class is). */
  instance<T>(fn: string, arg: string, v: unknown, cls: abstract new (...a: never[]) => T, pos?: number): T {
    if (!(v instanceof cls)) throw mustBe(fn, arg, pos, cls.name, v);
    return v as T;
  },
  /** An object (or function) with the methods `methods`: what Python's duck typing needs of `v`, named `typeName`. */
  like<T>(fn: string, arg: string, v: unknown, typeName: string, methods: string[], pos?: number): T {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') ||
      methods.some((m) => typeof (v as Record<string, unknown>)[m] !== 'function')) throw mustBe(fn, arg, pos, typeName, v);
    return v as T;
  },
  /** A `this` that is an instance of `cls` (a method called on a foreign receiver). */
  receiver<T>(fn: string, cls: abstract new (...a: never[]) => T, v: unknown): T {
    if (!(v instanceof cls)) throw new TypeError(`${fn}(): descriptor requires a '${cls.name}' object but received a '${pyTypeName(v)}'`);
    return v as T;
  },
};

// ---- the generated guards ------------------------------------------------------------
/** [position, name, kinds (letters, any one fits: see scripts/gen-guards.js; '' any value, only required), optional, nullable] */
type Check = [number, string, string, 0 | 1, 0 | 1];
type FileRows = { functions: Record<string, Check[]>; classes: Record<string, Record<string, Check[]>> };

/** Each kind letter: Python's name for it in the message, and the test. */
const KINDS: Record<string, [string, (v: unknown) => boolean]> = {
  T: ['Tensor', isTensor],
  M: ['Module', isModule],
  F: ['callable', (v) => typeof v === 'function'],
  I: ['iterable', (v) => v !== null && v !== undefined && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'],
  S: ['str', (v) => typeof v === 'string'],
  N: ['number', (v) => typeof v === 'number' || typeof v === 'bigint'],
  B: ['bool', (v) => typeof v === 'boolean'],
};
KINDS.L = ['iterable', KINDS.I[1]]; // a list of tensors: its elements are checked in check()

/** A class kind 'C:<file>:<class>': that class, from its module once loaded (null before: nothing to check). */
function classOf(kind: string): (abstract new (...a: never[]) => unknown) | null {
  const [, file, name] = kind.split(':');
  const cls = require.cache[path.join(__dirname, `${file}.js`)]?.exports?.[name];
  return typeof cls === 'function' ? unguarded(cls) as abstract new (...a: never[]) => unknown : null;
}
const fits = (kinds: string, v: unknown): boolean => {
  if (kinds.startsWith('C:')) { const cls = classOf(kinds); return cls === null || v instanceof cls; }
  return [...kinds].some((k) => KINDS[k][1](v));
};
const what = (kinds: string): string => {
  if (kinds.startsWith('C:')) { const name = kinds.split(':')[2]; return name === 'dtype' || name === 'device' ? `torch.${name}` : name; }
  return [...kinds].map((k) => KINDS[k][0]).join(' or ');
};

/** Python names every required argument left out (from position `i` on, not among the keywords `kw`): "missing 2 required positional arguments: 'a' and 'b'". */
function missing(fn: string, checks: Check[], i: number, kw: object = {}): TypeError {
  const names = checks.filter(([j, nm, , o]) => j >= i && !o && !(nm in kw)).map(([, nm]) => `'${nm}'`);
  const list = names.length < 3 ? names.join(' and ') : `${names.slice(0, -1).join(', ')}, and ${names[names.length - 1]}`;
  return new TypeError(`${fn}() missing ${names.length} required positional argument${names.length > 1 ? 's' : ''}: ${list}`);
}

/** One given value against its kind (`pos` undefined: given by keyword). */
function checkValue(fn: string, name: string, pos: number | undefined, kind: string, nullable: 0 | 1, v: unknown): void {
  if (kind === '' || v === null && nullable) return;
  if (!fits(kind, v)) throw mustBe(fn, name, pos, what(kind), v);
  // a list of tensors: each element (a dense array only: this runs after a failure, on any array)
  if (kind.includes('L') && Array.isArray(v) && v.length <= 1 << 20) {
    for (let j = 0; j < v.length; j++) if (!isTensor(v[j])) throw mustBe(fn, `${name}[${j}]`, undefined, 'Tensor', v[j]);
  }
}

/** The members of a trailing options object that name declared parameters (from position `from` on): Python's keywords. */
function checkKeywords(fn: string, checks: Check[], from: number, kw: object): void {
  for (const [j, name, kind, , nullable] of checks) {
    if (j < from || !(name in kw)) continue;
    const v = (kw as Record<string, unknown>)[name];
    if (v !== undefined) checkValue(fn, name, undefined, kind, nullable, v);
  }
}

function check(fn: string, checks: Check[], args: ArrayLike<unknown>): void {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  for (const [i, name, kind, optional, nullable] of checks) {
    const v = i < n ? args[i] : undefined;
    if (v === undefined) {
      if (optional) continue;
      if (i < n) { // an explicit undefined before other values: None
        if (kind === '' || nullable) continue;
        throw mustBe(fn, name, i, what(kind), v);
      }
      // Left out, or passed by keyword in a trailing options object: the function binds that itself.
      if (n > 0 && isKwargs(args[n - 1])) return checkKeywords(fn, checks, n - 1, args[n - 1] as object);
      throw missing(fn, checks, i);
    }
    if (v === null && nullable) continue;
    // any value: but a trailing options object before another required one holds the keywords
    if (kind === '' && !(i === n - 1 && isKwargs(v) && !(name in v) && checks.some(([j, , , o]) => j > i && !o))) continue;
    // The trailing options object in this position: the parameters from here on come by
    // keyword, this one too when it is there; a required one that is not is missing.
    if (i === n - 1 && isKwargs(v) && !fits(kind, v)) {
      checkKeywords(fn, checks, i, v);
      if (optional || nullable || name in v) return;
      throw missing(fn, checks, i, v);
    }
    checkValue(fn, name, i, kind, nullable, v);
  }
}

/** A JS engine error from inside the library (a value used as what it is not), not one of its own checks. */
const ENGINE = /Cannot read properties|is not a function|is not iterable|Cannot convert|is not a constructor|Cannot (set|destructure|create) propert|Invalid array length|Reduce of empty array|Maximum call stack size exceeded/;
const DESCRIPTOR = /^descriptor '.*' for 'torch\._C\._TensorBase' objects doesn't apply to a/;
/** The engine's classes for those (BigInt('x') is a SyntaxError, `new Array(-1)` and a list nested 10^5 deep added to a number RangeErrors). */
const isEngineClass = (e: unknown): e is Error => e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError;
/**
 * The engine error behind `e`: `e` itself, or the cause of a guard's error from a call
 * further in (`set_rng_state()` reaching `Generator.set_state()`), so that the outermost
 * guarded call names its own argument when it was given a wrong one, as Python does.
 */
function engineError(e: unknown): Error | null {
  if (!isEngineClass(e)) return null;
  // a tensor method reached with a non-tensor (the descriptor error) is the same mistake
  if (ENGINE.test(e.message) || e instanceof TypeError && DESCRIPTOR.test(e.message)) return e;
  return e instanceof TypeError && isEngineClass(e.cause) && ENGINE.test(e.cause.message) ? e.cause : null;
}
/** `e` again, unless a declared argument of `fn` is wrong: then that, named. */
function rethrow(e: unknown, fn: string, checks: Check[], args: ArrayLike<unknown>): never {
  const cause = engineError(e);
  if (cause) {
    try { check(fn, checks, args); } catch (named) { (named as Error).cause = cause; throw named; }
  }
  throw e;
}

/**
 * The function, checked after the fact: a call runs as it is (so a function's own checks
 * keep their messages, PyTorch's where it has them, and a good call pays for no check);
 * when it fails with a JS engine error, the declared arguments are checked and a wrong
 * one is reported by name instead (the engine's error as the cause).
 */
/** Each guarded function's original: a module that keeps its own function as a value (a default
 * option) and later finds it among its exports (DataLoader's worker transport) compares these. */
const originals = new WeakMap<object, unknown>();
/** The function a guard wraps (or `v` itself). */
export function unguarded(v: unknown): unknown {
  return (typeof v === 'function' && originals.get(v)) || v;
}

function guarded<F extends (this: unknown, ...a: unknown[]) => unknown>(f: F, fn: string, checks: Check[]): F {
  const g = function (this: unknown, ...args: unknown[]): unknown {
    try {
      return f.apply(this, args);
    } catch (e) {
      rethrow(e, fn, checks, args);
    }
  };
  Object.defineProperty(g, 'name', { value: f.name });
  Object.defineProperty(g, 'length', { value: f.length });
  // The function's own properties too (Join.notify_join_context, a function's statics).
  for (const key of Reflect.ownKeys(f)) {
    if (key === 'name' || key === 'length' || key === 'prototype' || Object.prototype.hasOwnProperty.call(g, key)) continue;
    Object.defineProperty(g, key, Object.getOwnPropertyDescriptor(f, key) as PropertyDescriptor);
  }
  originals.set(g, f);
  return g as F;
}

/**
 * The class `ex[cname]` with its constructor checked after the fact as a function's
 * arguments are (`new BasicConv2d()`, `new MLP('x')`): a Proxy whose construct trap
 * runs the real constructor and, when it fails with a JS engine error, checks the
 * declared parameters. Everything else (statics, `prototype`, `instanceof`,
 * subclassing) goes to the class itself. The wrapped class is a subclass of nothing new:
 * a subclass defined before the wrap extends the class itself, one after it the Proxy.
 */
function wrapClass(ex: Record<string, unknown>, cname: string, checks: Check[]): void {
  const d = Object.getOwnPropertyDescriptor(ex, cname);
  if (!d || typeof d.value !== 'function' || !d.writable && !d.configurable) return;
  const cls = d.value as new (...a: unknown[]) => unknown;
  // Exception and warning classes are values the library compares by identity (a warnings
  // filter's category, `except` clauses): a Proxy would be another class to them, and their
  // constructors take a message that fails with no engine error anyway.
  if (cls.prototype instanceof Error) return;
  const fn = `${cname}.__init__`;
  const p: typeof cls = new Proxy(cls, {
    construct(target, args, newTarget): object {
      try {
        // `new.target` inside is the class itself (`new.target === _ConvNd`), a subclass's stays
        return Reflect.construct(target, args, newTarget === p ? target : newTarget) as object;
      } catch (e) {
        rethrow(e, fn, checks, args);
      }
    },
  });
  originals.set(p, cls);
  // under each name the module exports it (`export { LRScheduler as _LRScheduler }`)
  for (const key of Object.keys(ex)) {
    const e = Object.getOwnPropertyDescriptor(ex, key) as PropertyDescriptor;
    if (e.value === cls && (e.writable || e.configurable)) Object.defineProperty(ex, key, { ...e, value: p });
  }
  // `m.constructor === nn.Linear` (Python's `type(m) is nn.Linear`) and `new m.constructor()` see the export
  const c = Object.getOwnPropertyDescriptor(cls.prototype ?? {}, 'constructor');
  if (c && c.value === cls && (c.writable || c.configurable)) Object.defineProperty(cls.prototype, 'constructor', { ...c, value: p });
}

/** Replaces `obj[key]` (a method) with its guarded form, keeping the property's attributes. */
function wrapProperty(obj: object, key: string, fn: string, checks: Check[]): void {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  if (!d || typeof d.value !== 'function' || !d.writable && !d.configurable) return;
  Object.defineProperty(obj, key, { ...d, value: guarded(d.value, fn, checks) });
}

/**
 * Tensor methods and getters called on something that is not a tensor
 * (`torch.Tensor.prototype.float.call({})`): Python's descriptor error, once the call
 * has failed (a call on a tensor pays for a try block only).
 */
function guardTensorReceivers(rows: Record<string, Check[]>): void {
  const proto = Tensor.prototype as unknown as Record<string | symbol, unknown>;
  // the engine's error as the cause: a guarded call further out then names its own argument
  const foreign = (name: string, self: unknown, cause: unknown): TypeError =>
    new TypeError(`descriptor '${name}' for 'torch._C._TensorBase' objects doesn't apply to a '${pyTypeName(self)}' object`, { cause });
  // The protocol symbols by the Python method they stand for (`float(t)` is `t.__float__()`).
  const SYMBOLS = new Map<symbol, string>([[Symbol.toPrimitive, '__float__'], [Symbol.iterator, '__iter__']]);
  for (const sym of Reflect.ownKeys(proto)) {
    if (sym === 'constructor') continue;
    const key = typeof sym === 'symbol' ? SYMBOLS.get(sym) ?? String(sym.description) : sym;
    const d = Object.getOwnPropertyDescriptor(proto, sym) as PropertyDescriptor;
    if (!d.configurable) continue;
    if (typeof d.value === 'function') {
      const f = d.value as (...a: unknown[]) => unknown;
      const g = function (this: unknown, ...args: unknown[]): unknown {
        try {
          return f.apply(this, args);
        } catch (e) {
          if (e instanceof TypeError && !isTensor(this)) throw foreign(key, this, e);
          if (rows[key]) rethrow(e, key, rows[key], args);
          throw e;
        }
      };
      Object.defineProperty(g, 'name', { value: f.name });
      Object.defineProperty(proto, sym, { ...d, value: g });
    } else if (d.get || d.set) {
      const { get, set } = d;
      const onTensor = <R>(self: unknown, run: () => R): R => {
        try { return run(); } catch (e) { if (e instanceof TypeError && !isTensor(self)) throw foreign(key, self, e); throw e; }
      };
      Object.defineProperty(proto, sym, {
        ...d,
        get: get && function (this: unknown) { return onTensor(this, () => get.call(this)); },
        // `Reflect.set(Tensor.prototype, 'grad', g, null)`: Python's `Tensor.grad.__set__(None, g)`
        set: set && function (this: unknown, v: unknown) { onTensor(this, () => set.call(this, v)); },
      });
    }
  }
}

let table: Record<string, FileRows> | null = null;
const done = new Set<string>();

/**
 * Wraps the exports of every compiled module already loaded that the table names (once
 * each). An entry point calls it at its end, passing its own module (loaded but for the
 * flag); a module still loading (an import cycle) waits for a later entry point.
 */
export function installGuards(self?: NodeModule): void {
  if (table === null) {
    const file = path.join(__dirname, 'guards.json');
    if (!fs.existsSync(file)) throw new Error(`torch-node: ${file} is missing: build with \`npm run build:ts\` (tsc, then scripts/gen-guards.js)`);
    table = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, FileRows>;
    guardTensorReceivers(table.tensor?.classes.Tensor ?? {});
  }
  for (const [rel, rows] of Object.entries(table)) {
    if (done.has(rel)) continue;
    const mod = require.cache[path.join(__dirname, `${rel}.js`)];
    if (!mod || !mod.loaded && mod !== self) continue;
    done.add(rel);
    const ex = mod.exports as Record<string, unknown>;
    for (const [name, checks] of Object.entries(rows.functions)) {
      // only the defining module's own data property (a re-export is a getter onto it)
      const d = Object.getOwnPropertyDescriptor(ex, name);
      if (d && 'value' in d) wrapProperty(ex, name, name, checks);
    }
    for (const [cname, methods] of Object.entries(rows.classes)) {
      if (rel === 'tensor' && cname === 'Tensor') continue; // guardTensorReceivers
      const d = Object.getOwnPropertyDescriptor(ex, cname);
      const cls: unknown = d && 'value' in d ? d.value : undefined;
      if (typeof cls !== 'function') continue;
      for (const [key, checks] of Object.entries(methods)) {
        if (key === 'new') continue;
        const isStatic = key.startsWith('static ');
        const m = isStatic ? key.slice(7) : key;
        wrapProperty(isStatic ? cls : (cls.prototype as object), m, `${cname}.${m}`, checks);
      }
      if (methods.new) wrapClass(ex, cname, methods.new);
    }
  }
}
