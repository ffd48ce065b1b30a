// torchvision.models._utils: what every builder shares: the legacy interface (positional
// weights/progress, `pretrained`), `_ovewrite_named_param`, `_make_divisible`, and loading a
// weights entry into a freshly built model. One mechanism for all builders (`makeBuilder`).
import { Tensor } from '../../tensor';
import { Module } from '../../nn/module';
import * as nn from '../../nn';
import { warn } from '../../warnings';
import { WeightsEnum, register_model } from './_api';
import { _LEGACY_PRETRAINED } from './_zoo_weights';

/** What every builder takes by name: the weights, the download progress switch, the legacy `pretrained`. */
export interface BuilderOptions<W extends WeightsEnum = WeightsEnum> {
  /** Pretrained weights to load (an entry such as `X_Weights.DEFAULT`, or its name), or null for none. Default: null. */
  weights?: W | string | null;
  /** Whether to show a progress bar on stderr while downloading the weights. Default: true. */
  progress?: boolean;
  /**
   * Deprecated since torchvision 0.13 (warns, as torchvision): `pretrained: true` is
   * `weights: <Model>_Weights.IMAGENET1K_V1`, `pretrained: false` is `weights: null`.
   */
  pretrained?: boolean;
}

/** A builder's arguments: options by name, or (deprecated) weights and progress by position first. */
export type BuilderArgs<W extends WeightsEnum, O> = [] | [BuilderOptions<W> & O]
  | [W | string | boolean | null, boolean?, (BuilderOptions<W> & O)?];

/** Python's `sequence_to_str(seq, separate_last='and ')`. */
function sequenceToStr(seq: string[]): string {
  if (!seq.length) return '';
  if (seq.length === 1) return `'${seq[0]}'`;
  const head = `'${seq.slice(0, -1).join("', '")}'`;
  return `${head}${seq.length === 2 ? '' : ','} and '${seq[seq.length - 1]}'`;
}

/**
 * torchvision's `handle_legacy_interface` and `kwonly_to_pos_or_kw` decorators: positional
 * (weights, progress) and `pretrained` are accepted with torchvision's deprecation warnings;
 * what comes out is one options object whose `weights` is the new style. `legacyDefault` is
 * the entry `pretrained: true` stands for (null where the builder had no weights before 0.13).
 */
export function handleLegacyInterface<W extends WeightsEnum, O>(builder: string, legacyDefault: W | null,
  args: readonly unknown[]): BuilderOptions<W> & O {
  const last = args[args.length - 1];
  const hasOptions = args.length > 0 && typeof last === 'object' && last !== null && !(last instanceof WeightsEnum);
  const positional = (hasOptions ? args.slice(0, -1) : args.slice()) as unknown[];
  const kwargs: Record<string, unknown> = hasOptions ? { ...(last as object) } : {};
  for (const k of Object.keys(kwargs)) if (kwargs[k] === undefined) delete kwargs[k];
  if (positional.length > 2) throw new TypeError(`${builder}() takes at most 2 positional arguments but ${positional.length} were given`);
  if (positional.length) {
    const names = ['weights', 'progress'].slice(0, positional.length);
    warn(`Using ${sequenceToStr(names)} as positional parameter(s) is deprecated since 0.13 and may be removed in the future. ` +
      'Please use keyword parameter(s) instead.');
    names.forEach((n, i) => {
      if (n in kwargs) throw new TypeError(`${builder}() got multiple values for argument '${n}'`);
      kwargs[n] = positional[i];
    });
  }

  const weights_param = 'weights', pretrained_param = 'pretrained';
  const NOT_GIVEN = Symbol('sentinel');
  const weights_arg = weights_param in kwargs ? kwargs[weights_param] : NOT_GIVEN;
  if ((!(weights_param in kwargs) && !(pretrained_param in kwargs))
    || weights_arg instanceof WeightsEnum
    || (typeof weights_arg === 'string' && weights_arg !== 'legacy')
    || weights_arg === null) {
    return kwargs as BuilderOptions<W> & O;
  }
  // `weights` given as something else (a boolean, positionally or not) stands for `pretrained`.
  const pretrained_positional = weights_arg !== NOT_GIVEN;
  let pretrained_arg: unknown;
  if (pretrained_positional) {
    kwargs[pretrained_param] = pretrained_arg = kwargs[weights_param];
    delete kwargs[weights_param];
  } else {
    pretrained_arg = kwargs[pretrained_param];
  }
  const default_weights_arg = pretrained_arg ? legacyDefault : null;
  if (!pretrained_positional) {
    warn(`The parameter '${pretrained_param}' is deprecated since 0.13 and may be removed in the future, please use '${weights_param}' instead.`);
  }
  let msg = `Arguments other than a weight enum or \`None\` for '${weights_param}' are deprecated since 0.13 and may be removed in the future. ` +
    `The current behavior is equivalent to passing \`${weights_param}=${default_weights_arg === null ? 'None' : String(default_weights_arg)}\`.`;
  if (pretrained_arg) {
    const cls = default_weights_arg === null ? 'NoneType' : default_weights_arg.constructor.name;
    msg = `${msg} You can also use \`${weights_param}=${cls}.DEFAULT\` to get the most up-to-date weights.`;
  }
  warn(msg);
  delete kwargs[pretrained_param];
  kwargs[weights_param] = default_weights_arg;
  return kwargs as BuilderOptions<W> & O;
}

