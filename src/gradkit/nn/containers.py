"""Containers: ``Sequential`` (concept NN-MLP, NN-SEQ-API), ``ModuleList``,
``ModuleDict``, ``ParameterList`` and ``ParameterDict``, with PyTorch's list and dict
APIs. Children are registered under their index or key, so ``parameters()``,
``state_dict()``, ``to()`` and ``zero_grad()`` of the owning module see them."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain

from gradkit.nn.module import Module, _addindent
from gradkit.nn.parameter import Parameter
from gradkit.tensor import Tensor


class Sequential(Module):
    """Modules applied in order, each to the previous one's output.

    Built from modules as arguments, a list of modules (Keras style) or an
    ``OrderedDict`` of named modules; grows with ``add`` / ``append``.

    Examples
    --------
    >>> import gradkit as gk
    >>> from gradkit import nn
    >>> model = nn.Sequential([nn.Dense(units=1, input_shape=[3])])
    >>> model(gk.ones(2, 3)).shape
    (2, 1)
    """

    def __init__(self, *args) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], Mapping):
            for name, module in args[0].items():
                self.add_module(name, module)
            return
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = tuple(args[0])
        for module in args:
            self.append(module)

    def forward(self, input):  # noqa: A002
        for module in self._modules.values():
            input = module(input)
        return input

    def append(self, module: Module) -> Sequential:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: {type(module).__name__} is not a Module")
        self.add_module(str(len(self._modules)), module)
        return self

    def add(self, module: Module) -> None:
        """Append a layer (Keras' name)."""
        self.append(module)

    def _index(self, idx: int) -> str:
        n = len(self._modules)
        idx = operator.index(idx)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range for {self._get_name()} of length {n}")
        return list(self._modules)[idx % n]

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._index(idx), module)

    def __delitem__(self, idx) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [self._index(idx)]
        for key in keys:
            del self._modules[key]
        if all(k.isdigit() for k in self._modules):
            items = list(self._modules.values())
            self._modules.clear()
            for i, m in enumerate(items):
                self._modules[str(i)] = m

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        for module in sequential:
            self.append(module)
        return self

    def pop(self, key: int) -> Module:
        module = self[key]
        del self[key]
        return module

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other).__name__} is given."
            )
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other).__name__} is given."
            )
        return self.extend(other)


def _abs_index(container: Module, idx, size: int) -> int:
    """``idx`` as a non-negative position, or PyTorch's IndexError."""
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(
            f"index {idx} is out of range for {container._get_name()} of length {size}"
        )
    return idx % size


