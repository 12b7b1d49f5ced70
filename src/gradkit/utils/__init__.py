"""Small utilities that are not part of the model stack: image writing for sample grids,
and ``gradkit.utils.data`` (PyTorch's ``torch.utils.data`` path to :mod:`gradkit.data`)."""

from gradkit.utils import data
from gradkit.utils.image import image_grid, read_png, save_image_grid, write_png

__all__ = ["data", "image_grid", "read_png", "save_image_grid", "write_png"]
