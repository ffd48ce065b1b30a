// torchvision.datasets.vision (0.14): VisionDataset and StandardTransform.
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { Dataset } from '../../utils/data/dataset';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Callable = (x: any) => any;

const reprOf = (f: unknown): string => (typeof (f as { toString?: unknown })?.toString === 'function' && Object.getPrototypeOf(f) !== Function.prototype
  ? String(f) : inspect(f));

/** Applies `transform` to the input and `target_transform` to the target. */
export class StandardTransform {
  constructor(readonly transform: Callable | null = null, readonly target_transform: Callable | null = null) {}
  __call__(input: unknown, target: unknown): [unknown, unknown] {
    if (this.transform !== null) input = this.transform(input);
    if (this.target_transform !== null) target = this.target_transform(target);
    return [input, target];
  }
  private static _format(transform: unknown, head: string): string[] {
    const lines = reprOf(transform).split('\n');
    return [`${head}${lines[0]}`, ...lines.slice(1).map((l) => `${' '.repeat(head.length)}${l}`)];
  }
  toString(): string {
    const body = ['StandardTransform'];
    if (this.transform !== null) body.push(...StandardTransform._format(this.transform, 'Transform: '));
    if (this.target_transform !== null) body.push(...StandardTransform._format(this.target_transform, 'Target transform: '));
    return body.join('\n');
  }
  [inspect.custom](): string { return this.toString(); }
}

/** Python's os.path.expanduser for '~' and '~/...'. */
export const expanduser = (p: string): string => (p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p);

export interface VisionOptions {
  transforms?: ((input: unknown, target: unknown) => [unknown, unknown]) | StandardTransform | null;
  transform?: Callable | null;
  target_transform?: Callable | null;
}

export class VisionDataset<T = [unknown, unknown]> extends Dataset<T> {
  root: string;
  transform: Callable | null;
  target_transform: Callable | null;
  transforms: StandardTransform | ((input: unknown, target: unknown) => [unknown, unknown]) | null;
  protected static readonly _repr_indent = 4;

  constructor(root: string, opts: VisionOptions = {}) {
    super();
    this.root = typeof root === 'string' ? expanduser(root) : root;
    const hasTransforms = opts.transforms != null;
    const hasSeparate = opts.transform != null || opts.target_transform != null;
    if (hasTransforms && hasSeparate) throw new RangeError('Only transforms or transform/target_transform can be passed as argument');
    this.transform = opts.transform ?? null;
    this.target_transform = opts.target_transform ?? null;
    this.transforms = hasSeparate ? new StandardTransform(this.transform, this.target_transform) : opts.transforms ?? null;
  }
  __len__(): number { throw new Error('NotImplementedError'); }
  extra_repr(): string { return ''; }
  toString(): string {
    const body = [`Number of datapoints: ${this.__len__()}`];
    if (this.root != null) body.push(`Root location: ${this.root}`);
    const extra = this.extra_repr();
    if (extra) body.push(...extra.split('\n'));
    if (this.transforms != null) body.push(...reprOf(this.transforms).split('\n'));
    return [`Dataset ${this.constructor.name}`, ...body.map((l) => ' '.repeat(VisionDataset._repr_indent) + l)].join('\n');
  }
  [inspect.custom](): string { return this.toString(); }
}
