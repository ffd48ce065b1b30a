// Explicit release of tensors: scopes. (dispose() lives on Tensor; tensors
// that are simply dropped are released by the GC, see native/addon.cpp.)
import { native } from './native';

/** Anything that owns native memory and can be released now. */
export interface Disposable { dispose(): void }

const scopes: Disposable[][] = [];

/** @internal Called for every new tensor: the innermost scope owns it. */
export function track(t: Disposable): void {
  if (scopes.length !== 0) scopes[scopes.length - 1].push(t);
}

function collect(value: unknown, keep: Set<unknown>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (typeof (value as Disposable).dispose === 'function' && (value as { _h?: unknown })._h !== undefined) {
    keep.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, keep, seen);
  else if (value instanceof Map) for (const v of value.values()) collect(v, keep, seen);
  else for (const v of Object.values(value)) collect(v, keep, seen); // plain objects and results such as ValuesIndices
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it
 * returns (directly, or inside arrays, Maps and plain objects) and those
 * passed to `keep()`. Kept tensors belong to the enclosing scope, if any.
 */
export function scope<T>(fn: () => T): T {
  // (lib/guard.ts's wording; memory.ts loads before it can be imported)
  if (typeof fn !== 'function') throw new TypeError(`scope(): argument 'fn' (position 1) must be callable, not ${fn === null || fn === undefined ? 'NoneType' : (fn as object).constructor?.name ?? typeof fn}`);
  const own: Disposable[] = [];
  scopes.push(own);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of own) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new TypeError('scope(): fn must be synchronous (it returned a Promise)');
  }
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  // The per-sample hot paths (a transform returning one tensor, or creating none) skip the Sets.
  if (own.length === 0) return result;
  if (result !== null && typeof result === 'object' && (result as { _h?: unknown })._h !== undefined &&
      typeof (result as unknown as Disposable).dispose === 'function') {
    for (const t of own) {
      if (t === (result as unknown)) parent?.push(t);
      else t.dispose();
    }
    return result;
  }
  const keep = new Set<unknown>();
  collect(result, keep, new Set());
  for (const t of own) {
    if (keep.has(t)) parent?.push(t);
    else t.dispose();
  }
  return result;
}

/** Takes tensors out of the current scope, so that it does not dispose them. */
export function keep<T>(value: T): T {
  if (scopes.length === 0) return value;
  const set = new Set<unknown>();
  collect(value, set, new Set());
  const own = scopes[scopes.length - 1];
  for (let i = own.length - 1; i >= 0; i--) if (set.has(own[i])) own.splice(i, 1);
  return value;
}

/** Live tensors held by JS handles and the bytes of their storages (a storage shared by views counts once per view). */
export function memory_stats(): { tensors: number; bytes: number } {
  return native.memory_stats();
}
