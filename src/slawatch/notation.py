"""What config text means, for the code that reads it at run time: duration text and
``${VAR}`` references.

Top-level, as ``errors.py`` is, and standard library only: the config package
validates with these (``config/durations.py``, ``config/probe_settings.py``) and the
probes use them when they run, in probe worker processes that never import the
config package (pydantic, the contract models, holidays: 11 MB in each worker).
"""

from __future__ import annotations

import re

UNIT_MS = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1))
"""A duration's units, largest first, with their milliseconds."""

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""``${VAR}`` in a header value: kept in the config, read from the environment by
the http probe at each request."""


def format_duration_ms(milliseconds: int) -> str:
    """The shortest duration text (``1h30m``) that the config reads back as ``milliseconds``."""
    sign, rest = ("-", -milliseconds) if milliseconds < 0 else ("", milliseconds)
    parts = []
    for unit, scale in UNIT_MS:
        count, rest = divmod(rest, scale)
        if count:
            parts.append(f"{count}{unit}")
    return sign + ("".join(parts) or "0s")
