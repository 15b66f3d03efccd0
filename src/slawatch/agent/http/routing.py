"""The API's routes and input checks, read from its OpenAPI description.

``openapi.json`` is the one source of truth: each operation there names its
handler by ``operationId``, and the router matches a request to an operation,
checks its parameters and body against that operation's schemas and fills in
their defaults. So the document cannot promise a route, a parameter, a body key
or a default that the code does not keep, nor the code accept one that the
document does not describe. Bodies take no keys beyond their ``properties``.

Only the part of JSON Schema the document uses is understood (``KEYWORDS``; a
test keeps the document within it). Values that need the contract to be read
(instants without an offset, period labels) are checked by the handlers.
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

SPEC = Path(__file__).with_name("openapi.json")
METHODS = ("get", "post")  # the document's methods; any other is 405 on a known path
KEYWORDS = frozenset(
    {"type", "enum", "pattern", "format", "minimum", "maximum", "default", "description"}
    | {"properties", "required", "additionalProperties"}
)
Json = dict[str, Any]


class ApiError(Exception):
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
    parameters: Mapping[str, tuple[str, Json]]  # name -> (path or query, schema)
    required: frozenset[str]  # parameters that must be given
    body: Json | None  # the request body's schema (application/json), resolved
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
        """The request's inputs checked against the operation's schemas.

        ``body`` is the parsed JSON body (``None`` without one). Raises ``ApiError``
        400 naming the first field at fault.
        """
        params: dict[str, Any] = {}
        for name, values in query.items():
            if operation.parameters.get(name, ("",))[0] != "query":
                raise ApiError(400, f"unknown query parameter {name!r}", name)
            if len(values) > 1:
                raise ApiError(400, f"query parameter {name!r} given {len(values)} times", name)
            params[name] = _convert(name, values[0], operation.parameters[name][1])
        for name, value in raw_path.items():
            params[name] = _convert(name, value, operation.parameters[name][1])
        for name in operation.required - set(params):
            raise ApiError(400, f"missing query parameter {name!r}", name)
        params |= {
            n: s["default"]
            for n, (_, s) in operation.parameters.items()
            if n not in params and "default" in s
        }
        if operation.body is None:
            return Call(operation, params)
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        _check_object(body, operation.body)
        return Call(operation, params, _with_defaults(body, operation.body))

    def _operation(self, template: str, method: str, entry: Json) -> Operation:
        declared = [self._resolve(p) for p in entry.get("parameters", ())]
        content = entry.get("requestBody", {}).get("content", {})
        body = content.get("application/json", {}).get("schema")
        return Operation(
            id=entry["operationId"],
            method=method,
            segments=tuple(template.strip("/").split("/")),
            parameters={p["name"]: (p["in"], self._resolve(p["schema"])) for p in declared},
            required=frozenset(p["name"] for p in declared if p.get("required")),
            body=None if body is None else self._resolve(body),
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
    """A path or query value converted to its schema's type, and checked."""
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
    _check_value(name, value, schema)
    return value


def _check_object(body: Json, schema: Json) -> None:
    properties: Json = schema.get("properties", {})
    for name in body:
        if name not in properties:
            known = ", ".join(properties)
            raise ApiError(400, f"unknown key {name!r} (known: {known})", name)
    for name in schema.get("required", ()):
        if name not in body:
            raise ApiError(400, f"{name} is required", name)
    for name, value in body.items():
        _check_value(name, value, properties[name])


def _with_defaults(body: Json, schema: Json) -> Json:
    """``body`` with the document's defaults for the keys it leaves out."""
    defaults = {n: v["default"] for n, v in schema["properties"].items() if "default" in v}
    return defaults | body


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
}


def _check_value(name: str, value: Any, schema: Json) -> None:
    """``value`` against the scalar keywords of ``schema``; ``ApiError`` 400 if it fails."""
    kind = schema.get("type")
    if kind is not None and (
        not isinstance(value, _TYPES[kind]) or (kind == "integer" and isinstance(value, bool))
    ):
        raise ApiError(400, f"{name} must be a {kind} (got {json.dumps(value)})", name)
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(schema["enum"])
        raise ApiError(400, f"{name} must be one of {choices} (got {json.dumps(value)})", name)
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise ApiError(
            400, f"{name} must match {schema['pattern']} (got {json.dumps(value)})", name
        )
    if kind == "integer" and not schema.get("minimum", value) <= value <= schema.get(
        "maximum", value
    ):
        bounds = f"{schema.get('minimum', '')}..{schema.get('maximum', '')}"
        raise ApiError(400, f"{name} must be within {bounds} (got {value})", name)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(400, f"{name} must be valid Unicode text", name) from None
