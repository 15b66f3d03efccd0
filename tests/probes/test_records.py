"""A probe worker's targets, as slotted records (``probes.records.lean``): the same
fields as the models, read-only, smaller, and probed alike."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from slawatch.probes import Outcome, ProbeContext
from slawatch.probes.records import lean
from slawatch.probes.registry import run_probe

from .helpers import target
from .servers import RecordingServer

pytestmark = pytest.mark.anyio

KINDS: dict[str, dict[str, Any]] = {
    "http": {
        "url": "https://portal.example.com/health",
        "method": "POST",
        "headers": {"X-Key": "${KEY}"},
        "body_json": {"path": "status", "equals": "ok"},
        "min_cert_validity": "14d",
    },
    "tcp": {"host": "db.example.com", "port": 6379, "send": "PING\\r\\n", "expect": "+PONG"},
    "tls": {"host": "portal.example.com", "port": 443, "verify_tls": False},
    "dns": {"query_name": "portal.example.com", "expected_answers": ["192.0.2.1"]},
    "heartbeat": {"grace": "1h"},
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_reads_every_field_as_the_model_does(kind: str) -> None:
    model = target(kind, **KINDS[kind])
    record = lean(model)
    assert {name: getattr(record, name) for name in type(model).model_fields} == dict(model)
    assert type(record) is type(lean(target(kind, **KINDS[kind])))  # one class per kind
    with pytest.raises(AttributeError, match="read-only"):
        record.name = "other"
    assert sys.getsizeof(record) < sys.getsizeof(model) + sys.getsizeof(model.__dict__) / 2


async def test_an_http_record_is_probed_as_its_model(
    context: ProbeContext, home: RecordingServer
) -> None:
    """The same request, the same verdict, from the model and from its record."""
    model = target(
        "http",
        url=home.url("/api/health?check=1"),
        method="POST",
        headers={"X-Probe": "slawatch"},
        body='{"ping": true}',
        valid_status_codes=[201],
    )
    results = [await run_probe(model, context), await run_probe(lean(model), context)]
    assert [(r.outcome, r.status_code, r.error_class) for r in results] == [
        (Outcome.CHECK_FAILED, 200, "status_code")
    ] * 2
    first, second = home.seen
    assert (first.method, first.path, first.body, first.headers["x-probe"]) == (
        second.method,
        second.path,
        second.body,
        second.headers["x-probe"],
    )
    assert (second.method, second.path) == ("POST", "/api/health?check=1")
