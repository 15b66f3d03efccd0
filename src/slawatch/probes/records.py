"""Targets as a probe worker gets and keeps them: plain values, and records with slots.

A probe reads its target's fields and nothing else of the model (no method, no
validation: the probes of this package keep to that). So a probe worker needs
neither the models nor pydantic nor the config package: 11 MB of imports in each
worker, and a model keeps its fields in a dict of its own (about 800 bytes an http
target, where the same fields in slots take 200).

The agent ``pack``s a worker's targets: per model class its field names, once, then
per target its field values: a nested model (a JSON condition, the locations) packed
the same way, a model shared by many targets packed once, a named tuple as a tuple.
That pickles without any class of the config package. The worker ``unpack``s them
into read-only records, one record type per model class, whose attributes are the
model's fields: the probes read a record as they read the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

if TYPE_CHECKING:  # the agent's process packs models; a worker never imports pydantic
    from pydantic import BaseModel


class Packed(NamedTuple):
    """One model's field values; ``shape`` indexes the ``Shapes`` that names them."""

    shape: int
    values: tuple[Any, ...]


Shapes = tuple[tuple[str, tuple[str, ...]], ...]
"""Per model class: its name and its field names, in the order of the values."""


class Wire(NamedTuple):
    """A worker's set of targets as it travels: picklable without the config package."""

    shapes: Shapes
    targets: dict[str, Packed]


class Record:
    """The fields of one target (or of a model nested in one), read-only."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")


def pack(targets: Mapping[str, BaseModel]) -> Wire:
    """``targets`` as plain values (see the module's docstring)."""
    from pydantic import BaseModel  # loaded already: the agent's config is made of it

    shapes: dict[type[BaseModel], tuple[int, Any]] = {}
    packed: dict[int, Packed] = {}  # by the model's id: a shared model is packed once

    def one(model: BaseModel) -> Packed:
        if (done := packed.get(id(model))) is not None:
            return done
        kind = type(model)
        if kind not in shapes:
            shapes[kind] = (len(shapes), _getter(tuple(kind.model_fields)))
        index, getter = shapes[kind]
        packed[id(model)] = Packed(index, tuple(map(plain, getter(model.__dict__))))
        return packed[id(model)]

    def plain(value: Any) -> Any:
        """A value with no class of the config package: a model packed, a named
        tuple (a DNS resolver's ``Address``) as a tuple."""
        if isinstance(value, BaseModel):
            return one(value)
        if isinstance(value, tuple) and type(value) is not tuple:
            return tuple(value)
        return value

    wired = {name: one(model) for name, model in targets.items()}
    names = tuple((kind.__name__, tuple(kind.model_fields)) for kind in shapes)
    return Wire(names, wired)


def _getter(fields: tuple[str, ...]) -> Any:
    """A model dict's values for ``fields``, as a tuple, whatever their number."""
    if len(fields) == 1:
        (field,) = fields
        return lambda values: (values[field],)
    return itemgetter(*fields)


def unpack(wire: Wire) -> dict[str, Any]:
    """The records of the targets ``pack`` made ``wire`` of, by target name; a model
    shared by many targets is one record shared by theirs."""
    types = [(_record_type(name, fields), fields) for name, fields in wire.shapes]
    built: dict[int, Record] = {}  # by the Packed's id: pickle kept the sharing

    def one(packed: Packed) -> Record:
        if (done := built.get(id(packed))) is not None:
            return done
        kind, fields = types[packed.shape]
        record = kind()
        for field, value in zip(fields, packed.values, strict=True):
            object.__setattr__(record, field, one(value) if type(value) is Packed else value)
        built[id(packed)] = record
        return record

    return {name: one(packed) for name, packed in wire.targets.items()}


@cache
def _record_type(model: str, fields: tuple[str, ...]) -> type[Record]:
    """One record type per model class, with a slot per field."""
    return type(f"{model}Record", (Record,), {"__slots__": fields})
