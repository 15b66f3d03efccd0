"""Targets written as in a config file, and the test certificate's expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from slawatch.config.targets import AnyTarget, Target

CERT_NOT_AFTER = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
_TARGET: TypeAdapter[AnyTarget] = TypeAdapter(Target)


def target(kind: str, **settings: Any) -> Any:
    """A validated target of ``kind``, ``settings`` as in YAML; probes time out in 2 s."""
    if kind != "heartbeat":
        settings.setdefault("timeout", "2s")
    return _TARGET.validate_python({"name": "t", "kind": kind, **settings})
