"""Internals of ``gradkit.keras`` (as ``keras.src``): the layer base, symbolic tensors,
the functional graph, the trainer. Users import from ``gradkit.keras``."""
