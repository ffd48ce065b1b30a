export { Module } from '../module';
export { Identity, Linear } from './linear';
export { Conv2d } from './conv';
export { _ConvNd, Conv1d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from './conv';
export { _BatchNorm, BatchNorm1d, BatchNorm2d } from './batchnorm';
export { _NormBase, BatchNorm3d, SyncBatchNorm } from './batchnorm';
export { ReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax } from './activation';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling';
export { Dropout } from './dropout';
export { Flatten } from './flatten';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './container';
export { _Loss, _WeightedLoss, L1Loss, MSELoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss } from './loss';
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell } from './rnn';
export { Embedding, EmbeddingBag } from './sparse';
export { MultiheadAttention, NonDynamicallyQuantizableLinear } from './attention';
export { Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer, TransformerDecoderLayer } from './transformer';
export { _InstanceNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, GroupNorm, LocalResponseNorm, CrossMapLRN2d } from './normalization';
export {
  Threshold, RReLU, Hardtanh, ReLU6, Hardsigmoid, SiLU, Mish, Hardswish, ELU, CELU, SELU, GLU, Hardshrink, LeakyReLU, LogSigmoid,
  Softplus, Softshrink, Softsign, Tanhshrink, Softmin, Softmax2d, PReLU,
} from './activation2';
export {
  KLDivLoss, HuberLoss, SmoothL1Loss, SoftMarginLoss, CosineEmbeddingLoss, HingeEmbeddingLoss, MarginRankingLoss, MultiLabelMarginLoss,
  MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, GaussianNLLLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, CTCLoss,
} from './loss2';
export {
  MaxPool1d, MaxPool3d, AvgPool1d, AvgPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, LPPool1d, LPPool2d, AdaptiveMaxPool1d,
  AdaptiveMaxPool2d, AdaptiveMaxPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool3d, FractionalMaxPool2d, FractionalMaxPool3d,
} from './pooling2';
export {
  ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad2d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d,
  ReplicationPad2d, ReplicationPad3d, Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle, ChannelShuffle,
  Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout, Unflatten, CosineSimilarity, PairwiseDistance, Fold, Unfold, Bilinear,
} from './misc';
export {
  LazyLinear, LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
  LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d,
} from './lazy';
export type { LazyModule } from './lazy';
export { AdaptiveLogSoftmaxWithLoss } from './adaptive';
export { NLLLoss2d } from './loss2';
export { Container } from './container';
export { DataParallel } from './data_parallel';
