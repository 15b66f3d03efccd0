"""A probe worker's targets, packed as plain values and unpacked as slotted records
(``probes.records``): the same fields as the models, read-only, smaller, probed
alike, and sent without any class of the config package."""

from __future__ import annotations

import pickle
import sys
from typing import Any

import pytest

from slawatch.probes import Outcome, ProbeContext
from slawatch.probes.records import Record, pack, unpack
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


def lean(model: Any) -> Any:
    """``model``'s record, as a worker gets it: packed, pickled, unpacked."""
    wire = pickle.loads(pickle.dumps(pack({"t": model})))
    return unpack(wire)["t"]


def fields(value: Any) -> Any:
    """A model's or record's fields, nested ones too, as plain dicts."""
    if isinstance(value, Record):
        return {name: fields(getattr(value, name)) for name in value._fields}
    if hasattr(type(value), "model_fields"):
        return {name: fields(getattr(value, name)) for name in type(value).model_fields}
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_reads_every_field_as_the_model_does(kind: str) -> None:
    model = target(kind, **KINDS[kind])
    record = lean(model)
    assert fields(record) == fields(model)
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


def test_packed_targets_pickle_without_the_config_package() -> None:
    """No class of the config package nor pydantic travels: a worker that unpickles
    them would import them (11 MB). A model shared by targets (their ``locations``)
    stays one record for all of them, and their empty dicts one dict."""
    settings = {**KINDS["dns"], "resolver": "127.0.0.1:5353"}
    models = {f"t{i}": target(kind, **KINDS[kind]) for i, kind in enumerate(KINDS)}
    models["resolved"] = target("dns", **settings)
    models |= {name: target("http", url=f"http://{name}.example.com/") for name in "ab"}
    models["c"] = target("http", url="http://c.example.com/", headers={})  # written out
    wire = pickle.dumps(pack(models))
    assert b"slawatch.config" not in wire
    assert b"pydantic" not in wire
    records = unpack(pickle.loads(wire))
    assert records["resolved"].resolver == ("127.0.0.1", 5353)
    assert records["t0"].body_json.path == "status"
    assert len({id(record.locations) for record in records.values()}) == 1
    assert records["a"].headers is records["b"].headers is records["c"].headers  # one for all
    assert (records["a"].headers, records["t0"].headers) == ({}, {"X-Key": "${KEY}"})


async def test_a_dns_record_is_probed_as_its_model(context: ProbeContext, dns_port: int) -> None:
    """Its resolver arrives a plain (host, port) tuple, not the config's ``Address``."""
    model = target(
        "dns",
        query_name="portal.example",
        resolver=f"127.0.0.1:{dns_port}",
        expected_answers=["192.0.2.99"],
    )
    results = [await run_probe(model, context), await run_probe(lean(model), context)]
    assert [(r.outcome, r.error_class, r.error_message) for r in results] == [
        (Outcome.CHECK_FAILED, "dns_answer", "expected 192.0.2.99; got 192.0.2.10, 192.0.2.11")
    ] * 2
