// torchvision.models._api: the weights API (Weights, WeightsEnum) and the model registry
// (register_model, get_model, get_model_builder, get_model_weights, get_weight, list_models),
// as torchvision 0.14's models/_api.py.
//
// A Python WeightsEnum is an Enum whose values are Weights; here a WeightsEnum subclass has one
// static member per entry (`ResNet18_Weights.IMAGENET1K_V1`), `DEFAULT` being the same object as
// the entry it stands for (an Enum alias: its `name` is the entry's). The Weights fields are read
// through the member as in Python: `w.url`, `w.meta`, `w.transforms()`.
//
// Loading a checkpoint is synchronous, as in Python (`get_state_dict`): from the torch.hub cache
// when the file is there, else downloaded first, blocking (torch.hub's synchronous download, run in
// a child process). `await w.download()` fetches the file without blocking the event loop; the
// synchronous constructors then find it in the cache.
import { inspect } from 'node:util';
import { Tensor } from '../../tensor';
import * as hub from '../../hub';
import { Module } from '../../nn/module';
import { typename } from '../../nn/common';
import { pyTypeName } from '../../binder';

/** What `Weights.transforms` builds: a callable preprocessing preset (an nn.Module). */
export type TransformsFactory = () => Module;

/** The metadata of a set of weights (`meta` in torchvision). */
export interface WeightsMeta {
  /** The class names, index i being output i (the 1,000 ImageNet categories for the classifiers here). */
  categories: readonly string[] | null;
  /** The smallest input [height, width] the model accepts. */
  min_size?: readonly [number, number];
  /** The number of parameters of the model these weights are for. */
  num_params?: number;
  /** Where the training recipe is described. */
  recipe?: string;
  /** Accuracy on a data set: `{ 'ImageNet-1K': { 'acc@1': 69.758, 'acc@5': 89.078 } }`. */
  _metrics?: Record<string, Record<string, number>>;
  /** A description of the weights. */
  _docs?: string;
  [key: string]: unknown;
}

/**
 * The attributes of a set of pre-trained weights (torchvision's `Weights` dataclass): where they
 * are (`url`), how to make the preprocessing the model expects (`transforms`, a constructor called
 * only when needed), and what is known about them (`meta`).
 */
export class Weights {
  readonly url: string;
  readonly transforms: TransformsFactory;
  readonly meta: Readonly<WeightsMeta>;
  constructor(args: { url: string; transforms: TransformsFactory; meta: WeightsMeta }) {
    this.url = args.url;
    this.transforms = args.transforms;
    this.meta = Object.freeze({ ...args.meta });
    Object.freeze(this);
  }
}

/** Options of `get_state_dict` and `download`: torch.hub's. */
export interface WeightsLoadOptions {
  /** Whether to show a progress bar on stderr while downloading. Default: true. */
  progress?: boolean;
  /** Where checkpoints are cached. Default: `<torch.hub.get_dir()>/checkpoints`. */
  model_dir?: string | null;
}

type WeightsEnumClass<T extends WeightsEnum = WeightsEnum> = (abstract new (...args: never[]) => T) & typeof WeightsEnum;

/** Every WeightsEnum subclass created, by class name (what get_weight searches). */
const WEIGHTS_ENUMS = new Map<string, WeightsEnumClass>();

/**
 * The parent class of all weights enums (torchvision's `WeightsEnum`). A subclass lists its
 * entries as static members, each made with `new Subclass(name, weights)`; `DEFAULT` is an alias.
 */
export abstract class WeightsEnum {
  /** The entry's name (`IMAGENET1K_V1`; also for `DEFAULT`, which is an alias of it). */
  readonly name: string;
  /** The Weights of the entry. */
  readonly value: Weights;

  /** @internal The entries are made where the enum is defined (a Python Enum's members), not by callers. */
  constructor(name: string, value: Weights) {
    if (typeof name !== 'string') throw new TypeError(`${new.target.name}(): argument 'name' (position 1) must be str, not ${pyTypeName(name)}`);
    if (!(value instanceof Weights)) throw new TypeError(`${new.target.name}.${name}: the value must be a Weights`);
    this.name = name;
    this.value = value;
    WEIGHTS_ENUMS.set(new.target.name, new.target as unknown as WeightsEnumClass);
  }

  /** Python's `_name_`. */
  get _name_(): string { return this.name; }
  /** Where the checkpoint is downloaded from. */
  get url(): string { return this.value.url; }
  /** What is known about the weights: categories, num_params, min_size, _metrics, recipe. */
  get meta(): Readonly<WeightsMeta> { return this.value.meta; }
  /** The preprocessing preset these weights were evaluated with (a new transform each call). */
  transforms(): Module { return this.value.transforms(); }

  /** The entries of this enum, in their order, aliases (`DEFAULT`) left out, as iterating a Python Enum. */
  static members<T extends WeightsEnum>(this: WeightsEnumClass<T>): T[] {
    return [...new Set(Object.values(this).filter((v): v is T => v instanceof this))];
  }
  /** Every name, aliases included, with its entry (Python's `__members__`). */
  static __members__<T extends WeightsEnum>(this: WeightsEnumClass<T>): Map<string, T> {
    return new Map(Object.entries(this).filter((e): e is [string, T] => e[1] instanceof this));
  }

  /** The entry called `member` (`'IMAGENET1K_V1'`, `'DEFAULT'`). */
  static from_str<T extends WeightsEnum>(this: WeightsEnumClass<T>, member: string): T {
    const m = (this as WeightsEnumClass<T>).__members__().get(member);
    if (m === undefined) throw new Error(`Unknown value '${member}' for ${this.name}.`);
    return m;
  }

