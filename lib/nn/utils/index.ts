// torch.nn.utils: `nn.utils.clip_grad_norm_(...)`, `nn.utils.rnn.pack_sequence(...)`.
import * as rnn from './rnn';
import { functional_call } from './misc';
import { fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights } from './misc';

export { rnn };
export { clip_grad_norm_, clip_grad_norm, clip_grad_value_, parameters_to_vector, vector_to_parameters } from './clip_grad';
export { weight_norm, remove_weight_norm, spectral_norm, remove_spectral_norm, WeightNorm, SpectralNorm } from './weight_norm';
export { convert_conv2d_weight_memory_format } from './misc';
export { skip_init, fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights } from './misc';
/** torch.nn.utils.stateless */
export const stateless = { functional_call };
/** torch.nn.utils.fusion */
// read through the module object, so that these are its exports as installGuards leaves them
export const fusion = {
  get fuse_conv_bn_eval(): typeof fuse_conv_bn_eval { return misc.fuse_conv_bn_eval; },
  get fuse_conv_bn_weights(): typeof fuse_conv_bn_weights { return misc.fuse_conv_bn_weights; },
  get fuse_linear_bn_eval(): typeof fuse_linear_bn_eval { return misc.fuse_linear_bn_eval; },
  get fuse_linear_bn_weights(): typeof fuse_linear_bn_weights { return misc.fuse_linear_bn_weights; },
};
import * as parametrize from './parametrize';
/** torch.nn.utils.parametrize */
export { parametrize };
import * as parametrizations from './parametrizations';
import * as misc from './misc';
/** torch.nn.utils.parametrizations (orthogonal, spectral_norm) */
export { parametrizations };
