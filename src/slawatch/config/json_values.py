"""A config file written as JSON, read by Python's ``json`` module.

JSON is YAML 1.2's subset, so a JSON file is a config file as it is. Big target lists
are usually generated (from an inventory, a CMDB), and JSON is what generators write
(Prometheus' file_sd takes JSON for the same reason). The ``json`` module reads a
50,000-target file in 0.09 s, where libyaml's parser and the values built from its
events take 1.1 s: most of a start's and a reload's time at that size.

The values are the ones the YAML reading gives (tests/config/test_json_values.py
checks it on generated documents): ``true``/``false``/``null`` as such, integers as
``int``, every other number as an exact ``Decimal`` from its text, every string as
text, quoted as JSON quotes them all. Whatever the YAML reading would read otherwise
or refuse is left to it, so that it words the problem with its line: a key given
twice, ``NaN`` or ``Infinity``, a character YAML does not allow or folds (``\\x85``),
a surrogate written as an escape (libyaml refuses it, even in a pair; PyYAML's
pure-Python parser keeps it alone). One difference is left: a key longer than 1,024
characters, which YAML does not allow, loads from JSON. Nesting is not bounded here
(YAML's ``MAX_DEPTH``): no part of the config takes values nested more than a few
levels, so a deeper file fails validation, and the YAML reading that words the failure
refuses it for its depth, at its line.

The lines of keys and items are not known here; they only word problems, and a load
that meets one reads the text again as YAML, with them (config/load.py).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

# What YAML refuses (its reader's printable characters) or reads as a line break
# (\x85) in text that is not ASCII; in ASCII text, JSON lets only DEL (\x7f) through.
_NOT_YAML_TEXT = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _NotRead(ValueError):
    """Left to the YAML reading, which words it."""


def read_json(text: str) -> dict[str, object] | None:
    """The values of ``text`` if it is a JSON object that means the same as YAML; None
    for the YAML reading to read it (any other text, or one of the cases above)."""
    if not text.lstrip().startswith("{") or _yaml_reads_otherwise(text):
        return None
    try:
        values = json.loads(
            text, object_pairs_hook=_mapping, parse_float=Decimal, parse_constant=_not_read
        )
    except (ValueError, RecursionError):  # not JSON, or one of the cases above
        return None
    return values if isinstance(values, dict) else None


def _yaml_reads_otherwise(text: str) -> bool:
    if _SURROGATE_ESCAPE.search(text):
        return True
    if text.isascii():
        return "\x7f" in text
    return _NOT_YAML_TEXT.search(text) is not None


def _mapping(pairs: list[tuple[str, object]]) -> dict[str, object]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _NotRead("a key given twice")
    return mapping


def _not_read(constant: str) -> object:
    raise _NotRead(constant)  # NaN, Infinity: plain text in YAML 1.2
