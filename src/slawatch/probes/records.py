"""A target as a probe reads it: its fields in slots, for a process that holds many.

A probe reads its target's fields and nothing else of the model (no method, no
validation: the probes of this package keep to that). A probe worker holds its share
of the targets for its whole life, and a pydantic model keeps its fields in a dict of
its own: about 800 bytes an http target, where the same fields in slots take 200.
``lean(target)`` is that slotted, read-only copy, of the model's class's own record
type; the values are the model's (shared, not copied). The agent's process keeps the
models, which the rest of the agent uses.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NoReturn, TypeVar, cast

from pydantic import BaseModel

Model = TypeVar("Model", bound=BaseModel)


class Record:
    """The fields of one target, read-only."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")


def lean(target: Model) -> Model:
    """A slotted copy of ``target``'s fields, typed as the model: the probes read it
    as they read the model (see the module's docstring)."""
    record = _record_type(type(target))()
    for name, value in target.__dict__.items():
        object.__setattr__(record, name, value)
    return cast(Model, record)


@cache
def _record_type(model: type[BaseModel]) -> type[Record]:
    """One record type per model class, with a slot per field."""
    namespace: dict[str, Any] = {"__slots__": tuple(model.model_fields)}
    return type(f"{model.__name__}Record", (Record,), namespace)
