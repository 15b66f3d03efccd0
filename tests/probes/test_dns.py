"""The dns probe against a small zone served on 127.0.0.1 (see servers.ZONE)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import dns.resolver
import pytest

from slawatch.config.probe_settings import Address
from slawatch.probes import Outcome, ProbeContext
from slawatch.probes import dns as dns_probe

from .helpers import target

pytestmark = pytest.mark.anyio

PORTAL = {"query_name": "portal.example"}


class Case(NamedTuple):
    id: str
    settings: dict[str, Any]
    outcome: Outcome
    error_class: str | None = None
    message: str | None = None


CASES = [
    Case("answers", PORTAL, Outcome.OK),
    Case("expected-among-answers", {**PORTAL, "expected_answers": ["192.0.2.11"]}, Outcome.OK),
    Case("all-expected", {**PORTAL, "expected_answers": ["192.0.2.10", "192.0.2.11"]}, Outcome.OK),
    Case(
        "mx-written-relative",
        {**PORTAL, "record_type": "MX", "expected_answers": ["10 mx.portal.example"]},
        Outcome.OK,
    ),
    Case(
        "cname",
        {
            "query_name": "www.example",
            "record_type": "CNAME",
            "expected_answers": ["portal.example."],
        },
        Outcome.OK,
    ),
    Case(
        "answer-mismatch",
        {**PORTAL, "expected_answers": ["192.0.2.99", "192.0.2.10"]},
        Outcome.CHECK_FAILED,
        "dns_answer",
        "expected 192.0.2.99; got 192.0.2.10, 192.0.2.11",
    ),
    Case(
        "no-records-of-the-type",
        {**PORTAL, "record_type": "AAAA", "expected_answers": ["2001:db8::10"]},
        Outcome.CHECK_FAILED,
        "dns_answer",
        "expected 2001:db8::10; got nothing",
    ),
    Case("no-records-none-expected", {**PORTAL, "record_type": "AAAA"}, Outcome.OK),
    Case(
        "nxdomain",
        {"query_name": "nothing.example"},
        Outcome.CHECK_FAILED,
        "dns_rcode",
        "answer code NXDOMAIN",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_dns_probe(context: ProbeContext, dns_port: int, case: Case) -> None:
    monitored = target("dns", resolver=f"127.0.0.1:{dns_port}", **case.settings)
    result = await dns_probe.probe(monitored, context)
    assert (result.outcome, result.error_class, result.error_message) == case[2:]


async def test_a_server_that_does_not_answer_times_out(
    context: ProbeContext, silent_udp_port: int
) -> None:
    monitored = target(
        "dns", query_name="portal.example", resolver=f"127.0.0.1:{silent_udp_port}", timeout="300ms"
    )
    result = await dns_probe.probe(monitored, context)
    assert (result.outcome, result.error_class) == (Outcome.TIMEOUT, "processing_timeout")


async def test_without_a_resolver_the_systems_first_is_asked(
    context: ProbeContext, dns_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dns_probe, "system_resolver", lambda: Address("127.0.0.1", dns_port))
    result = await dns_probe.probe(target("dns", query_name="portal.example"), context)
    assert result.outcome is Outcome.OK


@pytest.fixture
def fresh_system_resolver() -> Iterator[None]:
    dns_probe.system_resolver.cache_clear()
    yield
    dns_probe.system_resolver.cache_clear()


@pytest.mark.usefixtures("fresh_system_resolver")
def test_the_system_resolver_is_the_first_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = dns.resolver.Resolver(configure=False)
    configured.nameservers = ["127.0.0.53", "127.0.0.54"]
    monkeypatch.setattr(dns.resolver, "get_default_resolver", lambda: configured)
    assert dns_probe.system_resolver() == Address("127.0.0.53", 53)
