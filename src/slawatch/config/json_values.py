"""A config file written as JSON, read by Python's ``json`` module.

Big target lists are generated (from an inventory, a CMDB), and JSON is what generators
write (Prometheus' file_sd takes JSON for the same reason). JSON is meant to be YAML 1.2,
so a JSON file already was a config file, but libyaml reads it as slowly as any YAML:
1.05 s for 50,000 targets and 1,000 contracts, against 0.14 s for this reading.

The ``json`` module reads a text here only where the YAML reading (config/yaml_lines.py)
would read it too, to the same values: ``true``/``false``/``null`` as such, integers as
``int``, every other number as an exact ``Decimal`` from its text, every string as text
(tests/config/test_json_values.py compares the two on generated documents, with libyaml
and with PyYAML's pure-Python parser). Everything else is left to the YAML reading,
which reads it or words why not, with its line:

- what YAML reads otherwise: ``NaN`` and ``Infinity`` (text in YAML 1.2), a number
  Python's ``int`` or ``Decimal`` refuses (over 4,300 digits, an exponent past
  ``Decimal``'s bounds: text), the characters it takes for line breaks (``\\x85``,
  U+2028, U+2029), a key given twice (YAML words it, with both lines);
- what YAML refuses: a character it does not allow (DEL, C1 controls), a surrogate
  written as an escape (libyaml refuses even a pair), a line break before a colon, more
  than 1,024 characters from a key's quote to its colon, a tab around the document
  (libyaml) or between tokens (PyYAML's own scanner);
- more than it needs, to keep the checks cheap: any tab, a key over 150 characters
  (902 from quote to colon, written as six-character escapes such as ``\\u00e9``),
  100 spaces then a colon anywhere, ``\\ud8`` to ``\\udf`` anywhere (an escaped
  backslash before ``ud8`` too), a text that does not start with ``{`` (a byte order
  mark; ``read_text`` drops a file's). Such a text is read at YAML's speed, to the
  same result. The checks take about 30 ms at 50,000 targets (linear time), the
  ``json`` module about 0.1 s.

One difference is left, on purpose: nesting is not bounded here below 1,000 levels
(Python's recursion limit), where YAML refuses more than ``MAX_DEPTH`` (100). No part of
the config takes values nested more than a few levels, so such a file fails validation,
and the YAML reading that words the failure refuses it for its depth, at its line.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import NoReturn

_NOT_YAML_TEXT = re.compile(  # outside YAML's printable characters, or a line break to it
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# A line break before a colon, which YAML refuses (raw breaks are never in a string).
# Blanks before a colon end in "break, spaces, colon": each search is led by its
# character and never goes back over a run of breaks, so it takes linear time.
_BREAKS_BEFORE_COLON = (re.compile(r"\n *:"), re.compile(r"\r *:"))
# YAML reads a key in at most 1,024 characters from its quote to its colon: 150
# characters written as six-character escapes (\u00e9: 902), then fewer than 100
# spaces, stay below.
_LONGEST_KEY = 150
_SPACES_BEFORE_COLON = " " * 100 + ":"


def read_json(text: str) -> dict[str, object] | None:
    """The values of ``text`` if it is a JSON object that the YAML reading would read
    to the same values; None for the YAML reading to read it."""
    if _left_to_yaml(text):
        return None
    try:
        values: dict[str, object] = json.loads(
            text, object_pairs_hook=_mapping, parse_float=Decimal, parse_constant=_not_read
        )
    except (ValueError, ArithmeticError, RecursionError):  # not JSON, or left to YAML (below)
        return None
    return values


def _left_to_yaml(text: str) -> bool:
    """Whether ``text`` is not a JSON object, or has what the JSON reading leaves to YAML."""
    inside = text.strip(" \r\n")
    if not (inside.startswith("{") and inside.endswith("}")):
        return True
    if "\t" in text or _SPACES_BEFORE_COLON in text:
        return True
    if text.isascii():
        if "\x7f" in text:
            return True
    elif _NOT_YAML_TEXT.search(text):
        return True
    patterns = (_SURROGATE_ESCAPE, *_BREAKS_BEFORE_COLON)
    return any(pattern.search(text) for pattern in patterns)


def _mapping(pairs: list[tuple[str, object]]) -> dict[str, object]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise ValueError("a key given twice")  # for YAML to word
    if max(map(len, mapping), default=0) > _LONGEST_KEY:
        raise ValueError("a key YAML may find too long")
    return mapping


def _not_read(constant: str) -> NoReturn:
    raise ValueError(constant)  # NaN, Infinity: text in YAML 1.2
