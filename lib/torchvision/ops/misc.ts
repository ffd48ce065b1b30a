// torchvision.ops.misc: Conv2dNormActivation (and its deprecated parent ConvNormActivation) and
// SqueezeExcitation, as torchvision 0.14, the building blocks of the mobile classifiers.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { Module } from '../../nn/module';
import { warn } from '../../warnings';
import { bind, Rest, REQUIRED } from '../../nn/common';
import { expect } from '../../guard';
import { listOf } from '../../arraylike';

/** A layer factory as torchvision takes one: a Module class, or a function returning a Module. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LayerFactory = (new (...args: any[]) => Module) | ((...args: any[]) => Module);

/** Calls a Module class with `new`, any other function plainly (Python calls both the same way). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function callLayer(f: LayerFactory, ...args: any[]): Module {
  expect.callable('layer', 'factory', f); // a conv_block / norm_layer option that is no layer
  const p = (f as { prototype?: unknown }).prototype;
  if (p instanceof Module || p === Module.prototype) return new (f as new (...a: unknown[]) => Module)(...args);
  return (f as (...a: unknown[]) => Module)(...args);
}

export interface ConvNormActivationOptions {
  kernel_size?: number | [number, number];
  stride?: number | [number, number];
  /** Default: (kernel_size - 1) / 2 * dilation, i.e. "same" for odd kernels at stride 1. */
  padding?: number | [number, number] | null;
  groups?: number;
  /** Default: nn.BatchNorm2d; null for none. */
  norm_layer?: LayerFactory | null;
  /** Default: nn.ReLU; null for none. */
  activation_layer?: LayerFactory | null;
  dilation?: number | [number, number];
  /** Passed to activation_layer as `{ inplace }`; null passes nothing. Default: true. */
  inplace?: boolean | null;
  /** Default: true exactly when norm_layer is null. */
  bias?: boolean | null;
}

const CNA_KEYS = ['kernel_size', 'stride', 'padding', 'groups', 'norm_layer', 'activation_layer', 'dilation', 'inplace', 'bias'] as const;

type CNAArgs = [ConvNormActivationOptions?] | [number | [number, number], ...unknown[]];

function cnaOptions(name: string, args: CNAArgs): ConvNormActivationOptions {
  const last = args[args.length - 1];
  const hasOpts = typeof last === 'object' && last !== null && !Array.isArray(last);
  const pos = hasOpts ? args.slice(0, -1) : args;
  const o: Record<string, unknown> = hasOpts ? { ...(last as object) } : {};
  for (const k of Object.keys(o)) {
    if (!(CNA_KEYS as readonly string[]).includes(k)) throw new TypeError(`${name}.__init__() got an unexpected keyword argument '${k}'`);
  }
  if (pos.length > CNA_KEYS.length) throw new TypeError(`${name}.__init__() takes at most ${CNA_KEYS.length + 2} positional arguments`);
  pos.forEach((v, i) => {
    if (CNA_KEYS[i] in o) throw new TypeError(`${name}.__init__() got multiple values for argument '${CNA_KEYS[i]}'`);
    o[CNA_KEYS[i]] = v;
  });
  return o as ConvNormActivationOptions;
}

/**
 * A convolution, a normalisation layer and an activation, as one Sequential whose children are
 * named 0, 1, 2 (torchvision's ConvNormActivation; deprecated, warns: use Conv2dNormActivation).
 * `new ConvNormActivation(in_channels, out_channels, kernel_size = 3, stride = 1, padding = null,
 * groups = 1, norm_layer = nn.BatchNorm2d, activation_layer = nn.ReLU, dilation = 1, inplace = true, bias = null)`.
 */
export class ConvNormActivation extends nn.Sequential {
  declare out_channels: number;

  constructor(in_channels: number, out_channels: number, ...args: CNAArgs) {
    const o = cnaOptions(new.target.name, args);
    const kernel_size = o.kernel_size ?? 3;
    const dilation = o.dilation ?? 1;
    let padding = o.padding ?? null;
    if (padding === null) {
      if (typeof kernel_size === 'number' && typeof dilation === 'number') {
        padding = Math.floor((kernel_size - 1) / 2) * dilation;
      } else {
        const k = typeof kernel_size === 'number' ? [kernel_size, kernel_size] : kernel_size;
        const d = typeof dilation === 'number' ? [dilation, dilation] : dilation;
        padding = [0, 1].map((i) => Math.floor((k[i] - 1) / 2) * d[i]) as [number, number];
      }
    }
    const norm_layer = o.norm_layer === undefined ? nn.BatchNorm2d : o.norm_layer;
    const activation_layer = o.activation_layer === undefined ? nn.ReLU : o.activation_layer;
    const inplace = o.inplace === undefined ? true : o.inplace;
    const bias = o.bias ?? norm_layer === null;
    const layers: Module[] = [new nn.Conv2d(in_channels, out_channels, kernel_size, {
      stride: o.stride ?? 1, padding, dilation, groups: o.groups ?? 1, bias,
    })];
    if (norm_layer !== null) layers.push(callLayer(norm_layer, out_channels));
    if (activation_layer !== null) layers.push(inplace === null ? callLayer(activation_layer) : callLayer(activation_layer, { inplace }));
    super(...layers);
    this.out_channels = out_channels;
    if (new.target === ConvNormActivation) {
      warn("Don't use ConvNormActivation directly, please use Conv2dNormActivation and Conv3dNormActivation instead.");
    }
  }
}

