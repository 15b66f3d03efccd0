"""Results cross from the probe worker processes to the agent: they pickle whole."""

from __future__ import annotations

import pickle
from types import MappingProxyType

import pytest

from slawatch.probes import Outcome
from slawatch.probes.result import ProbeResult


def test_a_result_survives_pickling_with_read_only_phases() -> None:
    phases = MappingProxyType({"connect": 0.01, "tls": 0.02, "processing": 0.1})
    result = ProbeResult(Outcome.TIMEOUT, 1.5, 200, "processing_timeout", "late", phases, 2e9)
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result
    with pytest.raises(TypeError):
        copy.phases["connect"] = 0