  /**
   * Checks what a builder was given as `weights`: null stays null; a string names an entry
   * (`'IMAGENET1K_V1'` or `'ResNet18_Weights.IMAGENET1K_V1'`); an entry of another enum is refused.
   */
  static verify<T extends WeightsEnum>(this: WeightsEnumClass<T>, obj: unknown): T | null {
    if (obj === null || obj === undefined) return null;
    if (typeof obj === 'string') return this.from_str(obj.replace(`${this.name}.`, ''));
    if (!(obj instanceof this)) {
      throw new TypeError(`Invalid Weight class provided; expected ${this.name} but received ${typename(obj)}.`);
    }
    return obj as T;
  }

  /** Where the checkpoint is (or would be) in the torch.hub cache. Synchronous, no network. */
  cache_path(options: Pick<WeightsLoadOptions, 'model_dir'> = {}): string {
    return hub.checkpoint_path(this.url, { model_dir: options.model_dir ?? null });
  }

  /** Whether the checkpoint is already in the torch.hub cache. Synchronous, no network. */
  is_cached(options: Pick<WeightsLoadOptions, 'model_dir'> = {}): boolean {
    return hub.cached_checkpoint_path(this.url, { model_dir: options.model_dir ?? null }) !== null;
  }

  /**
   * Downloads the checkpoint into the torch.hub cache unless it is already there, without blocking
   * the event loop; resolves to its path. After it, the synchronous model builders load it from
   * the cache: `await ResNet18_Weights.DEFAULT.download(); const m = resnet18({ weights: ResNet18_Weights.DEFAULT });`.
   */
  download(options: WeightsLoadOptions = {}): Promise<string> {
    return hub.cached_file_from_url(this.url, { progress: options.progress ?? true, model_dir: options.model_dir ?? null });
  }

  /**
   * The checkpoint's state dict, as torchvision's `get_state_dict(progress)`: `torch.load` of the
   * cached file, downloaded first when it is not in the cache (blocking, as in Python; a failed
   * download throws torch.hub's DownloadError, which names the URL and the exact path where the file
   * can be put by hand).
   */
  get_state_dict(...args: [boolean?] | [WeightsLoadOptions]): Record<string, Tensor> {
    const opts: WeightsLoadOptions = typeof args[0] === 'object' && args[0] !== null ? args[0] : { progress: (args[0] as boolean | undefined) ?? true };
    return hub.load_state_dict_from_url_sync(this.url, { progress: opts.progress ?? true, model_dir: opts.model_dir ?? null });
  }

  /** `get_state_dict`, downloading without blocking the event loop. */
  async get_state_dict_async(options: WeightsLoadOptions = {}): Promise<Record<string, Tensor>> {
    return hub.load_state_dict_from_url(this.url, { progress: options.progress ?? true, model_dir: options.model_dir ?? null });
  }

  /** `ResNet18_Weights.IMAGENET1K_V1`, as Python's repr and str. */
  toString(): string { return `${this.constructor.name}.${this.name}`; }
  toJSON(): string { return this.toString(); }
  [inspect.custom](): string { return this.toString(); }
}

/**
 * The weights entry called `name`, e.g. `get_weight('ResNet50_Weights.IMAGENET1K_V2')`.
 */
export function get_weight(name: string): WeightsEnum {
  const parts = String(name).split('.');
  if (parts.length !== 2) throw new Error(`Invalid weight name provided: '${name}'.`);
  const [enum_name, value_name] = parts;
  const weights_enum = WEIGHTS_ENUMS.get(enum_name);
  if (weights_enum === undefined) throw new Error(`The weight enum '${enum_name}' for the specific method couldn't be retrieved.`);
  return weights_enum.from_str(value_name);
}

// ---- the model registry ------------------------------------------------------------------

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModelBuilder<M extends Module = Module> = ((...args: any[]) => M);

interface Registered { fn: ModelBuilder; weights: WeightsEnumClass }
const BUILTIN_MODELS = new Map<string, Registered>();

/** Registers a builder under `name` (torchvision's `@register_model()`), with its weights enum. */
export function register_model<F extends ModelBuilder>(name: string, fn: F, weights: WeightsEnumClass): F {
  if (BUILTIN_MODELS.has(name)) throw new Error(`An entry is already registered under the name '${name}'.`);
  BUILTIN_MODELS.set(name, { fn, weights });
  return fn;
}

/** The names of the registered models, sorted. */
export function list_models(): string[] {
  return [...BUILTIN_MODELS.keys()].sort();
}

/** The builder registered under `name` (case-insensitive), e.g. `get_model_builder('resnet50')`. */
export function get_model_builder(name: string): ModelBuilder {
  const key = String(name).toLowerCase();
  const r = BUILTIN_MODELS.get(key);
  if (r === undefined) throw new Error(`Unknown model ${key}`);
  return r.fn;
}

/** The weights enum class of a model, given its name or its builder: `get_model_weights('resnet18') === ResNet18_Weights`. */
export function get_model_weights(name: string | ModelBuilder): WeightsEnumClass {
  const fn = typeof name === 'string' ? get_model_builder(name) : name;
  for (const r of BUILTIN_MODELS.values()) if (r.fn === fn) return r.weights;
  throw new Error("The method is missing the 'weights' argument.");
}

/**
 * A model built by its registered builder with the given options (torchvision's
 * `get_model(name, **config)`): `get_model('resnet50', { weights: 'DEFAULT' })`.
 */
export function get_model(name: string, config: Record<string, unknown> = {}): Module {
  return get_model_builder(name)(config);
}
