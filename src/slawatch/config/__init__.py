"""The YAML config: targets, contracts, the database and the agent.

``load_config(path)`` returns a validated, frozen ``Config`` or raises one
``ConfigError`` that lists every problem as ``FILE:LINE: path: rule (got X; e.g. Y)``.
The format is documented in ``slawatch.config.models``.

The names below are imported when first used (PEP 562): a module of the package that
needs neither pydantic nor the models, such as ``values``, which a reload's child
process runs to read the YAML (config/values.py), then starts without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slawatch.config.contracts import Contract
    from slawatch.config.durations import parse_duration, parse_duration_ms
    from slawatch.config.errors import ConfigError, DurationError, Problem, UnknownNameError
    from slawatch.config.load import load_config, parse_config
    from slawatch.config.models import Config
    from slawatch.config.targets import AnyTarget

_WHERE = {  # name -> the module that defines it
    "AnyTarget": "targets",
    "Config": "models",
    "ConfigError": "errors",
    "Contract": "contracts",
    "DurationError": "errors",
    "Problem": "errors",
    "UnknownNameError": "errors",
    "load_config": "load",
    "parse_config": "load",
    "parse_duration": "durations",
    "parse_duration_ms": "durations",
}
__all__ = [
    "AnyTarget",
    "Config",
    "ConfigError",
    "Contract",
    "DurationError",
    "Problem",
    "UnknownNameError",
    "load_config",
    "parse_config",
    "parse_duration",
    "parse_duration_ms",
]


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # looked up once
    return value
