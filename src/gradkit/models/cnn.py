"""Classic convolutional architectures (concepts CNN-ARCH, CNN-FC, CNN-RESNET): LeNet-5,
a configurable VGG, the ResNet basic block and a small CIFAR-style ResNet.

Each model splits into a convolutional ``features`` backbone and a fully connected head
(``classifier``, or ``fc`` for the ResNet), the two parts that transfer learning
(:mod:`gradkit.models.transfer`) freezes and replaces.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradkit.nn.activation import ReLU, Tanh
from gradkit.nn.containers import Sequential
from gradkit.nn.conv import Conv2d
from gradkit.nn.dropout import Dropout
from gradkit.nn.linear import Flatten, Linear
from gradkit.nn.module import Module
from gradkit.nn.normalization import BatchNorm2d
from gradkit.nn.pool import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from gradkit.ops.conv import conv_output_size
from gradkit.ops.elementwise import relu
from gradkit.tensor import Tensor


class LeNet5(Module):
    """LeNet-5 (LeCun et al., 1998) for 28×28 digits (concept CNN-ARCH).

    conv 5×5 (6, padding 2) → act → pool 2×2 → conv 5×5 (16) → act → pool 2×2 → flatten
    (16·5·5 = 400, concept CNN-FC) → 120 → act → 84 → act → ``num_classes``.

    Parameters
    ----------
    num_classes : int
    in_channels : int
    activation : {"relu", "tanh"}
        ReLU (the modern choice, trains faster) or the original tanh.
    pooling : {"max", "avg"}
        Max pooling, or the original average ("subsampling") layers.
    input_size : int
        Side of the square input; 28 pads the first conv by 2 (the original's 32×32).

    Shape
    -----
    Input (N, in_channels, input_size, input_size), output (N, num_classes) logits.

    Examples
    --------
    >>> import gradkit as gk
    >>> LeNet5()(gk.randn(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        activation: str = "relu",
        pooling: str = "max",
        input_size: int = 28,
    ) -> None:
        super().__init__()
        acts = {"relu": ReLU, "tanh": Tanh}
        pools = {"max": MaxPool2d, "avg": AvgPool2d}
        if activation not in acts or pooling not in pools:
            raise ValueError(
                f"LeNet5: activation must be one of {sorted(acts)} and pooling one of "
                f"{sorted(pools)}, got {activation!r} and {pooling!r}"
            )
        act, pool = acts[activation], pools[pooling]
        pad = 2 if input_size == 28 else 0
        side = (input_size + 2 * pad - 4) // 2
        side = (side - 4) // 2
        if side < 1:
            raise ValueError(f"LeNet5: input_size {input_size} is too small (needs ≥ 12)")
        self.features = Sequential(
            Conv2d(in_channels, 6, 5, padding=pad),
            act(),
            pool(2),
            Conv2d(6, 16, 5),
            act(),
            pool(2),
        )
        self.classifier = Sequential(
            Flatten(),
            Linear(16 * side * side, 120),
            act(),
            Linear(120, 84),
            act(),
            Linear(84, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


#: VGG layer configurations (Simonyan & Zisserman, 2015): channels of 3×3 convs, "M" for
#: a 2×2 max pool. "vgg11/13/16/19" are configurations A, B, D and E.
VGG_CONFIGS: dict[str, list] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}  # fmt: skip


class VGG(Module):
    """A VGG network (concept CNN-ARCH): only 3×3 convolutions (padding 1, so they keep
    the size) and 2×2 max pools (which halve it), then a fully connected head.

    Parameters
    ----------
    config : str or sequence of int | "M"
        A name from ``VGG_CONFIGS`` or a custom list, e.g. ``[32, 32, "M", 64, "M"]``.
    in_channels, num_classes : int
    input_size : int
        Side of the square input; the head's input is C_last · (input_size / 2^pools)².
    hidden : int or sequence of int
        Widths of the hidden fully connected layers (VGG used 4096, 4096).
    batch_norm : bool
        Conv → BatchNorm2d → ReLU instead of Conv → ReLU.
    dropout : float
        Dropout before each hidden fully connected layer's successor (0 disables).

    Shape
    -----
    Input (N, in_channels, input_size, input_size), output (N, num_classes).

    Examples
    --------
    >>> import gradkit as gk
    >>> net = VGG([8, "M", 16, "M"], in_channels=3, num_classes=10, input_size=32, hidden=32)
    >>> net(gk.randn(2, 3, 32, 32)).shape
    (2, 10)
    """

    def __init__(
        self,
        config: str | Sequence = "vgg11",
        in_channels: int = 3,
        num_classes: int = 10,
        input_size: int = 32,
        hidden: int | Sequence[int] = (512, 512),
        batch_norm: bool = False,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        if isinstance(config, str):
            if config not in VGG_CONFIGS:
                raise ValueError(
                    f"VGG: unknown config {config!r}; choose one of {sorted(VGG_CONFIGS)}"
                )
            config = VGG_CONFIGS[config]
        layers: list[Module] = []
        channels, side = in_channels, input_size
        for item in config:
            if item == "M":
                if side < 2:
                    raise ValueError(f"VGG: input_size {input_size} is too small for {config}")
                layers.append(MaxPool2d(2))
                side = conv_output_size(side, 2, 2)
            else:
                layers.append(Conv2d(channels, int(item), 3, padding=1))
                if batch_norm:
                    layers.append(BatchNorm2d(int(item)))
                layers.append(ReLU())
                channels = int(item)
        self.features = Sequential(*layers)
        hidden = [hidden] if isinstance(hidden, int) else list(hidden)
        head: list[Module] = [Flatten()]
        width = channels * side * side
        for h in hidden:
            head += [Linear(width, h), ReLU()] + ([Dropout(dropout)] if dropout else [])
            width = h
        head.append(Linear(width, num_classes))
        self.classifier = Sequential(*head)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


def vgg_block(in_channels: int, out_channels: int, num_convs: int = 2, batch_norm: bool = False):
    """One VGG stage: ``num_convs`` × (3×3 conv, padding 1 → [BatchNorm2d] → ReLU), then a
    2×2 max pool. Shape: (N, C_in, H, W) → (N, C_out, H/2, W/2)."""
    layers: list[Module] = []
    for k in range(num_convs):
        layers.append(Conv2d(in_channels if k == 0 else out_channels, out_channels, 3, padding=1))
        if batch_norm:
            layers.append(BatchNorm2d(out_channels))
        layers.append(ReLU())
    layers.append(MaxPool2d(2))
    return Sequential(*layers)


class BasicBlock(Module):
    """The ResNet basic block (He et al., 2016; concept CNN-RESNET):

        y = ReLU( BN(conv3×3(ReLU(BN(conv3×3_stride(x))))) + shortcut(x) )

    with ``shortcut`` the identity, or a 1×1 strided conv + BN when the shape changes. The
    block learns the residual F(x) = y − x, and the identity path carries gradients
    straight through deep stacks.

    Shape
    -----
    Input (N, in_planes, H, W), output (N, planes, ⌈H/stride⌉, ⌈W/stride⌉).

    Examples
    --------
    >>> import gradkit as gk
    >>> BasicBlock(16, 32, stride=2)(gk.randn(2, 16, 8, 8)).shape
    (2, 32, 4, 4)
    """

    expansion = 1

    def __init__(self, in_planes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = BatchNorm2d(planes)
        self.conv2 = Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = BatchNorm2d(planes)
        if stride != 1 or in_planes != planes:
            self.shortcut = Sequential(
                Conv2d(in_planes, planes, 1, stride=stride, bias=False), BatchNorm2d(planes)
            )
        else:
            self.shortcut = Sequential()

    def forward(self, x: Tensor) -> Tensor:
        out = relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return relu(out + self.shortcut(x))


class ResNet(Module):
    """A small CIFAR-style ResNet (concept CNN-RESNET): a 3×3 stem, stages of
    :class:`BasicBlock` (each after the first halves the size and widens), global average
    pooling and one linear layer ``fc``.

    Parameters
    ----------
    blocks : sequence of int
        Blocks per stage; (3, 3, 3) is ResNet-20, (1, 1, 1) ResNet-8.
    widths : sequence of int
        Channels per stage.
    in_channels, num_classes : int

    Shape
    -----
    Input (N, in_channels, H, W), output (N, num_classes); any H, W ≥ 2^(stages − 1).

    Examples
    --------
    >>> import gradkit as gk
    >>> ResNet((1, 1), (8, 16), in_channels=1)(gk.randn(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(
        self,
        blocks: Sequence[int] = (1, 1, 1),
        widths: Sequence[int] = (16, 32, 64),
        in_channels: int = 3,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        if len(blocks) != len(widths) or not blocks:
            raise ValueError(
                f"ResNet: blocks {tuple(blocks)} and widths {tuple(widths)} need the same "
                "nonzero length"
            )
        layers: list[Module] = [
            Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
            BatchNorm2d(widths[0]),
            ReLU(),
        ]
        planes = widths[0]
        for stage, (count, width) in enumerate(zip(blocks, widths)):
            for k in range(count):
                stride = 2 if stage > 0 and k == 0 else 1
                layers.append(BasicBlock(planes, width, stride))
                planes = width
        layers += [AdaptiveAvgPool2d(1), Flatten()]
        self.features = Sequential(*layers)
        self.fc = Linear(planes, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.features(x))


def resnet(depth: int = 8, in_channels: int = 3, num_classes: int = 10, width: int = 16) -> ResNet:
    """CIFAR ResNet of ``depth`` = 6n + 2 layers (8, 14, 20, 32, ...): three stages of n
    blocks with ``width``, 2·width, 4·width channels."""
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"resnet: depth must be 6n + 2 with n ≥ 1 (8, 14, 20, ...), got {depth}")
    n = (depth - 2) // 6
    return ResNet((n,) * 3, (width, 2 * width, 4 * width), in_channels, num_classes)
