// get_worker_info(): set in a DataLoader worker thread, null elsewhere.
export class WorkerInfo {
  constructor(
    /** the worker's id, 0 .. num_workers - 1 */
    readonly id: number,
    readonly num_workers: number,
    /** base_seed + id (a BigInt: it can exceed 2^53) */
    readonly seed: bigint,
    /** this worker's copy of the dataset */
    readonly dataset: unknown,
  ) { Object.freeze(this); }
  toString(): string { return `WorkerInfo(id=${this.id}, num_workers=${this.num_workers}, seed=${this.seed}, dataset=${(this.dataset as object)?.constructor?.name})`; }
}

let current: WorkerInfo | null = null;
/** @internal */
export function _set_worker_info(info: WorkerInfo): void { current = info; }
export function get_worker_info(): WorkerInfo | null { return current; }
