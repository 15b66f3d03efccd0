"""One exception root: every exception class slawatch defines derives from
``SlawatchError`` and has its line, with its module, in the tree of errors.py."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import slawatch
from slawatch import errors
from slawatch.errors import SlawatchError

CORE = "slawatch.sla."  # may import no slawatch module: its errors are translated


def defined_exceptions() -> list[type[BaseException]]:
    """Every exception class defined in a slawatch module (``__main__`` would run)."""
    found: list[type[BaseException]] = []
    for info in pkgutil.walk_packages(slawatch.__path__, "slawatch."):
        if info.name.endswith(".__main__"):
            continue
        module = importlib.import_module(info.name)
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseException) and cls.__module__ == info.name
        ]
    return found


def listed_in_tree(cls: type[BaseException]) -> bool:
    path = cls.__module__.removeprefix("slawatch.").replace(".", "/") + ".py"
    line = rf"\+-- {re.escape(cls.__name__)}\s+{re.escape(path)}\b"
    return re.search(line, errors.__doc__ or "") is not None


def test_the_walk_finds_the_exceptions_of_every_layer() -> None:
    names = {cls.__name__ for cls in defined_exceptions()}
    assert {"ConfigError", "StoreError", "SpoolError", "ApiError", "RenewalRefused"} <= names


def test_every_exception_outside_the_core_derives_from_the_root() -> None:
    strays = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in defined_exceptions()
        if not issubclass(cls, SlawatchError) and not cls.__module__.startswith(CORE)
    ]
    assert strays == []


def test_every_exception_has_its_line_in_the_tree() -> None:
    missing = [cls.__name__ for cls in defined_exceptions() if not listed_in_tree(cls)]
    assert missing == []
