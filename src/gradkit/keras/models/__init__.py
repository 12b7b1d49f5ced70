"""``keras.models``: ``Model``, ``Sequential``, ``load_model`` and friends."""

from gradkit.keras.src.model import Functional, Model, Sequential
from gradkit.keras.src.saving import load_model, model_from_json, save_model


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights (from
    ``get_config``); ``input_tensors``/``clone_function`` are not supported."""
    if input_tensors is not None or clone_function is not None:
        raise ValueError(
            "gradkit.keras.models.clone_model supports neither input_tensors nor "
            "clone_function; rebuild the model in code for those"
        )
    from gradkit.keras.src.saving import deserialize_layer, serialize_layer

    return deserialize_layer(serialize_layer(model))


__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json",
           "save_model"]  # fmt: skip
