"""Evidence tour, group CNN (part 2): the fully connected head, classic architectures
(LeNet-5 trained on MNIST, VGG-16's parameter count), residual blocks and what pooling
does and does not make invariant."""

from __future__ import annotations

import numpy as np

import gradkit as gk
import gradkit.nn as nn
import gradkit.nn.functional as F
from gradkit.models import VGG, VGG_CONFIGS, BasicBlock, LeNet5
from gradkit.tour.experiments._tourdata import mnist_subset, predict, trained_lenet
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_cnn.py"


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


@experiment(
    "CNN-FC",
    group="CNN",
    title="Flatten and fully connected layers at the end",
    claim=(
        "The convolutional feature maps are flattened into one vector per example and "
        "fully connected layers turn it into class scores."
    ),
    formula=(
        "flatten(x)[n, c·H·W + h·W + w] = x[n, c, h, w];  logits = W₂ g(W₁ flatten(x) + b₁) + b₂"
    ),
    code=("gradkit.nn", "Flatten"),
    test=TEST,
)
def cnn_fc(quick: bool) -> Finding:
    net, Xt, yt, losses, acc = trained_lenet(quick)
    with gk.no_grad():
        maps = net.features(gk.tensor(Xt[:8])).numpy()
        flat = nn.Flatten()(gk.tensor(maps)).numpy()
    n, c, h, w = 3, 7, 2, 4
    order_ok = bool(
        flat.shape == (8, 400) and np.array_equal(flat, maps.reshape(8, -1))
        and flat[n, c * 25 + h * 5 + w] == maps[n, c, h, w]
    )  # fmt: skip
    first_fc = net.classifier[1]
    feat_params, head_params = _count(net.features), _count(net.classifier)
    checks = [
        Check(
            "flattening turns (C, H, W) maps into one vector per example, channel-major",
            f"LeNet-5 features {tuple(maps.shape[1:])} → {flat.shape[1]} values, element "
            f"[c, h, w] at c·25 + h·5 + w: {order_ok}; the first FC layer reads "
            f"{first_fc.in_features}",
            order_ok and first_fc.in_features == 400,
        ),
        Check(
            "the fully connected head maps the features to class scores",
            f"conv features + FC head trained on MNIST: test accuracy {acc:.1%}; the head "
            f"holds {head_params:,} of the {feat_params + head_params:,} parameters "
            f"({head_params / (feat_params + head_params):.0%})",
            acc > 0.8,
        ),
    ]
    numbers = {
        "flat_size": int(flat.shape[1]),
        "flatten_order_ok": order_ok,
        "feature_params": feat_params,
        "head_params": head_params,
        "test_accuracy": acc,
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.imshow(maps[0].reshape(16 * 5, 5).T, cmap="gray", aspect="auto")
        ax.set_title("16 feature maps 5×5", fontsize=8)
        ax.axis("off")
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(flat[0])
        ax.set_title("flattened: 400 inputs of the FC head", fontsize=8)

    return Finding(checks, numbers, draw)


def _vgg16_count(quick: bool) -> tuple[int, int, int]:
    """VGG-16 for 224×224×3 and 1000 classes: (conv parameters, FC parameters, total).

    The 13 convolutions are built for real. In quick mode the FC head (25088 → 4096 →
    4096 → 1000, 124M weights) is counted from its layer shapes, in·out + out, with
    ``in`` from the output-size formula; the full mode builds the whole model."""
    config = VGG_CONFIGS["vgg16"]
    if not quick:
        net = VGG("vgg16", in_channels=3, num_classes=1000, input_size=224, hidden=(4096, 4096))
        conv, total = _count(net.features), _count(net)
        return conv, total - conv, total
    layers, channels, side = [], 3, 224
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
            side = F.conv_output_size(side, 2, 2)
        else:
            layers.append(nn.Conv2d(channels, item, 3, padding=1))
            channels = item
    conv = _count(nn.Sequential(*layers))
    widths = [channels * side * side, 4096, 4096, 1000]
    fc = sum(a * b + b for a, b in zip(widths, widths[1:]))
    return conv, fc, conv + fc


@experiment(
    "CNN-ARCH",
    group="CNN",
    title="Classic architectures: LeNet-5 and VGG-16",
    claim=(
        "VGG uses only 3×3 convolutions and 2×2 max pools before a fully connected head; "
        "VGG-16 at 224×224×3 with 1000 classes has 138,357,544 parameters. LeNet-5 "
        "learns MNIST."
    ),
    formula="params(conv) = (F·F·C_in + 1)·C_out;  params(dense) = (in + 1)·out",
    code=("gradkit.models", "VGG"),
    test=TEST,
)
def cnn_arch(quick: bool) -> Finding:
    conv, fc, total = _vgg16_count(quick)
    small = VGG("vgg16", in_channels=3, num_classes=10, input_size=32, hidden=64)
    kernels = {m.kernel_size for m in small.features if isinstance(m, nn.Conv2d)}
    pools = {(m.kernel_size, m.stride) for m in small.features if isinstance(m, nn.MaxPool2d)}
    n_conv = sum(isinstance(m, nn.Conv2d) for m in small.features)
    net, Xt, yt, losses, acc = trained_lenet(quick)
    lenet_params = _count(LeNet5())
    checks = [
        Check(
            "VGG-16: only 3×3 convolutions and 2×2 max pools",
            f"{n_conv} convolutions with kernel sizes {sorted(kernels)}, pools "
            f"(kernel, stride) {sorted(pools)}, then 3 fully connected layers",
            kernels == {(3, 3)} and n_conv == 13 and len(pools) == 1,
        ),
        Check(
            "VGG-16 at 224×224×3, 1000 classes: 138,357,544 parameters",
            f"{total:,} counted ({conv:,} in convolutions, {fc:,} in the FC head"
            f"{', head counted from its layer shapes' if quick else ''})",
            total == 138_357_544,
        ),
        Check(
            "LeNet-5 trained briefly on MNIST classifies digits",
            f"{lenet_params:,} parameters, {len(losses)} epochs: loss {losses[0]:.2f} → "
            f"{losses[-1]:.2f}, test accuracy {acc:.1%} (chance 10%)",
            acc > 0.8 and losses[-1] < losses[0],
        ),
    ]
    numbers = {
        "vgg16_params": total,
        "vgg16_conv_params": conv,
        "vgg16_fc_params": fc,
        "lenet_params": lenet_params,
        "lenet_losses": losses,
        "lenet_accuracy": acc,
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.bar(["conv", "FC head"], [conv / 1e6, fc / 1e6])
        ax.set_ylabel("VGG-16 parameters (millions)")
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(range(1, len(losses) + 1), losses, marker="o")
        ax.set_xlabel("epoch")
        ax.set_ylabel("LeNet-5 training loss")

    return Finding(checks, numbers, draw)


class _PlainBlock(nn.Module):
    """BasicBlock without its shortcut: relu(BN(conv(relu(BN(conv(x))))))."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


def _deep_stack(residual: bool, blocks: int, channels: int = 8):
    body = [BasicBlock(channels, channels) if residual else _PlainBlock(channels)]
    body += [
        BasicBlock(channels, channels) if residual else _PlainBlock(channels)
        for _ in range(blocks - 1)
    ]
    return nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), *body,
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10),
    )  # fmt: skip


@experiment(
    "CNN-RESNET",
    group="CNN",
    title="Residual connections",
    claim=(
        "A residual block adds its input back (y = F(x) + x): the identity path carries "
        "the gradient through a deep stack, which then trains where the same stack "
        "without shortcuts struggles."
    ),
    formula="y = ReLU(F(x) + x),  ∂y/∂x = ∂F/∂x + I",
    code=("gradkit.models", "BasicBlock"),
    test=TEST,
)
def cnn_resnet(quick: bool) -> Finding:
    blocks, steps, n_train = (8, 30, 512) if quick else (16, 150, 4096)
    (X, y), _ = mnist_subset(n_train, 1, seed=1)
    X = X.reshape(-1, 1, 14, 2, 14, 2).mean(axis=(3, 5))  # 14×14 keeps it cheap
    # a block whose residual branch outputs zero is the identity (on ReLU outputs ≥ 0)
    gk.manual_seed(0)
    block = BasicBlock(8, 8)
    with gk.no_grad():
        block.bn2.weight.zero_()
        z = F.relu(gk.randn(4, 8, 6, 6))
        identity_err = float((block(z) - z).abs().max())
    grads, curves = {}, {}
    for name, residual in (("plain", False), ("residual", True)):
        gk.manual_seed(0)
        net = _deep_stack(residual, blocks)
        loss = F.cross_entropy(net(gk.tensor(X[:128])), gk.tensor(y[:128]))
        loss.backward()
        body = [m for m in net if isinstance(m, (BasicBlock, _PlainBlock))]
        grads[name] = [float(np.linalg.norm(b.conv1.weight.grad.numpy())) for b in body]
        net.zero_grad()
        opt = gk.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        rng = np.random.default_rng(0)
        hist = []
        for _ in range(steps):
            b = rng.choice(len(X), 32, replace=False)
            loss = F.cross_entropy(net(gk.tensor(X[b])), gk.tensor(y[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append(float(loss))
        curves[name] = hist
    spread = {k: max(g) / min(g) for k, g in grads.items()}
    final = {k: float(np.mean(h[-10:])) for k, h in curves.items()}
    checks = [
        Check(
            "a residual block is the identity plus a learned residual",
            f"BasicBlock with its residual branch zeroed returns its input: max |y − x| = "
            f"{identity_err:.1e}",
            identity_err < 1e-6,
        ),
        Check(
            "the identity path keeps the gradient even across depth",
            f"{blocks} blocks ({2 * blocks} convs), gradient norm of each block's first conv "
            f"at init, largest/smallest: plain {spread['plain']:.0f}×, residual "
            f"{spread['residual']:.1f}×",
            spread["residual"] * 2 < spread["plain"],
        ),
        Check(
            "the residual stack trains where the plain one struggles",
            f"mean training loss of the last 10 of {steps} SGD steps on MNIST: plain "
            f"{final['plain']:.2f}, residual {final['residual']:.2f} (start ≈ 2.3)",
            final["residual"] < final["plain"] - 0.15,
        ),
    ]
    numbers = {
        "identity_error": identity_err,
        "grad_norms_plain": grads["plain"],
        "grad_norms_residual": grads["residual"],
        "grad_spread_plain": spread["plain"],
        "grad_spread_residual": spread["residual"],
        "final_loss_plain": final["plain"],
        "final_loss_residual": final["residual"],
    }

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        for k, g in grads.items():
            ax.semilogy(range(1, len(g) + 1), g, marker="o", label=k)
        ax.set_xlabel("block (input → output)")
        ax.set_ylabel("‖∂L/∂W‖ at init")
        ax.legend(fontsize=7)
        ax = fig.add_subplot(1, 2, 2)
        for k, h in curves.items():
            ax.plot(h, label=k)
        ax.set_xlabel("SGD step")
        ax.set_ylabel("training loss")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)


def _shift(X: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Translate images (…, H, W) by (dy, dx) pixels, filling with zeros."""
    out = np.zeros_like(X)
    H, W = X.shape[-2:]
    src = X[..., max(0, -dy) : H - max(0, dy), max(0, -dx) : W - max(0, dx)]
    out[..., max(0, dy) : H - max(0, -dy), max(0, dx) : W - max(0, -dx)] = src
    return out


def _rotate(X: np.ndarray, degrees: float) -> np.ndarray:
    from scipy.ndimage import rotate

    return rotate(X, degrees, axes=(-1, -2), reshape=False, order=1).astype(np.float32)


def _relative_change(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return float(np.mean(np.linalg.norm(a - b, axis=1) / np.linalg.norm(a, axis=1)))


@experiment(
    "CNN-INVARIANCE",
    group="CNN",
    title="Pooling and translation invariance",
    claim=("Pooling makes features locally invariant to small translations, not to rotations."),
    formula="maxpool(shift(x)) ≈ maxpool(x) for shifts smaller than the window",
    code=("gradkit.nn", "MaxPool2d"),
    test=TEST,
)
def cnn_invariance(quick: bool) -> Finding:
    net, Xt, yt, _, acc = trained_lenet(quick)
    X, y = Xt[:500], yt[:500]
    conv1 = nn.Sequential(net.features[0], net.features[1])
    windows = (1, 2, 4, 7, 28)  # 1: the unpooled conv map; 28: global max pooling

    def feats(images):
        with gk.no_grad():
            maps = conv1(gk.tensor(images))
            return [maps.numpy() if k == 1 else nn.MaxPool2d(k)(maps).numpy() for k in windows]

    base = feats(X)
    shifts = [_shift(X, 1, 0), _shift(X, 0, 1), _shift(X, -1, 0), _shift(X, 0, -1)]
    shift_change = np.mean(
        [[_relative_change(b, s) for b, s in zip(base, feats(S))] for S in shifts], axis=0
    ).tolist()
    rot_change = [_relative_change(b, s) for b, s in zip(base, feats(_rotate(X, 30.0)))]
    acc_base = float((predict(net, X) == y).mean())
    acc_shift = float(np.mean([(predict(net, S) == y).mean() for S in shifts]))
    acc_rot = float(np.mean([(predict(net, _rotate(X, a)) == y).mean() for a in (-30, 30)]))
    names = ["conv map", "2×2 pool", "4×4 pool", "7×7 pool", "global pool"]
    monotone = all(a > b for a, b in zip(shift_change, shift_change[1:]))
    checks = [
        Check(
            "pooling makes features invariant to small translations",
            "relative change of the trained LeNet's first-layer features under a 1-pixel "
            "shift, by max-pool window: "
            + ", ".join(f"{n} {c:.2f}" for n, c in zip(names, shift_change)),
            monotone
            and shift_change[1] < 0.95 * shift_change[0]
            and shift_change[-1] < 0.05 * shift_change[0],
        ),  # fmt: skip
        Check(
            "pooling does not make features invariant to rotation",
            "under a 30° rotation: "
            + ", ".join(f"{n} {c:.2f}" for n, c in zip(names, rot_change))
            + "; at every local window the rotated digit's features move "
            + f"{min(r / s for r, s in zip(rot_change[:4], shift_change[:4])):.1f}× or more "
            "what a 1-pixel shift moves them (global max pooling of these low-level "
            "features is nearly blind to both: it only records which patterns occur)",
            all(r > 1.5 * s for r, s in zip(rot_change[:4], shift_change[:4]))
            and rot_change[-1] > 10 * shift_change[-1],
        ),
        Check(
            "the trained CNN tolerates small shifts, not rotations",
            f"test accuracy {acc_base:.1%}; digits shifted 1 px: {acc_shift:.1%}; rotated "
            f"±30°: {acc_rot:.1%}",
            3 * (acc_base - acc_shift) < acc_base - acc_rot,
        ),
    ]
    numbers = {
        "pool_windows": list(windows),
        "shift_change": shift_change,
        "rotation_change": rot_change,
        "accuracy": acc_base,
        "accuracy_shift1": acc_shift,
        "accuracy_rot30": acc_rot,
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        pos = np.arange(len(names))
        ax.bar(pos - 0.2, shift_change, 0.4, label="1-pixel shift")
        ax.bar(pos + 0.2, rot_change, 0.4, label="30° rotation")
        ax.set_xticks(pos, names)
        ax.set_ylabel("relative feature change")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)
