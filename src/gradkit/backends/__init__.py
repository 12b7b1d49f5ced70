"""``torch.backends`` for the NumPy backend: flags that programs set at start-up.

``backends.cudnn.deterministic = True`` and ``backends.cudnn.benchmark = False`` are
accepted and change nothing (there is no cuDNN; NumPy's results do not depend on them);
``backends.mps.is_available()`` and ``backends.cuda.is_built()`` are False. Each is a
module, so ``import gradkit.backends.cudnn as cudnn`` works as in PyTorch.
"""

from gradkit.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
