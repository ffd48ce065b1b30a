#!/usr/bin/python3
"""Writes test/fixtures/nn-rnn.json (and nn-rnn/*.pth): reference values from
PyTorch 1.13 for the recurrent, embedding and attention layers and nn.utils.

Run with Debian's interpreter (torch 1.13; the `python3` first on PATH has none):
    /usr/bin/python3 scripts/gen-nn-rnn-fixtures.py

modules: for each (class, args, kwargs, seed): the parameters right after
  torch.manual_seed(seed) + construction (bit-exact), repr, then steps
  (train/eval): forward arguments, the outputs flattened (a PackedSequence
  as its data, None left out), the gradients of sum(out_i * g_i) for the
  parameters and the first input.
errors: constructor / forward calls that fail, with Python's message and type.
utils: nn.utils.rnn and nn.utils (clip_grad_*, vectors) on fixed inputs.
state: an LSTM state_dict saved by Python (nn-rnn/lstm-state.pth) and its eval output.

Arguments are tagged: {"__tensor__": ...}, {"__packed__": {"sequences", "enforce_sorted"}}
(built with pack_sequence); tuples become arrays, None null.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import rnn as rnn_utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_record import FIXTURES as OUT, enc, enc_arg as _enc_arg  # noqa: E402


class Packed:
    """A forward argument built with pack_sequence (recorded as its sequences)."""
    def __init__(self, sequences, enforce_sorted=True):
        self.sequences, self.enforce_sorted = sequences, enforce_sorted

    def build(self, grad=False):
        seqs = [s.clone().requires_grad_(grad) for s in self.sequences]
        return seqs, rnn_utils.pack_sequence(seqs, enforce_sorted=self.enforce_sorted)


def _enc_rnn(v):
    """What only this generator passes: packed sequences, modules, functions."""
    if isinstance(v, Packed):
        return {"__packed__": {"sequences": [enc(s) for s in v.sequences], "enforce_sorted": v.enforce_sorted}}
    if isinstance(v, nn.Module):
        return {"__module__": type(v).__name__}
    if callable(v):
        return {"__fn__": v.__name__}
    return None


def enc_arg(v):
    return _enc_arg(v, _enc_rnn)


def flatten(out):
    if out is None:
        return []
    if isinstance(out, rnn_utils.PackedSequence):
        return [out.data]
    if isinstance(out, torch.Tensor):
        return [out]
    return [t for o in out for t in flatten(o)]


def build_module(cls, args, kwargs):
    if cls == "TransformerEncoder":
        layer = nn.TransformerEncoderLayer(*args[0], **args[1])
        return nn.TransformerEncoder(layer, *args[2:], **kwargs)
    if cls == "TransformerDecoder":
        layer = nn.TransformerDecoderLayer(*args[0], **args[1])
        return nn.TransformerDecoder(layer, *args[2:], **kwargs)
    return getattr(nn, cls)(*args, **kwargs)


def module_case(name, cls, args=(), kwargs=None, steps=(), seed=0, rtol=None):
    """steps: (mode, [forward args], input_grad) run in order on one module; forward args are
    tensors (cloned; the first float one gets a gradient when input_grad), Packed, tuples, None,
    or {"kw": {...}} as the last item for keyword arguments."""
    kwargs = kwargs or {}
    torch.manual_seed(seed)
    m = build_module(cls, args, kwargs)
    case = {
        "name": name, "cls": cls, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs), "seed": seed,
        "repr": repr(m), "params": {k: enc(v) for k, v in m.named_parameters()}, "steps": [],
    }
    if rtol is not None:
        case["rtol"] = rtol
    gen = torch.Generator().manual_seed(2000 + seed)
    for i, (mode, fargs, input_grad) in enumerate(steps):
        m.train(mode == "train")
        kw = {}
        if fargs and isinstance(fargs[-1], dict) and "kw" in fargs[-1]:
            kw = fargs[-1]["kw"]
            fargs = fargs[:-1]
        grad_of = None
        call_args = []
        for a in fargs:
            if isinstance(a, str) and a.startswith("__same"):
                call_args.append(call_args[int(a[6:-2])])
            elif isinstance(a, Packed):
                seqs, p = a.build(grad=input_grad and grad_of is None)
                if input_grad and grad_of is None:
                    grad_of = seqs[0]
                call_args.append(p)
            elif isinstance(a, torch.Tensor) and a.dtype.is_floating_point and input_grad and grad_of is None:
                grad_of = a.clone().requires_grad_(True)
                call_args.append(grad_of)
            else:
                call_args.append(a)
        step_seed = 300 + i
        before = {k: v.detach().clone() for k, v in m.named_parameters()}
        torch.manual_seed(step_seed)
        if mode == "eval_nograd":
            with torch.no_grad():
                out = m(*call_args, **kw)
            outs = flatten(out)
            case["steps"].append({"mode": mode, "seed": step_seed, "args": enc_arg(list(fargs)), "kw": enc_arg(kw),
                                  "outputs": [enc(o) for o in outs]})
            continue
        out = m(*call_args, **kw)
        outs = flatten(out)
        gs = [torch.randn(o.shape, generator=gen) for o in outs]
        m.zero_grad()
        loss = sum((o * g).sum() for o, g in zip(outs, gs))
        loss.backward()
        case["steps"].append({
            "mode": mode, "seed": step_seed, "args": enc_arg(list(fargs)), "kw": enc_arg(kw),
            "outputs": [enc(o) for o in outs], "gs": [enc(g) for g in gs],
            "input_grad": enc(grad_of.grad) if grad_of is not None else None,
            "grads": {k: enc(v.grad) for k, v in m.named_parameters() if v.grad is not None},
            # Only what forward changed in place (Embedding's max_norm renormalises rows).
            "params_after": {k: enc(v) for k, v in m.named_parameters() if not torch.equal(v.detach(), before[k])},
        })
    return case


G = torch.Generator().manual_seed(7)


def rn(*shape):
    return torch.randn(*shape, generator=G)


def idx(high, *shape):
    return torch.randint(0, high, shape, generator=G)


seqs = lambda *lens, f=4: [rn(n, f) for n in lens]  # noqa: E731

modules = [
    module_case("RNN(4, 5)", "RNN", (4, 5), seed=1,
                steps=[("train", [rn(3, 2, 4)], True), ("eval", [rn(2, 3, 4), rn(1, 3, 5)], True)]),
    module_case("RNN relu, 2 layers, no bias, batch_first", "RNN", (4, 5, 2), {"nonlinearity": "relu", "bias": False, "batch_first": True}, seed=2,
                steps=[("train", [rn(2, 3, 4), rn(2, 2, 5)], True)]),
    module_case("RNN bidirectional unbatched", "RNN", (3, 4), {"bidirectional": True}, seed=3,
                steps=[("train", [rn(5, 3)], True), ("train", [rn(4, 3), rn(2, 4)], True)]),
    module_case("LSTM(4, 5)", "LSTM", (4, 5), seed=4,
                steps=[("train", [rn(3, 2, 4)], True), ("eval", [rn(2, 2, 4), (rn(1, 2, 5), rn(1, 2, 5))], True)]),
    module_case("LSTM 2 layers bidirectional proj_size dropout", "LSTM", (4, 6, 2),
                {"bidirectional": True, "proj_size": 3, "dropout": 0.3}, seed=5,
                steps=[("train", [rn(3, 2, 4), (rn(4, 2, 3), rn(4, 2, 6))], True), ("eval", [rn(3, 2, 4)], True)]),
    module_case("LSTM batch_first unbatched", "LSTM", (3, 4), {"batch_first": True}, seed=6,
                steps=[("train", [rn(5, 3), (rn(1, 4), rn(1, 4))], True), ("train", [rn(2, 5, 3)], True)]),
    module_case("GRU(4, 5)", "GRU", (4, 5), seed=7, steps=[("train", [rn(3, 2, 4)], True)]),
    module_case("GRU 2 layers bidirectional dropout", "GRU", (4, 5, 2), {"bidirectional": True, "dropout": 0.25}, seed=8,
                steps=[("train", [rn(3, 3, 4)], True), ("eval", [rn(3, 3, 4), rn(4, 3, 5)], True)]),
    module_case("GRU unbatched", "GRU", (2, 3), seed=9, steps=[("train", [rn(4, 2), rn(1, 3)], True)]),
    module_case("LSTM packed unsorted", "LSTM", (4, 5), {"num_layers": 2}, seed=10,
                steps=[("train", [Packed(seqs(2, 4, 3), enforce_sorted=False)], True),
                       ("train", [Packed(seqs(3, 1, 2), enforce_sorted=False), (rn(2, 3, 5), rn(2, 3, 5))], True)]),
    module_case("GRU packed sorted bidirectional", "GRU", (4, 3), {"bidirectional": True}, seed=11,
                steps=[("train", [Packed(seqs(4, 2, 1))], True)]),
    module_case("RNN packed with hx", "RNN", (4, 3), {"nonlinearity": "relu"}, seed=12,
                steps=[("eval", [Packed(seqs(1, 3), enforce_sorted=False), rn(1, 2, 3)], True)]),
    module_case("LSTM float64", "LSTM", (2, 3), {"dtype": torch.float64}, seed=13, steps=[]),
    module_case("RNNCell(4, 5)", "RNNCell", (4, 5), seed=20, steps=[("train", [rn(3, 4), rn(3, 5)], True), ("train", [rn(4)], True)]),
    module_case("RNNCell relu no bias", "RNNCell", (4, 5, False, "relu"), seed=21, steps=[("train", [rn(2, 4)], True)]),
    module_case("LSTMCell(4, 5)", "LSTMCell", (4, 5), seed=22,
                steps=[("train", [rn(3, 4), (rn(3, 5), rn(3, 5))], True), ("train", [rn(4), (rn(5), rn(5))], True)]),
    module_case("GRUCell(4, 5)", "GRUCell", (4, 5), seed=23, steps=[("train", [rn(3, 4)], True), ("train", [rn(4), rn(5)], True)]),
    module_case("GRUCell no bias", "GRUCell", (3, 2), {"bias": False}, seed=24, steps=[("train", [rn(2, 3)], True)]),
    module_case("Embedding(10, 3)", "Embedding", (10, 3), seed=30, steps=[("train", [idx(10, 2, 4)], False)]),
    module_case("Embedding padding_idx=-2", "Embedding", (10, 4), {"padding_idx": -2}, seed=31,
                steps=[("train", [torch.tensor([[8, 1, 8], [2, 3, 8]])], False)]),
    module_case("Embedding max_norm", "Embedding", (6, 3), {"max_norm": 1.0, "norm_type": 1.5, "scale_grad_by_freq": True}, seed=32,
                steps=[("train", [torch.tensor([0, 2, 2, 5])], False)]),
    module_case("Embedding sparse", "Embedding", (5, 2), {"sparse": True}, seed=33, steps=[]),
    module_case("EmbeddingBag(10, 3)", "EmbeddingBag", (10, 3), seed=40, steps=[("train", [idx(10, 2, 4)], False)]),
    module_case("EmbeddingBag sum offsets per_sample_weights", "EmbeddingBag", (10, 3), {"mode": "sum"}, seed=41,
                steps=[("train", [torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 4]), rn(8)], False)]),
    module_case("EmbeddingBag max include_last_offset", "EmbeddingBag", (10, 3), {"mode": "max", "include_last_offset": True}, seed=42,
                steps=[("train", [torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 3, 8])], False)]),
    module_case("EmbeddingBag padding_idx max_norm", "EmbeddingBag", (8, 2), {"padding_idx": 3, "max_norm": 2.0}, seed=43,
                steps=[("train", [torch.tensor([[3, 1], [3, 3]])], False)]),
]

causal = nn.Transformer.generate_square_subsequent_mask
x8 = rn(3, 2, 8)
attention = [
    module_case("MultiheadAttention self-attention dropout", "MultiheadAttention", (8, 2), {"dropout": 0.2}, seed=50,
                steps=[("train", [x8, "__same0__", "__same0__"], True), ("eval", [rn(3, 2, 8), "__same0__", "__same0__"], True)]),
    module_case("MultiheadAttention kdim vdim add_bias_kv no bias masks", "MultiheadAttention", (6, 3),
                {"kdim": 4, "vdim": 5, "bias": False, "add_bias_kv": True}, seed=51,
                steps=[("train", [rn(3, 2, 6), rn(4, 2, 4), rn(4, 2, 5),
                                  {"kw": {"key_padding_mask": torch.tensor([[False, False, True, False], [False, False, False, True]]),
                                          "attn_mask": rn(3, 4), "average_attn_weights": False}}], True)]),
    module_case("MultiheadAttention batch_first add_zero_attn bool 3-D mask", "MultiheadAttention", (8, 2),
                {"batch_first": True, "add_zero_attn": True}, seed=52,
                steps=[("train", [rn(2, 3, 8), rn(2, 4, 8), "__same1__",
                                  {"kw": {"attn_mask": torch.rand(4, 3, 4, generator=G) > 0.7}}], True)]),
    module_case("MultiheadAttention unbatched, key is value", "MultiheadAttention", (4, 2), seed=53,
                steps=[("train", [rn(3, 4), rn(5, 4), "__same1__", {"kw": {"need_weights": False}}], True),
                       ("train", [rn(3, 4), rn(5, 4), "__same1__", {"kw": {"key_padding_mask": torch.tensor([False, True, False, False, True])}}], True)]),
    module_case("MultiheadAttention fast path (eval, no grad)", "MultiheadAttention", (8, 2), {"batch_first": True}, seed=54,
                steps=[("eval_nograd", [rn(2, 3, 8), "__same0__", "__same0__"], False),
                       ("eval_nograd", [rn(2, 4, 8), "__same0__", "__same0__",
                                        {"kw": {"key_padding_mask": torch.tensor([[False, False, False, True], [False, False, False, False]])}}], False)]),
    module_case("TransformerEncoderLayer masks", "TransformerEncoderLayer", (8, 2, 16), seed=60,
                steps=[("train", [rn(4, 2, 8), causal(4), torch.tensor([[False, False, False, True], [False, False, False, False]])], True),
                       ("eval", [rn(3, 2, 8)], True)]),
    module_case("TransformerEncoderLayer norm_first gelu batch_first", "TransformerEncoderLayer", (8, 2),
                {"dim_feedforward": 12, "activation": "gelu", "norm_first": True, "batch_first": True, "dropout": 0.0}, seed=61,
                steps=[("train", [rn(2, 3, 8)], True), ("eval_nograd", [rn(2, 3, 8)], False)]),
    module_case("TransformerEncoderLayer F.gelu fast path with key padding", "TransformerEncoderLayer", (8, 2, 16),
                {"activation": F.gelu, "batch_first": True}, seed=62,
                steps=[("eval_nograd", [rn(2, 4, 8), {"kw": {"src_key_padding_mask": torch.tensor([[False, False, True, True], [False, False, False, False]])}}], False),
                       ("eval", [rn(2, 4, 8)], True)]),
    module_case("TransformerEncoderLayer GELU module, odd heads", "TransformerEncoderLayer", (6, 3, 8), {"activation": nn.GELU()}, seed=63,
                steps=[("eval_nograd", [rn(3, 2, 6)], False), ("train", [rn(3, 2, 6)], True)]),
    module_case("TransformerDecoderLayer masks", "TransformerDecoderLayer", (8, 2, 16), seed=64,
                steps=[("train", [rn(3, 2, 8), rn(4, 2, 8), {"kw": {"tgt_mask": causal(3),
                        "memory_key_padding_mask": torch.tensor([[False, False, True, True], [False, False, False, False]])}}], True),
                       ("eval", [rn(3, 2, 8), rn(2, 2, 8)], True)]),
    module_case("TransformerDecoderLayer norm_first batch_first", "TransformerDecoderLayer", (8, 4, 10),
                {"norm_first": True, "batch_first": True, "activation": "gelu"}, seed=65,
                steps=[("train", [rn(2, 3, 8), rn(2, 5, 8)], True)]),
    module_case("TransformerEncoder 2 layers, nested path", "TransformerEncoder", ((8, 2, 16), {"batch_first": True}, 2), seed=66,
                steps=[("train", [rn(2, 4, 8)], True),
                       ("eval_nograd", [rn(3, 5, 8), {"kw": {"src_key_padding_mask": torch.tensor(
                           [[False, False, False, True, True], [False, False, True, True, True], [False, False, False, False, True]])}}], False),
                       ("eval_nograd", [rn(2, 3, 8), {"kw": {"src_key_padding_mask": torch.tensor([[False, True, False], [False, False, False]])}}], False)]),
    module_case("TransformerDecoder 2 layers", "TransformerDecoder", ((8, 2, 16), {}, 2), seed=67,
                steps=[("train", [rn(3, 2, 8), rn(4, 2, 8), {"kw": {"tgt_mask": causal(3)}}], True)]),
    module_case("Transformer small", "Transformer", (),
                {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 1, "dim_feedforward": 16}, seed=68,
                steps=[("train", [rn(4, 2, 8), rn(3, 2, 8), {"kw": {"tgt_mask": causal(3),
                        "src_key_padding_mask": torch.tensor([[False, False, False, True], [False, False, False, False]])}}], True),
                       ("eval", [rn(4, 2, 8), rn(3, 2, 8)], True)], rtol=3e-4),
    module_case("Transformer batch_first norm_first", "Transformer", (8, 2, 1, 1, 12, 0.0),
                {"batch_first": True, "norm_first": True}, seed=69,
                steps=[("train", [rn(2, 4, 8), rn(2, 3, 8)], True),
                       ("eval_nograd", [rn(2, 4, 8), rn(2, 3, 8), {"kw": {"src_key_padding_mask": torch.tensor([[False, False, True, True], [False, False, False, False]])}}], False)],
                rtol=3e-4),
]
modules += attention

E = {"ValueError": "ValueError", "RuntimeError": "RuntimeError", "AssertionError": "AssertionError", "TypeError": "TypeError"}


def error_case(name, cls, args, kwargs=None, forward=None):
    kwargs = kwargs or {}
    case = {"name": name, "cls": cls, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs),
            "forward": enc_arg(forward) if forward is not None else None}
    try:
        torch.manual_seed(0)
        m = getattr(nn, cls)(*args, **kwargs)
        if forward is None:
            raise AssertionError("expected the constructor to fail: " + name)
        m(*forward)
    except Exception as e:  # noqa: BLE001
        case["type"] = type(e).__name__
        case["message"] = str(e)
        return case
    raise AssertionError("no error: " + name)


errors = [
    error_case("proj_size >= hidden_size", "LSTM", (4, 5), {"proj_size": 5}),
    error_case("negative proj_size", "LSTM", (4, 5), {"proj_size": -1}),
    error_case("GRU with proj_size", "GRU", (4, 5), {"proj_size": 2}),
    error_case("RNN with proj_size", "RNN", (4, 5), {"proj_size": 2}),
    error_case("unknown nonlinearity", "RNN", (4, 5), {"nonlinearity": "sigmoid"}),
    error_case("dropout out of range", "LSTM", (4, 5), {"dropout": 1.5}),
    error_case("input_size mismatch", "LSTM", (4, 5), forward=[rn(3, 2, 3)]),
    error_case("4-D input", "GRU", (4, 5), forward=[rn(3, 2, 2, 4)]),
    error_case("hx size", "LSTM", (4, 5), forward=[rn(3, 2, 4), (rn(1, 3, 5), rn(1, 2, 5))]),
    error_case("cx size", "LSTM", (4, 5), forward=[rn(3, 2, 4), (rn(1, 2, 5), rn(1, 2, 4))]),
    error_case("GRU hx size", "GRU", (4, 5, 2), forward=[rn(3, 2, 4), rn(1, 2, 5)]),
    error_case("batched input, 2-D hx", "RNN", (4, 5), forward=[rn(3, 2, 4), rn(2, 5)]),
    error_case("unbatched input, 3-D hx", "GRU", (4, 5), forward=[rn(3, 4), rn(1, 2, 5)]),
    error_case("LSTM batched, 2-D hx", "LSTM", (4, 5), forward=[rn(3, 2, 4), (rn(2, 5), rn(2, 5))]),
    error_case("LSTM unbatched, 3-D hx", "LSTM", (4, 5), forward=[rn(3, 4), (rn(1, 1, 5), rn(1, 5))]),
    error_case("padding_idx out of range", "Embedding", (10, 3), {"padding_idx": 10}),
    error_case("negative padding_idx out of range", "Embedding", (10, 3), {"padding_idx": -11}),
    error_case("EmbeddingBag padding_idx out of range", "EmbeddingBag", (10, 3), {"padding_idx": 12}),
    error_case("EmbeddingBag 2-D input with offsets", "EmbeddingBag", (10, 3), forward=[torch.tensor([[1, 2]]), torch.tensor([0])]),
    error_case("EmbeddingBag 1-D input without offsets", "EmbeddingBag", (10, 3), forward=[torch.tensor([1, 2])]),
    error_case("EmbeddingBag 3-D input", "EmbeddingBag", (10, 3), forward=[torch.tensor([[[1, 2]]])]),
    error_case("EmbeddingBag per_sample_weights with mean", "EmbeddingBag", (10, 3), forward=[torch.tensor([1, 2]), torch.tensor([0]), rn(2)]),
    error_case("EmbeddingBag per_sample_weights shape", "EmbeddingBag", (10, 3), {"mode": "sum"}, forward=[torch.tensor([1, 2]), torch.tensor([0]), rn(3)]),
    error_case("EmbeddingBag bad mode", "EmbeddingBag", (10, 3), {"mode": "min"}, forward=[torch.tensor([[1, 2]])]),
    error_case("LSTMCell 3-D input", "LSTMCell", (4, 5), forward=[rn(1, 2, 4)]),
    error_case("MHA embed_dim not divisible", "MultiheadAttention", (6, 4)),
    error_case("MHA 4-D query", "MultiheadAttention", (4, 2), forward=[rn(1, 2, 3, 4), rn(1, 2, 3, 4), rn(1, 2, 3, 4)]),
    error_case("MHA batched query, 2-D key", "MultiheadAttention", (4, 2), forward=[rn(2, 3, 4), rn(2, 4), rn(2, 4)]),
    error_case("MHA embed dim mismatch", "MultiheadAttention", (4, 2), forward=[rn(2, 3, 6), rn(2, 3, 6), rn(2, 3, 6)]),
    error_case("MHA 2-D attn_mask shape", "MultiheadAttention", (4, 2), forward=[rn(2, 3, 4), rn(5, 3, 4), rn(5, 3, 4), None, True, rn(2, 4)]),
    error_case("MHA 3-D attn_mask shape", "MultiheadAttention", (4, 2), forward=[rn(2, 3, 4), rn(5, 3, 4), rn(5, 3, 4), None, True, rn(3, 2, 5)]),
    error_case("MHA int key_padding_mask", "MultiheadAttention", (4, 2), forward=[rn(2, 3, 4), rn(5, 3, 4), rn(5, 3, 4), torch.zeros(3, 5, dtype=torch.long)]),
    error_case("MHA key_padding_mask shape", "MultiheadAttention", (4, 2), forward=[rn(2, 3, 4), rn(5, 3, 4), rn(5, 3, 4), torch.zeros(3, 4, dtype=torch.bool)]),
    error_case("MHA key/value shape", "MultiheadAttention", (4, 2), forward=[rn(2, 3, 4), rn(5, 3, 4), rn(4, 3, 4)]),
    error_case("bad activation", "TransformerEncoderLayer", (8, 2), {"activation": "tanh"}),
    error_case("Transformer batch mismatch", "Transformer", (8, 2, 1, 1, 16), forward=[rn(3, 2, 8), rn(3, 3, 8)]),
    error_case("Transformer d_model mismatch", "Transformer", (8, 2, 1, 1, 16), forward=[rn(3, 2, 6), rn(3, 2, 6)]),
]

# ---- nn.utils.rnn -----------------------------------------------------------------------


def utils_rnn():
    out = []
    a, b, c = rn(3, 2), rn(1, 2), rn(2, 2)
    padded = rn(4, 3, 2)
    for lengths, bf, sorted_ in [([4, 2, 1], False, True), ([2, 4, 3], False, False), ([3, 3, 1], True, False)]:
        x = padded.transpose(0, 1).contiguous() if bf else padded
        p = rnn_utils.pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=sorted_)
        entry = {"input": enc(x), "lengths": lengths, "batch_first": bf, "enforce_sorted": sorted_,
                 "data": enc(p.data), "batch_sizes": enc(p.batch_sizes),
                 "sorted_indices": enc(p.sorted_indices) if p.sorted_indices is not None else None,
                 "unsorted_indices": enc(p.unsorted_indices) if p.unsorted_indices is not None else None}
        y, l = rnn_utils.pad_packed_sequence(p, batch_first=bf, padding_value=-1.0, total_length=6)
        entry["padded"], entry["padded_lengths"] = enc(y), enc(l)
        out.append(entry)
    ps = rnn_utils.pad_sequence([a, b, c], batch_first=True, padding_value=9.0)
    ps2 = rnn_utils.pad_sequence([a, b, c])
    packed = rnn_utils.pack_sequence([a, b, c], enforce_sorted=False)
    unpacked = rnn_utils.unpack_sequence(packed)
    try:
        rnn_utils.pad_packed_sequence(packed, total_length=2)
    except ValueError as e:
        total_length_error = str(e)
    try:
        rnn_utils.pack_sequence([a, b, c])
    except RuntimeError as e:
        unsorted_error = str(e)
    return {"pack_padded": out, "sequences": [enc(a), enc(b), enc(c)],
            "pad_sequence_batch_first": enc(ps), "pad_sequence": enc(ps2),
            "pack_sequence": {"data": enc(packed.data), "batch_sizes": enc(packed.batch_sizes),
                              "sorted_indices": enc(packed.sorted_indices), "unsorted_indices": enc(packed.unsorted_indices),
                              "repr": repr(packed)},
            "unpacked": [enc(t) for t in unpacked], "total_length_error": total_length_error, "unsorted_error": unsorted_error}


def utils_clip():
    out = []
    for norm_type, max_norm in [(2.0, 1.0), (1.0, 0.5), (float("inf"), 0.1), (0.5, 100.0), (3.0, 0.2)]:
        ps = [torch.nn.Parameter(rn(3, 2)), torch.nn.Parameter(rn(4)), torch.nn.Parameter(rn(2))]
        for p in ps[:2]:
            p.grad = rn(*p.shape)
        grads = [enc(p.grad) for p in ps[:2]]
        total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        out.append({"norm_type": "inf" if norm_type == float("inf") else norm_type, "max_norm": max_norm,
                    "params": [enc(p) for p in ps], "grads": grads, "total": enc(total),
                    "clipped": [enc(p.grad) for p in ps[:2]]})
    p = torch.nn.Parameter(rn(5))
    p.grad = torch.tensor([float("nan"), 1.0, 2.0, 3.0, 4.0])
    try:
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    except RuntimeError as e:
        nonfinite = str(e)
    p = torch.nn.Parameter(rn(6))
    p.grad = rn(6)
    g0 = enc(p.grad)
    nn.utils.clip_grad_value_([p], 0.5)
    value = {"param": enc(p), "grad": g0, "clip_value": 0.5, "clipped": enc(p.grad)}
    ps = [rn(2, 3), rn(4), rn(1, 1, 2)]
    before = [enc(t) for t in ps]
    vec = nn.utils.parameters_to_vector(ps)
    new = rn(vec.numel())
    nn.utils.vector_to_parameters(new, ps)
    return {"clip_grad_norm": out, "nonfinite_error": nonfinite, "clip_grad_value": value,
            "vectors": {"params": before, "vec": enc(vec), "new": enc(new)},
            "vec_after": [enc(t) for t in ps]}


def utils_norms():
    out = {}
    for key, dim in [("weight_norm", 0), ("weight_norm_dim1", 1), ("weight_norm_dimNone", None)]:
        torch.manual_seed(80)
        m = nn.Linear(4, 3)
        nn.utils.weight_norm(m, dim=dim)
        x = rn(2, 4)
        y = m(x)
        g = rn(*y.shape)
        (y * g).sum().backward()
        entry = {"dim": dim, "names": [k for k, _ in m.named_parameters()], "params": {k: enc(v) for k, v in m.named_parameters()},
                 "input": enc(x), "output": enc(y), "g": enc(g), "grads": {k: enc(v.grad) for k, v in m.named_parameters()},
                 "repr": repr(m)}
        nn.utils.remove_weight_norm(m)
        entry["after_remove"] = {k: enc(v) for k, v in m.named_parameters()}
        out[key] = entry
    torch.manual_seed(81)
    m = nn.Linear(5, 4)
    nn.utils.spectral_norm(m)
    sn = {"names": [k for k, _ in m.named_parameters()], "buffers": {k: enc(v) for k, v in m.named_buffers()},
          "state_keys": list(m.state_dict().keys()), "metadata": dict(m.state_dict()._metadata[""]), "steps": []}
    for mode in ["train", "train", "eval"]:
        m.train(mode == "train")
        x = rn(3, 5)
        y = m(x)
        g = rn(*y.shape)
        m.zero_grad()
        (y * g).sum().backward()
        sn["steps"].append({"mode": mode, "input": enc(x), "output": enc(y), "g": enc(g),
                            "grads": {k: enc(v.grad) for k, v in m.named_parameters()},
                            "buffers": {k: enc(v) for k, v in m.named_buffers()}})
    nn.utils.remove_spectral_norm(m)
    sn["after_remove"] = {k: enc(v) for k, v in m.named_parameters()}
    out["spectral_norm"] = sn
    try:
        nn.utils.remove_weight_norm(nn.Linear(2, 2))
    except ValueError as e:
        out["remove_error"] = str(e)
    try:
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    except ValueError as e:
        out["power_error"] = str(e)
    torch.manual_seed(82)
    lin = nn.Linear(3, 2)
    w, b, x = rn(2, 3), rn(2), rn(4, 3)
    out["functional_call"] = {"weight": enc(w), "bias": enc(b), "input": enc(x),
                              "output": enc(torch.nn.utils.stateless.functional_call(lin, {"weight": w, "bias": b}, (x,))),
                              "own": enc(lin(x))}
    torch.manual_seed(83)
    conv, bn = nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.running_mean.copy_(rn(3)); bn.running_var.copy_(rn(3).abs() + 0.5); bn.weight.copy_(rn(3)); bn.bias.copy_(rn(3))
    conv.eval(); bn.eval()
    fused = nn.utils.fusion.fuse_conv_bn_eval(conv, bn)
    x = rn(1, 2, 5, 5)
    out["fuse"] = {"conv_seed": 83, "bn": {k: enc(v) for k, v in bn.state_dict().items() if v.dtype.is_floating_point},
                   "weight": enc(fused.weight), "bias": enc(fused.bias), "input": enc(x), "output": enc(fused(x)), "reference": enc(bn(conv(x)))}
    torch.manual_seed(84)
    nn.utils.skip_init(nn.Linear, 30, 40)
    out["skip_init_next_rand"] = enc(torch.rand(3))
    return out


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(0, 1)

    def right_inverse(self, A):
        return A.triu()


class Scale(nn.Module):
    def forward(self, X):
        return X * 2.0

    def right_inverse(self, Y):
        return Y / 2.0


def utils_parametrize():
    import torch.nn.utils.parametrize as P
    torch.manual_seed(90)
    m = nn.Linear(3, 3)
    w0 = m.weight.detach().clone()
    P.register_parametrization(m, "weight", Symmetric())
    P.register_parametrization(m, "weight", Scale())
    out = {"w0": enc(w0), "repr": repr(m), "state_keys": list(m.state_dict().keys()),
           "names": [k for k, _ in m.named_parameters()], "original": enc(m.parametrizations.weight.original),
           "weight": enc(m.weight)}
    x = rn(2, 3)
    y = m(x)
    y.sum().backward()
    out.update({"input": enc(x), "output": enc(y), "original_grad": enc(m.parametrizations.weight.original.grad)})
    with torch.no_grad():
        target = rn(3, 3)
        m.weight = target
    out["set_target"] = enc(target)
    out["original_after_set"] = enc(m.parametrizations.weight.original)
    P.remove_parametrizations(m, "weight")
    out["after_remove"] = {k: enc(v) for k, v in m.named_parameters()}
    out["repr_after"] = repr(m)
    try:
        P.register_parametrization(nn.Linear(2, 2), "nope", Symmetric())
    except ValueError as e:
        out["missing_error"] = str(e)
    return out


def utils_parametrizations():
    from torch.nn.utils import parametrizations as PZ
    out = []
    for name, shape, kw in [("orthogonal default (matrix_exp)", (4, 4), {}), ("orthogonal cayley", (4, 4), {"orthogonal_map": "cayley"}),
                            ("orthogonal householder, wide", (3, 5), {}), ("orthogonal householder, tall", (5, 3), {}),
                            ("orthogonal matrix_exp, tall", (5, 3), {"orthogonal_map": "matrix_exp"}),
                            ("orthogonal householder, no trivialization", (5, 3), {"use_trivialization": False}),
                            ("spectral_norm", (4, 5), None)]:
        torch.manual_seed(95)
        m = nn.Linear(*shape)
        if kw is None:
            PZ.spectral_norm(m)
        else:
            PZ.orthogonal(m, **kw)
        entry = {"name": name, "shape": list(shape), "kw": kw, "spectral": kw is None,
                 "state": {k: enc(v) for k, v in m.state_dict().items()}, "repr": repr(m), "steps": []}
        for mode in ["train", "train", "eval"]:
            m.train(mode == "train")
            x = rn(2, shape[0])
            y = m(x)
            m.zero_grad()
            y.sum().backward()
            entry["steps"].append({"mode": mode, "input": enc(x), "output": enc(y), "weight": enc(m.weight),
                                   "grads": {k: enc(v.grad) for k, v in m.named_parameters()},
                                   "buffers": {k: enc(v) for k, v in m.named_buffers()}})
        out.append(entry)
    return out


def functional_mha():
    """F.multi_head_attention_forward called directly: static_k/static_v, separate projections, bias_k/v."""
    out = []
    E, H, L, S, N = 6, 2, 3, 4, 2
    for name, extra in [
        ("static_k and static_v", {"static_k": rn(N * H, 5, E // H), "static_v": rn(N * H, 5, E // H)}),
        ("separate projection weights, byte mask", {"use_separate_proj_weight": True, "q_proj_weight": rn(E, E), "k_proj_weight": rn(E, E),
                                                    "v_proj_weight": rn(E, E), "attn_mask": (torch.rand(L, S, generator=G) > 0.8).to(torch.uint8)}),
        ("bias_k, bias_v, add_zero_attn, float key_padding_mask", {"key_padding_mask": torch.tensor([[0.0, 0.0, -1.0, 0.0], [0.0, -2.0, 0.0, 0.0]])}),
    ]:
        q, k, v = rn(L, N, E), rn(S, N, E), rn(S, N, E)
        bias_kv = name.startswith("bias_k")
        args = [q, k, v, E, H, rn(3 * E, E), rn(3 * E), rn(1, 1, E) if bias_kv else None, rn(1, 1, E) if bias_kv else None,
                bias_kv, 0.0, rn(E, E), rn(E)]
        kw = dict(training=False, **extra)
        try:
            o, w = F.multi_head_attention_forward(*args, **kw)
        except Exception as e:  # noqa: BLE001  (2.x rejects the byte mask 1.13 accepted)
            out.append({"name": name, "args": enc_arg(args), "kw": enc_arg(kw), "error": {"type": type(e).__name__, "message": str(e)}})
            continue
        out.append({"name": name, "args": enc_arg(args), "kw": enc_arg(kw), "output": enc(o), "weights": enc(w)})
    return out


def state():
    torch.manual_seed(5)
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    os.makedirs(os.path.join(OUT, "nn-rnn"), exist_ok=True)
    torch.save(m.state_dict(), os.path.join(OUT, "nn-rnn", "lstm-state.pth"))
    m.eval()
    x = rn(4, 2, 3)
    y, (h, c) = m(x)
    torch.manual_seed(6)
    t = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
    torch.save(t.state_dict(), os.path.join(OUT, "nn-rnn", "transformer-state.pth"))
    t.eval()
    src, tgt = rn(4, 2, 8), rn(3, 2, 8)
    return {"file": "nn-rnn/lstm-state.pth", "keys": list(m.state_dict().keys()), "input": enc(x),
            "output": enc(y), "h": enc(h), "c": enc(c),
            "transformer": {"file": "nn-rnn/transformer-state.pth", "keys": list(t.state_dict().keys()),
                            "src": enc(src), "tgt": enc(tgt), "output": enc(t(src, tgt))}}


def main():
    data = {"modules": modules, "errors": errors, "utils_rnn": utils_rnn(), "utils": utils_clip(), "state": state(), "norms": utils_norms(), "parametrize": utils_parametrize(), "parametrizations": utils_parametrizations(), "functional_mha": functional_mha(),
            "square_mask": enc(nn.Transformer.generate_square_subsequent_mask(4))}
    path = os.path.join(OUT, "nn-rnn.json")
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
