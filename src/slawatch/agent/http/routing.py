"""The API's routes, read from its OpenAPI description, and its input checks, made
by the pydantic models of inputs.py.

``openapi.json`` gives the routes: each operation names its handler by
``operationId``; the router matches a request to an operation. inputs.py gives
what each operation takes; the router validates the path and query parameters
and the body with those models and fills in their defaults, and a test keeps
the document's request schemas equal to the models'. So the document cannot
promise a route, a parameter, a body key or a default that the code does not
keep, nor the code accept one that the document does not describe.

Values that need the contract to be read (instants, period labels) are checked
by the handlers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from slawatch.agent.http.inputs import BODIES, PARAMS, Input, request_schema
from slawatch.errors import SlawatchError

SPEC = Path(__file__).with_name("openapi.json")
METHODS = ("get", "post")  # the document's methods; any other is 405 on a known path
Json = dict[str, Any]


class ApiError(SlawatchError):
    """A request the API refuses: answered with ``status`` and ``{"error", "field"}``."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.headers = dict(headers or {})


@dataclass(frozen=True, slots=True)
class Operation:
    """One method on one path of the document."""

    id: str  # operationId: the handler's name
    method: str  # upper case
    segments: tuple[str, ...]  # the path template split at "/"; "{name}" for parameters
    parameters: Mapping[str, str]  # name -> where it is given: path or query
    params: type[Input]  # what the path and query parameters must be
    body: type[Input] | None  # what the JSON body must be; None: the operation takes none
    secured: bool  # needs a bearer token


@dataclass(frozen=True, slots=True)
class Call:
    """A request matched to its operation, with its inputs checked."""

    operation: Operation
    params: Mapping[str, Any]  # path and query parameters, converted; defaults filled in
    body: Mapping[str, Any] = field(default_factory=dict)  # the JSON body; defaults filled in


@cache
def document() -> Json:
    """The OpenAPI document, parsed once."""
    parsed: Json = json.loads(SPEC.read_text(encoding="utf-8"))
    return parsed


class Routes:
    """Every operation of the document, matched by method and path."""

    def __init__(self, spec: Json) -> None:
        self._spec = spec
        self.operations = [
            self._operation(template, method.upper(), entry[method])
            for template, entry in spec["paths"].items()
            for method in METHODS
            if method in entry
        ]

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation for ``method`` on ``path`` and its path parameters, raw.

        Raises ``ApiError`` 404 for an unknown path, 405 (with ``Allow``) for a
        method the path does not have.
        """
        found = [
            (operation, params)
            for operation in self.operations
            if (params := _bind(operation.segments, path)) is not None
        ]
        if not found:
            raise ApiError(404, f"no such path: {path}")
        for operation, params in found:
            if operation.method == method:
                return operation, params
        allowed = self.allowed(path)
        raise ApiError(405, f"{method} is not allowed on {path}", headers={"Allow": allowed})

    def allowed(self, path: str) -> str:
        """The ``Allow`` header of ``path``: its methods, comma-separated."""
        methods = {o.method for o in self.operations if _bind(o.segments, path) is not None}
        return ", ".join(sorted(methods))

    def check(
        self,
        operation: Operation,
        raw_path: Mapping[str, str],
        query: Mapping[str, list[str]],
        body: Any = None,
    ) -> Call:
        """The request's inputs checked with the operation's models.

        ``body`` is the parsed JSON body (``None`` without one). Raises ``ApiError``
        400 naming the first field at fault.
        """
        given: dict[str, str] = dict(raw_path)
        for name, values in query.items():
            if operation.parameters.get(name) != "query":
                raise ApiError(400, f"unknown query parameter {name!r}", name)
            if len(values) > 1:
                raise ApiError(400, f"query parameter {name!r} given {len(values)} times", name)
            given[name] = values[0]
        fields = request_schema(operation.params)["properties"]
        typed = {name: _convert(name, text, fields[name]) for name, text in given.items()}
        params = _validated(operation.params, typed, _PARAMETER_WORDS)
        if operation.body is None:
            return Call(operation, params)
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        return Call(operation, params, _validated(operation.body, body, _BODY_WORDS))

    def _operation(self, template: str, method: str, entry: Json) -> Operation:
        declared = [self._resolve(p) for p in entry.get("parameters", ())]
        has_body = "application/json" in entry.get("requestBody", {}).get("content", {})
        return Operation(
            id=entry["operationId"],
            method=method,
            segments=tuple(template.strip("/").split("/")),
            parameters={p["name"]: p["in"] for p in declared},
            params=PARAMS[entry["operationId"]],
            body=BODIES[entry["operationId"]] if has_body else None,
            secured=bool(entry.get("security")),
        )

    def _resolve(self, node: Json) -> Json:
        """``node``, or what its ``$ref`` points to within the document."""
        if "$ref" not in node:
            return node
        target: Any = self._spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return self._resolve(target)


def _bind(segments: tuple[str, ...], path: str) -> dict[str, str] | None:
    """The path parameters of ``path`` if it fits the template ``segments``."""
    parts = path.strip("/").split("/")
    if len(parts) != len(segments):
        return None
    bound: dict[str, str] = {}
    for template, part in zip(segments, parts, strict=True):
        if template.startswith("{"):
            bound[template.strip("{}")] = decode(part, template.strip("{}"))
        elif template != part:
            return None
    return bound


def decode(text: str, name: str) -> str:
    """A percent-encoded URL part as text; ``ApiError`` 400 when it is not UTF-8."""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, f"{name} is not UTF-8 once percent-decoded", name) from None


def _convert(name: str, text: str, schema: Json) -> Any:
    """A path or query value converted to its schema's type (the model checks it)."""
    kind = schema.get("type")
    value: Any = text
    if kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", text):
            raise ApiError(400, f"{name} must be a whole number (got {text!r})", name)
        value = int(text)
    elif kind == "boolean":
        if text not in ("true", "false"):
            raise ApiError(400, f"{name} must be true or false (got {text!r})", name)
        value = text == "true"
    return value