/** A 2-D convolution, a normalisation layer and an activation (torchvision.ops.Conv2dNormActivation); arguments as ConvNormActivation's. */
export class Conv2dNormActivation extends ConvNormActivation {}

export interface SqueezeExcitationOptions {
  /** The `delta` activation. Default: nn.ReLU. */
  activation?: LayerFactory;
  /** The `sigma` activation. Default: nn.Sigmoid. */
  scale_activation?: LayerFactory;
}

/**
 * The Squeeze-and-Excitation block (https://arxiv.org/abs/1709.01507): the input scaled per channel
 * by sigma(fc2(delta(fc1(avgpool(input))))), fc1 and fc2 being 1x1 convolutions.
 */
export class SqueezeExcitation extends Module {
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare fc1: nn.Conv2d;
  declare fc2: nn.Conv2d;
  declare activation: Module;
  declare scale_activation: Module;

  constructor(input_channels: number, squeeze_channels: number,
    ...args: [] | [SqueezeExcitationOptions] | [LayerFactory, LayerFactory?]) {
    super();
    const o: SqueezeExcitationOptions = typeof args[0] === 'object' && args[0] !== null ? args[0] as SqueezeExcitationOptions
      : { activation: args[0] as LayerFactory | undefined, scale_activation: args[1] as LayerFactory | undefined };
    for (const k of Object.keys(o)) {
      if (k !== 'activation' && k !== 'scale_activation') throw new TypeError(`SqueezeExcitation.__init__() got an unexpected keyword argument '${k}'`);
    }
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.fc1 = new nn.Conv2d(input_channels, squeeze_channels, 1);
    this.fc2 = new nn.Conv2d(squeeze_channels, input_channels, 1);
    this.activation = callLayer(o.activation ?? nn.ReLU);
    this.scale_activation = callLayer(o.scale_activation ?? nn.Sigmoid);
  }

  _scale(input: Tensor): Tensor {
    let scale = this.avgpool(input);
    scale = this.fc1(scale);
    scale = this.activation(scale);
    scale = this.fc2(scale);
    return this.scale_activation(scale);
  }

  forward(input: Tensor): Tensor {
    const scale = this._scale(input);
    return scale.mul(input);
  }
}

/** A view of the input with its dimensions permuted to `dims` (torchvision.ops.misc.Permute). */
export class Permute extends Module {
  declare dims: number[];
  constructor(dims: number[]) {
    super();
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d))) throw new TypeError('Permute.__init__(): argument \'dims\' must be a list of ints');
    this.dims = [...dims];
  }
  forward(x: Tensor): Tensor { return x.permute(this.dims); }
}

export interface MLPOptions {
  /** Applied after each hidden Linear (not the last). Default: null, none. */
  norm_layer?: LayerFactory | null;
  /** Default: nn.ReLU. */
  activation_layer?: LayerFactory;
  /** Passed as `{ inplace }` to the activation and dropout layers; null passes nothing. Default: null. */
  inplace?: boolean | null;
  bias?: boolean;
  dropout?: number;
}

/**
 * torchvision.ops.MLP: Linear layers to each of hidden_channels in turn, each but the last followed by
 * norm_layer, activation_layer and Dropout, the last by Dropout only (children named 0, 1, ...).
 */
export class MLP extends nn.Sequential {
  /** `new MLP(in_channels, hidden_channels, norm_layer = null, activation_layer = nn.ReLU, inplace = null, bias = true, dropout = 0.0)`. */
  constructor(in_channels: number, hidden_channels: number[],
    ...args: Rest<[LayerFactory | null, LayerFactory, boolean | null, boolean, number], MLPOptions>) {
    const o = bind<{ in_channels: number; hidden_channels: number[] } & Required<MLPOptions>>('MLP', [in_channels, hidden_channels, ...args], {
      in_channels: REQUIRED, hidden_channels: REQUIRED, norm_layer: null, activation_layer: nn.ReLU, inplace: null, bias: true, dropout: 0.0,
    });
    const inplace = o.inplace;
    const params = inplace === null ? [] : [{ inplace }];
    const bias = o.bias, dropout = o.dropout;
    const layers: Module[] = [];
    // both by position or by keyword; a list (Python slices it)
    let in_dim = o.in_channels;
    hidden_channels = listOf<number>(o.hidden_channels, "MLP(): argument 'hidden_channels'");
    for (const hidden_dim of hidden_channels.slice(0, -1)) {
      layers.push(new nn.Linear(in_dim, hidden_dim, { bias }));
      if (o.norm_layer) layers.push(callLayer(o.norm_layer, hidden_dim));
      layers.push(callLayer(o.activation_layer, ...params));
      layers.push(new nn.Dropout({ p: dropout, ...params[0] }));
      in_dim = hidden_dim;
    }
    layers.push(new nn.Linear(in_dim, hidden_channels[hidden_channels.length - 1], { bias }));
    layers.push(new nn.Dropout({ p: dropout, ...params[0] }));
    super(...layers);
  }
}
