// torch/utils/data/_utils/fetch.py: what one request for data does, in the
// main thread (num_workers = 0) and in each worker thread alike.
import { MapDataset, getitem } from './dataset';

/** Returned when an iterable dataset has nothing left for this request (Python's StopIteration). */
export const END: unique symbol = Symbol('end');

export class Fetcher {
  private iter: Iterator<unknown> | null = null;
  constructor(
    private readonly dataset: unknown,
    private readonly iterable: boolean,
    private readonly auto_collation: boolean,
    private readonly collate_fn: (batch: unknown) => unknown,
    private readonly drop_last: boolean,
  ) {}
  /** A new epoch: an iterable dataset is iterated afresh. */
  reset(): void { this.iter = null; }
  /** The (collated) data for one index or list of indices (`null`s for an iterable dataset). */
  fetch(index: unknown): unknown {
    if (this.iterable) {
      this.iter ??= (this.dataset as Iterable<unknown>)[Symbol.iterator]();
      if (this.auto_collation) {
        const want = (index as unknown[]).length;
        const data: unknown[] = [];
        while (data.length < want) {
          const r = this.iter.next();
          if (r.done) break;
          data.push(r.value);
        }
        if (data.length === 0 || (this.drop_last && data.length < want)) return END;
        return this.collate_fn(data);
      }
      const r = this.iter.next();
      return r.done ? END : this.collate_fn(r.value);
    }
    if (this.auto_collation) return this.collate_fn((index as number[]).map((i) => getitem(this.dataset as MapDataset, i)));
    return this.collate_fn(getitem(this.dataset as MapDataset, index as number));
  }
}