def _check_iterable(container: Module, values, method: str) -> None:
    if not isinstance(values, Iterable) or isinstance(values, (Tensor, Module)):
        raise TypeError(
            f"{container._get_name()}.{method} should be called with an iterable, but got "
            f"{type(values).__name__}"
        )


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees: indexing (slices give a
    ModuleList), ``append``, ``extend``, ``insert``, ``pop``, ``del``, ``+``, ``+=``,
    ``len`` and iteration as in PyTorch.

    Examples
    --------
    >>> from gradkit import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(layers[1:]), len(list(layers.parameters()))
    (2, 6)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        _check_iterable(self, modules, "extend")
        for module in modules:
            self.append(module)
        return self

    def _renumber(self, items) -> None:
        self._modules.clear()
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._renumber(items)

    def pop(self, key: int | slice = -1):
        value = self[key]
        del self[key]
        return value

    def __getitem__(self, idx):
        items = list(self._modules.values())
        if isinstance(idx, slice):
            return type(self)(items[idx])
        return items[_abs_index(self, idx, len(items))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_abs_index(self, idx, len(self._modules))), module)

    def __delitem__(self, idx) -> None:
        items = list(self._modules.values())
        if isinstance(idx, slice):
            del items[idx]
        else:
            del items[_abs_index(self, idx, len(items))]
        self._renumber(items)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(chain(self, other))

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward; iterate over it instead")

    def __repr__(self) -> str:
        """Like PyTorch's: runs of identical children are shown once as ``(i-j): n x``."""
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks: list[list] = []
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = []
        for start, end, r in blocks:
            head = f"({start})" if start == end else f"({start}-{end}): {end - start + 1} x"
            lines.append(_addindent(f"{head}: {r}" if start == end else f"{head} {r}", 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


def _pairs(owner: Module, values):
    """(key, value) pairs of a mapping or an iterable of pairs, PyTorch's order: an
    ordered mapping (``OrderedDict``, ModuleDict/ParameterDict) as is, a plain dict
    sorted by key."""
    if isinstance(values, (OrderedDict, ModuleDict, ParameterDict)):
        return list(values.items())
    if isinstance(values, Mapping):
        return sorted(values.items()) if isinstance(owner, ParameterDict) else list(values.items())
    _check_iterable(owner, values, "update")
    pairs = []
    for j, item in enumerate(values):
        if not isinstance(item, Iterable) or isinstance(item, (str, Tensor)):
            raise TypeError(
                f"{owner._get_name()} update sequence element #{j} should be Iterable; is "
                f"{type(item).__name__}"
            )
        item = tuple(item)
        if len(item) != 2:
            raise ValueError(
                f"{owner._get_name()} update sequence element #{j} has length {len(item)}; 2 "
                "is required"
            )
        pairs.append(item)
    return pairs


class ModuleDict(Module):
    """An ordered dict of modules whose parameters the parent module sees, with
    PyTorch's dict API (``update`` from a mapping or (key, module) pairs, ``pop``,
    ``clear``, ``keys``/``values``/``items``)."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def update(self, modules) -> None:
        for name, module in _pairs(self, modules):
            self[name] = module

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        self._modules.clear()

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward; index it instead")


_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
}  # fmt: skip


def _describe(value, typename: bool) -> str:
    """PyTorch's one-line description of a ParameterList/ParameterDict entry."""
    if not isinstance(value, Tensor):
        return f"Object of type: {type(value).__name__}"
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    name = value.dtype.name
    dtype = f"gradkit.{_TYPE_NAMES.get(name, name)}" if typename else f"gradkit.{name}"
    size = "x".join(str(n) for n in value.shape)
    return f"{kind} containing: [{dtype} of size {size}]"


def _as_parameter(value):
    """Tensors become Parameters (trainable, sharing memory), as PyTorch's containers do."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    """A list of parameters registered on the module (names "0", "1", ...), so the
    owner's ``parameters()``, ``state_dict()``, ``to()`` and ``zero_grad()`` see them.
    Tensors appended become :class:`Parameter` s; indexing (slices give a ParameterList),
    ``append``, ``extend``, ``+=``, ``len`` and iteration as in PyTorch.

    Examples
    --------
    >>> import gradkit as gk
    >>> from gradkit import nn
    >>> params = nn.ParameterList([nn.Parameter(gk.zeros(2)), gk.ones(3)])
    >>> [tuple(p.shape) for p in params.parameters()]
    [(2,), (3,)]
    """

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(self[i] for i in range(len(self))[idx])
        return getattr(self, str(_abs_index(self, idx, self._size)))

    def __setitem__(self, idx: int, param) -> None:
        setattr(self, str(_abs_index(self, idx, self._size)), _as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator:
        return iter(self[i] for i in range(self._size))

    def __iadd__(self, parameters: Iterable) -> ParameterList:
        return self.extend(parameters)

    def append(self, value) -> ParameterList:
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable) -> ParameterList:
        _check_iterable(self, values, "extend")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe(p, False)}" for k, p in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """An ordered dict of parameters registered on the module under their keys, so the
    owner's ``parameters()``, ``state_dict()``, ``to()`` and ``zero_grad()`` see them.
    Tensors stored become :class:`Parameter` s. PyTorch's dict API: ``update`` (a plain
    dict is taken in sorted key order, as PyTorch does), ``get``, ``pop``, ``popitem``,
    ``setdefault``, ``clear``, ``copy``, ``fromkeys``, ``keys``/``values``/``items``, ``|``.

    Examples
    --------
    >>> import gradkit as gk
    >>> from gradkit import nn
    >>> params = nn.ParameterDict({"scale": gk.ones(2), "bias": gk.zeros(2)})
    >>> list(params), [name for name, _ in params.named_parameters()]
    (['bias', 'scale'], ['bias', 'scale'])
    """

    def __init__(self, parameters=None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def _key(self, key) -> str:
        if not isinstance(key, str):
            raise TypeError(
                "Index given to ParameterDict cannot be used as a key as it is not a string "
                f"(type is '{type(key).__name__}')."
            )
        return key

    def __getitem__(self, key: str):
        key = self._key(key)
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        key = self._key(key)
        value = _as_parameter(value)
        if isinstance(value, Parameter) or value is None:
            if key not in self._parameters:
                self.register_parameter(key, value)
            setattr(self, key, value)
        else:
            setattr(self, key, value)
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        del self._keys[self._key(key)]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key) -> bool:
        return key in self._keys

    def keys(self):
        return self._keys.keys()

    def items(self):
        return [(k, self[k]) for k in self._keys]

    def values(self):
        return [self[k] for k in self._keys]

    def get(self, key: str, default=None):
        return self[key] if key in self else default

    def setdefault(self, key: str, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str):
        value = self[key]
        del self[key]
        return value

    def popitem(self):
        key = next(reversed(self))
        return key, self.pop(key)

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def copy(self) -> ParameterDict:
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def fromkeys(self, keys: Iterable[str], default=None) -> ParameterDict:
        return ParameterDict((k, default) for k in keys)

    def update(self, parameters) -> None:
        for key, value in _pairs(self, parameters):
            self[key] = value

    def __or__(self, other: ParameterDict) -> ParameterDict:
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        out = other.copy()
        out.update(self)
        return out

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe(p, True)}" for k, p in self.items())

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterDict should not be called.")
