"""Small utilities that are not part of the model stack: image writing for sample grids."""

from gradkit.utils.image import image_grid, read_png, save_image_grid, write_png

__all__ = ["image_grid", "read_png", "save_image_grid", "write_png"]
