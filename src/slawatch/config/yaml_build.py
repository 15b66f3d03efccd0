"""YAML text to Python values, and the line of every key and list item, in one pass.

The values are built straight from the parser's events: libyaml's C parser when
PyYAML has it (its wheels do), the pure-Python one otherwise. PyYAML's own way,
nodes first and objects from them, took 39 of 43 s on a 50,000-target config in the
pure-Python composer, and even libyaml's C composer spends most of its time in
Python's garbage collector, which the two million nodes and marks it keeps wake
again and again; events are dropped as soon as they are read.

Each anchored value is built once: an alias (``*name``) gets the very object its
anchor built, so the work and the memory grow with the text, not with what the
aliases stand for. What they stand for is still counted, because whoever reads the
data afterwards (validation, reports) walks every path: a "billion laughs" document
(nine levels of nine aliases, under a kilobyte) stands for 387 million values. The
alias that takes the count past ``MAX_REPEATED`` is refused, at its line. Nesting
deeper than ``MAX_DEPTH`` is refused too: no config needs a dozen levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from slawatch.config.errors import ConfigError, Problem, excerpt
from slawatch.config.yaml_scalars import (
    MAPPING,
    MERGE,
    SEQUENCE,
    Mark,
    construct,
    resolve,
    unknown_tag,
)

try:
    from yaml._yaml import CParser

    LIBYAML = True  # the tests turn it off to check the pure-Python parser
except ImportError:  # PyYAML built without libyaml
    LIBYAML = False

Path = tuple[str | int, ...]
MAX_DEPTH = 100  # nested lists and mappings
DEPTH_PROBLEM = f"nested deeper than {MAX_DEPTH} levels"
MAX_REPEATED = 10_000_000  # values that aliases may repeat: a 64 MiB file holds about as many

_MERGE_KEY = object()  # the value of a ``<<`` key
_MISSING = object()


def _value(text: str, tag: str, mark: Mark) -> object:
    return _MERGE_KEY if tag == MERGE else construct(text, tag, mark)


class _PurePython(Reader, Scanner, Parser):
    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


@dataclass(slots=True)
class _Anchor:
    value: object
    size: int  # the values it stands for (1 while it is being built)
    mark: Mark


Lines = dict[object, int] | list[int]  # a mapping's key -> its line, or a list's item lines


@dataclass(slots=True)
class _Collection:
    """A list or mapping being built; ``key`` is the mapping's key waiting for its value."""

    value: list[object] | dict[object, object]
    lines: Lines | None  # None: lines not kept (``Builder.keep_lines``)
    mark: Mark
    anchor: str | None
    start: int  # the builder's count of values when it opened
    is_list: bool
    key: object = None
    waiting: bool = False  # for the value of ``key``
    merged: dict[object, object] | None = None  # from ``<<`` keys


