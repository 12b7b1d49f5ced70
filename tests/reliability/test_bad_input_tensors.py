"""Bad input at tensor creation and in everyday ops gets a clear error naming the
problem (issue #19; T-TENSOR, T-HADAMARD): what PyTorch refuses, gradkit refuses too,
with a message that says what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

CASES = [
    (lambda: gk.tensor(["a", "b"]), TypeError, r"can't make a tensor of <U1 values \(list given\)"),
    (lambda: gk.tensor(None), TypeError, r"can't make a tensor of object values \(NoneType given\)"),
    (lambda: gk.tensor({"a": 1}), TypeError, r"object values \(dict given\)"),
    (lambda: gk.from_numpy(np.array(["x"])), TypeError, r"can't make a tensor of <U1 values"),
    (lambda: gk.tensor([[1, 2], [3]]), ValueError, r"ragged nested sequence"),
    (lambda: gk.zeros(2.5), TypeError, r"the shape must be ints or a tuple of ints, got \(2.5,\)"),
    (lambda: gk.ones((2, "a")), TypeError, r"the shape must be ints"),
    (lambda: gk.zeros(-1), ValueError, r"negative dimension in shape \(-1,\)"),
    (lambda: gk.randn(-2, 3), ValueError, r"negative dimension"),
    (lambda: gk.arange(0, 10, 0), ValueError, r"step must be nonzero"),
    (lambda: gk.ones(2, 3) * gk.ones(4, 3), ValueError, r"mul: shapes \(2, 3\) and \(4, 3\) are not broadcastable"),
    (lambda: gk.ones(2, 3) + gk.ones(3, 2), ValueError, r"add: shapes \(2, 3\) and \(3, 2\) are not broadcastable"),
    (lambda: gk.ones(2, 3) @ gk.ones(2, 3), RuntimeError, r"\(2, 3\).*\(2, 3\)"),
    (lambda: gk.ones(2, 3).reshape(4, 2), ValueError, r"\(2, 3\).*\(4, 2\)|6.*8"),
    (lambda: gk.ones(2, 3).squeeze(5), IndexError, r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"),
    (lambda: gk.cat([gk.ones(2), gk.ones(2)], dim=1), IndexError, r"Dimension out of range"),
    (lambda: gk.ones(2, 3).sum(dim=2), IndexError, r"Dimension out of range"),
    (lambda: gk.ones(3).item(), ValueError, r"item\(\) needs a tensor with exactly one element, got shape \(3,\)"),
    (lambda: bool(gk.ones(3)), ValueError, r"truth value of a tensor with 3 elements is ambiguous"),
    (lambda: gk.ones(3, dtype=gk.int64).requires_grad_(), RuntimeError, r"Only floating point tensors can require gradients"),
    (lambda: gk.ones(3).float().backward(), RuntimeError, r"does not require grad"),
    (lambda: np.asarray(gk.ones(3, requires_grad=True)), RuntimeError, r"use t.detach\(\).numpy\(\)"),
    (lambda: gk.ones(3, requires_grad=True).numpy(), RuntimeError, r"use detach\(\).numpy\(\)"),
    (lambda: gk.multinomial(gk.tensor([-1.0, 2.0]), 1), RuntimeError, r"probability tensor contains either inf, nan or element < 0"),
    (lambda: gk.multinomial(gk.tensor([0.5, 0.5]), 3), RuntimeError, r"cannot sample n_sample \(3\) > prob_dist.size\(-1\) \(2\) samples without replacement"),
    (lambda: gk.ones(2, 2).to("cuda"), RuntimeError, r"CUDA|cuda"),
    (lambda: gk.ones(2).type("torch.BFloat16Tensor"), (TypeError, ValueError), r"bfloat16"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", CASES, ids=range(len(CASES)))
def test_tensor_bad_input_is_refused_with_the_reason(call, kind, message):
    with pytest.raises(kind, match=message):
        call()
