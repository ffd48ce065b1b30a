// torch.memory_format: its own module so that Tensor (contiguous, is_contiguous) and the binder share it.
/** torch.memory_format objects (c10::MemoryFormat codes). */
export class memory_format {
  /** @internal */
  constructor(readonly name: string, readonly code: number) {}
  toString(): string { return `torch.${this.name}`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}
export const contiguous_format = new memory_format('contiguous_format', 0);
export const preserve_format = new memory_format('preserve_format', 1);
export const channels_last = new memory_format('channels_last', 2);
export const channels_last_3d = new memory_format('channels_last_3d', 3);