@dataclass
class Builder:
    """``build(text)`` returns the value of the single YAML document in ``text`` (``None``
    for none) and leaves the lines of each list and mapping in ``lines`` (by ``id``, with
    the object, which must outlive its id) and the keys given twice in ``problems``.
    Raises ``ConfigError`` for aliases that repeat too much, PyYAML's
    ``MarkedYAMLError`` or ``ReaderError`` for other bad text.

    Without ``keep_lines`` it keeps no line (``lines`` stays empty), which saves a tenth
    of the time: the lines only word problems, and a caller that meets one (a key given
    twice is still found, but its first line is not known) reads the text again with
    them. Every other error names its line either way.

    Nine events in ten are scalars, most of them an untagged plain or quoted one that
    goes to the innermost collection as a new key, a key's value or a list item; most
    collections have no tag, anchor nor merge key. ``build`` handles those in its loop
    (with ``_added``, one call a value) and hands every other case to the methods below,
    which keep PyYAML's messages. The values are counted (``_count``: each value once,
    an alias for all it stands for) rather than each collection adding up its own, so
    a value costs no update of its parents: a tenth less time than a method per event
    (0.80 s for 50,000 targets and 1,000 contracts, where libyaml's events alone take
    0.40 s)."""

    source: str
    keep_lines: bool = True
    lines: dict[int, tuple[object, Lines]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    root_line: int = 1
    _open: list[_Collection] = field(default_factory=list)  # the innermost last
    _anchors: dict[str, _Anchor] = field(default_factory=dict)
    _repeated: int = 0  # values that aliases stand for, in all
    _count: int = 0  # values added so far, aliases expanded
    _root: object = None
    _root_mark: Mark | None = None
    _plain: dict[str, object] = field(default_factory=dict)  # plain scalar -> its value

    def build(self, text: str) -> object:
        parser = CParser(text) if LIBYAML else _PurePython(text)
        plain = self._plain
        top: _Collection | None = None  # the innermost collection open
        try:
            for event in iter(parser.get_event, None):
                kind = type(event)
                if kind is ScalarEvent:
                    written, mark = event.value, event.start_mark
                    if event.tag is None and event.anchor is None and top is not None:
                        if not event.implicit[0]:  # quoted: text
                            value: object = written
                        else:  # plain: most of them, and many repeat
                            value = plain.get(written, _MISSING)
                            if value is _MISSING:
                                tag = resolve(written, None, True)
                                value = plain[written] = _value(written, tag, mark)
                        if not self._added(top, value, mark):
                            self._add(value, 1, mark)
                    else:
                        self._scalar(event)
                elif kind is MappingEndEvent or kind is SequenceEndEvent:
                    top = self._end()
                elif kind is MappingStartEvent or kind is SequenceStartEvent:
                    top = self._start(event)
                else:
                    self._other(event)
        finally:
            parser.dispose()
        return self._root

    def _added(self, parent: _Collection, value: object, mark: Mark) -> bool:
        """``_add`` for one value, done here when it is a key's value, a list item or
        a new text key (most values are); False for ``_add`` to do the rest."""
        if value is _MERGE_KEY:
            return False
        if parent.waiting:
            if parent.key is _MERGE_KEY:
                return False
            parent.waiting = False
            parent.value[parent.key] = value  # type: ignore[call-overload]
        elif parent.is_list:
            if parent.lines is not None:
                parent.lines.append(mark.line + 1)  # type: ignore[union-attr]
            parent.value.append(value)  # type: ignore[union-attr]
        elif type(value) is str and value not in parent.value:
            if parent.lines is not None:
                parent.lines[value] = mark.line + 1  # type: ignore[call-overload]
            parent.waiting, parent.key = True, value
        else:
            return False
        self._count += 1
        return True

    def _other(self, event: Event) -> None:
        """An alias, or the start of a document (the stream's and the documents' other
        events say nothing)."""
        if isinstance(event, AliasEvent):
            self._alias(event)
        elif isinstance(event, DocumentStartEvent):
            self._document(event)

    def _document(self, event: Event) -> None:
        mark: Mark = event.start_mark
        if self._root_mark is not None:
            context = "expected a single document in the stream"
            raise ComposerError(context, self._root_mark, "but found another document", mark)

    def _scalar(self, event: ScalarEvent) -> None:
        """A scalar that ``build`` leaves: tagged, anchored, or the whole document."""
        text, mark = event.value, event.start_mark
        value = _value(text, resolve(text, event.tag, event.implicit[0]), mark)
        if event.anchor is not None:
            self._anchor(event.anchor, value, mark)
        self._add(value, 1, mark)

    def _alias(self, event: AliasEvent) -> None:
        mark: Mark = event.start_mark
        anchor = self._anchors.get(event.anchor or "")
        if anchor is None:
            raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", mark)
        self._repeated += anchor.size
        if self._repeated > MAX_REPEATED:
            raise ConfigError([self._too_many(anchor, mark)])
        self._add(anchor.value, anchor.size, mark)

    def _start(self, event: CollectionStartEvent) -> _Collection:
        mark: Mark = event.start_mark
        is_list = type(event) is SequenceStartEvent
        if event.tag not in (None, "!", SEQUENCE if is_list else MAPPING):
            raise unknown_tag(event.tag, mark)
        if len(self._open) >= MAX_DEPTH:
            raise ComposerError(None, None, DEPTH_PROBLEM, mark)
        value: list[object] | dict[object, object] = [] if is_list else {}
        lines: Lines | None = None
        if self.keep_lines:
            lines = [] if is_list else {}
            self.lines[id(value)] = (value, lines)
        if event.anchor is not None:
            self._anchor(event.anchor, value, mark)
        opened = _Collection(value, lines, mark, event.anchor, self._count, is_list)
        self._open.append(opened)
        return opened

    def _end(self) -> _Collection | None:
        """Closes the innermost collection; returns the one open now."""
        done = self._open.pop()
        if isinstance(done.value, dict) and done.merged is not None:
            own = dict(done.value)  # merged keys first, and its own keys win, as PyYAML merges
            done.value.clear()
            done.value.update(done.merged | own)
        if done.anchor is not None:  # itself and the values it holds, aliases expanded
            self._anchors[done.anchor].size = 1 + self._count - done.start
        top = self._open[-1] if self._open else None
        if top is None or not self._added(top, done.value, done.mark):
            self._add(done.value, 1, done.mark)
        return top

    def _anchor(self, name: str, value: object, mark: Mark) -> None:
        if name in self._anchors:
            first = self._anchors[name].mark
            message = f"found duplicate anchor {name!r}; first occurrence"
            raise ComposerError(message, first, "second occurrence", mark)
        self._anchors[name] = _Anchor(value, 1, mark)

    def _add(self, value: object, size: int, mark: Mark) -> None:
        """``value``, which stands for ``size`` values, goes to the collection open (or is
        the document's)."""
        self._count += size
        if not self._open:
            _check_value(value, mark)
            self._root, self._root_mark, self.root_line = value, mark, mark.line + 1
            return
        parent = self._open[-1]
        if parent.waiting:  # a mapping's value
            parent.waiting = False
            if parent.key is _MERGE_KEY:
                self._merge(parent, value, mark)
            elif value is not _MERGE_KEY:
                parent.value[parent.key] = value  # type: ignore[call-overload]
            else:
                raise unknown_tag(MERGE, mark)  # ``<<`` where no key is expected
        elif type(parent.value) is list:
            _check_value(value, mark)
            if parent.lines is not None:
                parent.lines.append(mark.line + 1)  # type: ignore[union-attr]
            parent.value.append(value)
        else:
            self._key(parent, value, mark)

    def _key(self, parent: _Collection, key: object, mark: Mark) -> None:
        parent.waiting, parent.key = True, key
        if key is _MERGE_KEY:
            return  # merged keys are reported on the line of the mapping
        line = mark.line + 1
        try:
            twice = key in parent.value
        except TypeError:  # a list or mapping as a key
            problem = "found unhashable key"
            raise ConstructorError("while building a mapping", parent.mark, problem, mark) from None
        first = line if parent.lines is None else parent.lines.setdefault(key, line)  # type: ignore[union-attr]
        if twice:  # without lines kept, ``first`` is not known: see ``keep_lines``
            message = f"key given twice (first at line {first}); YAML keeps only the last one"
            self.problems.append(Problem(self.source, line, format_path(self._path()), message))

    @staticmethod
    def _merge(parent: _Collection, value: object, mark: Mark) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(source, dict) for source in sources):
            problem = "expected a mapping or list of mappings for merging"
            raise ConstructorError("while building a mapping", parent.mark, problem, mark)
        if parent.merged is None:
            parent.merged = {}
        for source in reversed(sources):  # <<: [*a, *b]: a wins over b
            parent.merged.update(source)

    def _path(self) -> Path:
        """Where the value that comes next goes (its key, once the key is read)."""
        path: list[str | int] = []
        for collection in self._open:
            if type(collection.value) is list:
                path.append(len(collection.value))
            elif collection.waiting and collection.key is not _MERGE_KEY:
                key = collection.key
                path.append(key if isinstance(key, str | int) else str(key))
        return tuple(path)

    def _too_many(self, anchor: _Anchor, mark: Mark) -> Problem:
        message = (
            f"aliases repeat more than {MAX_REPEATED:,} values in all (this one repeats "
            f"{anchor.size:,}, anchored at line {anchor.mark.line + 1}): refused as an alias bomb"
        )
        return Problem(self.source, mark.line + 1, format_path(self._path()), message)


def _check_value(value: object, mark: Mark) -> None:
    if value is _MERGE_KEY:  # ``<<`` where no key is expected
        raise unknown_tag(MERGE, mark)


def format_path(path: Path) -> str:
    """``("targets", 2, "interval")`` -> ``"targets[2].interval"``."""
    text = ""
    for part in path:
        key = excerpt(str(part))  # a key may be as long as a value
        text += f"[{part}]" if isinstance(part, int) else f".{key}" if text else key
    return text