/** torchvision's `_ovewrite_named_param`: sets kwargs[param] = new_value, refusing a different value given by the caller. */
export function _ovewrite_named_param(kwargs: Record<string, unknown>, param: string, new_value: unknown): void {
  if (param in kwargs && kwargs[param] !== undefined) {
    if (kwargs[param] !== new_value) {
      throw new Error(`The parameter '${param}' expected value ${fmt(new_value)} but got ${fmt(kwargs[param])} instead.`);
    }
  } else {
    kwargs[param] = new_value;
  }
}

const fmt = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : v === null || v === undefined ? 'None' : String(v));

/**
 * torchvision's `_make_divisible` (from the TensorFlow MobileNet code): `v` rounded to the nearest
 * multiple of `divisor`, at least `min_value`, and never more than 10% below `v`.
 */
export function _make_divisible(v: number, divisor: number, min_value: number | null = null): number {
  if (min_value === null) min_value = divisor;
  // int(v + divisor / 2) // divisor * divisor: v is positive, so trunc is Python's int()
  let new_v = Math.max(min_value, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  // Make sure that round down does not go down by more than 10%.
  if (new_v < 0.9 * v) new_v += divisor;
  return new_v;
}

/** Loads `weights` (its checkpoint from the torch.hub cache, downloaded first if missing) into `model`. */
export function loadWeights(model: Module, weights: WeightsEnum, progress: boolean): void {
  const state_dict = weights.get_state_dict({ progress });
  try {
    model.load_state_dict(state_dict);
  } finally {
    // The model holds copies: the checkpoint's tensors go now, not at the next GC.
    for (const t of Object.values(state_dict)) if (t instanceof Tensor) t.dispose();
  }
}

type WeightsClass<W extends WeightsEnum> = { verify(obj: unknown): W | null; from_str(s: string): W; name: string };

/**
 * A registered builder `name(...)`: the arguments go through the legacy interface, `weights` is
 * verified against `enumClass`, keys outside `options` are refused (Python's unexpected keyword
 * TypeError), and `build(weights, progress, kwargs)` makes the model. With weights, `num_classes`
 * is overwritten from the entry's categories before `build` and the checkpoint loaded after it.
 */
export function makeBuilder<W extends WeightsEnum, O extends object, M extends Module>(
  name: string, enumClass: WeightsClass<W>, legacy: string | null, options: readonly string[],
  build: (weights: W | null, kwargs: O & Record<string, unknown>) => M,
  load: (model: M, weights: W, progress: boolean, given: Record<string, unknown>) => void = loadWeights,
): (...args: BuilderArgs<W, O>) => M {
  const allowed = new Set(options);
  const fn = (...args: BuilderArgs<W, O>): M => {
    // torchvision's own table where the generator recorded it (regnet_y_128gf has none).
    const legacyName = Object.prototype.hasOwnProperty.call(_LEGACY_PRETRAINED, name) ? _LEGACY_PRETRAINED[name] : legacy;
    const legacyDefault = legacyName === null ? null : enumClass.from_str(legacyName);
    const { weights, progress, ...rest } = handleLegacyInterface<W, O>(name, legacyDefault, args);
    const kwargs = rest as O & Record<string, unknown>;
    for (const k of Object.keys(kwargs)) {
      if (!allowed.has(k)) throw new TypeError(`${name}() got an unexpected keyword argument '${k}'`);
    }
    const w = enumClass.verify(weights);
    const given = { ...kwargs }; // as the caller passed them, before the overwrites below
    // Weights without categories (VGG-16 IMAGENET1K_FEATURES) leave num_classes as given.
    if (w !== null && w.meta.categories !== null) _ovewrite_named_param(kwargs, "num_classes", w.meta.categories.length);
    const model = build(w, kwargs);
    if (w !== null) load(model, w, progress ?? true, given);
    return model;
  };
  return register_model(name, fn, enumClass as never);
}

/** Python's round(x) for a float: halves go to the even neighbour. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A model's constructor arguments: positional in `names` order, or by name in a trailing object (bind's rules). */
export { bind as bindArgs, REQUIRED } from '../../nn/common';

/**
 * The weight initialisation of MobileNetV2/V3 and EfficientNet (torchvision's loop over
 * self.modules()): Conv2d kaiming_normal_(fan_out) and a zero bias, BatchNorm2d/GroupNorm weight 1
 * and bias 0, Linear weight by `linear` (which differs) and a zero bias; in module order (the draws).
 */
export function initWeights(model: Module, linear: (m: nn.Linear) => void): void {
  for (const m of model.modules()) {
    if (m instanceof nn.Conv2d) {
      nn.init.kaiming_normal_(m.weight, { mode: 'fan_out' });
      if (m.bias !== null) nn.init.zeros_(m.bias);
    } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
      nn.init.ones_(m.weight!);
      nn.init.zeros_(m.bias!);
    } else if (m instanceof nn.Linear) {
      linear(m);
      nn.init.zeros_(m.bias!);
    }
  }
}
