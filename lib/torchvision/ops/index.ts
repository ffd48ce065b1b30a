// torchvision.ops: the layers the classification models are built of.
export { ConvNormActivation, Conv2dNormActivation, SqueezeExcitation, Permute, MLP } from './misc';
export type { ConvNormActivationOptions, SqueezeExcitationOptions, LayerFactory } from './misc';
export { stochastic_depth, StochasticDepth } from './stochastic_depth';
export type { StochasticDepthMode } from './stochastic_depth';
