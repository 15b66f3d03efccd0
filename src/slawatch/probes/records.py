"""Targets as a probe worker gets and keeps them: plain values, then read-only records.

A probe reads its target's fields and nothing else of the model (no method, no
validation: the probes of this package keep to that). So a probe worker needs
neither the models nor pydantic nor the config package: 11 MB of imports in each
worker, and a model keeps its fields in a dict of its own (about 800 bytes an http
target, where the same fields in a tuple take 200).

The agent ``pack``s a worker's targets: per model class its field names, once, then
per target its field values: a nested model (a JSON condition, the locations) packed
the same way, a model shared by many targets packed once, a named tuple as a tuple.
That pickles without any class of the config package. The worker ``unpack``s them
into read-only records, one record type per model class, whose attributes are the
model's fields: the probes read a record as they read the model. A record is a
named tuple (made in one C call, and as small as slots).

Both sides are about the per-target cost: the fields that may hold a model or a
named tuple are found once per model class, from their annotations, and only those
are looked at in each target; targets travel grouped by class, a bare tuple each.
Packing and pickling 25,000 http targets takes 50 ms, unpickling and unpacking them
30 ms, against 90 and 120 ms for the models themselves (docs/scaling.md, "Memory").
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, get_args, get_origin

if TYPE_CHECKING:  # the agent's process packs models; a worker never imports pydantic
    from pydantic import BaseModel


class Packed(NamedTuple):
    """A nested model's field values; ``shape`` indexes the ``Shape`` that names them."""

    shape: int
    values: tuple[Any, ...]


class Shape(NamedTuple):
    """A model class: its name, its field names in the order of the values, and the
    indexes of the fields looked at one by one, which may hold a ``Packed`` model."""

    name: str
    fields: tuple[str, ...]
    nested: tuple[int, ...]


class Wire(NamedTuple):
    """A worker's set of targets as it travels: picklable without the config package.
    ``targets[i]`` holds the field values of the targets of shape ``i``, by name."""

    shapes: tuple[Shape, ...]
    targets: tuple[dict[str, tuple[Any, ...]], ...]


class Record(tuple[Any, ...]):
    """The fields of one target (or of a model nested in one), read-only."""

    __slots__ = ()
    _fields: tuple[str, ...]  # their names (the named tuple's)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")


def pack(targets: Mapping[str, BaseModel]) -> Wire:
    """``targets`` as plain values (see the module's docstring)."""
    return _Packer().pack(targets)


class _Packer:
    """Packs models, their classes' shapes found once, a model shared by many once."""

    def __init__(self) -> None:
        from pydantic import BaseModel  # loaded already: the agent's config is made of it

        self._model = BaseModel
        self._shapes: dict[type[Any], tuple[int, Shape, Callable[[dict[str, Any]], Any]]] = {}
        self._nested: dict[int, Packed] = {}  # by the nested model's id
        self._empty: dict[Any, Any] = {}  # for every empty dict: one pickled, one unpickled

    def pack(self, targets: Mapping[str, BaseModel]) -> Wire:
        grouped: dict[int, dict[str, tuple[Any, ...]]] = {}
        for name, model in targets.items():
            packed = self._one(model)
            grouped.setdefault(packed.shape, {})[name] = packed.values
        shapes = tuple(shape for _, shape, _ in self._shapes.values())
        return Wire(shapes, tuple(grouped.get(i, {}) for i in range(len(shapes))))

    def _one(self, model: BaseModel) -> Packed:
        kind = type(model)
        if kind not in self._shapes:
            self._shapes[kind] = (len(self._shapes), _shape(kind), _getter(kind))
        index, shape, getter = self._shapes[kind]
        values = getter(model.__dict__)
        if shape.nested:
            listed = list(values)
            for field in shape.nested:
                if listed[field] is not None:
                    listed[field] = self._plain(listed[field])
            values = tuple(listed)
        return Packed(index, values)

    def _plain(self, value: Any) -> Any:
        """A value with no class of the config package in it: a model packed (once:
        50,000 targets share one ``locations``), a named tuple (a DNS resolver's
        ``Address``) as a tuple; and an empty dict as one shared by all (most
        targets' ``headers``: 64 bytes each in a worker)."""
        if (done := self._nested.get(id(value))) is not None:
            return done
        if isinstance(value, self._model):
            self._nested[id(value)] = self._one(value)  # the model outlives the packing
            return self._nested[id(value)]
        if isinstance(value, tuple):
            return tuple(map(self._plain, value))
        if type(value) is dict and not value:
            return self._empty
        return value


def _shape(model: type[BaseModel]) -> Shape:
    fields = model.model_fields
    nested = [i for i, info in enumerate(fields.values()) if _looked_at(info.annotation)]
    return Shape(model.__name__, tuple(fields), tuple(nested))


def _looked_at(annotation: Any) -> bool:
    """Whether a field so annotated may hold a model or a named tuple (in a union,
    an ``Annotated`` or a container), or is a dict (or a ``Mapping``: validated, a dict)."""
    from pydantic import BaseModel

    if annotation in (dict, Mapping) or get_origin(annotation) in (dict, Mapping):
        return True
    if isinstance(annotation, type) and get_origin(annotation) is None:
        if issubclass(annotation, BaseModel):
            return True
        if issubclass(annotation, tuple) and annotation is not tuple:
            return True
    return any(_looked_at(arg) for arg in get_args(annotation))


def _getter(model: type[BaseModel]) -> Callable[[dict[str, Any]], Any]:
    """A model's dict's values, as a tuple in the order of its fields, whatever their number."""
    fields = tuple(model.model_fields)
    if len(fields) == 1:
        (field,) = fields
        return lambda values: (values[field],)
    return itemgetter(*fields)


def unpack(wire: Wire) -> dict[str, Any]:
    """The records of the targets ``pack`` made ``wire`` of, by target name; a model
    shared by many targets is one record shared by theirs.

    Consumes ``wire``: each target's values are let go as soon as its record is made,
    so that the next record takes their place in the heap (a record is their size);
    kept to the end, they left 5 MB of holes a worker at 25,000 targets."""
    types = [(_record_type(shape.name, shape.fields), shape.nested) for shape in wire.shapes]
    built: dict[int, Record] = {}  # by the Packed's id: pickle kept the sharing

    def one(shape: int, values: tuple[Any, ...]) -> Record:
        kind, nested = types[shape]
        if nested:
            listed = list(values)
            for field in nested:
                if type(listed[field]) is Packed:
                    listed[field] = shared(listed[field])
            values = tuple(listed)
        return tuple.__new__(kind, values)

    def shared(packed: Packed) -> Record:
        if (done := built.get(id(packed))) is None:
            built[id(packed)] = done = one(*packed)
        return done

    records = {}
    for shape, targets in enumerate(wire.targets):
        for name in targets:
            records[name] = one(shape, targets[name])
            targets[name] = ()  # the same keys: iterating the dict goes on
    return records


@cache
def _record_type(model: str, fields: tuple[str, ...]) -> type[Record]:
    """One record type per model class: a named tuple of its fields."""
    base = namedtuple(f"{model}Fields", fields)  # type: ignore[misc]  # names known at run time
    return type(f"{model}Record", (Record, base), {"__slots__": ()})
