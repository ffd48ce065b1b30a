// torch.futures: Future, collect_all, wait_all. A Future is completed by
// set_result (or set_exception), by a c10 future it wraps (a collective's,
// through Work.get_future()), or, for one made by then() / collect_all(), by
// running its callback once its parents are done. JS runs on one thread, so a
// callback never runs on Gloo's threads as Python's may: it runs on the JS
// thread, as soon as something asks (wait(), value(), done()), when DDP
// finishes a backward pass, or from the event loop once the parent completes.
import { native } from './native';
import { Tensor } from './tensor';

type Native = Record<string, (...args: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const addon = native as unknown as Native;
type FutureHandle = { readonly __brand: 'Future' };

/** A c10 future's value (a collective's: tensors, or a list of them): tensor handles become Tensors. */
function fromNative(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromNative);
  if (v !== null && typeof v === 'object') return new Tensor(v as never);
  return v;
}

export class Future<T = unknown> {
  private _state: 'pending' | 'done' | 'error' = 'pending';
  private _value: T | undefined = undefined;
  private _error: unknown = undefined;
  private _native: FutureHandle | null = null;
  private _keep: unknown[] = [];
  /** A derived future's parents and callback (then, collect_all). */
  private _deps: Future<unknown>[] = [];
  private _compute: (() => T) | null = null;
  private _listeners: (() => void)[] = [];
  private _watching = false;
  private _settling = false;

  /** @internal a Future over a c10 future (Work.get_future()); `keep` holds the tensors its collective writes. */
  static _fromNative<T>(h: FutureHandle, keep: unknown[]): Future<T> {
    const f = new Future<T>();
    f._native = h;
    f._keep = keep;
    return f;
  }

  /** Whether the Future has completed (with a value or an error). */
  done(): boolean {
    if (this._state !== 'pending') return true;
    if (this._native) return addon.future_done(this._native);
    if (this._compute && this._deps.every((d) => d.done())) { this._settle(); return true; }
    return false;
  }

  /** Blocks until the Future completes and returns its value (throws its error). */
  wait(): T {
    if (this._state === 'pending') {
      if (!this._native && !this._compute) {
        throw new Error('Future.wait(): this Future has no result, and nothing can set one while wait() blocks the JS thread (call set_result() first)');
      }
      this._settle();
    }
    if (this._state === 'error') throw this._error;
    return this._value as T;
  }

  /** The value of a completed Future (throws its error, or if it has not completed). */
  value(): T {
    if (!this.done()) throw new Error('Future.value(): the Future has not completed yet (wait() for it, or read it inside then())');
    return this.wait();
  }

  /**
   * A new Future holding callback(this)'s result once this one completes (the
   * callback's exception, or this one's error, becomes the new Future's error).
   */
  then<S>(callback: (fut: Future<T>) => S, onRejected?: (error: unknown) => unknown): Future<S> {
    if (typeof callback !== 'function') throw new TypeError('Future.then(): callback must be a function');
    // `await fut`: the Promise protocol calls then(resolve, reject) (Python's then takes one
    // callback): settle with the value or the error, never with the Future itself (a thenable
    // resolved with itself would loop).
    if (typeof onRejected === 'function') {
      this._onDone(() => {
        let v: T;
        try { v = this.value(); } catch (e) { onRejected(e); return; }
        (callback as unknown as (value: T) => void)(v);
      });
      return undefined as unknown as Future<S>;
    }
    const child = new Future<S>();
    child._deps = [this as Future<unknown>];
    child._compute = () => callback(this);
    this._onDone(() => child._settle());
    return child;
  }

  /** Runs callback(this) once this Future completes (its exceptions are reported as uncaught, as Python logs them). */
  add_done_callback(callback: (fut: Future<T>) => void): void {
    if (typeof callback !== 'function') throw new TypeError('Future.add_done_callback(): callback must be a function');
    this._onDone(() => {
      try { callback(this); } catch (e) { queueMicrotask(() => { throw e; }); }
    });
  }

  /** Completes a Future made with new Future() with `result`. */
  set_result(result: T): void {
    this._checkSettable('set_result');
    this._finish('done', result, undefined);
  }

  /** Completes a Future made with new Future() with an error. */
  set_exception(result: unknown): void {
    this._checkSettable('set_exception');
    this._finish('error', undefined, result);
  }

  private _checkSettable(what: string): void {
    if (this._native || this._compute) throw new Error(`Future.${what}(): only a Future made with new Future() can be completed by hand`);
    if (this._state !== 'pending') throw new Error('Future can only be marked completed once.');
  }

  /** Completes a pending wrapped or derived Future now (blocking on its parents). */
  private _settle(): void {
    // Settling a parent fires its listeners, this one's among them: settle once.
    if (this._state !== 'pending' || this._settling) return;
    this._settling = true;
    try {
      let v: T;
      if (this._native) {
        v = fromNative(addon.future_wait(this._native)) as T;
      } else {
        for (const d of this._deps) d.wait();
        v = (this._compute as () => T)();
      }
      this._finish('done', v, undefined);
    } catch (e) {
      this._finish('error', undefined, e);
    } finally {
      this._settling = false;
    }
  }

  private _finish(state: 'done' | 'error', value: T | undefined, error: unknown): void {
    if (this._state !== 'pending') return;
    this._state = state;
    this._value = value;
    this._error = error;
    this._keep = [];
    const ls = this._listeners;
    this._listeners = [];
    for (const l of ls) l();
  }

  private _onDone(fn: () => void): void {
    if (this._state !== 'pending') { fn(); return; }
    this._listeners.push(fn);
    // A wrapped c10 future tells the event loop when it completes.
    if (this._native && !this._watching) {
      this._watching = true;
      addon.future_wait_async(this._native).then(() => this._settle(), () => this._settle());
    }
  }
}

/** A Future that completes once every one of `futures` has, holding them (torch.futures.collect_all). */
export function collect_all<T>(futures: Future<T>[]): Future<Future<T>[]> {
  if (!Array.isArray(futures) || !futures.every((f) => f instanceof Future)) throw new TypeError('collect_all(): expected an array of torch.futures.Future');
  const all = new Future<Future<T>[]>();
  const internal = all as unknown as { _deps: Future<unknown>[]; _compute: () => Future<T>[]; _settle(): void };
  internal._deps = futures as Future<unknown>[];
  internal._compute = () => futures;
  let left = futures.length;
  if (left === 0) internal._settle();
  for (const f of futures) (f as unknown as { _onDone(fn: () => void): void })._onDone(() => { if (--left === 0) internal._settle(); });
  return all;
}

/** Waits for every Future and returns their values (the first error is thrown) (torch.futures.wait_all). */
export function wait_all<T>(futures: Future<T>[]): T[] {
  collect_all(futures).wait();
  return futures.map((f) => f.wait());
}
