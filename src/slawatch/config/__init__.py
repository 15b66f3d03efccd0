"""The YAML config: targets, contracts, the database and the agent.

``load_config(path)`` returns a validated, frozen ``Config`` or raises one
``ConfigError`` that lists every problem as ``FILE:LINE: path: rule (got X; e.g. Y)``.
The format is documented in ``slawatch.config.models``.
"""

from slawatch.config.contracts import Contract
from slawatch.config.durations import parse_duration, parse_duration_ms
from slawatch.config.errors import ConfigError, DurationError, Problem, UnknownNameError
from slawatch.config.load import load_config, parse_config
from slawatch.config.models import Config
from slawatch.config.targets import AnyTarget

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
