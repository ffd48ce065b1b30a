// One length check for arrays (and array-likes, Proxies included) that come from
// users and that lib/ walks or copies element by element. A Python list is
// always dense; a JS array is not: `a.length = 2 ** 32 - 1`, or a Proxy whose
// `length` says so, costs nothing to make, and a `.map`, `.every` or loop over it
// runs for minutes or dies of a V8 heap OOM. No dense JS array can be longer
// than V8's FixedArray limit (2^27 elements, 1 GiB of pointers), so a longer
// length can only be holes or a lie: refused before anything is walked.

/** The longest array-like lib/ walks (V8's FixedArray::kMaxLength, rounded up). */
export const MAX_ARRAY_LENGTH = 2 ** 27;

/**
 * The length of `v`, read once; a RangeError naming `what` when it is longer than
 * any dense array, a TypeError when it is not a length at all.
 */
export function checkedLength(v: { readonly length: unknown }, what: string): number {
  const n = v.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new TypeError(`${what} must be a list, but its length is ${typeof n === 'number' ? String(n) : typeof n}`);
  }
  if (n > MAX_ARRAY_LENGTH) {
    throw new RangeError(`${what} has length ${n}, longer than any list can be (at most ${MAX_ARRAY_LENGTH} elements): a sparse array or a Proxy`);
  }
  return n;
}

/**
 * A dense copy of the array `v` (holes read as undefined), its length read once
 * and checked (checkedLength): a Proxy cannot claim one length and then
 * another. A TypeError naming `what` for anything but an array.
 */
export function listOf<T = unknown>(v: unknown, what: string): T[] {
  if (!Array.isArray(v)) throw new TypeError(`${what} must be a list`);
  const n = checkedLength(v, what);
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = (v as T[])[i];
  return out;
}

/** `v` itself when it is an array of a length lib/ can walk or push to (checkedLength); a TypeError naming `what` otherwise. */
export function checkedList<T = unknown>(v: unknown, what: string): T[] {
  if (!Array.isArray(v)) throw new TypeError(`${what} must be a list`);
  checkedLength(v, what);
  return v as T[];
}
