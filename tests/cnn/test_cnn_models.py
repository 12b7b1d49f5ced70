"""Model builders against PyTorch twins with the same weights (CNN-ARCH, CNN-FC,
CNN-RESNET) and the transfer-learning helpers (NN-TRANSFER)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.models import (
    VGG,
    BasicBlock,
    LeNet5,
    ResNet,
    freeze,
    load_partial_state_dict,
    replace_head,
    resnet,
    trainable_parameters,
    unfreeze,
    vgg_block,
)
from gradkit.nn.conv import Conv2d
from gradkit.nn.pool import MaxPool2d
from parity import requires_torch, torch

tnn = None if torch is None else torch.nn


def _torch_twin(model: gk.nn.Module, twin: tnn.Module) -> tnn.Module:
    """Load gradkit's weights into a PyTorch module with the same state_dict names."""
    state = {k: torch.tensor(np.asarray(v.detach().numpy())) for k, v in model.state_dict().items()}
    twin.load_state_dict(state, strict=True)
    return twin.double()


def _assert_same(model, twin, shape, atol=1e-9):
    """Forward and every parameter gradient agree (float64, random upstream gradient)."""
    model = model.double()
    x = np.random.default_rng(0).standard_normal(shape)
    out, ref = model(gk.tensor(x)), twin(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=atol, rtol=1e-7)
    up = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(up)
    ref.backward(torch.tensor(up))
    twin_params = dict(twin.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(
            p.grad.detach().numpy(),
            twin_params[name].grad.numpy(),
            atol=atol,
            rtol=1e-6,
            err_msg=name,
        )


@requires_torch
def test_lenet5_matches_pytorch_twin():
    """CNN-ARCH / CNN-FC: LeNet-5 (conv-pool-conv-pool, flatten 16·5·5 = 400, 120-84-10)
    computes what the same network in PyTorch computes, forward and backward."""
    model = LeNet5()
    twin = tnn.Module()
    twin.features = tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2),
    )  # fmt: skip
    twin.classifier = tnn.Sequential(
        tnn.Flatten(), tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(),
        tnn.Linear(84, 10),
    )  # fmt: skip
    twin.forward = lambda x: twin.classifier(twin.features(x))
    _assert_same(model, _torch_twin(model, twin), (3, 1, 28, 28))
    assert sum(p.numel() for p in model.parameters()) == 61_706


def test_lenet5_variants():
    assert LeNet5(activation="tanh", pooling="avg", input_size=32)(
        gk.randn(2, 1, 32, 32)
    ).shape == (
        2,
        10,
    )
    assert LeNet5(num_classes=3, in_channels=3)(gk.randn(1, 3, 28, 28)).shape == (1, 3)
    with pytest.raises(ValueError, match="activation"):
        LeNet5(activation="gelu")


def test_vgg_uses_only_3x3_convs_and_2x2_pools():
    """CNN-ARCH: every conv is 3×3 with padding 1 (size kept), every pool 2×2 stride 2
    (size halved); the head's input is C · (32/2^5)² for vgg11 on 32×32."""
    model = VGG("vgg11", hidden=64)
    convs = [m for m in model.modules() if isinstance(m, Conv2d)]
    pools = [m for m in model.modules() if isinstance(m, MaxPool2d)]
    assert len(convs) == 8 and len(pools) == 5
    assert all(c.kernel_size == (3, 3) and c.padding == (1, 1) for c in convs)
    assert all(p.kernel_size == 2 and p.stride == 2 for p in pools)
    assert model.classifier[1].in_features == 512
    assert model.eval()(gk.randn(1, 3, 32, 32)).shape == (1, 10)


@requires_torch
def test_small_vgg_matches_pytorch_twin():
    model = VGG([4, "M", 8, 8, "M"], in_channels=3, num_classes=5, input_size=12, hidden=16)
    model.eval()  # dropout off: deterministic
    twin = tnn.Module()
    twin.features = tnn.Sequential(
        tnn.Conv2d(3, 4, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(4, 8, 3, padding=1), tnn.ReLU(), tnn.Conv2d(8, 8, 3, padding=1), tnn.ReLU(),
        tnn.MaxPool2d(2),
    )  # fmt: skip
    twin.classifier = tnn.Sequential(
        tnn.Flatten(), tnn.Linear(72, 16), tnn.ReLU(), tnn.Dropout(), tnn.Linear(16, 5)
    )
    twin.forward = lambda x: twin.classifier(twin.features(x))
    _assert_same(model, _torch_twin(model, twin).eval(), (2, 3, 12, 12))


def test_vgg_block_halves_and_widens():
    assert vgg_block(3, 16, num_convs=2, batch_norm=True)(gk.randn(2, 3, 10, 10)).shape == (
        2,
        16,
        5,
        5,
    )


def _torch_basic_block(cin, cout, stride):
    """PyTorch's twin of BasicBlock (built inside the test: torch may be absent)."""

    class TorchBasicBlock(tnn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(cout)
            self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(cout)
            self.shortcut = tnn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = tnn.Sequential(
                    tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout)
                )

        def forward(self, x):
            out = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))

    return TorchBasicBlock(cin, cout, stride)


