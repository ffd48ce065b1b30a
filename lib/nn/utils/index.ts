// torch.nn.utils: `nn.utils.clip_grad_norm_(...)`, `nn.utils.rnn.pack_sequence(...)`.
import * as rnn from './rnn';

export { rnn };
export { clip_grad_norm_, clip_grad_norm, clip_grad_value_, parameters_to_vector, vector_to_parameters } from './clip_grad';
