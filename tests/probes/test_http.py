"""The http probe end to end, against real HTTP and HTTPS servers on 127.0.0.1."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from slawatch.probes import Outcome, ProbeContext, open_context
from slawatch.probes.certs import Trust
from slawatch.probes.http import probe

from .helpers import CERT_NOT_AFTER, target
from .servers import closed_port

pytestmark = pytest.mark.anyio

JSON_DB_OK = {"path": "status.database", "equals": "ok"}


class Case(NamedTuple):
    id: str
    path: str
    settings: dict[str, Any]
    outcome: Outcome
    error_class: str | None = None
    status: int | None = None


CASES = [
    Case("ok", "/", {}, Outcome.OK, status=200),
    Case("wrong-status", "/status/503", {}, Outcome.CHECK_FAILED, "status_code", 503),
    Case("listed-status", "/status/503", {"valid_status_codes": [503]}, Outcome.OK, status=503),
    Case("not-found", "/nothing", {}, Outcome.CHECK_FAILED, "status_code", 404),
    Case("body-contains", "/", {"body_contains": "Welcome"}, Outcome.OK, status=200),
    Case("body-lacks", "/", {"body_contains": "Hello"}, Outcome.CHECK_FAILED, "body_contains", 200),
    Case("body-regex", "/", {"body_regex": r"version: \d+\.\d+"}, Outcome.OK, status=200),
    Case(
        "regex-no-match", "/", {"body_regex": "version: 2"}, Outcome.CHECK_FAILED, "body_regex", 200
    ),
    Case("json-equal", "/json", {"body_json": JSON_DB_OK}, Outcome.OK, status=200),
    Case(
        "json-list-item",
        "/json",
        {"body_json": {"path": "checks.0.up", "equals": True}},
        Outcome.OK,
        status=200,
    ),
    Case(
        "json-differs",
        "/json",
        {"body_json": {"path": "status.workers", "equals": 5}},
        Outcome.CHECK_FAILED,
        "body_json",
        200,
    ),
    Case(
        "json-missing",
        "/json",
        {"body_json": {"path": "status.cache", "equals": "ok"}},
        Outcome.CHECK_FAILED,
        "body_json",
        200,
    ),
    Case("not-json", "/", {"body_json": JSON_DB_OK}, Outcome.CHECK_FAILED, "body_json", 200),
    Case("redirect-followed", "/moved", {}, Outcome.OK, status=200),
    Case(
        "redirect-not-followed",
        "/moved",
        {"follow_redirects": False},
        Outcome.CHECK_FAILED,
        "status_code",
        302,
    ),
    Case(
        "redirect-expected",
        "/moved",
        {"follow_redirects": False, "valid_status_codes": [302]},
        Outcome.OK,
        status=302,
    ),
    Case("redirect-loop", "/loop", {}, Outcome.PROTOCOL_ERROR, "too_many_redirects"),
    Case("not-http", "/garbage", {}, Outcome.PROTOCOL_ERROR, "remote_protocol"),
    Case("early-hints-first", "/early-hints", {"body_contains": "Welcome"}, Outcome.OK, status=200),
    Case("body-cut-short", "/cut", {}, Outcome.PROTOCOL_ERROR, "remote_protocol", 200),
    Case("body-reset", "/reset-body", {}, Outcome.CONNECTION_FAILED, "connection_reset", 200),
    Case("slow", "/slow", {"timeout": "300ms"}, Outcome.TIMEOUT, "processing_timeout"),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_http_probe(context: ProbeContext, http_url: str, case: Case) -> None:
    result = await probe(target("http", url=http_url + case.path, **case.settings), context)
    assert (result.outcome, result.error_class, result.status_code) == case[3:]
    assert result.ok is (case.outcome is Outcome.OK)


async def test_phases_add_up_to_about_the_duration(context: ProbeContext, http_url: str) -> None:
    result = await probe(target("http", url=http_url + "/moved"), context)
    assert list(result.phases) == ["connect", "processing", "transfer"]
    assert 0 < sum(result.phases.values()) <= result.duration_seconds


async def test_the_first_failed_condition_is_reported(context: ProbeContext, http_url: str) -> None:
    result = await probe(target("http", url=http_url + "/status/503", body_contains="x"), context)
    assert result.error_message == "status 503, expected 2xx"


async def test_a_timeout_keeps_the_phases_before_it(context: ProbeContext, http_url: str) -> None:
    result = await probe(target("http", url=http_url + "/slow", timeout="300ms"), context)
    assert result.error_message == "no result within 0.3 s (during processing)"
    assert "connect" in result.phases
    assert 0.3 <= result.duration_seconds < 1


async def test_connection_refused(context: ProbeContext) -> None:
    result = await probe(target("http", url=f"http://127.0.0.1:{closed_port()}/"), context)
    assert (result.outcome, result.error_class) == (Outcome.CONNECTION_FAILED, "connection_refused")
    assert result.error_message is not None
    assert "Connection refused" in result.error_message


async def test_https_exposes_the_certificate_expiry(context: ProbeContext, https_url: str) -> None:
    result = await probe(target("http", url=https_url + "/", min_cert_validity="14d"), context)
    assert result.outcome is Outcome.OK
    assert result.cert_expiry == CERT_NOT_AFTER.timestamp()
    assert list(result.phases) == ["connect", "tls", "processing", "transfer"]


async def test_a_certificate_expiring_too_soon_fails(context: ProbeContext, https_url: str) -> None:
    result = await probe(target("http", url=https_url + "/", min_cert_validity="60d"), context)
    assert (result.outcome, result.error_class, result.status_code) == (
        Outcome.CHECK_FAILED,
        "cert_expiring",
        200,
    )
    assert result.error_message is not None
    assert result.error_message.endswith("days; must be valid for 60d")
    assert result.cert_expiry == CERT_NOT_AFTER.timestamp()


async def test_expiry_is_measured_from_the_context_clock(trust: Trust, https_url: str) -> None:
    five_days_before = CERT_NOT_AFTER.timestamp() - 5 * 86_400
    async with open_context(trust=trust, now=lambda: five_days_before) as context:
        result = await probe(target("http", url=https_url + "/", min_cert_validity="7d"), context)
    assert result.error_message == (
        f"certificate expires {CERT_NOT_AFTER:%Y-%m-%dT%H:%M:%S}Z, in 5.0 days; must be valid for 7d"
    )


async def test_an_untrusted_certificate_fails(https_url: str) -> None:
    async with open_context() as system_trust_only:
        result = await probe(target("http", url=https_url + "/"), system_trust_only)
    assert (result.outcome, result.error_class) == (Outcome.TLS_FAILED, "cert_untrusted")
    assert result.cert_expiry is None


async def test_verification_can_be_turned_off(https_url: str) -> None:
    async with open_context() as system_trust_only:
        result = await probe(
            target("http", url=https_url + "/", verify_tls=False), system_trust_only
        )
    assert result.outcome is Outcome.OK
    assert result.cert_expiry == CERT_NOT_AFTER.timestamp()


async def test_min_validity_without_tls_fails(context: ProbeContext, http_url: str) -> None:
    result = await probe(target("http", url=http_url + "/", min_cert_validity="1d"), context)
    assert (result.outcome, result.error_class) == (Outcome.CHECK_FAILED, "no_certificate")
