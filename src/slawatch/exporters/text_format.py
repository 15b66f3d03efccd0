"""Prometheus' text exposition format (0.0.4), the two pieces the SLA and support
series write themselves: label values escaped, sample values as Go parses them."""

from __future__ import annotations

import math


def escape(value: str) -> str:
    """A label value as it goes between double quotes."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(value: float) -> str:
    """A sample value as Prometheus parses it (Go's ParseFloat)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))
