"""Reading YAML while remembering the line of every key and list item.

PyYAML first composes the text into nodes that carry their position, then builds
Python objects from them. We keep both: the objects for validation, and a map
from document paths such as ``("targets", 2, "interval")`` to 1-based line
numbers, so that every error can name its line.

Plain scalars are resolved the YAML 1.2 way (core schema) rather than PyYAML's
YAML 1.1 default, because the 1.1 rules quietly change what a user wrote:

- only ``true``/``false`` are booleans, so ``country: NO`` stays Norway;
- no base-60 numbers, so ``1:30`` stays text and a duration error shows it;
- a leading zero is not octal (``010`` is ten);
- floats become ``Decimal`` from their text, so ``99.7`` is exactly 99.7:
  percentages and money never pass through binary floats.

Dates and timestamps (``2026-03-15``) keep their YAML 1.1 meaning, and merge
keys (``<<: *defaults``) still work. A key given twice in one mapping is an
error: PyYAML would silently keep the last one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from slawatch.config.errors import ConfigError, Problem

Path = tuple[str | int, ...]
Constructor = Callable[[yaml.SafeLoader, ScalarNode], object]

_TAG = "tag:yaml.org,2002:"
_DIGITS = list("0123456789")
_HINTS = (  # PyYAML's wording of the usual mistakes, and what to do about them
    ("<block", "check the indentation"),
    ("'\\t'", "indent with spaces, not tabs"),
)


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` with YAML 1.2 core-schema scalars and ``Decimal`` floats."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012


def _decimal(loader: yaml.SafeLoader, node: ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node))
    special = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}
    return Decimal(special.get(text.lower(), text))


def _integer(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text[:2] in ("0x", "0o"):
        return int(text[2:], 16 if text[1] == "x" else 8)
    return int(text, 10)


def _or_text(construct: Constructor) -> Constructor:
    """``construct``, but a scalar that cannot be what its tag says stays text: PyYAML
    would raise a bare ValueError for ``2026-02-30`` (or for an explicit ``!!int x``),
    while as text the field that needs the value reports it, with path and example."""

    def construct_or_text(loader: yaml.SafeLoader, node: ScalarNode) -> object:
        try:
            return construct(loader, node)
        except (ValueError, ArithmeticError, AttributeError):  # AttributeError: !!timestamp x
            return loader.construct_scalar(node)

    return construct_or_text


def _install_resolvers() -> None:
    add = _Loader.add_implicit_resolver
    add(_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    add(_TAG + "null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    add(_TAG + "int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), [*"-+", *_DIGITS])
    add(
        _TAG + "float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        [*"-+.", *_DIGITS],
    )
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        for tag, pattern in resolvers:
            if tag in (_TAG + "timestamp", _TAG + "merge"):
                add(tag, pattern, [first])
    constructors: dict[str, Constructor] = {
        "float": _decimal,
        "int": _integer,
        "timestamp": yaml.SafeLoader.construct_yaml_timestamp,
    }
    for tag, construct in constructors.items():
        _Loader.add_constructor(_TAG + tag, _or_text(construct))


_install_resolvers()


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed YAML document and where its parts were written."""

    data: object  # plain dicts, lists, str, int, Decimal, bool, date, datetime, None
    lines: dict[Path, int] = field(default_factory=dict)  # key or item path -> its line
    problems: tuple[Problem, ...] = ()  # keys given twice

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that was written (a
        missing key is reported on the line of the mapping that lacks it)."""
        for length in range(len(path), 0, -1):
            line = self.lines.get(path[:length])
            if line is not None:
                return line
        return self.lines.get((), 1)


def read_yaml(text: str, source: str) -> Document:
    """Parse one YAML document; raises ``ConfigError`` for a syntax error, with its
    line. ``source`` names the file in messages."""
    index = _Index(source)
    try:
        data = _parse(text, index)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_syntax_problem(exc, source)]) from None
    except ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        message = f"invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason})"
        raise ConfigError([Problem(source, line, "", message)]) from None
    return Document(data, index.lines, tuple(index.problems))


def _parse(text: str, index: _Index) -> object:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Indexed before construction, which rewrites merge keys in place.
        index.lines[()] = node.start_mark.line + 1
        index.visit(node, ())
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _syntax_problem(exc: yaml.MarkedYAMLError, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    details = [] if mark is None else [f"column {mark.column + 1}"]
    if exc.context and exc.problem and exc.context_mark is not None:
        details.append(f"{exc.context} at line {exc.context_mark.line + 1}")
    message = f"invalid YAML: {exc.problem or exc.context}"
    details += [hint for clue, hint in _HINTS if clue in message]
    if details:
        message += f" ({'; '.join(details)})"
    return Problem(source, None if mark is None else mark.line + 1, "", message)


@dataclass
class _Index:
    """Walks the node tree once, recording lines and keys given twice."""

    source: str
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _active: set[int] = field(default_factory=set)  # nodes on the current path (alias loops)

    def visit(self, node: Node, path: Path) -> None:
        if id(node) in self._active:
            return
        self._active.add(id(node))
        if isinstance(node, MappingNode):
            self._mapping(node, path)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1
                self.visit(item, (*path, i))
        self._active.discard(id(node))

    def _mapping(self, node: MappingNode, path: Path) -> None:
        first_seen: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _TAG + "merge":
                continue  # merged keys are reported on the line of the mapping
            line, child = key.start_mark.line + 1, (*path, key.value)
            if key.value in first_seen:
                self.problems.append(self._twice(child, line, first_seen[key.value]))
            first_seen.setdefault(key.value, line)
            self.lines[child] = line
            self.visit(value, child)

    def _twice(self, path: Path, line: int, first: int) -> Problem:
        message = f"key given twice (first at line {first}); YAML keeps only the last one"
        return Problem(self.source, line, format_path(path), message)


def format_path(path: Path) -> str:
    """``("targets", 2, "interval")`` -> ``"targets[2].interval"``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
