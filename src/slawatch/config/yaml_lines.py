"""Reading YAML while remembering the line of every key and list item.

The parser's events are built into Python objects (``yaml_build``, with the YAML 1.2
scalars of ``yaml_scalars``) in one pass that also maps document paths such as
``("targets", 2, "interval")`` to 1-based line numbers, so that every error can
name its line. A key given twice in one
mapping is a problem: PyYAML would silently keep the last one.

Bad text never escapes as a traceback: syntax errors, characters YAML does not
allow, nesting deeper than ``MAX_DEPTH`` and aliases that repeat too much (an
"alias bomb") all become a ``ConfigError`` naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.reader import ReaderError

from slawatch.config.errors import ConfigError, Problem
from slawatch.config.yaml_build import DEPTH_PROBLEM, Builder, Lines, Path, format_path

__all__ = ["Document", "Path", "format_path", "read_yaml"]

_HINTS = (  # the usual mistakes, as PyYAML and libyaml word them, and what to do about them
    ("<block", "check the indentation"),
    ("did not find expected key", "check the indentation"),
    ("did not find expected '-'", "check the indentation"),
    ("'\\t'", "indent with spaces, not tabs"),
    ("tab character", "indent with spaces, not tabs"),
)
_LIBYAML_DEPTH = "exceeded maximum nesting depth"  # libyaml's own bound, 1,000 levels


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed YAML document and where its parts were written."""

    data: object  # plain dicts, lists, str, int, Decimal, bool, date, datetime, None
    lines: dict[int, tuple[object, Lines]] = field(default_factory=dict)  # see Builder
    problems: tuple[Problem, ...] = ()  # keys given twice
    root_line: int = 1

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that was written (a
        missing key is reported on the line of the mapping that lacks it; a merged
        one on the line of the mapping that merges it)."""
        line, node = self.root_line, self.data
        for part in path:
            found = _line_in(self.lines.get(id(node)), part)
            if found is None:
                break
            line, node = found, node[part]  # type: ignore[index]
        return line


def _line_in(entry: tuple[object, Lines] | None, part: str | int) -> int | None:
    if entry is None:
        return None
    lines = entry[1]
    if isinstance(lines, dict):
        return lines.get(part)
    return lines[part] if isinstance(part, int) and 0 <= part < len(lines) else None


def read_yaml(text: str, source: str, *, lines: bool = True) -> Document:
    """Parse one YAML document; raises ``ConfigError`` for bad text, with its line.
    ``source`` names the file in messages. With ``lines=False`` the document keeps no
    line (``line_of`` knows none) and its problems are found but not worded: for a
    caller that reads the text again, with lines, only when it has a problem to word."""
    builder = Builder(source, keep_lines=lines)
    try:
        data = builder.build(text)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_syntax_problem(exc, text, source)]) from None
    except ReaderError as exc:  # a character YAML does not allow
        raise ConfigError([_reader_problem(exc, text, source)]) from None
    return Document(data, builder.lines, tuple(builder.problems), builder.root_line)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    details = [] if mark is None else [f"column {mark.column + 1}"]
    context = exc.context_mark
    if exc.context and exc.problem and context is not None and not _same_place(context, mark):
        details.append(f"{exc.context} at line {context.line + 1}")
    problem = exc.problem or exc.context or ""
    if problem == _LIBYAML_DEPTH:
        problem, details = DEPTH_PROBLEM, details[:1]
    message = f"invalid YAML: {problem}"
    clues = message if mark is None else f"{message} {_character_at(text, mark)!r}"
    details += dict.fromkeys(hint for clue, hint in _HINTS if clue in clues)
    if details:
        message += f" ({'; '.join(details)})"
    return Problem(source, None if mark is None else mark.line + 1, "", message)


def _same_place(one: yaml.Mark, other: yaml.Mark | None) -> bool:
    return other is not None and (one.line, one.column) == (other.line, other.column)


def _character_at(text: str, mark: yaml.Mark) -> str:
    """The character a mark points at (libyaml's messages do not always name it)."""
    lines = text.split("\n", mark.line + 1)
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column : mark.column + 1]


def _reader_problem(exc: ReaderError, text: str, source: str) -> Problem:
    if exc.encoding == "unicode":  # PyYAML counts characters
        line = text.count("\n", 0, exc.position) + 1
    else:  # libyaml, the bytes of the UTF-8 text
        line = text.encode().count(b"\n", 0, exc.position) + 1
    message = f"invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason})"
    return Problem(source, line, "", message)