@requires_torch
@pytest.mark.parametrize("cin,cout,stride", [(4, 4, 1), (4, 8, 2)])
def test_basic_block_matches_pytorch_twin(cin, cout, stride):
    """CNN-RESNET: the residual block y = ReLU(F(x) + shortcut(x)), identity or 1×1
    projection shortcut, batch norm in training mode — equal to PyTorch's."""
    block = BasicBlock(cin, cout, stride)
    _assert_same(block, _torch_twin(block, _torch_basic_block(cin, cout, stride)), (3, cin, 7, 7))


def test_residual_path_carries_the_identity():
    """CNN-RESNET: with the residual branch's last BN scale at 0, F(x) = 0 and the block
    is ReLU(x): the signal and its gradient pass through unchanged (for x > 0)."""
    block = BasicBlock(3, 3)
    with gk.no_grad():
        block.bn2.weight.data[...] = 0
    x = gk.tensor(np.abs(np.random.default_rng(0).standard_normal((2, 3, 5, 5))) + 0.1)
    x = x.float().detach().requires_grad_()
    out = block(x)
    np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), np.ones(x.shape), rtol=1e-6)


def test_small_resnet():
    model = resnet(8, in_channels=1)
    assert model(gk.randn(2, 1, 28, 28)).shape == (2, 10)
    n_blocks = sum(isinstance(m, BasicBlock) for m in model.modules())
    assert n_blocks == 3
    assert ResNet((2, 1), (8, 16), in_channels=3, num_classes=4)(gk.randn(1, 3, 9, 9)).shape == (
        1,
        4,
    )
    with pytest.raises(ValueError, match="6n \\+ 2"):
        resnet(10)


# ---------------------------------------------------------------- transfer learning
def test_freeze_backbone_trains_only_the_head():
    """NN-TRANSFER: a frozen backbone gets no gradients and does not move under the
    optimizer; the replaced head does."""
    model = LeNet5()
    before = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    freeze(model.features)
    head = replace_head(model, 4)
    assert head.out_features == 4 and head.in_features == 84
    trainable = trainable_parameters(model)
    assert len(trainable) == 6  # the three classifier Linear layers
    opt = gk.optim.SGD(trainable, lr=0.1)
    x, y = gk.randn(8, 1, 28, 28), gk.tensor(np.arange(8) % 4)
    loss = gk.nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    for p in model.features.parameters():
        assert p.grad is None
    after = model.state_dict()
    for k in before:
        if k.startswith("features"):
            np.testing.assert_array_equal(after[k].detach().numpy(), before[k])
    assert not np.array_equal(
        after["classifier.1.weight"].detach().numpy(), before["classifier.1.weight"]
    )
    unfreeze(model)
    assert len(trainable_parameters(model)) == 10


def test_partial_state_dict_loads_backbone_and_skips_the_old_head():
    """NN-TRANSFER: weights of a 10-class network load into a 5-class one except the head
    (shape mismatch), and ``load_state_dict(strict=False)`` accepts the backbone alone."""
    source, target = LeNet5(num_classes=10), LeNet5(num_classes=5)
    loaded, skipped = load_partial_state_dict(target, source.state_dict())
    assert skipped == ["classifier.5.bias", "classifier.5.weight"]
    assert "features.0.weight" in loaded
    np.testing.assert_array_equal(
        target.features[0].weight.detach().numpy(), source.features[0].weight.detach().numpy()
    )
    backbone = {k: v for k, v in source.state_dict().items() if k.startswith("features")}
    fresh = LeNet5(num_classes=5)
    missing, unexpected = fresh.load_state_dict(backbone, strict=False)
    assert unexpected == [] and all(k.startswith("classifier") for k in missing)
    np.testing.assert_array_equal(
        fresh.features[3].weight.detach().numpy(), source.features[3].weight.detach().numpy()
    )
    with pytest.raises(RuntimeError, match="size mismatch"):
        LeNet5(num_classes=5).load_state_dict(source.state_dict(), strict=False)


def test_replace_head_on_resnet_and_vgg():
    assert replace_head(resnet(8), 3).in_features == 64
    vgg = VGG([4, "M"], input_size=4, hidden=8)
    new = replace_head(vgg, gk.nn.Linear(8, 2))
    assert vgg.classifier[-1] is new
    assert vgg(gk.randn(1, 3, 4, 4)).shape == (1, 2)