@dataclass(frozen=True, slots=True)
class _Words:
    """How a refusal names a missing or an unknown input."""

    missing: str
    unknown: str


_PARAMETER_WORDS = _Words("missing query parameter {name!r}", "unknown query parameter {name!r}")
_BODY_WORDS = _Words("{name} is required", "unknown key {name!r} (known: {known})")
# Unknown keys are named first, then missing ones, then wrong values.
_RANK = {"extra_forbidden": 0, "missing": 1}


def _validated(model: type[Input], given: Mapping[str, Any], words: _Words) -> dict[str, Any]:
    """``given`` checked with ``model``, defaults filled in; ``ApiError`` 400 naming the
    first field at fault."""
    try:
        return model.model_validate(given).model_dump()
    except ValidationError as exc:
        first = min(exc.errors(), key=lambda e: _RANK.get(e["type"], 2))
        raise _refusal(first, request_schema(model), words) from None


def _refusal(error: ErrorDetails, schema: Json, words: _Words) -> ApiError:
    """The API's one line for pydantic's ``error`` about a field of ``schema``."""
    name = str(error["loc"][0])
    kind, got = error["type"], json.dumps(error["input"])
    known = schema["properties"].get(name, {})
    lines = {
        "missing": lambda: words.missing.format(name=name),
        "extra_forbidden": lambda: words.unknown.format(
            name=name, known=", ".join(schema["properties"])
        ),
        "literal_error": lambda: f"{name} must be one of {', '.join(known['enum'])} (got {got})",
        "string_pattern_mismatch": lambda: f"{name} must match {known['pattern']} (got {got})",
        "greater_than_equal": lambda: f"{name} must be within {_bounds(known)} (got {got})",
        "less_than_equal": lambda: f"{name} must be within {_bounds(known)} (got {got})",
        "string_unicode": lambda: f"{name} must be valid Unicode text",
    }
    if kind in lines:
        return ApiError(400, lines[kind](), name)
    if kind.endswith("_type"):
        return ApiError(400, f"{name} must be a {known.get('type', 'value')} (got {got})", name)
    return ApiError(400, f"{name}: {error['msg']}", name)


def _bounds(schema: Json) -> str:
    return f"{schema.get('minimum', '')}..{schema.get('maximum', '')}"
