"""The base of every config model, and how validators report errors.

Every model forbids unknown keys (a typo such as ``intervall`` must not be
silently ignored: it would leave the default in force) and is frozen. Its
validation errors leave here annotated with what a good message needs and only
the model knows: the valid keys where an unknown one was found, and an example
value for a field (taken from ``Field(examples=[...])``).

Validators raise ``invalid()`` for an error at the value being validated, or
``raise_errors()`` with ``error_at()`` / ``unknown_key_at()`` for errors at
sub-paths (``timeout`` from a check that needs both ``timeout`` and
``interval``). Errors found in the raw input, before any field is validated,
come from the ``raw_errors`` hook, so that cross-references are reported
together with every other problem, not only once the rest of the file is valid.

A model's set of the keys it was given (pydantic's ``__pydantic_fields_set__``, some
700 bytes) is shared by every model given the same keys: 50,000 targets written alike
hold one, not 50,000, and so do the probe workers they are pickled to (pickle keeps
the sharing). Frozen models never add to it; ``model_copy`` copies it first.
"""

from __future__ import annotations

from typing import Any, NoReturn, Self

from pydantic import BaseModel, ConfigDict, ModelWrapValidatorHandler, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError, ValidationError

Loc = tuple[str | int, ...]
ERROR_TYPE = "config"  # the pydantic error type of every error that slawatch words itself
_KEY_SETS: dict[frozenset[str], set[str]] = {}  # the fields sets models share (few kinds)


class ConfigModel(BaseModel):
    """A part of the config file: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @model_validator(mode="wrap")
    @classmethod
    def _annotate_errors(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        if type(data) is cls:  # a model a load made before (config/targets.py): as it is
            return data
        found = cls.raw_errors(data)
        try:
            model = handler(data)
        except ValidationError as exc:
            errors = [_annotate(cls, error) for error in exc.errors()]
            raise _rebuild(cls.__name__, errors, found) from None
        if found:
            raise ValidationError.from_exception_data(cls.__name__, found)
        given = model.__pydantic_fields_set__
        shared = _KEY_SETS.setdefault(frozenset(given), given)
        object.__setattr__(model, "__pydantic_fields_set__", shared)  # frozen: past pydantic
        return model

    @classmethod
    def raw_errors(cls, data: object) -> list[InitErrorDetails]:
        """Errors visible in the raw input; none by default."""
        return []


def invalid(message: str, example: object = None) -> PydanticCustomError:
    """An error at the value being validated; raise it from a validator."""
    return PydanticCustomError(ERROR_TYPE, message, _context(example))


def error_at(loc: Loc, message: str, example: object = None) -> InitErrorDetails:
    """An error at ``loc`` below the value being validated (messages quote what was
    written there from the file itself, so the error carries no input)."""
    return InitErrorDetails(
        type=PydanticCustomError(ERROR_TYPE, message, _context(example)), loc=loc, input=None
    )


def unknown_key_at(loc: Loc, valid: tuple[str, ...]) -> InitErrorDetails:
    """An unknown key in a mapping whose keys are not model fields (``clauses``)."""
    context = {"valid_keys": valid}
    return InitErrorDetails(
        type=PydanticCustomError("extra_forbidden", "unknown key", context), loc=loc, input=None
    )


def raise_errors(errors: list[InitErrorDetails]) -> NoReturn:
    """Raise ``errors`` from a validator; pydantic prefixes their locations."""
    raise ValidationError.from_exception_data("config", errors)


def _context(example: object) -> dict[str, Any]:
    return {} if example is None else {"example": str(example)}


def _annotate(model: type[BaseModel], error: ErrorDetails) -> ErrorDetails:
    """Add the facts only ``model`` knows to an error about one of its own keys."""
    loc = error["loc"]
    if len(loc) != 1 or not isinstance(loc[0], str):
        return error
    fields = _keys(model)
    context = dict(error.get("ctx") or {})
    if error["type"] == "extra_forbidden":
        context["valid_keys"] = tuple(fields)
    elif loc[0] in fields:
        examples = fields[loc[0]].examples
        if examples:
            context.setdefault("example", str(examples[0]))
    return {**error, "ctx": context}


def _keys(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The keys ``model`` accepts, as written in the file (aliases such as ``from``)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _rebuild(
    title: str, errors: list[ErrorDetails], more: list[InitErrorDetails]
) -> ValidationError:
    # Re-raising keeps each error's type, message and context; pydantic has no
    # other way to let a model add context to errors raised below it.
    details = [
        InitErrorDetails(
            type=PydanticCustomError(error["type"], error["msg"], error.get("ctx")),
            loc=error["loc"],
            input=error["input"],
        )
        for error in errors
    ]
    return ValidationError.from_exception_data(title, details + more)
