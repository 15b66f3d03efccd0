"""What goes wrong with a config, and how it is told.

The exception tree is small and each class subclasses the built-in it refines; those
that reach the user are also ``UserError`` (slawatch/errors.py), which the CLI reports::

    ValueError
     +-- ConfigError       the file cannot be used; ``problems`` lists every problem found
     +-- DurationError     a duration text such as ``"1h30m"`` does not parse
    LookupError
     +-- UnknownNameError  ``Config.contract(name)`` / ``Config.target(name)``: no such name
          +-- PartMissingError  the contract exists but lacks the part asked of it

A ``Problem`` reads ``FILE:LINE: path.to.key: what is wrong (got X; e.g. Y)``, the form
compilers use, so editors and CI logs link straight to the line. What it quotes is cut
and its passwords masked (``excerpt``).
"""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from slawatch.config.redact import mask_credentials
from slawatch.errors import SlawatchError, UserError

MAX_VALUE = 80  # characters of a value quoted in a message
MAX_LINE = 1_000  # characters of a message line, whatever it quotes


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a config file."""

    file: str  # the path as the caller gave it
    line: int | None  # 1-based; None when the file could not be read at all
    path: str  # where in the document, e.g. "targets[2].interval"; "" for the whole file
    message: str  # the rule that is broken, what was found, and an example

    def __str__(self) -> str:
        """One line, never a password, never longer than ``MAX_LINE`` characters."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = ": ".join(part for part in (where, self.path, self.message) if part)
        return excerpt(text, MAX_LINE)


class ConfigError(UserError, ValueError):
    """A config that cannot be used. One exception carries every problem, so a user
    fixes them all in one pass instead of one per run; ``str()`` gives one per line."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        # A bare string is a problem tied to no file, such as "no config was given".
        self.problems = tuple(
            problem if isinstance(problem, Problem) else Problem("", None, "", problem)
            for problem in problems
        )
        super().__init__("\n".join(str(problem) for problem in self.problems))


class DurationError(SlawatchError, ValueError):
    """A duration text that does not parse; ``rule`` and ``example`` let callers
    word the message their own way (the config loader adds the file and line)."""

    def __init__(self, text: str, rule: str, example: str) -> None:
        self.text = text
        self.rule = rule
        self.example = example
        super().__init__(f"{rule} (got {text}; e.g. {example})")


class UnknownNameError(UserError, LookupError):
    """A contract or target name that the config does not define (e.g. a typo in
    ``--contract``). The message lists the names that do exist."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = tuple(sorted(known))  # every name, for callers that want to list them
        super().__init__(f"unknown {kind} {name!r} ({_known_names(name, self.known)})")


def excerpt(text: str, limit: int = MAX_VALUE) -> str:
    """What a message may show of ``text``: its passwords masked, and cut after ``limit``
    characters, saying how long it was (a 57 MB value must not make a 57 MB error line).
    Masked first: a cut could leave half a URL that no longer looks like one."""
    text = mask_credentials(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


class PartMissingError(UnknownNameError):
    """A contract asked for a part it does not have: a report on a contract that has
    only a renewal part. For callers it is the same failure as an unknown name (the
    API answers 404): there is no such contract to report on."""

    def __init__(self, name: str, part: str) -> None:
        self.kind = "contract"
        self.name = name
        self.known = ()
        self.part = part  # in words, with its keys
        LookupError.__init__(self, f"contract {name!r} has no {part}")


def listing(names: Collection[str], limit: int = 12) -> str:
    """``a, b, c``, cut after ``limit`` names: a thousand contracts make a useless message."""
    shown = ", ".join(heapq.nsmallest(limit, names))
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like ``name``, if one is close enough to be a typo."""
    matches = difflib.get_close_matches(name, list(known), n=1)
    return matches[0] if matches else None


def _known_names(name: str, known: tuple[str, ...]) -> str:
    if not known:
        return "the config defines none"
    names = "known: " + listing(known)
    guess = closest(name, known)
    return names if guess is None else f"did you mean {guess!r}? {names}"
